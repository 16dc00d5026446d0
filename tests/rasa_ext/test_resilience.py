"""The pure parts of the resilience code (bot/channels/guards.py,
bot/rasa_ext/patches/action_fallback.py, bot/rasa_ext/off_loop.py): request checks, the
per-sender limit, the apology rule, failure classification and database retries (on a real
SQLite file)."""

from __future__ import annotations

import asyncio
import json

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, FollowupAction, UserUttered

from bot.channels.guards import (
    MAX_TEXT_CHARS,
    PendingLimiter,
    check_rest_body,
    clip_text,
    failing_part,
    guard_failures,
)
from bot.rasa_ext.off_loop import backoff_delays, is_transient, retry_db
from bot.rasa_ext.patches.action_fallback import (
    already_apologised,
    fallback_events,
    run_with_fallback,
)
from bot.rasa_ext.texts import ACTION_UNAVAILABLE, SERVICE_UNAVAILABLE, TOO_MANY_AT_ONCE


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"x" * 101, 413),
        (b'{"message": "h\xffi"}', 400),
        (b'{"message": "hoi"', 400),
        (b"[1, 2]", 400),
        (b'{"message": ["hoi"]}', 400),
        (b'{"sender": true, "message": "hoi"}', 400),
        (b'{"sender": "a", "message": "hoi", "metadata": 3}', 400),
    ],
)
def test_bad_bodies_are_refused(body: bytes, status: int) -> None:
    assert check_rest_body(body, max_bytes=100)[0] == status


@pytest.mark.parametrize(
    "body",
    [
        {"sender": "a", "message": "hoi"},
        {"sender": 12, "message": "hé, één vraag"},
        {"message": "hoi"},
        {"sender": "a", "message": "hoi", "metadata": {"municipality": "GM9901"}},
    ],
)
def test_good_bodies_pass(body: dict) -> None:
    assert check_rest_body(json.dumps(body).encode(), max_bytes=100) is None


def test_clip_text_keeps_short_and_cuts_long() -> None:
    assert clip_text("hoi") == "hoi"
    assert clip_text(None) is None
    assert len(clip_text("a" * (MAX_TEXT_CHARS + 10))) == MAX_TEXT_CHARS


async def test_pending_limiter_counts_per_sender() -> None:
    limiter = PendingLimiter(2)
    assert await limiter.enter("a") and await limiter.enter("a")
    assert not await limiter.enter("a")
    assert await limiter.enter("b")
    await limiter.leave("a")
    assert await limiter.enter("a")
    for key in ("a", "a", "b"):
        await limiter.leave(key)
    assert len(limiter) == 0


def test_one_apology_per_turn() -> None:
    apology = fallback_events([UserUttered("hoi")])
    listen = FollowupAction("action_listen")
    assert [e.text for e in apology if isinstance(e, BotUttered)] == [ACTION_UNAVAILABLE]
    assert apology[-1] == listen  # the turn ends: no more failing action calls
    turn = [UserUttered("hoi"), ActionExecuted("action_x"), *apology]
    assert already_apologised(turn)
    assert fallback_events(turn) == [listen]
    assert not already_apologised([*turn, UserUttered("nog een keer")])
    assert not already_apologised([UserUttered("hoi"), BotUttered("gewoon antwoord")])


class _Action:
    def name(self) -> str:
        return "action_test"


class _Tracker:
    events = (UserUttered("hoi"),)


async def test_run_with_fallback_times_out_and_fails_politely() -> None:
    async def hang(*_args):
        await asyncio.sleep(10)

    async def crash(*_args):
        raise RuntimeError("action server said 500")

    async def works(*_args):
        return [BotUttered("klaar")]

    args = (None, None, _Tracker(), None)
    for run in (hang, crash):
        events = await run_with_fallback(run, _Action(), 0.05, *args)
        assert [e.text for e in events if isinstance(e, BotUttered)] == [ACTION_UNAVAILABLE]
    assert [e.text for e in await run_with_fallback(works, _Action(), 1, *args)] == ["klaar"]


def test_failing_part_names_the_service() -> None:
    import redis.exceptions

    assert "Redis" in failing_part(redis.exceptions.ConnectionError("refused"))
    try:
        try:
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))
        except Exception as inner:
            raise RuntimeError("wrapped") from inner
    except RuntimeError as outer:
        assert failing_part(outer) == "tracker database unreachable"
    assert failing_part(ValueError("x")) == "unexpected error"


class _Collector:
    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send_text_message(self, _recipient: str, text: str) -> None:
        self.texts.append(text)


class _Message:
    def __init__(self, text: str) -> None:
        self.text = text
        self.sender_id = "p1"
        self.output_channel = _Collector()


async def test_guard_failures_answers_in_dutch_and_limits_per_sender() -> None:
    started = asyncio.Event()
    release = asyncio.Event()

    async def slow(message):
        started.set()
        await release.wait()

    async def broken(message):
        raise ConnectionError("redis down")

    message = _Message("hoi")
    await guard_failures(broken, PendingLimiter(1))(message)
    assert message.output_channel.texts == [SERVICE_UNAVAILABLE]

    handler = guard_failures(slow, PendingLimiter(1))
    first = asyncio.create_task(handler(_Message("een")))
    await started.wait()
    second = _Message("twee")
    await handler(second)
    assert second.output_channel.texts == [TOO_MANY_AT_ONCE]
    release.set()
    await first
    third = _Message("drie")
    await handler(third)
    assert third.output_channel.texts == []


def test_backoff_is_capped() -> None:
    delays = backoff_delays()
    assert [next(delays) for _ in range(6)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


async def test_retry_db_bridges_transient_errors_only(tmp_path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'x.db'}")
    calls = {"n": 0}

    def flaky() -> int:
        calls["n"] += 1
        if calls["n"] < 3:
            raise sa.exc.OperationalError("SELECT 1", {}, Exception("server closed"))
        with engine.connect() as conn:
            return conn.execute(sa.text("SELECT 7")).scalar()

    assert await retry_db(flaky, 10, "test") == 7
    assert calls["n"] == 3
    assert is_transient(sa.exc.OperationalError("x", {}, Exception("y")))
    assert not is_transient(ValueError("no"))

    def never() -> None:
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("down"))

    with pytest.raises(sa.exc.OperationalError):
        await retry_db(never, 0.5, "test")

    def wrong() -> None:
        raise sa.exc.IntegrityError("INSERT", {}, Exception("dup"))

    with pytest.raises(sa.exc.IntegrityError):
        await retry_db(wrong, 10, "test")
    engine.dispose()
