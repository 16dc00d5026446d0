"""The widget's socket.io channel (Rasa's ``/socket.io``) behind the widget token.

The token, limits, reconnects and replay are in :mod:`bot.channels.widget.socket`. With
``KOERS_CORS_ORIGINS`` set, a browser on any other origin cannot open a socket either (same
list as the HTTP CORS). It refuses to start without a usable ``KOERS_IDENTITY_SECRET``.
"""

from __future__ import annotations

from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint

from bot.channels import identity as ids
from bot.channels.guards import OnNewMessage, protected_handler, required_identity_secret
from bot.channels.widget.auth import widget_keys_from_settings
from bot.channels.widget.socket import install as install_widget_socket
from bot.config import load_settings


class KoersSocketIOInput(SocketIOInput):
    @classmethod
    def name(cls) -> str:
        return "socketio"

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        """Rasa's socket.io blueprint, with the widget's handlers in place of Rasa's.

        The handler is wrapped once (failure guard, pseudonymised sender); Rasa's own blueprint
        only creates the socket.io server and routes here: its message handler, the one user
        of ``on_new_message``, is replaced by :func:`install_widget_socket`.
        """
        settings = load_settings()  # token, limits, reconnects: bot/channels/widget/socket.py
        identity_secret = required_identity_secret(settings)
        handler = protected_handler(on_new_message, ids.CHANNEL_WIDGET)
        blueprint = super().blueprint(handler)  # Rasa's user-message handler: replaced below
        if settings.cors_origins:  # browsers of other sites cannot open a widget socket
            self.sio.eio.cors_allowed_origins = list(settings.cors_origins)
        install_widget_socket(
            self,
            handler,
            widget_keys_from_settings(settings),
            settings.widget_max_message_chars,
            identity_secret,
        )
        return blueprint
