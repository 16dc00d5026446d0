"""Finding, booking, moving and cancelling coach slots on a real database."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.db import run_in_transaction
from bot.ledger import booking as ledger
from bot.ledger.audit import entries_for
from bot.ledger.models import Booking, OutboxMessage, Slot, utcnow
from bot.ledger.preferences import MODE_ANY, WhenPreference, parse_when, part_of_day
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
