"""Finding free coach slots and booking, moving and cancelling them.

The functions work inside the caller's transaction and never commit: the caller commits on
success and rolls back on :class:`BookingError` (see :func:`bot.db.run_in_transaction`).
Double booking is prevented by a conditional ``UPDATE slots ... WHERE status = 'free'``
whose row count says who won, backed by a partial unique index on active bookings. That
works the same on SQLite (writers are serialised by ``BEGIN IMMEDIATE``) and on PostgreSQL
(the second writer waits for the first and then sees the slot is no longer free).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.ledger import audit
from bot.ledger.catalog import (
    BOOKING_ACTIVE,
    BOOKING_CANCELLED,
    MODE_EITHER,
    MODE_ON_LOCATION,
    MODE_ONLINE,
    SLOT_BOOKED,
    SLOT_FREE,
)
from bot.ledger.codes import check_code, new_code
from bot.ledger.models import Booking, Coach, CoachRegion, Slot
from bot.ledger.preferences import WhenPreference, matches_preference
from bot.notify import messages, outbox

#: A slot must start at least this far ahead to be offered or booked.
MIN_LEAD = timedelta(hours=2)
MAX_OFFERS = 5
#: Offer some variety: at most this many slots of the same coach in one list.
PER_COACH = 2
_CANDIDATES = 400

OFFER_MATCH = "match"
OFFER_LATER = "later"
OFFER_ELSEWHERE_ONLINE = "elsewhere_online"

# Reasons of BookingError (the chat and the API turn them into their own words).
SLOT_UNKNOWN = "slot_unknown"
SLOT_TAKEN = "slot_taken"
SLOT_PAST = "slot_past"
SLOT_MODE = "slot_mode"
BOOKING_UNKNOWN = "booking_unknown"
BOOKING_IS_CANCELLED = "booking_cancelled"
BOOKING_PAST = "booking_past"
BOOKING_SAME_SLOT = "booking_same_slot"
BAD_EMAIL = "bad_email"


class BookingError(Exception):
    """An expected refusal (slot taken, unknown code ...); nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SlotOffer:
    """A free slot as shown to the employee; stored in the tracker as a plain dict."""

    slot_id: int
    coach_name: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    kind: str = OFFER_MATCH

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["starts_at"] = self.starts_at.isoformat()
        data["ends_at"] = self.ends_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: dict) -> SlotOffer:
        return cls(
            slot_id=int(data["slot_id"]),
            coach_name=str(data["coach_name"]),
            starts_at=datetime.fromisoformat(str(data["starts_at"])),
            ends_at=datetime.fromisoformat(str(data["ends_at"])),
            mode=str(data["mode"]),
            kind=str(data.get("kind") or OFFER_MATCH),
        )


@dataclass(frozen=True)
class BookingView:
    """Everything the chat, the calendar file and the e-mails need about one booking."""

    booking_id: int
    code: str
    status: str
    ics_token: str
    sequence: int
    coach_name: str
    coach_email: str
    location: str | None
    starts_at: datetime
    ends_at: datetime
    mode: str
    region: str
    has_email: bool
    created_at: datetime
    updated_at: datetime

    def facts(self) -> messages.AppointmentFacts:
        return messages.AppointmentFacts(
            coach_name=self.coach_name,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            mode=self.mode,
            region=self.region,
            location=self.location,
            booking_code=self.code,
        )


def view_of(booking: Booking) -> BookingView:
    slot = booking.slot
    return BookingView(
        booking_id=booking.id,
        code=booking.code,
        status=booking.status,
        ics_token=booking.ics_token,
        sequence=booking.sequence,
        coach_name=slot.coach.name,
        coach_email=slot.coach.email,
        location=slot.coach.location,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        mode=booking.mode,
        region=booking.region,
        has_email=booking.email is not None,
        created_at=booking.created_at,
        updated_at=booking.updated_at,
    )


