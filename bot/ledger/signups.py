"""Workshop sign-up with the voucher: sessions, seats, waiting lists, attendance (issue 17).

Like :mod:`bot.ledger.booking` the functions work inside the caller's transaction and never
commit: the caller commits on success and rolls back on :class:`SignupError` (see
:func:`bot.db.engine.run_in_transaction`). Checks come before writes where they can.

Why the numbers hold under concurrency:

- Every change to the sign-ups of a session first locks the session's ``workshops`` row
  (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite ``BEGIN IMMEDIATE`` serialises all
  writers). Seats, waiting-list order (``queue_number``) and moving up are decided under it,
  so the waiting list is served strictly in order and a freed seat goes out exactly once.
- ``workshops.seats_taken`` is taken with a conditional ``UPDATE ... WHERE seats_taken <
  places`` and a CHECK keeps it within ``places``: capacity cannot be exceeded by any writer.
- The voucher goes from ``issued`` to ``reserved`` in one conditional update, and a partial
  unique index allows one live sign-up per voucher: one voucher, one seat.

Lock order is always session row(s) (by id), then sign-up, then voucher, so two changes
never wait for each other in a circle. The employee is only their pseudonymous
``employee_key``; providers see codes and counts, never keys.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from types import MappingProxyType

from icalendar import Calendar, Event
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.ledger import audit, when
from bot.ledger.booking import is_plausible_email
from bot.ledger.catalog import (
    REGIONS,
    SIGNUP_ATTENDED,
    SIGNUP_CANCELLED,
    SIGNUP_LIVE,
    SIGNUP_NO_SHOW,
    SIGNUP_RESERVED,
    SIGNUP_WAITING,
    VOUCHER_CANCELLED,
    VOUCHER_EXPIRED,
    VOUCHER_ISSUED,
    VOUCHER_REDEEMED,
    VOUCHER_RESERVED,
    WORKSHOP_THEMES,
)
from bot.ledger.codes import CodeProblem, check_code, format_code, new_code
from bot.ledger.models import Voucher, Workshop, WorkshopEvent, WorkshopSignup
from bot.ledger.preferences import MONTH_NAMES, PARTS, WEEKDAY_NAMES, part_of_day
from bot.ledger.vouchers import effective_status, is_valid_employee_key
from bot.notify import messages, outbox
from bot.trends import events as trend
from bot.trends.recorder import add_trend_event

#: Sign-ups, moves and moving up close this long before a session starts.
SIGNUP_LEAD = timedelta(hours=2)
#: A provider can report attendance from this long before the start.
ATTENDANCE_OPENS = timedelta(hours=2)
MAX_SESSIONS = 5
MAX_PAGE = 20
#: Sessions per page of the provider API's list.
MAX_PROVIDER_PAGE = 100
_CANDIDATES = 500
#: Purpose of vouchers that pay only for a coach conversation.
_COACH_ONLY = "coach"

# Reasons of SignupError (each has a Dutch text in SIGNUP_MESSAGES).
IDENTITY_NEEDED = "identity_needed"
SESSION_UNKNOWN = "session_unknown"
SESSION_PAST = "session_past"
SESSION_HOLIDAY = "session_holiday"
#: Full, and the employee did not (yet) ask for the waiting list: offer it.
SESSION_FULL = "session_full"
SAME_SESSION = "same_session"
VOUCHER_UNKNOWN = "voucher_unknown"
VOUCHER_TYPO = "voucher_typo"
VOUCHER_USED = "voucher_used"
VOUCHER_IS_RESERVED = "voucher_reserved"
VOUCHER_IS_EXPIRED = "voucher_expired"
VOUCHER_IS_CANCELLED = "voucher_cancelled"
VOUCHER_WRONG_PURPOSE = "voucher_wrong_purpose"
NOT_OWNER = "not_owner"
SIGNUP_UNKNOWN = "signup_unknown"
SIGNUP_IS_CANCELLED = "signup_cancelled"
SIGNUP_IS_ATTENDED = "signup_attended"
SIGNUP_IS_WAITING = "signup_waiting"
SIGNUP_IS_NO_SHOW = "signup_no_show"
ATTENDANCE_TOO_EARLY = "attendance_too_early"
SESSION_NOT_OVER = "session_not_started"
UNKNOWN_REGION = "unknown_region"
UNKNOWN_THEME = "unknown_theme"
UNKNOWN_TIME_OF_DAY = "unknown_time_of_day"
BAD_EMAIL = "bad_email"
#: The e-mail page of a place that no longer waits (moved up, cancelled, expired).
NOT_WAITING = "not_waiting"

_THEME_LIST = (
    "je talenten, een goed gesprek met je leidinggevende, jezelf presenteren, "
    "geld bij een loopbaanstap en digitalisering in je werk"
)

#: What the employee (or provider) is told for each refusal: Dutch, B1, informal.
SIGNUP_MESSAGES: Mapping[str, str] = MappingProxyType(
    {
        IDENTITY_NEEDED: (
            "Om je in te schrijven moet ik weten wie je bent. Log in via de omgeving van je "
            "gemeente. Probeer het daarna opnieuw."
        ),
        SESSION_UNKNOWN: (
            "Die workshop kan ik niet vinden. Vraag me gerust opnieuw welke workshops er zijn."
        ),
        SESSION_PAST: (
            "Voor deze workshop kun je je niet meer inschrijven. Hij is al begonnen of begint "
            "zo. Kies een andere datum."
        ),
        SESSION_HOLIDAY: (
            "Deze workshop valt op een feestdag. Dan kun je je niet inschrijven. "
            "Kies een andere datum."
        ),
        SESSION_FULL: (
            "Deze workshop is vol. Wil je op de wachtlijst? Komt er een plek vrij, dan gaat "
            "die naar wie het eerst op de lijst staat. Je voucher blijft dan voor jou "
            "gereserveerd. Ik vertel het je de volgende keer dat we praten."
        ),
        SAME_SESSION: (
            "Je staat al ingeschreven voor deze workshop. Wil je verzetten? "
            "Kies dan een andere datum."
        ),
        VOUCHER_UNKNOWN: "Ik vind geen voucher met die code. Kijk de code nog eens na.",
        VOUCHER_TYPO: (
            "Er zit waarschijnlijk een typfout in de vouchercode. Kijk hem nog eens goed na."
        ),
        VOUCHER_USED: ("Deze voucher is al gebruikt. Je kunt er geen tweede workshop mee betalen."),
        VOUCHER_IS_RESERVED: (
            "Met deze voucher ben je al ingeschreven voor een andere workshop. "
            "Wil je wisselen? Verzet dan die inschrijving, of zeg hem eerst af."
        ),
        VOUCHER_IS_EXPIRED: (
            "Deze voucher is verlopen. Vraag de afdeling P&O wat je nog kunt doen."
        ),
        VOUCHER_IS_CANCELLED: "Deze voucher is ingetrokken. Vraag de afdeling P&O waarom.",
        VOUCHER_WRONG_PURPOSE: (
            "Deze voucher is alleen voor een gesprek met een loopbaancoach. "
            "Een workshop kun je er niet mee betalen."
        ),
        NOT_OWNER: (
            "Deze code hoort niet bij jou. Ik kan alleen je eigen voucher en je eigen "
            "inschrijving gebruiken."
        ),
        SIGNUP_UNKNOWN: "Ik vind geen inschrijving met die code. Kijk de code nog eens na.",
        SIGNUP_IS_CANCELLED: "Deze inschrijving is al afgezegd. Je hoeft niets meer te doen.",
        SIGNUP_IS_ATTENDED: (
            "Deze workshop is al geweest en je was erbij. Afzeggen of verzetten kan niet meer."
        ),
        SIGNUP_IS_WAITING: (
            "Deze inschrijving staat nog op de wachtlijst. Er is geen plek om te verzilveren."
        ),
        SIGNUP_IS_NO_SHOW: (
            "Bij deze inschrijving is al gemeld dat de deelnemer niet kwam. "
            "De voucher is weer vrij."
        ),
        ATTENDANCE_TOO_EARLY: (
            "De workshop is nog niet begonnen. Je kunt de aanwezigheid doorgeven vanaf "
            "twee uur voor de start."
        ),
        SESSION_NOT_OVER: (
            "De workshop is nog niet begonnen. Meld pas na de start dat iemand niet kwam."
        ),
        UNKNOWN_REGION: (
            "Die provincie ken ik niet. Noem een van de twaalf provincies, "
            "bijvoorbeeld Limburg of Gelderland."
        ),
        UNKNOWN_THEME: f"Dat onderwerp ken ik niet. De workshops gaan over {_THEME_LIST}.",
        UNKNOWN_TIME_OF_DAY: "Kies een deel van de dag: ochtend, middag of avond.",
        BAD_EMAIL: "Dit e-mailadres klopt niet. Kijk het nog eens na.",
        NOT_WAITING: (
            "Je staat niet meer op de wachtlijst. Een mail is dus niet meer nodig. "
            "Vraag Koers gerust hoe je inschrijving er nu voor staat."
        ),
    }
)


class SignupError(Exception):
    """An expected refusal (session full, voucher used ...); roll back, nothing changes."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason

    @property
    def message(self) -> str:
        return signup_message(self.reason)


