"""The one clock of Koers: UTC for storage, Amsterdam time for what people read and book.

Every timestamp is stored timezone-aware in UTC (:class:`bot.db.base.UTCDateTime`); dates and
times shown to employees, coaches and coordinators are local (:data:`LOCAL_TZ`).
"""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Europe/Amsterdam")


def utcnow() -> datetime:
    """Now, timezone-aware in UTC (never a naive datetime)."""
    return datetime.now(timezone.utc)