# --- Finding slots ----------------------------------------------------------------------


def booking_mode_for(wanted: str, slot_mode: str, coach: Coach) -> str | None:
    """The mode a booking of this slot gets, or None if the slot does not fit the wish."""
    if wanted in (MODE_ONLINE, MODE_ON_LOCATION):
        fits = slot_mode in (wanted, MODE_EITHER) and bool(
            coach.online if wanted == MODE_ONLINE else coach.on_location
        )
        return wanted if fits else None
    if slot_mode != MODE_EITHER:
        return slot_mode
    return MODE_ONLINE if coach.online else MODE_ON_LOCATION


def choose_offers(
    candidates: Iterable[SlotOffer],
    preference: WhenPreference,
    *,
    limit: int = MAX_OFFERS,
    per_coach: int = PER_COACH,
    exclude: Iterable[int] = (),
) -> list[SlotOffer]:
    """The earliest candidates that fit the preference, with at most ``per_coach`` each."""
    excluded = set(exclude)
    chosen: list[SlotOffer] = []
    per: dict[str, int] = {}
    for offer in candidates:
        if offer.slot_id in excluded or not matches_preference(offer.starts_at, preference):
            continue
        if per.get(offer.coach_name, 0) >= per_coach:
            continue
        per[offer.coach_name] = per.get(offer.coach_name, 0) + 1
        chosen.append(offer)
        if len(chosen) >= limit:
            break
    return chosen


def _candidates(
    session: Session,
    *,
    region: str,
    mode: str,
    now: datetime,
    until: datetime | None,
    in_region: bool,
    kind: str,
) -> list[SlotOffer]:
    coaches_here = select(CoachRegion.coach_id).where(CoachRegion.region == region)
    statement = (
        select(Slot)
        .join(Coach, Coach.id == Slot.coach_id)
        .where(
            Slot.status == SLOT_FREE,
            Slot.starts_at > now + MIN_LEAD,
            Coach.active.is_(True),
            Slot.coach_id.in_(coaches_here) if in_region else Slot.coach_id.not_in(coaches_here),
        )
        .order_by(Slot.starts_at, Slot.id)
        .limit(_CANDIDATES)
    )
    if until is not None:
        statement = statement.where(Slot.starts_at <= until)
    if mode == MODE_ONLINE:
        statement = statement.where(Slot.mode.in_((MODE_ONLINE, MODE_EITHER)), Coach.online)
    elif mode == MODE_ON_LOCATION:
        statement = statement.where(
            Slot.mode.in_((MODE_ON_LOCATION, MODE_EITHER)), Coach.on_location
        )
    offers = []
    for slot in session.execute(statement).scalars():
        booking_mode = booking_mode_for(mode, slot.mode, slot.coach)
        if booking_mode is not None:
            offers.append(
                SlotOffer(
                    slot.id, slot.coach.name, slot.starts_at, slot.ends_at, booking_mode, kind
                )
            )
    return offers


def find_offers(
    session: Session,
    *,
    region: str,
    mode: str,
    preference: WhenPreference,
    now: datetime,
    horizon_days: int,
    exclude: Iterable[int] = (),
    limit: int = MAX_OFFERS,
) -> list[SlotOffer]:
    """Up to five free slots in the region, in the wished mode, on the wished days."""
    candidates = _candidates(
        session,
        region=region,
        mode=mode,
        now=now,
        until=now + timedelta(days=horizon_days),
        in_region=True,
        kind=OFFER_MATCH,
    )
    return choose_offers(candidates, preference, exclude=exclude, limit=limit)


