"""Rasa input channels that key the conversation by channel and carry only verified identity.

They keep the names (and so the URLs) of Rasa's own channels: REST on
``/webhooks/rest/webhook`` and socket.io on ``/socket.io``. Replies still reach the person,
because :func:`bot.privacy.channel.protect_incoming` wraps the output channel.

* REST is a developer and test channel: off (404 JSON) unless ``KOERS_REST_ENABLED=true``.
  Its conversations are keyed ``rest:<sender>``, so a REST client that sends the id of a
  widget session or a Teams conversation never reaches theirs. It never takes identity from
  the client: every identity key and any ``municipality`` are dropped; the only way to prove
  who you are is metadata ``widget_token``, verified exactly like the widget's token.
* socket.io (the widget): see :mod:`bot.widget_socket`. With ``KOERS_CORS_ORIGINS`` set, a
  browser on any other origin cannot open a socket either (same list as the HTTP CORS).

Both refuse to start without a usable ``KOERS_IDENTITY_SECRET`` (it signs identity claims and
widget session ids).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import identity as ids
from bot.config import Settings, load_settings
from bot.privacy.channel import protect_incoming
from bot.resilience import install as install_resilience
from bot.resilience.channel import guard_failures, rest_body_middleware
from bot.tuning import install as install_tuning
from bot.tuning.action_calls import close_pooled
from bot.widget_auth import (
    METADATA_WIDGET_TOKEN,
    WidgetKeys,
    WidgetTokenError,
    client_metadata,
    identity_metadata,
    verify_widget_token,
    widget_keys_from_settings,
)
from bot.widget_socket import install as install_widget_socket

install_resilience()  # custom action calls: timeout + Dutch answer when the server is down
install_tuning()  # speed-ups for Rasa internals (bot/tuning)

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
REST_OFF = {"error": "rest_disabled",
            "detail": "The REST channel is off; set KOERS_REST_ENABLED=true (development only)."}


def required_identity_secret(settings: Settings) -> str:
    """``KOERS_IDENTITY_SECRET``, or a clear start-up error when it is missing or short."""
    ids.check_identity_secret(settings.identity_secret)
    return settings.identity_secret


async def close_action_connections(app: Any, _loop: Any) -> None:
    """Close the kept-alive connections to the action server when the server stops."""
    agent = getattr(app.ctx, "agent", None)
    await close_pooled(getattr(agent, "action_endpoint", None))


def _protected(on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
    guarded = guard_failures(on_new_message)

    async def handle(message: UserMessage) -> Any:
        return await guarded(protect_incoming(message, channel))

    return handle


def _body_metadata(request: Request) -> Any:
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:
        return None
    return body.get("metadata") if isinstance(body, dict) else None


class KoersRestInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_input_channel(self, req: Request) -> str:
        return self.name()  # never the client's choice

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        """The client's metadata without identity, plus the identity of a verified token."""
        metadata = client_metadata(_body_metadata(request))
        metadata.update(getattr(request.ctx, "koers_identity_metadata", {}))
        return metadata or None

    def _token_middleware(
        self, keys: WidgetKeys, identity_secret: str
    ) -> Callable[[Request], Awaitable[Any]]:
        async def middleware(request: Request) -> Any:
            if request.method != "POST" or not request.path.endswith("/webhook"):
                return None
            metadata = _body_metadata(request)
            token = metadata.get(METADATA_WIDGET_TOKEN) if isinstance(metadata, dict) else None
            if token is None:
                return None
            try:
                identity = verify_widget_token(token, keys)
            except WidgetTokenError as exc:
                logger.info("REST widget token refused (%s)", exc.code)
                return response.json({"error": exc.code}, status=401)
            request.ctx.koers_identity_metadata = identity_metadata(
                identity, ids.CHANNEL_REST, identity_secret
            )
            return None

        return middleware

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        settings = load_settings()
        identity_secret = required_identity_secret(settings)
        blueprint = super().blueprint(_protected(on_new_message, ids.CHANNEL_REST))
        if not settings.rest_enabled:

            async def off(request: Request) -> Any:
                return response.json(REST_OFF, status=404)

            blueprint.middleware("request")(off)
        blueprint.middleware("request")(rest_body_middleware(settings.max_request_bytes))
        blueprint.middleware("request")(
            self._token_middleware(widget_keys_from_settings(settings), identity_secret)
        )
        blueprint.listener("after_server_stop")(close_action_connections)
        return blueprint


class KoersSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        settings = load_settings()  # widget token, limits, reconnects: bot/widget_socket.py
        identity_secret = required_identity_secret(settings)
        handler = _protected(on_new_message, ids.CHANNEL_WIDGET)
        blueprint = super().blueprint(handler)
        if settings.cors_origins:  # browsers of other sites cannot open a widget socket
            self.sio.eio.cors_allowed_origins = list(settings.cors_origins)
        install_widget_socket(
            self, handler, widget_keys_from_settings(settings),
            settings.widget_max_message_chars, identity_secret,
        )
        return blueprint
