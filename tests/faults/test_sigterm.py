"""SIGTERM while a message is being handled: the turn completes and nothing is lost."""

from __future__ import annotations

import asyncio
import signal

from tests.conversation.conftest import Chat, start_rasa_server

from .conftest import FaultStack, assert_in_order_without_duplicates, user_texts


async def test_sigterm_finishes_the_running_turn_and_restart_continues(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    servers = fault_stack.servers
    await fault_chat.say("hoi")
    # Make the next turn take a while: the action server answers only after we let it go.
    with fault_stack.action_server_paused():
        pending = asyncio.create_task(fault_chat.say("ik wil de talentscan doen"))
        await asyncio.sleep(1.0)
        servers.rasa_process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.5)
    replies = Chat.text_of(await pending)
    assert "Vraag 1 van 14" in replies
    exit_code = await asyncio.to_thread(servers.rasa_process.wait, 60)
    assert exit_code == 0, servers.rasa_log.read_text(errors="replace")[-3000:]

    stored = fault_stack.stored_events(fault_chat.sender)
    assert user_texts(stored) == ["hoi", "ik wil de talentscan doen"]
    assert any("Vraag 1 van 14" in (e.get("text") or "") for e in stored if e["event"] == "bot")

    servers.rasa_process = await asyncio.to_thread(
        start_rasa_server, servers.env, servers.rasa_port, servers.rasa_log, servers.endpoints
    )
    assert "Vraag 2 van 14" in Chat.text_of(await fault_chat.say("4"))
    stored = fault_stack.stored_events(fault_chat.sender)
    assert user_texts(stored) == ["hoi", "ik wil de talentscan doen", "4"]
    assert_in_order_without_duplicates(stored)
