"""The outbox table: queue, claim and purge e-mails (synchronous, inside a session)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.ledger import audit
from bot.ledger.catalog import SIGNUP_RESERVED
from bot.ledger.models import Workshop, WorkshopSignup
from bot.notify.messages import MailContent
from bot.notify.models import (
    OUTBOX_FAILED,
    OUTBOX_PENDING,
    OUTBOX_SENDING,
    OUTBOX_SENT,
    OutboxMessage,
)

logger = logging.getLogger(__name__)

#: After this many failed tries a message is marked failed (still visible in ``cli outbox``);
#: the outbox sender uses ``KOERS_OUTBOX_MAX_ATTEMPTS`` instead.
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
    signup_id: int | None = None,
    purge_after: datetime | None = None,
) -> OutboxMessage:
    """Adds a message to the caller's transaction; it is sent only after that commits.

    With ``signup_id`` (the "a seat is free" mail) it is sent only while that sign-up
    still holds its seat: see :func:`drop_signup_mails` and :func:`claim`."""
    message = OutboxMessage(
        created_at=now,
        to_address=to_address,
        subject=mail.subject[:200],
        body=mail.body,
        status=OUTBOX_PENDING,
        attempts=0,
        booking_id=booking_id,
        signup_id=signup_id,
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


def _due(now: datetime | None) -> ColumnElement:
    """Pending, and past its backoff (all pending ones when ``now`` is None)."""
    pending = OutboxMessage.status == OUTBOX_PENDING
    if now is None:
        return pending
    return pending & or_(
        OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now
    )


def pending_ids(session: Session, *, limit: int = 50, now: datetime | None = None) -> list[int]:
    """The oldest pending messages; with ``now`` only those whose backoff is over."""
    statement = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
    return list(session.execute(statement).scalars())


def due_ids(session: Session, *, limit: int, now: datetime) -> list[int]:
    """:func:`pending_ids` due at ``now``, with the read transaction ended at once (on
    SQLite every transaction holds the write lock, bookings included)."""
    ids = pending_ids(session, limit=limit, now=now)
    session.commit()
    return ids


@dataclass(frozen=True)
class Claimed:
    """What a sender needs of a claimed message, read before the transaction ends, so no
    transaction stays open while the mail server is slow."""

    id: int
    to_address: str
    subject: str
    body: str
    attempts: int


def drop_signup_mails(session: Session, signup_id: int) -> int:
    """Deletes the mails of a workshop sign-up that stops holding its seat (cancelled or
    moved), in the caller's transaction; returns how many were still unsent.

    A pending mail is deleted unsent, with the address it holds; a sent (or given-up) copy
    is not needed any more either. A mail a sender has already claimed (``sending``) stays:
    it is on its way. Exactly once: this DELETE and :func:`claim`'s UPDATE both require
    ``pending`` on the same row, so whichever locks it first wins and the other finds
    nothing (PostgreSQL re-checks the WHERE after the row lock; SQLite writes one at a
    time): a mail is either sent or dropped, never both.
    """
    dropped = session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.signup_id == signup_id, OutboxMessage.status == OUTBOX_PENDING)
        .execution_options(synchronize_session=False)
    ).rowcount
    session.execute(
        delete(OutboxMessage)
        .where(
            OutboxMessage.signup_id == signup_id,
            OutboxMessage.status.in_((OUTBOX_SENT, OUTBOX_FAILED)),
        )
        .execution_options(synchronize_session=False)
    )
    return int(dropped)


def _drop_if_seat_gone(session: Session, message_id: int, now: datetime) -> bool:
    """Deletes a due "a seat is free" mail whose sign-up no longer holds a seat in a session
    still to come (a path that did not call :func:`drop_signup_mails`, or a session that
    started while the mail waited, e.g. without SMTP); True when this call deleted it."""
    signup_id = session.execute(
        select(OutboxMessage.signup_id).where(OutboxMessage.id == message_id)
    ).scalar()
    if signup_id is None:
        return False
    holds_seat = exists().where(
        WorkshopSignup.id == signup_id,
        WorkshopSignup.status == SIGNUP_RESERVED,
        Workshop.id == WorkshopSignup.workshop_id,
        Workshop.starts_at > now,
    )
    gone = session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id == message_id, _due(now), ~holds_seat)
        .execution_options(synchronize_session=False)
    )
    if gone.rowcount != 1:
        return False
    audit.record(
        session,
        actor="outbox",
        action="workshop_signup.seat_mail_dropped",
        entity_type="workshop_signup",
        entity_id=int(signup_id),
        details={"messages": 1, "reason": "no_seat"},
        at=now,
    )
    return True


def claim(session: Session, message_id: int, now: datetime) -> Claimed | None:
    """Marks a due message as being sent; None if another process got it first, or if it
    was a seat mail whose sign-up no longer holds the seat (then deleted unsent).

    One conditional UPDATE, committed before any mail goes out: of two senders racing for
    the same row exactly one sees ``rowcount == 1`` (PostgreSQL re-checks the WHERE after
    the row lock, SQLite writes one at a time), so a message is never sent twice.
    """
    try:
        if _drop_if_seat_gone(session, message_id, now):
            session.commit()
            logger.info("outbox message %s dropped: its sign-up lost the seat", message_id)
            return None
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, _due(now))
            .values(status=OUTBOX_SENDING, claimed_at=now, attempts=OutboxMessage.attempts + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            session.rollback()
            return None
        row = session.execute(
            select(
                OutboxMessage.to_address,
                OutboxMessage.subject,
                OutboxMessage.body,
                OutboxMessage.attempts,
            ).where(OutboxMessage.id == message_id)
        ).one()
        claimed = Claimed(message_id, row.to_address, row.subject, row.body, int(row.attempts))
    except BaseException:
        session.rollback()
        raise
    session.commit()
    return claimed


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(status=OUTBOX_SENT, sent_at=now, last_error=None, next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    session.commit()


def mark_failed(
    session: Session,
    message_id: int,
    error: str,
    *,
    max_attempts: int = MAX_ATTEMPTS,
    next_attempt_at: datetime | None = None,
) -> str | None:
    """Back to pending until ``next_attempt_at``, or failed after ``max_attempts`` tries.

    Returns the new status (None if the message is gone, e.g. purged with its booking).
    """
    message = session.get(OutboxMessage, message_id, populate_existing=True)
    if message is None:
        session.rollback()
        return None
    message.status = OUTBOX_FAILED if message.attempts >= max_attempts else OUTBOX_PENDING
    message.last_error = error[:500]
    message.claimed_at = None
    message.next_attempt_at = next_attempt_at if message.status == OUTBOX_PENDING else None
    status = str(message.status)
    session.commit()
    return status


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
