"""Booking, moving and cancelling a coach conversation through the actions (real database)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from actions import coach
from bot.db import run_in_transaction
from bot.ledger.booking import book_slot, find_offers
from bot.ledger.codes import format_code
from bot.ledger.models import Booking, OutboxMessage, Slot, utcnow
from bot.ledger.preferences import WhenPreference
from tests.ledger.dialogue import Conversation, button_payloads, load_domain, texts
from tests.ledger.support import BACKENDS, basic_data, load

pytest_plugins = ["tests.ledger.support"]

ACTIONS = {
    action.name(): action
    for action in (
        coach.ActionCoachStart(),
        coach.ValidateCoachForm(),
        coach.ActionAskRegion(),
        coach.ActionAskCoachMode(),
        coach.ActionAskCoachWhen(),
        coach.ActionAskCoachSlot(),
        coach.ActionAskCoachEmailConsent(),
        coach.ActionCoachBookingDone(),
        coach.ActionBookingChangeStart(),
        coach.ValidateBookingCancelForm(),
        coach.ActionAskBookingCode(),
        coach.ActionAskBookingCancelConfirm(),
        coach.ActionCancelBooking(),
        coach.ValidateBookingRescheduleForm(),
        coach.ActionRescheduleDone(),
    )
}


@pytest.fixture
def ledger(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    load(sessions, basic_data())
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    monkeypatch.setenv("KOERS_PUBLIC_BASE_URL", "https://koers.test")
    monkeypatch.delenv("KOERS_SMTP_HOST", raising=False)
    yield sessions


def test_every_action_and_slot_is_in_the_proposed_domain() -> None:
    domain = load_domain()
    assert set(ACTIONS) <= set(domain["actions"])
    for slot in (*coach.COACH_FORM_SLOTS, *coach.CANCEL_FORM_SLOTS, coach.OFFERS, coach.BOOKED):
        assert slot in domain["slots"], slot
    assert domain["forms"]["coach_form"]["required_slots"] == list(coach.COACH_FORM_SLOTS)


async def book_through_chat(chat: Conversation, consent: str = "ja") -> str:
    chat.user("ik wil graag met een loopbaancoach praten", "request_coach")
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert "provincie" in texts(asked) and len(button_payloads(asked)) == 12
    asked = await chat.answer("ik werk in Amersfoort")
    assert chat.slots["region"] == "Utrecht" and "online" in texts(asked)
    asked = await chat.answer("online")
    assert "dagen" in texts(asked)
    asked = await chat.answer("maakt niet uit")
    assert "Deze tijden zijn vrij in Utrecht" in texts(asked)
    assert button_payloads(asked)[:2] == ["1", "2"]
    asked = await chat.answer("2")
    assert "Gelukt" in texts(asked) and "mailen" in texts(asked)
    done = await chat.answer(consent, "affirm" if consent == "ja" else "deny")
    assert not chat.form_active and done == []
    return texts(await chat.run("action_coach_booking_done"))


async def test_booking_a_coach_end_to_end(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    confirmation = await book_through_chat(chat)
    with ledger() as session:
        booking = session.execute(select(Booking)).scalar_one()
        assert session.get(Slot, booking.slot_id).status == "booked"
        assert session.execute(select(OutboxMessage)).scalar_one().to_address == (
            "anna@coach.example"
        )
        assert booking.email is None
    assert format_code(booking.code) in confirmation
    assert f"https://koers.test/bookings/{booking.ics_token}.ics" in confirmation
    assert f"https://koers.test/bookings/{booking.ics_token}/email" in confirmation
    # The form's slots are cleared for a next booking; the region is remembered.
    assert all(chat.slots[slot] is None for slot in coach.COACH_RESET)
    assert chat.slots["region"] == "Utrecht"


async def test_without_consent_the_coach_address_is_given(ledger: sessionmaker) -> None:
    confirmation = await book_through_chat(Conversation(ACTIONS), consent="nee")
    assert "anna@coach.example" in confirmation and "/email" not in confirmation


async def test_region_and_mode_from_the_first_message(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user(
        "ik wil online een coach spreken in utrecht",
        "request_coach",
        [{"entity": "region", "value": "Utrecht"}],
    )
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert chat.slots["region"] == "Utrecht" and chat.slots["coach_mode"] == "online"
    assert chat.slots["requested_slot"] == "coach_when" and "dagdeel" in texts(asked)


async def test_unknown_region_is_asked_again(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    asked = await chat.answer("Wallonië")
    assert "ken ik niet" in texts(asked) and chat.slots["requested_slot"] == "region"
    assert len(button_payloads(asked)) == 12
    asked = await chat.answer("hmm")
    assert "ken ik niet" in texts(asked)


async def test_an_interruption_leaves_the_question_to_the_rules(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    messages = await chat.answer("hoe zit het met mijn privacy?", "ask_privacy")
    assert chat.rejected and messages == []


async def test_unclear_answers_get_a_hint(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user("coach in Utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    assert "begreep ik niet" in texts(await chat.answer("pannenkoek"))
    await chat.answer("op locatie")
    assert "snap ik niet" in texts(await chat.answer("pannenkoek"))
    await chat.answer("maakt niet uit")
    assert "Welke tijd bedoel je" in texts(await chat.answer("pannenkoek"))


async def test_nothing_free_offers_alternatives(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user("coach in zeeland", "request_coach", [{"entity": "region", "value": "Zeeland"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("op locatie")
    asked = await chat.answer("maakt niet uit")
    shown = texts(asked)
    assert "niets vrij" in shown and "(later)" in shown
    assert "coach uit een andere regio" in shown


async def test_nothing_free_at_all_ends_the_form(ledger: sessionmaker) -> None:
    with ledger() as session:
        session.execute(update(Slot).values(status="blocked"))
        session.commit()
    chat = Conversation(ACTIONS)
    chat.user("coach in utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("online")
    said = await chat.answer("dinsdag")
    assert "geen enkele tijd vrij" in texts(said) and not chat.form_active
    assert await chat.run("action_coach_booking_done") == []


async def test_a_slot_taken_meanwhile_gets_alternatives(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user("coach in utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("online")
    await chat.answer("maakt niet uit")
    first = chat.slots["coach_offers"][0]["slot_id"]
    with ledger() as session:  # someone else is quicker
        run_in_transaction(
            session,
            book_slot,
            slot_id=first,
            mode="online",
            region="Utrecht",
            now=utcnow(),
            actor="test",
        )
    asked = await chat.answer("1")
    assert "net door iemand anders geboekt" in texts(asked)
    assert chat.form_active and chat.slots["coach_slot"] is None
    assert first not in {offer["slot_id"] for offer in chat.slots["coach_offers"]}
    asked = await chat.answer("1")
    assert "Gelukt" in texts(asked)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_fifty_employees_pick_the_same_slot_at_once(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user("coach in utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("online")
    await chat.answer("maakt niet uit")
    chats = [copy.deepcopy(chat) for _ in range(50)]
    replies = await asyncio.gather(*[other.answer("1") for other in chats])
    booked = [r for r in replies if "Gelukt" in texts(r)]
    taken = [
        (c, r)
        for c, r in zip(chats, replies, strict=True)
        if "net door iemand anders geboekt" in texts(r)
    ]
    assert len(booked) == 1 and len(taken) == 49
    assert all(c.slots["coach_offers"] and "Welke tijd wil je" in texts(r) for c, r in taken)
    with ledger() as session:
        assert len(session.execute(select(Booking)).scalars().all()) == 1


def booked_code(sessions: sessionmaker) -> str:
    with sessions() as session:
        offer = find_offers(
            session,
            region="Utrecht",
            mode="online",
            preference=WhenPreference(),
            now=utcnow(),
            horizon_days=42,
        )[0]
        return run_in_transaction(
            session,
            book_slot,
            slot_id=offer.slot_id,
            mode="online",
            region="Utrecht",
            now=utcnow(),
            actor="test",
        ).code


async def test_cancel_by_code(ledger: sessionmaker) -> None:
    code = booked_code(ledger)
    chat = Conversation(ACTIONS)
    chat.user(f"ik wil mijn afspraak {format_code(code)} afzeggen", "cancel_booking")
    asked = await chat.start_form("booking_cancel_form", "action_booking_change_start")
    assert "Anna Voorbeeld" in texts(asked) and "echt afzeggen" in texts(asked)
    await chat.answer("ja", "affirm")
    said = texts(await chat.run("action_cancel_booking"))
    assert "afgezegd" in said
    with ledger() as session:
        assert session.execute(select(Booking)).scalar_one().status == "cancelled"
    assert chat.slots["booking_code"] is None


async def test_cancel_asks_for_the_code_and_explains_typos(ledger: sessionmaker) -> None:
    code = booked_code(ledger)
    chat = Conversation(ACTIONS)
    chat.user("afspraak afzeggen", "cancel_booking")
    asked = await chat.start_form("booking_cancel_form", "action_booking_change_start")
    assert "boekingscode" in texts(asked)
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert "typfout" in texts(await chat.answer(format_code(typo)))
    assert "0, 1, I, L of O" in texts(await chat.answer("ABCDE-FGHJ0"))
    assert "10 tekens" in texts(await chat.answer("mijn code is weg"))
    await chat.answer(code.lower())
    await chat.answer("nee, laat maar", "deny")
    assert "blijft gewoon staan" in texts(await chat.run("action_cancel_booking"))
    with ledger() as session:
        assert session.execute(select(Booking)).scalar_one().status == "active"


async def test_cancel_an_already_cancelled_booking(ledger: sessionmaker) -> None:
    code = booked_code(ledger)
    chat = Conversation(ACTIONS)
    for _ in range(2):
        chat.user(f"annuleer {code}", "cancel_booking")
        asked = await chat.start_form("booking_cancel_form", "action_booking_change_start")
        if chat.form_active:
            await chat.answer("ja", "affirm")
            await chat.run("action_cancel_booking")
    assert "al afgezegd" in texts(asked) and not chat.form_active


async def test_reschedule_by_code(ledger: sessionmaker) -> None:
    code = booked_code(ledger)
    chat = Conversation(ACTIONS)
    chat.user(f"kan ik mijn afspraak {code} verzetten", "reschedule_booking")
    asked = await chat.start_form("booking_reschedule_form", "action_booking_change_start")
    assert "Je afspraak is met Anna Voorbeeld" in texts(asked) and "dagen" in texts(asked)
    asked = await chat.answer("maakt niet uit")
    assert "Welke tijd wil je" in texts(asked)
    new_slot = chat.slots["coach_offers"][0]["slot_id"]
    await chat.answer("1")
    assert not chat.form_active
    said = texts(await chat.run("action_reschedule_done"))
    assert "verzet" in said and format_code(code) in said and ".ics" in said
    with ledger() as session:
        assert session.execute(select(Booking)).scalar_one().slot_id == new_slot


async def test_a_regex_false_positive_is_not_called_a_typo(ledger: sessionmaker) -> None:
    chat = Conversation(ACTIONS)
    chat.user(
        "ik wil mijn gesprekken afzeggen",
        "cancel_booking",
        [{"entity": "booking_code", "value": "gesprekken"}],
    )
    asked = await chat.start_form("booking_cancel_form", "action_booking_change_start")
    assert "typfout" not in texts(asked) and "Wat is je boekingscode" in texts(asked)
