"""Tracker-store work runs off the event loop, with timeouts (bot/rasa_ext/off_loop.py).

One hung database connection must not freeze the Rasa server: heartbeats, status requests and
other conversations run on the same loop. These tests measure the loop while the store works:
a slow scrubber on SQLite, and a real PostgreSQL behind a proxy that stops forwarding.
"""

from __future__ import annotations

import asyncio
import dataclasses
import threading
import time
from collections.abc import Iterator

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.db.engine import timeout_connect_args
from bot.privacy.scrubber import default_config
from bot.rasa_ext import off_loop as resilience_db
from bot.rasa_ext import stores as tracker_store_module
from bot.rasa_ext.off_loop import DatabaseStalled, retry_db, run_in_db_thread
from bot.rasa_ext.patches import install_all
from bot.rasa_ext.stores import ScrubbingSQLTrackerStore
from tests.loopback_proxy import LoopbackProxy, proxied_postgres_schema


class LoopWatch:
    """Ticks on the loop every 20 ms and records the longest gap (a frozen loop shows here)."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _tick(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(0.02)
            now = time.monotonic()
            self.longest = max(self.longest, now - last)
            last = now

    def __enter__(self) -> LoopWatch:
        self._task = asyncio.get_running_loop().create_task(self._tick())
        return self

    def __exit__(self, *_exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


def conversation(sender: str, texts: list[str]) -> DialogueStateTracker:
    tracker = DialogueStateTracker(sender, [])
    for event in (
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ):
        tracker.update(event)
    for text in texts:
        tracker.update(UserUttered(text, intent={"name": "inform", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
    return tracker


def make_store(url: str) -> ScrubbingSQLTrackerStore:
    """Rules-only scrubbing: loading spaCy in a test would only add noise to the timings."""
    rules = dataclasses.replace(default_config(), use_ner=False)
    return ScrubbingSQLTrackerStore(
        domain=Domain.empty(),
        url=url,
        retention_interval_minutes=0,
        install_log_filter=False,
        scrub_config=rules,
    )


def user_texts(tracker: DialogueStateTracker | None) -> list[str]:
    assert tracker is not None
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


# -- the pool


async def test_work_runs_in_the_pool_and_the_loop_keeps_ticking() -> None:
    loop_thread = threading.get_ident()
    seen: list[int] = []

    def slow() -> int:
        seen.append(threading.get_ident())
        time.sleep(0.5)
        return 7

    with LoopWatch() as watch:
        assert await retry_db(slow, 5, "test") == 7
    assert seen and seen[0] != loop_thread
    assert watch.longest < 0.25


async def test_a_stalled_operation_gives_up_in_time_and_is_not_repeated(caplog) -> None:
    release = threading.Event()
    calls: list[int] = []

    def stuck() -> str:
        calls.append(1)
        release.wait(10)
        return "late"

    started = time.monotonic()
    with pytest.raises(DatabaseStalled):
        await retry_db(stuck, 0.5, "test a stall")
    assert time.monotonic() - started < 1.5
    release.set()
    await asyncio.sleep(0.2)
    assert calls == [1]
    assert "finished late" in caplog.text


async def test_context_variables_reach_the_thread() -> None:
    import contextvars

    var: contextvars.ContextVar[str] = contextvars.ContextVar("var", default="")
    var.set("turn-42")
    assert await run_in_db_thread(var.get, 5, "test") == "turn-42"


def test_the_pool_is_bounded_by_the_setting(monkeypatch) -> None:
    resilience_db.shutdown_db_executor()
    monkeypatch.setenv("KOERS_DB_THREADS", "3")
    try:
        assert resilience_db.db_executor()._max_workers == 3
    finally:
        resilience_db.shutdown_db_executor()


# -- timeouts


def test_postgres_gets_connect_and_statement_timeouts() -> None:
    args = timeout_connect_args("postgresql://k@db/koers", 5, 15)
    assert args["connect_timeout"] == 5
    assert args["options"] == "-c statement_timeout=15000"
    assert args["keepalives"] == 1


def test_statement_timeout_keeps_the_urls_and_rasas_options() -> None:
    url = "postgresql://k@db/koers?options=-csearch_path%3Dtenant"
    options = timeout_connect_args(url, 5, 2)["options"]
    assert options == "-csearch_path=tenant -c statement_timeout=2000"
    rasa = {"options": "-csearch_path=rasa"}
    args = timeout_connect_args("postgresql://k@db/koers", 5, 2, rasa)
    assert args["options"] == "-csearch_path=rasa -c statement_timeout=2000"


def test_zero_turns_a_timeout_off_and_sqlite_gets_a_busy_timeout() -> None:
    assert "options" not in timeout_connect_args("postgresql://k@db/koers", 0, 0)
    assert "connect_timeout" not in timeout_connect_args("postgresql://k@db/koers", 0, 0)
    assert timeout_connect_args("sqlite:///var/t.db", 5, 15) == {
        "timeout": 15.0,
        "check_same_thread": False,
    }


def test_the_ledger_engine_gets_the_timeouts(monkeypatch) -> None:
    import bot.db.engine

    seen: dict = {}
    monkeypatch.setattr(bot.db.engine, "create_engine", lambda url, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("KOERS_DB_STATEMENT_TIMEOUT_SECONDS", "7")
    bot.db.engine.make_engine("postgresql://k@127.0.0.1:1/koers")
    assert seen["connect_args"]["options"] == "-c statement_timeout=7000"
    assert seen["connect_args"]["connect_timeout"] == 5


# -- the tracker store


async def test_name_detection_runs_off_the_loop(tmp_path, monkeypatch) -> None:
    real = tracker_store_module.scrub_event

    def slow_scrub(*args, **kwargs):
        time.sleep(0.1)  # like spaCy on a long message
        return real(*args, **kwargs)

    monkeypatch.setattr(tracker_store_module, "scrub_event", slow_scrub)
    store = make_store(f"sqlite:///{tmp_path / 't.db'}")
    tracker = conversation("slow-scrub", ["een", "twee", "drie"])
    store.serialise_event(UserUttered("Jan de Vries"))  # one-time regex compiling, not measured
    with LoopWatch() as watch:
        await store.save(tracker)
        again = await store.retrieve("slow-scrub")
    assert user_texts(again) == ["een", "twee", "drie"]
    assert watch.longest < 0.25, f"the loop stood still for {watch.longest:.2f} s"
    await store.close()


async def test_in_memory_sqlite_is_shared_by_the_pool_threads() -> None:
    store = make_store("sqlite://")
    await store.save(conversation("memory", ["hoi"]))
    assert user_texts(await store.retrieve("memory")) == ["hoi"]
    assert len(list(await store.keys())) == 1
    await store.close()


@pytest.fixture
def stalling_postgres(monkeypatch) -> Iterator[tuple[str, LoopbackProxy]]:
    """A fresh schema on the test PostgreSQL, reached through a :class:`LoopbackProxy`."""
    monkeypatch.setenv("KOERS_DB_CONNECT_TIMEOUT_SECONDS", "1")
    with proxied_postgres_schema() as proxied:
        yield proxied


async def test_a_stalled_postgres_costs_one_turn_not_the_loop(stalling_postgres) -> None:
    url, proxy = stalling_postgres
    store = make_store(url)
    store.db_retry_seconds = 2
    tracker = conversation("stall", ["hoi", "ik wil de talentscan doen"])
    await store.save(tracker)

    proxy.stall()
    tracker.update(UserUttered("4", intent={"name": "inform", "confidence": 1.0}))
    started = time.monotonic()
    with LoopWatch() as watch:
        with pytest.raises(DatabaseStalled):
            await store.save(tracker)  # the pooled connection hangs: no socket timeout helps
        with pytest.raises(DatabaseStalled):
            await store.retrieve("other")  # a new connection hangs in its start-up
    assert time.monotonic() - started < 6
    assert watch.longest < 0.25, f"the loop stood still for {watch.longest:.2f} s"

    proxy.resume()  # the stuck write completes first (same conversation, in order)
    await store.save(tracker)
    back = await store.retrieve("stall")
    assert user_texts(back) == ["hoi", "ik wil de talentscan doen", "4"]
    assert len(back.events) == len(tracker.events)
    await store.close()


async def test_work_behind_a_stuck_operation_gives_up_and_frees_its_thread() -> None:
    store = make_store("sqlite://")
    store.db_retry_seconds = 1
    held, release = threading.Event(), threading.Event()

    def stuck() -> None:  # an earlier write of this conversation, stuck on the database
        with store._in_order("stuck"):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=stuck)
    thread.start()
    held.wait(5)
    try:
        with pytest.raises(DatabaseStalled):
            await store.retrieve("stuck")
        # the pool thread gave up too: other conversations are served
        assert await store.retrieve("someone-else") is None
    finally:
        release.set()
        thread.join(5)
    assert await store.retrieve("stuck") is None
    await store.close()


async def test_work_off_the_clock_does_not_count_as_a_stall() -> None:
    from bot.rasa_ext.off_loop import off_the_clock

    def scrub_then_write() -> str:
        with off_the_clock():
            time.sleep(0.8)  # e.g. spaCy loading on the first turn
        time.sleep(0.1)
        return "stored"

    assert await run_in_db_thread(scrub_then_write, 0.5, "test") == "stored"
    with pytest.raises(DatabaseStalled):
        await run_in_db_thread(lambda: time.sleep(0.8), 0.3, "test")


async def test_database_errors_pass_rasas_failsafe_store(tmp_path) -> None:
    from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore

    install_all()  # bot/rasa_ext/patches/failsafe_store.py, as the Rasa server installs it
    store = make_store(f"sqlite:///{tmp_path / 't.db'}")
    failsafe = FailSafeTrackerStore(store)

    async def stalled(*_args):
        raise DatabaseStalled("test")

    store.retrieve = stalled  # type: ignore[method-assign]
    store.save = stalled  # type: ignore[method-assign]
    with pytest.raises(DatabaseStalled):  # not an empty conversation from memory
        await failsafe.retrieve("x")
    with pytest.raises(DatabaseStalled):
        await failsafe.save(conversation("x", ["hoi"]))
    other = FailSafeTrackerStore(InMemoryTrackerStore(Domain.empty()))
    other._tracker_store.retrieve = stalled  # other stores keep Rasa's fallback
    assert await other.retrieve("x") is None
    await store.close()
