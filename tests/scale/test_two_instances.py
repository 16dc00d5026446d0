"""Two Rasa instances share PostgreSQL and a Redis lock: nothing lost, doubled or reordered.

Messages of the same conversations go to instance 1, instance 2 and nginx in turn, and also to
both instances at the same moment. The stored events and the trackers read from both
instances must agree exactly; vouchers and bookings must be issued exactly once.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import sqlalchemy as sa

from bot.channels.identity import employee_keys
from bot.ledger import texts
from bot.privacy.pseudonym import build_pseudonymizer
from tests.conversation.conftest import (
    AUTH_TOKEN,
    TEST_PSEUDONYM_SECRET,
    Chat,
    identity_metadata,
    pseudonym,
)
from tools.scale import Deployment

SCRIPT = ["hoi", "ik wil de talentscan doen", "4", "3", "wat is EVC?", "5", "2", "stop"]
VOUCHER_READY = "Je voucher is klaar!"


def targets(dep: Deployment) -> list[str]:
    return [*dep.rasa_urls, dep.nginx_url]


async def say(
    http: aiohttp.ClientSession, base: str, sender: str, text: str, metadata: dict | None = None
) -> list[dict]:
    body: dict = {"sender": sender, "message": text}
    if metadata:
        body["metadata"] = metadata
    async with http.post(f"{base}/webhooks/rest/webhook", json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


def stored_events(dep: Deployment, sender: str) -> list[dict]:
    engine = sa.create_engine(dep.tracker_db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                {"s": pseudonym(sender)},
            ).all()
    finally:
        engine.dispose()
    return [json.loads(r[0]) for r in rows]


async def tracker_events(http: aiohttp.ClientSession, base: str, sender: str) -> list[dict]:
    """Rasa's tracker API by the stored conversation key (the REST channel's ``rest:<id>``)."""
    key = pseudonym(sender)
    url = f"{base}/conversations/{key}/tracker?token={AUTH_TOKEN}&include_events=ALL"
    async with http.get(url) as response:
        assert response.status == 200
        return (await response.json())["events"]


def comparable(events: list[dict]) -> list[tuple]:
    return [(e["event"], e.get("timestamp"), e.get("name"), e.get("text")) for e in events]


def user_texts(events: list[dict]) -> list[str]:
    return [e["text"] for e in events if e["event"] == "user"]


def assert_turns_not_interleaved(events: list[dict]) -> None:
    """Each user message is followed by its own actions, ending in action_listen."""
    users = [i for i, e in enumerate(events) if e["event"] == "user"]
    for start, end in zip(users, [*users[1:], len(events)], strict=True):
        turn = [e for e in events[start + 1 : end] if e["event"] == "action"]
        assert turn and turn[-1]["name"] == "action_listen", events[start:end]
        assert [e["name"] for e in turn].count("action_listen") == 1, events[start:end]


async def assert_consistent(dep: Deployment, http: aiohttp.ClientSession, sender: str) -> list:
    stored = stored_events(dep, sender)
    # Rasa stamps an action after the events it returned, so only user messages are in time
    # order; the stored (id) order must match the trackers of both instances exactly.
    stamps = [e["timestamp"] for e in stored if e["event"] == "user"]
    assert stamps == sorted(stamps)
    assert len({json.dumps(e, sort_keys=True) for e in stored}) == len(stored)
    views = [await tracker_events(http, base, sender) for base in targets(dep)]
    for view in views:
        assert comparable(view) == comparable(stored)
    assert_turns_not_interleaved(stored)
    return stored


async def test_interleaved_conversations_lose_nothing(
    deployment: Deployment, http: aiohttp.ClientSession
) -> None:
    senders = [f"scale-{uuid.uuid4().hex}" for _ in range(4)]
    bases = targets(deployment)

    async def converse(index: int, sender: str) -> None:
        for step, text in enumerate(SCRIPT):
            replies = await say(http, bases[(index + step) % len(bases)], sender, text)
            assert replies, (sender, text)

    await asyncio.gather(*(converse(i, s) for i, s in enumerate(senders)))
    for sender in senders:
        stored = await assert_consistent(deployment, http, sender)
        assert user_texts(stored) == SCRIPT


async def test_simultaneous_messages_of_one_conversation_are_serialised(
    deployment: Deployment, http: aiohttp.ClientSession
) -> None:
    sender = f"scale-{uuid.uuid4().hex}"
    first, second = deployment.rasa_urls
    sent: list[str] = []
    for round_ in range(6):
        pair = [f"wat is EVC? {round_}a", f"wat kost het? {round_}b"]
        replies = await asyncio.gather(
            say(http, first, sender, pair[0]), say(http, second, sender, pair[1])
        )
        assert all(replies)
        sent += pair
    stored = await assert_consistent(deployment, http, sender)
    assert sorted(user_texts(stored)) == sorted(sent)


async def test_voucher_exactly_once_across_instances(
    deployment: Deployment, http: aiohttp.ClientSession
) -> None:
    keys = [uuid.uuid4().hex for _ in range(4)]
    bases = targets(deployment)

    async def ask(key: str, base: str) -> str:
        metadata = identity_metadata("GM9901", key)
        sender = f"scale-{uuid.uuid4().hex}"
        return Chat.text_of(await say(http, base, sender, "ik wil een voucher aanvragen", metadata))

    answers = await asyncio.gather(*(ask(k, b) for k in keys for b in bases))
    engine = sa.create_engine(deployment.database_url)
    with engine.connect() as conn:
        for n, key in enumerate(keys):
            stored_key = employee_keys(key, build_pseudonymizer(TEST_PSEUDONYM_SECRET)).current
            rows = conn.execute(
                sa.text("SELECT count(*) FROM vouchers WHERE employee_key = :k"), {"k": stored_key}
            ).scalar()
            assert rows == 1, key
            mine = answers[n * len(bases) : (n + 1) * len(bases)]
            assert sum(VOUCHER_READY in a for a in mine) == 1, mine
            assert all("voucher" in a.lower() for a in mine), mine
    engine.dispose()


async def test_booking_exactly_once_across_instances(
    deployment: Deployment, http: aiohttp.ClientSession
) -> None:
    first, second = deployment.rasa_urls
    senders = [f"scale-{uuid.uuid4().hex}" for _ in range(2)]
    for sender, base in zip(senders, (first, second), strict=True):
        assert texts.ASK_REGION in Chat.text_of(
            await say(http, base, sender, "ik wil graag een gesprek met een loopbaancoach")
        )
        await say(http, base, sender, "Gelderland")
        await say(http, base, sender, "online")
        offers = Chat.text_of(await say(http, base, sender, "maakt niet uit"))
        assert "1." in offers, offers
    engine = sa.create_engine(deployment.database_url)
    with engine.connect() as conn:
        before = conn.execute(sa.text("SELECT count(*) FROM bookings")).scalar()
    for sender, base in zip(senders, (first, second), strict=True):
        assert "Zal ik" in Chat.text_of(await say(http, base, sender, "1"))
    # both confirm "1" at the same moment, through different instances
    answers = await asyncio.gather(
        say(http, second, senders[0], "ja"), say(http, first, senders[1], "ja")
    )
    booked = sum(texts.BOOKED in Chat.text_of(a) for a in answers)
    with engine.connect() as conn:
        after = conn.execute(sa.text("SELECT count(*) FROM bookings")).scalar()
        doubles = conn.execute(
            sa.text(
                "SELECT count(*) FROM (SELECT slot_id FROM bookings WHERE status = 'active' "
                "GROUP BY slot_id HAVING count(*) > 1) d"
            )
        ).scalar()
    engine.dispose()
    assert doubles == 0
    assert after - before == booked >= 1
    for sender in senders:
        await assert_consistent(deployment, http, sender)
