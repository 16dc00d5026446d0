"""Reading counted cells and applying retention (thin database adapters around pure code)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.ledger.models import Municipality
from bot.trends.models import TrendAggregate, TrendEvent
from bot.trends.recorder import current_week
from bot.trends.suppression import CellKey, budget_band
from bot.trends.views import BudgetLine
from bot.trends.weeks import shift

#: SQL IN lists are chunked to stay below SQLite's parameter limit.
_CHUNK = 400


def load_cells(
    session: Session, municipalities: Sequence[str], weeks: Sequence[str]
) -> dict[CellKey, int]:
    """Counts per cell for the given municipalities and weeks (events plus aggregates).

    The selection is applied in SQL too: a coordinator's page never even reads another
    municipality's rows.
    """
    cells: dict[CellKey, int] = {}
    if not municipalities or not weeks:
        return cells
    first, last = min(weeks), max(weeks)
    for start in range(0, len(municipalities), _CHUNK):
        chunk = list(municipalities[start : start + _CHUNK])
        event_rows = session.execute(
            select(
                TrendEvent.municipality,
                TrendEvent.week,
                TrendEvent.event_type,
                TrendEvent.category,
                func.count(TrendEvent.id),
            )
            .where(
                TrendEvent.municipality.in_(chunk),
                TrendEvent.week >= first,
                TrendEvent.week <= last,
            )
            .group_by(
                TrendEvent.municipality,
                TrendEvent.week,
                TrendEvent.event_type,
                TrendEvent.category,
            )
        ).all()
        aggregate_rows = session.execute(
            select(
                TrendAggregate.municipality,
                TrendAggregate.week,
                TrendAggregate.event_type,
                TrendAggregate.category,
                TrendAggregate.count,
            ).where(
                TrendAggregate.municipality.in_(chunk),
                TrendAggregate.week >= first,
                TrendAggregate.week <= last,
            )
        ).all()
        for municipality, week, event_type, category, count in [*event_rows, *aggregate_rows]:
            key = CellKey(municipality, week, event_type, category)
            cells[key] = cells.get(key, 0) + int(count)
    wanted = set(weeks)
    return {key: count for key, count in cells.items() if key.week in wanted}


def known_municipalities(session: Session) -> dict[str, str]:
    """Code -> name of every municipality in the ledger."""
    rows = session.execute(select(Municipality.code, Municipality.name)).all()
    return {code: name for code, name in rows}


def municipalities_with_trends(session: Session) -> set[str]:
    codes = set(session.execute(select(TrendEvent.municipality).distinct()).scalars())
    codes |= set(session.execute(select(TrendAggregate.municipality).distinct()).scalars())
    return codes


def budget_lines(session: Session, municipalities: Sequence[str], k: int) -> list[BudgetLine]:
    rows = session.execute(
        select(Municipality)
        .where(Municipality.code.in_(list(municipalities)), Municipality.participating.is_(True))
        .order_by(Municipality.code)
    ).scalars()
    return [
        BudgetLine(
            row.code,
            budget_band(
                row.voucher_budget_cents,
                row.budget_committed_cents,
                row.voucher_value_cents,
                k,
            ),
        )
        for row in rows
    ]


def horizon_week(retention_weeks: int, now: datetime | None = None) -> str:
    """Events of weeks before this one are aggregated and deleted."""
    return shift(current_week(now), -max(1, retention_weeks))


def aggregate_old_events(
    session: Session, *, retention_weeks: int, now: datetime | None = None
) -> int:
    """Moves events older than the horizon into ``trend_aggregates``; returns events moved.

    One transaction: counts are added to existing aggregate rows, then the events go.
    """
    horizon = horizon_week(retention_weeks, now)
    grouped = session.execute(
        select(
            TrendEvent.week,
            TrendEvent.municipality,
            TrendEvent.event_type,
            TrendEvent.category,
            func.count(TrendEvent.id),
        )
        .where(TrendEvent.week < horizon)
        .group_by(
            TrendEvent.week, TrendEvent.municipality, TrendEvent.event_type, TrendEvent.category
        )
    ).all()
    moved = 0
    for week, municipality, event_type, category, count in grouped:
        existing = session.execute(
            select(TrendAggregate).where(
                TrendAggregate.week == week,
                TrendAggregate.municipality == municipality,
                TrendAggregate.event_type == event_type,
                TrendAggregate.category == category,
            )
        ).scalar_one_or_none()
        if existing is None:
            session.add(
                TrendAggregate(
                    week=week,
                    municipality=municipality,
                    event_type=event_type,
                    category=category,
                    count=int(count),
                )
            )
        else:
            existing.count = existing.count + int(count)
        moved += int(count)
    session.flush()
    session.execute(delete(TrendEvent).where(TrendEvent.week < horizon))
    return moved
