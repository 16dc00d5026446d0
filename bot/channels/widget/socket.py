"""The chat widget's side of the socket.io channel: identity, ownership, limits, no lost or
double messages.

:func:`install` replaces the handlers of Rasa's socket.io channel for ``connect``,
``disconnect``, ``session_request`` and the user-message event, and adds ``koers_token``;
everything else stays Rasa's.

* ``connect``: the widget sends ``auth: {token, browser}``. A valid token's municipality,
  employee subject and expiry are kept in the socket's session; no token is anonymous; a
  forged, expired or oversized token is refused with a Dutch message (``connect_error`` on the
  client), so nothing it sends reaches Rasa. ``browser`` is a random secret the widget keeps in
  localStorage: the owner of an anonymous conversation.
* ``session_request``: the server hands out the session id, signed: ``<random>.<HMAC(random,
  owner)>`` with ``KOERS_IDENTITY_SECRET``, where the owner is the employee key (token) or the
  browser secret (anonymous). A session id the client asks for is only kept when its signature
  holds for this socket's owner; one the server did not sign, or that belongs to another
  owner, gets a fresh session. Stateless: it holds across Rasa instances and restarts. Bot
  messages the client missed while its connection was down are sent again.
* user messages: the conversation id is the session of this socket (not whatever the message
  claims); the metadata is built here (municipality code + signed identity claim, see
  :mod:`bot.channels.identity`), never taken from the client; malformed events are ignored,
  oversized messages get :data:`bot.channels.widget.texts.TOO_LONG`, and a message the client sends
  again after a reconnect (same ``client_id``) is acknowledged but not handled twice.
* token expiry on the open socket: at the token's ``exp`` the identity drops (the conversation
  goes on, anonymously) and the server emits ``koers_token_expired``; the widget asks the page
  for a fresh token and hands it over with ``koers_token`` (``{token}``; the ack says
  ``{"ok": true}`` or why not). A token of another employee is refused there.

Every bot message carries ``koers_seq`` (1, 2, 3 … per conversation) and ``koers_epoch``, so
the client can ask for what it missed (``koers_last_seq`` in ``session_request``) and drop
what it already has. The recent messages are kept for an hour, at most 100 per conversation:

* without Redis (``make run``): in this process's memory (:class:`SessionBook`);
* with ``KOERS_REDIS_HOST`` (``make scale``, production): in Redis (:class:`SharedSessionBook`,
  :mod:`bot.shared_state`), so a widget that reconnects to another instance after a failover
  gets what it missed, and a message it sends again is handled once across instances. Keys are
  HMACs of the session id; the kept bot messages are encrypted (AES-GCM) with a key derived
  from the session id itself, which Redis never sees, so Redis alone reveals no text or code.
  A resent message that another instance is still handling waits (bounded) for that turn,
  then gets the replies recorded meanwhile; when that instance died its lease ends after
  :data:`LEASE_SECONDS` and the message is handled here. While Redis is away this instance
  keeps all of it in its own memory (the turn itself then gets the Dutch "even niet
  beschikbaar" answer, since the lock store is the same Redis).

Replies across instances need no socket.io message queue (python-socketio's
``AsyncRedisManager``): a turn runs on the instance that received the message, i.e. the one
holding that socket, and its replies go to that socket. When the socket moves while its turn
still runs elsewhere (a failover, a dropped connection re-routed), the widget still has the
message in its outbox (the ack comes only after the turn) and sends it again on the new
instance; that waits for the other instance's turn and hands over its replies from the shared
book. If the turn outlasts the wait (:data:`BUSY_WAIT_SECONDS`, below the widget's 30 s ack
timeout), the resend is acknowledged and this instance keeps following that turn for
:data:`FOLLOW_SECONDS`, then hands over its replies. A message queue would add nothing here
and take two things away: with Redis away it delivers nothing at all (not even the Dutch
"even niet beschikbaar"), and it passes pickled objects through Redis.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import re
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage
from socketio import AsyncServer
from socketio.exceptions import ConnectionRefusedError as SocketRefused

from bot.channels import identity as ids
from bot.channels.widget import texts as widget_texts
from bot.channels.widget.auth import (
    WidgetIdentity,
    WidgetKeys,
    WidgetTokenError,
    identity_metadata,
    verify_widget_token,
)
from bot.privacy.pseudonym import Pseudonymizer, get_pseudonymizer
from bot.shared_state import SharedState, hashed_key, shared_state

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
SESSION_ID_RE = re.compile(r"([0-9a-f]{32})\.([0-9a-f]{32})")
CLIENT_ID_RE = re.compile(r"[A-Za-z0-9_-]{1,64}")
BROWSER_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{22,128}")
SESSION_PURPOSE = b"koers-widget-session"
TOKEN_EXPIRED_EVENT = "koers_token_expired"
# a timer set for exactly ``exp`` may run just before it; a moment later it finds it passed
EXPIRY_MARGIN_SECONDS = 0.05
TOKEN_EVENT = "koers_token"
REFUSALS = {
    "token_expired": widget_texts.TOKEN_EXPIRED,
    "token_invalid": widget_texts.TOKEN_INVALID,
}
#: A turn's claim on a client message id lives this long unless its instance renews it.
LEASE_SECONDS = 15.0
#: How long a resent message waits for the turn another instance is still handling (below
#: the widget's 30 s acknowledgement timeout).
BUSY_WAIT_SECONDS = 25.0
#: After that ack, how long this instance keeps watching the other instance's slow turn, to
#: hand its replies to the socket here (bounded; a reconnect replays them as well).
FOLLOW_SECONDS = 120.0
DONE = "done"


def _session_mac(random_part: str, owner: str, secret: str) -> str:
    key = ids.check_identity_secret(secret)
    message = SESSION_PURPOSE + b"\x00" + random_part.encode() + b"\x00" + owner.encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def issue_session_id(owner: str, secret: str) -> str:
    """A fresh session id, signed for ``owner`` (only this server can make one)."""
    random_part = secrets.token_hex(16)
    return f"{random_part}.{_session_mac(random_part, owner, secret)}"


def session_owned_by(session_id: Any, owners: Sequence[str], secret: str) -> bool:
    """True if the server signed ``session_id`` for one of ``owners`` (stateless check)."""
    match = SESSION_ID_RE.fullmatch(session_id) if isinstance(session_id, str) else None
    if match is None:
        return False
    random_part, mac = match.groups()
    return any(
        hmac.compare_digest(mac, _session_mac(random_part, owner, secret)) for owner in owners
    )


def employee_owners(identity: WidgetIdentity, pseudonymizer: Pseudonymizer | None) -> list[str]:
    """Owners of an employee's sessions: the employee key now and before a key rotation."""
    return [f"employee:{key}" for key in ids.employee_keys(identity.subject, pseudonymizer).all()]


