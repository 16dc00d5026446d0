"""Booking, moving and cancelling a coach conversation through the actions (real database).

Also the trust rules of issue 14: nothing is booked before a yes, one active booking per
conversation or verified employee, hourly limits, and only the owner can change a booking.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Iterator
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from actions import coach
from bot.channels.identity import CHANNEL_WIDGET, METADATA_IDENTITY, EmployeeKeys, sign_identity
from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import texts as say
from bot.ledger.booking import BookingOwner, book_slot, find_offers
from bot.ledger.codes import format_code, new_code
from bot.ledger.models import Booking, Slot
from bot.ledger.preferences import WhenPreference
from bot.notify.models import OutboxMessage
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
        coach.ActionAskCoachConfirm(),
        coach.ActionAskCoachEmailConsent(),
        coach.ActionCoachBookingDone(),
        coach.ActionBookingChangeStart(),
        coach.ValidateBookingCancelForm(),
        coach.ActionAskBookingCode(),
        coach.ActionAskBookingCancelConfirm(),
        coach.ActionCancelBooking(),
        coach.ValidateBookingRescheduleForm(),
        coach.ActionRescheduleDone(),
        coach.ActionCoachFacts(),
        coach.ActionFindBookingCode(),
    )
}


IDENTITY_SECRET = "coach-test-identity-secret-0123456789abcdef"


class Chat(Conversation):
    """A conversation with its own sender id (the pseudonymous conversation key)."""

    def __init__(self, sender: str = "employee-1", metadata: dict | None = None) -> None:
        super().__init__(ACTIONS, metadata)
        self.sender = sender

    def _tracker(self, candidates: dict):
        tracker = super()._tracker(candidates)
        tracker.sender_id = self.sender
        return tracker


def verified(employee: str, municipality: str = "GM9901") -> dict[str, str]:
    """Message metadata with a signed identity claim, as the channel adds it."""
    claim = sign_identity(
        municipality, EmployeeKeys(f"k1_{employee}"), CHANNEL_WIDGET, IDENTITY_SECRET
    )
    return {METADATA_IDENTITY: claim}


@pytest.fixture
def ledger(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    load(sessions, basic_data())
    action_settings(monkeypatch, database_url)
    yield sessions


def action_settings(monkeypatch: pytest.MonkeyPatch, database_url: str) -> None:
    """The settings the coach actions read, for a test ledger (no mail, default limits)."""
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    monkeypatch.setenv("KOERS_PUBLIC_BASE_URL", "https://koers.test")
    monkeypatch.setenv("KOERS_IDENTITY_SECRET", IDENTITY_SECRET)
    monkeypatch.delenv("KOERS_SMTP_HOST", raising=False)
    for name in ("CHANGES_PER_HOUR", "ANONYMOUS_PER_HOUR", "ANONYMOUS_ACTIVE_MAX"):
        monkeypatch.delenv(f"KOERS_BOOKING_{name}", raising=False)


def bookings(sessions: sessionmaker) -> list[Booking]:
    with sessions() as session:
        return list(session.execute(select(Booking).order_by(Booking.id)).scalars())


def mails(sessions: sessionmaker) -> int:
    with sessions() as session:
        return len(session.execute(select(OutboxMessage)).scalars().all())


def test_every_action_and_slot_is_in_the_proposed_domain() -> None:
    domain = load_domain()
    assert set(ACTIONS) <= set(domain["actions"])
    for slot in (*coach.COACH_FORM_SLOTS, *coach.CANCEL_FORM_SLOTS, coach.OFFERS, coach.BOOKED):
        assert slot in domain["slots"], slot
    assert domain["forms"]["coach_form"]["required_slots"] == list(coach.COACH_FORM_SLOTS)
    assert domain["forms"]["booking_reschedule_form"]["required_slots"] == list(
        coach.RESCHEDULE_FORM_SLOTS
    )


async def choose_a_time(chat: Conversation, choice: str = "2") -> list[dict]:
    """From "ik wil een coach" to the yes/no question about the chosen time."""
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
    return await chat.answer(choice)


async def book_through_chat(chat: Conversation, consent: str = "ja") -> str:
    asked = await choose_a_time(chat)
    assert "voor je vastzetten?" in texts(asked) and button_payloads(asked) == ["ja", "nee"]
    asked = await chat.answer("ja", "affirm")
    assert "Gelukt" in texts(asked) and "mailen" in texts(asked)
    done = await chat.answer(consent, "affirm" if consent == "ja" else "deny")
    assert not chat.form_active and done == []
    return texts(await chat.run("action_coach_booking_done"))


async def test_booking_a_coach_end_to_end(ledger: sessionmaker) -> None:
    chat = Chat()
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
    confirmation = await book_through_chat(Chat(), consent="nee")
    assert "anna@coach.example" in confirmation and "/email" not in confirmation


async def test_region_and_mode_from_the_first_message(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user(
        "ik wil online een coach spreken in utrecht",
        "request_coach",
        [{"entity": "region", "value": "Utrecht"}],
    )
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert chat.slots["region"] == "Utrecht" and chat.slots["coach_mode"] == "online"
    assert chat.slots["requested_slot"] == "coach_when" and "dagdeel" in texts(asked)


async def test_unknown_region_is_asked_again(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    asked = await chat.answer("Wallonië")
    assert "ken ik niet" in texts(asked) and chat.slots["requested_slot"] == "region"
    assert len(button_payloads(asked)) == 12
    asked = await chat.answer("hmm")
    assert "ken ik niet" in texts(asked)


async def test_a_side_question_is_answered_then_asked_again(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    messages = await chat.answer("hoe zit het met mijn privacy?", "ask_privacy")
    assert not chat.rejected and chat.form_active
    assert messages[0].get("response") == "utter_privacy"
    assert chat.slots["requested_slot"] == "region" and len(messages) == 2


async def test_unclear_answers_get_a_hint(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach in Utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    assert "begreep ik niet" in texts(await chat.answer("pannenkoek"))
    await chat.answer("op locatie")
    assert "snap ik niet" in texts(await chat.answer("pannenkoek"))
    await chat.answer("maakt niet uit")
    assert "Welke tijd bedoel je" in texts(await chat.answer("pannenkoek"))
    await chat.answer("1")
    assert "Zeg ja of nee" in texts(await chat.answer("pannenkoek"))
    assert chat.slots["coach_confirm"] is None and bookings(ledger) == []


async def test_nothing_free_offers_alternatives(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach in zeeland", "request_coach", [{"entity": "region", "value": "Zeeland"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("op locatie")
    asked = await chat.answer("maakt niet uit")
    shown = texts(asked)
    assert "niets vrij" in shown and "(later)" in shown
    assert "coach uit een andere provincie" in shown


async def test_nothing_free_at_all_ends_the_form(ledger: sessionmaker) -> None:
    with ledger() as session:
        session.execute(update(Slot).values(status="blocked"))
        session.commit()
    chat = Chat()
    chat.user("coach in utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("online")
    said = await chat.answer("dinsdag")
    assert "geen enkele tijd vrij" in texts(said) and not chat.form_active
    assert await chat.run("action_coach_booking_done") == []


async def test_a_slot_taken_meanwhile_gets_alternatives(ledger: sessionmaker) -> None:
    chat = Chat()
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
    await chat.answer("1")
    asked = await chat.answer("ja", "affirm")
    assert "net door iemand anders geboekt" in texts(asked)
    assert chat.form_active and chat.slots["coach_slot"] is None
    assert first not in {offer["slot_id"] for offer in chat.slots["coach_offers"]}
    await chat.answer("1")
    asked = await chat.answer("ja", "affirm")
    assert "Gelukt" in texts(asked)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_fifty_employees_pick_the_same_slot_at_once(
    ledger: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_BOOKING_ANONYMOUS_PER_HOUR", "100")
    monkeypatch.setenv("KOERS_BOOKING_ANONYMOUS_ACTIVE_MAX", "100")
    chat = Chat()
    chat.user("coach in utrecht", "request_coach", [{"entity": "region", "value": "Utrecht"}])
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("online")
    await chat.answer("maakt niet uit")
    await chat.answer("1")
    chats = [copy.deepcopy(chat) for _ in range(50)]
    for number, other in enumerate(chats):
        other.sender = f"employee-{number}"
    replies = await asyncio.gather(*[other.answer("ja", "affirm") for other in chats])
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
    chat = Chat()
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
    chat = Chat()
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


async def test_a_workshop_sign_up_code_is_recognised_not_called_a_typo(
    ledger: sessionmaker,
) -> None:
    """Walkthrough 2026-12-03: the sign-up code Koers had just given was "not right" three
    times in the coach reschedule form; now Koers says what the code is and offers the
    workshop's own change, and the form lets go."""
    booked_code(ledger)
    signup_code = new_code("signup")
    for typed in (format_code(signup_code), signup_code.lower()):
        chat = Chat()
        chat.user("kan ik naar een andere datum?", "reschedule_booking")
        await chat.start_form("booking_reschedule_form", "action_booking_change_start")
        reply = await chat.answer(typed)
        assert say.SIGNUP_CODE_IN_BOOKING in texts(reply)
        assert "typfout" not in texts(reply)
        assert button_payloads(reply) == ["/move_signup", "/cancel_signup"]
        assert chat.active_form is None and chat.slots.get("requested_slot") is None


