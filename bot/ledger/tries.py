"""A limit on tries per key in a sliding window (e.g. 5 typed codes per conversation per hour).

:class:`~bot.ledger.ratelimit.RateLimiter` refills per minute, which is right for an API
client but lets a chat guess a code every twelve seconds forever. Here a key has at most
``limit`` tries in any ``window_seconds``. Keys are hashed before they are kept, so the
process holds no conversation ids. Kept in memory of the action server (one process in every
Koers deployment); with several action servers each one counts on its own.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable


class TryLimiter:
    def __init__(
        self,
        limit: int,
        window_seconds: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 50_000,
    ) -> None:
        if limit < 1 or window_seconds <= 0:
            raise ValueError("limit and window_seconds must be positive")
        self.limit = limit
        self.window = float(window_seconds)
        self._clock = clock
        self._max_keys = max_keys
        self._tries: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _key(raw: str) -> str:
        return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()

    def hit(self, *keys: str) -> bool:
        """Counts one try for every key; False (and nothing counted) when one is at its limit."""
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
        with self._lock:
            self._tries.clear()
