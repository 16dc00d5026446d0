"""Finding, booking, moving and cancelling coach slots on a real database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import booking as ledger
from bot.ledger.audit import entries_for
from bot.ledger.models import Booking, BookingQuota, CoachRegion, Slot
from bot.ledger.preferences import MODE_ANY, WhenPreference, parse_when, part_of_day
from bot.notify.models import OutboxMessage
from tests.ledger.support import BACKENDS, at_local

pytest_plugins = ["tests.ledger.support"]

RETENTION = timedelta(days=7)


def offers(
    sessions: sessionmaker,
    region: str = "Utrecht",
    mode: str = "online",
    when: str = "maakt niet uit",
) -> list[ledger.SlotOffer]:
    with sessions() as session:
        return ledger.find_offers(
            session,
            region=region,
            mode=mode,
            preference=parse_when(when),
            now=utcnow(),
            horizon_days=42,
        )


def book(
    sessions: sessionmaker, slot_id: int, mode: str = "online", region: str = "Utrecht"
) -> ledger.BookingView:
    with sessions() as session:
        return run_in_transaction(
            session,
            ledger.book_slot,
            slot_id=slot_id,
            mode=mode,
            region=region,
            now=utcnow(),
            actor="test",
        )


def test_offers_follow_region_mode_and_preference(seeded: sessionmaker) -> None:
    found = offers(seeded, when="middag")
    assert found and all(part_of_day(offer.starts_at) == "middag" for offer in found)
    assert {offer.coach_name for offer in found} == {"Anna Voorbeeld"}
    assert all(offer.kind == ledger.OFFER_MATCH for offer in found)
    assert len(found) <= ledger.PER_COACH
    assert offers(seeded, region="Groningen", mode="on_location") == []
    assert [offer.mode for offer in offers(seeded, region="Groningen", mode=MODE_ANY)] == ["online"]


def test_offers_are_sorted_and_at_most_five(seeded: sessionmaker) -> None:
    with seeded() as session:
        candidates = ledger._candidates(
            session,
            region="Utrecht",
            mode="online",
            now=utcnow(),
            until=None,
            in_region=True,
            kind="match",
        )
    chosen = ledger.choose_offers(candidates, WhenPreference(), per_coach=10)
    assert len(chosen) == ledger.MAX_OFFERS
    assert [offer.starts_at for offer in chosen] == sorted(offer.starts_at for offer in chosen)


def test_alternatives_are_later_dates_and_online_elsewhere(seeded: sessionmaker) -> None:
    with seeded() as session:
        # Zeeland on location has one slot in 60 days: later than the 42-day horizon.
        assert (
            ledger.find_offers(
                session,
                region="Zeeland",
                mode="on_location",
                preference=WhenPreference(),
                now=utcnow(),
                horizon_days=42,
            )
            == []
        )
        alternatives = ledger.offers_or_alternatives(
            session,
            region="Zeeland",
            mode="on_location",
            preference=WhenPreference(),
            now=utcnow(),
            horizon_days=42,
        )
    kinds = {offer.kind for offer in alternatives}
    assert kinds == {ledger.OFFER_LATER, ledger.OFFER_ELSEWHERE_ONLINE}
    assert all(
        offer.mode == "online"
        for offer in alternatives
        if offer.kind == ledger.OFFER_ELSEWHERE_ONLINE
    )


def test_booking_takes_the_slot_and_queues_the_coach_mail(seeded: sessionmaker) -> None:
    offer = offers(seeded)[0]
    view = book(seeded, offer.slot_id)
    assert view.status == "active" and len(view.code) == 10 and len(view.ics_token) >= 40
    with seeded() as session:
        assert session.get(Slot, offer.slot_id).status == "booked"
        mail = session.execute(select(OutboxMessage)).scalar_one()
        assert mail.to_address == "anna@coach.example" and mail.status == "pending"
        assert view.code[:5] in mail.body
        assert [entry.action for entry in entries_for(session, "booking", view.booking_id)] == [
            "booking.created"
        ]
    assert offer.slot_id not in {o.slot_id for o in offers(seeded)}


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_taken_slot_is_refused_without_changes(seeded: sessionmaker) -> None:
    offer = offers(seeded)[0]
    book(seeded, offer.slot_id)
    with pytest.raises(ledger.BookingError) as refused:
        book(seeded, offer.slot_id)
    assert refused.value.reason == ledger.SLOT_TAKEN
    with seeded() as session:
        assert len(session.execute(select(Booking)).scalars().all()) == 1
        assert len(session.execute(select(OutboxMessage)).scalars().all()) == 1


def test_past_unknown_and_wrong_mode_slots_are_refused(seeded: sessionmaker) -> None:
    with seeded() as session:
        slot = session.execute(select(Slot)).scalars().first()
        slot.starts_at = utcnow() - timedelta(hours=1)
        slot.ends_at = utcnow()
        session.commit()
        past_id = slot.id
        zeeland = session.execute(
            select(Slot).join(Slot.coach).where(Slot.coach.has(name="Carla Fictief"))
        ).scalar_one()
    for slot_id, mode, reason in [
        (past_id, "online", ledger.SLOT_PAST),
        (987654, "online", ledger.SLOT_UNKNOWN),
        (zeeland.id, "online", ledger.SLOT_MODE),
    ]:
        with pytest.raises(ledger.BookingError) as refused:
            book(seeded, slot_id, mode=mode)
        assert refused.value.reason == reason
    with seeded() as session:
        assert session.execute(select(Booking)).first() is None


def test_cancel_frees_the_slot_forgets_the_email_and_tells_the_coach(
    seeded: sessionmaker,
) -> None:
    offer = offers(seeded)[0]
    view = book(seeded, offer.slot_id)
    with seeded() as session:
        run_in_transaction(
            session,
            ledger.set_booking_email,
            token=view.ics_token,
            email="medewerker@example.org",
            now=utcnow(),
            email_retention=RETENTION,
        )
        cancelled = run_in_transaction(
            session, ledger.cancel_booking, code=view.code.lower(), now=utcnow(), actor="test"
        )
    assert cancelled.status == "cancelled" and cancelled.sequence == 1
    with seeded() as session:
        assert session.get(Slot, offer.slot_id).status == "free"
        stored = session.get(Booking, view.booking_id)
        assert stored.email is None and stored.cancelled_at is not None
        bodies = [m.body for m in session.execute(select(OutboxMessage)).scalars()]
        assert not any("medewerker@example.org" in body for body in bodies)
        assert any("geannuleerd" in body for body in bodies)
        with pytest.raises(ledger.BookingError) as again:
            run_in_transaction(
                session, ledger.cancel_booking, code=view.code, now=utcnow(), actor="test"
            )
        assert again.value.reason == ledger.BOOKING_IS_CANCELLED
    assert offer.slot_id in {o.slot_id for o in offers(seeded)}


@pytest.mark.parametrize("code", ["", "ABCDE", "NOTACODE00", "22222-22222"])
def test_cancel_with_a_bad_code_changes_nothing(seeded: sessionmaker, code: str) -> None:
    with seeded() as session, pytest.raises(ledger.BookingError) as refused:
        run_in_transaction(session, ledger.cancel_booking, code=code, now=utcnow(), actor="t")
    assert refused.value.reason == ledger.BOOKING_UNKNOWN


def test_a_past_booking_cannot_be_changed(seeded: sessionmaker) -> None:
    view = book(seeded, offers(seeded)[0].slot_id)
    later = view.starts_at + timedelta(hours=2)
    with seeded() as session, pytest.raises(ledger.BookingError) as refused:
        run_in_transaction(session, ledger.cancel_booking, code=view.code, now=later, actor="t")
    assert refused.value.reason == ledger.BOOKING_PAST


def test_reschedule_moves_the_booking_atomically(seeded: sessionmaker) -> None:
    first, second = offers(seeded, when="ochtend")[:1] + offers(seeded, when="middag")[:1]
    view = book(seeded, first.slot_id)
    with seeded() as session:
        moved = run_in_transaction(
            session,
            ledger.reschedule_booking,
            code=view.code,
            new_slot_id=second.slot_id,
            now=utcnow(),
            actor="test",
            email_retention=RETENTION,
        )
    assert moved.code == view.code and moved.sequence == 1
    assert moved.starts_at == second.starts_at
    with seeded() as session:
        assert session.get(Slot, first.slot_id).status == "free"
        assert session.get(Slot, second.slot_id).status == "booked"
        subjects = [m.subject for m in session.execute(select(OutboxMessage)).scalars()]
        assert any(subject.startswith("Afspraak verzet") for subject in subjects)
        with pytest.raises(ledger.BookingError) as same:
            run_in_transaction(
                session,
                ledger.reschedule_booking,
                code=view.code,
                new_slot_id=second.slot_id,
                now=utcnow(),
                actor="test",
                email_retention=RETENTION,
            )
        assert same.value.reason == ledger.BOOKING_SAME_SLOT


def test_reschedule_to_a_taken_slot_keeps_the_old_one(seeded: sessionmaker) -> None:
    first, second = offers(seeded)[:2]
    view = book(seeded, first.slot_id)
    book(seeded, second.slot_id)
    with seeded() as session, pytest.raises(ledger.BookingError) as refused:
        run_in_transaction(
            session,
            ledger.reschedule_booking,
            code=view.code,
            new_slot_id=second.slot_id,
            now=utcnow(),
            actor="test",
            email_retention=RETENTION,
        )
    assert refused.value.reason == ledger.SLOT_TAKEN
    with seeded() as session:
        assert session.get(Booking, view.booking_id).slot_id == first.slot_id
        assert session.get(Slot, first.slot_id).status == "booked"


def test_email_is_kept_on_the_booking_only_and_purged_after_the_date(
    seeded: sessionmaker,
) -> None:
    view = book(seeded, offers(seeded)[0].slot_id)
    with seeded() as session:
        with pytest.raises(ledger.BookingError):
            run_in_transaction(
                session,
                ledger.set_booking_email,
                token=view.ics_token,
                email="geen adres",
                now=utcnow(),
                email_retention=RETENTION,
            )
        run_in_transaction(
            session,
            ledger.set_booking_email,
            token=view.ics_token,
            email="medewerker@example.org",
            now=utcnow(),
            email_retention=RETENTION,
        )
        stored = session.get(Booking, view.booking_id)
        assert stored.email == "medewerker@example.org"
        assert stored.email_delete_after == view.ends_at + RETENTION
        audit_details = [e.details for e in entries_for(session, "booking", view.booking_id)]
        assert not any("medewerker@" in details for details in audit_details)
        early = run_in_transaction(session, ledger.purge_emails, now=utcnow())
        assert early == ledger.PurgeReport(0, 0)
        late = run_in_transaction(
            session, ledger.purge_emails, now=view.ends_at + RETENTION + timedelta(seconds=1)
        )
        assert late.bookings == 1 and late.messages == 1
        session.expire_all()
        assert session.get(Booking, view.booking_id).email is None
        bodies = [m.body for m in session.execute(select(OutboxMessage)).scalars()]
        assert not any("medewerker@example.org" in body for body in bodies)
        actions = [e.action for e in entries_for(session, "booking", view.booking_id)]
        assert actions[-1] == "booking.email_purged"
        assert json.loads(entries_for(session, "booking", view.booking_id)[0].details)


def test_offer_round_trip_through_tracker_slot(seeded: sessionmaker) -> None:
    found = offers(seeded)
    stored = json.loads(json.dumps([offer.to_dict() for offer in found]))
    assert ledger.offers_from_slot_value(stored) == found
    assert ledger.offers_from_slot_value([{"broken": 1}, "x"]) == []
    assert at_local(1, 10) > utcnow()


# --- Owners and limits (issue 14) -----------------------------------------------------------

ALICE = ledger.BookingOwner("k1_" + "a" * 32)
MALLORY = ledger.BookingOwner("k1_" + "m" * 32)
EMPLOYEE = ledger.BookingOwner("k1_" + "c" * 32, ("k2_" + "e" * 32, "k1_" + "e" * 32))
LIMITS = ledger.BookingLimits(changes_per_hour=3, anonymous_per_hour=3, anonymous_active_max=10)


def slot_ids(sessions: sessionmaker, region: str = "Utrecht") -> list[int]:
    """The free slots of the region's coaches (all bookable online in basic_data)."""
    coaches = select(CoachRegion.coach_id).where(CoachRegion.region == region)
    with sessions() as session:
        return list(
            session.execute(
                select(Slot.id)
                .where(Slot.status == "free", Slot.coach_id.in_(coaches))
                .order_by(Slot.starts_at)
            )
            .scalars()
            .all()
        )


