"""Edge guards for the input channels: bad requests get a 4xx, failed turns a Dutch answer.

* :func:`check_rest_body` rejects what Rasa's REST channel would turn into a 500 or a very slow
  turn: bodies over ``KOERS_MAX_REQUEST_BYTES`` (413), invalid UTF-8, malformed JSON or a body
  without a string ``message`` (400). Pure function: returns ``(status, reason)`` or ``None``.
* :func:`guard_failures` wraps the channel's ``on_new_message``: when a turn fails (lock store
  or database unreachable, ...), Rasa's REST channel would answer ``[]``. The employee gets
  :data:`~bot.rasa_ext.texts.SERVICE_UNAVAILABLE` instead and the log one clear line naming
  the part that is down. The next message is handled normally once the part is back.
  It also answers :data:`~bot.rasa_ext.texts.TOO_MANY_AT_ONCE` when one sender has more than
  ``KOERS_MAX_PENDING_PER_SENDER`` messages waiting: Rasa handles one message per conversation
  at a time and its lock expires after 60 s, so a flood would only queue up. With
  ``KOERS_REDIS_HOST`` set the count is shared by all instances (:mod:`bot.shared_state`, an
  HMAC of the sender as key); it expires :data:`PENDING_TTL_SECONDS` after the sender's last
  accepted message, so the share of an instance that died comes back by itself. While Redis
  is away each instance counts in its own memory (and the turn gets the Dutch answer anyway).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage

from bot.channels import identity as ids
from bot.config import Settings, load_settings
from bot.privacy.channel import protect_incoming
from bot.rasa_ext.patches.action_calls import close_pooled
from bot.rasa_ext.texts import SERVICE_UNAVAILABLE, TOO_MANY_AT_ONCE
from bot.shared_state import SharedState, hashed_key, key_secret, shared_state

logger = logging.getLogger(__name__)

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]
#: A shared pending count lives this long after its last accepted message (Rasa's lock: 60 s).
PENDING_TTL_SECONDS = 120.0
MAX_TEXT_CHARS = 4000  # longer texts are cut; still "too long" for the InputGuard (1,500)


def check_rest_body(body: bytes, max_bytes: int) -> tuple[int, str] | None:
    """Why a REST webhook body must be refused (HTTP status, reason), or None if it is fine."""
    if len(body) > max_bytes:
        return 413, f"request body larger than {max_bytes} bytes"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return 400, "request body is not valid UTF-8"
    try:
        data = json.loads(text)
    except ValueError:
        return 400, "request body is not valid JSON"
    if not isinstance(data, dict):
        return 400, "request body must be a JSON object"
    if not isinstance(data.get("message", ""), str):
        return 400, "message must be a string"
    sender = data.get("sender", "default")
    if not isinstance(sender, str | int) or isinstance(sender, bool) or not str(sender):
        return 400, "sender must be a non-empty string"
    if "metadata" in data and not isinstance(data["metadata"], dict | type(None)):
        return 400, "metadata must be a JSON object"
    return None


def clip_text(text: str | None) -> str | None:
    """Cut very long texts so NLU time stays bounded (the answer is 'too long' either way)."""
    if text is None or len(text) <= MAX_TEXT_CHARS:
        return text
    return text[:MAX_TEXT_CHARS]


def failing_part(exc: BaseException) -> str:
    """Which part of Koers a failed turn points at, for a log line an operator understands."""
    module = type(exc).__module__ or ""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        module = type(current).__module__ or ""
        if module.startswith("redis") or type(current).__name__ == "LockError":
            return "lock store (Redis) unreachable or lock not acquired"
        if module.startswith(("sqlalchemy", "psycopg2", "sqlite3")) or (
            type(current).__name__ == "DatabaseStalled"
        ):
            return "tracker database unreachable"
        current = current.__cause__ or current.__context__
    return "unexpected error"


class PendingLimiter:
    """Counts messages in progress per sender; refuses more than ``limit`` at once.

    In ``store`` (Redis: all instances together) when given, else in this process."""

    def __init__(self, limit: int, store: SharedState | None = None, secret: str = "") -> None:
        self.limit = limit
        self._pending: dict[str, int] = {}
        self._store = store
        self._secret = secret

    @classmethod
    def from_settings(cls) -> PendingLimiter:
        settings = load_settings()
        return cls(settings.max_pending_per_sender, shared_state(settings), key_secret(settings))

    def _shared_key(self, key: str) -> str:
        return hashed_key(self._secret, "pending", key)

    async def enter(self, key: str) -> bool:
        if self._store is not None:
            return await self._store.acquire(self._shared_key(key), self.limit, PENDING_TTL_SECONDS)
        if self.limit > 0 and self._pending.get(key, 0) >= self.limit:
            return False
        self._pending[key] = self._pending.get(key, 0) + 1
        return True

    async def leave(self, key: str) -> None:
        if self._store is not None:
            await self._store.release(self._shared_key(key))
            return
        left = self._pending.get(key, 0) - 1
        if left > 0:
            self._pending[key] = left
        else:
            self._pending.pop(key, None)

    def __len__(self) -> int:
        return len(self._pending)


async def _say(message: Any, text: str) -> None:
    output = getattr(message, "output_channel", None)
    if output is not None:
        with contextlib.suppress(Exception):
            await output.send_text_message(message.sender_id, text)


def guard_failures(
    on_new_message: OnNewMessage, limiter: PendingLimiter | None = None
) -> OnNewMessage:
    """``on_new_message`` that answers in Dutch instead of failing silently."""
    if limiter is None:
        limiter = PendingLimiter.from_settings()

    async def handle(message: Any) -> Any:
        message.text = clip_text(message.text)
        key = str(message.sender_id)
        if not await limiter.enter(key):
            logger.info("Refused a message: %d already waiting for this sender", limiter.limit)
            await _say(message, TOO_MANY_AT_ONCE)
            return None
        try:
            return await on_new_message(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.error(
                "Could not handle a message: %s (%s); sent the Dutch service-unavailable answer",
                failing_part(exc),
                type(exc).__name__,
            )
            await _say(message, SERVICE_UNAVAILABLE)
            return None
        finally:
            await limiter.leave(key)

    return handle


def rest_body_middleware(max_bytes: int) -> Callable[[Any], Awaitable[Any]]:
    """Sanic request middleware for the REST blueprint: 4xx for bodies :func:`check_rest_body`
    refuses, before Rasa parses them."""
    from sanic import response

    async def middleware(request: Any) -> Any:
        if request.method != "POST" or not request.path.endswith("/webhook"):
            return None
        problem = check_rest_body(request.body or b"", max_bytes)
        if problem is None:
            return None
        status, reason = problem
        logger.info("Refused a REST request: %s", reason)
        return response.json({"error": reason}, status=status)

    return middleware


# --- shared by the REST and the widget channel ------------------------------------------------


def required_identity_secret(settings: Settings) -> str:
    """``KOERS_IDENTITY_SECRET``, or a clear start-up error when it is missing or short."""
    ids.check_identity_secret(settings.identity_secret)
    return settings.identity_secret


async def close_action_connections(app: Any, _loop: Any) -> None:
    """Close the kept-alive connections to the action server when the server stops."""
    agent = getattr(app.ctx, "agent", None)
    await close_pooled(getattr(agent, "action_endpoint", None))


def protected_handler(on_new_message: OnNewMessage, channel: str) -> OnNewMessage:
    guarded = guard_failures(on_new_message)

    async def handle(message: UserMessage) -> Any:
        return await guarded(protect_incoming(message, channel))

    return handle
