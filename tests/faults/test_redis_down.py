"""Redis (lock store) down: a clear error in the log, a Dutch answer, and recovery."""

from __future__ import annotations

from bot.rasa_ext.texts import SERVICE_UNAVAILABLE
from tests.conversation.conftest import Chat

from .conftest import FaultStack, log_contains, rasa_is_healthy


async def test_redis_down_then_back(fault_stack: FaultStack, fault_chat: Chat) -> None:
    assert "anoniem" in Chat.text_of(await fault_chat.say("hoi"))
    fault_stack.redis.stop()
    try:
        replies = Chat.text_of(await fault_chat.say("ik wil de talentscan doen"))
        assert replies == SERVICE_UNAVAILABLE
        assert log_contains(fault_stack.servers.rasa_log, "lock store (Redis) unreachable")
        assert await rasa_is_healthy(fault_chat.session, fault_stack.servers)
    finally:
        fault_stack.redis.start()

    replies = Chat.text_of(await fault_chat.say("ik wil de talentscan doen"))
    assert "Vraag 1 van 14" in replies
    assert "Vraag 2 van 14" in Chat.text_of(await fault_chat.say("4"))
