"""Test databases for the ledger: a SQLite file in tmp_path and a PostgreSQL schema.

Import the fixtures into a test module (``from tests.ledger.support import ...  # noqa``).
PostgreSQL comes from KOERS_TEST_POSTGRES_URL; each test gets its own schema, dropped
afterwards. When PostgreSQL cannot be reached the test is skipped locally but fails in CI
(CI=true), so the concurrency proof on PostgreSQL cannot silently disappear.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.db.engine import (
    dispose_engines,
    make_engine,
    make_session_factory,
    migrate,
    run_in_transaction,
)
from bot.db.session import forget_factories
from bot.ledger import preferences
from bot.ledger.importer import apply_batch, parse_document

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


def postgres_admin_url() -> str:
    return os.environ.get("KOERS_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def _postgres_unavailable(reason: str) -> None:
    message = f"PostgreSQL not reachable at {postgres_admin_url()}: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: the PostgreSQL tests must run)")
    pytest.skip(message)


def _schema_url(admin_url: str, schema: str) -> str:
    """The admin URL with a search_path, so every connection works inside ``schema``."""
    separator = "&" if "?" in admin_url else "?"
    return f"{admin_url}{separator}options=-csearch_path%3D{schema}"


@pytest.fixture(autouse=True)
def no_public_holidays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The fixture slots lie a few days from today; on a run near Christmas or Easter they
    would fall on a public holiday and never be offered. The holiday rule itself is tested
    with fixed dates in tests/ledger/test_when.py."""
    monkeypatch.setattr(preferences, "is_public_holiday", lambda moment: False)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """An empty, migrated ledger database of the backend in ``request.param``."""
    backend = getattr(request, "param", "sqlite")
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'ledger.db'}"
        migrate(url)
        yield url
    else:
        admin_url = postgres_admin_url()
        schema = f"koers_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(admin_url, future=True, connect_args={"connect_timeout": 5})
        try:
            with admin.begin() as connection:
                connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        except Exception as exc:  # any connection problem
            admin.dispose()
            _postgres_unavailable(f"{type(exc).__name__}: {exc}")
        url = _schema_url(admin_url, schema)
        try:
            migrate(url)
            yield url
        finally:
            dispose_engines()
            forget_factories()
            with admin.begin() as connection:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()
    dispose_engines()
    forget_factories()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url, pool_size=10)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker:
    return make_session_factory(engine)


@pytest.fixture
def session(sessions: sessionmaker) -> Iterator[Session]:
    with sessions() as session:
        yield session


def at_local(days: int, hour: int, minute: int = 0, now: datetime | None = None) -> datetime:
    """A moment ``days`` from today at a local (Dutch) clock time."""
    today = (now or utcnow()).astimezone(LOCAL_TZ).date()
    return datetime.combine(today + timedelta(days=days), datetime.min.time(), LOCAL_TZ).replace(
        hour=hour, minute=minute
    )


def basic_data(now: datetime | None = None, *, budget_vouchers: int = 10) -> dict[str, Any]:
    """A small fictional data set: two municipalities, three coaches, slots, workshops."""
    slots_utrecht = [
        {"starts_at": at_local(day, hour, now=now).isoformat(), "minutes": 60}
        for day in (3, 4, 10)
        for hour in (10, 14)
    ]
    return {
        "municipalities": [
            {
                "code": "GM9901",
                "name": "Gemeente Voorbeeldstad",
                "programme_year": "current",
                "voucher_value_eur": 375,
                "voucher_budget_eur": 375 * budget_vouchers,
            },
            {
                "code": "GM9903",
                "name": "Gemeente Testerveen",
                "participating": False,
                "voucher_budget_eur": 0,
            },
        ],
        "providers": [{"name": "Leerhuis Test"}, {"name": "Trainingsbureau Test"}],
        "coaches": [
            {
                "name": "Anna Voorbeeld",
                "email": "anna@coach.example",
                "regions": ["Utrecht"],
                "online": True,
                "on_location": True,
                "location": "Buurthuis De Proef",
                "slots": slots_utrecht,
            },
            {
                "name": "Bram Verzonnen",
                "email": "bram@coach.example",
                "regions": ["Groningen"],
                "online": True,
                "on_location": False,
                "slots": [{"starts_at": at_local(5, 9, now=now).isoformat(), "mode": "online"}],
            },
            {
                "name": "Carla Fictief",
                "email": "carla@coach.example",
                "regions": ["Zeeland"],
                "online": False,
                "on_location": True,
                "slots": [{"starts_at": at_local(60, 11, now=now).isoformat()}],
            },
        ],
        "workshops": [
            {
                "theme": "talenten",
                "provider": "Leerhuis Test",
                "in_days": 12,
                "location": "Online",
                "places": 12,
            },
            {
                "theme": "gesprek",
                "provider": "Trainingsbureau Test",
                "in_days": 20,
                "location": "Voorbeeldstad",
                "places": 10,
            },
        ],
    }


def load(sessions: sessionmaker, data: dict[str, Any], now: datetime | None = None) -> None:
    now = now or utcnow()
    batch = parse_document(data, now.astimezone(LOCAL_TZ).date())
    with sessions() as session:
        run_in_transaction(session, apply_batch, batch=batch, now=now, actor="test")


@pytest.fixture
def seeded(sessions: sessionmaker) -> sessionmaker:
    """The session factory of a database holding :func:`basic_data`."""
    load(sessions, basic_data())
    return sessions
