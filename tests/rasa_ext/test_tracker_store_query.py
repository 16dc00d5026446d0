"""The tuned session query of the scrubbing tracker store returns what Rasa's own returns."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.stores import SESSION_INDEX, ScrubbingSQLTrackerStore

PG_URL = os.environ.get("KOERS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_or_fail() -> str:
    try:
        sa.create_engine(PG_URL).connect().close()
    except sa.exc.OperationalError:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL}")
    return PG_URL


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path) -> str:
    return f"sqlite:///{tmp_path / 't.db'}" if request.param == "sqlite" else _pg_or_fail()


async def test_latest_session_only_and_all_sessions(url: str) -> None:
    domain = Domain.empty()
    store = ScrubbingSQLTrackerStore(domain=domain, url=url, retention_interval_minutes=0)
    sender = f"q-{uuid.uuid4().hex}"
    tracker = DialogueStateTracker(sender, domain.slots)
    stamp = 1_000_000.0
    for index, event in enumerate(
        [
            ActionExecuted("action_session_start"),
            SessionStarted(),
            UserUttered("eerste"),
            ActionExecuted("action_listen"),
            ActionExecuted("action_session_start"),
            SessionStarted(),
            UserUttered("tweede"),
            ActionExecuted("action_listen"),
        ]
    ):
        event.timestamp = stamp + index
        tracker.update(event)
    await store.save(tracker)
    try:
        latest = await store.retrieve(sender)
        full = await store.retrieve_full_tracker(sender)
        assert [e.text for e in latest.events if isinstance(e, UserUttered)] == ["tweede"]
        assert [e.text for e in full.events if isinstance(e, UserUttered)] == ["eerste", "tweede"]
        key = store.conversation_key(sender)
        with store.session_scope() as session:
            ours = [r.id for r in store._event_query(session, key, False)]
            rasas = [r.id for r in SQLTrackerStore._event_query(store, session, key, False)]
        assert ours == rasas and len(ours) == 3
        assert SESSION_INDEX in {i["name"] for i in sa.inspect(store.engine).get_indexes("events")}
    finally:
        store.delete_conversation(sender)
        await store.close()