def signup_message(reason: str) -> str:
    """The Dutch text for a refusal reason (a general one for a reason we do not know)."""
    return SIGNUP_MESSAGES.get(
        reason, "Dat lukte niet. Er is niets veranderd. Probeer het later opnieuw."
    )


# --- Views ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionOffer:
    """An upcoming session as shown to the employee; stored in the tracker as a plain dict."""

    workshop_id: int
    theme: str
    title: str
    provider: str
    starts_at: datetime
    ends_at: datetime
    location: str
    places: int
    seats_left: int
    waiting: int
    event_name: str | None = None
    region: str | None = None
    venue: str | None = None
    town: str | None = None

    @property
    def full(self) -> bool:
        return self.seats_left <= 0

    def to_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["starts_at"] = self.starts_at.isoformat()
        data["ends_at"] = self.ends_at.isoformat()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SessionOffer:
        def optional(key: str) -> str | None:
            value = data.get(key)
            return None if value is None else str(value)

        return cls(
            workshop_id=int(str(data["workshop_id"])),
            theme=str(data["theme"]),
            title=str(data["title"]),
            provider=str(data["provider"]),
            starts_at=datetime.fromisoformat(str(data["starts_at"])),
            ends_at=datetime.fromisoformat(str(data["ends_at"])),
            location=str(data["location"]),
            places=int(str(data["places"])),
            seats_left=int(str(data["seats_left"])),
            waiting=int(str(data["waiting"])),
            event_name=optional("event_name"),
            region=optional("region"),
            venue=optional("venue"),
            town=optional("town"),
        )


@dataclass(frozen=True)
class SessionPage:
    """One page of :func:`find_sessions` ("meer" asks for ``next_offset``)."""

    offers: tuple[SessionOffer, ...]
    offset: int
    has_more: bool

    @property
    def next_offset(self) -> int:
        return self.offset + len(self.offers)


@dataclass(frozen=True)
class SignupView:
    """Everything the chat, the calendar file and a provider need about one sign-up.

    Holds no employee key and no voucher code: safe to show to whoever holds the sign-up code.
    """

    signup_id: int
    code: str
    status: str
    workshop_id: int
    theme: str
    title: str
    provider: str
    starts_at: datetime
    ends_at: datetime
    location: str
    event_name: str | None
    region: str | None
    venue: str | None
    town: str | None
    #: 1 for the first on the waiting list; None when not waiting.
    waiting_position: int | None
    ics_token: str
    sequence: int
    notice_pending: bool
    created_at: datetime
    updated_at: datetime
    promoted_at: datetime | None
    cancelled_at: datetime | None
    attended_at: datetime | None
    #: Whether an address waits for the "a seat is free" mail (never the address itself).
    has_email: bool = False

    @property
    def reserved(self) -> bool:
        return self.status == SIGNUP_RESERVED

    @property
    def waiting(self) -> bool:
        return self.status == SIGNUP_WAITING


@dataclass(frozen=True)
class SignupResult:
    signup: SignupView
    #: False when this voucher was already signed up for this session (same answer again).
    new: bool


@dataclass(frozen=True)
class ChangeResult:
    """A cancelled or moved sign-up, and who moved up into the seat it freed (if anyone)."""

    signup: SignupView
    promoted: tuple[SignupView, ...] = ()


@dataclass(frozen=True)
class AttendanceResult:
    signup: SignupView
    #: False for a repeated report (same answer, nothing changed).
    first_time: bool


@dataclass(frozen=True)
class ProviderSession:
    """A provider's view of one session: codes and counts only, never who."""

    workshop_id: int
    theme: str
    starts_at: datetime
    places: int
    reserved: int
    waiting: int
    attended: int
    no_show: int
    cancelled: int
    #: (sign-up code, status) of every sign-up that holds or held a seat, in queue order.
    codes: tuple[tuple[str, str], ...]
    title: str = ""
    ends_at: datetime | None = None
    location: str = ""
    event_name: str | None = None
    region: str | None = None
    town: str | None = None


@dataclass(frozen=True)
class ProviderSessionPage:
    """One page of :func:`provider_sessions` (counts only, ``codes`` empty)."""

    sessions: tuple[ProviderSession, ...]
    offset: int
    has_more: bool


