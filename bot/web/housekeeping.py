"""The web app's one housekeeping runner: capabilities register periodic jobs here.

Each route module offers ``housekeeping_jobs(settings)``; the app factory hands them all to
:func:`housekeeping_context`, which runs them in one task, each on its own interval, from
the app's start until its shutdown. A failing job is logged (its error type only: no data
in the log) and tried again next round; it never stops the web app or the other jobs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass

from aiohttp import web

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A periodic chore: ``run(app)`` every ``every_minutes`` (0 or less: never)."""

    name: str
    every_minutes: int
    run: Callable[[web.Application], Awaitable[None]]


async def run_once(app: web.Application, job: Job) -> None:
    try:
        await job.run(app)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # keep the web app alive; the next round tries again
        logger.warning("housekeeping job failed: %s: %s", job.name, type(exc).__name__)


async def run_forever(app: web.Application, jobs: Sequence[Job]) -> None:
    """Runs every job at once, then each again when its interval has passed."""
    due = [0.0] * len(jobs)
    while True:
        for index, job in enumerate(jobs):
            if due[index] <= time.monotonic():
                await run_once(app, job)
                due[index] = time.monotonic() + job.every_minutes * 60
        await asyncio.sleep(max(0.0, min(due) - time.monotonic()))


def housekeeping_context(
    jobs: Sequence[Job],
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context (after the database one) that runs ``jobs`` while the app lives."""
    active = [job for job in jobs if job.every_minutes > 0]

    async def context(app: web.Application) -> AsyncIterator[None]:
        task = asyncio.create_task(run_forever(app, active)) if active else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return context
