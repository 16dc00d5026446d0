"""Fixed calendar periods over ISO weeks: week, month and quarter (pure helpers).

Trend data is counted per ISO week only. A week belongs to the month, and so to the
quarter, of its **Thursday**: the same rule that gives an ISO week its year. So every week
lies in exactly one month and one quarter, months never share a week, and three months make
a quarter: week counts roll up exactly (2026-W53, 28 Dec 2026 to 3 Jan 2027, is December
2026; 2025-W01, 30 Dec 2024 to 5 Jan 2025, is January 2025).

Periods are fixed calendar units ("2026-03", "2026-K3"), never sliding ranges, so two views
of the same kind never overlap partly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from types import MappingProxyType

from bot.trends.weeks import FIRST_YEAR, LAST_YEAR, WEEK_PATTERN, parse_week, week_of, week_start

KIND_WEEK = "week"
KIND_MONTH = "maand"
KIND_QUARTER = "kwartaal"
KINDS: tuple[str, ...] = (KIND_WEEK, KIND_MONTH, KIND_QUARTER)

#: Row header of a period column, and the buttons of the period switch.
KIND_LABELS: Mapping[str, str] = MappingProxyType(
    {KIND_WEEK: "Week", KIND_MONTH: "Maand", KIND_QUARTER: "Kwartaal"}
)
KIND_PLURALS: Mapping[str, str] = MappingProxyType(
    {KIND_WEEK: "weken", KIND_MONTH: "maanden", KIND_QUARTER: "kwartalen"}
)
MONTH_NAMES: tuple[str, ...] = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

MONTH_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_PATTERN = re.compile(r"^(\d{4})-K([1-4])$")
_MONTH_INPUT = re.compile(r"^\s*(\d{4})-?(\d{1,2})\s*$")
_QUARTER_INPUT = re.compile(r"^\s*(\d{4})-?[KkQq]([1-4])\s*$")
_QUARTER_SHAPE = re.compile(r"^\s*\d{4}-?[KkQq]\d")


# --- Which period a week belongs to ---------------------------------------------------------


def week_thursday(week: str) -> date:
    """The Thursday of an ISO week: it decides the week's month, quarter and year."""
    return week_start(week) + timedelta(days=3)


def month_of(week: str) -> str:
    """The month of a week, e.g. ``2026-12`` for 2026-W53."""
    thursday = week_thursday(week)
    return f"{thursday.year:04d}-{thursday.month:02d}"


def quarter_of_month(month: str) -> str:
    year, number = _month_parts(month)
    return f"{year:04d}-K{(number - 1) // 3 + 1}"


def quarter_of(week: str) -> str:
    """The quarter of a week, e.g. ``2026-K4`` for 2026-W53."""
    return quarter_of_month(month_of(week))


def period_of(kind: str, week: str) -> str:
    if kind == KIND_WEEK:
        return week
    if kind == KIND_MONTH:
        return month_of(week)
    if kind == KIND_QUARTER:
        return quarter_of(week)
    raise ValueError(f"unknown period kind {kind!r}")


# --- Which weeks a period holds -------------------------------------------------------------


def _month_parts(month: str) -> tuple[int, int]:
    match = MONTH_PATTERN.match(month or "")
    if not match:
        raise ValueError("not a month")
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR or not 1 <= number <= 12:
        raise ValueError("month out of range")
    return year, number


def _quarter_parts(quarter: str) -> tuple[int, int]:
    match = QUARTER_PATTERN.match(quarter or "")
    if not match:
        raise ValueError("not a quarter")
    year, number = int(match.group(1)), int(match.group(2))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError("quarter out of range")
    return year, number


def weeks_in_month(month: str) -> tuple[str, ...]:
    """The ISO weeks whose Thursday falls in the month (four or five)."""
    year, number = _month_parts(month)
    first = date(year, number, 1)
    thursday = first + timedelta(days=(3 - first.weekday()) % 7)
    weeks = []
    while thursday.month == number:
        weeks.append(week_of(thursday))
        thursday += timedelta(days=7)
    return tuple(weeks)


def months_of_quarter(quarter: str) -> tuple[str, str, str]:
    year, number = _quarter_parts(quarter)
    first = 3 * (number - 1) + 1
    return (f"{year:04d}-{first:02d}", f"{year:04d}-{first + 1:02d}", f"{year:04d}-{first + 2:02d}")


