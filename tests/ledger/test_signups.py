"""Workshop sign-up with the voucher (issue 17), on SQLite and PostgreSQL.

Seats, waiting lists and vouchers under real concurrent sessions (threads released at a
barrier, each with its own session and transaction), refusals that change nothing,
attendance redeemed once, import validation, and the demo data.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from icalendar import Calendar
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import signups, vouchers
from bot.ledger.catalog import WORKSHOP_THEMES
from bot.ledger.cli import main
from bot.ledger.codes import new_code
from bot.ledger.importer import (
    ImportProblem,
    apply_batch,
    event_day,
    parse_csv,
    parse_document,
)
from bot.ledger.models import (
    AuditEntry,
    Provider,
    Voucher,
    Workshop,
    WorkshopEvent,
    WorkshopSignup,
)
from bot.ledger.signups import SignupError
from bot.trends import events as trend
from bot.trends.models import TrendEvent
from tests.ledger.support import BACKENDS, load

pytest_plugins = ["tests.ledger.support"]

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

LEERHUIS = "Leerhuis Test"
TRAINER = "Trainingsbureau Test"


# --- Data -------------------------------------------------------------------------------


def today() -> date:
    return utcnow().astimezone(LOCAL_TZ).date()


def tap_data() -> dict[str, Any]:
    """Two fictional evenings (no public holidays: the importer moves relative dates on)."""
    return {
        "municipalities": [
            {
                "code": "GM9901",
                "name": "Gemeente Voorbeeldstad",
                "programme_year": "current",
                "voucher_value_eur": 375,
                "voucher_budget_eur": 375 * 100,
            }
        ],
        "providers": [{"name": LEERHUIS}, {"name": TRAINER}],
        "events": [
            {
                "name": "Tap de toekomst Limburg (test)",
                "region": "Limburg",
                "venue": "Brasserie De Proef (fictief)",
                "town": "Heuvelrand (fictief)",
                "in_days": 14,
                "weekday": "di",
                "sessions": [
                    {"theme": "talenten", "provider": LEERHUIS, "time": "19:00", "places": 8},
                    {"theme": "gesprek", "provider": TRAINER, "time": "19:00", "places": 2},
                    {
                        "theme": "digitalisering",
                        "provider": LEERHUIS,
                        "time": "20:30",
                        "end": "21:45",
                        "places": 10,
                    },
                ],
            },
            {
                "name": "Tap de toekomst Groningen (test)",
                "region": "Groningen",
                "venue": "Café De Verzinsel (fictief)",
                "town": "Wierdenstad (fictief)",
                "in_days": 28,
                "weekday": "do",
                "sessions": [
                    {"theme": "talenten", "provider": LEERHUIS, "time": "19:00", "places": 12},
                    {"theme": "presenteren", "provider": TRAINER, "time": "13:30", "places": 1},
                ],
            },
        ],
    }


@pytest.fixture
def tap(sessions: sessionmaker) -> sessionmaker:
    load(sessions, tap_data())
    return sessions


def session_id(sessions: sessionmaker, region: str, theme: str) -> int:
    with sessions() as session:
        return session.execute(
            select(Workshop.id)
            .join(WorkshopEvent, WorkshopEvent.id == Workshop.event_id)
            .where(WorkshopEvent.region == region, Workshop.theme == theme)
        ).scalar_one()


def voucher_for(sessions: sessionmaker, key: str) -> str:
    with sessions() as session:
        return run_in_transaction(
            session,
            vouchers.request_voucher,
            municipality_code="GM9901",
            employee_key=key,
            now=utcnow(),
            valid_days=365,
            actor="test",
        ).voucher.code


def key(number: int) -> str:
    return f"emp-{number:08d}"


def attempt(sessions: sessionmaker, work: Callable[..., Any], **kwargs: Any) -> Any:
    """``work`` in its own transaction; a refusal comes back as its reason (rolled back)."""
    with sessions() as session:
        try:
            return run_in_transaction(session, work, **kwargs)
        except SignupError as refused:
            return refused.reason


def sign(
    sessions: sessionmaker,
    workshop_id: int,
    employee: str,
    code: str | None = None,
    *,
    waiting: bool = False,
    now: datetime | None = None,
) -> Any:
    return attempt(
        sessions,
        signups.sign_up,
        workshop_id=workshop_id,
        voucher_code=code or voucher_for(sessions, employee),
        employee_key=employee,
        now=now or utcnow(),
        join_waiting_list=waiting,
    )


def move(
    sessions: sessionmaker, made: signups.SignupResult, employee: str, to: int, **extra: Any
) -> Any:
    """Moves ``made`` (the employee's own sign-up) to session ``to`` in its own transaction."""
    return attempt(
        sessions,
        signups.move_signup,
        code=made.signup.code,
        employee_key=employee,
        to_workshop_id=to,
        now=utcnow(),
        **extra,
    )


def run_together(count: int, work: Callable[[int], Any], workers: int = 50) -> list[Any]:
    """Runs ``work(i)`` for i in range(count) in threads released at the same moment."""
    barrier = threading.Barrier(min(count, workers))

    def job(number: int) -> Any:
        if number < workers:
            barrier.wait(timeout=30)
        try:
            return work(number)
        except Exception as exc:  # collected and checked by the test
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(job, range(count)))


