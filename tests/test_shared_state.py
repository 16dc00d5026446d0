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


def on_redis(prefix: str) -> RedisState:
    """One "instance's" client of the test Redis (its own connections, as another process)."""
    return RedisState(REDIS_HOST, REDIS_PORT, 0, prefix)


@pytest.fixture
def redis_state(redis_client: redis.Redis, prefix: str) -> RedisState:
    return on_redis(prefix)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["memory", "redis"])
def state(request: pytest.FixtureRequest, redis_client: redis.Redis, prefix: str) -> SharedState:
    if request.param == "memory":
        return MemoryState()
    return on_redis(prefix)


async def test_claim_get_put_touch(state: SharedState) -> None:
    assert await state.claim("a", "mine", 60) is None
    assert await state.claim("a", "yours", 60) == "mine"
    assert await state.get("a") == "mine"
    await state.put("a", "done", 60)
    assert await state.claim("a", "x", 60) == "done"
    await state.touch("a", 60)
    assert await state.get("missing") is None


async def test_numbers_lists_and_limits(state: SharedState) -> None:
    assert [await state.next_number("n", 60) for _ in range(3)] == [1, 2, 3]
    for i in range(7):
        await state.push("l", f"m{i}", 3, 60)
    assert await state.items("l") == ["m4", "m5", "m6"]
    assert await state.items("nothing") == []
    assert await state.acquire("p", 2, 60) and await state.acquire("p", 2, 60)
    assert not await state.acquire("p", 2, 60)
    await state.release("p")
    assert await state.acquire("p", 2, 60)
    for _ in range(5):
        await state.release("p")  # more releases than acquires never go below zero
    assert await state.acquire("p", 1, 60) and not await state.acquire("p", 1, 60)
    assert await state.acquire("unlimited", 0, 60)