def find_alternatives(
    session: Session,
    *,
    region: str,
    mode: str,
    preference: WhenPreference,
    now: datetime,
    exclude: Iterable[int] = (),
    limit: int = MAX_OFFERS,
) -> list[SlotOffer]:
    """The nearest other options: later dates in the region, then online elsewhere."""
    excluded = set(exclude)
    later = _candidates(
        session, region=region, mode=mode, now=now, until=None, in_region=True, kind=OFFER_LATER
    )
    chosen = choose_offers(later, WhenPreference(), exclude=excluded, limit=3)
    excluded.update(offer.slot_id for offer in chosen)
    elsewhere = _candidates(
        session,
        region=region,
        mode=MODE_ONLINE,
        now=now,
        until=None,
        in_region=False,
        kind=OFFER_ELSEWHERE_ONLINE,
    )
    room = limit - len(chosen)
    online = choose_offers(elsewhere, preference, exclude=excluded, limit=room)
    if not online:
        online = choose_offers(elsewhere, WhenPreference(), exclude=excluded, limit=room)
    return chosen + online


def offers_or_alternatives(
    session: Session,
    *,
    region: str,
    mode: str,
    preference: WhenPreference,
    now: datetime,
    horizon_days: int,
    exclude: Iterable[int] = (),
) -> list[SlotOffer]:
    """Matching slots if there are any, else the alternatives (empty: nothing at all)."""
    offers = find_offers(
        session,
        region=region,
        mode=mode,
        preference=preference,
        now=now,
        horizon_days=horizon_days,
        exclude=exclude,
    )
    if offers:
        return offers
    return find_alternatives(
        session, region=region, mode=mode, preference=preference, now=now, exclude=exclude
    )


# --- Booking, moving, cancelling --------------------------------------------------------


def _take_slot(session: Session, slot_id: int, wanted_mode: str, now: datetime) -> Slot:
    """Claims a free slot for this transaction or raises why it cannot be had."""
    slot = session.get(Slot, slot_id)
    if slot is None or not slot.coach.active:
        raise BookingError(SLOT_UNKNOWN)
    if booking_mode_for(wanted_mode, slot.mode, slot.coach) is None:
        raise BookingError(SLOT_MODE)
    if slot.starts_at <= now + MIN_LEAD:
        raise BookingError(SLOT_PAST)
    claimed = session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == SLOT_FREE, Slot.starts_at > now + MIN_LEAD)
        .values(status=SLOT_BOOKED)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise BookingError(SLOT_TAKEN)
    session.refresh(slot)
    return slot


def _release_slot(session: Session, slot_id: int, now: datetime) -> None:
    """A cancelled future slot can be booked again; a past one stays as it was."""
    session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.status == SLOT_BOOKED, Slot.starts_at > now)
        .values(status=SLOT_FREE)
        .execution_options(synchronize_session=False)
    )


def _new_booking_code(session: Session) -> str:
    for _ in range(5):
        code = new_code("booking")
        if session.execute(select(Booking.id).where(Booking.code == code)).first() is None:
            return code
    raise RuntimeError("could not find a free booking code")  # pragma: no cover


