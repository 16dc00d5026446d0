"""Mail after the fact (issue 19, item 2), against the real Rasa, action server and outbox
sender: a mail server that accepts the connection and then stalls cannot delay a booking or
a cancellation; the coach's mail arrives, once, when the server answers again."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
import sqlalchemy as sa

from bot.ledger import texts
from tests.conversation.conftest import Chat, KoersServers, running_servers
from tests.smtp_support import Mailbox, mailbox_env, running_mailbox

pytestmark = pytest.mark.server

SYMBOL = "[2-9A-HJKMNP-Z]"
BOOKING_CODE = re.compile(rf"\b{SYMBOL}{{5}}-{SYMBOL}{{5}}\b")
#: a turn of a few seconds at most; the old inline mail waited for the server (then Rasa's
#: 20 s action timeout dropped the booking code)
NORMAL_TURN_S = 5.0
STALL_LIMIT_S = 120.0


@pytest.fixture(scope="module")
def stalled() -> Iterator[tuple[Mailbox, int]]:
    """Accepts the connection and the message, then answers only once ``release`` is set."""
    with running_mailbox(Mailbox(stalled=True, stall_limit=STALL_LIMIT_S)) as running:
        yield running


@pytest.fixture(scope="module")
def mail_servers(
    tmp_path_factory: pytest.TempPathFactory, stalled: tuple[Mailbox, int]
) -> Iterator[KoersServers]:
    workdir = tmp_path_factory.mktemp("mail-after-booking")
    extra_env = {
        **mailbox_env(stalled[1]),
        # longer than the stall, so the first try succeeds (a timeout would mean a retry)
        "KOERS_SMTP_TIMEOUT_SECONDS": str(int(STALL_LIMIT_S) + 30),
    }
    with running_servers(
        workdir, f"sqlite:///{workdir / 'tracker.db'}", extra_env=extra_env
    ) as servers:
        yield servers


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=90)) as session:
        yield session


def outbox_statuses(servers: KoersServers) -> list[str]:
    engine = sa.create_engine(servers.env["KOERS_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT status FROM outbox ORDER BY id")).all()
            return [row[0] for row in rows]
    finally:
        engine.dispose()


async def wait_until(check: Any, servers: KoersServers, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, (outbox_statuses(servers), servers.logs()[-3000:])
        await asyncio.sleep(0.2)


async def timed(chat: Chat, text: str) -> tuple[str, float]:
    started = time.monotonic()
    reply = Chat.text_of(await chat.say(text))
    return reply, time.monotonic() - started


async def test_a_stalled_mail_server_delays_only_the_mail(
    mail_servers: KoersServers,
    http: aiohttp.ClientSession,
    stalled: tuple[Mailbox, int],
) -> None:
    box, _ = stalled
    chat = Chat(http, mail_servers)
    first = Chat.text_of(await chat.say("ik wil graag een gesprek met een loopbaancoach"))
    assert texts.ASK_REGION in first, first
    await chat.say("Gelderland")
    await chat.say("online")
    assert "1." in Chat.text_of(await chat.say("maakt niet uit"))
    assert "Zal ik" in Chat.text_of(await chat.say("1"))

    booked, took = await timed(chat, "ja")  # the booking commits in this turn
    assert texts.BOOKED in booked and took < NORMAL_TURN_S, (booked, took)
    details, took = await timed(chat, "nee")  # no e-mail address for the coach
    found = BOOKING_CODE.search(details)
    assert found and took < NORMAL_TURN_S, (details, took)

    # the sender has the coach's mail in hand, the server is stalling on it
    await wait_until(lambda: box.waiting == 1, mail_servers)
    assert box.messages == [] and outbox_statuses(mail_servers) == ["sending"]

    # cancelling is not held up either
    asked = Chat.text_of(await chat.say(f"ik wil mijn afspraak {found.group()} afzeggen"))
    assert "echt afzeggen" in asked, asked
    cancelled, took = await timed(chat, "ja")
    assert "afgezegd" in cancelled and took < NORMAL_TURN_S, (cancelled, took)
    assert outbox_statuses(mail_servers) == ["sending", "pending"]

    # the server answers again: both mails arrive, each once, in order
    box.release.set()
    await wait_until(lambda: outbox_statuses(mail_servers) == ["sent", "sent"], mail_servers)
    await asyncio.sleep(2)  # a duplicate would come within the next polls
    subjects = box.subjects()
    assert len(subjects) == 2, subjects
    assert subjects[0].startswith("Nieuwe afspraak via Koers")
    assert subjects[1].startswith("Afspraak geannuleerd")
    assert all(envelope.rcpt_tos == box.messages[0].rcpt_tos for envelope in box.messages)
