"""The optional "a seat is free" mail of a waiting list (issue 17), on SQLite and PostgreSQL.

The address is stored on the waiting place only after the web page's yes, refused when it is
malformed, queued as one outbox mail in the transaction that moves the place up (and then
gone from the sign-up), never sent twice whatever happens next, cleared when the place stops
waiting, and delivered to a real SMTP server (aiosmtpd) by the outbox sender's own code. A
mail not yet sent when its sign-up is cancelled or moved is deleted unsent, exactly once
even when the cancel races the sender, and the sender skips one whose seat is gone.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from typing import Any

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import signups
from bot.ledger.booking import purge_emails
from bot.ledger.codes import format_code
from bot.ledger.models import AuditEntry, Provider, Workshop, WorkshopSignup
from bot.notify import outbox
from bot.notify.messages import MailContent
from bot.notify.models import OutboxMessage
from bot.notify.smtp import SmtpConfig, deliver_pending
from tests.ledger.support import BACKENDS, load
from tests.ledger.test_signups import (
    attempt,
    key,
    run_together,
    session_id,
    sign,
    tap_data,
)
from tests.smtp_support import Mailbox, running_mailbox

pytest_plugins = ["tests.ledger.support"]

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

RETENTION = timedelta(days=30)
ADDRESS = "wacht.even@example.org"


@pytest.fixture
def tap(sessions: sessionmaker) -> sessionmaker:
    load(sessions, tap_data())
    return sessions


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with running_mailbox(Mailbox()) as running:
        yield running


def leave_address(sessions: sessionmaker, made: Any, email: str | None = ADDRESS) -> Any:
    """What the web page does after the employee's yes (a refusal comes back as its reason)."""
    return attempt(
        sessions,
        signups.set_signup_email,
        token=made.signup.ics_token,
        email=email,
        now=utcnow(),
        email_retention=RETENTION,
    )


def cancel(sessions: sessionmaker, made: Any, employee: str) -> Any:
    return attempt(
        sessions, signups.cancel_signup, code=made.signup.code, employee_key=employee, now=utcnow()
    )


def mails(sessions: sessionmaker) -> list[OutboxMessage]:
    with sessions() as session:
        found = list(session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars())
        session.expunge_all()
        return found


def stored(sessions: sessionmaker, made: Any) -> tuple[str | None, Any]:
    with sessions() as session:
        row = session.get(WorkshopSignup, made.signup.signup_id)
        return row.email, row.email_delete_after


def full_session(tap: sessionmaker) -> tuple[int, dict[int, Any]]:
    """Limburg "gesprek" (2 places): employees 0 and 1 seated, 2 and 3 waiting."""
    workshop_id = session_id(tap, "Limburg", "gesprek")
    made = {n: sign(tap, workshop_id, key(n), waiting=True) for n in range(4)}
    assert [made[n].signup.status for n in range(4)] == ["reserved"] * 2 + ["waiting"] * 2
    return workshop_id, made


