"""State that must outlive one Rasa instance: in Redis when configured, in memory otherwise.

What lives here (issue 19, "Shared state in Redis"): the widget's replay buffers, sequence
numbers and resend de-duplication (:mod:`bot.channels.widget.socket`), Teams redelivery
de-duplication (:mod:`bot.channels.teams.dispatch`), the provider API rate limit
(:mod:`bot.ledger.ratelimit`), the per-sender pending limit (:mod:`bot.channels.guards`),
the typed-code tries (:mod:`bot.ledger.tries`) and the dashboard's argon2 budget per minute
(:mod:`bot.web.routes.dashboard`). Each of them calls the few operations of
:class:`SharedState`; :func:`shared_state` picks the implementation from the settings:

* ``KOERS_REDIS_HOST`` unset (the embedded ``make run`` on SQLite): :class:`MemoryState`, this
  process only, bounded (LRU) — the behaviour Koers always had;
* ``KOERS_REDIS_HOST`` set (``make scale``, production; the same Redis as the lock store):
  :class:`RedisState` wrapped in :class:`FallbackState`.

Privacy: a key never holds a raw id. :func:`hashed_key` is ``prefix purpose ":" HMAC(secret,
parts)`` (secret: ``KOERS_PSEUDONYM_SECRET``, else ``KOERS_IDENTITY_SECRET``); every key has a
TTL and every list a maximum length, so Redis cannot grow without bound.

Every operation is a coroutine on ``redis.asyncio``: the callers run on Rasa's Sanic loop
(socket.io heartbeats, the Teams webhook) and the web app's aiohttp loop, which must never wait
on a socket. Each Redis call is bounded by :data:`OPERATION_TIMEOUT_SECONDS` on top of the
socket timeouts, so a Redis that accepts connections and then never answers costs one call at
most that long, while the loop keeps serving everything else.

Degraded mode (Redis briefly away): :class:`FallbackState` answers from this instance's memory
for :data:`RETRY_SECONDS` after a failed call, logs that once, and tries Redis again after
that. Nothing crashes and nothing waits longer than the short timeouts. Why memory and
not a refusal: in a deployment that uses Redis, Rasa's lock store is the same Redis, so while
it is away no turn runs at all — every message gets the Dutch "even niet beschikbaar" answer
from :func:`bot.channels.guards.guard_failures` and nothing reaches the action server or
the ledger. The memory fallback only has to keep the channels themselves answering; the
ledger's own database constraints (one voucher per employee per year, one active booking per
owner) stay the last word on exactly-once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import threading
import time
import uuid
import weakref
from abc import ABC, abstractmethod
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import Any

from bot.config import Settings, load_settings

logger = logging.getLogger(__name__)

#: After a failed Redis call, use memory for this long before trying Redis again.
RETRY_SECONDS = 5.0
#: Redis socket timeouts: a local Redis answers in well under a millisecond.
CONNECT_TIMEOUT_SECONDS = 0.25
SOCKET_TIMEOUT_SECONDS = 0.5
#: The bound on one whole Redis operation (connect, send, answer), whatever the driver does.
OPERATION_TIMEOUT_SECONDS = 1.0
DEFAULT_PREFIX = "koers:"


def hashed_key(secret: str, purpose: str, *parts: str) -> str:
    """``purpose:<hmac>``: a stable key for ``parts`` that does not reveal them."""
    message = "\x00".join((purpose, *parts)).encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:40]
    return f"{purpose}:{digest}"


class SharedState(ABC):
    """The few operations the channels need; every one sets a TTL (milliseconds precision).

    Coroutines: they are awaited on the event loop and never block it."""

    name: str = "abstract"

    @abstractmethod
    async def claim(self, key: str, value: str, ttl: float) -> str | None:
        """Store ``value`` if ``key`` is free: None when this call got it, else the holder."""

    @abstractmethod
    async def get(self, key: str) -> str | None: ...

    @abstractmethod
    async def put(self, key: str, value: str, ttl: float) -> None: ...

    @abstractmethod
    async def touch(self, key: str, ttl: float) -> None:
        """Extend ``key``'s TTL (a lease that is still held)."""

    @abstractmethod
    async def next_number(self, key: str, ttl: float) -> int:
        """1, 2, 3 … per key (the counter lives ``ttl`` after its last use)."""

    @abstractmethod
    async def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        """Append to a list that keeps only its last ``max_items``."""

    @abstractmethod
    async def items(self, key: str) -> list[str]: ...

    @abstractmethod
    async def acquire(self, key: str, limit: int, ttl: float) -> bool:
        """Count one more in progress unless ``limit`` are; the count expires ``ttl`` after
        its last successful acquire (so an instance that died gives its share back)."""

    @abstractmethod
    async def release(self, key: str) -> None: ...

    @abstractmethod
    async def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        """Token bucket: 0.0 if one token was taken, else the seconds until there is one."""

    @abstractmethod
    async def count_tries(self, keys: list[str], limit: int, window: float, now: float) -> bool:
        """Sliding window: one try counted for every key, unless one of them already has
        ``limit`` tries in the last ``window`` seconds (then False and nothing counted)."""


