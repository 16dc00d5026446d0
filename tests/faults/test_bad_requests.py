"""Malformed, huge and flooding requests: 4xx or a sensible answer, no crash, bounded memory."""

from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp

from bot.rasa_ext.texts import TOO_MANY_AT_ONCE
from tests.conversation.conftest import Chat

from .conftest import FaultStack, rasa_is_healthy, user_texts

MAX_RSS_GROWTH_MIB = 150


async def post_raw(session: aiohttp.ClientSession, url: str, body: bytes) -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    async with session.post(url, data=body, headers=headers) as response:
        return response.status, await response.text()


async def test_bad_bodies_get_4xx_and_the_server_stays_up(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    url, session = fault_stack.servers.webhook, fault_chat.session
    sender = f"test-{uuid.uuid4().hex}"
    cases = {
        b'{"sender": "x", "message": "hoi"': 400,  # malformed JSON
        b'{"sender": "x", "message": "h\xff\xfei"}': 400,  # invalid UTF-8
        b'["hoi"]': 400,  # not an object
        b'{"sender": "x", "message": 42}': 400,
        b'{"sender": "", "message": "hoi"}': 400,
        json.dumps({"sender": sender, "message": "a" * 1_048_576}).encode(): 413,  # 1 MB
    }
    for body, expected in cases.items():
        status, text = await post_raw(session, url, body)
        assert status == expected, (body[:60], status, text)
        assert "error" in json.loads(text)
    assert await rasa_is_healthy(session, fault_stack.servers)

    # Long but under the limit: the friendly "too long" answer, stored truncated.
    long_text = "ik wil iets vragen over mijn loopbaan " * 200
    status, text = await post_raw(
        session, url, json.dumps({"sender": sender, "message": long_text}).encode()
    )
    assert status == 200
    answer = Chat.text_of(json.loads(text))
    assert "lang" in answer, answer
    assert "anoniem" in Chat.text_of(await Chat(session, fault_stack.servers).say("hoi"))


async def test_hundred_rapid_messages_from_one_sender(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    await fault_chat.say("hoi")
    rss_before = fault_stack.rasa_rss_kib()
    messages = [("wat is EVC?", "hoi", "wat kost het?")[i % 3] for i in range(100)]
    replies = await asyncio.gather(*(fault_chat.say(text) for text in messages))
    texts = [Chat.text_of(r) for r in replies]
    refused = sum(1 for t in texts if t == TOO_MANY_AT_ONCE)
    answered = [t for t in texts if t != TOO_MANY_AT_ONCE]
    assert all(answered), "a message got no answer"
    assert answered and refused, (len(answered), refused)

    assert await rasa_is_healthy(fault_chat.session, fault_stack.servers)
    # every accepted message is stored once; refused ones are not stored
    stored = fault_stack.stored_events(fault_chat.sender)
    assert len(user_texts(stored)) == 1 + len(answered)
    assert "anoniem" in Chat.text_of(await fault_chat.say("hoi"))
    growth_mib = (fault_stack.rasa_rss_kib() - rss_before) / 1024
    print(
        f"Rasa RSS before {rss_before / 1024:.0f} MiB, growth {growth_mib:.1f} MiB, "
        f"{len(answered)} answered, {refused} refused"
    )
    assert growth_mib < MAX_RSS_GROWTH_MIB