def test_the_first_waiting_gets_one_mail_and_the_address_is_gone(tap: sessionmaker) -> None:
    workshop_id, made = full_session(tap)
    view = leave_address(tap, made[2])
    assert view.has_email and view.waiting
    email, delete_after = stored(tap, made[2])
    assert email == ADDRESS and delete_after == made[2].signup.ends_at + RETENTION
    assert mails(tap) == []  # nothing is sent for leaving an address

    result = cancel(tap, made[0], key(0))
    assert [promoted.code for promoted in result.promoted] == [made[2].signup.code]
    [mail] = mails(tap)
    assert mail.to_address == ADDRESS and mail.status == "pending"
    assert mail.subject.startswith("Er is een plek vrijgekomen")
    assert mail.booking_id is None and mail.purge_after == delete_after
    for part in (
        "Er is een plek vrijgekomen",
        "Tap de toekomst Limburg (test)",
        "Brasserie De Proef (fictief), Heuvelrand (fictief) (Limburg)",
        format_code(made[2].signup.code),
        "afzeggen",
        "Wanneer:",
    ):
        assert part in mail.body, part
    assert stored(tap, made[2]) == (None, None)  # cleared in the same transaction
    with tap() as session:
        row = session.get(WorkshopSignup, made[2].signup.signup_id)
        assert row.status == "reserved" and row.notice_pending  # the chat tells too

    # the next freed seat goes to number 3, who left no address: no mail for anyone
    assert [p.code for p in cancel(tap, made[1], key(1)).promoted] == [made[3].signup.code]
    assert len(mails(tap)) == 1
    # the one who was mailed gives the seat up before the mail went out (nobody waits now):
    # the mail is deleted unsent, address and all; signing up again, the seat is free at
    # once, no address is carried over and no mail is queued
    cancel(tap, made[2], key(2))
    assert mails(tap) == []
    again = sign(tap, workshop_id, key(2), waiting=True)
    assert again.signup.reserved and not again.signup.has_email
    assert mails(tap) == []
    with tap() as session:  # the audit log says what happened, never to which address
        actions = set(session.execute(select(AuditEntry.action)).scalars())
        assert "workshop_signup.email_added" in actions
        assert all(ADDRESS not in d for d in session.execute(select(AuditEntry.details)).scalars())


def test_no_address_no_mail(tap: sessionmaker) -> None:
    _workshop_id, made = full_session(tap)
    result = cancel(tap, made[0], key(0))
    assert [p.code for p in result.promoted] == [made[2].signup.code]
    assert mails(tap) == []
    with tap() as session:
        audit = session.execute(
            select(AuditEntry.details).where(AuditEntry.action == "workshop_signup.promoted")
        ).scalar_one()
        assert json.loads(audit)["mail"] is False


def test_a_freed_seat_mails_exactly_once_under_concurrency(tap: sessionmaker) -> None:
    _workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    leave_address(tap, made[3], "nummer.drie@example.org")
    results = run_together(10, lambda _n: cancel(tap, made[0], key(0)), workers=10)
    assert sum(isinstance(r, signups.ChangeResult) for r in results) == 1, results
    assert [m.to_address for m in mails(tap)] == [ADDRESS]  # number 3 still waits, unmailed
    assert stored(tap, made[3])[0] == "nummer.drie@example.org"


def test_a_no_show_after_moving_up_sends_nothing_more(tap: sessionmaker) -> None:
    workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    cancel(tap, made[0], key(0))
    with tap() as session:
        trainer = session.execute(
            select(Provider.id).where(Provider.name == "Trainingsbureau Test")
        ).scalar_one()
        start = session.get(Workshop, workshop_id).starts_at
    for _report in range(2):  # the repeated report changes nothing either
        done = attempt(
            tap,
            signups.record_no_show,
            provider_id=trainer,
            code=made[2].signup.code,
            now=start + timedelta(minutes=30),
        )
        assert done.signup.status == "no_show"
    assert len(mails(tap)) == 1


def test_refusals_store_nothing(tap: sessionmaker) -> None:
    _workshop_id, made = full_session(tap)
    with tap() as session:
        audits = session.execute(select(func.count(AuditEntry.id))).scalar_one()
    assert leave_address(tap, made[2], "geen-adres") == signups.BAD_EMAIL
    assert leave_address(tap, made[2], "twee @example.org") == signups.BAD_EMAIL
    assert leave_address(tap, made[0]) == signups.NOT_WAITING  # a seat needs no mail
    assert stored(tap, made[2]) == (None, None) and stored(tap, made[0]) == (None, None)
    unknown = attempt(
        tap,
        signups.set_signup_email,
        token="x" * 43,
        email=ADDRESS,
        now=utcnow(),
        email_retention=RETENTION,
    )
    assert unknown == signups.SIGNUP_UNKNOWN
    with tap() as session:
        assert session.execute(select(func.count(AuditEntry.id))).scalar_one() == audits
    assert signups.signup_message(signups.BAD_EMAIL).startswith("Dit e-mailadres klopt niet")