def snapshot(sessions: sessionmaker) -> tuple:
    """Everything a refusal must leave as it was."""
    with sessions() as session:
        return (
            tuple(
                session.execute(
                    select(
                        WorkshopSignup.id,
                        WorkshopSignup.status,
                        WorkshopSignup.workshop_id,
                        WorkshopSignup.queue_number,
                        WorkshopSignup.notice_pending,
                    ).order_by(WorkshopSignup.id)
                )
            ),
            tuple(session.execute(select(Voucher.id, Voucher.status).order_by(Voucher.id))),
            tuple(
                session.execute(
                    select(Workshop.id, Workshop.seats_taken, Workshop.places).order_by(Workshop.id)
                )
            ),
            session.execute(select(func.count(AuditEntry.id))).scalar_one(),
            session.execute(select(func.count(TrendEvent.id))).scalar_one(),
        )


def rows(session: Session, workshop_id: int) -> list[WorkshopSignup]:
    return list(
        session.execute(
            select(WorkshopSignup)
            .where(WorkshopSignup.workshop_id == workshop_id)
            .order_by(WorkshopSignup.queue_number)
        ).scalars()
    )


def add_workshop(sessions: sessionmaker, starts_at: datetime, places: int = 5) -> int:
    """A session written directly (the importer would refuse a holiday or move it on)."""
    with sessions() as session:
        provider_id = session.execute(
            select(Provider.id).where(Provider.name == LEERHUIS)
        ).scalar_one()
        workshop = Workshop(
            theme="financien",
            title=WORKSHOP_THEMES["financien"],
            provider_id=provider_id,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=1),
            location="Online",
            places=places,
            seats_taken=0,
        )
        session.add(workshop)
        session.commit()
        return workshop.id


def next_christmas_evening() -> datetime:
    day = date(today().year, 12, 25)
    if day <= today() + timedelta(days=2):
        day = date(today().year + 1, 12, 25)
    return datetime(day.year, day.month, day.day, 19, 0, tzinfo=LOCAL_TZ)


# --- Capacity and waiting list under concurrency ----------------------------------------


def test_thirty_sign_ups_for_the_last_five_seats(tap: sessionmaker) -> None:
    workshop_id = session_id(tap, "Limburg", "talenten")  # 8 places
    for number in range(3):
        assert sign(tap, workshop_id, key(number)).signup.reserved
    codes = {number: voucher_for(tap, key(number)) for number in range(100, 130)}

    def work(number: int) -> Any:
        return sign(tap, workshop_id, key(100 + number), codes[100 + number], waiting=True)

    results = run_together(30, work)
    assert all(isinstance(r, signups.SignupResult) for r in results), results
    statuses = Counter(r.signup.status for r in results)
    assert statuses == {"reserved": 5, "waiting": 25}
    with tap() as session:
        signed = rows(session, workshop_id)
        assert [row.queue_number for row in signed] == list(range(1, 34))
        # first come, first served: the five seats went to the first five in the queue
        assert [row.status for row in signed] == ["reserved"] * 8 + ["waiting"] * 25
        assert session.get(Workshop, workshop_id).seats_taken == 8
        reserved = select(func.count(Voucher.id)).where(Voucher.status == "reserved")
        assert session.execute(reserved).scalar_one() == 33
        signed_up = select(func.count(TrendEvent.id)).where(
            TrendEvent.event_type == trend.WORKSHOP_SIGNED_UP,
            TrendEvent.category == "talenten/limburg",
        )
        assert session.execute(signed_up).scalar_one() == 33
    positions = sorted(r.signup.waiting_position for r in results if r.signup.waiting)
    assert positions == list(range(1, 26))


