"""Session-level use of the catalogue: what an employee may see, suggestions, the chat view.

The rules live in pure modules (:mod:`.visibility`, :mod:`.matching`); this module only reads
rows, turns them into :class:`~bot.opportunities.facts.OpportunityFacts` and formats them.
Nothing here records who asked: Koers gives the contact route and never passes on interest.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from babel.dates import format_date as babel_format_date
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.config import load_settings
from bot.ledger import audit
from bot.opportunities.catalog import (
    MODE_LABELS,
    MODE_ONLINE,
    TYPE_EVENT,
    TYPE_LABELS,
    TYPE_TRAINING,
    WORK_AREAS,
)
from bot.opportunities.facts import OpportunityFacts
from bot.opportunities.matching import DEFAULT_LIMIT, EmployeeProfile, Match, suggest
from bot.opportunities.models import LabourMarketRegion, Opportunity, RegionMunicipality
from bot.opportunities.visibility import is_visible

#: Said with every contact route: interest stays anonymous.
ANONYMOUS_NOTE = "Koers geeft niet door dat jij dit vroeg. Jij beslist of je contact opneemt."


@dataclass(frozen=True)
class EmployeePlace:
    """Where an employee's municipality lies; ``region_code`` only when it cooperates there."""

    municipality_code: str | None
    region_code: str | None
    province: str | None


def employee_place(session: Session, municipality_code: str | None) -> EmployeePlace:
    """The region and province of a municipality code; unknown codes give neither."""
    if not municipality_code:
        return EmployeePlace(None, None, None)
    code = municipality_code.strip().upper()
    row = session.get(RegionMunicipality, code)
    if row is None:
        return EmployeePlace(code, None, None)
    return EmployeePlace(code, row.region_code if row.cooperating else None, row.region.province)


#: Columns that keep their name in the facts and in the dashboard form's ``ListingFields``.
LISTING_COLUMNS: tuple[str, ...] = (
    "kind",
    "title",
    "description",
    "contact",
    "mode",
    "location",
    "work_area",
    "scale_min",
    "scale_max",
    "hours_per_week",
    "starts_on",
    "ends_on",
    "respond_by",
)


def listing_values(row: Opportunity) -> dict[str, Any]:
    """The listing's own values by field name, its competences included (the same names in
    :class:`OpportunityFacts` and the form's ``ListingFields``)."""
    values: dict[str, Any] = {name: getattr(row, name) for name in LISTING_COLUMNS}
    values["competences"] = tuple(item.competence for item in row.competences)
    return values


def facts_of(row: Opportunity) -> OpportunityFacts:
    municipality = row.municipality
    region = municipality.region
    return OpportunityFacts(
        id=row.id,
        municipality_code=row.municipality_code,
        municipality_name=municipality.name,
        region_code=region.code,
        region_name=region.name,
        province=region.province,
        published_at=row.published_at,
        closed_at=row.closed_at,
        **listing_values(row),
    )


def _regional_days(regional_first_days: int | None) -> int:
    if regional_first_days is not None:
        return regional_first_days
    return load_settings().opportunity_regional_days


def _candidates(session: Session, place: EmployeePlace, now: datetime) -> list[OpportunityFacts]:
    """Open listings in the employee's province, and online trainings and events anywhere."""
    today = now.astimezone(LOCAL_TZ).date()
    reach = and_(Opportunity.mode == MODE_ONLINE, Opportunity.kind.in_((TYPE_TRAINING, TYPE_EVENT)))
    if place.province is not None:
        reach = or_(reach, LabourMarketRegion.province == place.province)
    statement = (
        select(Opportunity)
        .join(RegionMunicipality, Opportunity.municipality_code == RegionMunicipality.code)
        .join(LabourMarketRegion, RegionMunicipality.region_code == LabourMarketRegion.code)
        .where(
            Opportunity.published_at <= now,
            or_(Opportunity.closed_at.is_(None), Opportunity.closed_at > now),
            or_(Opportunity.respond_by.is_(None), Opportunity.respond_by >= today),
            or_(Opportunity.ends_on.is_(None), Opportunity.ends_on >= today),
            reach,
        )
        .order_by(Opportunity.published_at.desc(), Opportunity.id)
    )
    return [facts_of(row) for row in session.execute(statement).scalars()]


def visible_opportunities(
    session: Session,
    employee_municipality_code: str | None,
    now: datetime,
    *,
    kinds: Collection[str] | None = None,
    regional_first_days: int | None = None,
) -> list[OpportunityFacts]:
    """Every listing the employee of this municipality may see now, newest first.

    ``regional_first_days`` defaults to ``KOERS_OPPORTUNITY_REGIONAL_DAYS``.
    """
    place = employee_place(session, employee_municipality_code)
    days = _regional_days(regional_first_days)
    return [
        item
        for item in _candidates(session, place, now)
        if (kinds is None or item.kind in kinds)
        and is_visible(item, place.region_code, place.province, now, regional_first_days=days)
    ]


