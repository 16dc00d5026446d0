"""A token-bucket rate limiter per key (pure, with an injectable clock).

Without Redis it is kept in memory per process: enough to stop a runaway client or a
key-guessing loop, but behind several web processes each one limits on its own. With
``KOERS_REDIS_HOST`` set (:meth:`RateLimiter.from_settings`) the buckets live in Redis
(:mod:`bot.shared_state`; keys are HMACs; a bucket expires a minute after it is full again),
so the limit holds for all processes together and survives a restart. While Redis is away
each process limits from its own memory again (the API keeps answering; the limit is briefly
per process).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from bot.config import Settings
from bot.shared_state import SharedState, hashed_key, key_secret, shared_state


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] | None = None,
        max_keys: int = 10_000,
        store: SharedState | None = None,
        secret: str = "",
    ) -> None:
        if per_minute < 1:
            raise ValueError("per_minute must be at least 1")
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        # the shared buckets need one clock for all processes: the wall clock
        self._clock = clock or (time.time if store is not None else time.monotonic)
        self._max_keys = max_keys
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._lock = threading.Lock()
        self._store = store
        self._secret = secret

    @classmethod
    def from_settings(cls, per_minute: int, settings: Settings) -> RateLimiter:
        """Shared in Redis when ``KOERS_REDIS_HOST`` is set, else this process's memory."""
        return cls(per_minute, store=shared_state(settings), secret=key_secret(settings))

    async def hit(self, key: str) -> float:
        """Takes one token for ``key``: 0.0 if allowed, else the seconds to wait."""
        now = self._clock()
        if self._store is not None:
            shared_key = hashed_key(self._secret, "rate", f"{self.capacity:g}", key)
            return await self._store.take_token(shared_key, self.capacity, self.rate, now)
        with self._lock:
            bucket = self._buckets.pop(key, None) or _Bucket(self.capacity, now)
            bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            self._buckets[key] = bucket
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate
