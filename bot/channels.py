"""Rasa input channels that pseudonymise the sender before Rasa sees the message.

They keep the names (and so the URLs) of Rasa's own channels: REST on
``/webhooks/rest/webhook`` and socket.io on ``/socket.io``. Replies still reach the person,
because :func:`bot.privacy.channel.protect_incoming` wraps the output channel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.privacy.channel import protect_incoming

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


def _protected(on_new_message: OnNewMessage) -> OnNewMessage:
    async def handle(message: UserMessage) -> Any:
        return await on_new_message(protect_incoming(message))

    return handle


class KoersRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(_protected(on_new_message))


class KoersSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        return super().blueprint(_protected(on_new_message))
