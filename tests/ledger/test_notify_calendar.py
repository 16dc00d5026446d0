"""Coach e-mail over a real local SMTP server (aiosmtpd), the outbox, the .ics file."""

from __future__ import annotations

from collections.abc import Iterator
from email import message_from_bytes

import pytest
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger.booking import book_slot, cancel_booking, find_offers
from bot.ledger.calendar import booking_calendar
from bot.ledger.preferences import WhenPreference
from bot.notify import outbox
from bot.notify.models import OutboxMessage
from bot.notify.smtp import SmtpConfig, deliver_pending
from tests.smtp_support import Mailbox, running_mailbox
from tools.devservices import free_port

pytest_plugins = ["tests.ledger.support"]


@pytest.fixture
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    with running_mailbox(Mailbox()) as running:
        yield running


def make_booking(sessions: sessionmaker):
    with sessions() as session:
        offer = find_offers(
            session,
            region="Utrecht",
            mode="online",
            preference=WhenPreference(),
            now=utcnow(),
            horizon_days=42,
        )[0]
        return run_in_transaction(
            session,
            book_slot,
            slot_id=offer.slot_id,
            mode="online",
            region="Utrecht",
            now=utcnow(),
            actor="test",
        )


async def test_pending_mail_is_sent_over_smtp(seeded: sessionmaker, smtp_server) -> None:
    collector, port = smtp_server
    view = make_booking(seeded)
    config = SmtpConfig(
        host="127.0.0.1", port=port, sender="Koers <koers@example.org>", security="none"
    )
    with seeded() as session:
        report = await deliver_pending(session, config)
        assert (report.sent, report.failed) == (1, 0)
        assert (await deliver_pending(session, config)).sent == 0  # nothing sent twice
        stored = session.execute(select(OutboxMessage)).scalar_one()
        assert stored.status == "sent" and stored.sent_at is not None
    [envelope] = collector.messages
    assert envelope.rcpt_tos == ["anna@coach.example"]
    mail = message_from_bytes(envelope.content)
    body = mail.get_payload(decode=True).decode("utf-8")
    assert view.code[:5] in body and "Utrecht" in body
    # Nothing about the conversation: only the appointment.
    for private in ("scan", "talent", "reden", "leidinggevende"):
        assert private not in body.lower()


async def test_an_unreachable_server_leaves_the_mail_pending(seeded: sessionmaker) -> None:
    make_booking(seeded)
    config = SmtpConfig(
        host="127.0.0.1",
        port=free_port(),
        sender="koers@example.org",
        security="none",
        timeout_seconds=2,
    )
    with seeded() as session:
        report = await deliver_pending(session, config)
        assert (report.sent, report.failed) == (0, 1)
        stored = session.execute(select(OutboxMessage)).scalar_one()
        session.refresh(stored)
        assert stored.status == "pending" and stored.attempts == 1 and stored.last_error


async def test_without_smtp_settings_mail_stays_in_the_outbox(seeded: sessionmaker) -> None:
    make_booking(seeded)
    with seeded() as session:
        assert (await deliver_pending(session, None)).sent == 0
        assert [m.status for m in outbox.list_messages(session)] == ["pending"]


def test_calendar_file(seeded: sessionmaker) -> None:
    view = make_booking(seeded)
    calendar = Calendar.from_ical(booking_calendar(view, utcnow()))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == view.starts_at
    assert event.decoded("dtend") == view.ends_at
    assert str(event["status"]) == "CONFIRMED" and int(event["sequence"]) == 0
    assert "Anna Voorbeeld" in str(event["summary"])
    with seeded() as session:
        cancelled = run_in_transaction(
            session, cancel_booking, code=view.code, now=utcnow(), actor="test"
        )
    [event] = Calendar.from_ical(booking_calendar(cancelled, utcnow())).walk("VEVENT")
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1
    assert str(event["uid"]) == f"booking-{view.booking_id}@koers"
