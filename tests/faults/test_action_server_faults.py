"""Action server down or hanging: a polite Dutch answer, and the conversation goes on after."""

from __future__ import annotations

import time

from bot.rasa_ext.texts import ACTION_UNAVAILABLE
from tests.conversation.conftest import Chat
from tools.devservices import stop_process

from .conftest import ACTION_TIMEOUT_S, FaultStack, log_contains

SCAN_START = "ik wil de talentscan doen"
FIRST_QUESTION = "Vraag 1 van 14"


async def test_action_server_down_gives_dutch_answer_then_recovers(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    assert "anoniem" in Chat.text_of(await fault_chat.say("hoi"))
    stop_process(fault_stack.servers.action_process)
    try:
        replies = Chat.text_of(await fault_chat.say(SCAN_START))
        assert replies.count(ACTION_UNAVAILABLE) == 1, replies
        assert FIRST_QUESTION not in replies
    finally:
        fault_stack.restart_action_server()

    replies = Chat.text_of(await fault_chat.say(SCAN_START))
    assert FIRST_QUESTION in replies
    assert ACTION_UNAVAILABLE not in replies
    assert "Vraag 2 van 14" in Chat.text_of(await fault_chat.say("4"))
    assert "failed" in fault_stack.servers.rasa_log.read_text(errors="replace")


async def test_hanging_action_server_times_out_politely(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    await fault_chat.say("hoi")
    with fault_stack.action_server_paused():
        started = time.monotonic()
        replies = Chat.text_of(await fault_chat.say(SCAN_START))
        waited = time.monotonic() - started
    assert ACTION_UNAVAILABLE in replies
    # after the action timeout, not after Rasa's own 5 minutes
    assert ACTION_TIMEOUT_S - 0.5 <= waited <= ACTION_TIMEOUT_S + 20, waited
    replies = Chat.text_of(await fault_chat.say(SCAN_START))
    assert FIRST_QUESTION in replies


async def test_action_server_with_another_secret_refuses_and_says_so(
    fault_stack: FaultStack, fault_chat: Chat
) -> None:
    """A misconfigured secret is a refusal (401), a polite answer and a clear log line."""
    servers = fault_stack.servers
    await fault_chat.say("hoi")
    stop_process(servers.action_process)
    right = dict(servers.env)
    servers.env = {**right, "KOERS_ACTION_SECRET": "a-different-action-secret-0123456789abcdef"}
    try:
        fault_stack.restart_action_server()
        replies = Chat.text_of(await fault_chat.say(SCAN_START))
        assert replies.count(ACTION_UNAVAILABLE) == 1, replies
        assert FIRST_QUESTION not in replies
        assert log_contains(servers.rasa_log, "KOERS_ACTION_SECRET differs or is missing")
        assert log_contains(servers.action_log, "a wrong secret header")
    finally:
        stop_process(servers.action_process)
        servers.env = right
        fault_stack.restart_action_server()
    assert FIRST_QUESTION in Chat.text_of(await fault_chat.say(SCAN_START))
