"""Ticket locks on a real Redis: atomic across processes, unlike Rasa's own RedisLockStore."""

from __future__ import annotations

import asyncio
import threading

import pytest
from rasa.core.lock_store import RedisLockStore

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
