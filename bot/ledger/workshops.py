"""Upcoming workshop dates, to show what a voucher can be spent on."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ledger.catalog import WORKSHOP_THEMES
from bot.ledger.models import Workshop


@dataclass(frozen=True)
class WorkshopDate:
    theme: str
    title: str
    provider: str
    starts_at: datetime
    location: str


def upcoming_workshops(
    session: Session, now: datetime, *, per_theme: int = 2
) -> dict[str, list[WorkshopDate]]:
    """The next dates per theme, in the order of the programme's five themes."""
    rows = session.execute(
        select(Workshop).where(Workshop.starts_at > now).order_by(Workshop.starts_at).limit(500)
    ).scalars()
    grouped: dict[str, list[WorkshopDate]] = {theme: [] for theme in WORKSHOP_THEMES}
    for workshop in rows:
        dates = grouped.setdefault(workshop.theme, [])
        if len(dates) < per_theme:
            dates.append(
                WorkshopDate(
                    workshop.theme,
                    workshop.title,
                    workshop.provider.name,
                    workshop.starts_at,
                    workshop.location,
                )
            )
    return grouped
