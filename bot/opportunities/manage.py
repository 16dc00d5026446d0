"""What a municipal coordinator does with their own listings on the dashboard.

Every function takes the coordinator's municipality code and refuses (``ListingRefused``,
nothing written) a listing of another municipality, so a changed URL cannot reach it. Only
listings made on the dashboard can be edited: an imported or pushed listing would be
overwritten by the next file or feed, so those can only be closed here. Every change is in
the audit log, in the same transaction.
"""

from __future__ import annotations

import secrets
from dataclasses import asdict, dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.ledger import audit
from bot.opportunities.catalog import SOURCE_DASHBOARD, SOURCE_FEED, TYPE_LABELS
from bot.opportunities.form import ListingFields
from bot.opportunities.importer import OpportunityInput, upsert_opportunity
from bot.opportunities.models import Opportunity, RegionMunicipality
from bot.opportunities.service import close_opportunity, dutch_day, facts_of, listing_values

# Reasons for a refusal (the web page turns each into one Dutch sentence and a status).
NOT_FOUND = "not_found"
OTHER_MUNICIPALITY = "other_municipality"
NOT_EDITABLE = "not_editable"
ALREADY_CLOSED = "already_closed"
NO_REGION = "no_region"

SOURCE_LABELS = {
    SOURCE_DASHBOARD: "Dashboard",
    SOURCE_FEED: "Regionale vacaturebank",
    "import": "Importbestand",
}


class ListingRefused(Exception):
    """The coordinator may not do this; ``reason`` is one of the constants above."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class ListingRow:
    """One line of the coordinator's list."""

    id: int
    title: str
    type_label: str
    municipality: str
    status: str
    last_day: str | None
    source: str
    editable: bool
    closable: bool


def status_of(row: Opportunity, now: datetime) -> str:
    """Open, closed, expired or not yet published: as the employee would experience it."""
    facts = facts_of(row)
    today = now.astimezone(LOCAL_TZ).date()
    if facts.closed_at is not None and facts.closed_at <= now:
        return "Gesloten"
    if facts.last_day is not None and facts.last_day < today:
        return "Verlopen"
    if facts.published_at > now:
        return "Nog niet gepubliceerd"
    return "Open"


def _row(row: Opportunity, now: datetime) -> ListingRow:
    status = status_of(row, now)
    last_day = facts_of(row).last_day
    return ListingRow(
        id=row.id,
        title=row.title,
        type_label=TYPE_LABELS[row.kind],
        municipality=row.municipality.name,
        status=status,
        last_day=dutch_day(last_day) if last_day else None,
        source=SOURCE_LABELS.get(row.source, row.source),
        editable=row.source == SOURCE_DASHBOARD and status != "Gesloten",
        closable=status != "Gesloten",
    )


def listings(session: Session, municipality_code: str | None, now: datetime) -> list[ListingRow]:
    """The listings of one municipality (None: of all, for the programme), open ones first."""
    statement = select(Opportunity).order_by(Opportunity.published_at.desc(), Opportunity.id)
    if municipality_code is not None:
        statement = statement.where(Opportunity.municipality_code == municipality_code)
    rows = [_row(row, now) for row in session.execute(statement).scalars()]
    return sorted(rows, key=lambda item: item.status != "Open")


def knows_municipality(session: Session, municipality_code: str) -> bool:
    """A listing needs its municipality in the region table (province and region follow)."""
    return session.get(RegionMunicipality, municipality_code) is not None


def _own(session: Session, opportunity_id: int, municipality_code: str) -> Opportunity:
    row = session.get(Opportunity, opportunity_id)
    if row is None:
        raise ListingRefused(NOT_FOUND)
    if row.municipality_code != municipality_code:
        raise ListingRefused(OTHER_MUNICIPALITY)
    return row


def fields_of(row: Opportunity) -> ListingFields:
    return ListingFields(**listing_values(row))


def editable_listing(
    session: Session, *, opportunity_id: int, municipality_code: str, now: datetime
) -> tuple[str, ListingFields]:
    """(title, values) of an own dashboard listing that is not closed; else ListingRefused."""
    row = _own(session, opportunity_id, municipality_code)
    if row.source != SOURCE_DASHBOARD:
        raise ListingRefused(NOT_EDITABLE)
    if status_of(row, now) == "Gesloten":
        raise ListingRefused(ALREADY_CLOSED)
    return row.title, fields_of(row)


def _input(external_id: str, municipality_code: str, fields: ListingFields) -> OpportunityInput:
    return OpportunityInput(
        source=SOURCE_DASHBOARD,
        external_id=external_id,
        municipality_code=municipality_code,
        **asdict(fields),
    )


def create_listing(
    session: Session,
    *,
    municipality_code: str,
    fields: ListingFields,
    now: datetime,
    actor: str,
) -> int:
    """Adds a listing of the coordinator's municipality, published now; its id."""
    if not knows_municipality(session, municipality_code):
        raise ListingRefused(NO_REGION)
    external_id = "dash-" + secrets.token_hex(8)
    upsert_opportunity(session, _input(external_id, municipality_code, fields), now=now)
    session.flush()
    row = session.execute(
        select(Opportunity).where(
            Opportunity.source == SOURCE_DASHBOARD, Opportunity.external_id == external_id
        )
    ).scalar_one()
    audit.record(
        session,
        actor=actor,
        action="opportunity.created",
        entity_type="opportunity",
        entity_id=row.id,
        details={"municipality": municipality_code, "kind": fields.kind},
        at=now,
    )
    return row.id


def _changed(before: ListingFields, after: ListingFields) -> list[str]:
    return [
        name
        for name in before.__dataclass_fields__
        if getattr(before, name) != getattr(after, name)
    ]


def update_listing(
    session: Session,
    *,
    opportunity_id: int,
    municipality_code: str,
    fields: ListingFields,
    now: datetime,
    actor: str,
) -> list[str]:
    """Saves an own dashboard listing; the names of the changed fields (audited)."""
    row = _own(session, opportunity_id, municipality_code)
    if row.source != SOURCE_DASHBOARD:
        raise ListingRefused(NOT_EDITABLE)
    if status_of(row, now) == "Gesloten":
        raise ListingRefused(ALREADY_CLOSED)
    changed = _changed(fields_of(row), fields)
    if changed:
        upsert_opportunity(session, _input(row.external_id, municipality_code, fields), now=now)
        audit.record(
            session,
            actor=actor,
            action="opportunity.updated",
            entity_type="opportunity",
            entity_id=row.id,
            details={"municipality": municipality_code, "kind": fields.kind, "fields": changed},
            at=now,
        )
    return changed


def close_listing(
    session: Session, *, opportunity_id: int, municipality_code: str, now: datetime, actor: str
) -> None:
    """Closes an own listing of any source (audited by :func:`close_opportunity`)."""
    _own(session, opportunity_id, municipality_code)
    if not close_opportunity(session, opportunity_id, now=now, actor=actor):
        raise ListingRefused(ALREADY_CLOSED)


def today_local(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()
