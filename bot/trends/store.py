"""Reading counted cells and applying retention (thin database adapters around pure code)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from bot.ledger.catalog import VOUCHER_CANCELLED
from bot.ledger.models import Municipality, Voucher
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


def municipalities_with_trends(session: Session, before: str | None = None) -> set[str]:
    """Codes with trend data (only in weeks before ``before``, when given)."""
    events = select(TrendEvent.municipality).distinct()
    aggregates = select(TrendAggregate.municipality).distinct()
    if before is not None:
        events = events.where(TrendEvent.week < before)
        aggregates = aggregates.where(TrendAggregate.week < before)
    codes = set(session.execute(events).scalars())
    codes |= set(session.execute(aggregates).scalars())
    return codes


def _committed_changes_since(
    session: Session, municipality_ids: Sequence[int], as_of: datetime
) -> dict[int, int]:
    """Per municipality: what the running period added to ``budget_committed_cents``.

    Vouchers issued since ``as_of`` (and not cancelled) were added; vouchers from before
    that were cancelled since were taken off again. Subtracting this gives the committed
    budget at the end of the last completed week.
    """
    changes: dict[int, int] = {}
    if not municipality_ids:
        return changes
    issued = session.execute(
        select(Voucher.municipality_id, func.sum(Voucher.value_cents))
        .where(
            Voucher.municipality_id.in_(list(municipality_ids)),
            Voucher.issued_at >= as_of,
            Voucher.status != VOUCHER_CANCELLED,
        )
        .group_by(Voucher.municipality_id)
    ).all()
    released = session.execute(
        select(Voucher.municipality_id, func.sum(Voucher.value_cents))
        .where(
            Voucher.municipality_id.in_(list(municipality_ids)),
            and_(Voucher.issued_at < as_of, Voucher.status == VOUCHER_CANCELLED),
            Voucher.status_changed_at >= as_of,
        )
        .group_by(Voucher.municipality_id)
    ).all()
    for municipality_id, cents in issued:
        changes[municipality_id] = changes.get(municipality_id, 0) + int(cents or 0)
    for municipality_id, cents in released:
        changes[municipality_id] = changes.get(municipality_id, 0) - int(cents or 0)
    return changes


def budget_lines(
    session: Session, municipalities: Sequence[str], k: int, as_of: datetime | None = None
) -> list[BudgetLine]:
    """Budget left per municipality as a band; with ``as_of`` as it stood at that moment
    (the end of the last completed week), so a voucher issued now changes nothing shown."""
    rows = list(
        session.execute(
            select(Municipality)
            .where(
                Municipality.code.in_(list(municipalities)), Municipality.participating.is_(True)
            )
            .order_by(Municipality.code)
        ).scalars()
    )
    changes = (
        _committed_changes_since(session, [row.id for row in rows], as_of)
        if as_of is not None
        else {}
    )
    lines = []
    for row in rows:
        committed = row.budget_committed_cents - changes.get(row.id, 0)
        committed = min(max(0, committed), row.voucher_budget_cents)
        lines.append(
            BudgetLine(
                row.code,
                budget_band(row.voucher_budget_cents, committed, row.voucher_value_cents, k),
            )
        )
    return lines


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
