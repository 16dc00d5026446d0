"""PostgreSQL (tracker store) restarts in the middle of a conversation: no event is lost."""

from __future__ import annotations

import asyncio

from tests.conversation.conftest import Chat, pseudonym

from .conftest import FaultStack, assert_in_order_without_duplicates, user_texts


async def test_database_restart_mid_conversation_loses_nothing(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    sent = ["hoi", "ik wil de talentscan doen", "4"]
    for text in sent:
        await fault_chat.say(text)
    before = fault_stack.stored_events(fault_chat.sender)

    # Restart between two turns: pooled connections are dead afterwards.
    fault_stack.postgres.stop()
    fault_stack.postgres.start()
    assert "Vraag 3 van 14" in Chat.text_of(await fault_chat.say("3"))
    sent.append("3")

    # Down while a message arrives: the turn waits for the database and then completes.
    fault_stack.postgres.stop()
    pending = asyncio.create_task(fault_chat.say("5"))
    await asyncio.sleep(3)
    assert not pending.done()
    fault_stack.postgres.start()
    assert "Vraag 4 van 14" in Chat.text_of(await pending)
    sent.append("5")
    assert "Vraag 5 van 14" in Chat.text_of(await fault_chat.say("2"))
    sent.append("2")

    after = fault_stack.stored_events(fault_chat.sender)
    assert after[: len(before)] == before
    assert user_texts(after) == sent
    assert_in_order_without_duplicates(after)
    tracker = await fault_chat.session.get(
        f"{fault_stack.servers.rasa_url}/conversations/{pseudonym(fault_chat.sender)}/tracker"
        "?token=koers-test-token&include_events=ALL"
    )
    events = (await tracker.json())["events"]
    assert [e.get("text") for e in events if e["event"] == "user"] == sent
    assert len(events) == len(after)
    assert "Database reachable again" in fault_stack.servers.rasa_log.read_text(errors="replace")
