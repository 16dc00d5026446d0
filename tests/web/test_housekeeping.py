"""The web app's one housekeeping runner: every capability's jobs, one task, one database."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from datetime import date, timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.preparation.practice import likely_reactions
from bot.preparation.sheet import build_sheet
from bot.preparation.store import PreparationSheet, save_sheet
from bot.web.app import housekeeping_jobs, init_app
from bot.web.housekeeping import Job, housekeeping_context
from bot.web.keys import ENGINE_KEY, SESSIONS_KEY

pytest_plugins = ["tests.ledger.support"]


async def _run_for_a_moment(jobs: list[Job]) -> None:
    context = housekeeping_context(jobs)(web.Application())
    await context.__anext__()
    await asyncio.sleep(0.2)
    with contextlib.suppress(StopAsyncIteration):
        await context.__anext__()  # the app's shutdown: the task is cancelled and awaited


async def test_a_failing_job_is_logged_and_stops_no_other(
    caplog: pytest.LogCaptureFixture,
) -> None:
    ran: list[str] = []

    async def broken(app: web.Application) -> None:
        ran.append("broken")
        raise RuntimeError("geheim@example.org")  # the message must not reach the log

    async def works(app: web.Application) -> None:
        ran.append("works")

    async def never(app: web.Application) -> None:
        ran.append("never")

    with caplog.at_level(logging.WARNING, logger="bot.web.housekeeping"):
        await _run_for_a_moment(
            [Job("broken", 60, broken), Job("works", 60, works), Job("off", 0, never)]
        )
    assert ran == ["broken", "works"]  # each once: the next round is an hour away
    assert "housekeeping job failed: broken: RuntimeError" in caplog.text
    assert "geheim" not in caplog.text


def test_every_capability_registers_its_jobs_on_its_own_interval() -> None:
    settings = dataclasses.replace(
        load_settings(), ledger_housekeeping_minutes=60, trends_housekeeping_minutes=360
    )
    jobs = {job.name: job.every_minutes for job in housekeeping_jobs(settings)}
    assert jobs == {
        "purge booking e-mail addresses": 60,
        "deliver the outbox": 60,
        "expire vouchers": 60,
        "release past waiting lists": 60,
        "expired preparation sheets": 60,
        "trends": 360,
    }


async def test_the_app_has_one_engine_and_its_jobs_use_it(
    aiohttp_client: Any, database_url: str, sessions: sessionmaker
) -> None:
    """An expired sheet is deleted by the preparation job, through the app's one database."""
    sheet = build_sheet(
        {"prep_kind": "jaargesprek"}, likely_reactions(None, "jaargesprek", []), today=date.today()
    )
    with sessions() as session:
        run_in_transaction(
            session,
            save_sheet,
            conversation_id="k1:oud",
            sheet=sheet,
            days=7,
            now=utcnow() - timedelta(days=8),
        )
    settings = dataclasses.replace(
        load_settings(),
        database_url=database_url,
        ledger_housekeeping_minutes=60,
        trends_housekeeping_minutes=0,
    )
    app = init_app(settings)
    client = await aiohttp_client(app)
    assert (await client.get("/health")).status == 200
    assert app[SESSIONS_KEY].kw["bind"] is app[ENGINE_KEY]

    def count() -> int:
        with sessions() as session:
            return session.scalar(select(func.count()).select_from(PreparationSheet)) or 0

    for _ in range(100):
        if count() == 0:
            break
        await asyncio.sleep(0.05)
    assert count() == 0
