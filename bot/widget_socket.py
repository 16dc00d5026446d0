"""The chat widget's side of the socket.io channel: identity, limits, no lost or double messages.

:func:`install` replaces three handlers of Rasa's socket.io channel (``connect``,
``session_request`` and the user-message event); everything else stays Rasa's.

* ``connect``: the widget sends its token as ``auth: {token}``. A valid token's municipality
  and (pseudonymised) employee key are kept in the socket's session; no token is anonymous; a
  forged or expired token is refused with a Dutch message (``connect_error`` on the client),
  so nothing it sends reaches Rasa.
* ``session_request``: like Rasa's (joins the room of the conversation, answers
  ``session_confirm``), but a session that belongs to another identity is not handed out, and
  bot messages the client missed while its connection was down are sent again.
* user messages: the conversation id is the session of this socket (not whatever the message
  claims), identity metadata comes from the token only, malformed events are ignored,
  oversized messages get :data:`bot.widget_texts.TOO_LONG`, and a message the client sends
  again after a reconnect (same ``client_id``) is acknowledged but not handled twice.
  The acknowledgement (socket.io ack) is sent once the bot has answered.

Every bot message carries ``koers_seq`` (1, 2, 3 … per conversation) and ``koers_epoch``, so
the client can ask for what it missed (``koers_last_seq`` in ``session_request``) and drop
what it already has. The recent messages are kept in memory only (:class:`SessionBook`), for
an hour and at most 100 per conversation: one Rasa process, as Rasa's socket.io channel
already requires.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from bot import widget_texts
from bot.privacy.pseudonym import Pseudonymizer, get_pseudonymizer
from bot.widget_auth import (
    WidgetKeys,
    WidgetTokenError,
    employee_key,
    identity_metadata,
    verify_widget_token,
)

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SESSION_ID_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")
CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
ANONYMOUS = "anonymous"
REFUSALS = {
    "token_expired": widget_texts.TOKEN_EXPIRED,
    "token_invalid": widget_texts.TOKEN_INVALID,
}


@dataclass
class _Conversation:
    owner: str
    epoch: str = field(default_factory=lambda: secrets.token_hex(4))
    seq: int = 0
    sent: deque[dict[str, Any]] = field(default_factory=deque)
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    touched: float = 0.0


class SessionBook:
    """Per conversation: who owns it, its recent bot messages, and the client ids seen."""

    def __init__(
        self,
        max_conversations: int = 10_000,
        max_messages: int = 100,
        max_client_ids: int = 200,
        ttl_seconds: float = 3600,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._items: OrderedDict[str, _Conversation] = OrderedDict()
        self.max_conversations = max_conversations
        self.max_messages = max_messages
        self.max_client_ids = max_client_ids
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    def _expire(self) -> None:
        now = self.clock()
        while self._items:
            key, oldest = next(iter(self._items.items()))
            if now - oldest.touched <= self.ttl_seconds and len(self._items) <= (
                self.max_conversations
            ):
                break
            del self._items[key]

    def _get(self, session_id: str, owner: str) -> _Conversation:
        item = self._items.get(session_id)
        if item is None:
            item = self._items[session_id] = _Conversation(owner)
        item.touched = self.clock()
        self._items.move_to_end(session_id)
        self._expire()  # the oldest go first; this one is the newest
        return item

    def claim(self, session_id: str, owner: str) -> bool:
        """True if ``owner`` may use this conversation (it is new, or already theirs)."""
        item = self._items.get(session_id)
        if item is not None and item.owner != owner:
            return False
        self._get(session_id, owner)
        return True

    def epoch(self, session_id: str, owner: str) -> str:
        return self._get(session_id, owner).epoch

    def record(self, session_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """``message`` numbered, and kept for clients that reconnect."""
        item = self._items.get(session_id) or self._get(session_id, ANONYMOUS)
        item.seq += 1
        numbered = {**message, "koers_seq": item.seq, "koers_epoch": item.epoch}
        item.sent.append(numbered)
        while len(item.sent) > self.max_messages:
            item.sent.popleft()
        item.touched = self.clock()
        return numbered

    def missed(self, session_id: str, epoch: Any, last_seq: Any) -> list[dict[str, Any]]:
        """The kept messages after ``last_seq`` (all of them if the epoch is another)."""
        item = self._items.get(session_id)
        if item is None:
            return []
        if epoch != item.epoch or not isinstance(last_seq, int) or isinstance(last_seq, bool):
            last_seq = 0
        return [m for m in item.sent if m["koers_seq"] > last_seq]

    def first_time(self, session_id: str, client_id: str) -> bool:
        """True the first time this client message id arrives in this conversation."""
        item = self._items.get(session_id) or self._get(session_id, ANONYMOUS)
        if client_id in item.seen:
            return False
        item.seen[client_id] = None
        while len(item.seen) > self.max_client_ids:
            item.seen.popitem(last=False)
        return True


class NumberedSocketOutput(OutputChannel):
    """Rasa's socket.io output, with every message numbered and kept by the :class:`SessionBook`.

    Custom payloads (``custom`` in a response) go out as ``{"custom": {...}}``; Rasa's own
    socket.io output passes them as keyword arguments to ``emit`` and fails.
    """

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, event: str, book: SessionBook, room_of: str) -> None:
        self.sio = sio
        self.event = event
        self.book = book
        self.room_of = room_of

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.sio.emit(self.event, self.book.record(self.room_of, message), room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        for part in text.strip().split("\n\n"):
            await self._send(recipient_id, {"text": part})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        parts = text.strip().split("\n\n") or [text]
        for part in parts[:-1]:
            await self._send(recipient_id, {"text": part})
        replies = [
            {"content_type": "text", "title": b.get("title", ""), "payload": b.get("payload", "")}
            for b in buttons
        ]
        await self._send(recipient_id, {"text": parts[-1], "quick_replies": replies})

    async def send_quick_replies(
        self, recipient_id: str, text: str, quick_replies: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        await self.send_text_with_buttons(recipient_id, text, quick_replies, **kwargs)

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        await self._send(recipient_id, {"attachment": {"type": "image", "payload": {"src": image}}})

    async def send_attachment(self, recipient_id: str, attachment: Any, **kwargs: Any) -> None:
        await self._send(recipient_id, {"attachment": attachment})

    async def send_elements(self, recipient_id: str, elements: Any, **kwargs: Any) -> None:
        for element in elements:
            payload = {"template_type": "generic", "elements": element}
            await self._send(recipient_id, {"attachment": {"type": "template", "payload": payload}})

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        await self._send(recipient_id, {"custom": json_message})


def _owner(session: dict[str, Any]) -> str:
    return session.get("owner") or ANONYMOUS


def install(
    channel: Any,
    on_new_message: OnNewMessage,
    keys: WidgetKeys,
    max_message_chars: int,
    pseudonymizer: Pseudonymizer | None = None,
    book: SessionBook | None = None,
) -> SessionBook:
    """Replace the channel's connect, session and message handlers (see the module docstring).

    ``channel`` is a Rasa ``SocketIOInput`` whose ``blueprint`` has run (``channel.sio`` set);
    ``on_new_message`` must already pseudonymise the sender.
    """
    sio: AsyncServer = channel.sio
    namespace = channel.namespace
    persistent = bool(channel.session_persistence)
    book = book or SessionBook()

    def pseudonyms() -> Pseudonymizer:
        return pseudonymizer or get_pseudonymizer()

    async def connect(sid: str, environ: Any, auth: Any = None) -> bool:
        token = auth.get("token") if isinstance(auth, dict) else None
        identity = None
        if token not in (None, ""):
            try:
                identity = verify_widget_token(token, keys)
            except WidgetTokenError as exc:
                logger.info("widget token refused (%s)", exc.code)
                raise SocketRefused(REFUSALS[exc.code], {"code": exc.code}) from None
        session: dict[str, Any] = {"identity": identity}
        if identity is not None:
            session["owner"] = employee_key(identity, pseudonyms())
        await sio.save_session(sid, session, namespace=namespace)
        return True

    async def session_request(sid: str, data: Any = None, *_: Any) -> None:
        data = data if isinstance(data, dict) else {}
        session = await sio.get_session(sid, namespace=namespace)
        owner = _owner(session)
        asked = data.get("session_id") if persistent else sid
        if not (isinstance(asked, str) and SESSION_ID_RE.fullmatch(asked)):
            asked = None
        if asked is None or not book.claim(asked, owner):
            # new, malformed, or somebody else's conversation: start a fresh one
            asked = uuid.uuid4().hex
            book.claim(asked, owner)
        session_id = asked
        session["session_id"] = session_id
        await sio.save_session(sid, session, namespace=namespace)
        if persistent:
            await sio.enter_room(sid, session_id, namespace=namespace)
        epoch = book.epoch(session_id, owner)
        # the epoch first: the client sends its waiting messages on session_confirm
        await sio.emit(
            "koers_session", {"session_id": session_id, "epoch": epoch}, room=sid,
            namespace=namespace,
        )
        await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
        for missed in book.missed(session_id, data.get("koers_epoch"), data.get("koers_last_seq")):
            await sio.emit(channel.bot_message_evt, missed, room=sid, namespace=namespace)

    async def handle_message(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return {"ok": False, "error": "malformed"}
        session = await sio.get_session(sid, namespace=namespace)
        session_id = session.get("session_id")
        if session_id is None:
            return {"ok": False, "error": "no_session"}
        client_id = data.get("client_id")
        known_id = isinstance(client_id, str) and CLIENT_ID_RE.fullmatch(client_id)
        if known_id and not book.first_time(session_id, client_id):
            return {"ok": True, "duplicate": True}
        output = NumberedSocketOutput(sio, channel.bot_message_evt, book, session_id)
        text: str = data.get("message", "")
        if len(text) > max_message_chars:
            answer = widget_texts.TOO_LONG.format(max_chars=max_message_chars)
            await output.send_text_message(session_id, answer)
            return {"ok": False, "error": "too_long"}
        message = UserMessage(
            text,
            output,
            session_id,
            input_channel=channel.name(),
            metadata=identity_metadata(session.get("identity"), pseudonyms()),
        )
        await on_new_message(message)
        return {"ok": True}

    sio.on("connect", connect, namespace=namespace)
    sio.on("session_request", session_request, namespace=namespace)
    sio.on(channel.user_message_evt, handle_message, namespace=namespace)
    return book
