"""The coordinators' read-only overview of the coming "Tap de toekomst" evenings (issue 17).

Coordinators see the programme (evening, venue, sessions, capacity) but never who signed up:
no sign-up codes, no employee keys, and no number from which a count of 1 to ``k - 1``
sign-ups of one session can be read. ``seats_taken`` is exactly ``places - seats left``, so
the number of free seats is only shown exactly when it cannot reveal such a small count
(nobody signed up yet, or at least ``k`` did) and when at least ``k`` seats are free or none
are; otherwise the page names a range. :func:`availability` is that rule, kept pure so it is
tested on its own; :func:`upcoming_events` is the thin query around it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.ledger.catalog import WORKSHOP_THEMES
from bot.ledger.models import Workshop, WorkshopEvent
from bot.ledger.preferences import MONTH_NAMES, WEEKDAY_NAMES

#: More evenings than the programme will ever plan ahead; keeps the page bounded.
MAX_EVENTS = 200


@dataclass(frozen=True)
class Availability:
    """What the page says about the seats of one session."""

    full: bool
    #: "Vol, wachtlijst" (new sign-ups go on the waiting list) or "Nog plaatsen".
    status: str
    #: The exact number of free seats, or None when it would reveal a small count.
    seats_left: int | None
    #: The text of the "free seats" cell: a number, or a range in Dutch.
    seats_text: str


@dataclass(frozen=True)
class SessionRow:
    theme: str
    theme_label: str
    starts: str
    ends: str
    provider: str
    places: int
    availability: Availability


@dataclass(frozen=True)
class EventRow:
    name: str
    day: date
    day_text: str
    region: str
    venue: str
    town: str
    sessions: tuple[SessionRow, ...]


def availability(places: int, seats_taken: int, k: int = 5) -> Availability:
    """The seats of a session as a coordinator may see them (``k`` is the dashboard's
    threshold, :func:`bot.trends.dashboard.visible_threshold`).

    The exact number of free seats is shown only when it is 0 or at least ``k`` *and* the
    sign-ups it implies (``places - free``) are 0 or at least ``k``: showing "10 free of 12"
    would tell that 2 people signed up.
    """
    left = max(0, places - seats_taken)
    taken = places - left
    if left == 0:
        return Availability(full=True, status="Vol, wachtlijst", seats_left=0, seats_text="0")
    if left < k:
        return Availability(False, "Nog plaatsen", None, f"minder dan {k} plaatsen vrij")
    if 0 < taken < k:
        return Availability(False, "Nog plaatsen", None, f"{k} of meer plaatsen vrij")
    return Availability(False, "Nog plaatsen", left, str(left))


def day_text(day: date) -> str:
    """ "dinsdag 14 oktober 2025"."""
    return f"{WEEKDAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def _clock(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M")


def _session_row(workshop: Workshop, k: int) -> SessionRow:
    return SessionRow(
        theme=workshop.theme,
        theme_label=WORKSHOP_THEMES.get(workshop.theme, workshop.title),
        starts=_clock(workshop.starts_at),
        ends=_clock(workshop.ends_at),
        provider=workshop.provider.name,
        places=workshop.places,
        availability=availability(workshop.places, workshop.seats_taken, k),
    )


_THEME_ORDER = {theme: index for index, theme in enumerate(WORKSHOP_THEMES)}


def _programme_order(workshop: Workshop) -> tuple[datetime, int, int]:
    """By start, then in the programme's order of the five themes."""
    return (workshop.starts_at, _THEME_ORDER.get(workshop.theme, len(_THEME_ORDER)), workshop.id)


def upcoming_events(session: Session, *, now: datetime, k: int = 5) -> list[EventRow]:
    """The evenings from today on (Dutch date), soonest first, each with its sessions.

    An evening of today whose sessions have all ended counts as past and is left out.
    """
    today = now.astimezone(LOCAL_TZ).date()
    events = (
        session.execute(
            select(WorkshopEvent)
            .where(WorkshopEvent.event_date >= today)
            .order_by(WorkshopEvent.event_date, WorkshopEvent.name, WorkshopEvent.id)
            .limit(MAX_EVENTS)
        )
        .scalars()
        .all()
    )
    if not events:
        return []
    workshops = (
        session.execute(
            select(Workshop)
            .where(Workshop.event_id.in_([event.id for event in events]))
            .order_by(Workshop.starts_at, Workshop.id)
        )
        .unique()
        .scalars()
        .all()
    )
    by_event: dict[int, list[Workshop]] = {}
    for workshop in sorted(workshops, key=_programme_order):
        by_event.setdefault(workshop.event_id, []).append(workshop)
    rows = []
    for event in events:
        sessions = by_event.get(event.id, [])
        if event.event_date == today and sessions and all(w.ends_at <= now for w in sessions):
            continue
        rows.append(
            EventRow(
                name=event.name,
                day=event.event_date,
                day_text=day_text(event.event_date),
                region=event.region,
                venue=event.venue_name,
                town=event.town,
                sessions=tuple(_session_row(workshop, k) for workshop in sessions),
            )
        )
    return rows
