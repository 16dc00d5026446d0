"""Retention and erasure on the tracker database, without loading Rasa.

* **Retention**: a conversation whose last event is older than N days (default 30,
  ``KOERS_RETENTION_DAYS``) is deleted whole. The tracker store does this by itself every
  ``KOERS_RETENTION_INTERVAL_MINUTES`` (default 360, 0 = off) while ``rasa run`` is up, and
  ``python -m bot.privacy.cli purge`` does it on demand (cron, or by hand).
* **Erasure**: every event of one conversation is deleted, by pseudonymous conversation id (or
  by channel id, which is hashed under the current and previous key first).
* **Linked data**: other modules that keep data keyed by the conversation id register an
  erasure hook, ``hook(conversation_id) -> number of records removed``, either in-process with
  :func:`register_erasure_hook` or by dotted path in ``KOERS_ERASURE_HOOKS``
  (``package.module:function``, comma separated). Hooks run for erased and for purged
  conversations.

Timestamps are Rasa's: seconds since the epoch (UTC), as floats; cut-offs are computed from
timezone-aware UTC datetimes.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

ErasureHook = Callable[[str], int]
BATCH = 500

_metadata = sa.MetaData()
# The columns of Rasa's SQLTrackerStore table that retention needs (same table, same names).
EVENTS = sa.Table(
    "events",
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("type_name", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float),
    sa.Column("intent_name", sa.String(255)),
    sa.Column("action_name", sa.String(255)),
    sa.Column("data", sa.Text),
)

_HOOKS: dict[str, ErasureHook] = {}


def register_erasure_hook(name: str, hook: ErasureHook) -> None:
    """Run ``hook(conversation_id)`` whenever a conversation is erased or purged."""
    _HOOKS[name] = hook


def unregister_erasure_hook(name: str) -> None:
    _HOOKS.pop(name, None)


#: Linked data Koers itself keeps per conversation, erased with it: preparation sheets.
BUILTIN_ERASURE_HOOKS: tuple[str, ...] = ("bot.preparation.store:erase_sheets",)


def load_hooks(paths: Iterable[str] = ()) -> dict[str, ErasureHook]:
    """Built-in and in-process hooks, plus the ``module:function`` hooks named in ``paths``."""
    hooks = dict(_HOOKS)
    for path in (*BUILTIN_ERASURE_HOOKS, *paths):
        module_name, _, attr = path.partition(":")
        if not module_name or not attr:
            raise ValueError(f"erasure hook {path!r} must look like package.module:function")
        hooks[path] = getattr(importlib.import_module(module_name), attr)
    return hooks


@dataclass(frozen=True)
class PurgeReport:
    """What a retention run did (ids are pseudonyms, safe to print)."""

    days: int
    cutoff: datetime
    conversations: tuple[str, ...]
    events: int
    linked: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False


@dataclass(frozen=True)
class ErasureReport:
    conversation_ids: tuple[str, ...]
    events: int
    linked: dict[str, int] = field(default_factory=dict)


def cutoff_for(days: int, now: datetime | None = None) -> datetime:
    """The moment before which a conversation's last event makes it expire."""
    if days < 1:
        raise ValueError("retention needs at least 1 day")
    now = now or datetime.now(timezone.utc)
    if now.tzinfo is None:
        raise ValueError("use a timezone-aware datetime")
    return now - timedelta(days=days)


def has_events_table(engine: Engine) -> bool:
    return sa.inspect(engine).has_table("events")


def idle_conversations(engine: Engine, cutoff: datetime) -> list[str]:
    """Conversation ids whose newest event is older than ``cutoff``."""
    last = sa.func.max(EVENTS.c.timestamp)
    query = (
        sa.select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(last < cutoff.timestamp())
        .order_by(EVENTS.c.sender_id)
    )
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(query)]


def delete_conversations(engine: Engine, conversation_ids: Sequence[str]) -> int:
    """Delete every event of these conversations; returns the number of events deleted."""
    deleted = 0
    ids = list(dict.fromkeys(conversation_ids))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with engine.begin() as conn:
            result = conn.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id.in_(batch)))
            deleted += max(result.rowcount or 0, 0)
    return deleted


def _run_hooks(hooks: dict[str, ErasureHook], conversation_ids: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, hook in hooks.items():
        total = 0
        for cid in conversation_ids:
            total += int(hook(cid) or 0)
        counts[name] = total
    return counts


def purge_idle(
    engine: Engine,
    days: int,
    now: datetime | None = None,
    hooks: dict[str, ErasureHook] | None = None,
    dry_run: bool = False,
) -> PurgeReport:
    """Delete conversations idle for more than ``days`` days (and their linked data)."""
    cutoff = cutoff_for(days, now)
    if not has_events_table(engine):
        return PurgeReport(days, cutoff, (), 0, {}, dry_run)
    ids = idle_conversations(engine, cutoff)
    if dry_run or not ids:
        return PurgeReport(days, cutoff, tuple(ids), 0, {}, dry_run)
    events = delete_conversations(engine, ids)
    linked = _run_hooks(hooks if hooks is not None else load_hooks(), ids)
    logger.info(
        "Retention: %d conversations idle for more than %d days deleted (%d events)",
        len(ids),
        days,
        events,
    )
    return PurgeReport(days, cutoff, tuple(ids), events, linked, dry_run)


def erase(
    engine: Engine,
    conversation_ids: Sequence[str],
    hooks: dict[str, ErasureHook] | None = None,
) -> ErasureReport:
    """Delete one conversation, stored under any of ``conversation_ids``, and linked data."""
    events = delete_conversations(engine, conversation_ids) if has_events_table(engine) else 0
    linked = _run_hooks(hooks if hooks is not None else load_hooks(), conversation_ids)
    return ErasureReport(tuple(conversation_ids), events, linked)


async def retention_loop(
    purge: Callable[[], PurgeReport],
    interval_minutes: int,
    first_delay_seconds: float = 5.0,
) -> None:
    """Call ``purge`` (blocking; run in a thread) now and then every ``interval_minutes``."""
    loop = asyncio.get_running_loop()
    await asyncio.sleep(first_delay_seconds)
    while True:
        try:
            await loop.run_in_executor(None, purge)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            logger.error(
                "Retention run failed (%s); retrying at the next interval", type(exc).__name__
            )
        await asyncio.sleep(interval_minutes * 60)
