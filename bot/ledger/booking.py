"""Finding free coach slots and booking, moving and cancelling them.

The functions work inside the caller's transaction and never commit: the caller commits on
success and rolls back on :class:`BookingError` (see :func:`bot.db.engine.run_in_transaction`).
Double booking is prevented by a conditional ``UPDATE slots ... WHERE status = 'free'``
whose row count says who won, backed by a partial unique index on active bookings. That
works the same on SQLite (writers are serialised by ``BEGIN IMMEDIATE``) and on PostgreSQL
(the second writer waits for the first and then sees the slot is no longer free).

Owners and limits (issue 14): a booking made from the chat records its :class:`BookingOwner`
(the pseudonymous conversation key and, when verified, the employee key). Only that owner
can change it; anyone else gets :data:`BOOKING_UNKNOWN`, the same answer as for a code that
does not exist. One owner holds one active booking (a partial unique index), and
:class:`BookingLimits` caps changes per owner and new anonymous bookings per hour with
counters in the database (:class:`~bot.ledger.models.BookingQuota`), so a script cannot
empty the agenda or flood coaches with mail, whichever instance it talks to.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
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
from bot.ledger.models import Booking, BookingQuota, Coach, CoachRegion, Slot
from bot.ledger.preferences import (
    MODE_ONLINE_ANYWHERE,
    WhenPreference,
    any_day,
    any_time,
    has_clock_window,
    matches_preference,
    only_exclusions,
)
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
# Refusals of the owner limits (nothing was changed, no mail was queued).
BOOKING_ALREADY_ACTIVE = "booking_already_active"
BOOKING_RATE_LIMITED = "booking_rate_limited"
ANONYMOUS_FULL = "booking_anonymous_full"
NEEDS_IDENTITY = "booking_needs_identity"
LIMIT_REASONS = frozenset(
    {BOOKING_ALREADY_ACTIVE, BOOKING_RATE_LIMITED, ANONYMOUS_FULL, NEEDS_IDENTITY}
)

#: Quota key of all anonymous conversations together.
ANONYMOUS_QUOTA_KEY = "anonymous"
QUOTA_WINDOW = timedelta(hours=1)
QUOTA_KEEP = timedelta(days=1)


class BookingError(Exception):
    """An expected refusal (slot taken, unknown code ...); nothing was changed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class BookingOwner:
    """Who makes or changes a booking: keys only, never a raw channel id.

    ``conversation`` is the tracker's sender id (already a keyed pseudonym of
    ``channel:id``); ``employee_keys`` come from a verified identity claim, current key
    first (empty: anonymous).
    """

    conversation: str
    employee_keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.conversation or len(self.conversation) > 64:
            raise ValueError("a booking owner needs a conversation key of at most 64 chars")
        if any(not key or len(key) > 128 for key in self.employee_keys):
            raise ValueError("employee keys are 1 to 128 characters")

    @property
    def verified(self) -> bool:
        return bool(self.employee_keys)

    @property
    def employee_key(self) -> str | None:
        return self.employee_keys[0] if self.employee_keys else None

    @property
    def lock(self) -> str:
        """The value of ``bookings.active_owner`` for this owner's one active booking."""
        return f"e:{self.employee_keys[0]}" if self.verified else f"c:{self.conversation}"

    def locks(self) -> tuple[str, ...]:
        """Every lock value that may hold this owner's booking (also under an older key)."""
        return (f"c:{self.conversation}", *(f"e:{key}" for key in self.employee_keys))

    def quota_keys(self) -> tuple[str, ...]:
        """Change counters of this owner: the conversation, and the employee when verified."""
        keys = [f"c:{self.conversation}"]
        if self.employee_key:
            keys.append(f"e:{self.employee_key}")
        return tuple(keys)

    def owns(self, booking: Booking) -> bool:
        """True for the conversation or the verified employee that made ``booking``.

        A booking without any owner predates owner recording (or came from a trusted tool):
        the code alone decides for it, as it did before.
        """
        if booking.owner_conversation is None and booking.owner_employee is None:
            return True
        if booking.owner_conversation == self.conversation:
            return True
        return booking.owner_employee is not None and booking.owner_employee in self.employee_keys