def test_the_address_goes_when_the_place_stops_waiting(tap: sessionmaker) -> None:
    workshop_id, made = full_session(tap)
    # removed on the page
    leave_address(tap, made[2])
    assert not leave_address(tap, made[2], None).has_email
    assert stored(tap, made[2]) == (None, None)
    # a waiting place given up
    leave_address(tap, made[3])
    cancel(tap, made[3], key(3))
    assert stored(tap, made[3]) == (None, None)
    # moved to another waiting list: kept, deleted the same time after the new session
    single = session_id(tap, "Groningen", "presenteren")  # 1 place
    sign(tap, single, key(10))
    leave_address(tap, made[2])
    moved = attempt(
        tap,
        signups.move_signup,
        code=made[2].signup.code,
        employee_key=key(2),
        to_workshop_id=single,
        now=utcnow(),
        join_waiting_list=True,
    )
    assert moved.signup.waiting and moved.signup.has_email
    assert stored(tap, made[2]) == (ADDRESS, moved.signup.ends_at + RETENTION)
    # moved to a free seat: not needed any more
    roomy = session_id(tap, "Groningen", "talenten")
    seated = attempt(
        tap,
        signups.move_signup,
        code=made[2].signup.code,
        employee_key=key(2),
        to_workshop_id=roomy,
        now=utcnow(),
    )
    assert seated.signup.reserved and stored(tap, made[2]) == (None, None)
    assert mails(tap) == []
    # a waiting list whose session has started is released, address and all
    waiting = sign(tap, single, key(11), waiting=True)
    leave_address(tap, waiting)
    with tap() as session:
        start = session.get(Workshop, single).starts_at
        run_in_transaction(session, signups.release_past_waiting_lists, now=start)
    assert stored(tap, waiting) == (None, None)
    with tap() as session:
        assert session.get(Workshop, workshop_id).seats_taken == 2


def test_purge_deletes_addresses_and_mails_past_their_date(tap: sessionmaker) -> None:
    _workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    leave_address(tap, made[3], "nummer.drie@example.org")
    cancel(tap, made[0], key(0))  # number 2 moves up: one mail queued, with a delete date
    later = made[3].signup.ends_at + RETENTION + timedelta(minutes=1)
    with tap() as session:
        assert run_in_transaction(session, signups.purge_signup_emails, now=utcnow()) == 0
        assert run_in_transaction(session, signups.purge_signup_emails, now=later) == 1
        assert run_in_transaction(session, purge_emails, now=later).messages == 1
    assert stored(tap, made[3]) == (None, None) and mails(tap) == []


def test_the_database_keeps_addresses_on_waiting_places_only(tap: sessionmaker) -> None:
    _workshop_id, made = full_session(tap)
    deadline = utcnow() + RETENTION
    for signup_id, values in (
        (made[0].signup.signup_id, {"email": ADDRESS, "email_delete_after": deadline}),
        (made[2].signup.signup_id, {"email": ADDRESS, "email_delete_after": None}),
    ):
        with tap() as session:
            with pytest.raises(IntegrityError):
                session.execute(
                    update(WorkshopSignup).where(WorkshopSignup.id == signup_id).values(**values)
                )
                session.flush()
            session.rollback()
    with tap() as session:  # and a place with an address cannot move up by hand without it
        session.execute(
            update(WorkshopSignup)
            .where(WorkshopSignup.id == made[2].signup.signup_id)
            .values(email=ADDRESS, email_delete_after=deadline)
        )
        session.commit()
        with pytest.raises(IntegrityError):
            session.execute(
                text("UPDATE workshop_signups SET status = 'reserved' WHERE id = :id"),
                {"id": made[2].signup.signup_id},
            )
        session.rollback()