def _waiting_position(session: Session, signup: WorkshopSignup) -> int | None:
    if signup.status != SIGNUP_WAITING:
        return None
    ahead = session.execute(
        select(func.count(WorkshopSignup.id)).where(
            WorkshopSignup.workshop_id == signup.workshop_id,
            WorkshopSignup.status == SIGNUP_WAITING,
            WorkshopSignup.queue_number < signup.queue_number,
        )
    ).scalar_one()
    return int(ahead) + 1


def view_of(session: Session, signup: WorkshopSignup) -> SignupView:
    workshop = signup.workshop
    event = workshop.event
    return SignupView(
        signup_id=signup.id,
        code=signup.code,
        status=signup.status,
        workshop_id=workshop.id,
        theme=workshop.theme,
        title=workshop.title,
        provider=workshop.provider.name,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        location=workshop.location,
        event_name=event.name if event else None,
        region=event.region if event else None,
        venue=event.venue_name if event else None,
        town=event.town if event else None,
        waiting_position=_waiting_position(session, signup),
        ics_token=signup.ics_token,
        sequence=signup.sequence,
        notice_pending=signup.notice_pending,
        created_at=signup.created_at,
        updated_at=signup.updated_at,
        promoted_at=signup.promoted_at,
        cancelled_at=signup.cancelled_at,
        attended_at=signup.attended_at,
        has_email=signup.email is not None,
    )


# --- Finding sessions -------------------------------------------------------------------


def is_holiday(moment: datetime) -> bool:
    """A Dutch public holiday (``holidays.NL``): no session is offered or signed up for then."""
    return when.is_public_holiday(moment)


def _from_moment(on_or_after: date | datetime | None) -> datetime | None:
    if on_or_after is None:
        return None
    if isinstance(on_or_after, datetime):
        if on_or_after.tzinfo is None:
            return on_or_after.replace(tzinfo=LOCAL_TZ)
        return on_or_after
    return datetime.combine(on_or_after, time.min, LOCAL_TZ)


def _waiting_counts(session: Session, workshop_ids: Sequence[int]) -> dict[int, int]:
    if not workshop_ids:
        return {}
    rows = session.execute(
        select(WorkshopSignup.workshop_id, func.count(WorkshopSignup.id))
        .where(
            WorkshopSignup.workshop_id.in_(list(workshop_ids)),
            WorkshopSignup.status == SIGNUP_WAITING,
        )
        .group_by(WorkshopSignup.workshop_id)
    )
    return {int(workshop_id): int(count) for workshop_id, count in rows}


def _offer(workshop: Workshop, waiting: int) -> SessionOffer:
    event = workshop.event
    return SessionOffer(
        workshop_id=workshop.id,
        theme=workshop.theme,
        title=workshop.title,
        provider=workshop.provider.name,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        location=workshop.location,
        places=workshop.places,
        seats_left=max(0, workshop.places - workshop.seats_taken),
        waiting=waiting,
        event_name=event.name if event else None,
        region=event.region if event else None,
        venue=event.venue_name if event else None,
        town=event.town if event else None,
    )


def find_sessions(
    session: Session,
    now: datetime,
    *,
    region: str | None = None,
    theme: str | None = None,
    on_or_after: date | datetime | None = None,
    time_of_day: str | None = None,
    limit: int = MAX_SESSIONS,
    offset: int = 0,
    exclude: Collection[int] = (),
) -> SessionPage:
    """Upcoming sessions, earliest first, filtered by province, theme, first day and part of
    the day (``ochtend``, ``middag``, ``avond``); never on a public holiday. ``exclude``:
    sessions left out (the one a sign-up being moved is in).

    Full sessions are listed too (``seats_left == 0``): the employee can join the waiting
    list. A region only matches sessions of an event in that province. An unknown region,
    theme or part of the day raises :class:`SignupError` (nothing is guessed).
    """
    if region is not None and region not in REGIONS:
        raise SignupError(UNKNOWN_REGION)
    if theme is not None and theme not in WORKSHOP_THEMES:
        raise SignupError(UNKNOWN_THEME)
    if time_of_day is not None and time_of_day not in PARTS:
        raise SignupError(UNKNOWN_TIME_OF_DAY)
    limit = max(1, min(int(limit), MAX_PAGE))
    offset = max(0, int(offset))
    statement = (
        select(Workshop)
        .outerjoin(WorkshopEvent, WorkshopEvent.id == Workshop.event_id)
        .where(Workshop.starts_at > now + SIGNUP_LEAD)
        .order_by(Workshop.starts_at, Workshop.id)
        .limit(_CANDIDATES)
    )
    if region is not None:
        statement = statement.where(WorkshopEvent.region == region)
    if theme is not None:
        statement = statement.where(Workshop.theme == theme)
    if exclude:
        statement = statement.where(Workshop.id.not_in(list(exclude)))
    first = _from_moment(on_or_after)
    if first is not None:
        statement = statement.where(Workshop.starts_at >= first)
    fitting = [
        workshop
        for workshop in session.execute(statement).scalars()
        if not is_holiday(workshop.starts_at)
        and (time_of_day is None or part_of_day(workshop.starts_at) == time_of_day)
    ]
    page = fitting[offset : offset + limit]
    waiting = _waiting_counts(session, [workshop.id for workshop in page])
    return SessionPage(
        offers=tuple(_offer(workshop, waiting.get(workshop.id, 0)) for workshop in page),
        offset=offset,
        has_more=len(fitting) > offset + limit,
    )


# --- Locks and seats --------------------------------------------------------------------


def _owner_keys(employee_key: str, previous_keys: Sequence[str]) -> tuple[str, ...]:
    """The current key first, then every valid earlier key of the same employee."""
    if not is_valid_employee_key(employee_key):
        raise SignupError(IDENTITY_NEEDED)
    keys = [employee_key, *(key for key in previous_keys if is_valid_employee_key(key))]
    return tuple(dict.fromkeys(keys))


def _lock_workshop(session: Session, workshop_id: int) -> Workshop:
    workshop = session.execute(
        select(Workshop)
        .where(Workshop.id == workshop_id)
        .with_for_update(of=Workshop)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if workshop is None:
        raise SignupError(SESSION_UNKNOWN)
    return workshop


def _lock_signup(session: Session, signup_id: int) -> WorkshopSignup:
    return session.execute(
        select(WorkshopSignup)
        .where(WorkshopSignup.id == signup_id)
        .with_for_update(of=WorkshopSignup)
        .execution_options(populate_existing=True)
    ).scalar_one()


def _open_for_signup(workshop: Workshop, now: datetime) -> None:
    if workshop.starts_at <= now + SIGNUP_LEAD:
        raise SignupError(SESSION_PAST)
    if is_holiday(workshop.starts_at):
        raise SignupError(SESSION_HOLIDAY)


def _take_seat(session: Session, workshop_id: int) -> bool:
    """One seat for this transaction, or False when the session is full."""
    taken = session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id, Workshop.seats_taken < Workshop.places)
        .values(seats_taken=Workshop.seats_taken + 1)
        .execution_options(synchronize_session=False)
    )
    return taken.rowcount == 1