@dataclass(frozen=True)
class BookingLimits:
    """Limits per hour (fixed windows); 0 anonymous bookings means: verified employees only."""

    changes_per_hour: int = 5
    anonymous_per_hour: int = 3
    #: Future bookings all anonymous conversations may hold at once (bounds a slow drain).
    anonymous_active_max: int = 20

    def __post_init__(self) -> None:
        if self.changes_per_hour < 1 or min(self.anonymous_per_hour, self.anonymous_active_max) < 0:
            raise ValueError("changes_per_hour must be >= 1, the anonymous limits >= 0")

    @property
    def anonymous_allowed(self) -> bool:
        return self.anonymous_per_hour > 0 and self.anonymous_active_max > 0


@dataclass(frozen=True)
class SlotOffer:
    """A free slot as shown to the employee; stored in the tracker as a plain dict."""

    slot_id: int
    coach_name: str
    starts_at: datetime
    ends_at: datetime
    mode: str
    kind: str = OFFER_MATCH
    #: Picked out of a longer list by what the employee said ("dinsdag om 4 uur": three
    #: coaches then); the list shows only these and asks which.
    narrowed: bool = False

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
            narrowed=data.get("narrowed") is True,
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
    since: datetime | None = None,
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
    if since is not None:
        statement = statement.where(Slot.starts_at >= since)
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


def _online_everywhere(
    session: Session,
    *,
    region: str,
    now: datetime,
    until: datetime | None,
    since: datetime | None = None,
    kind: str = OFFER_MATCH,
) -> list[SlotOffer]:
    """Online slots of the region's coaches (``kind``) and of every other province's
    (marked :data:`OFFER_ELSEWHERE_ONLINE`), in time order."""
    common: dict[str, Any] = {"region": region, "mode": MODE_ONLINE, "now": now, "until": until}
    here = _candidates(session, **common, in_region=True, kind=kind, since=since)
    elsewhere = _candidates(
        session, **common, in_region=False, kind=OFFER_ELSEWHERE_ONLINE, since=since
    )
    return sorted(here + elsewhere, key=lambda offer: (offer.starts_at, offer.slot_id))


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
    """Up to five free slots in the region, in the wished mode, on the wished days.

    :data:`MODE_ONLINE_ANYWHERE` looks at the online slots of every province.
    """
    until = now + timedelta(days=horizon_days)
    if mode == MODE_ONLINE_ANYWHERE:
        candidates = _online_everywhere(
            session, region=region, now=now, until=until, since=_first_moment(preference)
        )
    else:
        candidates = _candidates(
            session,
            region=region,
            mode=mode,
            now=now,
            until=until,
            in_region=True,
            kind=OFFER_MATCH,
            since=_first_moment(preference),
        )
    return choose_offers(candidates, preference, exclude=exclude, limit=limit)


