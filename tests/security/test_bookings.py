"""Attacks on the coach agenda (issue 14, item 6), against the real Rasa and action server.

One test per threat (docs/security.md: threat | defence | test). The servers of this module
send coach mail to a real local SMTP server (aiosmtpd), so "no mail was sent" is checked
where it would arrive. The anonymous limit is set low here; the spree test runs last and
gives the hour's anonymous quota back afterwards.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import sqlalchemy as sa

from bot.ledger import texts
from bot.ledger.booking import ANONYMOUS_QUOTA_KEY
from bot.ledger.codes import format_code, new_code
from tests.conversation.conftest import Chat, KoersServers, running_servers
from tests.smtp_support import Mailbox, mailbox_env, running_mailbox

pytestmark = pytest.mark.server

ANONYMOUS_PER_HOUR = 4
SYMBOL = "[2-9A-HJKMNP-Z]"
BOOKING_CODE = re.compile(rf"\b{SYMBOL}{{5}}-{SYMBOL}{{5}}\b")
UNKNOWN = texts.booking_problem("booking_unknown")


@pytest.fixture(scope="module")
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    """What the coaches receive."""
    with running_mailbox(Mailbox()) as running:
        yield running


@pytest.fixture(scope="module")
def booking_servers(
    tmp_path_factory: pytest.TempPathFactory, mailbox: tuple[Mailbox, int]
) -> Iterator[KoersServers]:
    workdir = tmp_path_factory.mktemp("booking-attacks")
    extra_env = {
        **mailbox_env(mailbox[1]),
        "KOERS_BOOKING_ANONYMOUS_PER_HOUR": str(ANONYMOUS_PER_HOUR),
        "KOERS_BOOKING_ANONYMOUS_ACTIVE_MAX": "100",
    }
    with running_servers(
        workdir, f"sqlite:///{workdir / 'tracker.db'}", extra_env=extra_env
    ) as servers:
        yield servers


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as session:
        yield session


def ledger_rows(servers: KoersServers, sql: str) -> list[tuple]:
    engine = sa.create_engine(servers.env["KOERS_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(sa.text(sql)).all()]
    finally:
        engine.dispose()


def count(servers: KoersServers, sql: str) -> int:
    return int(ledger_rows(servers, sql)[0][0])


async def delivered(servers: KoersServers, box: Mailbox, timeout: float = 30) -> int:
    """The coaches' mail once the outbox sender has sent everything queued so far (it sends
    after the booking, bot/notify/sender.py), so "no mail" cannot mean "not sent yet"."""
    waiting = "SELECT count(*) FROM outbox WHERE status IN ('pending', 'sending')"
    deadline = asyncio.get_running_loop().time() + timeout
    while count(servers, waiting):
        assert asyncio.get_running_loop().time() < deadline, "outbox not delivered"
        await asyncio.sleep(0.2)
    return len(box.messages)


async def up_to_the_times(chat: Chat) -> str:
    """Asks for a coach and answers until the free times are shown (or a refusal comes)."""
    first = Chat.text_of(await chat.say("ik wil graag een gesprek met een loopbaancoach"))
    if texts.ASK_REGION not in first:
        return first
    await chat.say("Gelderland")
    await chat.say("online")
    return Chat.text_of(await chat.say("maakt niet uit"))


async def book(chat: Chat) -> str:
    """The whole booking as a script would do it: times, "1", "ja", and no e-mail."""
    offers = await up_to_the_times(chat)
    if "1." not in offers:
        return offers
    asked = Chat.text_of(await chat.say("1"))
    if "Zal ik" not in asked:  # (the old behaviour booked right here)
        return asked
    booked = Chat.text_of(await chat.say("ja"))
    if texts.BOOKED in booked:
        booked += "\n" + Chat.text_of(await chat.say("nee"))
    return booked


async def test_a_booking_only_happens_after_ja(
    booking_servers: KoersServers, http: aiohttp.ClientSession, mailbox: tuple[Mailbox, int]
) -> None:
    chat = Chat(http, booking_servers)
    before = count(booking_servers, "SELECT count(*) FROM bookings")
    mails = await delivered(booking_servers, mailbox[0])
    assert "1." in await up_to_the_times(chat)
    asked = Chat.text_of(await chat.say("1"))
    assert "Zal ik" in asked and "voor je vastzetten?" in asked, asked
    assert texts.BOOKED not in asked
    assert count(booking_servers, "SELECT count(*) FROM bookings") == before
    assert await delivered(booking_servers, mailbox[0]) == mails
    back = Chat.text_of(await chat.say("nee"))
    assert texts.NOT_BOOKED in back and "Welke tijd wil je" in back, back
    assert count(booking_servers, "SELECT count(*) FROM bookings") == before
    assert Chat.text_of(await chat.say("2")).count("Zal ik") == 1
    assert texts.BOOKED in Chat.text_of(await chat.say("ja"))
    assert count(booking_servers, "SELECT count(*) FROM bookings") == before + 1
    assert await delivered(booking_servers, mailbox[0]) == mails + 1


async def test_a_second_booking_in_one_conversation_is_refused_politely(
    booking_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    chat = Chat(http, booking_servers)
    assert texts.BOOKED in await book(chat)
    before = count(booking_servers, "SELECT count(*) FROM bookings")
    again = await book(chat)
    assert "Je hebt al een afspraak met" in again and "één afspraak tegelijk" in again, again
    assert texts.BOOKED not in again
    assert count(booking_servers, "SELECT count(*) FROM bookings") == before


async def test_a_stranger_with_a_booking_code_cannot_cancel_or_reschedule(
    booking_servers: KoersServers, http: aiohttp.ClientSession, mailbox: tuple[Mailbox, int]
) -> None:
    victim = Chat(http, booking_servers)
    booked = await book(victim)
    found = BOOKING_CODE.search(booked)
    assert texts.BOOKED in booked and found, booked
    code = found.group()
    state = "SELECT status, slot_id, sequence, updated_at FROM bookings ORDER BY id"
    before = ledger_rows(booking_servers, state)
    mails = await delivered(booking_servers, mailbox[0])

    # A code that exists nowhere, to compare the answers with.
    nobody = format_code(new_code("booking"))
    unknown = Chat.text_of(
        await Chat(http, booking_servers).say(f"ik wil mijn afspraak {nobody} afzeggen")
    )
    assert UNKNOWN in unknown, unknown

    canceller = Chat(http, booking_servers)
    said = Chat.text_of(await canceller.say(f"ik wil mijn afspraak {code} afzeggen"))
    assert said == unknown, said  # the same neutral answer: nothing to learn from it
    said += Chat.text_of(await canceller.say("ja"))
    await canceller.say("stop")
    mover = Chat(http, booking_servers)
    moved = Chat.text_of(await mover.say(f"kan ik afspraak {code} verzetten"))
    assert UNKNOWN in moved and "Je afspraak is met" not in moved, moved
    for answer in ("maakt niet uit", "1", "ja", "stop"):
        moved += Chat.text_of(await mover.say(answer))
    assert "afgezegd" not in said and "Je afspraak is verzet" not in moved, said + moved
    assert ledger_rows(booking_servers, state) == before
    assert await delivered(booking_servers, mailbox[0]) == mails  # no coach mail

    # The conversation that made it can still cancel it (and the coach hears of it).
    said = Chat.text_of(await victim.say(f"ik wil mijn afspraak {code} afzeggen"))
    assert "echt afzeggen" in said, said
    assert "afgezegd" in Chat.text_of(await victim.say("ja"))
    assert await delivered(booking_servers, mailbox[0]) == mails + 1


async def test_an_anonymous_booking_spree_stops_at_the_limit(
    booking_servers: KoersServers, http: aiohttp.ClientSession, mailbox: tuple[Mailbox, int]
) -> None:
    """A script books from many fresh conversations of one client (last test: see top)."""
    mails = await delivered(booking_servers, mailbox[0])
    anonymous_made = (
        "SELECT count(*) FROM bookings WHERE owner_employee IS NULL "
        "AND owner_conversation IS NOT NULL"
    )
    before = count(booking_servers, anonymous_made)
    try:
        results = [await book(Chat(http, booking_servers)) for _ in range(ANONYMOUS_PER_HOUR + 4)]
        booked = [r for r in results if texts.BOOKED in r]
        refused = [r for r in results if "erg druk met afspraken zonder inloggen" in r]
        assert before + len(booked) <= ANONYMOUS_PER_HOUR, results
        assert len(refused) == len(results) - len(booked) >= 4, results
        assert count(booking_servers, anonymous_made) == before + len(booked)
        # no mail flood either
        assert await delivered(booking_servers, mailbox[0]) == mails + len(booked)
    finally:
        engine = sa.create_engine(booking_servers.env["KOERS_DATABASE_URL"])
        with engine.begin() as connection:
            connection.execute(
                sa.text("DELETE FROM booking_quota WHERE key = :key"), {"key": ANONYMOUS_QUOTA_KEY}
            )
        engine.dispose()
