"""Custom actions for the talent self-scan (form ``scan_form``).

The scan's logic (questions, answer parsing, scoring) lives in ``bot.scan``; these classes only
read the tracker and send messages.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import PAUSED_FORM, TurnTakingFormValidation
from actions.tracker import latest_text, requested_slot, turn_in_form
from bot.conversation.turns import TurnKind, parse_go_back
from bot.scan import texts
from bot.scan.answers import parse_scale_answer
from bot.scan.questions import SCALE_LABELS, SCAN_SLOTS, question_for_slot, question_number
from bot.scan.scoring import ScanResult, format_next_steps, format_result, score_scan
from bot.trends import events as trend
from bot.trends.recorder import record_trend, record_trends

STATUS_SLOT = "scan_status"
NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


def _answers(tracker: Tracker) -> dict[str, int]:
    values = {slot: tracker.get_slot(slot) for slot in SCAN_SLOTS}
    return {slot: value for slot, value in values.items() if value is not None}


def _answer_events(result: ScanResult) -> list[EventType]:
    return [
        SlotSet(STATUS_SLOT, COMPLETED),
        SlotSet("scan_direction", result.direction),
        SlotSet("scan_strengths", list(result.top_strengths)),
        SlotSet("scan_reasons", list(result.reasons)),
    ]


def _send_result(dispatcher: CollectingDispatcher, result: ScanResult) -> None:
    dispatcher.utter_message(text=format_result(result))
    dispatcher.utter_message(
        text=format_next_steps(result),
        buttons=[{"title": step.title, "payload": step.payload} for step in result.next_steps],
    )


class ValidateScanForm(TurnTakingFormValidation):
    """Maps free-text and button answers on the requested question to a 1-5 rating."""

    def name(self) -> str:
        return "validate_scan_form"

    def answer_understood(self, tracker: Tracker) -> bool | None:
        """A scale word or number is an answer; interruptions are judged against it."""
        return parse_scale_answer(latest_text(tracker)) is not None

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = requested_slot(tracker)
        if requested not in SCAN_SLOTS:
            return []
        value = parse_scale_answer(latest_text(tracker))
        turn = turn_in_form(tracker, self.form_name(), answer_understood=value is not None)
        if turn.kind is TurnKind.ANSWER:
            return [SlotSet(requested, value)]
        if turn.interrupts:
            return []  # no slot set: the form rejects and a rule answers the side question
        dispatcher.utter_message(text=texts.NOT_UNDERSTOOD)
        return [SlotSet(requested, None)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ratings are checked during extraction; keep only well-formed ones."""
        events: list[EventType] = []
        for slot, value in tracker.slots_to_validate().items():
            if slot not in SCAN_SLOTS:
                continue
            valid = isinstance(value, int) and 1 <= value <= 5
            events.append(SlotSet(slot, value if valid else None))
        return events


class AskScanQuestion(Action):
    """Asks one scan question with the five scale buttons (one subclass per question)."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        question = question_for_slot(self.slot)
        dispatcher.utter_message(
            text=texts.QUESTION.format(
                number=question_number(self.slot), total=texts.TOTAL, text=question.text
            ),
            buttons=[
                {"title": label, "payload": str(rating)}
                for rating, label in enumerate(SCALE_LABELS, start=1)
            ],
        )
        return []


def _make_ask_actions() -> dict[str, type[AskScanQuestion]]:
    return {
        slot: type(f"ActionAsk{slot.title().replace('_', '')}", (AskScanQuestion,), {"slot": slot})
        for slot in SCAN_SLOTS
    }


ASK_ACTIONS = _make_ask_actions()


class ActionScanStart(Action):
    """Introduces the scan, or welcomes the employee back to a paused scan."""

    def name(self) -> str:
        return "action_scan_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answered = len(_answers(tracker))
        if answered:
            dispatcher.utter_message(text=texts.RESUME.format(answered=answered, total=texts.TOTAL))
        else:
            dispatcher.utter_message(text=texts.INTRO)
        events: list[EventType] = [SlotSet(STATUS_SLOT, IN_PROGRESS)]
        if tracker.get_slot(PAUSED_FORM) == "scan_form":  # back in the scan: it waits no more
            events.append(SlotSet(PAUSED_FORM, None))
        return events


class ActionScanResult(Action):
    """Scores the finished scan, explains the direction and offers next steps."""

    def name(self) -> str:
        return "action_scan_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        answers = _answers(tracker)
        if len(answers) < len(SCAN_SLOTS):
            dispatcher.utter_message(
                text=texts.RESUME.format(answered=len(answers), total=texts.TOTAL)
            )
            return [SlotSet(STATUS_SLOT, IN_PROGRESS if answers else NOT_STARTED)]
        if tracker.get_slot(STATUS_SLOT) == COMPLETED:
            dispatcher.utter_message(text=texts.ALREADY_DONE)
        result = score_scan(answers)
        _send_result(dispatcher, result)
        if tracker.get_slot(STATUS_SLOT) == COMPLETED:
            dispatcher.utter_message(text=texts.REDO_HINT)
        else:  # count a scan once, not every time its result is shown again
            await record_trend(tracker, trend.SCAN_COMPLETED, result.direction)
            await record_trends(tracker, trend.SCAN_STRENGTH, result.top_strengths)
        return _answer_events(result)


class ActionScanGoBack(Action):
    """Clears the previous answer so the form asks that question again."""

    def name(self) -> str:
        return "action_scan_go_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = requested_slot(tracker)
        if requested in SCAN_SLOTS:
            earlier = SCAN_SLOTS[: SCAN_SLOTS.index(requested)]
        else:
            earlier = SCAN_SLOTS
        answered = [slot for slot in earlier if tracker.get_slot(slot) is not None]
        if not answered:
            dispatcher.utter_message(text=texts.FIRST_QUESTION)
            return []
        completed = tracker.get_slot(STATUS_SLOT) == COMPLETED
        wish = parse_go_back(latest_text(tracker))
        number = wish.question if wish else None
        named = SCAN_SLOTS[number - 1] if number and 1 <= number <= len(SCAN_SLOTS) else None
        if named in answered:  # "terug naar vraag 3": that one, then on with the first open one
            dispatcher.utter_message(text=texts.GO_BACK_TO.format(number=number))
            return [SlotSet(named, None), SlotSet(STATUS_SLOT, IN_PROGRESS)]
        dispatcher.utter_message(text=texts.GO_BACK_AFTER_RESULT if completed else texts.GO_BACK)
        return [SlotSet(answered[-1], None), SlotSet(STATUS_SLOT, IN_PROGRESS)]


class ActionScanReset(Action):
    """Forgets every answer and the result, to start the scan over."""

    def name(self) -> str:
        return "action_scan_reset"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.RESET)
        events: list[EventType] = [SlotSet(slot, None) for slot in SCAN_SLOTS]
        events += [
            SlotSet("requested_slot", None),
            SlotSet("scan_direction", None),
            SlotSet("scan_strengths", None),
            SlotSet("scan_reasons", None),
            SlotSet(STATUS_SLOT, IN_PROGRESS),
        ]
        return events


def scan_result_from_slots(tracker: Tracker) -> dict[str, Any] | None:
    """The stored result for later capabilities (conversation preparation, coach)."""
    if tracker.get_slot(STATUS_SLOT) != COMPLETED:
        return None
    return {
        "direction": tracker.get_slot("scan_direction"),
        "strengths": tracker.get_slot("scan_strengths") or [],
        "reasons": tracker.get_slot("scan_reasons") or [],
    }
