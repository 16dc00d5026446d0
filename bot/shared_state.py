"""State that must outlive one Rasa instance: in Redis when configured, in memory otherwise.

What lives here (issue 19, "Shared state in Redis"): the widget's replay buffers, sequence
numbers and resend de-duplication (:mod:`bot.channels.widget.socket`), Teams redelivery
de-duplication (:mod:`bot.channels.teams.dispatch`), the provider API rate limit
(:mod:`bot.ledger.ratelimit`) and the per-sender pending limit
(:mod:`bot.channels.guards`). Each of them calls the few operations of
:class:`SharedState`; :func:`shared_state` picks the implementation from the settings:

* ``KOERS_REDIS_HOST`` unset (the embedded ``make run`` on SQLite): :class:`MemoryState`, this
  process only, bounded (LRU) — the behaviour Koers always had;
* ``KOERS_REDIS_HOST`` set (``make scale``, production; the same Redis as the lock store):
  :class:`RedisState` wrapped in :class:`FallbackState`.

Privacy: a key never holds a raw id. :func:`hashed_key` is ``prefix purpose ":" HMAC(secret,
parts)`` (secret: ``KOERS_PSEUDONYM_SECRET``, else ``KOERS_IDENTITY_SECRET``); every key has a
TTL and every list a maximum length, so Redis cannot grow without bound.

Degraded mode (Redis briefly away): :class:`FallbackState` answers from this instance's memory
for :data:`RETRY_SECONDS` after a failed call, logs that once, and tries Redis again after
that. Nothing crashes and nothing waits longer than the short socket timeouts. Why memory and
not a refusal: in a deployment that uses Redis, Rasa's lock store is the same Redis, so while
it is away no turn runs at all — every message gets the Dutch "even niet beschikbaar" answer
from :func:`bot.channels.guards.guard_failures` and nothing reaches the action server or
the ledger. The memory fallback only has to keep the channels themselves answering; the
ledger's own database constraints (one voucher per employee per year, one active booking per
owner) stay the last word on exactly-once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
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
DEFAULT_PREFIX = "koers:"


def hashed_key(secret: str, purpose: str, *parts: str) -> str:
    """``purpose:<hmac>``: a stable key for ``parts`` that does not reveal them."""
    message = "\x00".join((purpose, *parts)).encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:40]
    return f"{purpose}:{digest}"


class SharedState(ABC):
    """The few operations the channels need; every one sets a TTL (milliseconds precision)."""

    name: str = "abstract"

    @abstractmethod
    def claim(self, key: str, value: str, ttl: float) -> str | None:
        """Store ``value`` if ``key`` is free: None when this call got it, else the holder."""

    @abstractmethod
    def get(self, key: str) -> str | None: ...

    @abstractmethod
    def put(self, key: str, value: str, ttl: float) -> None: ...

    @abstractmethod
    def touch(self, key: str, ttl: float) -> None:
        """Extend ``key``'s TTL (a lease that is still held)."""

    @abstractmethod
    def next_number(self, key: str, ttl: float) -> int:
        """1, 2, 3 … per key (the counter lives ``ttl`` after its last use)."""

    @abstractmethod
    def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        """Append to a list that keeps only its last ``max_items``."""

    @abstractmethod
    def items(self, key: str) -> list[str]: ...

    @abstractmethod
    def acquire(self, key: str, limit: int, ttl: float) -> bool:
        """Count one more in progress unless ``limit`` are; the count expires ``ttl`` after
        its last successful acquire (so an instance that died gives its share back)."""

    @abstractmethod
    def release(self, key: str) -> None: ...

    @abstractmethod
    def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        """Token bucket: 0.0 if one token was taken, else the seconds until there is one."""


class MemoryState(SharedState):
    """This process only, at most ``max_keys`` keys (least recently used go first)."""

    name = "memory"

    def __init__(self, max_keys: int = 50_000, clock: Callable[[], float] = time.monotonic):
        self._data: OrderedDict[str, tuple[Any, float]] = OrderedDict()
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()

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

    def claim(self, key: str, value: str, ttl: float) -> str | None:
        with self._lock:
            held = self._live(key)
            if held is not None:
                return str(held)
            self._set(key, value, ttl)
            return None

    def get(self, key: str) -> str | None:
        with self._lock:
            value = self._live(key)
            return None if value is None else str(value)

    def put(self, key: str, value: str, ttl: float) -> None:
        with self._lock:
            self._set(key, value, ttl)

    def touch(self, key: str, ttl: float) -> None:
        with self._lock:
            value = self._live(key)
            if value is not None:
                self._set(key, value, ttl)

    def next_number(self, key: str, ttl: float) -> int:
        with self._lock:
            number = int(self._live(key) or 0) + 1
            self._set(key, number, ttl)
            return number

    def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        with self._lock:
            kept = self._live(key)
            if not isinstance(kept, deque):
                kept = deque()
            kept.append(value)
            while len(kept) > max_items:
                kept.popleft()
            self._set(key, kept, ttl)

    def items(self, key: str) -> list[str]:
        with self._lock:
            kept = self._live(key)
            return list(kept) if isinstance(kept, deque) else []

    def acquire(self, key: str, limit: int, ttl: float) -> bool:
        with self._lock:
            count = int(self._live(key) or 0)
            if limit > 0 and count >= limit:
                return False
            self._set(key, count + 1, ttl)
            return True

    def release(self, key: str) -> None:
        with self._lock:
            count = int(self._live(key) or 0) - 1
            if count > 0:
                self._data[key] = (count, self._data[key][1])
            else:
                self._data.pop(key, None)

    def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
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


