"""Database engines and sessions shared by the action server, the web app and the CLI.

One engine per database URL and process; one session per web request or per action run.
SQLite gets WAL (readers do not block the writer), foreign keys (off by default in SQLite),
a busy timeout, and ``BEGIN IMMEDIATE`` for every transaction: a transaction that first reads
and then writes can otherwise fail at once with "database is locked" instead of waiting.
PostgreSQL runs at READ COMMITTED; the ledger code uses conditional updates and row locks.
It gets connect and statement timeouts (``KOERS_DB_CONNECT_TIMEOUT_SECONDS``,
``KOERS_DB_STATEMENT_TIMEOUT_SECONDS``; :func:`timeout_connect_args`), as the tracker store.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, create_engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import load_settings

T = TypeVar("T")

SQLITE_BUSY_TIMEOUT_MS = 30_000
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"

_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _prepare_sqlite_file(url: URL) -> None:
    """Creates the folder of a SQLite file so a fresh checkout can start without set-up."""
    database = url.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)


def _install_sqlite_pragmas(engine: Engine, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when a transaction starts (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            if not in_memory:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def timeout_connect_args(
    url: str | URL,
    connect_timeout_seconds: int,
    statement_timeout_seconds: int,
    base: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """``connect_args`` that bound how long one connection can block a thread.

    PostgreSQL (psycopg2/libpq): ``connect_timeout`` for the whole connection set-up,
    ``statement_timeout`` for every statement (server side; added to any ``options`` already
    there, such as Rasa's search path) and TCP keepalives so a dead peer is noticed.
    SQLite: the busy timeout (how long to wait for another writer's lock). 0 turns one off.
    """
    args = dict(base or {})
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        if statement_timeout_seconds > 0:
            args.setdefault("timeout", float(statement_timeout_seconds))
        args.setdefault("check_same_thread", False)  # pool threads share pooled connections
        return args
    if backend != "postgresql":
        return args
    if connect_timeout_seconds > 0:
        args.setdefault("connect_timeout", int(connect_timeout_seconds))
    if statement_timeout_seconds > 0:
        option = f"-c statement_timeout={int(statement_timeout_seconds * 1000)}"
        # connect_args replace the URL's own options (e.g. a search path): keep both
        earlier = [str(args.get("options") or parsed.query.get("options") or "")]
        args["options"] = " ".join(part for part in (*earlier, option) if part)
    args.setdefault("keepalives", 1)
    args.setdefault("keepalives_idle", 30)
    args.setdefault("keepalives_interval", 10)
    args.setdefault("keepalives_count", 3)
    return args


def settings_connect_args(url: str | URL, base: dict[str, Any] | None = None) -> dict[str, Any]:
    """:func:`timeout_connect_args` with the configured timeouts."""
    settings = load_settings()
    return timeout_connect_args(
        url, settings.db_connect_timeout_seconds, settings.db_statement_timeout_seconds, base
    )


def make_engine(url: str | URL, *, pool_size: int | None = None, echo: bool = False) -> Engine:
    """Creates a new engine; most callers want the cached :func:`get_engine` instead."""
    parsed = make_url(url)
    kwargs: dict[str, Any] = {"future": True, "echo": echo}
    if parsed.get_backend_name() == "sqlite":
        _prepare_sqlite_file(parsed)
        kwargs["connect_args"] = {
            "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000,
            "check_same_thread": False,
        }
        engine = create_engine(parsed, **kwargs)
        in_memory = parsed.database in (None, "", ":memory:")
        _install_sqlite_pragmas(engine, in_memory)
        return engine
    kwargs["pool_pre_ping"] = True
    # connect and statement timeouts: a stalled server fails one call instead of hanging it
    kwargs["connect_args"] = settings_connect_args(parsed)
    if pool_size is not None:
        kwargs["pool_size"] = pool_size
        kwargs["max_overflow"] = pool_size
    return create_engine(parsed, **kwargs)


def get_engine(url: str) -> Engine:
    """Returns the process-wide engine for ``url`` (created on first use, not at import)."""
    with _engines_lock:
        engine = _engines.get(url)
        if engine is None:
            engine = make_engine(url)
            _engines[url] = engine
        return engine


def dispose_engines() -> None:
    """Closes all cached engines (tests, shutdown)."""
    with _engines_lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions keep loaded values after commit, so results can be used after the block."""
    return sessionmaker(bind=engine, future=True, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error, always close."""
    session: Session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def migrate(url: str, revision: str = "head") -> None:
    """Brings the database at ``url`` to ``revision`` with Alembic (idempotent).

    Used by the run command, the CLI and the tests; the URL is handed over directly so a
    test schema or file never depends on environment variables.
    """
    from alembic import command
    from alembic.config import Config

    config = Config(str(MIGRATIONS_DIR.parent / "alembic.ini"))
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    command.upgrade(config, revision)


def run_in_transaction(session: Session, work: Callable[..., T], /, **kwargs: Any) -> T:
    """Runs ``work(session, **kwargs)`` as one transaction: commit, or roll back and re-raise.

    Rolling back at once matters on SQLite, where an open write transaction holds the
    database lock for everybody else.
    """
    try:
        result = work(session, **kwargs)
        session.commit()
        return result
    except BaseException:
        session.rollback()
        raise
