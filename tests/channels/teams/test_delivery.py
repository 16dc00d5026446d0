"""Replies survive a slow, throttling or failing Bot Connector: retried with backoff, bounded,
and every reply arrives exactly once, in order."""

from __future__ import annotations

import asyncio
import itertools
import logging
import random
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest

from bot.channels.teams.connector import RetryPolicy, parse_retry_after
from tests.channels.teams.conftest import Harness, channel_config, fast_retries


async def test_429_is_retried_after_retry_after_and_nothing_is_lost(harness: Harness) -> None:
    harness.fake.connector_faults = [429, 429]
    harness.fake.retry_after = "1"
    server = await harness.start()

    await server.post(harness.fake.activity("reeks 3"))

    delivered = await server.wait_for_deliveries(3)
    assert delivered == [f"reeks 3 bericht {n}" for n in (1, 2, 3)]
    assert harness.fake.refused == [429, 429]
    # Retry-After: 1 honoured twice (base delay is only 0.05 s)
    gaps = [b - a for a, b in itertools.pairwise(harness.fake.call_times)]
    assert gaps[0] >= 0.95 and gaps[1] >= 0.95


@pytest.mark.parametrize("faults", [[503, 503, 503], [500, 502, 504], [503, 429, 500, 503]])
async def test_5xx_is_retried_with_backoff(harness: Harness, faults: list[int]) -> None:
    harness.fake.connector_faults = list(faults)
    harness.fake.retry_after = "0"
    server = await harness.start()

    await server.post(harness.fake.activity("reeks 4"))

    assert await server.wait_for_deliveries(4) == [f"reeks 4 bericht {n}" for n in range(1, 5)]
    assert harness.fake.refused == faults
    assert harness.fake.connector_calls == 4 + len(faults)


async def test_slow_connector_keeps_order_and_the_webhook_answers_at_once(
    harness: Harness,
) -> None:
    harness.fake.connector_delay_seconds = 0.4
    server = await harness.start()

    started = time.monotonic()
    first = await server.post(harness.fake.activity("reeks 3"))
    second = await server.post(harness.fake.activity("reeks 2"))
    answered_in = time.monotonic() - started

    assert first.status == second.status == 200
    assert answered_in < 1.0  # Rasa + connector time does not hold up the Bot Framework
    delivered = await server.wait_for_deliveries(5)
    assert delivered == [
        "reeks 3 bericht 1",
        "reeks 3 bericht 2",
        "reeks 3 bericht 3",
        "reeks 2 bericht 1",
        "reeks 2 bericht 2",
    ]


async def test_bursts_from_several_conversations_all_arrive_once_in_order(
    harness: Harness,
) -> None:
    harness.fake.connector_faults = [503, 429, 503, 500, 429, 502]
    harness.fake.retry_after = "0"
    server = await harness.start(
        channel_config(harness.fake.base_url, retry=fast_retries(max_attempts=8))
    )
    conversations = [f"a:conv-{n}" for n in range(3)]
    for round_ in range(3):
        for conversation in conversations:
            activity = harness.fake.activity(
                f"{conversation} {round_}", conversation={"id": conversation}
            )
            await server.post(activity)

    await server.wait_for_deliveries(9)
    for conversation in conversations:
        got = [
            d.activity["text"] for d in harness.fake.deliveries if d.conversation_id == conversation
        ]
        assert got == [f"je zei: {conversation} {r}" for r in range(3)]


async def test_revoked_token_is_replaced_once(harness: Harness) -> None:
    server = await harness.start()
    await server.post(harness.fake.activity("een"))
    await server.wait_for_deliveries(1)

    harness.fake.issued_tokens.clear()  # the connector no longer accepts the cached token
    await server.post(harness.fake.activity("twee"))

    assert await server.wait_for_deliveries(2) == ["je zei: een", "je zei: twee"]
    assert len(harness.fake.token_requests) == 2
    assert harness.fake.refused == [401]


async def test_retries_are_bounded_and_the_next_reply_still_goes_out(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    harness.fake.connector_faults = [503] * 5
    harness.fake.retry_after = "0"
    server = await harness.start()

    with caplog.at_level(logging.ERROR, logger="bot.channels.teams.channel"):
        await server.post(harness.fake.activity("kwijt"))
        await server.post(harness.fake.activity("daarna"))
        assert await server.wait_for_deliveries(1) == ["je zei: daarna"]

    assert harness.fake.connector_calls == 5 + 1  # max_attempts for the first, then one
    assert "not delivered after 5 attempts" in caplog.text
    assert "kwijt" not in caplog.text


async def test_client_errors_are_not_retried(harness: Harness) -> None:
    harness.fake.connector_faults = [400]
    server = await harness.start()
    await server.post(harness.fake.activity("fout"))
    await server.post(harness.fake.activity("goed"))
    assert await server.wait_for_deliveries(1) == ["je zei: goed"]
    assert harness.fake.connector_calls == 2


def test_backoff_grows_exponentially_with_bounded_jitter() -> None:
    policy = RetryPolicy(base_delay_seconds=0.5, max_delay_seconds=8.0, rng=random.Random(7))
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 8.0), (9, 8.0)]:
        delays = [policy.backoff(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # really jittered
    assert policy.delay(1, retry_after=3.0) == 3.0
    assert policy.delay(1, retry_after=600.0) == 8.0  # capped


def test_retry_after_header_forms() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    now = datetime(2024, 5, 1, 9, 0, 0, tzinfo=timezone.utc)
    header = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after(header, now=now.timestamp()) == pytest.approx(30.0)
    assert parse_retry_after(format_datetime(now, usegmt=True), now=now.timestamp() + 5) == 0.0


async def test_sleep_is_not_blocking_the_event_loop(harness: Harness) -> None:
    """While a reply waits for Retry-After, other conversations are served."""
    harness.fake.connector_faults = [429]
    harness.fake.retry_after = "1"
    server = await harness.start()
    await server.post(harness.fake.activity("eerste", conversation={"id": "a:een"}))
    await asyncio.sleep(0.2)  # the first reply is now waiting for its retry
    await server.post(harness.fake.activity("tweede", conversation={"id": "a:twee"}))
    delivered = await server.wait_for_deliveries(2)
    assert delivered == ["je zei: tweede", "je zei: eerste"]