def test_a_voucher_is_never_reserved_twice(tap: sessionmaker) -> None:
    targets = [
        session_id(tap, "Limburg", "talenten"),
        session_id(tap, "Limburg", "digitalisering"),
        session_id(tap, "Groningen", "talenten"),
        session_id(tap, "Limburg", "gesprek"),
        session_id(tap, "Groningen", "presenteren"),
    ]
    code = voucher_for(tap, key(1))

    def work(number: int) -> Any:
        return sign(tap, targets[number % 5], key(1), code, waiting=True)

    results = run_together(10, work, workers=10)
    made = [r for r in results if isinstance(r, signups.SignupResult)]
    assert sum(r.new for r in made) == 1, results
    assert len(made) == 2 and len({r.signup.code for r in made}) == 1  # the same one again
    assert Counter(r for r in results if isinstance(r, str)) == {signups.VOUCHER_IS_RESERVED: 8}
    with tap() as session:
        assert session.execute(select(func.count(WorkshopSignup.id))).scalar_one() == 1
        voucher = session.execute(select(Voucher)).scalar_one()
        assert voucher.status == "reserved"
        provider_id = session.execute(select(Provider.id).limit(1)).scalar_one()
        live = session.execute(select(WorkshopSignup)).scalar_one()
        workshop_id, voucher_id = live.workshop_id, live.voucher_id

    # a reserved voucher pays for nothing else: not through the provider API, not withdrawn
    with tap() as session:
        with pytest.raises(vouchers.VoucherError) as refused:
            vouchers.redeem_voucher(session, raw_code=code, provider_id=provider_id, now=utcnow())
        assert refused.value.reason == vouchers.VOUCHER_IS_RESERVED
        session.rollback()
        with pytest.raises(vouchers.VoucherError) as refused:
            vouchers.cancel_voucher(session, raw_code=code, now=utcnow(), actor="test")
        assert refused.value.reason == vouchers.VOUCHER_IS_RESERVED
        session.rollback()
    # and the database refuses a second live sign-up for it, whatever the code does
    with tap() as session:
        first = session.execute(select(WorkshopSignup)).scalar_one()
        session.add(
            WorkshopSignup(
                code=new_code("signup"),
                workshop_id=workshop_id,
                voucher_id=voucher_id,
                municipality_id=first.municipality_id,
                employee_key=key(1),
                status="waiting",
                queue_number=99,
                notice_pending=False,
                ics_token="another-token",
                sequence=0,
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_capacity_is_a_database_rule(tap: sessionmaker) -> None:
    workshop_id = session_id(tap, "Limburg", "gesprek")
    with tap() as session:
        workshop = session.get(Workshop, workshop_id)
        workshop.seats_taken = workshop.places + 1
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_a_cancellation_moves_the_first_waiting_up_exactly_once(tap: sessionmaker) -> None:
    workshop_id = session_id(tap, "Limburg", "gesprek")  # 2 places
    made = {n: sign(tap, workshop_id, key(n), waiting=True) for n in range(5)}
    assert [made[n].signup.status for n in range(5)] == ["reserved"] * 2 + ["waiting"] * 3
    first_code = made[0].signup.code

    def work(_number: int) -> Any:
        return attempt(
            tap, signups.cancel_signup, code=first_code, employee_key=key(0), now=utcnow()
        )

    results = run_together(10, work, workers=10)
    done = [r for r in results if isinstance(r, signups.ChangeResult)]
    assert len(done) == 1, results
    assert Counter(r for r in results if isinstance(r, str)) == {signups.SIGNUP_IS_CANCELLED: 9}
    assert [view.code for view in done[0].promoted] == [made[2].signup.code]
    with tap() as session:
        signed = rows(session, workshop_id)
        assert [row.status for row in signed] == [
            "cancelled",
            "reserved",
            "reserved",
            "waiting",
            "waiting",
        ]
        assert [row.notice_pending for row in signed] == [False, False, True, False, False]
        assert session.get(Workshop, workshop_id).seats_taken == 2
        assert session.get(Voucher, signed[0].voucher_id).status == "issued"
        assert session.get(Voucher, signed[2].voucher_id).status == "reserved"  # moved with
        promoted = select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "workshop_signup.promoted"
        )
        assert session.execute(promoted).scalar_one() == 1

    # the notice is given once, and only to the one who moved up
    with tap() as session:
        assert run_in_transaction(session, signups.pending_notices, employee_key=key(3)) == []
        told = run_in_transaction(session, signups.pending_notices, employee_key=key(2))
        assert [view.code for view in told] == [made[2].signup.code]
        assert "plek vrijgekomen" in signups.notice_text(told[0])
        assert run_in_transaction(session, signups.pending_notices, employee_key=key(2)) == []

    # a waiting place given up frees the voucher but no seat: the next one only moves on
    result = attempt(
        tap, signups.cancel_signup, code=made[3].signup.code, employee_key=key(3), now=utcnow()
    )
    assert result.promoted == () and result.signup.status == "cancelled"
    with tap() as session:
        last = rows(session, workshop_id)[-1]
        assert signups.view_of(session, last).waiting_position == 1
        assert session.get(Voucher, rows(session, workshop_id)[3].voucher_id).status == "issued"
    # the freed voucher can be used again
    again = sign(tap, session_id(tap, "Groningen", "talenten"), key(3))
    assert isinstance(again, signups.SignupResult) and again.signup.reserved


def test_moving_a_sign_up(tap: sessionmaker) -> None:
    small = session_id(tap, "Limburg", "gesprek")  # 2 places
    other = session_id(tap, "Groningen", "talenten")
    single = session_id(tap, "Groningen", "presenteren")  # 1 place
    made = {n: sign(tap, small, key(n), waiting=True) for n in range(3)}
    assert sign(tap, single, key(9)).signup.reserved  # the single place is taken
    before = snapshot(tap)
    full = move(tap, made[0], key(0), single)
    assert full == signups.SESSION_FULL and snapshot(tap) == before
    same = move(tap, made[0], key(0), small)
    assert same == signups.SAME_SESSION and snapshot(tap) == before

    moved = move(tap, made[0], key(0), other)
    assert moved.signup.code == made[0].signup.code  # same code, same voucher
    assert moved.signup.workshop_id == other and moved.signup.reserved
    assert moved.signup.region == "Groningen" and moved.signup.sequence == 1
    assert [view.code for view in moved.promoted] == [made[2].signup.code]
    with tap() as session:
        assert session.get(Workshop, small).seats_taken == 2
        assert session.get(Workshop, other).seats_taken == 1
    # onto a waiting list only when asked for
    to_wait = move(tap, made[1], key(1), single, join_waiting_list=True)
    assert to_wait.signup.waiting and to_wait.signup.waiting_position == 1
    with tap() as session:
        assert session.get(Workshop, small).seats_taken == 1  # nobody left to move up


# --- Refusals change nothing ------------------------------------------------------------


def test_refusals_change_nothing(tap: sessionmaker) -> None:
    now = utcnow()
    talenten = session_id(tap, "Limburg", "talenten")
    single = session_id(tap, "Groningen", "presenteren")
    past = add_workshop(tap, now - timedelta(days=1))
    soon = add_workshop(tap, now + timedelta(minutes=30))
    holiday = add_workshop(tap, next_christmas_evening())
    mine = voucher_for(tap, key(1))
    theirs = voucher_for(tap, key(2))
    used = voucher_for(tap, key(3))
    coach_only = voucher_for(tap, key(4))
    assert sign(tap, single, key(5)).signup.reserved
    held = sign(tap, talenten, key(6))
    with tap() as session:
        provider_id = session.execute(select(Provider.id).limit(1)).scalar_one()
        run_in_transaction(
            session, vouchers.redeem_voucher, raw_code=used, provider_id=provider_id, now=now
        )
        session.execute(
            select(Voucher).where(Voucher.code == coach_only)
        ).scalar_one().purpose = "coach"
        session.commit()
    typo = mine[:-1] + ("2" if mine[-1] != "2" else "3")
    cases = [
        (dict(workshop_id=past, voucher_code=mine, employee_key=key(1)), signups.SESSION_PAST),
        (dict(workshop_id=soon, voucher_code=mine, employee_key=key(1)), signups.SESSION_PAST),
        (
            dict(workshop_id=holiday, voucher_code=mine, employee_key=key(1)),
            signups.SESSION_HOLIDAY,
        ),
        (dict(workshop_id=single, voucher_code=mine, employee_key=key(1)), signups.SESSION_FULL),
        (
            dict(workshop_id=987654, voucher_code=mine, employee_key=key(1)),
            signups.SESSION_UNKNOWN,
        ),
        (dict(workshop_id=talenten, voucher_code=theirs, employee_key=key(1)), signups.NOT_OWNER),
        (dict(workshop_id=talenten, voucher_code=used, employee_key=key(3)), signups.VOUCHER_USED),
        (
            dict(workshop_id=talenten, voucher_code=new_code("voucher"), employee_key=key(1)),
            signups.VOUCHER_UNKNOWN,
        ),
        (dict(workshop_id=talenten, voucher_code=typo, employee_key=key(1)), signups.VOUCHER_TYPO),
        (
            dict(workshop_id=talenten, voucher_code=coach_only, employee_key=key(4)),
            signups.VOUCHER_WRONG_PURPOSE,
        ),
        (
            dict(workshop_id=single, voucher_code=voucher_for(tap, key(6)), employee_key=key(6)),
            signups.VOUCHER_IS_RESERVED,
        ),
        (dict(workshop_id=talenten, voucher_code=mine, employee_key="x"), signups.IDENTITY_NEEDED),
    ]
    before = snapshot(tap)
    for kwargs, reason in cases:
        result = attempt(tap, signups.sign_up, now=now, join_waiting_list=False, **kwargs)
        assert result == reason, (kwargs, result)
        assert snapshot(tap) == before, reason
        assert signups.signup_message(reason) != signups.signup_message("no-such-reason")
    changes: list[tuple[Callable[..., Any], dict[str, Any], str]] = [
        (signups.cancel_signup, dict(code=held.signup.code, employee_key=key(1)), "not_owner"),
        (
            signups.cancel_signup,
            dict(code=new_code("signup"), employee_key=key(6)),
            "signup_unknown",
        ),
        (
            signups.cancel_signup,
            dict(code=new_code("booking"), employee_key=key(6)),
            "signup_unknown",
        ),
        (
            signups.move_signup,
            dict(code=held.signup.code, employee_key=key(6), to_workshop_id=past),
            "session_past",
        ),
        (
            signups.move_signup,
            dict(code=held.signup.code, employee_key=key(6), to_workshop_id=holiday),
            "session_holiday",
        ),
    ]
    for work, kwargs, reason in changes:
        assert attempt(tap, work, now=now, **kwargs) == reason, (work, kwargs)
        assert snapshot(tap) == before, reason
    # a sign-up cannot be cancelled once its session has started
    late = held.signup.starts_at + timedelta(minutes=5)
    assert (
        attempt(tap, signups.cancel_signup, code=held.signup.code, employee_key=key(6), now=late)
        == signups.SESSION_PAST
    )
    assert snapshot(tap) == before
    bad_filters: list[dict[str, Any]] = [
        dict(region="Wallonië"),
        dict(theme="yoga"),
        dict(time_of_day="nacht"),
    ]
    for bad in bad_filters:
        with tap() as session, pytest.raises(SignupError):
            signups.find_sessions(session, now, **bad)


# --- Providers ----------------------------------------------------------------------------


def test_attendance_is_redeemed_once(tap: sessionmaker) -> None:
    workshop_id = session_id(tap, "Limburg", "talenten")
    came = sign(tap, workshop_id, key(1))
    absent = sign(tap, workshop_id, key(2))
    waiting_one = session_id(tap, "Groningen", "presenteren")
    sign(tap, waiting_one, key(3))
    on_list = sign(tap, waiting_one, key(4), waiting=True)
    with tap() as session:
        leerhuis, trainer = (
            session.execute(select(Provider.id).where(Provider.name == name)).scalar_one()
            for name in (LEERHUIS, TRAINER)
        )
    start = came.signup.starts_at
    before = snapshot(tap)
    early = attempt(
        tap,
        signups.redeem_attendance,
        provider_id=leerhuis,
        code=came.signup.code,
        now=start - timedelta(hours=3),
    )
    assert early == signups.ATTENDANCE_TOO_EARLY
    other = attempt(
        tap, signups.redeem_attendance, provider_id=trainer, code=came.signup.code, now=start
    )
    assert other == signups.SIGNUP_UNKNOWN  # another provider's sign-up looks unknown
    listed = attempt(
        tap, signups.redeem_attendance, provider_id=trainer, code=on_list.signup.code, now=start
    )
    assert listed == signups.SIGNUP_IS_WAITING
    assert snapshot(tap) == before

    def work(_number: int) -> Any:
        return attempt(
            tap,
            signups.redeem_attendance,
            provider_id=leerhuis,
            code=came.signup.code,
            now=start + timedelta(minutes=10),
        )

    results = run_together(10, work, workers=10)
    assert all(isinstance(r, signups.AttendanceResult) for r in results), results
    assert sum(r.first_time for r in results) == 1
    assert {r.signup.status for r in results} == {"attended"}
    with tap() as session:
        voucher = session.execute(
            select(Voucher).join(WorkshopSignup).where(WorkshopSignup.code == came.signup.code)
        ).scalar_one()
        assert voucher.status == "redeemed" and voucher.redeemed_by_provider_id == leerhuis
        for event_type, wanted in ((trend.WORKSHOP_ATTENDED, 1), (trend.VOUCHER_REDEEMED, 1)):
            counted = select(func.count(TrendEvent.id)).where(TrendEvent.event_type == event_type)
            assert session.execute(counted).scalar_one() == wanted
        attended = select(func.count(AuditEntry.id)).where(
            AuditEntry.action == "workshop_signup.attended"
        )
        assert session.execute(attended).scalar_one() == 1
    assert (
        attempt(
            tap, signups.cancel_signup, code=came.signup.code, employee_key=key(1), now=utcnow()
        )
        == signups.SIGNUP_IS_ATTENDED
    )

    # a no-show frees the voucher once; a second report changes nothing
    assert (
        attempt(
            tap,
            signups.record_no_show,
            provider_id=leerhuis,
            code=absent.signup.code,
            now=start - timedelta(minutes=1),
        )
        == signups.SESSION_NOT_OVER
    )
    first = attempt(
        tap, signups.record_no_show, provider_id=leerhuis, code=absent.signup.code, now=start
    )
    second = attempt(
        tap, signups.record_no_show, provider_id=leerhuis, code=absent.signup.code, now=start
    )
    assert first.first_time and not second.first_time and second.signup.status == "no_show"
    with tap() as session:
        voucher = session.execute(
            select(Voucher).join(WorkshopSignup).where(WorkshopSignup.code == absent.signup.code)
        ).scalar_one()
        assert voucher.status == "issued"
        view = signups.provider_session(session, provider_id=leerhuis, workshop_id=workshop_id)
        assert (view.reserved, view.attended, view.no_show, view.waiting) == (0, 1, 1, 0)
        assert {code for code, _status in view.codes} == {came.signup.code, absent.signup.code}
        with pytest.raises(SignupError):
            signups.provider_session(session, provider_id=trainer, workshop_id=workshop_id)


def test_waiting_places_of_a_started_session_free_their_vouchers(tap: sessionmaker) -> None:
    single = session_id(tap, "Groningen", "presenteren")
    seated = sign(tap, single, key(1))
    waiting = sign(tap, single, key(2), waiting=True)
    after = seated.signup.starts_at + timedelta(minutes=1)
    with tap() as session:
        assert run_in_transaction(session, signups.release_past_waiting_lists, now=after) == 1
        assert run_in_transaction(session, signups.release_past_waiting_lists, now=after) == 0
        signed = rows(session, single)
        assert [row.status for row in signed] == ["reserved", "cancelled"]
        assert session.get(Voucher, signed[1].voucher_id).status == "issued"
    assert waiting.signup.waiting


# --- Finding sessions and the calendar file ---------------------------------------------


def test_find_sessions_filters_and_pages(tap: sessionmaker) -> None:
    now = utcnow()
    add_workshop(tap, now - timedelta(days=1))
    holiday = add_workshop(tap, next_christmas_evening())
    with tap() as session:
        everything = signups.find_sessions(session, now, limit=20)
        ids = [offer.workshop_id for offer in everything.offers]
        assert holiday not in ids and len(ids) == 5 and not everything.has_more
        starts = [offer.starts_at for offer in everything.offers]
        assert starts == sorted(starts)
        limburg = signups.find_sessions(session, now, region="Limburg")
        assert {offer.region for offer in limburg.offers} == {"Limburg"}
        assert len(limburg.offers) == 3
        first_page = signups.find_sessions(session, now, limit=2)
        assert first_page.has_more and first_page.next_offset == 2
        second_page = signups.find_sessions(session, now, limit=2, offset=2)
        assert [o.workshop_id for o in first_page.offers + second_page.offers] == ids[:4]
        afternoon = signups.find_sessions(session, now, time_of_day="middag")
        assert [offer.theme for offer in afternoon.offers] == ["presenteren"]
        later = signups.find_sessions(
            session, now, on_or_after=limburg.offers[0].starts_at.date() + timedelta(days=1)
        )
        assert {offer.region for offer in later.offers} == {"Groningen"}
        talenten = signups.find_sessions(session, now, theme="talenten")
        assert [offer.region for offer in talenten.offers] == ["Limburg", "Groningen"]
        offer = talenten.offers[0]
        assert signups.SessionOffer.from_dict(offer.to_dict()) == offer
        assert offer.venue == "Brasserie De Proef (fictief)" and offer.seats_left == 8
    single = session_id(tap, "Groningen", "presenteren")
    sign(tap, single, key(1))
    sign(tap, single, key(2), waiting=True)
    with tap() as session:
        shown = signups.find_sessions(session, now, theme="presenteren").offers[0]
        assert shown.full and shown.waiting == 1


def test_signup_calendar_file(tap: sessionmaker) -> None:
    single = session_id(tap, "Groningen", "presenteren")
    seated = sign(tap, single, key(1)).signup
    waiting = sign(tap, single, key(2), waiting=True).signup
    event = Calendar.from_ical(signups.signup_ics(seated, utcnow())).walk("VEVENT")[0]
    assert str(event["status"]) == "CONFIRMED"
    assert event.decoded("dtstart") == seated.starts_at
    assert "Wierdenstad (fictief)" in str(event["location"])
    assert seated.code[:5] in str(event["description"])
    assert (
        str(Calendar.from_ical(signups.signup_ics(waiting, utcnow())).walk("VEVENT")[0]["status"])
        == "TENTATIVE"
    )
    cancelled = attempt(
        tap, signups.cancel_signup, code=seated.code, employee_key=key(1), now=utcnow()
    )
    calendar = Calendar.from_ical(signups.signup_ics(cancelled.signup, utcnow()))
    assert str(calendar["method"]) == "CANCEL"
    assert int(calendar.walk("VEVENT")[0]["sequence"]) == 1
    with tap() as session:
        found = signups.find_signup_by_token(session, cancelled.signup.ics_token)
        assert found is not None and found.status == "cancelled"
        mine = signups.employee_signups(session, employee_key=key(2), now=utcnow())
        assert [view.code for view in mine] == [waiting.code]
        assert mine[0].status == "reserved"  # moved up when the seat was freed


def test_no_trend_event_when_opted_out(tap: sessionmaker) -> None:
    workshop_id = session_id(tap, "Limburg", "talenten")
    result = attempt(
        tap,
        signups.sign_up,
        workshop_id=workshop_id,
        voucher_code=voucher_for(tap, key(1)),
        employee_key=key(1),
        now=utcnow(),
        record_trend=False,
    )
    assert result.signup.reserved
    with tap() as session:
        assert session.execute(select(func.count(TrendEvent.id))).scalar_one() == 0


# --- Import -----------------------------------------------------------------------------


def test_event_import_validation_lists_every_problem(sessions: sessionmaker) -> None:
    data = tap_data()
    limburg, groningen = data["events"]
    limburg["sessions"][0]["theme"] = "yoga"
    limburg["sessions"][1]["end"] = "18:00"  # before the 19:00 start
    limburg["sessions"][2]["places"] = 0
    groningen["region"] = "Wallonië"
    bad_day = {
        "name": "Tap de toekomst Utrecht (test)",
        "region": "Utrecht",
        "venue": "Café Fictief",
        "town": "Voorbeeldstad",
        "date": event_day({"in_days": 40, "weekday": "wo"}, today()).isoformat(),
        "sessions": [
            {
                "theme": "talenten",
                "provider": LEERHUIS,
                "starts_at": f"{event_day({'in_days': 41, 'weekday': 'do'}, today())}T19:00",
                "places": 10,
            }
        ],
    }
    christmas = next_christmas_evening().date()
    on_holiday = dict(bad_day, name="Kerst (test)", date=christmas.isoformat())
    on_holiday["sessions"] = [
        {"theme": "gesprek", "provider": TRAINER, "time": "19:00", "places": 5}
    ]
    no_sessions = dict(bad_day, name="Leeg (test)", sessions=[])
    data["events"] += [bad_day, on_holiday, no_sessions]
    with pytest.raises(ImportProblem) as problem:
        parse_document(data, today())
    text = "\n".join(problem.value.problems)
    assert "events #1 session 1: theme must be one of" in text
    assert "events #1 session 2: the session ends before it starts" in text
    assert "events #1 session 3: places (the capacity) must be more than 0" in text
    assert "events #2: unknown province 'Wallonië'" in text
    assert "events #3 session 1: the session is not on its event's date" in text
    assert "events #4: date" in text and "public holiday" in text
    assert "events #5: an event needs a list of sessions" in text
    assert len(problem.value.problems) == 7, problem.value.problems
    with sessions() as session:
        assert session.execute(select(func.count(WorkshopEvent.id))).scalar_one() == 0


def test_event_csv_import(sessions: sessionmaker) -> None:
    day = event_day({"in_days": 20, "weekday": "di"}, today()).isoformat()
    other = event_day({"in_days": 35, "weekday": "wo"}, today()).isoformat()
    header = "event;date;region;venue;town;theme;provider;time;end;places\n"
    text = (
        header + f"Tap de toekomst Zeeland (test);{day};Zeeland;Café Zeezicht (fictief);Zeedijk;"
        "talenten;Leerhuis Test;19:00;20:15;12\n"
        + f"Tap de toekomst Zeeland (test);{day};Zeeland;Café Zeezicht (fictief);Zeedijk;"
        "financien;Leerhuis Test;20:30;21:45;10\n"
        + f"Tap de toekomst Drenthe (test);{other};Drenthe;Café Heide (fictief);Heideveld;"
        "gesprek;Trainingsbureau Test;19:00;20:15;8\n"
    )
    batch = parse_csv(text, today())
    assert [(e.region, len(e.sessions)) for e in batch.events] == [("Zeeland", 2), ("Drenthe", 1)]
    load(sessions, {"providers": [{"name": LEERHUIS}, {"name": TRAINER}]})
    with sessions() as session:
        report = run_in_transaction(session, apply_batch, batch=batch, now=utcnow(), actor="t")
        assert report.events == 2 and report.workshops == 3
    conflicting = text.replace(
        "Zeeland;Café Zeezicht (fictief);Zeedijk;financien",
        "Limburg;Café Zeezicht (fictief);Zeedijk;financien",
    )
    with pytest.raises(ImportProblem) as problem:
        parse_csv(conflicting, today())
    assert "region differs from line 2" in problem.value.problems[0]


def test_reimport_keeps_seats_and_serves_the_waiting_list(tap: sessionmaker) -> None:
    single = session_id(tap, "Groningen", "presenteren")
    sign(tap, single, key(1))
    waiting = sign(tap, single, key(2), waiting=True)
    data = tap_data()
    data["events"][1]["sessions"][1]["places"] = 0
    with pytest.raises(ImportProblem):
        parse_document(data, today())
    shrink = tap_data()
    for event in shrink["events"]:
        for item in event["sessions"]:
            item["places"] = 1
    sign(tap, session_id(tap, "Limburg", "gesprek"), key(3))
    sign(tap, session_id(tap, "Limburg", "gesprek"), key(4))
    before = snapshot(tap)
    with pytest.raises(ImportProblem) as problem:
        load(tap, shrink)
    assert "cannot go below the 2 seats already taken" in problem.value.problems[0]
    assert snapshot(tap) == before
    grow = tap_data()
    grow["events"][1]["sessions"][1]["places"] = 2
    load(tap, grow)
    with tap() as session:
        assert [row.status for row in rows(session, single)] == ["reserved", "reserved"]
        assert session.get(Workshop, single).seats_taken == 2
        told = run_in_transaction(session, signups.pending_notices, employee_key=key(2))
        assert [view.code for view in told] == [waiting.signup.code]


def test_demo_data_has_eight_tap_de_toekomst_evenings(
    database_url: str, sessions: sessionmaker
) -> None:
    out = io.StringIO()
    assert main(["--database-url", database_url, "demo"], out=out) == 0
    assert "8 events" in out.getvalue()
    with sessions() as session:
        events = list(session.execute(select(WorkshopEvent)).scalars())
        assert len(events) == 8
        assert {"Groningen", "Limburg"} <= {event.region for event in events}
        assert len({event.region for event in events}) == 8
        assert all("(demo)" in event.name and "(fictief)" in event.venue_name for event in events)
        for event in events:
            assert event.event_date.weekday() < 5
            assert not signups.is_holiday(
                datetime.combine(event.event_date, datetime.min.time(), LOCAL_TZ)
            )
            programme = list(
                session.execute(select(Workshop).where(Workshop.event_id == event.id)).scalars()
            )
            assert sorted(w.theme for w in programme) == sorted(WORKSHOP_THEMES)
            for workshop in programme:
                local = workshop.starts_at.astimezone(LOCAL_TZ)
                assert local.date() == event.event_date and local.hour >= 18
                assert workshop.places > 0
        dates = sorted(event.event_date for event in events)
        assert (dates[-1] - dates[0]).days > 60  # spread over the coming months
        shown = signups.find_sessions(session, utcnow(), region="Limburg")
        assert len(shown.offers) == 5
