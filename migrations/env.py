"""Alembic environment: migrates the database given to bot.db.engine.migrate(url) or, from the
command line, the one in KOERS_DATABASE_URL. Only online migrations are supported."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection

from bot.config import load_settings
from bot.db.base import Base
from bot.db.engine import is_sqlite, make_engine

# Every module that defines tables, so Base.metadata is complete for autogenerate and checks.
from bot.ledger import models as _ledger_models  # noqa: F401
from bot.notify import models as _notify_models  # noqa: F401
from bot.opportunities import models as _opportunity_models  # noqa: F401
from bot.preparation import store as _preparation_store  # noqa: F401
from bot.trends import models as _trend_models  # noqa: F401

#: Serialises concurrent migrations on PostgreSQL (action server and web app starting at once).
_PG_LOCK_ID = 726_531_001


def _database_url() -> str:
    config = context.config
    return (
        config.attributes.get("database_url")
        or config.get_main_option("sqlalchemy.url")
        or load_settings().database_url
    )


def _run(connection: Connection, sqlite: bool) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        if not sqlite:
            connection.execute(text(f"SELECT pg_advisory_xact_lock({_PG_LOCK_ID})"))
        context.run_migrations()


def run_migrations_online() -> None:
    url = _database_url()
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            _run(connection, is_sqlite(url))
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Koers migrations run online only: use bot.db.engine.migrate(url).")
run_migrations_online()