async def test_token_bucket(state: SharedState) -> None:
    now = 5000.0
    assert [await state.take_token("t", 3, 3 / 60, now) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await state.take_token("t", 3, 3 / 60, now) == pytest.approx(20.0)
    assert await state.take_token("t", 3, 3 / 60, now + 20.0) == 0.0
    assert await state.take_token("other", 3, 3 / 60, now) == 0.0


async def test_redis_keys_expire(
    redis_state: RedisState, redis_client: redis.Redis, prefix: str
) -> None:
    await redis_state.claim("lease", "x", 0.2)
    await redis_state.next_number("n", 0.2)
    await redis_state.push("l", "v", 5, 0.2)
    await redis_state.acquire("p", 5, 0.2)
    time.sleep(0.35)
    assert list(redis_client.scan_iter(match=prefix + "*")) == []


async def test_memory_state_expires_and_is_bounded() -> None:
    clock = Clock()
    state = MemoryState(max_keys=3, clock=clock)
    await state.claim("a", "x", 10)
    clock.now += 11
    assert await state.get("a") is None and await state.claim("a", "y", 10) is None
    for key in "bcde":
        await state.put(key, key, 10)
    assert await state.get("a") is None
    assert await state.get("e") == "e"  # the least recently used went


async def test_every_key_is_hashed_has_a_ttl_and_no_raw_text(
    redis_client: redis.Redis, prefix: str
) -> None:
    """Everything the channels keep in Redis: keys are HMACs, values hold no text or id."""
    store = on_redis(prefix)
    session_id, client_id, conversation = uuid.uuid4().hex, "client-msg-17", "a:1TeamsConv"
    book = SharedSessionBook(store, SECRET)
    await book.record(session_id, {"text": "Je vouchercode is KV-ABCD-1234"})
    assert await book.first_time(session_id, client_id)
    await RecentIds(store=store, secret=SECRET).seen_before(f"{conversation}|activity-9")
    await RateLimiter(5, store=store, secret=SECRET).hit("key:provider-key-hash")
    await PendingLimiter(5, store, SECRET).enter("rest:employee-sender-id")
    keys = list(redis_client.scan_iter(match=prefix + "*"))
    assert len(keys) == 7  # epoch, seq, sent, client id, activity, rate bucket, pending
    dumped = ""
    for key in keys:
        assert 0 < redis_client.pttl(key) <= 3_600_000, key
        kind = redis_client.type(key)
        value = {
            "string": redis_client.get,
            "list": lambda k: redis_client.lrange(k, 0, -1),
            "hash": redis_client.hgetall,
        }[kind](key)
        dumped += f"{key}={value}\n"
    for raw in (
        session_id,
        client_id,
        conversation,
        "activity-9",
        "KV-ABCD",
        "voucher",
        "provider-key",
        "employee-sender",
    ):
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


async def test_widget_replay_buffer_is_shared_and_encrypted(
    redis_client: redis.Redis, prefix: str
) -> None:
    one = SharedSessionBook(on_redis(prefix), SECRET, max_messages=3)
    two = SharedSessionBook(on_redis(prefix), SECRET, max_messages=3)
    session = uuid.uuid4().hex
    assert not await two.known(session)
    for i in range(5):
        await one.record(session, {"text": f"bericht {i}"})
    epoch = await two.epoch(session)
    assert epoch == await one.epoch(session) and await two.known(session)
    assert [m["koers_seq"] for m in await two.missed(session, epoch, 0)] == [3, 4, 5]
    assert [m["text"] for m in await two.missed(session, epoch, 4)] == ["bericht 4"]
    assert len(await two.missed(session, "another-epoch", 4)) == 3
    assert (await two.record(session, {"text": "x"}))["koers_seq"] == 6  # one numbering for both
    assert await two.last_seq(session) == 6
    other_secret = SharedSessionBook(on_redis(prefix), SECRET[::-1])
    assert await other_secret.missed(session, epoch, 0) == []  # another key: nothing readable


async def test_widget_resend_is_handled_once_across_instances(
    redis_client: redis.Redis, prefix: str
) -> None:
    one = SharedSessionBook(on_redis(prefix), SECRET, lease_seconds=0.6)
    two = SharedSessionBook(on_redis(prefix), SECRET, lease_seconds=0.6, busy_wait_seconds=5)
    session = uuid.uuid4().hex
    assert await one.begin(session, "c1")
    waiting = asyncio.ensure_future(two.begin(session, "c1"))
    await asyncio.sleep(1.0)  # longer than the lease: instance one keeps renewing it
    assert not waiting.done()
    await one.finish(session, "c1")
    assert await asyncio.wait_for(waiting, 2) is False  # handled by one: a duplicate
    assert await two.begin(session, "c1") is False
    assert await two.begin(session, "c2") is True
    await two.finish(session, "c2")


async def test_a_dead_instances_message_is_handled_after_its_lease(
    redis_client: redis.Redis, prefix: str
) -> None:
    one = SharedSessionBook(on_redis(prefix), SECRET, lease_seconds=0.4)
    two = SharedSessionBook(on_redis(prefix), SECRET, lease_seconds=0.4)
    session = uuid.uuid4().hex
    assert await one.begin(session, "c1")
    for lease in one._leases.values():  # instance one dies: nobody renews its lease
        lease.cancel()
    started = time.monotonic()
    assert await two.begin(session, "c1") is True
    assert 0.2 < time.monotonic() - started < 2
    await two.finish(session, "c1")


async def test_memory_book_keeps_its_behaviour() -> None:
    book = SessionBook()
    assert await book.begin("s", "c") and not await book.begin("s", "c")
    await book.record("s", {"text": "a"})
    assert await book.last_seq("s") == 1


async def test_teams_redelivery_to_the_other_instance_is_dropped(
    redis_client: redis.Redis, prefix: str
) -> None:
    one = RecentIds(store=on_redis(prefix), secret=SECRET)
    two = RecentIds(store=on_redis(prefix), secret=SECRET)
    assert not await one.seen_before("conv|act-1")
    assert await two.seen_before("conv|act-1")
    assert not await two.seen_before("conv|act-2")


async def test_provider_rate_limit_holds_for_all_processes(
    redis_client: redis.Redis, prefix: str
) -> None:
    now = [10_000.0]
    one = RateLimiter(3, store=on_redis(prefix), secret=SECRET, clock=lambda: now[0])
    two = RateLimiter(3, store=on_redis(prefix), secret=SECRET, clock=lambda: now[0])
    assert [await one.hit("k"), await two.hit("k"), await one.hit("k")] == [0.0, 0.0, 0.0]
    assert await two.hit("k") == pytest.approx(20.0)
    now[0] += 20
    assert await two.hit("k") == 0.0


async def test_pending_limit_holds_for_all_instances(prefix: str) -> None:
    one = PendingLimiter(2, on_redis(prefix), SECRET)
    two = PendingLimiter(2, on_redis(prefix), SECRET)
    assert await one.enter("sender") and await two.enter("sender")
    assert not await one.enter("sender") and not await two.enter("sender")
    await one.leave("sender")
    assert await two.enter("sender")


# --- Redis away: memory, no crash, bounded time -------------------------------------------


def unreachable_redis() -> RedisState:
    return RedisState.connect("127.0.0.1", 1, 0, prefix="koers-test-down:")  # nothing on port 1


async def test_redis_down_falls_back_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    state = FallbackState(unreachable_redis())
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="bot.shared_state"):
        assert await state.claim("a", "x", 60) is None
        assert await state.claim("a", "y", 60) == "x"
        assert await state.next_number("n", 60) == 1
        assert await state.acquire("p", 1, 60) and not await state.acquire("p", 1, 60)
        assert await state.take_token("t", 1, 1, 0.0) == 0.0
    assert time.monotonic() - started < 2
    assert state.degraded
    warnings = [r for r in caplog.records if "shared state (Redis) unreachable" in r.message]
    assert len(warnings) == 1  # once per outage window, not per call