def book_slot(
    session: Session,
    *,
    slot_id: int,
    mode: str,
    region: str,
    now: datetime,
    actor: str,
) -> BookingView:
    """Books one free slot: slot taken, booking stored, audit entry and coach e-mail queued."""
    slot = _take_slot(session, slot_id, mode, now)
    booking = Booking(
        code=_new_booking_code(session),
        slot_id=slot.id,
        mode=booking_mode_for(mode, slot.mode, slot.coach),
        region=region,
        status=BOOKING_ACTIVE,
        ics_token=secrets.token_urlsafe(32),
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(booking)
    try:
        session.flush()
    except IntegrityError as exc:  # the partial unique index: someone else has the slot
        raise BookingError(SLOT_TAKEN) from exc
    view = view_of(booking)
    audit.record(
        session,
        actor=actor,
        action="booking.created",
        entity_type="booking",
        entity_id=booking.id,
        details={"slot_id": slot.id, "coach_id": slot.coach_id, "mode": booking.mode},
        at=now,
    )
    outbox.enqueue(
        session,
        to_address=slot.coach.email,
        mail=messages.booking_mail(view.facts()),
        now=now,
        booking_id=booking.id,
    )
    return view


def _locked_booking(session: Session, raw_code: str) -> Booking:
    check = check_code(raw_code, "booking")
    if not check.ok:
        raise BookingError(BOOKING_UNKNOWN)
    booking = session.execute(
        select(Booking).where(Booking.code == check.normalized).with_for_update(of=Booking)
    ).scalar_one_or_none()
    if booking is None:
        raise BookingError(BOOKING_UNKNOWN)
    return booking


def _changeable(booking: Booking, now: datetime) -> None:
    if booking.status != BOOKING_ACTIVE:
        raise BookingError(BOOKING_IS_CANCELLED)
    if booking.slot.starts_at <= now:
        raise BookingError(BOOKING_PAST)


def find_booking(session: Session, raw_code: str) -> BookingView | None:
    check = check_code(raw_code, "booking")
    if not check.ok:
        return None
    booking = session.execute(
        select(Booking).where(Booking.code == check.normalized)
    ).scalar_one_or_none()
    return view_of(booking) if booking else None


def find_booking_by_token(session: Session, token: str) -> BookingView | None:
    if not token or len(token) > 64:
        return None
    booking = session.execute(
        select(Booking).where(Booking.ics_token == token)
    ).scalar_one_or_none()
    return view_of(booking) if booking else None


def _forget_email(session: Session, booking: Booking) -> None:
    booking.email = None
    booking.email_delete_after = None
    outbox.purge(session, booking.updated_at, booking_id=booking.id)


def cancel_booking(session: Session, *, code: str, now: datetime, actor: str) -> BookingView:
    """Cancels an active future booking, frees the slot, tells the coach, forgets the e-mail."""
    booking = _locked_booking(session, code)
    _changeable(booking, now)
    changed = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BOOKING_ACTIVE)
        .values(
            status=BOOKING_CANCELLED,
            cancelled_at=now,
            updated_at=now,
            sequence=Booking.sequence + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise BookingError(BOOKING_IS_CANCELLED)
    session.refresh(booking)
    _release_slot(session, booking.slot_id, now)
    _forget_email(session, booking)
    view = view_of(booking)
    audit.record(
        session,
        actor=actor,
        action="booking.cancelled",
        entity_type="booking",
        entity_id=booking.id,
        details={"slot_id": booking.slot_id},
        at=now,
    )
    outbox.enqueue(
        session,
        to_address=view.coach_email,
        mail=messages.cancellation_mail(view.facts()),
        now=now,
        booking_id=booking.id,
    )
    return view


def reschedule_booking(
    session: Session,
    *,
    code: str,
    new_slot_id: int,
    now: datetime,
    actor: str,
    email_retention: timedelta,
) -> BookingView:
    """Moves an active booking to another free slot in one transaction (same code)."""
    booking = _locked_booking(session, code)
    _changeable(booking, now)
    if booking.slot_id == new_slot_id:
        raise BookingError(BOOKING_SAME_SLOT)
    old_slot = booking.slot
    old_start, old_coach_id = old_slot.starts_at, old_slot.coach_id
    old_view = view_of(booking)
    new_slot = _take_slot(session, new_slot_id, booking.mode, now)
    _release_slot(session, old_slot.id, now)
    booking.slot_id = new_slot.id
    booking.slot = new_slot
    booking.sequence = booking.sequence + 1
    booking.updated_at = now
    if booking.email is not None:
        booking.email_delete_after = new_slot.ends_at + email_retention
    session.flush()
    view = view_of(booking)
    audit.record(
        session,
        actor=actor,
        action="booking.rescheduled",
        entity_type="booking",
        entity_id=booking.id,
        details={"from_slot_id": old_slot.id, "to_slot_id": new_slot.id},
        at=now,
    )
    if new_slot.coach_id == old_coach_id:
        outbox.enqueue(
            session,
            to_address=view.coach_email,
            mail=messages.rescheduled_mail(view.facts(), old_start),
            now=now,
            booking_id=booking.id,
        )
        return view
    outbox.enqueue(
        session,
        to_address=old_view.coach_email,
        mail=messages.cancellation_mail(old_view.facts()),
        now=now,
        booking_id=booking.id,
    )
    outbox.enqueue(
        session,
        to_address=view.coach_email,
        mail=messages.booking_mail(view.facts()),
        now=now,
        booking_id=booking.id,
    )
    if booking.email is not None:
        _enqueue_email_left_mail(session, view, booking, now)
    return view



def _enqueue_email_left_mail(
    session: Session, view: BookingView, booking: Booking, now: datetime
) -> None:
    """Tell the coach the employee's e-mail address; the mail is purged with the address."""
    outbox.enqueue(
        session,
        to_address=view.coach_email,
        mail=messages.email_left_mail(view.facts(), booking.email),
        now=now,
        booking_id=booking.id,
        purge_after=booking.email_delete_after,
    )

def set_booking_email(
    session: Session,
    *,
    token: str,
    email: str | None,
    now: datetime,
    email_retention: timedelta,
    actor: str = "web:booking-email",
) -> BookingView:
    """Stores (or, with None, removes) the employee's address on the booking only.

    The coach gets it by e-mail so they can get in touch; both copies are deleted
    ``email_retention`` after the appointment by :func:`purge_emails`.
    """
    booking = session.execute(
        select(Booking).where(Booking.ics_token == token).with_for_update(of=Booking)
    ).scalar_one_or_none()
    if booking is None:
        raise BookingError(BOOKING_UNKNOWN)
    _changeable(booking, now)
    booking.updated_at = now
    if email is None:
        _forget_email(session, booking)
        action = "booking.email_removed"
    else:
        if not is_plausible_email(email):
            raise BookingError(BAD_EMAIL)
        booking.email = email.strip()
        booking.email_delete_after = booking.slot.ends_at + email_retention
        action = "booking.email_added"
    session.flush()
    view = view_of(booking)
    audit.record(
        session, actor=actor, action=action, entity_type="booking", entity_id=booking.id, at=now
    )
    if email is not None:
        _enqueue_email_left_mail(session, view, booking, now)
    return view


def is_plausible_email(value: str) -> bool:
    """A light check (one @, a dot in the domain, no spaces); the coach's reply proves it."""
    value = (value or "").strip()
    if not 6 <= len(value) <= 254 or any(char.isspace() for char in value):
        return False
    local, at, domain = value.rpartition("@")
    return bool(at and local and "." in domain.strip(".") and "@" not in local)


@dataclass(frozen=True)
class PurgeReport:
    bookings: int
    messages: int


def purge_emails(session: Session, now: datetime, *, actor: str = "cli") -> PurgeReport:
    """Deletes employee e-mail addresses (and mails holding them) past their deadline."""
    due = list(
        session.execute(
            select(Booking.id).where(Booking.email.is_not(None), Booking.email_delete_after <= now)
        ).scalars()
    )
    if due:
        session.execute(
            update(Booking)
            .where(Booking.id.in_(due))
            .values(email=None, email_delete_after=None)
            .execution_options(synchronize_session=False)
        )
        for booking_id in due:
            audit.record(
                session,
                actor=actor,
                action="booking.email_purged",
                entity_type="booking",
                entity_id=booking_id,
                at=now,
            )
    removed = outbox.purge(session, now)
    return PurgeReport(bookings=len(due), messages=removed)


def offers_from_slot_value(value: object) -> list[SlotOffer]:
    """Reads the offers stored in a tracker slot, skipping anything malformed."""
    offers = []
    if isinstance(value, Sequence) and not isinstance(value, str):
        for item in value:
            try:
                offers.append(SlotOffer.from_dict(item))
            except (KeyError, TypeError, ValueError):
                continue
    return offers