def browser_owner(auth: Any) -> str:
    """The owner of an anonymous session: the browser's secret, or this socket alone."""
    browser = auth.get("browser") if isinstance(auth, dict) else None
    if isinstance(browser, str) and BROWSER_SECRET_RE.fullmatch(browser):
        return f"browser:{browser}"
    return f"socket:{secrets.token_hex(16)}"  # no usable secret: nobody can come back to it


@dataclass
class _Conversation:
    epoch: str = field(default_factory=lambda: secrets.token_hex(4))
    seq: int = 0
    sent: deque[dict[str, Any]] = field(default_factory=deque)
    seen: OrderedDict[str, None] = field(default_factory=OrderedDict)
    touched: float = 0.0


class SessionBook:
    """Per conversation: its recent bot messages and the client ids seen (memory only; who
    owns a conversation is in its signed id, not here)."""

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

    def _get(self, session_id: str) -> _Conversation:
        item = self._items.get(session_id)
        if item is None:
            item = self._items[session_id] = _Conversation()
        item.touched = self.clock()
        self._items.move_to_end(session_id)
        self._expire()  # the oldest go first; this one is the newest
        return item

    async def known(self, session_id: str) -> bool:
        return session_id in self._items

    async def epoch(self, session_id: str) -> str:
        return self._get(session_id).epoch

    async def record(self, session_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """``message`` numbered, and kept for clients that reconnect."""
        item = self._get(session_id)
        item.seq += 1
        numbered = {**message, "koers_seq": item.seq, "koers_epoch": item.epoch}
        item.sent.append(numbered)
        while len(item.sent) > self.max_messages:
            item.sent.popleft()
        return numbered

    async def missed(self, session_id: str, epoch: Any, last_seq: Any) -> list[dict[str, Any]]:
        """The kept messages after ``last_seq`` (all of them if the epoch is another)."""
        item = self._items.get(session_id)
        if item is None:
            return []
        if epoch != item.epoch or not isinstance(last_seq, int) or isinstance(last_seq, bool):
            last_seq = 0
        return [m for m in item.sent if m["koers_seq"] > last_seq]

    async def first_time(self, session_id: str, client_id: str) -> bool:
        """True the first time this client message id arrives in this conversation."""
        item = self._get(session_id)
        if client_id in item.seen:
            return False
        item.seen[client_id] = None
        while len(item.seen) > self.max_client_ids:
            item.seen.popitem(last=False)
        return True

    async def last_seq(self, session_id: str) -> int:
        item = self._items.get(session_id)
        return 0 if item is None else item.seq

    async def begin(self, session_id: str, client_id: str) -> bool:
        """True if this message must be handled (one process: the first time it arrives)."""
        return await self.first_time(session_id, client_id)

    async def finish(self, session_id: str, client_id: str) -> None:
        """The turn of ``client_id`` is over (nothing to do in memory)."""

    async def handled(self, session_id: str, client_id: str) -> bool:
        """True: in one process the turn runs here and its replies reach the room anyway."""
        return True

    async def wait_handled(self, session_id: str, client_id: str, seconds: float) -> bool:
        return True


class SharedSessionBook:
    """:class:`SessionBook` in a :class:`~bot.shared_state.SharedState` (Redis): the same
    methods, shared by all Rasa instances (see the module docstring)."""

    def __init__(
        self,
        store: SharedState,
        secret: str,
        max_messages: int = 100,
        ttl_seconds: float = 3600,
        lease_seconds: float = LEASE_SECONDS,
        busy_wait_seconds: float = BUSY_WAIT_SECONDS,
    ) -> None:
        self.store = store
        self.secret = secret
        self.max_messages = max_messages
        self.ttl_seconds = ttl_seconds
        self.lease_seconds = lease_seconds
        self.busy_wait_seconds = busy_wait_seconds
        self._leases: dict[tuple[str, str], asyncio.Task[None]] = {}

    def _key(self, kind: str, session_id: str, *parts: str) -> str:
        return hashed_key(self.secret, f"widget-{kind}", session_id, *parts)

    def _cipher(self, session_id: str) -> Any:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        purpose = b"koers-widget-replay\x00" + session_id.encode()
        key = hmac.new(ids.check_identity_secret(self.secret), purpose, hashlib.sha256)
        return AESGCM(key.digest())

    async def known(self, session_id: str) -> bool:
        return await self.store.get(self._key("epoch", session_id)) is not None

    async def epoch(self, session_id: str) -> str:
        new = secrets.token_hex(4)
        held = await self.store.claim(self._key("epoch", session_id), new, self.ttl_seconds)
        return new if held is None else held

    async def last_seq(self, session_id: str) -> int:
        value = await self.store.get(self._key("seq", session_id))
        return int(value) if value and value.isdigit() else 0

    async def record(self, session_id: str, message: dict[str, Any]) -> dict[str, Any]:
        """``message`` numbered, and kept (encrypted) for clients that reconnect anywhere."""
        epoch = await self.epoch(session_id)
        await self.store.touch(self._key("epoch", session_id), self.ttl_seconds)
        seq = await self.store.next_number(self._key("seq", session_id), self.ttl_seconds)
        numbered = {**message, "koers_seq": seq, "koers_epoch": epoch}
        list_key = self._key("sent", session_id)
        nonce = secrets.token_bytes(12)
        sealed = self._cipher(session_id).encrypt(
            nonce, json.dumps(numbered).encode(), list_key.encode()
        )
        await self.store.push(
            list_key, base64.b64encode(nonce + sealed).decode(), self.max_messages, self.ttl_seconds
        )
        return numbered

    async def missed(self, session_id: str, epoch: Any, last_seq: Any) -> list[dict[str, Any]]:
        """The kept messages after ``last_seq`` (all of them if the epoch is another)."""
        current = await self.store.get(self._key("epoch", session_id))
        if current is None:
            return []
        if epoch != current or not isinstance(last_seq, int) or isinstance(last_seq, bool):
            last_seq = 0
        list_key = self._key("sent", session_id)
        cipher = self._cipher(session_id)
        found: list[dict[str, Any]] = []
        for raw in await self.store.items(list_key):
            try:
                blob = base64.b64decode(raw)
                message = json.loads(cipher.decrypt(blob[:12], blob[12:], list_key.encode()))
            except Exception:  # a damaged entry is skipped, never shown
                continue
            if message.get("koers_epoch") == current and message.get("koers_seq", 0) > last_seq:
                found.append(message)
        return sorted(found, key=lambda m: m["koers_seq"])

    async def first_time(self, session_id: str, client_id: str) -> bool:
        """True the first time this client message id arrives (in any instance)."""
        held = await self.store.claim(
            self._key("client", session_id, client_id), DONE, self.ttl_seconds
        )
        return held is None

    async def begin(self, session_id: str, client_id: str) -> bool:
        """True if this instance must handle the message: nobody had it, or the instance that
        had it stopped renewing its lease (it died). Waits while another instance handles it."""
        key = self._key("client", session_id, client_id)
        deadline = time.monotonic() + self.busy_wait_seconds
        while True:
            held = await self.store.claim(key, "lease:" + secrets.token_hex(4), self.lease_seconds)
            if held is None:
                self._leases[(session_id, client_id)] = asyncio.ensure_future(self._renew(key))
                return True
            if held == DONE or time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.25)

    async def _renew(self, key: str) -> None:
        while True:
            await asyncio.sleep(self.lease_seconds / 3)
            await self.store.touch(key, self.lease_seconds)

    async def finish(self, session_id: str, client_id: str) -> None:
        """The turn is over: a resend from now on is a duplicate (for an hour)."""
        lease = self._leases.pop((session_id, client_id), None)
        if lease is not None:
            lease.cancel()
        await self.store.put(self._key("client", session_id, client_id), DONE, self.ttl_seconds)

    async def handled(self, session_id: str, client_id: str) -> bool:
        """True when the turn of ``client_id`` is over (False: an instance still has it)."""
        held = await self.store.get(self._key("client", session_id, client_id))
        return held is None or held == DONE

    async def wait_handled(self, session_id: str, client_id: str, seconds: float) -> bool:
        """Wait (polling, bounded) until :meth:`handled`; False when ``seconds`` ran out."""
        deadline = time.monotonic() + seconds
        while not await self.handled(session_id, client_id):
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.5)
        return True


