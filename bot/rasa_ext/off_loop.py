"""Database work off the event loop, with timeouts, and bridging a database restart.

Rasa's Sanic server runs every conversation, socket.io heartbeat and webhook on one event loop.
A blocking database call there (psycopg2 and sqlite3 are blocking) freezes all of them while
one connection hangs. So every tracker-store operation runs in a small bounded thread pool
(:func:`retry_db`, :func:`run_in_db_thread`) and the loop only awaits it:

* connect and statement timeouts for PostgreSQL and a busy timeout for SQLite
  (:func:`bot.db.engine.timeout_connect_args`), so a dead server turns into an error, not a hang;
* a wait bounded by the retry window: when the database stops answering altogether (a stalled
  connection that no socket timeout notices), the turn gives up with :class:`DatabaseStalled`
  and the channel answers in Dutch (``bot.channels.guards``); the stuck thread finishes
  when the connection does, and is never repeated, so a late write cannot be doubled. Work
  that is not waiting for the database (scrubbing, loading spaCy on the first turn) is marked
  with :func:`off_the_clock` and does not count;
* Rasa's ``FailSafeTrackerStore`` would answer a failed read with an empty conversation (the
  employee starts over, and a later write could mix both):
  :mod:`bot.rasa_ext.patches.failsafe_store` lets database errors of our store through, so the
  turn gets the Dutch answer instead;
* transient errors (a restarting or briefly unreachable database) are retried with backoff.

The tracker store's reads and writes are idempotent units (a write stores the tracker's events
that are not stored yet), so repeating one after a dropped connection can neither lose nor
duplicate events.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import sqlalchemy.exc

from bot.config import load_settings

logger = logging.getLogger(__name__)
T = TypeVar("T")

_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()


#: Work off the clock may extend a wait by this much at most (a bound, whatever happens).
MAX_OFF_THE_CLOCK_SECONDS = 120.0


class DatabaseStalled(RuntimeError):
    """The database did not answer within the retry window (the thread may still be waiting)."""


class _Clock:
    """Seconds an operation spent on work that is not waiting for the database."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._excluded = 0.0
        self._since: float | None = None

    def enter(self) -> None:
        with self._lock:
            self._since = time.monotonic()

    def leave(self) -> None:
        with self._lock:
            if self._since is not None:
                self._excluded += time.monotonic() - self._since
            self._since = None

    def excluded(self) -> float:
        with self._lock:
            running = time.monotonic() - self._since if self._since is not None else 0.0
            return min(self._excluded + running, MAX_OFF_THE_CLOCK_SECONDS)


_clock: contextvars.ContextVar[_Clock | None] = contextvars.ContextVar(
    "koers_db_clock", default=None
)


@contextlib.contextmanager
def off_the_clock() -> Iterator[None]:
    """CPU work inside a database operation (scrubbing): it does not count as waiting."""
    clock = _clock.get()
    if clock is None:
        yield
        return
    clock.enter()
    try:
        yield
    finally:
        clock.leave()


def db_executor() -> ThreadPoolExecutor:
    """The process-wide pool for database work (``KOERS_DB_THREADS`` threads, default 8).

    Bounded on purpose: with a stalled database, waiting work queues here instead of opening
    ever more connections and threads.
    """
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=load_settings().db_threads, thread_name_prefix="koers-db"
            )
        return _executor


def shutdown_db_executor() -> None:
    """Stop the pool without waiting for stuck threads (tests, shutdown)."""
    global _executor
    with _executor_lock:
        executor, _executor = _executor, None
    if executor is not None:
        executor.shutdown(wait=False, cancel_futures=True)


def _submit(operation: Callable[[], T], clock: _Clock) -> asyncio.Future[T]:
    """``operation`` in the pool, with the caller's context variables (like ``to_thread``)."""
    loop = asyncio.get_running_loop()
    context = contextvars.copy_context()
    context.run(_clock.set, clock)
    return loop.run_in_executor(db_executor(), functools.partial(context.run, operation))


def _log_late(what: str, stalled: bool, future: asyncio.Future[Any]) -> None:
    """An operation ended after its caller gave up: say how, so nothing goes unnoticed."""
    if future.cancelled():
        return
    exc = future.exception()  # retrieved, so asyncio does not complain about it
    if exc is not None:
        logger.warning(
            "A database operation (%s) failed after its caller gave up (%s)",
            what,
            type(exc).__name__,
        )
    elif stalled:
        logger.warning("A stalled database operation (%s) finished late", what)


async def run_in_db_thread(operation: Callable[[], T], timeout: float, what: str) -> T:
    """Run ``operation`` in the pool; raise :class:`DatabaseStalled` after ``timeout`` s.

    Time the operation spends :func:`off_the_clock` is added to ``timeout``.
    """
    clock = _Clock()
    future = _submit(operation, clock)
    deadline = time.monotonic() + max(timeout, 0.01)
    try:
        while True:
            remaining = deadline + clock.excluded() - time.monotonic()
            if remaining <= 0:
                break
            done, _ = await asyncio.wait({future}, timeout=remaining)
            if done:
                return future.result()
    except asyncio.CancelledError:  # the caller went away; the thread still ends, logged
        future.add_done_callback(functools.partial(_log_late, what, False))
        raise
    future.add_done_callback(functools.partial(_log_late, what, True))
    logger.error("Database did not answer within %.0f s while trying to %s", timeout, what)
    raise DatabaseStalled(f"database did not answer within {timeout:.0f} s ({what})")


def is_transient(exc: BaseException) -> bool:
    """Errors a restarting or briefly unreachable database raises."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError)


def backoff_delays(first: float = 0.25, factor: float = 2.0, cap: float = 2.0) -> Iterator[float]:
    """0.25, 0.5, 1, 2, 2, ... seconds."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


async def retry_db(operation: Callable[[], T], within_seconds: float, what: str) -> T:
    """Run ``operation`` in the pool; retry transient errors until ``within_seconds`` passed.

    The whole call, waiting included, ends within ``within_seconds`` (plus one backoff step):
    a stalled attempt raises :class:`DatabaseStalled` and is not repeated.
    """
    deadline = time.monotonic() + within_seconds
    attempts = 0
    for delay in backoff_delays():
        attempts += 1
        try:
            result = await run_in_db_thread(operation, deadline - time.monotonic(), what)
        except DatabaseStalled:
            raise
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() + delay > deadline:
                raise
            logger.warning(
                "Database unreachable while trying to %s (%s); retrying in %.2f s",
                what,
                type(exc).__name__,
                delay,
            )
            await asyncio.sleep(delay)
            continue
        if attempts > 1:
            logger.warning(
                "Database reachable again: %s succeeded after %d attempts", what, attempts
            )
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def is_database_error(exc: BaseException) -> bool:
    """A stall or a database error that outlived the retries (not a bug in the caller)."""
    return isinstance(exc, DatabaseStalled | sqlalchemy.exc.SQLAlchemyError)
