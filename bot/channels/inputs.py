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

from bot.config import load_settings
from bot.privacy.channel import protect_incoming
from bot.resilience import install as install_resilience
from bot.resilience.channel import guard_failures, rest_body_middleware
from bot.tuning import install as install_tuning
from bot.tuning.action_calls import close_pooled
from bot.widget_auth import untrusted_identity_dropped, widget_keys_from_settings
from bot.widget_socket import install as install_widget_socket

install_resilience()  # custom action calls: timeout + Dutch answer when the server is down
install_tuning()  # speed-ups for Rasa internals (bot/tuning)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


async def close_action_connections(app: Any, _loop: Any) -> None:
    """Close the kept-alive connections to the action server when the server stops."""
    agent = getattr(app.ctx, "agent", None)
    await close_pooled(getattr(agent, "action_endpoint", None))


def _protected(on_new_message: OnNewMessage) -> OnNewMessage:
    guarded = guard_failures(on_new_message)

    async def handle(message: UserMessage) -> Any:
        return await guarded(protect_incoming(message))

    return handle


class KoersRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handler = _protected(on_new_message)
        if not load_settings().rest_trust_identity_metadata:  # identity only from a token
            handler = untrusted_identity_dropped(handler)
        blueprint = super().blueprint(handler)
        blueprint.middleware("request")(rest_body_middleware(load_settings().max_request_bytes))
        blueprint.listener("after_server_stop")(close_action_connections)
        return blueprint


class KoersSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        blueprint = super().blueprint(_protected(on_new_message))
        settings = load_settings()  # widget token, limits, reconnects: bot/widget_socket.py
        install_widget_socket(
            self, _protected(on_new_message), widget_keys_from_settings(settings),
            settings.widget_max_message_chars,
        )
        return blueprint