def _first_moment(preference: WhenPreference) -> datetime | None:
    """The first moment a preference allows ("volgende week"), so the query starts there."""
    first = preference.from_date
    if preference.dates:
        first = min(preference.dates) if first is None else max(first, min(preference.dates))
    if first is None:
        return None
    return datetime(first.year, first.month, first.day, tzinfo=LOCAL_TZ)


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
    """The nearest other options: first the same time of day on another day (or a later
    week), then the same days at another time, then anything in the region; then online
    elsewhere.

    Days the employee ruled out ("morgen kan niet") stay out at every step. A clock time the
    employee named ("na 4 uur, overdag kan ik niet") is kept while online coaches elsewhere
    have a time that fits it: another time of day is offered only when nothing else is.
    """
    excluded = set(exclude)
    if mode == MODE_ONLINE_ANYWHERE:
        later = _online_everywhere(session, region=region, now=now, until=None, kind=OFFER_LATER)
        return _relaxed_choice(
            later,
            (any_day(preference), any_time(preference), only_exclusions(preference)),
            excluded,
            limit,
        )
    later = _candidates(
        session, region=region, mode=mode, now=now, until=None, in_region=True, kind=OFFER_LATER
    )
    chosen = _relaxed_choice(later, (any_day(preference),), excluded, 3)
    elsewhere = _candidates(
        session,
        region=region,
        mode=MODE_ONLINE,
        now=now,
        until=None,
        in_region=False,
        kind=OFFER_ELSEWHERE_ONLINE,
    )
    keeps_time = choose_offers(elsewhere, any_day(preference), exclude=excluded, limit=1)
    if not (has_clock_window(preference) and (chosen or keeps_time)):
        relaxed = (any_time(preference), only_exclusions(preference))
        chosen += _relaxed_choice(later, relaxed, excluded, 3 - len(chosen))
    chosen.sort(key=lambda offer: (offer.starts_at, offer.slot_id))
    excluded.update(offer.slot_id for offer in chosen)
    room = limit - len(chosen)
    online = choose_offers(elsewhere, preference, exclude=excluded, limit=room)
    if not online:
        online = choose_offers(elsewhere, any_day(preference), exclude=excluded, limit=room)
    if not online and not has_clock_window(preference):
        online = choose_offers(elsewhere, only_exclusions(preference), exclude=excluded, limit=room)
    return chosen + online


def _relaxed_choice(
    candidates: list[SlotOffer],
    wishes: Sequence[WhenPreference],
    excluded: set[int],
    room: int,
) -> list[SlotOffer]:
    """Up to ``room`` candidates for the first wishes that have some, in time order;
    ``excluded`` grows with what was chosen."""
    chosen: list[SlotOffer] = []
    for wish in wishes:
        if room - len(chosen) <= 0:
            break
        found = choose_offers(candidates, wish, exclude=excluded, limit=room - len(chosen))
        excluded.update(offer.slot_id for offer in found)
        chosen.extend(found)
    return sorted(chosen, key=lambda offer: (offer.starts_at, offer.slot_id))


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


# --- Owners and limits --------------------------------------------------------------------


def quota_window(now: datetime) -> datetime:
    """Start of the hour ``now`` falls in (the quota counts per fixed hour)."""
    return now.replace(minute=0, second=0, microsecond=0)


