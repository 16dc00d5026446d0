"""Database access for the action server and the web app: one session per run or request.

The ledger code is synchronous (SQLAlchemy sessions); async callers run each unit of work
in a worker thread so the event loop keeps serving other conversations meanwhile.
The schema is brought up to date once per process and URL on first use, so a fresh
checkout works without a separate migration step (``cli init`` also loads demo data).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy.orm import Session, sessionmaker

from bot.db.engine import get_engine, make_session_factory, migrate, run_in_transaction

T = TypeVar("T")

_ready: dict[str, sessionmaker] = {}
_ready_lock = threading.Lock()


def session_factory_for(url: str) -> sessionmaker:
    """The process-wide session factory for ``url``; migrates the schema on first use."""
    with _ready_lock:
        factory = _ready.get(url)
        if factory is None:
            migrate(url)
            factory = make_session_factory(get_engine(url))
            _ready[url] = factory
        return factory


def forget_factories() -> None:
    """Drops cached factories (tests that create and drop databases)."""
    with _ready_lock:
        _ready.clear()


class RunSession:
    """A lazily opened session for one action run or web request (closed on exit)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._session: Session | None = None

    async def session(self) -> Session:
        if self._session is None:
            factory = await asyncio.to_thread(session_factory_for, self.url)
            self._session = factory()
        return self._session

    async def call(self, work: Callable[..., T], /, **kwargs: Any) -> T:
        """Runs ``work(session, **kwargs)`` as one transaction in a worker thread."""
        session = await self.session()
        return await asyncio.to_thread(run_in_transaction, session, work, **kwargs)

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await asyncio.to_thread(session.close)

    async def __aenter__(self) -> RunSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()
