"""The outbox table: queue, claim and purge e-mails (synchronous, inside a session)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.ledger.catalog import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_SENT
from bot.ledger.models import OutboxMessage
from bot.notify.messages import MailContent

#: After this many failed tries a message is marked failed (still visible in ``cli outbox``).
MAX_ATTEMPTS = 5
#: A claim older than this belongs to a process that died while sending.
STALE_CLAIM = timedelta(minutes=10)


def enqueue(
    session: Session,
    *,
    to_address: str,
    mail: MailContent,
    now: datetime,
    booking_id: int | None = None,
    purge_after: datetime | None = None,
) -> OutboxMessage:
    """Adds a message to the caller's transaction; it is sent only after that commits."""
    message = OutboxMessage(
        created_at=now,
        to_address=to_address,
        subject=mail.subject[:200],
        body=mail.body,
        status=OUTBOX_PENDING,
        attempts=0,
        booking_id=booking_id,
        purge_after=purge_after,
    )
    session.add(message)
    return message


def list_messages(
    session: Session, *, statuses: tuple[str, ...] | None = None, limit: int = 50
) -> list[OutboxMessage]:
    statement = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit)
    if statuses:
        statement = statement.where(OutboxMessage.status.in_(statuses))
    return list(session.execute(statement).scalars())


def pending_ids(session: Session, *, limit: int = 50) -> list[int]:
    statement = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OUTBOX_PENDING)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    return list(session.execute(statement).scalars())


def claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    """Marks a pending message as being sent; None if another process got it first."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OUTBOX_PENDING)
        .values(status=OUTBOX_SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    if result.rowcount != 1:
        return None
    return session.get(OutboxMessage, message_id, populate_existing=True)


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OUTBOX_SENT, sent_at=now, last_error=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def mark_failed(session: Session, message_id: int, error: str) -> None:
    """Back to pending for a later try, or failed after :data:`MAX_ATTEMPTS`."""
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        return
    message.status = OUTBOX_FAILED if message.attempts >= MAX_ATTEMPTS else OUTBOX_PENDING
    message.last_error = error[:500]
    message.claimed_at = None
    session.commit()


def release_stale_claims(session: Session, now: datetime) -> int:
    result = session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.status == OUTBOX_SENDING,
            OutboxMessage.claimed_at < now - STALE_CLAIM,
        )
        .values(status=OUTBOX_PENDING, claimed_at=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def purge(session: Session, now: datetime, booking_id: int | None = None) -> int:
    """Deletes messages past their ``purge_after`` (or all personal ones of one booking)."""
    statement = delete(OutboxMessage)
    if booking_id is None:
        statement = statement.where(OutboxMessage.purge_after <= now)
    else:
        statement = statement.where(
            OutboxMessage.booking_id == booking_id, OutboxMessage.purge_after.is_not(None)
        )
    result = session.execute(statement.execution_options(synchronize_session=False))
    return result.rowcount