async def test_cancel_an_already_cancelled_booking(ledger: sessionmaker) -> None:
    code = booked_code(ledger)
    chat = Chat()
    for _ in range(2):
        chat.user(f"annuleer {code}", "cancel_booking")
        asked = await chat.start_form("booking_cancel_form", "action_booking_change_start")
        if chat.form_active:
            await chat.answer("ja", "affirm")
            await chat.run("action_cancel_booking")
    assert "al afgezegd" in texts(asked) and not chat.form_active


async def test_reschedule_by_code(ledger: sessionmaker) -> None:
    code = booked_code(ledger)
    chat = Chat()
    chat.user(f"kan ik mijn afspraak {code} verzetten", "reschedule_booking")
    asked = await chat.start_form("booking_reschedule_form", "action_booking_change_start")
    assert "Je afspraak is met Anna Voorbeeld" in texts(asked) and "dagen" in texts(asked)
    asked = await chat.answer("maakt niet uit")
    assert "Welke tijd wil je" in texts(asked)
    new_slot = chat.slots["coach_offers"][0]["slot_id"]
    asked = await chat.answer("1")
    assert "Zal ik je afspraak verzetten naar" in texts(asked)
    with ledger() as session:  # nothing moved before the yes
        assert session.execute(select(Booking)).scalar_one().slot_id != new_slot
    await chat.answer("ja", "affirm")
    assert not chat.form_active
    said = texts(await chat.run("action_reschedule_done"))
    assert "verzet" in said and format_code(code) in said and ".ics" in said
    with ledger() as session:
        assert session.execute(select(Booking)).scalar_one().slot_id == new_slot