class MemoryState(SharedState):
    """This process only, at most ``max_keys`` keys (least recently used go first)."""

    name = "memory"

    def __init__(self, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self._data: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()  # one instance may serve two loops (tests, threads)

    def _live(self, key: str) -> Any:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] <= self._clock():
            del self._data[key]
            return None
        self._data.move_to_end(key)
        return item[0]

    def _set(self, key: str, value: Any, ttl: float) -> None:
        self._data[key] = (value, self._clock() + ttl)
        self._data.move_to_end(key)
        while len(self._data) > self._max_keys:
            self._data.popitem(last=False)

    async def claim(self, key: str, value: str, ttl: float) -> str | None:
        with self._lock:
            held = self._live(key)
            if held is not None:
                return str(held)
            self._set(key, value, ttl)
            return None

    async def get(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
            return None if value is None else str(value)

    async def put(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            self._set(key, value, ttl)

    async def touch(self, key: str, ttl: float) -> None:
        with self._lock:
            value = self._live(key)
            if value is not None:
                self._set(key, value, ttl)

    async def next_number(self, key: str, ttl: float) -> int:
        with self._lock:
            number = int(self._live(key) or 0) + 1
            self._set(key, number, ttl)
            return number

    async def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        with self._lock:
            kept = self._live(key)
            if not isinstance(kept, deque):
                kept = deque()
            kept.append(value)
            while len(kept) > max_items:
                kept.popleft()
            self._set(key, kept, ttl)

    async def items(self, key: str) -> list[str]:
        with self._lock:
            kept = self._live(key)
            return list(kept) if isinstance(kept, deque) else []

    async def acquire(self, key: str, limit: int, ttl: float) -> bool:
        with self._lock:
            count = int(self._live(key) or 0)
            if limit > 0 and count >= limit:
                return False
            self._set(key, count + 1, ttl)
            return True

    async def release(self, key: str) -> None:
        with self._lock:
            count = int(self._live(key) or 0) - 1
            if count > 0:
                self._data[key] = (count, self._data[key][1])
            else:
                self._data.pop(key, None)

    async def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        with self._lock:
            tokens, updated = self._live(key) or (capacity, now)
            tokens = min(capacity, tokens + max(0.0, now - updated) * per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / per_second
            self._set(key, (tokens, now), capacity / per_second + 60)
            return wait

    async def count_tries(self, keys: list[str], limit: int, window: float, now: float) -> bool:
        with self._lock:
            windows = []
            for key in keys:
                kept = self._live(key)
                tries = deque(t for t in kept if t > now - window) if kept else deque()
                windows.append(tries)
            allowed = all(len(tries) < limit for tries in windows)
            for key, tries in zip(keys, windows, strict=True):
                if allowed:
                    tries.append(now)
                self._set(key, tries, window)
            return allowed


_CLAIM = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])
"""
_NUMBER = """
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
"""
_PUSH = """
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
"""
_ACQUIRE = """
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > 0 and n >= tonumber(ARGV[1]) then return 0 end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
"""
_RELEASE = """
local n = redis.call('DECR', KEYS[1])
if n <= 0 then redis.call('DEL', KEYS[1]) end
return n
"""
_TOKEN = """
local capacity, rate, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens, updated = tonumber(state[1]) or capacity, tonumber(state[2]) or now
tokens = math.min(capacity, tokens + math.max(0, now - updated) * rate)
local wait = 0
if tokens >= 1 then tokens = tokens - 1 else wait = (1 - tokens) / rate end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity / rate + 60) * 1000))
return tostring(wait)
"""
_TRIES = """
local limit, window, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for _, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) >= limit then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[4])
  redis.call('PEXPIRE', key, math.ceil(window * 1000))
