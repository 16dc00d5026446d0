"""bot/shared_state.py and its users, against the real Redis on 127.0.0.1:6379 and in memory.

Every test uses a key prefix of its own and deletes its keys afterwards. The users (widget
replay buffer and resend de-duplication, Teams redelivery, the provider rate limit and the
pending limit) are run as two "instances" sharing one Redis, as in ``make scale``.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from bot.channels.guards import PendingLimiter
from bot.channels.teams.dispatch import RecentIds
from bot.channels.widget.socket import SessionBook, SharedSessionBook
from bot.config import Settings
from bot.ledger.ratelimit import RateLimiter
from bot.shared_state import (
    FallbackState,
    MemoryState,
    RedisState,
    SharedState,
    build_shared_state,
    hashed_key,
)

SECRET = "unit-test-identity-secret-0123456789abcdef"
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis(REDIS_HOST, REDIS_PORT, db=0, decode_responses=True)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.fail("Redis is not running on 127.0.0.1:6379")
    yield client
    client.close()


@pytest.fixture
def prefix(redis_client: redis.Redis) -> Iterator[str]:
    chosen = f"koers-test-{uuid.uuid4().hex[:12]}:"
    yield chosen
    for key in redis_client.scan_iter(match=chosen + "*"):
        redis_client.delete(key)


@pytest.fixture
def redis_state(redis_client: redis.Redis, prefix: str) -> RedisState:
    return RedisState(redis_client, prefix)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest, redis_client: redis.Redis, prefix: str) -> SharedState:
    if request.param == "memory":
        return MemoryState()
    return RedisState(redis_client, prefix)


def test_claim_get_put_touch(state: SharedState) -> None:
    assert state.claim("a", "mine", 60) is None
    assert state.claim("a", "yours", 60) == "mine"
    assert state.get("a") == "mine"
    state.put("a", "done", 60)
    assert state.claim("a", "x", 60) == "done"
    state.touch("a", 60)
    assert state.get("missing") is None


def test_numbers_lists_and_limits(state: SharedState) -> None:
    assert [state.next_number("n", 60) for _ in range(3)] == [1, 2, 3]
    for i in range(7):
        state.push("l", f"m{i}", 3, 60)
    assert state.items("l") == ["m4", "m5", "m6"]
    assert state.items("nothing") == []
    assert state.acquire("p", 2, 60) and state.acquire("p", 2, 60)
    assert not state.acquire("p", 2, 60)
    state.release("p")
    assert state.acquire("p", 2, 60)
    for _ in range(5):
        state.release("p")  # more releases than acquires never go below zero
    assert state.acquire("p", 1, 60) and not state.acquire("p", 1, 60)
    assert state.acquire("unlimited", 0, 60)


def test_token_bucket(state: SharedState) -> None:
    now = 5000.0
    assert [state.take_token("t", 3, 3 / 60, now) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert state.take_token("t", 3, 3 / 60, now) == pytest.approx(20.0)
    assert state.take_token("t", 3, 3 / 60, now + 20.0) == 0.0
    assert state.take_token("other", 3, 3 / 60, now) == 0.0


def test_redis_keys_expire(redis_state: RedisState, redis_client: redis.Redis,
                           prefix: str) -> None:  # fmt: skip
    redis_state.claim("lease", "x", 0.2)
    redis_state.next_number("n", 0.2)
    redis_state.push("l", "v", 5, 0.2)
    redis_state.acquire("p", 5, 0.2)
    time.sleep(0.35)
    assert list(redis_client.scan_iter(match=prefix + "*")) == []


def test_memory_state_expires_and_is_bounded() -> None:
    clock = Clock()
    state = MemoryState(max_keys=3, clock=clock)
    state.claim("a", "x", 10)
    clock.now += 11
    assert state.get("a") is None and state.claim("a", "y", 10) is None
    for key in "bcde":
        state.put(key, key, 10)
    assert state.get("a") is None and state.get("e") == "e"  # the least recently used went


def test_every_key_is_hashed_has_a_ttl_and_no_raw_text(redis_client: redis.Redis,
                                                        prefix: str) -> None:  # fmt: skip
    """Everything the channels keep in Redis: keys are HMACs, values hold no text or id."""
    store = RedisState(redis_client, prefix)
    session_id, client_id, conversation = uuid.uuid4().hex, "client-msg-17", "a:1TeamsConv"
    book = SharedSessionBook(store, SECRET)
    book.record(session_id, {"text": "Je vouchercode is KV-ABCD-1234"})
    assert book.first_time(session_id, client_id)
    RecentIds(store=store, secret=SECRET).seen_before(f"{conversation}|activity-9")
    RateLimiter(5, store=store, secret=SECRET).hit("key:provider-key-hash")
    PendingLimiter(5, store, SECRET).enter("rest:employee-sender-id")
    keys = list(redis_client.scan_iter(match=prefix + "*"))
    assert len(keys) == 7  # epoch, seq, sent, client id, activity, rate bucket, pending
    dumped = ""
    for key in keys:
        assert 0 < redis_client.pttl(key) <= 3_600_000, key
        kind = redis_client.type(key)
        value = {"string": redis_client.get, "list": lambda k: redis_client.lrange(k, 0, -1),
                 "hash": redis_client.hgetall}[kind](key)  # fmt: skip
        dumped += f"{key}={value}\n"
    for raw in (session_id, client_id, conversation, "activity-9", "KV-ABCD", "voucher",
                "provider-key", "employee-sender"):  # fmt: skip
        assert raw not in dumped


def test_hashed_key_depends_on_the_secret() -> None:
    assert hashed_key("s1", "p", "x") == hashed_key("s1", "p", "x")
    assert hashed_key("s1", "p", "x") != hashed_key("s2", "p", "x")
    assert hashed_key("s1", "p", "x") != hashed_key("s1", "q", "x")


def test_no_redis_configured_means_memory_as_before() -> None:
    assert build_shared_state(Settings()) is None
    assert isinstance(RateLimiter.from_settings(5, Settings())._store, type(None))
    settings = Settings(redis_host=REDIS_HOST, redis_port=REDIS_PORT, pseudonym_secret=SECRET)
    assert isinstance(build_shared_state(settings), FallbackState)


# --- the users, as two instances on one Redis ----------------------------------------------


def test_widget_replay_buffer_is_shared_and_encrypted(redis_client: redis.Redis,
                                                      prefix: str) -> None:  # fmt: skip
    one = SharedSessionBook(RedisState(redis_client, prefix), SECRET, max_messages=3)
    two = SharedSessionBook(RedisState(redis_client, prefix), SECRET, max_messages=3)
    session = uuid.uuid4().hex
    assert not two.known(session)
    for i in range(5):
        one.record(session, {"text": f"bericht {i}"})
    epoch = two.epoch(session)
    assert epoch == one.epoch(session) and two.known(session)
    assert [m["koers_seq"] for m in two.missed(session, epoch, 0)] == [3, 4, 5]
    assert [m["text"] for m in two.missed(session, epoch, 4)] == ["bericht 4"]
    assert len(two.missed(session, "another-epoch", 4)) == 3
    assert two.record(session, {"text": "x"})["koers_seq"] == 6  # one numbering for both
    assert two.last_seq(session) == 6
    other_secret = SharedSessionBook(RedisState(redis_client, prefix), SECRET[::-1])
    assert other_secret.missed(session, epoch, 0) == []  # another key: nothing readable


async def test_widget_resend_is_handled_once_across_instances(redis_client: redis.Redis,
                                                              prefix: str) -> None:  # fmt: skip
    one = SharedSessionBook(RedisState(redis_client, prefix), SECRET, lease_seconds=0.6)
    two = SharedSessionBook(RedisState(redis_client, prefix), SECRET, lease_seconds=0.6,
                            busy_wait_seconds=5)  # fmt: skip
    session = uuid.uuid4().hex
    assert await one.begin(session, "c1")
    waiting = asyncio.ensure_future(two.begin(session, "c1"))
    await asyncio.sleep(1.0)  # longer than the lease: instance one keeps renewing it
    assert not waiting.done()
    one.finish(session, "c1")
    assert await asyncio.wait_for(waiting, 2) is False  # handled by one: a duplicate
    assert await two.begin(session, "c1") is False
    assert await two.begin(session, "c2") is True
    two.finish(session, "c2")


async def test_a_dead_instances_message_is_handled_after_its_lease(
    redis_client: redis.Redis, prefix: str
) -> None:
    one = SharedSessionBook(RedisState(redis_client, prefix), SECRET, lease_seconds=0.4)
    two = SharedSessionBook(RedisState(redis_client, prefix), SECRET, lease_seconds=0.4)
    session = uuid.uuid4().hex
    assert await one.begin(session, "c1")
    for lease in one._leases.values():  # instance one dies: nobody renews its lease
        lease.cancel()
    started = time.monotonic()
    assert await two.begin(session, "c1") is True
    assert 0.2 < time.monotonic() - started < 2
    two.finish(session, "c1")


def test_memory_book_keeps_its_behaviour() -> None:
    book = SessionBook()
    assert asyncio.run(book.begin("s", "c")) and not asyncio.run(book.begin("s", "c"))
    book.record("s", {"text": "a"})
    assert book.last_seq("s") == 1


def test_teams_redelivery_to_the_other_instance_is_dropped(redis_client: redis.Redis,
                                                           prefix: str) -> None:  # fmt: skip
    one = RecentIds(store=RedisState(redis_client, prefix), secret=SECRET)
    two = RecentIds(store=RedisState(redis_client, prefix), secret=SECRET)
    assert not one.seen_before("conv|act-1")
    assert two.seen_before("conv|act-1")
    assert not two.seen_before("conv|act-2")


def test_provider_rate_limit_holds_for_all_processes(redis_client: redis.Redis,
                                                     prefix: str) -> None:  # fmt: skip
    now = [10_000.0]
    one = RateLimiter(3, store=RedisState(redis_client, prefix), secret=SECRET,
                      clock=lambda: now[0])  # fmt: skip
    two = RateLimiter(3, store=RedisState(redis_client, prefix), secret=SECRET,
                      clock=lambda: now[0])  # fmt: skip
    assert [one.hit("k"), two.hit("k"), one.hit("k")] == [0.0, 0.0, 0.0]
    assert two.hit("k") == pytest.approx(20.0)
    now[0] += 20
    assert two.hit("k") == 0.0


def test_pending_limit_holds_for_all_instances(redis_client: redis.Redis, prefix: str) -> None:
    one = PendingLimiter(2, RedisState(redis_client, prefix), SECRET)
    two = PendingLimiter(2, RedisState(redis_client, prefix), SECRET)
    assert one.enter("sender") and two.enter("sender")
    assert not one.enter("sender") and not two.enter("sender")
    one.leave("sender")
    assert two.enter("sender")


# --- Redis away: memory, no crash, bounded time -------------------------------------------


def unreachable_redis() -> RedisState:
    return RedisState.connect("127.0.0.1", 1, 0, prefix="koers-test-down:")  # nothing on port 1


def test_redis_down_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    state = FallbackState(unreachable_redis())
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.shared_state"):
        assert state.claim("a", "x", 60) is None and state.claim("a", "y", 60) == "x"
        assert state.next_number("n", 60) == 1
        assert state.acquire("p", 1, 60) and not state.acquire("p", 1, 60)
        assert state.take_token("t", 1, 1, 0.0) == 0.0
    assert time.monotonic() - started < 2
    assert state.degraded
    warnings = [r for r in caplog.records if "shared state (Redis) unreachable" in r.message]
    assert len(warnings) == 1  # once per outage window, not per call


def test_back_to_redis_after_the_retry_window() -> None:
    class Flaky(MemoryState):
        down = True

        def claim(self, key: str, value: str, ttl: float) -> str | None:
            if self.down:
                raise redis.ConnectionError("down")
            return super().claim(key, value, ttl)

    clock, redis_like = Clock(), Flaky()
    state = FallbackState(redis_like, retry_seconds=5, clock=clock)
    assert state.claim("k", "memory", 60) is None  # Redis away: memory
    redis_like.down = False
    assert state.claim("k", "x", 60) == "memory"  # still inside the retry window: memory
    clock.now += 6
    assert state.claim("k", "redis", 60) is None  # Redis again
    assert redis_like.get("k") == "redis" and not state.degraded


async def test_widget_book_and_limits_keep_working_while_redis_is_down() -> None:
    store = FallbackState(unreachable_redis())
    book = SharedSessionBook(store, SECRET)
    assert await book.begin("s", "c1")
    book.finish("s", "c1")
    assert await book.begin("s", "c1") is False  # no second turn for a resend
    numbered = book.record("s", {"text": "hoi"})
    assert book.missed("s", numbered["koers_epoch"], 0) == [numbered]
    assert not RecentIds(store=store, secret=SECRET).seen_before("c|a")
    assert PendingLimiter(1, store, SECRET).enter("x")
    assert RateLimiter(1, store=store, secret=SECRET).hit("k") == 0.0


async def test_a_real_redis_that_stops_and_comes_back() -> None:
    """A private redis-server stopped mid-conversation: memory meanwhile, then Redis again."""
    from tools.devservices import running_redis

    with running_redis() as server:
        store = FallbackState(RedisState.connect("127.0.0.1", server.port), retry_seconds=0.5)
        book = SharedSessionBook(store, SECRET)
        assert book.record("s", {"text": "een"})["koers_seq"] == 1
        server.stop()
        started = time.monotonic()
        assert book.record("s", {"text": "twee"})["text"] == "twee"  # memory meanwhile
        assert await book.begin("s", "c1")
        book.finish("s", "c1")
        assert await book.begin("s", "c1") is False  # a resend is still not handled twice
        assert PendingLimiter(1, store, SECRET).enter("x")
        assert time.monotonic() - started < 3 and store.degraded
        server.start()  # an empty Redis (no persistence), as after a Redis restart
        await asyncio.sleep(0.6)
        numbered = book.record("s2", {"text": "drie"})
        assert not store.degraded
        elsewhere = SharedSessionBook(RedisState.connect("127.0.0.1", server.port), SECRET)
        assert elsewhere.missed("s2", numbered["koers_epoch"], 0) == [numbered]  # Redis again


async def test_the_pending_limit_answers_in_dutch_across_instances(
    redis_client: redis.Redis, prefix: str
) -> None:
    """Two instances' channel guards share one count: the second instance says it politely."""
    from bot.channels.guards import guard_failures
    from bot.rasa_ext.texts import TOO_MANY_AT_ONCE
    from tests.test_resilience import _Message

    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(message: object) -> None:
        started.set()
        await release.wait()

    one = guard_failures(slow, PendingLimiter(1, RedisState(redis_client, prefix), SECRET))
    two = guard_failures(slow, PendingLimiter(1, RedisState(redis_client, prefix), SECRET))
    first = asyncio.ensure_future(one(_Message("een")))
    await started.wait()
    second = _Message("twee")
    await two(second)
    assert second.output_channel.texts == [TOO_MANY_AT_ONCE]
    release.set()
    await first
    third = _Message("drie")
    await two(third)
    assert third.output_channel.texts == []
    assert list(redis_client.scan_iter(match=prefix + "*")) == []  # nothing left behind