async def test_a_regex_false_positive_is_not_called_a_typo(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user(
        "ik wil mijn gesprekken afzeggen",
        "cancel_booking",
        [{"entity": "booking_code", "value": "gesprekken"}],
    )
    asked = await chat.start_form("booking_cancel_form", "action_booking_change_start")
    assert "typfout" not in texts(asked) and "Wat is je boekingscode" in texts(asked)


# --- Trust rules (issue 14) -----------------------------------------------------------------


async def test_nothing_is_booked_before_yes_and_no_goes_back_to_the_times(
    ledger: sessionmaker,
) -> None:
    chat = Chat()
    asked = await choose_a_time(chat, "1")
    offer = chat.slots["coach_offers"][0]
    assert "Zal ik" in texts(asked) and "Anna Voorbeeld" in texts(asked)
    assert bookings(ledger) == [] and mails(ledger) == 0
    asked = await chat.answer("nee", "deny")
    assert say.NOT_BOOKED in texts(asked) and "Welke tijd wil je" in texts(asked)
    assert chat.slots["coach_slot"] is None and chat.form_active
    with ledger() as session:
        assert session.get(Slot, offer["slot_id"]).status == "free"
    assert bookings(ledger) == [] and mails(ledger) == 0
    asked = await chat.answer("2")
    assert "Zal ik" in texts(asked)
    asked = await chat.answer("doe maar 1")  # another time at the yes/no question
    assert chat.slots["coach_slot"] == str(offer["slot_id"]) and "Zal ik" in texts(asked)
    assert bookings(ledger) == [] and "Zeg ja of nee" not in texts(asked)
    await chat.answer("ja graag")
    assert [b.slot_id for b in bookings(ledger)] == [offer["slot_id"]]


async def test_a_booking_records_its_owner_without_raw_ids(ledger: sessionmaker) -> None:
    chat = Chat(sender="raw-channel-id-1")
    await book_through_chat(chat)
    booking = bookings(ledger)[0]
    owner = coach.booking_owner(chat._tracker({}))
    assert booking.owner_conversation == owner.conversation != "raw-channel-id-1"
    assert booking.owner_employee is None and booking.active_owner == owner.lock
    verified_chat = Chat(sender="k1_" + "a" * 32, metadata=verified("e" * 32))
    await book_through_chat(verified_chat)
    second = bookings(ledger)[1]
    assert second.owner_conversation == "k1_" + "a" * 32
    assert second.owner_employee == "k1_" + "e" * 32


async def test_a_second_booking_in_one_conversation_is_refused(ledger: sessionmaker) -> None:
    chat = Chat()
    await book_through_chat(chat)
    chat.user("nog een coach graag", "request_coach")
    said = await chat.run("action_coach_start")
    assert "Je hebt al een afspraak met Anna Voorbeeld" in texts(said)
    assert "/cancel_booking" in button_payloads(said)
    followups = [e["name"] for e in chat.last_events if e["event"] == "followup"]
    assert followups == ["action_listen"]  # the form does not start
    assert len(bookings(ledger)) == 1


async def test_one_active_booking_per_verified_employee_across_conversations(
    ledger: sessionmaker,
) -> None:
    await book_through_chat(Chat(sender="widget-conv", metadata=verified("f" * 32)))
    other = Chat(sender="teams-conv", metadata=verified("f" * 32))
    other.user("coach graag", "request_coach")
    assert "Je hebt al een afspraak" in texts(await other.run("action_coach_start"))
    # Even past the early check (a race), the ledger refuses at the yes.
    racing = Chat(sender="teams-conv")
    await choose_a_time(racing)
    racing.metadata = verified("f" * 32)
    asked = await racing.answer("ja", "affirm")
    assert "Je hebt al een afspraak" in texts(asked) and not racing.form_active
    assert len(bookings(ledger)) == 1 and mails(ledger) == 1


async def test_anonymous_bookings_stop_at_the_hourly_limit(
    ledger: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_BOOKING_ANONYMOUS_PER_HOUR", "2")
    for number in range(2):
        await book_through_chat(Chat(sender=f"spree-{number}"))
    late = Chat(sender="spree-late")
    late.user("coach graag", "request_coach")
    said = texts(await late.run("action_coach_start"))
    assert "erg druk met afspraken zonder inloggen" in said
    # A verified employee can still book.
    await book_through_chat(Chat(sender="verified", metadata=verified("b" * 32)))
    assert len(bookings(ledger)) == 3 and mails(ledger) == 3


async def test_verified_only_when_anonymous_bookings_are_off(
    ledger: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_BOOKING_ANONYMOUS_PER_HOUR", "0")
    chat = Chat()
    chat.user("coach graag", "request_coach")
    said = await chat.run("action_coach_start")
    assert "moet ik weten dat jij het bent" in texts(said)
    forged = Chat(metadata={METADATA_IDENTITY: "not-a-claim", "employee_key": "x" * 20})
    forged.user("coach graag", "request_coach")
    assert "moet ik weten dat jij het bent" in texts(await forged.run("action_coach_start"))
    await book_through_chat(Chat(sender="v", metadata=verified("c" * 32)))
    assert len(bookings(ledger)) == 1


async def test_a_stranger_with_the_code_cannot_cancel_or_move(ledger: sessionmaker) -> None:
    owner = Chat(sender="owner-conv")
    await book_through_chat(owner)
    booking = bookings(ledger)[0]
    before = mails(ledger)
    unknown = say.booking_problem("booking_unknown")
    stranger = Chat(sender="stranger-conv")
    stranger.user(f"ik wil afspraak {format_code(booking.code)} afzeggen", "cancel_booking")
    asked = await stranger.start_form("booking_cancel_form", "action_booking_change_start")
    assert unknown in texts(asked) and "Anna" not in texts(asked)
    stranger.user(f"verzet {booking.code}", "reschedule_booking")
    asked = await stranger.start_form("booking_reschedule_form", "action_booking_change_start")
    assert unknown in texts(asked) and "Anna" not in texts(asked)
    # Forged form state straight into the last step: the ledger says "unknown" too.
    stranger.slots.update(booking_code=booking.code, booking_cancel_confirm=True)
    stranger.user("ja", "affirm")
    assert unknown in texts(await stranger.run("action_cancel_booking"))
    after = bookings(ledger)[0]
    assert (after.status, after.slot_id, after.sequence) == ("active", booking.slot_id, 0)
    assert mails(ledger) == before
    # The owner can, even without typing the code.
    owner.user("ik wil mijn afspraak afzeggen", "cancel_booking")
    asked = await owner.start_form("booking_cancel_form", "action_booking_change_start")
    assert "echt afzeggen" in texts(asked)
    await owner.answer("ja", "affirm")
    assert "afgezegd" in texts(await owner.run("action_cancel_booking"))
    assert bookings(ledger)[0].status == "cancelled" and mails(ledger) == before + 1


async def test_the_verified_employee_can_cancel_from_another_conversation(
    ledger: sessionmaker,
) -> None:
    await book_through_chat(Chat(sender="widget", metadata=verified("d" * 32)))
    code = bookings(ledger)[0].code
    teams = Chat(sender="teams", metadata=verified("d" * 32))
    teams.user(f"annuleer {code}", "cancel_booking")
    asked = await teams.start_form("booking_cancel_form", "action_booking_change_start")
    assert "echt afzeggen" in texts(asked)
    await teams.answer("ja", "affirm")
    assert "afgezegd" in texts(await teams.run("action_cancel_booking"))
    # Someone else's identity is a stranger.
    await book_through_chat(Chat(sender="widget", metadata=verified("d" * 32)))
    code = bookings(ledger)[1].code
    other = Chat(sender="other", metadata=verified("9" * 32))
    other.user(f"annuleer {code}", "cancel_booking")
    asked = await other.start_form("booking_cancel_form", "action_booking_change_start")
    assert say.booking_problem("booking_unknown") in texts(asked)


async def test_moves_count_towards_the_hourly_limit(
    ledger: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_BOOKING_CHANGES_PER_HOUR", "2")
    chat = Chat()
    await book_through_chat(chat)
    code = bookings(ledger)[0].code
    for attempt in range(2):
        chat.user(f"verzet {code}", "reschedule_booking")
        await chat.start_form("booking_reschedule_form", "action_booking_change_start")
        await chat.answer("maakt niet uit")
        await chat.answer("1")
        asked = await chat.answer("ja", "affirm")
        if attempt == 0:
            assert not chat.form_active
            assert "verzet" in texts(await chat.run("action_reschedule_done"))
    assert "al vaak iets aan een afspraak veranderd" in texts(asked)
    assert not chat.form_active and bookings(ledger)[0].sequence == 1
    # Cancelling is never limited.
    chat.user(f"annuleer {code}", "cancel_booking")
    await chat.start_form("booking_cancel_form", "action_booking_change_start")
    await chat.answer("ja", "affirm")
    assert "afgezegd" in texts(await chat.run("action_cancel_booking"))


def test_owner_keys_are_bounded() -> None:
    with pytest.raises(ValueError):
        BookingOwner("")
    with pytest.raises(ValueError):
        BookingOwner("c" * 65)
    assert BookingOwner("c1", ("e1", "e0")).locks() == ("c:c1", "e:e1", "e:e0")


# --- Issue 16: take everything a message gives, refine in words, remember ------------------

NOT_UNDERSTOOD = ("begreep ik niet", "snap ik niet", "Welke tijd bedoel je", "Zeg ja of nee")


def no_complaint(messages: list[dict]) -> bool:
    shown = texts(messages)
    return not any(phrase in shown for phrase in NOT_UNDERSTOOD) and "ken ik niet" not in shown


async def test_a_fresh_request_asks_one_thing_without_complaints(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("ik wil een coach", "request_coach")
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert no_complaint(asked) and len(asked) == 1 and "provincie" in texts(asked)


async def test_everything_in_one_message_goes_straight_to_the_times(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("ik wil een coach in Utrecht, online, na 1 uur", "request_coach")
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert no_complaint(asked)
    assert chat.slots["region"] == "Utrecht" and chat.slots["coach_mode"] == "online"
    assert chat.slots["requested_slot"] == "coach_slot"
    assert "14:00" in texts(asked) and "10:00" not in texts(asked)


async def test_times_named_before_the_mode_are_kept(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("ok plan dan maar een coach in. liefst na mijn werk, na 1 uur", "request_coach")
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert no_complaint(asked) and "provincie" in texts(asked)
    asked = await chat.answer("amersfoort")
    assert no_complaint(asked) and "online" in texts(asked)
    asked = await chat.answer("maakt me niet uit")
    assert no_complaint(asked) and chat.slots["requested_slot"] == "coach_slot"
    assert "14:00" in texts(asked) and "10:00" not in texts(asked)


async def test_a_place_and_mode_in_passing_while_the_region_is_asked(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    asked = await chat.answer("utrecht, online graag, na 1 uur")
    assert no_complaint(asked) and chat.slots["coach_mode"] == "online"
    assert chat.slots["requested_slot"] == "coach_slot" and "10:00" not in texts(asked)


async def test_refining_the_offered_times_in_words(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach in utrecht, online", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    asked = await chat.answer("maakt niet uit")
    assert "10:00" in texts(asked)
    asked = await chat.answer("heb je niks na 12 uur?")
    assert no_complaint(asked) and chat.slots["requested_slot"] == "coach_slot"
    assert "14:00" in texts(asked) and "10:00" not in texts(asked)
    first_days = {offer["starts_at"][:10] for offer in chat.slots["coach_offers"]}
    asked = await chat.answer("andere dag graag")
    assert no_complaint(asked)
    shown_days = {offer["starts_at"][:10] for offer in chat.slots["coach_offers"]}
    assert shown_days and not shown_days & set(chat.slots["coach_not_dates"])
    assert set(chat.slots["coach_not_dates"]) <= first_days
    asked = await chat.answer("1 dan maar")
    assert "voor je vastzetten?" in texts(asked) and bookings(ledger) == []


async def test_no_at_the_confirmation_books_nothing_and_goes_back(ledger: sessionmaker) -> None:
    chat = Chat()
    asked = await choose_a_time(chat)
    assert "voor je vastzetten?" in texts(asked)
    asked = await chat.answer("nee", "deny")
    assert "zet niets vast" in texts(asked) and chat.slots["requested_slot"] == "coach_slot"
    assert bookings(ledger) == []


async def test_a_new_wish_at_the_confirmation_shows_new_times(ledger: sessionmaker) -> None:
    chat = Chat()
    await choose_a_time(chat)
    asked = await chat.answer("nee, liever na 12 uur", "deny")
    assert no_complaint(asked) and chat.slots["requested_slot"] == "coach_slot"
    assert "10:00" not in texts(asked) and bookings(ledger) == []


async def test_a_ruled_out_day_is_remembered_for_a_next_request(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("coach in utrecht, online", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("maakt niet uit")
    await chat.answer("andere dag graag")
    ruled_out = set(chat.slots["coach_not_dates"])
    assert ruled_out
    # A new request later in the conversation: those days are still not offered.
    chat.active_form = None
    chat.user("ik wil toch een coach", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    asked = await chat.answer("online")
    asked = await chat.answer("maakt niet uit")
    shown = {offer["starts_at"][:10] for offer in chat.slots["coach_offers"]}
    assert shown and not shown & ruled_out and "vrij" in texts(asked)


async def test_another_coach_at_the_email_question(ledger: sessionmaker) -> None:
    chat = Chat()
    await choose_a_time(chat)
    asked = await chat.answer("ja", "affirm")
    assert "mailen" in texts(asked)
    done = await chat.answer("ik wil nog een coach", "request_coach")
    assert no_complaint(done) and not chat.form_active
    summary = texts(await chat.run("action_coach_booking_done"))
    assert "boekingscode" in summary and "één afspraak tegelijk" in summary


async def test_coach_facts_come_from_the_data(ledger: sessionmaker) -> None:
    chat = Chat()
    chat.user("hoe lang duurt zo'n gesprek eigenlijk en hoeveel gesprekken krijg ik?")
    said = texts(await chat.run("action_coach_facts"))
    assert "60 minuten" in said and "één afspraak tegelijk" in said
    assert "voucher" not in said  # only what was asked
    chat = Chat(metadata=verified("emp-7"))
    chat.user("wat kost een gesprek met de coach?")
    assert "375 euro" in texts(await chat.run("action_coach_facts"))


async def test_the_online_link_without_an_email_address(ledger: sessionmaker) -> None:
    chat = Chat()
    await book_through_chat(chat, consent="nee")
    chat.user("hoe krijg ik dan de link als ik geen mail geef?")
    said = texts(await chat.run("action_coach_facts"))
    assert "anna@coach.example" in said and "https://koers.test/bookings/" in said
    assert "per e-mail" in said


async def test_a_lost_code_is_found_in_the_same_conversation(ledger: sessionmaker) -> None:
    chat = Chat()
    await book_through_chat(chat, consent="nee")
    chat.user("ik ben mijn boekingscode kwijt", "lost_booking_code")
    said = texts(await chat.run("action_find_booking_code"))
    assert format_code(bookings(ledger)[0].code) in said


async def test_a_lost_code_is_found_through_the_verified_identity(ledger: sessionmaker) -> None:
    await book_through_chat(Chat("first-chat", verified("emp-9")), consent="nee")
    code = format_code(bookings(ledger)[0].code)
    # Another conversation of the same employee (a signed widget token) finds it again.
    later = Chat("second-chat", verified("emp-9"))
    later.user("wat was mijn boekingscode ook alweer", "lost_booking_code")
    assert code in texts(await later.run("action_find_booking_code"))
    # Someone else, anonymous: no code, but exactly what to do.
    stranger = Chat("third-chat")
    stranger.user("ik ben mijn boekingscode kwijt", "lost_booking_code")
    said = texts(await stranger.run("action_find_booking_code"))
    assert code not in said and "intranet" in said and "agendabestand" in said
    other = Chat("fourth-chat", verified("emp-10"))
    other.user("ik ben mijn boekingscode kwijt", "lost_booking_code")
    said = texts(await other.run("action_find_booking_code"))
    assert code not in said and "geen afspraak" in said


async def test_a_fresh_request_starts_without_complaints(
    ledger: sessionmaker, make_tracker: Any
) -> None:
    """As Rasa runs it: the start action clears the form's slots, then the form activates.

    rasa_sdk validates every slot set since the last other event, so each cleared slot used to
    get its own "didn't understand" line (six before the province question, walkthrough 3).
    """
    resets = [{"event": "slot", "name": slot, "value": None} for slot in coach.COACH_RESET]
    events = [
        {"event": "user", "text": "ik wil een coach", "parse_data": {}},
        {"event": "action", "name": "action_coach_start"},
        *resets,
    ]
    tracker = make_tracker(text="ik wil een coach", intent="request_coach", events=events)
    dispatcher = CollectingDispatcher()
    result = await coach.ValidateCoachForm().run(dispatcher, tracker, load_domain())
    assert dispatcher.messages == []
    assert {"event": "slot", "name": "coach_when", "value": None, "timestamp": None} in result
