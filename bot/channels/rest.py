"""The REST channel (a developer and test channel) that carries only verified identity.

It keeps the name and URL of Rasa's own channel: ``/webhooks/rest/webhook``. Replies still
reach the sender, because :func:`bot.privacy.channel.protect_incoming` wraps the output channel.

* Off (404 JSON) unless ``KOERS_REST_ENABLED=true``.
* Conversations are keyed ``rest:<sender>``, so a REST client that sends the id of a widget
  session or a Teams conversation never reaches theirs.
* It never takes identity from the client: every identity key and any ``municipality`` are
  dropped; the only way to prove who you are is metadata ``widget_token``, verified exactly
  like the widget's token.

It refuses to start without a usable ``KOERS_IDENTITY_SECRET``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels import identity as ids
from bot.channels.guards import (
    OnNewMessage,
    close_action_connections,
    protected_handler,
    required_identity_secret,
    rest_body_middleware,
)
from bot.channels.widget.auth import (
    METADATA_WIDGET_TOKEN,
    WidgetKeys,
    WidgetTokenError,
    client_metadata,
    identity_metadata,
    verify_widget_token,
    widget_keys_from_settings,
)
from bot.config import load_settings

logger = logging.getLogger(__name__)

REST_OFF = {
    "error": "rest_disabled",
    "detail": "The REST channel is off; set KOERS_REST_ENABLED=true (development only).",
}


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
        blueprint = super().blueprint(protected_handler(on_new_message, ids.CHANNEL_REST))
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
