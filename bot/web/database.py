"""The web app's one database: migrated once, one engine, one session factory.

Ledger, preparation sheets and dashboard share it, so one process runs one ``migrate()``
and holds one connection pool. SQLAlchemy is synchronous: every unit of work runs in a
worker thread, in a fresh session, as one transaction.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.web.keys import ENGINE_KEY, SESSIONS_KEY, SETTINGS_KEY

T = TypeVar("T")


async def database_context(app: web.Application) -> AsyncIterator[None]:
    """Migrates the schema and opens the engine for the app's lifetime, then disposes it."""
    url = app[SETTINGS_KEY].database_url
    await asyncio.to_thread(migrate, url)
    engine = make_engine(url)
    app[ENGINE_KEY] = engine
    app[SESSIONS_KEY] = make_session_factory(engine)
    try:
        yield
    finally:
        engine.dispose()


async def in_session(app: web.Application, work: Callable[..., T], /, **kwargs: Any) -> T:
    """Runs ``work(session, **kwargs)`` as one transaction in a fresh session, off the loop."""
    factory = app[SESSIONS_KEY]

    def job() -> T:
        session: Session = factory()
        try:
            return run_in_transaction(session, work, **kwargs)
        finally:
            session.close()

    return await asyncio.to_thread(job)
