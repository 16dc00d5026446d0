"""Teams ``deleteUserData`` (issue 19, item 4): recognised, answered at once, erased through
the tracker store's erasure under the conversation lock. The end-to-end proof against the
real Rasa server is in tests/channels/teams/test_teams_server.py."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain

from bot.channels.teams.activity import Kind, interpret
from bot.channels.teams.channel import erase_conversation
from bot.privacy.pseudonym import Pseudonymizer
from tests.channels.teams.conftest import Harness


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "deleteUserData"},
        {"type": "event", "name": "deleteUserData"},
        {"type": "invoke", "name": "deleteUserData"},
    ],
)
def test_delete_user_data_is_recognised(fields: dict[str, str]) -> None:
    assert interpret({"conversation": {"id": "a:1"}, **fields}, 2000).kind is Kind.DELETE_USER_DATA


def test_other_events_stay_ignored() -> None:
    assert interpret({"type": "event", "name": "somethingElse"}, 2000).kind is Kind.IGNORE


@dataclass
class Report:
    events: int


class ErasingStore(InMemoryTrackerStore):
    """Records erasures and checks the lock is held, like ScrubbingSQLTrackerStore erases."""

    def __init__(self, locks: InMemoryLockStore) -> None:
        super().__init__(Domain.empty())
        self.locks = locks
        self.erased: list[tuple[str, bool]] = []

    def delete_conversation(self, conversation_id: str) -> Report:
        locks = self.locks.conversation_locks.values()
        locked = any(lock.now_serving is not None for lock in locks)
        self.erased.append((conversation_id, locked))
        return Report(events=3)


class FakeAgent:
    def __init__(self) -> None:
        self.lock_store = InMemoryLockStore()
        self.store = ErasingStore(self.lock_store)
        self.tracker_store = FailSafeTrackerStore(self.store)  # as Rasa's Agent wraps it


async def test_erasure_goes_through_the_tracker_store_under_the_lock(
    pseudonymizer: Pseudonymizer,
) -> None:
    agent = FakeAgent()
    keys = pseudonymizer.candidates("msteams:a:1")

    assert await erase_conversation(agent, keys) == 3 * len(keys)

    assert [key for key, _ in agent.store.erased] == keys
    assert all(locked for _, locked in agent.store.erased)


async def test_without_an_erasing_store_nothing_breaks(caplog: pytest.LogCaptureFixture) -> None:
    assert await erase_conversation(object(), ["key"]) == 0
    assert "cannot erase" in caplog.text


async def test_delete_user_data_is_answered_at_once_and_never_reaches_rasa(
    harness: Harness,
) -> None:
    server = await harness.start()
    activity = harness.fake.activity(None, type="deleteUserData")

    response = await server.post(activity)

    assert response.status == 200
    await asyncio.sleep(0.3)
    assert server.received == [] and harness.fake.deliveries == []
    assert not server.channel.dispatcher.pending


async def test_unsigned_delete_user_data_is_refused(harness: Harness) -> None:
    server = await harness.start()
    activity = harness.fake.activity(None, type="deleteUserData")
    assert (await server.post(activity, token=None)).status == 401