def owned_book(
    sessions: sessionmaker,
    slot_id: int,
    owner: ledger.BookingOwner,
    limits: ledger.BookingLimits | None = LIMITS,
    now=None,
) -> ledger.BookingView:
    with sessions() as session:
        return run_in_transaction(
            session,
            ledger.book_slot,
            slot_id=slot_id,
            mode="online",
            region="Utrecht",
            now=now or utcnow(),
            actor="test",
            owner=owner,
            limits=limits,
        )


def outbox_count(sessions: sessionmaker) -> int:
    with sessions() as session:
        return len(session.execute(select(OutboxMessage.id)).all())


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_only_the_owner_can_see_move_or_cancel(seeded: sessionmaker) -> None:
    first, second = slot_ids(seeded)[:2]
    view = owned_book(seeded, first, ALICE)
    mails = outbox_count(seeded)
    with seeded() as session:
        assert ledger.find_booking(session, view.code, MALLORY) is None
        assert ledger.find_booking(session, view.code, ALICE) == view
    for work, kwargs in (
        (ledger.cancel_booking, {}),
        (ledger.reschedule_booking, {"new_slot_id": second, "email_retention": RETENTION}),
    ):
        with seeded() as session, pytest.raises(ledger.BookingError) as refused:
            run_in_transaction(
                session, work, code=view.code, now=utcnow(), actor="t", owner=MALLORY, **kwargs
            )
        assert refused.value.reason == ledger.BOOKING_UNKNOWN
    assert outbox_count(seeded) == mails
    with seeded() as session:
        run_in_transaction(
            session, ledger.cancel_booking, code=view.code, now=utcnow(), actor="t", owner=ALICE
        )
        # Even a cancelled booking looks unknown to a stranger (not "already cancelled").
        with pytest.raises(ledger.BookingError) as refused:
            run_in_transaction(
                session,
                ledger.cancel_booking,
                code=view.code,
                now=utcnow(),
                actor="t",
                owner=MALLORY,
            )
        assert refused.value.reason == ledger.BOOKING_UNKNOWN
        stored = session.execute(select(Booking)).scalar_one()
        assert stored.active_owner is None and stored.owner_conversation == ALICE.conversation