def _take_quota(session: Session, key: str, limit: int, now: datetime) -> bool:
    """Takes one unit of ``key``'s hourly quota atomically; False when it is used up.

    The conditional UPDATE decides under concurrency (PostgreSQL row lock, SQLite's single
    writer); the first use of a window inserts its row in a savepoint, and a writer that
    lost that race retries the UPDATE.
    """
    if limit < 1:
        return False
    window = quota_window(now)
    session.execute(
        delete(BookingQuota)
        .where(BookingQuota.window_start < window - QUOTA_KEEP)
        .execution_options(synchronize_session=False)
    )
    for _attempt in range(2):
        taken = session.execute(
            update(BookingQuota)
            .where(
                BookingQuota.key == key,
                BookingQuota.window_start == window,
                BookingQuota.used < limit,
            )
            .values(used=BookingQuota.used + 1)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount == 1:
            return True
        exists = session.execute(
            select(BookingQuota.used).where(
                BookingQuota.key == key, BookingQuota.window_start == window
            )
        ).first()
        if exists is not None:
            return False
        try:
            with session.begin_nested():
                session.add(BookingQuota(key=key, window_start=window, used=1))
            return True
        except IntegrityError:
            continue  # another writer created the row first: count on it
    return False  # pragma: no cover - the row exists after a lost insert race


def quota_left(session: Session, key: str, limit: int, now: datetime) -> int:
    """How many units of ``key``'s quota are left this hour (a read, for early answers)."""
    used = session.execute(
        select(BookingQuota.used).where(
            BookingQuota.key == key, BookingQuota.window_start == quota_window(now)
        )
    ).scalar()
    return max(0, limit - int(used or 0))


def _owner_condition(owner: BookingOwner) -> Any:
    conditions = [Booking.owner_conversation == owner.conversation]
    if owner.employee_keys:
        conditions.append(Booking.owner_employee.in_(owner.employee_keys))
    return or_(*conditions)


def active_booking_of(session: Session, owner: BookingOwner, now: datetime) -> BookingView | None:
    """The owner's active booking that has not started yet (what blocks a second one)."""
    booking = session.execute(
        select(Booking)
        .join(Slot, Slot.id == Booking.slot_id)
        .where(Booking.status == BOOKING_ACTIVE, Slot.starts_at > now, _owner_condition(owner))
        .order_by(Slot.starts_at)
        .limit(1)
    ).scalar_one_or_none()
    return view_of(booking) if booking else None


def booking_refusal(
    session: Session, *, owner: BookingOwner, limits: BookingLimits, now: datetime
) -> str | None:
    """Why ``owner`` cannot book now (a reason of :class:`BookingError`), or None.

    Only reads: the chat uses it to answer before the employee picks a time. :func:`book_slot`
    checks again and takes the quota in the booking's own transaction.
    """
    if active_booking_of(session, owner, now) is not None:
        return BOOKING_ALREADY_ACTIVE
    if not owner.verified and not limits.anonymous_allowed:
        return NEEDS_IDENTITY
    if any(
        quota_left(session, key, limits.changes_per_hour, now) < 1 for key in owner.quota_keys()
    ):
        return BOOKING_RATE_LIMITED
    if not owner.verified and (
        quota_left(session, ANONYMOUS_QUOTA_KEY, limits.anonymous_per_hour, now) < 1
        or anonymous_active_count(session, now) >= limits.anonymous_active_max
    ):
        return ANONYMOUS_FULL
    return None


def anonymous_active_count(session: Session, now: datetime) -> int:
    """Future active bookings made by anonymous conversations (no verified employee)."""
    return int(
        session.execute(
            select(func.count(Booking.id))
            .join(Slot, Slot.id == Booking.slot_id)
            .where(
                Booking.status == BOOKING_ACTIVE,
                Slot.starts_at > now,
                Booking.owner_conversation.is_not(None),
                Booking.owner_employee.is_(None),
            )
        ).scalar()
        or 0
    )


def _claim_owner(
    session: Session, owner: BookingOwner, limits: BookingLimits | None, now: datetime
) -> None:
    """Checks one-active-booking and takes the quotas of a new booking, or raises why not."""
    # A booking whose time has come no longer counts as the owner's active one.
    passed = select(Slot.id).where(Slot.starts_at <= now)
    session.execute(
        update(Booking)
        .where(Booking.active_owner.in_(owner.locks()), Booking.slot_id.in_(passed))
        .values(active_owner=None)
        .execution_options(synchronize_session=False)
    )
    if active_booking_of(session, owner, now) is not None:
        raise BookingError(BOOKING_ALREADY_ACTIVE)
    if limits is None:
        return
    if not owner.verified and not limits.anonymous_allowed:
        raise BookingError(NEEDS_IDENTITY)
    _take_change_quota(session, owner, limits, now)
    if owner.verified:
        return
    # The anonymous row is locked from here to commit, so the count below is exact.
    if not _take_quota(session, ANONYMOUS_QUOTA_KEY, limits.anonymous_per_hour, now):
        raise BookingError(ANONYMOUS_FULL)
    if anonymous_active_count(session, now) >= limits.anonymous_active_max:
        raise BookingError(ANONYMOUS_FULL)


def _take_change_quota(
    session: Session, owner: BookingOwner, limits: BookingLimits, now: datetime
) -> None:
    for key in owner.quota_keys():
        if not _take_quota(session, key, limits.changes_per_hour, now):
            raise BookingError(BOOKING_RATE_LIMITED)


def book_slot(
    session: Session,
    *,
    slot_id: int,
    mode: str,
    region: str,
    now: datetime,
    actor: str,
    owner: BookingOwner | None = None,
    limits: BookingLimits | None = None,
) -> BookingView:
    """Books one free slot: slot taken, booking stored, audit entry and coach e-mail queued.

    With an ``owner`` (every booking from the chat) the owner may hold only one active
    booking and ``limits`` are taken in this same transaction; without one (trusted tools,
    tests) the booking has no owner and only its code protects it.
    """
    if owner is not None:
        _claim_owner(session, owner, limits, now)
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
        owner_conversation=owner.conversation if owner else None,
        owner_employee=owner.employee_key if owner else None,
        active_owner=owner.lock if owner else None,
    )
    session.add(booking)
    try:
        session.flush()
    except IntegrityError as exc:
        # The partial unique indexes: someone else has the slot, or the same owner booked
        # at the same moment in another conversation or instance.
        if "active_owner" in str(exc.orig):
            raise BookingError(BOOKING_ALREADY_ACTIVE) from exc
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