def _ms(ttl: float) -> int:
    return max(1, int(ttl * 1000))


class RedisState(SharedState):
    """Redis, every key under ``prefix``; each operation is one atomic command or script."""

    name = "redis"

    def __init__(self, client: Any, prefix: str = DEFAULT_PREFIX) -> None:
        self.client = client
        self.prefix = prefix
        self._claim = client.register_script(_CLAIM)
        self._number = client.register_script(_NUMBER)
        self._push = client.register_script(_PUSH)
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)
        self._token = client.register_script(_TOKEN)

    @classmethod
    def connect(cls, host: str, port: int = 6379, db: int = 0,
                prefix: str = DEFAULT_PREFIX) -> RedisState:  # fmt: skip
        import redis

        client = redis.Redis(
            host=host, port=port, db=db, decode_responses=True,
            socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
            socket_timeout=SOCKET_TIMEOUT_SECONDS,
        )  # fmt: skip
        return cls(client, prefix)

    def _k(self, key: str) -> str:
        return self.prefix + key

    def claim(self, key: str, value: str, ttl: float) -> str | None:
        held = self._claim(keys=[self._k(key)], args=[value, _ms(ttl)])
        return None if held is None else str(held)

    def get(self, key: str) -> str | None:
        value = self.client.get(self._k(key))
        return None if value is None else str(value)

    def put(self, key: str, value: str, ttl: float) -> None:
        self.client.set(self._k(key), value, px=_ms(ttl))

    def touch(self, key: str, ttl: float) -> None:
        self.client.pexpire(self._k(key), _ms(ttl))

    def next_number(self, key: str, ttl: float) -> int:
        return int(self._number(keys=[self._k(key)], args=[_ms(ttl)]))

    def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        self._push(keys=[self._k(key)], args=[value, max(1, max_items), _ms(ttl)])

    def items(self, key: str) -> list[str]:
        return [str(v) for v in self.client.lrange(self._k(key), 0, -1)]

    def acquire(self, key: str, limit: int, ttl: float) -> bool:
        return bool(int(self._acquire(keys=[self._k(key)], args=[limit, _ms(ttl)])))

    def release(self, key: str) -> None:
        self._release(keys=[self._k(key)])

    def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        return float(self._token(keys=[self._k(key)], args=[capacity, per_second, now]))


class FallbackState(SharedState):
    """Redis first; while it fails, this instance's memory (see the module docstring)."""

    def __init__(self, primary: SharedState, fallback: SharedState | None = None,
                 retry_seconds: float = RETRY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
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

    def _call(self, operation: str, *args: Any) -> Any:
        if not self.degraded:
            try:
                return getattr(self.primary, operation)(*args)
            except Exception as exc:  # redis.ConnectionError, TimeoutError, ...
                self._down_until = self._clock() + self.retry_seconds
                logger.warning(
                    "shared state (Redis) unreachable (%s): this instance uses its own memory "
                    "for %g s", type(exc).__name__, self.retry_seconds,
                )  # fmt: skip
        return getattr(self.fallback, operation)(*args)

    def claim(self, key: str, value: str, ttl: float) -> str | None:
        return self._call("claim", key, value, ttl)

    def get(self, key: str) -> str | None:
        return self._call("get", key)

    def put(self, key: str, value: str, ttl: float) -> None:
        self._call("put", key, value, ttl)

    def touch(self, key: str, ttl: float) -> None:
        self._call("touch", key, ttl)

    def next_number(self, key: str, ttl: float) -> int:
        return self._call("next_number", key, ttl)

    def push(self, key: str, value: str, max_items: int, ttl: float) -> None:
        self._call("push", key, value, max_items, ttl)

    def items(self, key: str) -> list[str]:
        return self._call("items", key)

    def acquire(self, key: str, limit: int, ttl: float) -> bool:
        return self._call("acquire", key, limit, ttl)

    def release(self, key: str) -> None:
        self._call("release", key)

    def take_token(self, key: str, capacity: float, per_second: float, now: float) -> float:
        return self._call("take_token", key, capacity, per_second, now)


def key_secret(settings: Settings) -> str:
    """The HMAC key of shared-state keys: the same in every process of a deployment."""
    return settings.pseudonym_secret or settings.identity_secret


def build_shared_state(settings: Settings) -> SharedState | None:
    """Redis (with memory fallback) when ``KOERS_REDIS_HOST`` is set, else None (memory)."""
    if not settings.redis_host:
        return None
    if not key_secret(settings):
        logger.warning("shared state in Redis without KOERS_PSEUDONYM_SECRET: keys are "
                       "hashed without a secret")  # fmt: skip
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