def weeks_in_quarter(quarter: str) -> tuple[str, ...]:
    """The weeks of the quarter's three months, in order (12 to 14)."""
    return tuple(week for month in months_of_quarter(quarter) for week in weeks_in_month(month))


def weeks_in(kind: str, period: str) -> tuple[str, ...]:
    if kind == KIND_WEEK:
        week_start(period)
        return (period,)
    if kind == KIND_MONTH:
        return weeks_in_month(period)
    if kind == KIND_QUARTER:
        return weeks_in_quarter(period)
    raise ValueError(f"unknown period kind {kind!r}")


# --- Reading, ordering and naming periods ---------------------------------------------------


def parse_month(text: object) -> str | None:
    """A valid month from user input ("2026-03", "2026-3", " 202603 ") or None."""
    if not isinstance(text, str) or len(text) > 10:
        return None
    match = _MONTH_INPUT.match(text)
    if not match:
        return None
    month = f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    try:
        _month_parts(month)
    except ValueError:
        return None
    return month


def parse_quarter(text: object) -> str | None:
    """A valid quarter from user input ("2026-K3", "2026-q3", "2026K3") or None."""
    if not isinstance(text, str) or len(text) > 10:
        return None
    match = _QUARTER_INPUT.match(text)
    if not match:
        return None
    quarter = f"{int(match.group(1)):04d}-K{match.group(2)}"
    try:
        _quarter_parts(quarter)
    except ValueError:
        return None
    return quarter


def parse_period(kind: str, text: object) -> str | None:
    if kind == KIND_WEEK:
        return parse_week(text)
    if kind == KIND_MONTH:
        return parse_month(text)
    if kind == KIND_QUARTER:
        return parse_quarter(text)
    return None


def looks_like(text: object) -> str | None:
    """The kind a typed period has by its shape (for URLs without ``periode``), or None."""
    if not isinstance(text, str) or not text.strip():
        return None
    if _QUARTER_SHAPE.match(text):
        return KIND_QUARTER
    if _MONTH_INPUT.match(text) and not WEEK_PATTERN.match(text.strip()):
        return KIND_MONTH
    return KIND_WEEK


def _index(kind: str, period: str) -> int:
    """A running number of the period (consecutive periods differ by one)."""
    if kind == KIND_MONTH:
        year, number = _month_parts(period)
        return year * 12 + number - 1
    if kind == KIND_QUARTER:
        year, number = _quarter_parts(period)
        return year * 4 + number - 1
    raise ValueError(f"no index for {kind!r}")


def _from_index(kind: str, index: int) -> str:
    if kind == KIND_MONTH:
        return f"{index // 12:04d}-{index % 12 + 1:02d}"
    return f"{index // 4:04d}-K{index % 4 + 1}"


def shift_period(kind: str, period: str, steps: int) -> str:
    if kind == KIND_WEEK:
        return week_of(week_start(period) + timedelta(weeks=steps))
    return _from_index(kind, _index(kind, period) + steps)


def periods_between(kind: str, first: str, last: str) -> tuple[str, ...]:
    """All periods from ``first`` to ``last`` inclusive (empty when last is before first)."""
    if kind == KIND_WEEK:
        start, end = week_start(first), week_start(last)
        count = (end - start).days // 7 + 1
        return tuple(week_of(start + timedelta(weeks=index)) for index in range(max(count, 0)))
    low, high = _index(kind, first), _index(kind, last)
    return tuple(_from_index(kind, index) for index in range(low, high + 1))


def is_before(kind: str, one: str, other: str) -> bool:
    if kind == KIND_WEEK:
        return week_start(one) < week_start(other)
    return _index(kind, one) < _index(kind, other)


def running_period(kind: str, now_week: str) -> str:
    """The period the running week belongs to: never shown until it is over."""
    return period_of(kind, now_week)


def last_completed(kind: str, now_week: str) -> str:
    """The newest period whose weeks are all over (all before the running week)."""
    return shift_period(kind, running_period(kind, now_week), -1)


def label(kind: str, period: str) -> str:
    """Dutch name of a period: ``2026-W07``, ``maart 2026``, ``3e kwartaal 2026``."""
    if kind == KIND_MONTH:
        year, number = _month_parts(period)
        return f"{MONTH_NAMES[number - 1]} {year}"
    if kind == KIND_QUARTER:
        year, number = _quarter_parts(period)
        return f"{number}e kwartaal {year}"
    return period