def _locked_booking(session: Session, raw_code: str, owner: BookingOwner | None) -> Booking:
    """The booking of ``raw_code``, locked; someone else's booking looks like no booking."""
    check = check_code(raw_code, "booking")
    if not check.ok:
        raise BookingError(BOOKING_UNKNOWN)
    booking = session.execute(
        select(Booking).where(Booking.code == check.normalized).with_for_update(of=Booking)
    ).scalar_one_or_none()
    if booking is None or (owner is not None and not owner.owns(booking)):
        raise BookingError(BOOKING_UNKNOWN)
    return booking


def _changeable(booking: Booking, now: datetime) -> None:
    if booking.status != BOOKING_ACTIVE:
        raise BookingError(BOOKING_IS_CANCELLED)
    if booking.slot.starts_at <= now:
        raise BookingError(BOOKING_PAST)


def find_booking(
    session: Session, raw_code: str, owner: BookingOwner | None = None
) -> BookingView | None:
    """The booking of ``raw_code``; with an ``owner``, None unless that owner made it."""
    check = check_code(raw_code, "booking")
    if not check.ok:
        return None
    booking = session.execute(
        select(Booking).where(Booking.code == check.normalized)
    ).scalar_one_or_none()
    if booking is None or (owner is not None and not owner.owns(booking)):
        return None
    return view_of(booking)


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


def cancel_booking(
    session: Session,
    *,
    code: str,
    now: datetime,
    actor: str,
    owner: BookingOwner | None = None,
) -> BookingView:
    """Cancels an active future booking, frees the slot, tells the coach, forgets the e-mail.

    With an ``owner``, only the owner's own booking (else :data:`BOOKING_UNKNOWN`). A cancel
    takes no quota on purpose: it needs an active booking, which the limits already cap, and
    an employee must always be able to cancel.
    """
    booking = _locked_booking(session, code, owner)
    _changeable(booking, now)
    changed = session.execute(
        update(Booking)
        .where(Booking.id == booking.id, Booking.status == BOOKING_ACTIVE)
        .values(
            status=BOOKING_CANCELLED,
            cancelled_at=now,
            updated_at=now,
            sequence=Booking.sequence + 1,
            active_owner=None,
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
    owner: BookingOwner | None = None,
    limits: BookingLimits | None = None,
) -> BookingView:
    """Moves an active booking to another free slot in one transaction (same code).

    With an ``owner``, only the owner's own booking (else :data:`BOOKING_UNKNOWN`); each move
    takes one unit of the owner's change quota (a move mails one or two coaches).
    """
    booking = _locked_booking(session, code, owner)
    _changeable(booking, now)
    if booking.slot_id == new_slot_id:
        raise BookingError(BOOKING_SAME_SLOT)
    if owner is not None and limits is not None:
        _take_change_quota(session, owner, limits, now)
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