Book = SessionBook | SharedSessionBook


def session_book(identity_secret: str) -> Book:
    """The book for this deployment: shared in Redis when configured, else in memory."""
    store = shared_state()
    return SessionBook() if store is None else SharedSessionBook(store, identity_secret)


class NumberedSocketOutput(OutputChannel):
    """Rasa's socket.io output, with every message numbered and kept by the :class:`SessionBook`.

    Custom payloads (``custom`` in a response) go out as ``{"custom": {...}}``; Rasa's own
    socket.io output passes them as keyword arguments to ``emit`` and fails.
    """

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, event: str, book: Book, room_of: str) -> None:
        self.sio = sio
        self.event = event
        self.book = book
        self.room_of = room_of

    async def _send(self, recipient_id: str, message: dict[str, Any]) -> None:
        numbered = await self.book.record(self.room_of, message)
        await self.sio.emit(self.event, numbered, room=recipient_id)

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


def install(
    channel: Any,
    on_new_message: OnNewMessage,
    keys: WidgetKeys,
    max_message_chars: int,
    identity_secret: str,
    pseudonymizer: Pseudonymizer | None = None,
    book: Book | None = None,
    clock: Callable[[], float] = time.time,
) -> Book:
    """Replace the channel's handlers (see the module docstring).

    ``channel`` is a Rasa ``SocketIOInput`` whose ``blueprint`` has run (``channel.sio`` set);
    ``on_new_message`` must already compute the conversation key (channel ``widget``).
    """
    ids.check_identity_secret(identity_secret)  # refuse to start without it
    sio: AsyncServer = channel.sio
    namespace = channel.namespace
    persistent = bool(channel.session_persistence)
    book = book or session_book(identity_secret)
    timers: dict[str, asyncio.TimerHandle] = {}
    following: set[asyncio.Task[None]] = set()

    def pseudonyms() -> Pseudonymizer:
        return pseudonymizer or get_pseudonymizer()

    async def drop_expired(sid: str, session: dict[str, Any]) -> bool:
        """Drop an expired token's identity (the conversation goes on); True if it did."""
        identity = session.get("identity")
        if identity is None or identity.expires_at > clock():
            return False
        session["identity"] = None
        await sio.save_session(sid, session, namespace=namespace)
        logger.info("widget token expired on an open socket: identity dropped")
        await sio.emit(TOKEN_EXPIRED_EVENT, {}, room=sid, namespace=namespace)
        return True

    async def expire(sid: str) -> None:
        timers.pop(sid, None)
        try:
            session = await sio.get_session(sid, namespace=namespace)
        except KeyError:  # disconnected meanwhile
            return
        if not await drop_expired(sid, session) and sid not in timers:
            # asyncio may run a timer a little early, and the loop's monotonic clock and the
            # wall clock of ``exp`` drift apart: not expired yet, so wait again
            watch_expiry(sid, session.get("identity"))

    def watch_expiry(sid: str, identity: WidgetIdentity | None) -> None:
        old = timers.pop(sid, None)
        if old is not None:
            old.cancel()
        if identity is None:
            return
        delay = max(0.0, identity.expires_at - clock()) + EXPIRY_MARGIN_SECONDS
        loop = asyncio.get_running_loop()
        timers[sid] = loop.call_later(delay, start_expiry, sid)

    def start_expiry(sid: str) -> None:
        task = asyncio.ensure_future(expire(sid))
        following.add(task)  # the loop keeps only a weak reference to a task
        task.add_done_callback(following.discard)

    async def connect(sid: str, environ: Any, auth: Any = None) -> bool:
        token = auth.get("token") if isinstance(auth, dict) else None
        identity = None
        if token not in (None, ""):
            try:
                identity = verify_widget_token(token, keys, now=int(clock()))
            except WidgetTokenError as exc:
                logger.info("widget token refused (%s)", exc.code)
                raise SocketRefused(REFUSALS[exc.code], {"code": exc.code}) from None
        owners = employee_owners(identity, pseudonyms()) if identity else [browser_owner(auth)]
        await sio.save_session(sid, {"identity": identity, "owners": owners}, namespace=namespace)
        watch_expiry(sid, identity)
        return True

    async def disconnect(sid: str) -> None:
        watch_expiry(sid, None)

    async def session_request(sid: str, data: Any = None, *_: Any) -> None:
        data = data if isinstance(data, dict) else {}
        session = await sio.get_session(sid, namespace=namespace)
        owners: list[str] = session["owners"]
        asked = data.get("session_id") if persistent else None
        if session_owned_by(asked, owners, identity_secret):
            session_id = str(asked)
        else:  # new, unsigned, or somebody else's conversation: start a fresh one
            if asked not in (None, ""):
                logger.info("widget session id refused: not signed for this owner")
            session_id = issue_session_id(owners[0], identity_secret)
        session["session_id"] = session_id
        # what the replay below covers for sure: a resend's hand-over starts no later than this
        session["replayed_up_to"] = await book.last_seq(session_id)
        await sio.save_session(sid, session, namespace=namespace)
        if persistent:
            await sio.enter_room(sid, session_id, namespace=namespace)
        epoch = await book.epoch(session_id)
        # the epoch first: the client sends its waiting messages on session_confirm
        await sio.emit(
            "koers_session",
            {"session_id": session_id, "epoch": epoch},
            room=sid,
            namespace=namespace,
        )
        await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
        missed_before = await book.missed(
            session_id, data.get("koers_epoch"), data.get("koers_last_seq")
        )
        for missed in missed_before:
            await sio.emit(channel.bot_message_evt, missed, room=sid, namespace=namespace)

    async def new_token(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        token = data.get("token") if isinstance(data, dict) else None
        try:
            identity = verify_widget_token(token, keys, now=int(clock()))
        except WidgetTokenError as exc:
            logger.info("widget token refused on an open socket (%s)", exc.code)
            return {"ok": False, "error": exc.code}
        session = await sio.get_session(sid, namespace=namespace)
        if not set(employee_owners(identity, pseudonyms())) & set(session["owners"]):
            logger.info("widget token refused on an open socket (another owner)")
            return {"ok": False, "error": "other_identity"}
        session["identity"] = identity
        await sio.save_session(sid, session, namespace=namespace)
        watch_expiry(sid, identity)
        return {"ok": True, "expires_at": identity.expires_at}

    async def handle_message(sid: str, data: Any = None, *_: Any) -> dict[str, Any]:
        if not isinstance(data, dict) or not isinstance(data.get("message", ""), str):
            return {"ok": False, "error": "malformed"}
        session = await sio.get_session(sid, namespace=namespace)
        session_id = session.get("session_id")
        if session_id is None:
            return {"ok": False, "error": "no_session"}
        raw_client_id = data.get("client_id")
        client_id = raw_client_id if isinstance(raw_client_id, str) else None
        known_id = client_id is not None and CLIENT_ID_RE.fullmatch(client_id)
        if client_id is not None and known_id:
            seq_before = await book.last_seq(session_id)
            since = min(seq_before, session.get("replayed_up_to", seq_before))
            if not await book.begin(session_id, client_id):
                # handled already (maybe by another instance while we waited): hand over the
                # replies recorded meanwhile; the client drops those it has (koers_seq)
                await hand_over(sid, session_id, since)
                if not await book.handled(session_id, str(client_id)):
                    follow(sid, session_id, str(client_id), since)  # still slow elsewhere
                return {"ok": True, "duplicate": True}
        try:
            return await turn(sid, session, session_id, data)
        finally:
            if known_id:
                await book.finish(session_id, str(client_id))

    async def hand_over(sid: str, session_id: str, since: int) -> None:
        """The replies recorded after ``since`` to this socket (it drops those it has)."""
        epoch = await book.epoch(session_id)
        for missed in await book.missed(session_id, epoch, since):
            await sio.emit(channel.bot_message_evt, missed, room=sid, namespace=namespace)

    def follow(sid: str, session_id: str, client_id: str, since: int) -> None:
        """The turn runs on another instance and outlasted the wait: once it is over, hand its
        replies to this socket (the other instance emits only to its own sockets)."""

        async def watch() -> None:
            if await book.wait_handled(session_id, client_id, FOLLOW_SECONDS):
                await hand_over(sid, session_id, since)

        task = asyncio.ensure_future(watch())
        following.add(task)
        task.add_done_callback(following.discard)

    async def turn(
        sid: str, session: dict[str, Any], session_id: str, data: dict[str, Any]
    ) -> dict[str, Any]:
        output = NumberedSocketOutput(sio, channel.bot_message_evt, book, session_id)
        text: str = data.get("message", "")
        if len(text) > max_message_chars:
            answer = widget_texts.TOO_LONG.format(max_chars=max_message_chars)
            await output.send_text_message(session_id, answer)
            return {"ok": False, "error": "too_long"}
        await drop_expired(sid, session)
        message = UserMessage(
            text,
            output,
            session_id,
            input_channel=channel.name(),
            metadata=identity_metadata(
                session.get("identity"), ids.CHANNEL_WIDGET, identity_secret, pseudonyms()
            ),
        )
        await on_new_message(message)
        return {"ok": True}

    sio.on("connect", connect, namespace=namespace)
    sio.on("disconnect", disconnect, namespace=namespace)
    sio.on("session_request", session_request, namespace=namespace)
    sio.on(TOKEN_EVENT, new_token, namespace=namespace)
    sio.on(channel.user_message_evt, handle_message, namespace=namespace)
    return book
