"""The e-mail page of a waiting-list place (``/signups/{token}/email``) through the real
aiohttp app, and the mail it leads to: from the page, through a cancellation that moves the
place up, to the real SMTP test server by the web app's own outbox job."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.ledger import signups
from bot.ledger.booking import purge_emails
from bot.ledger.models import WorkshopSignup
from bot.notify.models import OutboxMessage
from bot.web.app import init_app
from bot.web.html import PRIVATE_HEADERS
from bot.web.routes import bookings as booking_routes
from tests.ledger.support import BACKENDS, load
from tests.ledger.test_signups import key, session_id, sign, tap_data
from tests.smtp_support import Mailbox, running_mailbox

pytest_plugins = ["tests.ledger.support"]

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

ADDRESS = "wacht.even@example.org"


@pytest.fixture
def world(sessions: sessionmaker) -> dict[str, Any]:
    """Groningen "presenteren" (1 place): employee 0 has the seat, employee 1 waits."""
    load(sessions, tap_data())
    workshop_id = session_id(sessions, "Groningen", "presenteren")
    seat = sign(sessions, workshop_id, key(0))
    waiting = sign(sessions, workshop_id, key(1), waiting=True)
    assert seat.signup.reserved and waiting.signup.waiting
    return {"sessions": sessions, "seat": seat, "waiting": waiting}


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with running_mailbox(Mailbox()) as running:
        yield running


async def make_client(aiohttp_client: Any, database_url: str, **overrides: Any) -> Any:
    settings = dataclasses.replace(
        load_settings(),
        database_url=database_url,
        ledger_housekeeping_minutes=0,
        public_base_url="http://koers.test",
        **overrides,
    )
    return await aiohttp_client(init_app(settings))


def address_of(world: dict[str, Any], made: Any) -> str | None:
    with world["sessions"]() as session:
        return session.get(WorkshopSignup, made.signup.signup_id).email


async def test_the_page_stores_checks_and_removes_the_address(
    aiohttp_client: Any, database_url: str, world: dict[str, Any]
) -> None:
    client = await make_client(aiohttp_client, database_url)
    path = f"/signups/{world['waiting'].signup.ics_token}/email"

    page = await client.get(path)
    body = await page.text()
    assert page.status == 200 and 'name="email"' in body and 'name="consent"' in body
    assert "wachtlijst" in body and "één mail" in body
    for name, value in PRIVATE_HEADERS.items():
        assert page.headers[name] == value
    assert "form-action 'self'" in page.headers["Content-Security-Policy"]

    no_consent = await client.post(path, data={"email": ADDRESS, "action": "save"})
    assert no_consent.status == 400 and "vinkje" in await no_consent.text()
    bad = await client.post(path, data={"email": "geen-adres", "consent": "ja", "action": "save"})
    assert bad.status == 400 and "Dit e-mailadres klopt niet" in await bad.text()
    assert address_of(world, world["waiting"]) is None  # nothing stored on a refusal

    saved = await client.post(path, data={"email": ADDRESS, "consent": "ja", "action": "save"})
    assert saved.status == 200 and "Dank je" in await saved.text()
    assert address_of(world, world["waiting"]) == ADDRESS
    assert "al een e-mailadres" in await (await client.get(path)).text()

    removed = await client.post(path, data={"action": "remove"})
    assert removed.status == 200 and "gewist" in await removed.text()
    assert address_of(world, world["waiting"]) is None

    # a seat needs no mail; an unknown token is not found
    seat = await client.get(f"/signups/{world['seat'].signup.ics_token}/email")
    assert seat.status == 409 and "niet meer op de wachtlijst" in await seat.text()
    seat_post = await client.post(
        f"/signups/{world['seat'].signup.ics_token}/email",
        data={"email": ADDRESS, "consent": "ja", "action": "save"},
    )
    assert seat_post.status == 409 and address_of(world, world["seat"]) is None
    assert (await client.get("/signups/unknown/email")).status == 404


async def test_from_the_page_to_the_mailbox_once(
    aiohttp_client: Any,
    database_url: str,
    world: dict[str, Any],
    mailbox: tuple[Mailbox, int],
) -> None:
    box, port = mailbox
    client = await make_client(
        aiohttp_client,
        database_url,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_security="none",
        smtp_from="Koers <koers@example.org>",
    )
    path = f"/signups/{world['waiting'].signup.ics_token}/email"
    saved = await client.post(path, data={"email": ADDRESS, "consent": "ja", "action": "save"})
    assert saved.status == 200
    app = client.server.app
    await booking_routes._deliver_outbox(app)
    assert box.messages == []  # leaving the address sends nothing

    sessions = world["sessions"]
    with sessions() as session:
        result = run_in_transaction(
            session,
            signups.cancel_signup,
            code=world["seat"].signup.code,
            employee_key=key(0),
            now=utcnow(),
        )
    assert [view.code for view in result.promoted] == [world["waiting"].signup.code]
    for _round in range(2):  # the web app's outbox job, twice: one mail
        await booking_routes._deliver_outbox(app)
    assert [envelope.rcpt_tos for envelope in box.messages] == [[ADDRESS]]
    assert box.subjects()[0].strip().startswith("Er is een plek vrijgekomen")
    assert address_of(world, world["waiting"]) is None
    # the page of a place that moved up stores nothing any more
    late = await client.post(path, data={"email": ADDRESS, "consent": "ja", "action": "save"})
    assert late.status == 409 and address_of(world, world["waiting"]) is None

    # the mail's copy in the outbox goes at the same date as a booking's
    with sessions() as session:
        [message] = session.execute(select(OutboxMessage)).scalars()
        assert message.status == "sent"
        due = message.purge_after + timedelta(seconds=1)
    await booking_routes._purge_booking_emails(app)
    with sessions() as session:
        assert session.execute(select(OutboxMessage)).scalars().all() != []
        assert run_in_transaction(session, purge_emails, now=due).messages == 1
