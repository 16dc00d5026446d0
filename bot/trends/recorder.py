"""Recording anonymous trend events from actions: one line per event, never in the way.

    await record_trend(tracker, events.SCAN_COMPLETED, "verbreden")

The municipality comes from the channel's message metadata (``metadata["municipality"]``,
see actions/voucher.py) or, at the start of a session, from the ``session_started_metadata``
slot; without it the event counts under :data:`~bot.trends.events.UNKNOWN_MUNICIPALITY`.
When the employee opted out (slot ``trends_opt_out``) nothing is written. The write uses its
own short session on the application database; if it fails, the conversation goes on and
the log says only which event type failed (no ids, no text).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.db.session import session_factory_for
from bot.trends import events as ev
from bot.trends.models import TrendEvent
from bot.trends.weeks import week_of

logger = logging.getLogger(__name__)

OPT_OUT_SLOT = "trends_opt_out"
SESSION_METADATA_SLOT = "session_started_metadata"


def _metadata_municipality(metadata: Any) -> str | None:
    if isinstance(metadata, Mapping):
        value = metadata.get("municipality")
        if isinstance(value, str) and value.strip():
            return value
    return None


def municipality_of(source: Any) -> str:
    """The municipality code from a tracker or a metadata dict, else the unknown bucket."""
    if isinstance(source, Mapping):
        return ev.clean_municipality(_metadata_municipality(source))
    latest = getattr(source, "latest_message", None) or {}
    found = _metadata_municipality(latest.get("metadata") if isinstance(latest, Mapping) else None)
    if found is None and hasattr(source, "get_slot"):
        found = _metadata_municipality(source.get_slot(SESSION_METADATA_SLOT))
    return ev.clean_municipality(found)


def opted_out(source: Any) -> bool:
    """True when the employee asked not to be counted (a tracker's ``trends_opt_out`` slot)."""
    if isinstance(source, Mapping):
        return source.get(OPT_OUT_SLOT) is True
    return hasattr(source, "get_slot") and source.get_slot(OPT_OUT_SLOT) is True


def current_week(now: datetime | None = None) -> str:
    return week_of((now or utcnow()).astimezone(LOCAL_TZ))


def add_trend_event(
    session: Session,
    *,
    event_type: str,
    municipality: str | None,
    category: str | None = None,
    now: datetime | None = None,
) -> bool:
    """Adds one event to ``session`` (the caller commits); False when it is refused."""
    if event_type not in ev.EVENT_TYPES:
        logger.warning("trend event of an unknown type was not recorded")
        return False
    clean = ev.clean_category(category)
    if clean is None:
        logger.warning(
            "trend event %s had a category that is not a key; stored without", event_type
        )
        clean = ev.NO_CATEGORY
    session.add(
        TrendEvent(
            week=current_week(now),
            municipality=ev.clean_municipality(municipality),
            event_type=event_type,
            category=clean,
        )
    )
    return True


def _default_factory() -> sessionmaker:
    return session_factory_for(load_settings().database_url)


def write_trend(
    source: Any,
    event_type: str,
    category: str | None = None,
    *,
    sessions: sessionmaker | None = None,
    now: datetime | None = None,
) -> bool:
    """Synchronous :func:`record_trend` (for code that is not async)."""
    if opted_out(source):
        return False
    municipality = municipality_of(source)
    try:
        factory = sessions or _default_factory()
        session = factory()
        try:
            return run_in_transaction(
                session,
                add_trend_event,
                event_type=event_type,
                municipality=municipality,
                category=category,
                now=now,
            )
        finally:
            session.close()
    except Exception as exc:  # never break the conversation over a statistic
        logger.warning("trend event %s not recorded: %s", event_type, type(exc).__name__)
        return False


async def record_trend(
    source: Any,
    event_type: str,
    category: str | None = None,
    *,
    sessions: sessionmaker | None = None,
    now: datetime | None = None,
) -> bool:
    """Records one anonymous event (in a worker thread); True when it was written.

    ``source`` is a rasa_sdk Tracker or a metadata dict (``{"municipality": "GM9901"}``).
    """
    return await asyncio.to_thread(
        write_trend, source, event_type, category, sessions=sessions, now=now
    )


async def record_trends(
    source: Any, event_type: str, categories: list[str] | tuple[str, ...]
) -> int:
    """One event per category (e.g. the three top strengths of a scan)."""
    written = 0
    for category in categories:
        written += bool(await record_trend(source, event_type, category))
    return written