async def test_back_to_redis_after_the_retry_window() -> None:
    class Flaky(MemoryState):
        down = True

        async def claim(self, key: str, value: str, ttl: float) -> str | None:
            if self.down:
                raise redis.ConnectionError("down")
            return await super().claim(key, value, ttl)

    clock, redis_like = Clock(), Flaky()
    state = FallbackState(redis_like, retry_seconds=5, clock=clock)
    assert await state.claim("k", "memory", 60) is None  # Redis away: memory
    redis_like.down = False
    assert await state.claim("k", "x", 60) == "memory"  # still inside the retry window: memory
    clock.now += 6
    assert await state.claim("k", "redis", 60) is None  # Redis again
    assert await redis_like.get("k") == "redis" and not state.degraded


async def test_widget_book_and_limits_keep_working_while_redis_is_down() -> None:
    store = FallbackState(unreachable_redis())
    book = SharedSessionBook(store, SECRET)
    assert await book.begin("s", "c1")
    await book.finish("s", "c1")
    assert await book.begin("s", "c1") is False  # no second turn for a resend
    numbered = await book.record("s", {"text": "hoi"})
    assert await book.missed("s", numbered["koers_epoch"], 0) == [numbered]
    assert not await RecentIds(store=store, secret=SECRET).seen_before("c|a")
    assert await PendingLimiter(1, store, SECRET).enter("x")
    assert await RateLimiter(1, store=store, secret=SECRET).hit("k") == 0.0


async def test_a_real_redis_that_stops_and_comes_back() -> None:
    """A private redis-server stopped mid-conversation: memory meanwhile, then Redis again."""
    from tools.devservices import running_redis

    with running_redis() as server:
        store = FallbackState(RedisState.connect("127.0.0.1", server.port), retry_seconds=0.5)
        book = SharedSessionBook(store, SECRET)
        assert (await book.record("s", {"text": "een"}))["koers_seq"] == 1
        server.stop()
        started = time.monotonic()
        assert (await book.record("s", {"text": "twee"}))["text"] == "twee"  # memory meanwhile
        assert await book.begin("s", "c1")
        await book.finish("s", "c1")
        assert await book.begin("s", "c1") is False  # a resend is still not handled twice
        assert await PendingLimiter(1, store, SECRET).enter("x")
        assert time.monotonic() - started < 3 and store.degraded
        server.start()  # an empty Redis (no persistence), as after a Redis restart
        await asyncio.sleep(0.6)
        numbered = await book.record("s2", {"text": "drie"})
        assert not store.degraded
        elsewhere = SharedSessionBook(RedisState.connect("127.0.0.1", server.port), SECRET)
        again = await elsewhere.missed("s2", numbered["koers_epoch"], 0)
        assert again == [numbered]  # Redis again


async def test_the_pending_limit_answers_in_dutch_across_instances(
    redis_client: redis.Redis, prefix: str
) -> None:
    """Two instances' channel guards share one count: the second instance says it politely."""
    from bot.channels.guards import guard_failures
    from bot.rasa_ext.texts import TOO_MANY_AT_ONCE
    from tests.rasa_ext.test_resilience import _Message

    release = asyncio.Event()
    started = asyncio.Event()

    async def slow(message: object) -> None:
        started.set()
        await release.wait()

    one = guard_failures(slow, PendingLimiter(1, on_redis(prefix), SECRET))
    two = guard_failures(slow, PendingLimiter(1, on_redis(prefix), SECRET))
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


