"""A limit on tries per key in a sliding window (e.g. 5 typed codes per conversation per hour).

:class:`~bot.ledger.ratelimit.RateLimiter` refills per minute, which is right for an API
client but lets a chat guess a code every twelve seconds forever. Here a key has at most
``limit`` tries in any ``window_seconds``. Keys are hashed before they are kept, so no
process and no Redis holds conversation ids.

Where the count lives (:meth:`TryLimiter.allow`): with ``shared=True`` and
``KOERS_REDIS_HOST`` set, in Redis (:mod:`bot.shared_state`, one sorted set per HMAC'd key,
expiring with the window), so several action servers, or one restarted, count together;
while Redis is away, and without Redis, in this process's memory (:meth:`TryLimiter.hit`).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from bot.config import load_settings
from bot.shared_state import SharedState, hashed_key, key_secret, shared_state


class TryLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
        store: SharedState | None = None,
        secret: str = "",
        shared: bool = False,
    ) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("limit and window_seconds must be positive")
        self.limit = limit
        self.window = float(window_seconds)
        self._clock = clock
        self._max_keys = max_keys
        self._tries: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._store = store
        self._secret = secret
        self._shared_from_settings = shared and store is None  # resolved at the first try

    @staticmethod
    def _key(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

    def _shared_store(self) -> SharedState | None:
        if self._shared_from_settings:
            settings = load_settings()
            self._store, self._secret = shared_state(settings), key_secret(settings)
            self._shared_from_settings = False
        return self._store

    async def allow(self, *keys: str) -> bool:
        """:meth:`hit` for all processes together when a shared store is configured."""
        store = self._shared_store()
        if store is None:
            return self.hit(*keys)
        shared_keys = [
            hashed_key(self._secret, "tries", f"{self.limit}/{self.window:g}", key) for key in keys
        ]
        return await store.count_tries(shared_keys, self.limit, self.window, time.time())

    def hit(self, *keys: str) -> bool:
        """Counts one try for every key; False (and nothing counted) when one is at its limit
        (this process's memory)."""
        now = self._clock()
        hashed = [self._key(key) for key in keys]
        with self._lock:
            windows = []
            for key in hashed:
                window = self._tries.pop(key, None) or deque()
                while window and window[0] <= now - self.window:
                    window.popleft()
                self._tries[key] = window
                windows.append(window)
            allowed = all(len(window) < self.limit for window in windows)
            if allowed:
                for window in windows:
                    window.append(now)
            while len(self._tries) > self._max_keys:
                self._tries.popitem(last=False)
            return allowed

    def clear(self) -> None:
        """Forget this process's tries (tests; the shared ones expire with their window)."""
        with self._lock:
            self._tries.clear()
