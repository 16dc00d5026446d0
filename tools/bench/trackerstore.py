"""Tracker store latency as a conversation grows: Koers' scrubbing SQL store, in process.

For each size, a conversation of that many events is stored first; then writing one more turn
(user message, action, bot message, action_listen) and reading the conversation back are timed.
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid

from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.config import PROJECT_ROOT
from bot.rasa_ext.stores import ScrubbingSQLTrackerStore


def turn(index: int) -> list:
    return [
        UserUttered(f"wat is EVC? vraag {index}", {"name": "faq", "confidence": 0.9}),
        ActionExecuted("utter_faq"),
        BotUttered("EVC betekent: Erkenning van Verworven Competenties."),
        ActionExecuted("action_listen"),
    ]


async def measure(url: str, sizes: tuple[int, ...], repeats: int = 5) -> dict[str, dict]:
    domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
    store = ScrubbingSQLTrackerStore(domain=domain, url=url, retention_interval_minutes=0)
    results: dict[str, dict] = {}
    try:
        for size in sizes:
            sender = f"bench-{uuid.uuid4().hex}"
            tracker = DialogueStateTracker(sender, domain.slots)
            index = 0
            while len(tracker.events) < size:
                for event in turn(index)[: size - len(tracker.events)]:
                    tracker.update(event)
                index += 1
            await store.save(tracker)
            writes, reads = [], []
            for _ in range(repeats):
                for event in turn(index):
                    tracker.update(event)
                index += 1
                started = time.perf_counter()
                await store.save(tracker)
                writes.append(time.perf_counter() - started)
                started = time.perf_counter()
                loaded = await store.retrieve(sender)
                reads.append(time.perf_counter() - started)
                assert loaded is not None and len(loaded.events) == len(tracker.events)
            results[str(size)] = {
                "write": statistics.median(writes) * 1000,
                "read": statistics.median(reads) * 1000,
            }
    finally:
        await store.close()
    return results


def measure_sync(url: str, sizes: tuple[int, ...], repeats: int = 5) -> dict[str, dict]:
    return asyncio.run(measure(url, sizes, repeats))
