"""Ticket locks on a real Redis: atomic across processes, unlike Rasa's own RedisLockStore."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from rasa.core.lock_store import LockError, RedisLockStore

from bot.rasa_ext.stores import AtomicRedisLockStore
from tools.devservices import running_redis


@pytest.fixture(scope="module")
def redis_port():
    with running_redis() as redis:
        yield redis.port


def issue_concurrently(store_class: type, port: int, conversation: str, n: int) -> list[int]:
    """``n`` threads, each with its own store (like separate Rasa instances), one ticket each."""
    stores = [store_class(host="127.0.0.1", port=port, db=0) for _ in range(n)]
    start = threading.Barrier(n)
    tickets: list[int] = []

    def take(store: RedisLockStore) -> None:
        start.wait()
        tickets.append(store.issue_ticket(conversation))

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tickets


def test_concurrent_tickets_are_unique(redis_port: int) -> None:
    for round_ in range(5):
        tickets = issue_concurrently(AtomicRedisLockStore, redis_port, f"c{round_}", 16)
        assert sorted(tickets) == list(range(16))


async def test_lock_serialises_and_cleans_up(redis_port: int) -> None:
    stores = [AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=0) for _ in range(3)]
    inside: list[int] = []
    order: list[str] = []

    async def turn(index: int) -> None:
        async with stores[index].lock("conv", wait_time_in_seconds=0.01):
            inside.append(index)
            assert len(inside) == 1, "two holders at once"
            order.append(f"in{index}")
            await asyncio.sleep(0.05)
            inside.remove(index)

    await asyncio.gather(*(turn(i % 3) for i in range(9)))
    assert len(order) == 9
    assert stores[0].get_lock("conv") is None  # deleted when nobody waits


def test_built_from_an_endpoint_config(redis_port: int) -> None:
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import EndpointConfig

    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.rasa_ext.stores.AtomicRedisLockStore",
        port=str(redis_port),
        db="0",
        key_prefix="koers",
    )
    store = LockStore.create(config)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key_prefix.startswith("koers:")
    assert [store.issue_ticket("x"), store.issue_ticket("x")] == [0, 1]


async def test_a_resend_right_after_a_holder_died_gets_the_lock_after_its_lifetime(
    redis_port: int,
) -> None:
    """Instance A died holding ticket 0; the resend to B takes ticket 1 a moment later. In
    Rasa both tickets expired in the same poll and B waited for its vanished number forever."""
    dead = AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=0)
    alive = AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=0)
    dead.issue_ticket("died", lock_lifetime=1.2)  # never given back
    started = time.monotonic()

    async def resend() -> float:
        async with alive.lock("died", lock_lifetime=1.2, wait_time_in_seconds=0.5):
            return time.monotonic() - started

    waited = await asyncio.wait_for(resend(), 6)
    assert 1.0 < waited < 4.0  # after the dead ticket's lifetime, not before and not never
    assert alive.get_lock("died") is None  # given back, nobody waits


async def test_the_served_ticket_gets_its_lifetime_from_when_it_is_served(
    redis_port: int,
) -> None:
    """A turn that waited most of a lifetime still holds the conversation for a full one."""
    stores = [AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=0) for _ in range(3)]
    stores[0].issue_ticket("long", lock_lifetime=1.0)  # a dead holder
    inside: list[int] = []

    async def turn(index: int, delay: float) -> None:
        await asyncio.sleep(delay)
        async with stores[index].lock("long", lock_lifetime=1.0, wait_time_in_seconds=0.1):
            inside.append(index)
            assert inside == [index], "two holders at once"
            await asyncio.sleep(0.8)  # past the moment its ticket was issued plus one lifetime
            inside.remove(index)

    await asyncio.wait_for(asyncio.gather(turn(1, 0.0), turn(2, 0.3)), 8)


async def test_a_stalled_redis_does_not_block_the_event_loop(redis_port: int) -> None:
    """Redis behind a proxy that stops forwarding: the lock fails with a LockError (the Dutch
    answer) within the socket timeout while a heartbeat coroutine keeps its rhythm."""
    from tests.loopback_proxy import LoopbackProxy, loop_ticks, tick_gaps

    proxy = LoopbackProxy(redis_port).start()
    store = AtomicRedisLockStore(host="127.0.0.1", port=proxy.port, db=0, socket_timeout=0.5)
    try:
        async with store.lock("stall", wait_time_in_seconds=0.01):
            pass  # works through the proxy
        proxy.stall()
        async with loop_ticks() as ticks:
            started = time.monotonic()
            with pytest.raises(LockError):
                async with store.lock("stall", wait_time_in_seconds=0.01):
                    pytest.fail("got a lock from a stalled Redis")
            took = time.monotonic() - started
        assert took < 3.0
        gaps = tick_gaps(ticks)
        # a blocking client would stop the loop for the whole 0.5 s socket timeout
        assert len(ticks) >= 5 and max(gaps) < 0.4, gaps
    finally:
        proxy.resume()
        proxy.stop()
    assert AtomicRedisLockStore(host="127.0.0.1", port=redis_port, db=0).get_lock("stall") is None
