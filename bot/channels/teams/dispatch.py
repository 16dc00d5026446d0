"""Work after the webhook has answered: one conversation at a time, in arrival order.

The Bot Framework waits at most 15 seconds for the webhook and then sends the activity again.
Rasa plus a slow connector (retries, ``Retry-After``) can take longer, so the channel answers at
once and handles the activity in the background. :class:`OrderedDispatcher` keeps the order per
conversation (replies never overtake each other); :class:`RecentIds` drops an activity the Bot
Framework delivers a second time, so nothing is answered twice.

Several Rasa instances (``make scale``, production): with ``KOERS_REDIS_HOST`` set,
:class:`RecentIds` keeps the seen activity ids in Redis (:mod:`bot.shared_state`, keyed by an
HMAC of conversation and activity id, one hour), so a redelivery that lands on the other
instance is dropped too. Order across instances comes from Rasa's Redis lock store: one turn
per conversation at a time, in the order of its tickets, and the replies are sent inside the
turn; within one instance the dispatcher keeps arrival order. While Redis is away the ids are
kept in this instance's memory (the turn itself then gets the Dutch "even niet beschikbaar"
answer, as the lock store is the same Redis).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from bot.config import load_settings
from bot.shared_state import SharedState, hashed_key, key_secret, shared_state

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
    """Ids seen in the last ``ttl_seconds``: in ``store`` (Redis, all instances) when given,
    else in memory (at most ``size`` of them)."""

    def __init__(
        self,
        size: int = 4096,
        ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
        store: SharedState | None = None,
        secret: str = "",
    ) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._size = size
        self._ttl = ttl_seconds
        self._clock = clock
        self._store = store
        self._secret = secret

    @classmethod
    def from_settings(cls) -> RecentIds:
        """Shared in Redis when ``KOERS_REDIS_HOST`` is set, else this process's memory."""

        settings = load_settings()
        return cls(store=shared_state(settings), secret=key_secret(settings))

    async def seen_before(self, key: str) -> bool:
        """True when ``key`` was seen recently; otherwise remembers it and returns False."""
        if self._store is not None:
            held = await self._store.claim(
                hashed_key(self._secret, "teams-activity", key), "1", self._ttl
            )
            return held is not None
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
