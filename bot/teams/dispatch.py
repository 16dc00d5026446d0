"""Work after the webhook has answered: one conversation at a time, in arrival order.

The Bot Framework waits at most 15 seconds for the webhook and then sends the activity again.
Rasa plus a slow connector (retries, ``Retry-After``) can take longer, so the channel answers at
once and handles the activity in the background. :class:`OrderedDispatcher` keeps the order per
conversation (replies never overtake each other); :class:`RecentIds` drops an activity the Bot
Framework delivers a second time, so nothing is answered twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

logger = logging.getLogger(__name__)

Job = Callable[[], Awaitable[object]]


class OrderedDispatcher:
    """Runs jobs in the background; jobs with the same key run one after the other."""

    def __init__(self) -> None:
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def pending(self) -> int:
        return len(self._tasks)

    def submit(self, key: str, job: Job) -> None:
        previous = self._tails.get(key)

        async def run() -> None:
            if previous is not None:
                await asyncio.wait([previous])
            try:
                await job()
            except Exception as exc:  # one bad turn must not stop the conversation's queue
                logger.error("Teams activity not handled: %s", type(exc).__name__)
            finally:
                if self._tails.get(key) is task:
                    del self._tails[key]

        task = asyncio.get_running_loop().create_task(run())
        self._tails[key] = task
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self, timeout: float) -> None:
        """Wait (bounded) for the jobs still running, e.g. before the server stops."""
        if self._tasks:
            await asyncio.wait(set(self._tasks), timeout=timeout)


class RecentIds:
    """Ids seen in the last ``ttl_seconds`` (at most ``size`` of them), in memory."""

    def __init__(
        self, size: int = 4096, ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._size = size
        self._ttl = ttl_seconds
        self._clock = clock

    def seen_before(self, key: str) -> bool:
        """True when ``key`` was seen recently; otherwise remembers it and returns False."""
        now = self._clock()
        while self._seen:
            oldest, at = next(iter(self._seen.items()))
            if now - at <= self._ttl and len(self._seen) < self._size:
                break
            del self._seen[oldest]
        if key in self._seen:
            return True
        self._seen[key] = now
        return False