end
return 1
"""
_SCRIPTS = {
    "claim": _CLAIM,
    "number": _NUMBER,
    "push": _PUSH,
    "acquire": _ACQUIRE,
    "release": _RELEASE,
    "token": _TOKEN,
    "tries": _TRIES,
}


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisState(SharedState):
    """Redis (``redis.asyncio``), every key under ``prefix``; each operation is one atomic
    command or script, bounded by :data:`OPERATION_TIMEOUT_SECONDS`.

    An asyncio connection belongs to the loop that opened it, so there is one client per
    running loop (Rasa and the web app have one each; tests have many)."""

    name = "redis"

    def __init__(
        self,
        host: str,
        port: int = 6379,
        db: int = 0,
        prefix: str = DEFAULT_PREFIX,
        connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
        socket_timeout: float = SOCKET_TIMEOUT_SECONDS,
        operation_timeout: float = OPERATION_TIMEOUT_SECONDS,
    ) -> None:
        self.host, self.port, self.db = host, port, db
        self.prefix = prefix
        self.connect_timeout = connect_timeout
        self.socket_timeout = socket_timeout
        self.operation_timeout = operation_timeout
        self._per_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[Any, dict[str, Any]]
        ] = weakref.WeakKeyDictionary()

    @classmethod
    def connect(
        cls, host: str, port: int = 6379, db: int = 0, prefix: str = DEFAULT_PREFIX
    ) -> RedisState:
        """The state for this Redis (connections open lazily, on first use per loop)."""
        return cls(host, port, db, prefix)

    def _client(self) -> tuple[Any, dict[str, Any]]:
        loop = asyncio.get_running_loop()
        made = self._per_loop.get(loop)
        if made is None:
            import redis.asyncio

            client = redis.asyncio.Redis(
                host=self.host,
                port=self.port,
                db=self.db,
                decode_responses=True,
                socket_connect_timeout=self.connect_timeout,
                socket_timeout=self.socket_timeout,
            )
            scripts = {name: client.register_script(src) for name, src in _SCRIPTS.items()}
            made = self._per_loop[loop] = (client, scripts)
        return made

    async def _bounded(self, awaitable: Any) -> Any:
        return await asyncio.wait_for(awaitable, self.operation_timeout)

    async def _script(self, name: str, keys: list[str], args: list[Any]) -> Any:
        return await self._bounded(self._client()[1][name](keys=keys, args=args))

    async def aclose(self) -> None:
        """Close this loop's connections (tests; a server's loop closes them at its end)."""
        made = self._per_loop.pop(asyncio.get_running_loop(), None)
        if made is not None:
            await made[0].close(close_connection_pool=True)

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def claim(self, key: str, value: str, ttl: float) -> str | None:
        held = await self._script("claim", [self._k(key)], [value, _ms(ttl)])
        return None if held is None else str(held)

    async def get(self, key: str) -> str | None:
        value = await self._bounded(self._client()[0].get(self._k(key)))
        return None if value is None else str(value)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._bounded(self._client()[0].set(self._k(key), value, px=_ms(ttl)))

    async def touch(self, key: str, ttl: float) -> None:
        await self._bounded(self._client()[0].pexpire(self._k(key), _ms(ttl)))

    async def next_number(self, key: str, ttl: float) -> int:
        return int(await self._script("number", [self._k(key)], [_ms(ttl)]))

    async def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        await self._script("push", [self._k(key)], [value, max(1, max_items), _ms(ttl)])

    async def items(self, key: str) -> list[str]:
        found = await self._bounded(self._client()[0].lrange(self._k(key), 0, -1))
        return [str(v) for v in found]

    async def acquire(self, key: str, limit: int, ttl: float) -> bool:
        return bool(int(await self._script("acquire", [self._k(key)], [limit, _ms(ttl)])))

    async def release(self, key: str) -> None:
        await self._script("release", [self._k(key)], [])

    async def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        return float(await self._script("token", [self._k(key)], [capacity, per_second, now]))

    async def count_tries(self, keys: list[str], limit: int, window: float, now: float) -> bool:
        member = f"{now!r}:{uuid.uuid4().hex[:8]}"  # two tries in the same instant both count
        found = await self._script(
            "tries", [self._k(k) for k in keys], [limit, window, now, member]
        )
        return bool(int(found))


class FallbackState(SharedState):
    """Redis first; while it fails, this instance's memory (see the module docstring)."""

    def __init__(
        self,
        primary: SharedState,
        fallback: SharedState | None = None,
        retry_seconds: float = RETRY_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.fallback = fallback or MemoryState()
        self.retry_seconds = retry_seconds
        self._clock = clock
        self._down_until = 0.0

    @property
    def name(self) -> str:  # type: ignore[override]
        return f"{self.primary.name} (memory while it is away)"

    @property
    def degraded(self) -> bool:
        return self._clock() < self._down_until

    async def _call(self, operation: str, *args: Any) -> Any:
        if not self.degraded:
            try:
                return await getattr(self.primary, operation)(*args)
            except Exception as exc:  # redis.ConnectionError, TimeoutError, ...
                self._down_until = self._clock() + self.retry_seconds
                logger.warning(
                    "shared state (Redis) unreachable (%s): this instance uses its own memory "
                    "for %g s",
                    type(exc).__name__,
                    self.retry_seconds,
                )
        return await getattr(self.fallback, operation)(*args)

    async def claim(self, key: str, value: str, ttl: float) -> str | None:
        return await self._call("claim", key, value, ttl)

    async def get(self, key: str) -> str | None:
        return await self._call("get", key)

    async def put(self, key: str, value: str, ttl: float) -> None:
        await self._call("put", key, value, ttl)

    async def touch(self, key: str, ttl: float) -> None:
        await self._call("touch", key, ttl)

    async def next_number(self, key: str, ttl: float) -> int:
        return await self._call("next_number", key, ttl)

    async def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        await self._call("push", key, value, max_items, ttl)

    async def items(self, key: str) -> list[str]:
        return await self._call("items", key)

    async def acquire(self, key: str, limit: int, ttl: float) -> bool:
        return await self._call("acquire", key, limit, ttl)

    async def release(self, key: str) -> None:
        await self._call("release", key)

    async def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        return await self._call("take_token", key, capacity, per_second, now)

    async def count_tries(self, keys: list[str], limit: int, window: float, now: float) -> bool:
        return await self._call("count_tries", keys, limit, window, now)


def key_secret(settings: Settings) -> str:
    """The HMAC key of shared-state keys: the same in every process of a deployment."""
    return settings.pseudonym_secret or settings.identity_secret


def build_shared_state(settings: Settings) -> SharedState | None:
    """Redis (with memory fallback) when ``KOERS_REDIS_HOST`` is set, else None (memory)."""
    if not settings.redis_host:
        return None
    if not key_secret(settings):
        logger.warning(
            "shared state in Redis without KOERS_PSEUDONYM_SECRET: keys are "
            "hashed without a secret"
        )
    redis_state = RedisState.connect(settings.redis_host, settings.redis_port, settings.redis_db)
    return FallbackState(redis_state)


_shared: dict[tuple[str, int, int], SharedState | None] = {}


def shared_state(settings: Settings | None = None) -> SharedState | None:
    """The process's shared state for these settings (None: keep using plain memory)."""
    settings = settings or load_settings()
    where = (settings.redis_host, settings.redis_port, settings.redis_db)
    if where not in _shared:
        _shared[where] = build_shared_state(settings)
    return _shared[where]
