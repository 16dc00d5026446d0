"""The scan, the preparation and the coach booking treat the same interruption the same way.

Each form's validation action runs on a tracker built from the real domain, with its own
question open; an interruption sets no slot and says nothing (the form rejects, a rule
answers), anything else is handled as an answer to that question.
"""

from __future__ import annotations

from typing import Any

import pytest
from rasa_sdk import FormValidationAction
from rasa_sdk.executor import CollectingDispatcher

from actions.coach import ValidateCoachForm
from actions.prepare import ValidatePrepareForm
from actions.scan import ValidateScanForm
from actions.tracker import active_form, latest_intent, latest_text, requested_slot, turn_in_form
from bot.conversation.turns import INTERRUPTION_CONFIDENCE, SCAN_INTERRUPTION_CONFIDENCE, TurnKind

#: (validation action, the question it has open)
FORMS: list[tuple[FormValidationAction, str]] = [
    (ValidateScanForm(), "scan_q03"),
    (ValidatePrepareForm(), "prep_goal"),
    (ValidateCoachForm(), "region"),
]
FORM_IDS = [action.form_name() for action, _ in FORMS]

INTERRUPTIONS = [
    ("wie kan lezen wat ik hier typ?", "ask_privacy"),
    ("wat is EVC?", "faq"),
    ("kan ik een voucher krijgen?", "request_voucher"),
    ("stop", "stop"),
    ("/ask_privacy", "ask_privacy"),
]


async def extract(
    make_tracker: Any,
    domain: dict[str, Any],
    action: FormValidationAction,
    requested: str,
    text: str,
    intent: str,
    confidence: float,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        intent=intent,
        confidence=confidence,
        active_loop=action.form_name(),
        slots={"requested_slot": requested},
    )
    events = await action.get_extraction_events(dispatcher, tracker, domain)
    return events, dispatcher.messages


@pytest.mark.parametrize(("action", "requested"), FORMS, ids=FORM_IDS)
@pytest.mark.parametrize(("text", "intent"), INTERRUPTIONS)
async def test_an_interruption_leaves_the_question_open_in_every_form(
    make_tracker, domain, action, requested, text, intent
) -> None:
    events, messages = await extract(
        make_tracker, domain, action, requested, text, intent, INTERRUPTION_CONFIDENCE
    )
    assert not any(event.get("name") == requested for event in events)
    assert messages == []


@pytest.mark.parametrize(("action", "requested"), FORMS, ids=FORM_IDS)
async def test_an_unsure_guess_is_handled_as_an_answer_in_every_form(
    make_tracker, domain, action, requested
) -> None:
    """Below every threshold the message goes to the question: stored, or asked again."""
    confidence = min(INTERRUPTION_CONFIDENCE, SCAN_INTERRUPTION_CONFIDENCE) - 0.01
    events, _ = await extract(
        make_tracker, domain, action, requested, "wie kan dit lezen?", "ask_privacy", confidence
    )
    assert any(event.get("name") == requested for event in events)


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