# --- a Redis that accepts and never answers: the event loop keeps running ----------------


async def test_a_stalled_redis_does_not_block_the_event_loop() -> None:
    """Redis behind a proxy that stops forwarding (a hung host): the shared-state call times
    out and falls back to memory while another coroutine (a heartbeat) keeps its rhythm."""
    from tests.loopback_proxy import LoopbackProxy, loop_ticks, tick_gaps

    proxy = LoopbackProxy(REDIS_PORT).start()
    prefix = f"koers-test-{uuid.uuid4().hex[:12]}:"
    primary = RedisState("127.0.0.1", proxy.port, 0, prefix)
    store = FallbackState(primary)
    book = SharedSessionBook(store, SECRET)
    try:
        assert (await book.record("s", {"text": "een"}))["koers_seq"] == 1  # Redis, via proxy
        proxy.stall()
        async with loop_ticks() as ticks:
            started = time.monotonic()
            assert await book.begin("s", "c1")  # times out on Redis, then memory
            took = time.monotonic() - started
        assert store.degraded
        assert 0.3 < took < 2.0  # bounded by the socket/operation timeouts
        gaps = tick_gaps(ticks)
        # the loop never stood still: a blocking client would stop it for the whole 0.5 s
        assert len(ticks) >= 5 and max(gaps) < 0.4, gaps
        await book.finish("s", "c1")
        assert await book.begin("s", "c1") is False  # memory: still no second turn
        assert await PendingLimiter(1, store, SECRET).enter("x")
    finally:
        proxy.resume()
        await primary.aclose()
        proxy.stop()
        cleanup = redis.Redis(REDIS_HOST, REDIS_PORT, decode_responses=True)
        for key in cleanup.scan_iter(match=prefix + "*"):
            cleanup.delete(key)
        cleanup.close()


# --- sliding-window tries (typed codes, the dashboard's argon2 budget) --------------------


async def test_count_tries_is_a_sliding_window(state: SharedState) -> None:
    assert await state.count_tries(["a"], 2, 60, 100.0)
    assert await state.count_tries(["a"], 2, 60, 101.0)
    assert not await state.count_tries(["a"], 2, 60, 102.0)
    assert not await state.count_tries(["b", "a"], 2, 60, 103.0)  # one full: nothing counted
    assert await state.count_tries(["b"], 2, 60, 104.0)
    assert not await state.count_tries(["b"], 1, 60, 104.0)  # b has one (the refusal left none)
    assert await state.count_tries(["a", "b"], 2, 60, 160.5)  # a's first try left the window


async def test_typed_code_tries_are_shared_by_two_instances(prefix: str) -> None:
    from bot.ledger.tries import TryLimiter

    one = TryLimiter(3, 3600, store=on_redis(prefix), secret=SECRET)
    two = TryLimiter(3, 3600, store=on_redis(prefix), secret=SECRET)
    assert await one.allow("conversation:c1") and await two.allow("conversation:c1")
    assert await one.allow("conversation:c1", "employee:e1")
    assert not await two.allow("conversation:c1")  # three tries, on two instances
    assert not await one.allow("conversation:c1", "employee:e1")
    assert await two.allow("conversation:c2", "employee:e1")  # e1's second try
    assert await one.allow("conversation:c3", "employee:e1")  # and its third
    assert not await two.allow("conversation:c4", "employee:e1")  # in another conversation
    assert TryLimiter(3, 3600).hit("conversation:c1")  # memory alone would not have known


async def test_the_dashboards_argon2_budget_is_shared_by_two_web_processes(prefix: str) -> None:
    from bot.trends.dashboard import LoginThrottle

    one = LoginThrottle(2, 3, on_redis(prefix), SECRET)
    two = LoginThrottle(2, 3, on_redis(prefix), SECRET)
    assert [await one.admit(), await two.admit(), await one.admit()] == [True, True, True]
    assert not await two.admit() and not await one.admit()  # three a minute, together
    assert await LoginThrottle(2, 3).admit()  # a process on its own would have let it in