async def test_the_mail_arrives_at_the_smtp_server_once(
    tap: sessionmaker, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    cancel(tap, made[0], key(0))
    cancel(tap, made[1], key(1))  # a second move-up (number 3, no address)
    config = SmtpConfig(
        host="127.0.0.1", port=port, sender="koers@example.org", security="none", timeout_seconds=5
    )
    with tap() as session:
        report = await deliver_pending(session, config)
        assert (report.sent, report.failed) == (1, 0)
        again = await deliver_pending(session, config)
        assert (again.sent, again.failed) == (0, 0)
    [envelope] = box.messages
    assert envelope.rcpt_tos == [ADDRESS]
    message = message_from_bytes(envelope.content, policy=default_policy)
    assert str(message["Subject"]).strip().startswith("Er is een plek vrijgekomen")
    body = message.get_content()
    assert format_code(made[2].signup.code) in body and "afzeggen" in body
    assert [m.status for m in mails(tap)] == ["sent"]


# --- A seat given up before the mail went out -------------------------------------------


def smtp(port: int) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1", port=port, sender="koers@example.org", security="none", timeout_seconds=5
    )


def deliver(tap: sessionmaker, port: int, **kwargs: Any) -> Any:
    """One round of the outbox sender's own code, in its own session (and event loop)."""
    with tap() as session:
        return asyncio.run(deliver_pending(session, smtp(port), **kwargs))


def dropped(tap: sessionmaker, made: Any) -> list[dict[str, Any]]:
    """The audit entries of seat mails deleted unsent for this sign-up."""
    with tap() as session:
        return [
            json.loads(details)
            for details in session.execute(
                select(AuditEntry.details).where(
                    AuditEntry.action == "workshop_signup.seat_mail_dropped",
                    AuditEntry.entity_id == str(made.signup.signup_id),
                )
            ).scalars()
        ]


def received(box: Mailbox, address: str) -> int:
    return sum(envelope.rcpt_tos == [address] for envelope in box.messages)