def test_the_verified_employee_owns_it_under_the_previous_key_too(seeded: sessionmaker) -> None:
    old = ledger.BookingOwner("k1_" + "b" * 32, ("k1_" + "e" * 32,))
    view = owned_book(seeded, slot_ids(seeded)[0], old)
    with seeded() as session:
        assert ledger.find_booking(session, view.code, EMPLOYEE) == view  # rotated key
        assert ledger.active_booking_of(session, EMPLOYEE, utcnow()) == view
    with pytest.raises(ledger.BookingError) as refused:
        owned_book(seeded, slot_ids(seeded)[0], EMPLOYEE)
    assert refused.value.reason == ledger.BOOKING_ALREADY_ACTIVE


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_one_active_booking_per_owner(seeded: sessionmaker) -> None:
    first, second = slot_ids(seeded)[:2]
    view = owned_book(seeded, first, ALICE)
    with pytest.raises(ledger.BookingError) as refused:
        owned_book(seeded, second, ALICE)
    assert refused.value.reason == ledger.BOOKING_ALREADY_ACTIVE
    with seeded() as session:  # the database itself refuses a second active owner lock
        booking = session.execute(select(Booking)).scalar_one()
        session.add(
            Booking(
                code="ZZZZZZZZZZ",
                slot_id=second,
                mode="online",
                region="Utrecht",
                status="active",
                ics_token="other-token",
                sequence=0,
                active_owner=booking.active_owner,
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
    with seeded() as session:
        run_in_transaction(
            session, ledger.cancel_booking, code=view.code, now=utcnow(), actor="t", owner=ALICE
        )
    assert owned_book(seeded, second, ALICE).status == "active"


def test_a_passed_appointment_no_longer_blocks_a_new_one(seeded: sessionmaker) -> None:
    first, second = slot_ids(seeded)[:2]
    owned_book(seeded, first, EMPLOYEE)
    with seeded() as session:
        start = session.get(Slot, first).ends_at
    later = start + timedelta(minutes=5)  # the first appointment is over
    with seeded() as session:
        session.execute(
            update(Slot)
            .where(Slot.id == second)
            .values(starts_at=later + timedelta(days=1), ends_at=later + timedelta(days=1, hours=1))
        )
        session.commit()
    view = owned_book(seeded, second, EMPLOYEE, now=later)
    with seeded() as session:
        locks = dict(session.execute(select(Booking.slot_id, Booking.active_owner)).all())
    assert locks == {first: None, second: EMPLOYEE.lock} and view.status == "active"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_changes_per_hour_count_bookings_and_moves_not_cancels(seeded: sessionmaker) -> None:
    limits = ledger.BookingLimits(changes_per_hour=2, anonymous_per_hour=5)
    ids = slot_ids(seeded)
    now = utcnow()
    view = owned_book(seeded, ids[0], ALICE, limits, now=now)

    def move(slot_id: int, at=now) -> None:
        with seeded() as session:
            run_in_transaction(
                session,
                ledger.reschedule_booking,
                code=view.code,
                new_slot_id=slot_id,
                now=at,
                actor="t",
                email_retention=RETENTION,
                owner=ALICE,
                limits=limits,
            )

    move(ids[1])
    mails = outbox_count(seeded)
    with pytest.raises(ledger.BookingError) as refused:
        move(ids[2])
    assert refused.value.reason == ledger.BOOKING_RATE_LIMITED and outbox_count(seeded) == mails
    with seeded() as session:
        assert session.get(Booking, view.booking_id).slot_id == ids[1]
        assert ledger.booking_refusal(session, owner=ALICE, limits=limits, now=now) == (
            ledger.BOOKING_ALREADY_ACTIVE
        )
    move(ids[2], at=ledger.quota_window(now) + timedelta(hours=1, minutes=1))  # next hour
    with seeded() as session:
        run_in_transaction(
            session, ledger.cancel_booking, code=view.code, now=now, actor="t", owner=ALICE
        )


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_anonymous_bookings_have_one_shared_hourly_limit(seeded: sessionmaker) -> None:
    limits = ledger.BookingLimits(changes_per_hour=5, anonymous_per_hour=2)
    ids = slot_ids(seeded)
    for number in range(2):
        owned_book(seeded, ids[number], ledger.BookingOwner(f"k1_{number:032d}"), limits)
    with pytest.raises(ledger.BookingError) as refused:
        owned_book(seeded, ids[2], ledger.BookingOwner("k1_" + "9" * 32), limits)
    assert refused.value.reason == ledger.ANONYMOUS_FULL
    with seeded() as session:
        assert (
            ledger.booking_refusal(
                session, owner=ledger.BookingOwner("x"), limits=limits, now=utcnow()
            )
            == ledger.ANONYMOUS_FULL
        )
    assert owned_book(seeded, ids[2], EMPLOYEE, limits).status == "active"  # verified: fine
    off = ledger.BookingLimits(anonymous_per_hour=0)
    with pytest.raises(ledger.BookingError) as refused:
        owned_book(seeded, ids[3], ledger.BookingOwner("y"), off)
    assert refused.value.reason == ledger.NEEDS_IDENTITY


def test_anonymous_bookings_held_at_once_are_capped(seeded: sessionmaker) -> None:
    limits = ledger.BookingLimits(changes_per_hour=5, anonymous_per_hour=50, anonymous_active_max=2)
    ids = slot_ids(seeded)
    for number in range(2):
        owned_book(seeded, ids[number], ledger.BookingOwner(f"k1_{number:032d}"), limits)
    with pytest.raises(ledger.BookingError) as refused:
        owned_book(seeded, ids[2], ledger.BookingOwner("k1_" + "9" * 32), limits)
    assert refused.value.reason == ledger.ANONYMOUS_FULL


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_booking_spree_at_once_stops_at_the_limit(seeded: sessionmaker) -> None:
    from tests.ledger.test_concurrency import run_together

    ids = slot_ids(seeded)
    limits = ledger.BookingLimits(changes_per_hour=5, anonymous_per_hour=3)

    def attempt(number: int) -> object:
        owner = ledger.BookingOwner(f"k1_{number:032d}")
        try:
            return owned_book(seeded, ids[number], owner, limits)
        except ledger.BookingError as refused:
            return refused.reason

    results = run_together(len(ids), attempt)
    assert sum(isinstance(r, ledger.BookingView) for r in results) == 3, results
    assert [r for r in results if isinstance(r, str)] == [ledger.ANONYMOUS_FULL] * (len(ids) - 3)
    with seeded() as session:
        assert len(session.execute(select(Booking.id)).all()) == 3
        assert (
            session.execute(
                select(BookingQuota.used).where(BookingQuota.key == ledger.ANONYMOUS_QUOTA_KEY)
            ).scalar_one()
            == 3
        )