def employee_profile(
    session: Session,
    municipality_code: str | None,
    *,
    direction: str | None = None,
    strengths: tuple[str, ...] = (),
    max_hours: int | None = None,
    min_scale: int | None = None,
    place: str | None = None,
    work_area: str | None = None,
    scale: int | None = None,
) -> EmployeeProfile:
    """A matching profile with the region and province of the employee's municipality."""
    where = employee_place(session, municipality_code)
    return EmployeeProfile(
        direction=direction,
        strengths=strengths,
        municipality_code=where.municipality_code,
        region_code=where.region_code,
        province=where.province,
        max_hours=max_hours,
        min_scale=min_scale,
        place=place,
        work_area=work_area,
        scale=scale,
    )


def suggestions(
    session: Session,
    profile: EmployeeProfile,
    now: datetime,
    *,
    limit: int = DEFAULT_LIMIT,
    kinds: Collection[str] | None = None,
    regional_first_days: int | None = None,
) -> list[Match]:
    """Up to ``limit`` opportunities that fit the profile (see :func:`.matching.suggest`)."""
    place = EmployeePlace(profile.municipality_code, profile.region_code, profile.province)
    return suggest(
        profile,
        _candidates(session, place, now),
        now,
        limit,
        kinds=kinds,
        regional_first_days=_regional_days(regional_first_days),
    )


def close_opportunity(session: Session, opportunity_id: int, *, now: datetime, actor: str) -> bool:
    """Closes a listing (audited); False when it does not exist or was already closed."""
    row = session.get(Opportunity, opportunity_id)
    if row is None or row.closed_at is not None:
        return False
    row.closed_at = max(now, row.published_at)
    row.updated_at = now
    audit.record(
        session,
        actor=actor,
        action="opportunity.closed",
        entity_type="opportunity",
        entity_id=row.id,
        details={"municipality": row.municipality_code, "kind": row.kind},
        at=now,
    )
    return True


# --- The chat view ----------------------------------------------------------------------


def dutch_day(day: date) -> str:
    """ "14 januari 2026", with babel's Dutch month names."""
    return babel_format_date(day, format="d MMMM y", locale="nl")


def scale_text(low: int | None, high: int | None) -> str | None:
    if low is None or high is None:
        return None
    return f"schaal {low}" if low == high else f"schaal {low} tot en met {high}"


def hours_text(hours: int | None) -> str | None:
    return None if hours is None else f"{hours} uur per week"


def dates_text(item: OpportunityFacts) -> str | None:
    """The dates as one short sentence: when it runs, and until when you can respond."""
    parts: list[str] = []
    if item.starts_on and item.ends_on and item.ends_on != item.starts_on:
        parts.append(f"Van {dutch_day(item.starts_on)} tot en met {dutch_day(item.ends_on)}.")
    elif item.starts_on and item.kind in (TYPE_TRAINING, TYPE_EVENT):
        parts.append(f"Op {dutch_day(item.starts_on)}.")
    elif item.starts_on:
        parts.append(f"Start: {dutch_day(item.starts_on)}.")
    elif item.ends_on:
        parts.append(f"Loopt tot en met {dutch_day(item.ends_on)}.")
    if item.respond_by:
        parts.append(f"Reageren kan tot en met {dutch_day(item.respond_by)}.")
    return " ".join(parts) or None


def contact_text(contact: str) -> str:
    if contact.startswith("https://"):
        return f"Meer weten? Kijk op {contact}"
    return f"Meer weten? Mail naar {contact}"


@dataclass(frozen=True)
class OpportunityView:
    """What the chat shows of one listing; ``text`` is the message body (Dutch, B1)."""

    id: int
    title: str
    type_label: str
    municipality: str
    region: str
    province: str
    mode: str
    hours: str | None
    scale: str | None
    dates: str | None
    work_area: str | None
    description: str
    contact: str
    contact_line: str
    why: str | None

    @property
    def text(self) -> str:
        lines = [
            f"**{self.title}**",
            f"{self.type_label} bij {self.municipality} ({self.province})",
        ]
        details = [part for part in (self.hours, self.scale, self.mode.lower()) if part]
        if details:
            lines.append(", ".join(details).capitalize())
        if self.dates:
            lines.append(self.dates)
        lines.append(self.description)
        if self.why:
            lines.append(self.why)
        lines.append(self.contact_line)
        return "\n".join(lines)


def opportunity_view(item: OpportunityFacts, why: str | None = None) -> OpportunityView:
    """The chat's view of a listing; ``why`` is the matching reason, if any."""
    return OpportunityView(
        id=item.id,
        title=item.title,
        type_label=TYPE_LABELS[item.kind],
        municipality=item.municipality_name,
        region=item.region_name,
        province=item.province,
        mode=MODE_LABELS[item.mode],
        hours=hours_text(item.hours_per_week),
        scale=scale_text(item.scale_min, item.scale_max),
        dates=dates_text(item),
        work_area=WORK_AREAS.get(item.work_area) if item.work_area else None,
        description=item.description,
        contact=item.contact,
        contact_line=contact_text(item.contact),
        why=why,
    )


def match_view(match: Match) -> OpportunityView:
    return opportunity_view(match.opportunity, match.reason)
