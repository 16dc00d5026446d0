"""Custom actions for the talent self-scan (form ``scan_form``).

The scan's logic (questions, answer parsing, scoring) lives in ``bot.scan``; these classes only
read the tracker and send messages.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.scan import texts
from bot.scan.answers import parse_scale_answer
from bot.scan.questions import SCALE_LABELS, SCAN_SLOTS, question_for_slot, question_number
from bot.scan.scoring import ScanResult, format_next_steps, format_result, score_scan
from bot.trends import events as trend
from bot.trends.recorder import record_trend, record_trends

#: Intents that interrupt the scan (a rule answers them, then the scan goes on).
INTERRUPTION_INTENTS = frozenset(
    {
        "ask_privacy", "bot_challenge", "ask_capabilities", "faq", "human_handoff",
        "out_of_scope", "ask_workshops", "mention_barrier", "express_worry", "request_coach",
        "request_voucher", "prepare_conversation", "request_erasure", "opt_out_trends",
        "stop", "goodbye", "go_back", "restart_scan", "start_scan", "check_voucher_status",
        "cancel_booking", "reschedule_booking",
    }
)
INTERRUPTION_CONFIDENCE = 0.5
#: One loose word interrupts only as a clear command or question ("stop", "terug", "privacy");
#: anything else of one word ("banaan") is treated as an answer that needs asking again.
ONE_WORD_INTERRUPTIONS = frozenset(
    {
        "stop", "goodbye", "go_back", "restart_scan", "start_scan", "ask_privacy", "faq",
        "human_handoff", "ask_capabilities", "ask_workshops", "request_coach",
        "request_voucher", "request_erasure",
    }
)
#: A short scale answer ("ja", "4") counts as an answer even if NLU saw an interruption.
SHORT_ANSWER_WORDS = 2

STATUS_SLOT = "scan_status"
NOT_STARTED, IN_PROGRESS, COMPLETED = "not_started", "in_progress", "completed"


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    """The name and confidence of the intent NLU gave the latest message."""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


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


class ValidateScanForm(FormValidationAction):
    """Maps free-text and button answers on the requested question to a 1-5 rating."""

    def name(self) -> str:
        return "validate_scan_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = tracker.get_slot("requested_slot")
        if requested not in SCAN_SLOTS:
            return []
        text = tracker.latest_message.get("text") or ""
        value = parse_scale_answer(text)
        intent, confidence = latest_intent(tracker)
        words = len(text.split())
        allowed = ONE_WORD_INTERRUPTIONS if words <= 1 else INTERRUPTION_INTENTS
        interrupted = intent in allowed and confidence >= INTERRUPTION_CONFIDENCE
        if value is not None and (not interrupted or words <= SHORT_ANSWER_WORDS):
            return [SlotSet(requested, value)]
        if interrupted:
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
            dispatcher.utter_message(
                text=texts.RESUME.format(answered=answered, total=texts.TOTAL)
            )
        else:
            dispatcher.utter_message(text=texts.INTRO)
        return [SlotSet(STATUS_SLOT, IN_PROGRESS)]


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
        requested = tracker.get_slot("requested_slot")
        if requested in SCAN_SLOTS:
            earlier = SCAN_SLOTS[: SCAN_SLOTS.index(requested)]
        else:
            earlier = SCAN_SLOTS
        answered = [slot for slot in earlier if tracker.get_slot(slot) is not None]
        if not answered:
            dispatcher.utter_message(text=texts.FIRST_QUESTION)
            return []
        completed = tracker.get_slot(STATUS_SLOT) == COMPLETED
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
