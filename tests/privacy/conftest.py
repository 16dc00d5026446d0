"""Fixtures for the privacy tests: spaCy loaded once, a fixed pseudonym key, SQL databases."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from bot.privacy.pseudonym import Pseudonymizer, build_pseudonymizer

POSTGRES_URL = os.environ.get(
    "KOERS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SECRET = "test-secret-" + "k" * 40
OLD_SECRET = "old-test-secret-" + "o" * 40


@pytest.fixture(scope="session", autouse=True)
def nlp():
    """The spaCy pipeline, loaded once for the whole session."""
    from bot.privacy.names import get_nlp

    return get_nlp()


@pytest.fixture
def pseudonymizer() -> Pseudonymizer:
    return build_pseudonymizer(SECRET, version=2, previous_secret=OLD_SECRET)


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def _postgres_reachable(url: str) -> str | None:
    engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("select 1"))
        return None
    except Exception as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    finally:
        engine.dispose()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A PostgreSQL URL on a fresh schema (dropped afterwards).

    Unreachable PostgreSQL fails the test when CI is set, and skips it otherwise.
    """
    problem = _postgres_reachable(POSTGRES_URL)
    if problem:
        message = f"PostgreSQL not reachable at {POSTGRES_URL}: {problem}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    schema = f"koers_privacy_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f'create schema "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """Each store test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")
