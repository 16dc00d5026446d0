"""ISO weeks as the only unit of time in trend data ("2026-W48"): pure helpers."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

WEEK_PATTERN = re.compile(r"^(\d{4})-W(\d{2})$")
FIRST_YEAR = 2019
LAST_YEAR = 2100


def week_of(day: date | datetime) -> str:
    """The ISO week of a date, e.g. ``2026-W48`` (a datetime counts in its own time zone)."""
    year, week, _weekday = day.isocalendar()
    return f"{year:04d}-W{week:02d}"


def week_start(week: str) -> date:
    """The Monday of an ISO week; ValueError for anything that is not a real ISO week."""
    match = WEEK_PATTERN.match(week or "")
    if not match:
        raise ValueError("not an ISO week")
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("year out of range")
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError as exc:
        raise ValueError("week out of range") from exc
    return monday


def parse_week(text: object) -> str | None:
    """A valid ISO week from user input ("2026-W7", " 2026-w07 ") or None."""
    if not isinstance(text, str) or len(text) > 10:
        return None
    match = re.match(r"^\s*(\d{4})-?[Ww](\d{1,2})\s*$", text)
    if not match:
        return None
    week = f"{int(match.group(1)):04d}-W{int(match.group(2)):02d}"
    try:
        week_start(week)
    except ValueError:
        return None
    return week


def shift(week: str, weeks: int) -> str:
    return week_of(week_start(week) + timedelta(weeks=weeks))


def weeks_between(first: str, last: str) -> list[str]:
    """All ISO weeks from ``first`` to ``last`` inclusive (empty when last is before first)."""
    start, end = week_start(first), week_start(last)
    count = (end - start).days // 7 + 1
    return [week_of(start + timedelta(weeks=index)) for index in range(max(count, 0))]
