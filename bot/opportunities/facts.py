"""Plain values of one listing, so visibility and matching stay pure (no session, no ORM)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.opportunities.catalog import TYPE_EVENT, TYPE_TRAINING


@dataclass(frozen=True)
class OpportunityFacts:
    """What the rules need to know about a listing; built by :mod:`bot.opportunities.service`."""

    id: int
    kind: str
    title: str
    description: str
    municipality_code: str
    municipality_name: str
    region_code: str
    region_name: str
    province: str
    mode: str
    contact: str
    published_at: datetime
    location: str | None = None
    work_area: str | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    hours_per_week: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    respond_by: date | None = None
    closed_at: datetime | None = None
    competences: tuple[str, ...] = ()

    @property
    def last_day(self) -> date | None:
        """The last local day the listing applies; after it, it disappears by itself.

        The earliest of the response deadline and the end date; a training or event with only
        a start date is a one-day activity, so its start date is also its last day.
        """
        days = [day for day in (self.respond_by, self.ends_on) if day is not None]
        if not days and self.kind in (TYPE_TRAINING, TYPE_EVENT) and self.starts_on:
            days.append(self.starts_on)
        return min(days) if days else None
