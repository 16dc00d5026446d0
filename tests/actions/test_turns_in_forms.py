"""Every form takes turns the same way: one mechanism (actions/form_turns.py), one policy.

Each form's validation action runs on a tracker built from the real domain, with its own
question open. A side question is answered and the same question stays open; "stop" pauses
and ends the form; a new request ends it and starts the other flow as a follow-up; "terug"
goes back; anything else is the answer. The last test replays the returned events on a Rasa
tracker the way the processor logs them, to show the follow-up really runs next.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import ValidateBookingCancelForm, ValidateCoachForm
from actions.faq import picked
from actions.form_turns import PAUSED_FORM, TurnTakingFormValidation, find_action
from actions.prepare import ValidatePracticeForm, ValidatePrepareForm
from actions.scan import ValidateScanForm
from actions.tracker import (
    active_form,
    answering_open_question,
    latest_intent,
    latest_text,
    requested_slot,
    turn_in_form,
)
from bot.conversation.turns import INTERRUPTION_CONFIDENCE, PAUSED_LINES, TurnKind
from bot.scan import texts as scan_texts
from tests.actions.test_coach import Chat, ledger  # noqa: F401  (the coach forms need the ledger)
from tests.conftest import ROOT

pytest_plugins = ["tests.ledger.support"]

#: (validation action, the question it has open, an earlier slot that is answered)
FORMS: list[tuple[TurnTakingFormValidation, str]] = [
    (ValidateScanForm(), "scan_q03"),
    (ValidatePrepareForm(), "prep_goal"),
    (ValidatePracticeForm(), "practice_answer_1"),
]
FORM_IDS = [action.form_name() for action, _ in FORMS]
#: Practising answers the manager in free text: there only short commands interrupt.
ASKING = FORMS[:2]
ASKING_IDS = FORM_IDS[:2]
STOPS = [("stop", "stop"), ("laat maar", "stop"), ("doei", "goodbye")]


async def run(
    make_tracker: Any,
    domain: dict[str, Any],
    action: TurnTakingFormValidation,
    requested: str,
    text: str,
    intent: str,
    confidence: float = 0.95,
    slots: dict[str, Any] | None = None,
    extra_message: dict[str, Any] | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        intent=intent,
        confidence=confidence,
        active_loop=action.form_name(),
        slots={"requested_slot": requested, **(slots or {})},
        extra_message=extra_message,
    )
    events = await action.run(dispatcher, tracker, domain)
    return events, dispatcher.messages


def ended(events: list[dict[str, Any]], form: str) -> bool:
    return SlotSet("requested_slot", None) in events and SlotSet(PAUSED_FORM, form) in events


def followup(events: list[dict[str, Any]]) -> str | None:
    names = [e["name"] for e in events if e.get("event") == "followup"]
    assert len(names) <= 1, names
    return names[0] if names else None


@pytest.mark.parametrize(("action", "requested"), ASKING, ids=ASKING_IDS)
async def test_a_side_question_is_answered_and_the_same_question_stays_open(
    make_tracker, domain, action, requested
) -> None:
    events, messages = await run(
        make_tracker, domain, action, requested, "wie kan lezen wat ik hier typ?", "ask_privacy"
    )
    assert [m.get("response") for m in messages] == ["utter_privacy"]
    assert SlotSet(requested, None) in events
    assert SlotSet("requested_slot", None) not in events and followup(events) is None


@pytest.mark.parametrize(("action", "requested"), ASKING, ids=ASKING_IDS)
async def test_a_faq_is_answered_from_the_response_selector(
    make_tracker, domain, action, requested
) -> None:
    selector = {"faq": {"response": {"responses": [{"text": "EVC is een ervaringscertificaat."}]}}}
    events, messages = await run(
        make_tracker,
        domain,
        action,
        requested,
        "wat is EVC?",
        "faq",
        extra_message={"response_selector": selector},
    )
    assert [m.get("text") for m in messages] == ["EVC is een ervaringscertificaat."]
    assert SlotSet(requested, None) in events


@pytest.mark.parametrize(("action", "requested"), FORMS, ids=FORM_IDS)
@pytest.mark.parametrize(("text", "intent"), STOPS)
async def test_stop_pauses_and_ends_the_form_and_koers_listens(
    make_tracker, domain, action, requested, text, intent
) -> None:
    events, messages = await run(make_tracker, domain, action, requested, text, intent)
    assert ended(events, action.form_name())
    assert followup(events) == "action_listen"  # not the form's "done" rule
    assert len(messages) == 1


@pytest.mark.parametrize(("action", "requested"), ASKING, ids=ASKING_IDS)
async def test_a_new_request_pauses_the_form_and_starts_the_other_flow(
    make_tracker, domain, action, requested
) -> None:
    events, messages = await run(
        make_tracker, domain, action, requested, "kan ik een voucher krijgen?", "request_voucher"
    )
    assert ended(events, action.form_name())
    assert followup(events) == "action_request_voucher"
    assert [m.get("text") for m in messages] == [PAUSED_LINES[action.form_name()]]


@pytest.mark.parametrize(("action", "requested"), FORMS, ids=FORM_IDS)
async def test_erasing_goes_to_the_erasure_confirmation_from_every_form(
    make_tracker, domain, action, requested
) -> None:
    events, _ = await run(
        make_tracker, domain, action, requested, "wis dit hele gesprek", "request_erasure"
    )
    assert ended(events, action.form_name())
    assert followup(events) == "utter_confirm_erasure"


async def test_a_new_request_for_another_form_starts_it(make_tracker, domain) -> None:
    events, messages = await run(
        make_tracker,
        domain,
        ValidateScanForm(),
        "scan_q03",
        "ik wil mijn gesprek met mijn leidinggevende voorbereiden",
        "prepare_conversation",
    )
    assert ended(events, "scan_form") and followup(events) == "prepare_form"
    assert "pauze" in messages[0]["text"]  # the pause line first, then the intro
    assert "staat even op pauze" not in " ".join(m["text"] or "" for m in messages[1:])


async def test_restarting_the_scan_inside_the_scan_keeps_the_form(make_tracker, domain) -> None:
    events, messages = await run(
        make_tracker,
        domain,
        ValidateScanForm(),
        "scan_q03",
        "opnieuw",
        "restart_scan",
        slots={"scan_q01": 4, "scan_q02": 2},
    )
    assert SlotSet("scan_q01", None) in events and SlotSet("scan_q02", None) in events
    assert SlotSet("requested_slot", None) not in events and followup(events) is None
    assert [m.get("text") for m in messages] == [scan_texts.RESET]


async def test_back_in_the_scan_clears_the_previous_answer(make_tracker, domain) -> None:
    events, messages = await run(
        make_tracker,
        domain,
        ValidateScanForm(),
        "scan_q03",
        "terug",
        "go_back",
        slots={"scan_q01": 4, "scan_q02": 2},
    )
    assert SlotSet("scan_q02", None) in events and SlotSet("scan_q01", None) not in events
    assert SlotSet("requested_slot", None) not in events
    assert [m.get("text") for m in messages] == [scan_texts.GO_BACK]


async def test_an_unclear_scan_answer_gets_one_kind_reask(make_tracker, domain) -> None:
    events, messages = await run(
        make_tracker, domain, ValidateScanForm(), "scan_q03", "banaan", "nlu_fallback", 0.3
    )
    assert [m.get("text") for m in messages] == [scan_texts.NOT_UNDERSTOOD]
    assert SlotSet("scan_q03", None) in events


@pytest.mark.parametrize(("action", "requested"), FORMS, ids=FORM_IDS)
async def test_an_unsure_guess_is_handled_as_an_answer_in_every_form(
    make_tracker, domain, action, requested
) -> None:
    """Below the one threshold the message goes to the question: stored, or asked again."""
    events, _ = await run(
        make_tracker,
        domain,
        action,
        requested,
        "wie kan dit lezen?",
        "ask_privacy",
        INTERRUPTION_CONFIDENCE - 0.01,
    )
    assert any(event.get("name") == requested for event in events)
    assert followup(events) is None


async def test_a_booking_answer_wins_over_a_misread_interruption(ledger) -> None:  # noqa: F811
    chat = Chat()
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    await chat.answer("Utrecht", "stop")
    assert chat.slots["region"] and chat.form_active


async def test_stop_in_the_coach_booking_ends_it(ledger) -> None:  # noqa: F811
    chat = Chat()
    chat.user("coach graag", "request_coach")
    await chat.start_form("coach_form", "action_coach_start")
    messages = await chat.answer("laat maar", "stop")
    assert not chat.form_active and chat.slots[PAUSED_FORM] == "coach_form"
    assert [m.get("response") for m in messages] == ["utter_stopped"]
    assert followup(chat.last_events) == "action_listen"


async def test_a_question_to_the_manager_is_a_practice_answer(make_tracker, domain) -> None:
    events, _ = await run(
        make_tracker,
        domain,
        ValidatePracticeForm(),
        "practice_answer_1",
        "wat zou u doen als ik een opleiding ga volgen?",
        "faq",
    )
    assert followup(events) is None and SlotSet(PAUSED_FORM, "practice_form") not in events


def test_cancelling_and_moving_use_the_same_base() -> None:
    assert isinstance(ValidateBookingCancelForm(), TurnTakingFormValidation)
    assert isinstance(ValidateCoachForm(), TurnTakingFormValidation)


def test_activation_and_coming_back_are_not_judged_as_answers(make_tracker) -> None:
    """On activation no form is active yet; after another action the message is not new."""
    started = make_tracker(text="stop", intent="stop", slots={"requested_slot": "scan_q01"})
    assert not answering_open_question(started, "scan_form")
    back = make_tracker(
        text="stop",
        intent="stop",
        active_loop="scan_form",
        slots={"requested_slot": "scan_q01"},
        events=[
            {"event": "user", "text": "stop"},
            {"event": "action", "name": "utter_privacy"},
            {"event": "action", "name": "scan_form"},
        ],
    )
    assert not answering_open_question(back, "scan_form")
    fresh = make_tracker(
        text="stop",
        intent="stop",
        active_loop="scan_form",
        slots={"requested_slot": "scan_q01"},
        events=[
            {"event": "action", "name": "action_listen"},
            {"event": "user", "text": "stop"},
            {"event": "action", "name": "action_extract_slots"},  # Rasa runs it after each message
            {"event": "action", "name": "scan_form"},
        ],
    )
    assert answering_open_question(fresh, "scan_form")


def test_every_named_action_is_found() -> None:
    for name in ("action_coach_start", "action_scan_go_back", "action_show_workshops"):
        action = find_action(name)
        assert action is not None and action.name() == name
    assert find_action("action_does_not_exist") is None


def test_faq_answer_without_a_selector_pick_is_none(make_tracker) -> None:
    assert picked(make_tracker(text="wat is EVC?", intent="faq")) == (None, None)


async def test_the_followup_runs_next_when_rasa_logs_the_form_events(make_tracker, domain) -> None:
    """Rasa logs ActionExecuted(form), then the form's events (processor._log_action_on_tracker).

    The validation's FollowupAction comes after the ActionExecuted that clears follow-ups, so
    the processor's next prediction is the follow-up, before any policy or "done" rule.
    """
    events, _ = await run(make_tracker, domain, ValidateScanForm(), "scan_q03", "stop", "stop")
    rasa_domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events("test", [], slots=rasa_domain.slots)
    tracker.update(ActionExecuted("scan_form"))
    tracker.update_with_events([Event.from_parameters(event) for event in events], rasa_domain)
    assert tracker.followup_action == "action_listen"
    assert tracker.get_slot(PAUSED_FORM) == "scan_form"


def test_tracker_helpers_read_the_latest_message(make_tracker) -> None:
    tracker = make_tracker(
        text="  wat is EVC?\n",
        intent="faq",
        confidence=0.7,
        active_loop="prepare_form",
        slots={"requested_slot": "prep_goal"},
    )
    assert latest_text(tracker) == "wat is EVC?"
    assert latest_intent(tracker) == ("faq", 0.7)
    assert active_form(tracker) == "prepare_form"
    assert requested_slot(tracker) == "prep_goal"
    empty = make_tracker()
    assert (latest_text(empty), latest_intent(empty), active_form(empty)) == ("", (None, 0.0), None)


def test_the_form_that_asks_decides_not_the_tracker(make_tracker) -> None:
    """Alone, "privacy" interrupts the scan; in the preparation it is no question: an answer."""
    tracker = make_tracker(text="privacy", intent="ask_privacy", active_loop="prepare_form")
    assert turn_in_form(tracker, "scan_form", answer_understood=False).kind is (
        TurnKind.SIDE_QUESTION
    )
    assert turn_in_form(tracker, "prepare_form").kind is TurnKind.ANSWER


def test_no_custom_slot_mapping_names_an_action() -> None:
    """A custom mapping with ``action:`` makes Rasa's action_extract_slots call that action after
    every message, before the form runs: a wasted action server call per turn (three, when the
    scan, preparation and practice forms each had one), and a second judgement of the turn.
    The forms fill their slots in their own validation run."""
    import yaml

    domain_file = Path(__file__).resolve().parents[2] / "domain.yml"
    slots = yaml.safe_load(domain_file.read_text())["slots"]
    named = [
        name
        for name, slot in slots.items()
        for mapping in slot.get("mappings", [])
        if mapping.get("type") == "custom" and mapping.get("action")
    ]
    assert named == []


async def test_changing_an_answer_at_the_check_opens_the_change_menu(make_tracker, domain) -> None:
    """ "iets aanpassen" reads as "terug" to NLU; at the check it is the answer."""
    events, messages = await run(
        make_tracker, domain, ValidatePrepareForm(), "prep_review", "iets aanpassen", "go_back"
    )
    assert followup(events) is None and SlotSet(PAUSED_FORM, "prepare_form") not in events
    assert "Mijn doel" in [b["title"] for m in messages for b in m.get("buttons") or []]