def _free_seat(session: Session, workshop_id: int) -> None:
    session.execute(
        update(Workshop)
        .where(Workshop.id == workshop_id, Workshop.seats_taken > 0)
        .values(seats_taken=Workshop.seats_taken - 1)
        .execution_options(synchronize_session=False)
    )


def _next_queue_number(session: Session, workshop_id: int) -> int:
    """Arrival number in the session; exact because the caller holds the session's lock."""
    last = session.execute(
        select(func.max(WorkshopSignup.queue_number)).where(
            WorkshopSignup.workshop_id == workshop_id
        )
    ).scalar()
    return int(last or 0) + 1


def _new_signup_code(session: Session) -> str:
    for _ in range(5):
        code = new_code("signup")
        if session.execute(select(WorkshopSignup.id).where(WorkshopSignup.code == code)).first():
            continue
        return code
    raise RuntimeError("could not find a free sign-up code")  # pragma: no cover


def _category(workshop: Workshop) -> str:
    if workshop.event is None:
        return workshop.theme
    return trend.workshop_category(workshop.theme, workshop.event.region)


def fill_free_seats(
    session: Session, workshop_id: int, now: datetime, *, actor: str = "ledger"
) -> list[WorkshopSignup]:
    """Gives free seats to the waiting list, first come first served; the caller holds the
    session's lock. Each one moved up gets ``notice_pending`` (told at their next chat);
    their reserved voucher moves with them. Nobody moves up within :data:`SIGNUP_LEAD` of
    the start: they could not know in time.

    One who left an address gets the "a seat is free" mail, queued in this transaction, and
    the address leaves the sign-up in the same update that moves it up: the mail goes out
    at most once. The outbox keeps its copy (tied to the sign-up) until the same delete date,
    as with bookings, but only while the seat holds: cancelling or moving the sign-up first
    deletes the mail unsent (:func:`_drop_seat_mail`), and the outbox sender skips one whose
    seat is gone (:func:`bot.notify.outbox.claim`).
    """
    workshop = _lock_workshop(session, workshop_id)
    if workshop.starts_at <= now + SIGNUP_LEAD:
        return []
    promoted: list[WorkshopSignup] = []
    while True:
        first = session.execute(
            select(WorkshopSignup)
            .where(
                WorkshopSignup.workshop_id == workshop_id,
                WorkshopSignup.status == SIGNUP_WAITING,
            )
            .order_by(WorkshopSignup.queue_number)
            .limit(1)
            .with_for_update(of=WorkshopSignup)
        ).scalar_one_or_none()
        if first is None or not _take_seat(session, workshop_id):
            return promoted
        address, delete_after = first.email, first.email_delete_after
        moved = session.execute(
            update(WorkshopSignup)
            .where(WorkshopSignup.id == first.id, WorkshopSignup.status == SIGNUP_WAITING)
            .values(
                status=SIGNUP_RESERVED,
                notice_pending=True,
                promoted_at=now,
                updated_at=now,
                sequence=WorkshopSignup.sequence + 1,
                email=None,
                email_delete_after=None,
            )
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # pragma: no cover - impossible under the session lock
            _free_seat(session, workshop_id)
            return promoted
        session.refresh(first)
        audit.record(
            session,
            actor=actor,
            action="workshop_signup.promoted",
            entity_type="workshop_signup",
            entity_id=first.id,
            details={
                "workshop_id": workshop_id,
                "queue_number": first.queue_number,
                "mail": address is not None,
            },
            at=now,
        )
        if address is not None:
            _enqueue_seat_mail(session, first, address, delete_after or now, now)
        promoted.append(first)


def _enqueue_seat_mail(
    session: Session, signup: WorkshopSignup, address: str, delete_after: datetime, now: datetime
) -> None:
    """The "a seat is free" mail into the caller's transaction (sent after it commits)."""
    view = view_of(session, signup)
    facts = messages.SeatFacts(
        title=WORKSHOP_THEMES.get(view.theme, view.title),
        starts_at=view.starts_at,
        ends_at=view.ends_at,
        place=_mail_place(view),
        signup_code=view.code,
        event_name=view.event_name,
    )
    outbox.enqueue(
        session,
        to_address=address,
        mail=messages.seat_free_mail(facts),
        now=now,
        signup_id=signup.id,
        purge_after=delete_after,
    )


def _drop_seat_mail(
    session: Session, signup_id: int, reason: str, now: datetime, actor: str
) -> None:
    """A sign-up that gives up its seat (cancelled, moved) must not get the "a seat is free"
    mail any more: a pending one is deleted unsent, with its address, and a sent copy is
    not needed any more (:func:`bot.notify.outbox.drop_signup_mails`, exactly once)."""
    dropped = outbox.drop_signup_mails(session, signup_id)
    if dropped:
        audit.record(
            session,
            actor=actor,
            action="workshop_signup.seat_mail_dropped",
            entity_type="workshop_signup",
            entity_id=signup_id,
            details={"messages": dropped, "reason": reason},
            at=now,
        )


# --- Signing up -------------------------------------------------------------------------


def _voucher_code(raw_code: str) -> str:
    check = check_code(raw_code, "voucher")
    if check.problem is CodeProblem.CHECK_MISMATCH:
        raise SignupError(VOUCHER_TYPO)
    if not check.ok:
        raise SignupError(VOUCHER_UNKNOWN)
    return check.normalized


def _live_signup_of(session: Session, voucher_id: int) -> WorkshopSignup | None:
    return session.execute(
        select(WorkshopSignup).where(
            WorkshopSignup.voucher_id == voucher_id, WorkshopSignup.status.in_(SIGNUP_LIVE)
        )
    ).scalar_one_or_none()


def _release_stale_waiting(
    session: Session, live: WorkshopSignup, now: datetime, actor: str
) -> bool:
    """A waiting place of a session that has started no longer holds the voucher (what
    :func:`release_past_waiting_lists` does in bulk); True when it was released here."""
    if live.status != SIGNUP_WAITING or live.workshop.starts_at > now:
        return False
    return _expire_waiting(session, live.id, live.voucher_id, now, actor)


def _expire_waiting(
    session: Session, signup_id: int, voucher_id: int, now: datetime, actor: str
) -> bool:
    """Cancels one waiting place and frees its voucher, once (the update checks the status,
    so two transactions cannot both release it); True when this call did it."""
    changed = session.execute(
        update(WorkshopSignup)
        .where(WorkshopSignup.id == signup_id, WorkshopSignup.status == SIGNUP_WAITING)
        .values(
            status=SIGNUP_CANCELLED,
            cancelled_at=now,
            updated_at=now,
            sequence=WorkshopSignup.sequence + 1,
            email=None,
            email_delete_after=None,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        return False
    _release_voucher(session, voucher_id, now)
    audit.record(
        session,
        actor=actor,
        action="workshop_signup.waiting_expired",
        entity_type="workshop_signup",
        entity_id=signup_id,
        at=now,
    )
    return True


def sign_up(
    session: Session,
    *,
    workshop_id: int,
    voucher_code: str,
    employee_key: str,
    now: datetime,
    join_waiting_list: bool = False,
    previous_keys: Sequence[str] = (),
    actor: str = "chat",
    record_trend: bool = True,
) -> SignupResult:
    """Reserves the employee's voucher for one session: a seat, or a waiting-list place.

    Only after the employee confirmed. A full session raises :data:`SESSION_FULL` unless
    ``join_waiting_list`` (the employee said yes to the waiting list); the voucher is held
    in both cases. The same voucher for the same session again gives the same sign-up
    (``new=False``). ``record_trend=False`` when the employee opted out of the statistics.
    """
    keys = _owner_keys(employee_key, previous_keys)
    code = _voucher_code(voucher_code)
    workshop = _lock_workshop(session, workshop_id)
    voucher = session.execute(
        select(Voucher)
        .where(Voucher.code == code)
        .with_for_update(of=Voucher)
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if voucher is None:
        raise SignupError(VOUCHER_UNKNOWN)
    if voucher.employee_key not in keys:
        raise SignupError(NOT_OWNER)
    status = effective_status(voucher.status, voucher.expires_at, now)
    if status == VOUCHER_RESERVED:
        live = _live_signup_of(session, voucher.id)
        if live is not None and live.workshop_id == workshop.id:
            return SignupResult(view_of(session, live), new=False)
        if live is None or not _release_stale_waiting(session, live, now, actor):
            raise SignupError(VOUCHER_IS_RESERVED)
        status = effective_status(VOUCHER_ISSUED, voucher.expires_at, now)
    _open_for_signup(workshop, now)
    refusals = {
        VOUCHER_REDEEMED: VOUCHER_USED,
        VOUCHER_EXPIRED: VOUCHER_IS_EXPIRED,
        VOUCHER_CANCELLED: VOUCHER_IS_CANCELLED,
    }
    if status in refusals:
        raise SignupError(refusals[status])
    if voucher.purpose == _COACH_ONLY:
        raise SignupError(VOUCHER_WRONG_PURPOSE)
    if workshop.seats_taken >= workshop.places and not join_waiting_list:
        raise SignupError(SESSION_FULL)
    claimed = session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status == VOUCHER_ISSUED, Voucher.expires_at > now)
        .values(status=VOUCHER_RESERVED, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # pragma: no cover - the voucher row is locked above
        raise SignupError(VOUCHER_IS_RESERVED)
    seat = _take_seat(session, workshop.id)
    if not seat and not join_waiting_list:  # pragma: no cover - checked under the lock
        raise SignupError(SESSION_FULL)
    signup = WorkshopSignup(
        code=_new_signup_code(session),
        workshop_id=workshop.id,
        voucher_id=voucher.id,
        municipality_id=voucher.municipality_id,
        employee_key=employee_key,
        status=SIGNUP_RESERVED if seat else SIGNUP_WAITING,
        queue_number=_next_queue_number(session, workshop.id),
        notice_pending=False,
        ics_token=secrets.token_urlsafe(32),
        sequence=0,
        created_at=now,
        updated_at=now,
    )
    session.add(signup)
    try:
        session.flush()
    except IntegrityError as exc:  # pragma: no cover - the partial unique index, last line
        raise SignupError(VOUCHER_IS_RESERVED) from exc
    audit.record(
        session,
        actor=actor,
        action="workshop_signup.created",
        entity_type="workshop_signup",
        entity_id=signup.id,
        details={
            "workshop_id": workshop.id,
            "status": signup.status,
            "queue_number": signup.queue_number,
        },
        at=now,
    )
    if record_trend:
        add_trend_event(
            session,
            event_type=trend.WORKSHOP_SIGNED_UP,
            municipality=voucher.municipality.code,
            category=_category(workshop),
            now=now,
        )
    return SignupResult(view_of(session, signup), new=True)


# --- Changing a sign-up -----------------------------------------------------------------


def _signup_by_code(session: Session, raw_code: str) -> WorkshopSignup:
    check = check_code(raw_code, "signup")
    if not check.ok:
        raise SignupError(SIGNUP_UNKNOWN)
    signup = session.execute(
        select(WorkshopSignup).where(WorkshopSignup.code == check.normalized)
    ).scalar_one_or_none()
    if signup is None:
        raise SignupError(SIGNUP_UNKNOWN)
    return signup


def _owned_signup(session: Session, raw_code: str, keys: Sequence[str]) -> WorkshopSignup:
    signup = _signup_by_code(session, raw_code)
    if signup.employee_key not in keys:
        raise SignupError(NOT_OWNER)
    return signup


def _changeable(signup: WorkshopSignup, workshop: Workshop, now: datetime) -> None:
    if signup.status in (SIGNUP_CANCELLED, SIGNUP_NO_SHOW):
        raise SignupError(SIGNUP_IS_CANCELLED)
    if signup.status == SIGNUP_ATTENDED:
        raise SignupError(SIGNUP_IS_ATTENDED)
    if workshop.starts_at <= now:
        raise SignupError(SESSION_PAST)


def _release_voucher(session: Session, voucher_id: int, now: datetime) -> None:
    """A reserved voucher is unused again (its own expiry still counts)."""
    session.execute(
        update(Voucher)
        .where(Voucher.id == voucher_id, Voucher.status == VOUCHER_RESERVED)
        .values(status=VOUCHER_ISSUED, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )


def _locked_for_change(
    session: Session, signup: WorkshopSignup, *also: int
) -> tuple[WorkshopSignup, dict[int, Workshop]]:
    """Locks the sign-up's session (and ``also``) in id order, then the sign-up itself."""
    for _attempt in range(3):
        current = signup.workshop_id
        locked = {
            workshop_id: _lock_workshop(session, workshop_id)
            for workshop_id in sorted({current, *also})
        }
        signup = _lock_signup(session, signup.id)
        if signup.workshop_id == current:
            return signup, locked
    raise SignupError(SIGNUP_UNKNOWN)  # pragma: no cover - moved three times meanwhile


def _finish_change(
    session: Session,
    signup: WorkshopSignup,
    *,
    freed: int | None,
    action: str,
    details: Mapping[str, object],
    now: datetime,
    actor: str,
) -> ChangeResult:
    """The common end of cancelling and moving: the seat freed in session ``freed`` (if any)
    goes to its waiting list under the lock the caller holds, then the change is audited."""
    promoted: list[WorkshopSignup] = []
    if freed is not None:
        _free_seat(session, freed)
        promoted = fill_free_seats(session, freed, now, actor=actor)
    session.refresh(signup)
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="workshop_signup",
        entity_id=signup.id,
        details={**details, "promoted": len(promoted)},
        at=now,
    )
    return ChangeResult(
        view_of(session, signup), tuple(view_of(session, item) for item in promoted)
    )


def cancel_signup(
    session: Session,
    *,
    code: str,
    employee_key: str,
    now: datetime,
    previous_keys: Sequence[str] = (),
    actor: str = "chat",
) -> ChangeResult:
    """Cancels a seat or waiting-list place: the voucher is free again, and a freed seat
    goes to the first on the waiting list (exactly once, under the session's lock)."""
    keys = _owner_keys(employee_key, previous_keys)
    signup, locked = _locked_for_change(session, _owned_signup(session, code, keys))
    workshop = locked[signup.workshop_id]
    _changeable(signup, workshop, now)
    was = signup.status
    changed = session.execute(
        update(WorkshopSignup)
        .where(WorkshopSignup.id == signup.id, WorkshopSignup.status.in_(SIGNUP_LIVE))
        .values(
            status=SIGNUP_CANCELLED,
            cancelled_at=now,
            updated_at=now,
            notice_pending=False,
            sequence=WorkshopSignup.sequence + 1,
            email=None,
            email_delete_after=None,
        )
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:  # pragma: no cover - the sign-up row is locked
        raise SignupError(SIGNUP_IS_CANCELLED)
    _drop_seat_mail(session, signup.id, "cancelled", now, actor)
    _release_voucher(session, signup.voucher_id, now)
    return _finish_change(
        session,
        signup,
        freed=workshop.id if was == SIGNUP_RESERVED else None,
        action="workshop_signup.cancelled",
        details={"workshop_id": workshop.id, "was": was},
        now=now,
        actor=actor,
    )


def move_signup(
    session: Session,
    *,
    code: str,
    employee_key: str,
    to_workshop_id: int,
    now: datetime,
    join_waiting_list: bool = False,
    previous_keys: Sequence[str] = (),
    actor: str = "chat",
) -> ChangeResult:
    """Moves a sign-up (same code, same voucher) to another session in one transaction.

    A full target raises :data:`SESSION_FULL` unless ``join_waiting_list``; the old seat is
    only given up once the new place is certain, and then goes to the old waiting list.
    """
    keys = _owner_keys(employee_key, previous_keys)
    found = _owned_signup(session, code, keys)
    if found.workshop_id == to_workshop_id:
        raise SignupError(SAME_SESSION)
    signup, locked = _locked_for_change(session, found, to_workshop_id)
    old = locked[signup.workshop_id]
    if old.id == to_workshop_id:  # pragma: no cover - it moved there meanwhile
        raise SignupError(SAME_SESSION)
    target = locked[to_workshop_id]
    _changeable(signup, old, now)
    _open_for_signup(target, now)
    if target.seats_taken >= target.places and not join_waiting_list:
        raise SignupError(SESSION_FULL)
    was = signup.status
    seat = _take_seat(session, target.id)
    signup.queue_number = _next_queue_number(session, target.id)
    signup.workshop_id = target.id
    signup.status = SIGNUP_RESERVED if seat else SIGNUP_WAITING
    _carry_email(signup, old, target)
    signup.notice_pending = False
    signup.promoted_at = None
    signup.sequence = signup.sequence + 1
    signup.updated_at = now
    session.flush()
    _drop_seat_mail(session, signup.id, "moved", now, actor)
    return _finish_change(
        session,
        signup,
        freed=old.id if was == SIGNUP_RESERVED else None,
        action="workshop_signup.moved",
        details={
            "from_workshop_id": old.id,
            "to_workshop_id": target.id,
            "status": signup.status,
        },
        now=now,
        actor=actor,
    )


def _carry_email(signup: WorkshopSignup, old: Workshop, target: Workshop) -> None:
    """A waiting place moved to another waiting list keeps its address, to be deleted the
    same time after the new session; a place that got a seat needs it no more."""
    if signup.email is None:
        return
    if signup.status != SIGNUP_WAITING or signup.email_delete_after is None:
        signup.email = None
        signup.email_delete_after = None
        return
    signup.email_delete_after = target.ends_at + (signup.email_delete_after - old.ends_at)


def signup_by_token(session: Session, token: str) -> WorkshopSignup | None:
    if not token or len(token) > 64:
        return None
    return session.execute(
        select(WorkshopSignup).where(WorkshopSignup.ics_token == token)
    ).scalar_one_or_none()


def set_signup_email(
    session: Session,
    *,
    token: str,
    email: str | None,
    now: datetime,
    email_retention: timedelta,
    actor: str = "web:signup-email",
) -> SignupView:
    """Stores (or, with None, removes) the address for the one "a seat is free" mail.

    Only on a waiting place of a session still to come (:data:`NOT_WAITING` otherwise); a
    malformed address is refused (:data:`BAD_EMAIL`) and nothing is stored. The address is
    deleted ``email_retention`` after the session at the latest, like a booking's, and
    before that as soon as the mail is queued or the place stops waiting.
    """
    found = signup_by_token(session, token)
    if found is None:
        raise SignupError(SIGNUP_UNKNOWN)
    signup, locked = _locked_for_change(session, found)
    workshop = locked[signup.workshop_id]
    if signup.status != SIGNUP_WAITING or workshop.starts_at <= now:
        raise SignupError(NOT_WAITING)
    if email is None:
        signup.email = None
        signup.email_delete_after = None
        action = "workshop_signup.email_removed"
    else:
        if not is_plausible_email(email):
            raise SignupError(BAD_EMAIL)
        signup.email = email.strip()
        signup.email_delete_after = workshop.ends_at + email_retention
        action = "workshop_signup.email_added"
    signup.updated_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="workshop_signup",
        entity_id=signup.id,
        details={"workshop_id": workshop.id},
        at=now,
    )
    return view_of(session, signup)


def purge_signup_emails(session: Session, now: datetime, *, actor: str = "cli") -> int:
    """Deletes waiting-list addresses past their delete date (a fallback: moving up,
    cancelling and expiring clear them sooner); the outbox's copies go with
    :func:`bot.ledger.booking.purge_emails`. Returns how many."""
    due = list(
        session.execute(
            select(WorkshopSignup.id).where(
                WorkshopSignup.email.is_not(None), WorkshopSignup.email_delete_after <= now
            )
        ).scalars()
    )
    if due:
        session.execute(
            update(WorkshopSignup)
            .where(WorkshopSignup.id.in_(due))
            .values(email=None, email_delete_after=None)
            .execution_options(synchronize_session=False)
        )
        for signup_id in due:
            audit.record(
                session,
                actor=actor,
                action="workshop_signup.email_purged",
                entity_type="workshop_signup",
                entity_id=signup_id,
                at=now,
            )
    return len(due)


def pending_notices(
    session: Session, employee_key: str, previous_keys: Sequence[str] = ()
) -> list[SignupView]:
    """The employee's sign-ups that moved up from a waiting list since the last chat, and
    clears them: each one is returned once, also when two turns ask at the same moment."""
    try:
        keys = _owner_keys(employee_key, previous_keys)
    except SignupError:
        return []
    candidates = list(
        session.execute(
            select(WorkshopSignup)
            .where(
                WorkshopSignup.employee_key.in_(keys),
                WorkshopSignup.notice_pending.is_(True),
            )
            .order_by(WorkshopSignup.promoted_at, WorkshopSignup.id)
        ).scalars()
    )
    told = []
    for signup in candidates:
        cleared = session.execute(
            update(WorkshopSignup)
            .where(WorkshopSignup.id == signup.id, WorkshopSignup.notice_pending.is_(True))
            .values(notice_pending=False)
            .execution_options(synchronize_session=False)
        )
        if cleared.rowcount == 1:
            session.refresh(signup)
            told.append(view_of(session, signup))
    return told


def notice_text(view: SignupView) -> str:
    """What Koers says at the next chat to someone who moved up from the waiting list."""
    return (
        f"Goed nieuws! Er is een plek vrijgekomen bij de workshop '{view.title}' op "
        f"{_local_text(view.starts_at)}. Je staat nu ingeschreven. Je voucher is hiervoor "
        f"gereserveerd. Je code blijft {format_code(view.code)}. Kun je toch niet? "
        "Zeg het dan tegen mij, dan gaat je plek naar de volgende."
    )


def employee_signups(
    session: Session, *, employee_key: str, now: datetime, previous_keys: Sequence[str] = ()
) -> list[SignupView]:
    """The employee's live sign-ups (seats and waiting places) for sessions still to come."""
    try:
        keys = _owner_keys(employee_key, previous_keys)
    except SignupError:
        return []
    rows = session.execute(
        select(WorkshopSignup)
        .join(Workshop, Workshop.id == WorkshopSignup.workshop_id)
        .where(
            WorkshopSignup.employee_key.in_(keys),
            WorkshopSignup.status.in_(SIGNUP_LIVE),
            Workshop.starts_at > now,
        )
        .order_by(Workshop.starts_at)
    ).scalars()
    return [view_of(session, signup) for signup in rows]


def find_signup_by_token(session: Session, token: str) -> SignupView | None:
    """For the calendar download link and the e-mail page (the token is unrelated to the
    code)."""
    signup = signup_by_token(session, token)
    return view_of(session, signup) if signup else None


def release_past_waiting_lists(
    session: Session, now: datetime, *, actor: str = "housekeeping"
) -> int:
    """Waiting places of sessions that have started are cancelled and their vouchers freed
    (they never got a seat); returns how many."""
    due = list(
        session.execute(
            select(WorkshopSignup.id, WorkshopSignup.voucher_id)
            .join(Workshop, Workshop.id == WorkshopSignup.workshop_id)
            .where(WorkshopSignup.status == SIGNUP_WAITING, Workshop.starts_at <= now)
        )
    )
    return sum(
        _expire_waiting(session, signup_id, voucher_id, now, actor) for signup_id, voucher_id in due
    )


# --- Providers --------------------------------------------------------------------------


def _provider_signup(
    session: Session, provider_id: int, raw_code: str
) -> tuple[WorkshopSignup, Workshop]:
    """The sign-up and its locked session; another provider's sign-up looks unknown."""
    signup = _signup_by_code(session, raw_code)
    signup, locked = _locked_for_change(session, signup)
    workshop = locked[signup.workshop_id]
    if workshop.provider_id != provider_id:
        raise SignupError(SIGNUP_UNKNOWN)
    return signup, workshop


#: Why a provider cannot report on a sign-up that no longer (or never) holds a seat.
_REPORT_REFUSALS: Mapping[str, str] = MappingProxyType(
    {
        SIGNUP_ATTENDED: SIGNUP_IS_ATTENDED,
        SIGNUP_NO_SHOW: SIGNUP_IS_NO_SHOW,
        SIGNUP_WAITING: SIGNUP_IS_WAITING,
        SIGNUP_CANCELLED: SIGNUP_IS_CANCELLED,
    }
)


def _repeated_report(
    session: Session, signup: WorkshopSignup, report: str
) -> AttendanceResult | None:
    """The same report again gives the same answer (``first_time=False``); a sign-up in any
    other state than a seat is refused; None when the report may go ahead."""
    if signup.status == report:
        return AttendanceResult(view_of(session, signup), first_time=False)
    if signup.status in _REPORT_REFUSALS:
        raise SignupError(_REPORT_REFUSALS[signup.status])
    return None


def redeem_attendance(
    session: Session, *, provider_id: int, code: str, now: datetime
) -> AttendanceResult:
    """The provider reports that the employee came: the sign-up is attended and the voucher
    redeemed for this provider, once. Asking again changes nothing (``first_time=False``)."""
    signup, workshop = _provider_signup(session, provider_id, code)
    repeated = _repeated_report(session, signup, SIGNUP_ATTENDED)
    if repeated is not None:
        return repeated
    if now < workshop.starts_at - ATTENDANCE_OPENS:
        raise SignupError(ATTENDANCE_TOO_EARLY)
    redeemed = session.execute(
        update(Voucher)
        .where(Voucher.id == signup.voucher_id, Voucher.status == VOUCHER_RESERVED)
        .values(
            status=VOUCHER_REDEEMED,
            redeemed_at=now,
            redeemed_by_provider_id=provider_id,
            redeemed_reference=f"workshop-signup:{signup.code}",
            status_changed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if redeemed.rowcount != 1:  # pragma: no cover - a reserved voucher is only ours
        raise SignupError(VOUCHER_USED)
    session.execute(
        update(WorkshopSignup)
        .where(WorkshopSignup.id == signup.id, WorkshopSignup.status == SIGNUP_RESERVED)
        .values(status=SIGNUP_ATTENDED, attended_at=now, updated_at=now, notice_pending=False)
        .execution_options(synchronize_session=False)
    )
    session.refresh(signup)
    actor = f"provider:{provider_id}"
    audit.record(
        session,
        actor=actor,
        action="voucher.redeemed",
        entity_type="voucher",
        entity_id=signup.voucher_id,
        details={"provider_id": provider_id, "workshop_id": workshop.id},
        at=now,
    )
    audit.record(
        session,
        actor=actor,
        action="workshop_signup.attended",
        entity_type="workshop_signup",
        entity_id=signup.id,
        details={"workshop_id": workshop.id},
        at=now,
    )
    municipality = signup.voucher.municipality.code
    add_trend_event(session, event_type=trend.VOUCHER_REDEEMED, municipality=municipality, now=now)
    add_trend_event(
        session,
        event_type=trend.WORKSHOP_ATTENDED,
        municipality=municipality,
        category=_category(workshop),
        now=now,
    )
    return AttendanceResult(view_of(session, signup), first_time=True)


def record_no_show(
    session: Session, *, provider_id: int, code: str, now: datetime
) -> AttendanceResult:
    """The provider reports that a signed-up employee did not come (after the start): the
    voucher is free again, once; a repeated report changes nothing (``first_time=False``)."""
    signup, workshop = _provider_signup(session, provider_id, code)
    repeated = _repeated_report(session, signup, SIGNUP_NO_SHOW)
    if repeated is not None:
        return repeated
    if now < workshop.starts_at:
        raise SignupError(SESSION_NOT_OVER)
    session.execute(
        update(WorkshopSignup)
        .where(WorkshopSignup.id == signup.id, WorkshopSignup.status == SIGNUP_RESERVED)
        .values(status=SIGNUP_NO_SHOW, updated_at=now, notice_pending=False)
        .execution_options(synchronize_session=False)
    )
    _release_voucher(session, signup.voucher_id, now)
    session.refresh(signup)
    audit.record(
        session,
        actor=f"provider:{provider_id}",
        action="workshop_signup.no_show",
        entity_type="workshop_signup",
        entity_id=signup.id,
        details={"workshop_id": workshop.id},
        at=now,
    )
    return AttendanceResult(view_of(session, signup), first_time=True)


def provider_session(session: Session, *, provider_id: int, workshop_id: int) -> ProviderSession:
    """Codes and counts of one of the provider's sessions (another's looks unknown)."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None or workshop.provider_id != provider_id:
        raise SignupError(SESSION_UNKNOWN)
    rows = list(
        session.execute(
            select(WorkshopSignup.code, WorkshopSignup.status)
            .where(WorkshopSignup.workshop_id == workshop_id)
            .order_by(WorkshopSignup.queue_number)
        )
    )
    seated = (SIGNUP_RESERVED, SIGNUP_ATTENDED, SIGNUP_NO_SHOW)
    return _provider_view(
        workshop,
        Counter(status for _code, status in rows),
        tuple((code, status) for code, status in rows if status in seated),
    )


def _provider_view(
    workshop: Workshop, counts: Mapping[str, int], codes: tuple[tuple[str, str], ...]
) -> ProviderSession:
    event = workshop.event
    return ProviderSession(
        workshop_id=workshop.id,
        theme=workshop.theme,
        starts_at=workshop.starts_at,
        places=workshop.places,
        reserved=counts.get(SIGNUP_RESERVED, 0),
        waiting=counts.get(SIGNUP_WAITING, 0),
        attended=counts.get(SIGNUP_ATTENDED, 0),
        no_show=counts.get(SIGNUP_NO_SHOW, 0),
        cancelled=counts.get(SIGNUP_CANCELLED, 0),
        codes=codes,
        title=workshop.title,
        ends_at=workshop.ends_at,
        location=workshop.location,
        event_name=event.name if event else None,
        region=event.region if event else None,
        town=event.town if event else None,
    )


def provider_sessions(
    session: Session,
    *,
    provider_id: int,
    since: datetime,
    until: datetime | None = None,
    limit: int = MAX_PAGE,
    offset: int = 0,
) -> ProviderSessionPage:
    """The provider's own sessions starting from ``since`` (and before ``until``), earliest
    first, with counts per status; never another provider's, never who signed up."""
    limit = max(1, min(int(limit), MAX_PROVIDER_PAGE))
    offset = max(0, int(offset))
    statement = (
        select(Workshop)
        .where(Workshop.provider_id == provider_id, Workshop.starts_at >= since)
        .order_by(Workshop.starts_at, Workshop.id)
        .offset(offset)
        .limit(limit + 1)
    )
    if until is not None:
        statement = statement.where(Workshop.starts_at < until)
    found = list(session.execute(statement).scalars())
    page = found[:limit]
    counts: dict[int, Counter[str]] = {workshop.id: Counter() for workshop in page}
    if page:
        for workshop_id, status, number in session.execute(
            select(WorkshopSignup.workshop_id, WorkshopSignup.status, func.count(WorkshopSignup.id))
            .where(WorkshopSignup.workshop_id.in_(list(counts)))
            .group_by(WorkshopSignup.workshop_id, WorkshopSignup.status)
        ):
            counts[int(workshop_id)][str(status)] = int(number)
    return ProviderSessionPage(
        sessions=tuple(_provider_view(workshop, counts[workshop.id], ()) for workshop in page),
        offset=offset,
        has_more=len(found) > limit,
    )


# --- Calendar file ----------------------------------------------------------------------

PRODID = "-//Koers//Workshop//NL"


def _local_text(moment: datetime) -> str:
    """ "dinsdag 10 maart om 19:00" (Dutch local time)."""
    local = moment.astimezone(LOCAL_TZ)
    day = f"{WEEKDAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}"
    return f"{day} om {local:%H:%M}"


def _place(view: SignupView) -> str:
    if view.venue and view.town:
        return f"{view.venue}, {view.town}"
    return view.location


def _mail_place(view: SignupView) -> str:
    """The venue and town with the province, or the session's own location ("Online")."""
    place = _place(view)
    return f"{place} ({view.region})" if view.venue and view.town and view.region else place


def signup_ics(view: SignupView, now: datetime, uid_domain: str = "koers") -> bytes:
    """The .ics file of a sign-up: confirmed (a seat), tentative (waiting) or cancelled.

    Times in UTC; the UID stays the same and SEQUENCE rises with every change, so an agenda
    updates the event when the file is opened again after moving or cancelling.
    """
    cancelled = view.status in (SIGNUP_CANCELLED, SIGNUP_NO_SHOW)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = Event()
    event.add("uid", f"workshop-signup-{view.signup_id}@{uid_domain}")
    event.add("dtstamp", now)
    event.add("dtstart", view.starts_at)
    event.add("dtend", view.ends_at)
    event.add("sequence", view.sequence)
    event.add("summary", f"Workshop: {view.title}")
    event.add("location", _place(view))
    if view.status == SIGNUP_WAITING:
        state = (
            f"Je staat op de wachtlijst (plek {view.waiting_position}). "
            "Komt er een plek vrij, dan hoor je het van Koers."
        )
    elif cancelled:
        state = "Deze inschrijving is afgezegd."
    else:
        state = "Je staat ingeschreven. Je voucher is hiervoor gereserveerd."
    lines = [state]
    if view.event_name:
        lines.append(f"Onderdeel van: {view.event_name}.")
    lines += [
        f"Aanbieder: {view.provider}.",
        f"Inschrijfcode: {format_code(view.code)}",
        "Verzetten of afzeggen? Zeg het tegen Koers en geef je inschrijfcode.",
    ]
    event.add("description", "\n".join(lines))
    if cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "TENTATIVE" if view.status == SIGNUP_WAITING else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    return calendar.to_ical()