def test_a_cancel_before_sending_deletes_the_mail_unsent(
    tap: sessionmaker, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    leave_address(tap, made[3], "nummer.drie@example.org")
    cancel(tap, made[0], key(0))  # number 2 moves up: a mail is queued
    assert [m.to_address for m in mails(tap)] == [ADDRESS]
    cancel(tap, made[2], key(2))  # ... and gives the seat up before it went out
    # number 2's mail is gone, address and all; number 3 moved up and gets theirs
    assert [m.to_address for m in mails(tap)] == ["nummer.drie@example.org"]
    assert dropped(tap, made[2]) == [{"messages": 1, "reason": "cancelled"}]
    assert deliver(tap, port).sent == 1
    assert received(box, ADDRESS) == 0 and received(box, "nummer.drie@example.org") == 1
    # number 3 cancels after the mail was sent: the copy with the address goes too, and
    # nothing counts as dropped (it was sent)
    cancel(tap, made[3], key(3))
    assert mails(tap) == [] and dropped(tap, made[3]) == []
    assert deliver(tap, port).sent == 0 and len(box.messages) == 1


def test_a_move_before_sending_deletes_the_mail_unsent(
    tap: sessionmaker, mailbox: tuple[Mailbox, int]
) -> None:
    box, port = mailbox
    _workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    cancel(tap, made[0], key(0))
    roomy = session_id(tap, "Groningen", "talenten")
    moved = attempt(
        tap,
        signups.move_signup,
        code=made[2].signup.code,
        employee_key=key(2),
        to_workshop_id=roomy,
        now=utcnow(),
    )
    assert moved.signup.reserved  # a seat elsewhere: the mail about the first one is wrong
    assert mails(tap) == []
    assert dropped(tap, made[2]) == [{"messages": 1, "reason": "moved"}]
    assert deliver(tap, port).sent == 0 and box.messages == []


def test_the_sender_skips_a_mail_whose_seat_is_gone(
    tap: sessionmaker, mailbox: tuple[Mailbox, int]
) -> None:
    """Whatever changed the sign-up without the cancel (a no-show report, a fix by hand) or
    a session that started while the mail waited: the sender deletes it instead of sending;
    other mail in the outbox goes out as before."""
    box, port = mailbox
    workshop_id, made = full_session(tap)
    leave_address(tap, made[2])
    leave_address(tap, made[3], "nummer.drie@example.org")
    cancel(tap, made[0], key(0))
    cancel(tap, made[1], key(1))  # both waiting ones moved up, two mails queued
    with tap() as session:  # number 3's sign-up cancelled by hand, past the ledger's code
        session.execute(
            text(
                "UPDATE workshop_signups SET status = 'cancelled', cancelled_at = :now, "
                "notice_pending = :no WHERE id = :id"
            ),
            {"now": utcnow(), "no": False, "id": made[3].signup.signup_id},
        )
        run_in_transaction(
            session,
            lambda s: outbox.enqueue(
                s, to_address="coach@example.org", mail=MailContent("Afspraak", "x"), now=utcnow()
            ),
        )
    report = deliver(tap, port)
    assert (report.sent, report.failed) == (2, 0)  # number 2's mail and the coach's
    assert received(box, ADDRESS) == 1 and received(box, "nummer.drie@example.org") == 0
    assert dropped(tap, made[3]) == [{"messages": 1, "reason": "no_seat"}]
    assert sorted(m.to_address for m in mails(tap)) == ["coach@example.org", ADDRESS]

    # a mail still waiting when the session starts (no SMTP until then) is not sent late
    more = {n: sign(tap, workshop_id, key(n), waiting=True) for n in (4, 5)}
    leave_address(tap, more[4], "nummer.vier@example.org")
    cancel(tap, made[2], key(2))  # number 4 moves up
    with tap() as session:
        start = session.get(Workshop, workshop_id).starts_at
    assert deliver(tap, port, clock=lambda: start).sent == 0
    assert received(box, "nummer.vier@example.org") == 0
    assert dropped(tap, more[4]) == [{"messages": 1, "reason": "no_seat"}]


def test_a_cancel_racing_the_sender_mails_or_drops_exactly_once(
    tap: sessionmaker, mailbox: tuple[Mailbox, int]
) -> None:
    """Each round the one who just moved up cancels while a sender delivers: their mail is
    either sent or deleted unsent, never both and never twice (whoever gets the row first),
    and the next one on the list, moved up by that cancel, still gets exactly one."""
    box, port = mailbox
    workshop_id = session_id(tap, "Limburg", "gesprek")  # 2 places
    rounds = 5
    made = {n: sign(tap, workshop_id, key(n), waiting=True) for n in range(rounds + 3)}
    address = {n: f"wacht.{n}@example.org" for n in made}
    for n in range(2, rounds + 3):
        leave_address(tap, made[n], address[n])
    cancel(tap, made[0], key(0))  # number 2 moves up, mail queued
    for n in range(2, rounds + 2):
        jobs = (lambda n=n: cancel(tap, made[n], key(n)), lambda: deliver(tap, port))
        results = run_together(2, lambda i, jobs=jobs: jobs[i](), workers=2)
        assert not any(isinstance(r, Exception) for r in results), results
        assert received(box, address[n]) + len(dropped(tap, made[n])) == 1, n
    deliver(tap, port)  # the last one moved up is still seated: their mail goes out once
    last = rounds + 2
    assert received(box, address[last]) == 1 and dropped(tap, made[last]) == []
    assert all(received(box, address[n]) <= 1 for n in made)
    # what is left are sent copies only: the last one's, and any a sender had already
    # claimed when its sign-up was cancelled (deleted with the other addresses at the purge)
    left = mails(tap)
    assert {m.status for m in left} == {"sent"}
    assert {m.to_address for m in left} <= {address[n] for n in made if received(box, address[n])}
