"""Bridge a database restart: retry an operation while the database is unreachable.

Used by the tracker store, whose reads and writes are idempotent units (a write stores the
tracker's events that are not stored yet), so repeating one after a dropped connection can
neither lose nor duplicate events.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy.exc

logger = logging.getLogger(__name__)
T = TypeVar("T")


def is_transient(exc: BaseException) -> bool:
    """Errors a restarting or briefly unreachable database raises."""
    if isinstance(exc, sqlalchemy.exc.DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, sqlalchemy.exc.OperationalError | sqlalchemy.exc.InterfaceError)


def backoff_delays(first: float = 0.25, factor: float = 2.0, cap: float = 2.0):
    """0.25, 0.5, 1, 2, 2, ... seconds."""
    delay = first
    while True:
        yield delay
        delay = min(delay * factor, cap)


async def retry_db(operation: Callable[[], T], within_seconds: float, what: str) -> T:
    """Run ``operation``; on transient database errors retry until ``within_seconds`` passed."""
    deadline = time.monotonic() + within_seconds
    attempts = 0
    for delay in backoff_delays():
        attempts += 1
        try:
            result = operation()
        except Exception as exc:
            if not is_transient(exc) or time.monotonic() + delay > deadline:
                raise
            logger.warning("Database unreachable while trying to %s (%s); retrying in %.2f s",
                           what, type(exc).__name__, delay)  # fmt: skip
            await asyncio.sleep(delay)
            continue
        if attempts > 1:
            logger.warning("Database reachable again: %s succeeded after %d attempts",
                           what, attempts)  # fmt: skip
        return result
    raise AssertionError("unreachable")  # pragma: no cover
