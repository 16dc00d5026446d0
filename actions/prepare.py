"""Custom actions for preparing "het goede gesprek" (forms ``prepare_form``, ``practice_form``).

The logic lives in ``bot.preparation`` (questions, answer parsing, practice, sheet, store);
these classes read the tracker, send messages and store the sheet.
"""

from __future__ import annotations

import logging
import re
from datetime import date, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import TurnTakingFormValidation
from actions.support import record_barrier_trend
from actions.tracker import (
    active_form,
    latest_intent,
    latest_text,
    requested_slot,
    turn_in_form,
)
from bot.config import load_settings
from bot.conversation.barriers import BARRIERS, support_answer
from bot.db.session import RunSession
from bot.preparation import texts
from bot.preparation.answers import (
    CHANGE,
    PRACTICE,
    confirmed_with_more,
    is_confirmation,
    is_skip,
    parse_asks,
    parse_kind,
    parse_review,
)
from bot.preparation.checks import (
    IN_THE_PAST,
    NO_SUCH_DATE,
    TOO_FAR,
    check_meeting_date,
    format_day,
    is_noise,
    looks_like_request,
    parse_party,
    parse_private,
    prefill,
    sheet_days,
)
from bot.preparation.practice import Reaction, answer_feedback, likely_reactions
from bot.preparation.questions import (
    ASK_SLOT,
    ASKS,
    DATE_SLOT,
    DEVELOP_SLOT,
    FORM_SLOTS,
    KIND_SLOT,
    KINDS,
    PARTY_SLOT,
    PRIVATE_SLOT,
    QUESTION_SLOTS,
    QUESTIONS,
    REVIEW_SLOT,
    SKIPPED,
    STRENGTHS_SLOT,
    WHEN_SLOT,
    WORRY_SLOT,
    previous_slot,
    question_for,
)
from bot.preparation.sheet import DEFAULT_PARTY, build_sheet
from bot.preparation.store import save_sheet
from bot.privacy.pseudonym import get_pseudonymizer
from bot.privacy.scrubber import PLACEHOLDER_RE, scrub_text_safe
from bot.scan.questions import STRENGTH_LABELS
from bot.scan.scoring import DIRECTION_LABELS
from bot.trends.events import PREPARATION_SHEET_MADE
from bot.trends.recorder import record_trend

logger = logging.getLogger(__name__)

PRACTICE_SLOTS: tuple[str, ...] = ("practice_answer_1", "practice_answer_2")

SUPPORT_INTENTS = frozenset({"mention_barrier", "express_worry"})
SUPPORT_CONFIDENCE = 0.8


_HOLDING_BACK_RE = re.compile(
    r"\b(?:geen|niet|nooit|durf|bang|zie\s+(?:er\s+)?tegenop|te\s+oud|te\s+druk)\b", re.I
)


def holding_back(tracker: Tracker, requested: str) -> tuple[str, str | None] | None:
    """(intent, barrier) when the answer says what holds the employee back instead.

    Handled inside the form (tips, then the same question again), whatever intent NLU chose:
    "ik heb eigenlijk geen tijd voor ontwikkeling" may come in as a question about time.
    The worry question takes worries as its answer, and requests ("meer tijd") are answers.
    """
    if requested not in QUESTION_SLOTS or requested in {WORRY_SLOT, ASK_SLOT, KIND_SLOT}:
        return None
    intent, confidence = latest_intent(tracker)
    barrier = _barrier_in(tracker)
    # The words must say so too: NLU alone also files plain goals under mention_barrier.
    if not _HOLDING_BACK_RE.search(latest_text(tracker)):
        return None
    if intent in SUPPORT_INTENTS and confidence >= SUPPORT_CONFIDENCE:
        return intent, barrier
    if barrier:
        return "mention_barrier", barrier
    return None


def _barrier_in(tracker: Tracker) -> str | None:
    return next((v for v in tracker.get_latest_entity_values("barrier") if v in BARRIERS), None)


def _scan_strengths(tracker: Tracker) -> list[str]:
    if tracker.get_slot("scan_status") != "completed":
        return []
    keys = tracker.get_slot("scan_strengths") or []
    return [STRENGTH_LABELS.get(key, key) for key in keys if isinstance(key, str)]


def _scan_direction(tracker: Tracker) -> str | None:
    if tracker.get_slot("scan_status") != "completed":
        return None
    return DIRECTION_LABELS.get(tracker.get_slot("scan_direction") or "")


def party_of(tracker: Tracker) -> str:
    """Who the conversation is with, as the employee named it; the manager by default."""
    party = tracker.get_slot(PARTY_SLOT)
    return party if isinstance(party, str) and party else DEFAULT_PARTY


_WHEN_PROBLEMS = {
    NO_SUCH_DATE: texts.WHEN_NO_SUCH_DATE,
    IN_THE_PAST: texts.WHEN_PAST,
    TOO_FAR: texts.WHEN_TOO_FAR,
}
#: Free-text questions whose answer must be words and must not be a request to Koers.
_FREE_TEXT_SLOTS = frozenset({"prep_goal", STRENGTHS_SLOT, DEVELOP_SLOT, WORRY_SLOT})


def check_free_text(dispatcher: CollectingDispatcher, slot: str, text: str) -> bool:
    """False (after a kind message) when ``text`` is a request or noise, not an answer."""
    if slot in (*_FREE_TEXT_SLOTS, WHEN_SLOT) and looks_like_request(text):
        dispatcher.utter_message(text=texts.REQUEST_NOT_ANSWER)
        return False
    if slot in _FREE_TEXT_SLOTS and is_noise(text):
        noise = texts.STRENGTHS_NOISE if slot == STRENGTHS_SLOT else texts.NOISE
        dispatcher.utter_message(text=noise)
        return False
    return True


def when_events(dispatcher: CollectingDispatcher, text: str, today: date) -> list[EventType]:
    """The meeting date must exist and lie ahead; stored in Dutch and as ISO date."""
    checked = check_meeting_date(text, today)
    if checked.ok and checked.day:
        return [
            SlotSet(WHEN_SLOT, format_day(checked.day)),
            SlotSet(DATE_SLOT, checked.day.isoformat()),
        ]
    dispatcher.utter_message(text=_WHEN_PROBLEMS.get(checked.status, texts.WHEN_NOT_A_DATE))
    return [SlotSet(WHEN_SLOT, None)]


def private_events(dispatcher: CollectingDispatcher, text: str) -> list[EventType]:
    choice = parse_private(text)
    if choice is None:
        dispatcher.utter_message(text=texts.PRIVATE_NOT_UNDERSTOOD, buttons=texts.PRIVATE_BUTTONS)
    return [SlotSet(PRIVATE_SLOT, choice)]


def _question_header(slot: str) -> str:
    number = QUESTION_SLOTS.index(slot) + 1
    return f"Vraag {number} van {len(QUESTION_SLOTS)}: "


class ValidatePrepareForm(TurnTakingFormValidation):
    """Turns free-text and button answers into the ``prep_*`` slots; skips, changes, barriers."""

    def name(self) -> str:
        return "validate_prepare_form"

    def answer_understood(self, tracker: Tracker) -> bool | None:
        """At the check at the end, "iets aanpassen" or "Wanneer aanpassen" is the answer
        (the change menu), never "terug" to the question before (walkthrough of 2026-12-02)."""
        if requested_slot(tracker) == REVIEW_SLOT and parse_review(latest_text(tracker))[0]:
            return True
        return None

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = requested_slot(tracker)
        if requested not in FORM_SLOTS or active_form(tracker) != self.form_name():
            return []
        text = latest_text(tracker)
        if requested == REVIEW_SLOT and parse_review(text)[0] is not None:
            return self._review(dispatcher, text)  # "Wanneer aanpassen" is a choice, no question
        # Free-text answers: only short commands and real questions interrupt (see turns.py).
        if turn_in_form(tracker, self.form_name()).interrupts:
            return []  # the form rejects; a rule answers, then the form asks again
        held_back = holding_back(tracker, requested)
        if held_back:
            intent, barrier = held_back
            dispatcher.utter_message(text=support_answer(intent, barrier))
            await record_barrier_trend(tracker, intent, barrier)
            events: list[EventType] = [SlotSet(requested, None)]  # the same question again
            return events + ([SlotSet("barrier", barrier)] if barrier else [])
        if requested == REVIEW_SLOT:
            return self._review(dispatcher, text)
        if requested == PRIVATE_SLOT:
            return private_events(dispatcher, text)
        if is_skip(text) and requested != WORRY_SLOT:
            dispatcher.utter_message(text=texts.SKIPPED)
            return [SlotSet(requested, SKIPPED)]
        if not text or text.startswith("/"):
            dispatcher.utter_message(text=texts.EMPTY_ANSWER)
            return [SlotSet(requested, None)]
        if not check_free_text(dispatcher, requested, text):
            return [SlotSet(requested, None)]
        if requested == WHEN_SLOT:
            return when_events(dispatcher, text, date.today())
        if requested == KIND_SLOT:
            kind = parse_kind(text)
            if kind is None:
                dispatcher.utter_message(text=texts.KIND_NOT_UNDERSTOOD)
            party = parse_party(text)
            return [SlotSet(KIND_SLOT, kind)] + ([SlotSet(PARTY_SLOT, party)] if party else [])
        if requested == ASK_SLOT:
            return [SlotSet(ASK_SLOT, parse_asks(text))]
        if requested == STRENGTHS_SLOT and is_confirmation(text) and _scan_strengths(tracker):
            return [SlotSet(STRENGTHS_SLOT, _scan_strengths(tracker))]
        extra = confirmed_with_more(text)
        if requested == STRENGTHS_SLOT and extra and _scan_strengths(tracker):
            return [SlotSet(STRENGTHS_SLOT, [*_scan_strengths(tracker), extra])]
        if requested == DEVELOP_SLOT and is_confirmation(text) and _scan_direction(tracker):
            return [SlotSet(DEVELOP_SLOT, _scan_direction(tracker))]
        if requested == WORRY_SLOT:
            return await self._worry(dispatcher, tracker, text)
        return [SlotSet(requested, text)]

    async def _worry(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str
    ) -> list[EventType]:
        """A worry is the answer here; a recognised barrier also gets its tips."""
        if is_skip(text):
            dispatcher.utter_message(text=texts.SKIPPED)
            return [SlotSet(WORRY_SLOT, SKIPPED)]
        events: list[EventType] = [SlotSet(WORRY_SLOT, text)]
        intent, confidence = latest_intent(tracker)
        barrier = _barrier_in(tracker)
        if barrier or (intent in SUPPORT_INTENTS and confidence >= SUPPORT_CONFIDENCE):
            dispatcher.utter_message(text=support_answer(intent, barrier))
            worry_intent = intent if intent in SUPPORT_INTENTS else "express_worry"
            await record_barrier_trend(tracker, worry_intent, barrier)
            if barrier:
                events.append(SlotSet("barrier", barrier))
        else:
            dispatcher.utter_message(text=texts.WORRY_HEARD)
        return events

    def _review(self, dispatcher: CollectingDispatcher, text: str) -> list[EventType]:
        choice, field = parse_review(text)
        if choice is None:
            dispatcher.utter_message(text=texts.REVIEW_NOT_UNDERSTOOD)
            return [SlotSet(REVIEW_SLOT, None)]
        if choice != CHANGE:
            return [SlotSet(REVIEW_SLOT, choice)]
        if field is None:
            dispatcher.utter_message(
                text=texts.WHICH_CHANGE,
                buttons=[{"title": q.title, "payload": f"{q.title} aanpassen"} for q in QUESTIONS],
            )
            return [SlotSet(REVIEW_SLOT, None)]
        dispatcher.utter_message(text=texts.CHANGE_THIS)
        return [SlotSet(field, None), SlotSet(REVIEW_SLOT, None)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Answers are checked during extraction; keep what belongs to this form."""
        return [
            SlotSet(slot, value)
            for slot, value in tracker.slots_to_validate().items()
            if slot in FORM_SLOTS or slot in {"barrier", DATE_SLOT, PARTY_SLOT}
        ]


class AskPrepareQuestion(Action):
    """Asks one preparation question (one subclass per slot), with a skip button."""

    slot: str = ""

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        header = _question_header(self.slot)
        question = question_for(self.slot)
        skip = [texts.SKIP_BUTTON]
        if self.slot == KIND_SLOT:
            buttons = [{"title": label, "payload": key} for key, label in KINDS.items()]
            dispatcher.utter_message(text=header + question.text, buttons=buttons + skip)
        elif self.slot == ASK_SLOT:
            buttons = [{"title": label, "payload": label} for label in ASKS.values()]
            text = question.text.replace(DEFAULT_PARTY, party_of(tracker))
            dispatcher.utter_message(text=header + text, buttons=buttons + skip)
        elif self.slot == STRENGTHS_SLOT and _scan_strengths(tracker):
            text = texts.STRENGTHS_FROM_SCAN.format(strengths=", ".join(_scan_strengths(tracker)))
            use = {"title": texts.USE_THIS, "payload": "ja"}
            dispatcher.utter_message(text=header + text, buttons=[use, *skip])
        elif self.slot == DEVELOP_SLOT and _scan_direction(tracker):
            text = texts.DEVELOP_FROM_SCAN.format(direction=_scan_direction(tracker))
            use = {"title": texts.USE_THIS, "payload": "ja"}
            dispatcher.utter_message(text=header + text, buttons=[use, *skip])
        else:
            dispatcher.utter_message(text=header + question.text, buttons=skip)
        return []


def _make_ask_actions() -> dict[str, type[AskPrepareQuestion]]:
    return {
        slot: type(
            f"ActionAsk{slot.title().replace('_', '')}", (AskPrepareQuestion,), {"slot": slot}
        )
        for slot in QUESTION_SLOTS
    }


ASK_ACTIONS = _make_ask_actions()


def summary_text(tracker: Tracker) -> str:
    lines = [texts.SUMMARY_HEAD]
    for question in QUESTIONS:
        value = tracker.get_slot(question.slot)
        if question.slot == KIND_SLOT and isinstance(value, str):
            value = KINDS.get(value, value)
        if value in (None, SKIPPED, [], ""):
            shown = texts.SUMMARY_SKIPPED
        elif isinstance(value, list):
            shown = ", ".join(str(item) for item in value)
        else:
            shown = str(value)
        lines.append(f"- {question.title}: {shown}")
    return "\n".join(lines)


class ActionAskPrepPrivate(Action):
    """Asks whether the private parts (worry, practice answers) go on the printed sheet."""

    def name(self) -> str:
        return f"action_ask_{PRIVATE_SLOT}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.PRIVATE_QUESTION, buttons=texts.PRIVATE_BUTTONS)
        return []


class ActionAskPrepReview(Action):
    """Shows the answers and asks: make the sheet, practise first, or change something."""

    def name(self) -> str:
        return "action_ask_prep_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        choice, field = parse_review(latest_text(tracker))
        if requested_slot(tracker) == REVIEW_SLOT and choice == CHANGE and not field:
            return []  # the "what do you want to change?" buttons were just sent
        dispatcher.utter_message(text=summary_text(tracker))
        dispatcher.utter_message(text=texts.REVIEW_QUESTION, buttons=texts.REVIEW_BUTTONS)
        return []


class ActionPrepareStart(Action):
    """Introduces the preparation, resumes a paused one, or starts a finished one over."""

    def name(self) -> str:
        return "action_prepare_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(REVIEW_SLOT):
            dispatcher.utter_message(text=texts.INTRO)
            cleared = (*FORM_SLOTS, *PRACTICE_SLOTS, DATE_SLOT, PARTY_SLOT)
            events: list[EventType] = [SlotSet(slot, None) for slot in cleared]
            return events + prefill_events(dispatcher, latest_text(tracker), {})
        answered = any(tracker.get_slot(slot) is not None for slot in QUESTION_SLOTS)
        dispatcher.utter_message(text=texts.RESUME if answered else texts.INTRO)
        return prefill_events(dispatcher, latest_text(tracker), tracker.slots)


def prefill_events(
    dispatcher: CollectingDispatcher,
    text: str,
    slots: dict[str, Any],
    today: date | None = None,
) -> list[EventType]:
    """Fills the kind, the date and the other party from the first message, and says so.

    "ik heb volgende week dinsdag mijn jaargesprek met mijn leidinggevende": the form then
    does not ask the kind or the date again (walkthrough 4). Given answers are kept.
    """
    found = prefill(text, today or date.today())
    events: list[EventType] = []
    facts: list[str] = []
    if found.kind and slots.get(KIND_SLOT) is None:
        events.append(SlotSet(KIND_SLOT, found.kind))
        facts.append(KINDS[found.kind].lower())
    if found.party and slots.get(PARTY_SLOT) is None:
        events.append(SlotSet(PARTY_SLOT, found.party))
        facts.append(f"met je {found.party}")
    if found.meeting.ok and found.meeting.day and slots.get(WHEN_SLOT) is None:
        day = format_day(found.meeting.day)
        events += [SlotSet(WHEN_SLOT, day), SlotSet(DATE_SLOT, found.meeting.day.isoformat())]
        facts.append(f"op {day}")
    if facts:
        dispatcher.utter_message(text=texts.PREFILLED.format(facts=", ".join(facts)))
    return events


class ActionPrepareGoBack(Action):
    """Clears the previous answer so the form asks that question again."""

    def name(self) -> str:
        return "action_prepare_go_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        previous = previous_slot(requested_slot(tracker))
        if previous is None:
            dispatcher.utter_message(text=texts.FIRST_QUESTION)
            return []
        dispatcher.utter_message(text=texts.GO_BACK)
        return [SlotSet(previous, None)]


class ActionPreparePause(Action):
    def name(self) -> str:
        return "action_prepare_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.PAUSED)
        return []


class ActionPrepareLater(Action):
    """A coach, voucher or scan request during the preparation: first finish this."""

    def name(self) -> str:
        return "action_prepare_later"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=texts.LATER)
        return []


def reactions_for(tracker: Tracker) -> tuple[Reaction, Reaction]:
    asks = tracker.get_slot(ASK_SLOT)
    worry = tracker.get_slot(WORRY_SLOT)
    return likely_reactions(
        barrier=tracker.get_slot("barrier"),
        kind=tracker.get_slot(KIND_SLOT),
        asks=asks if isinstance(asks, list) else [],
        worry=worry if isinstance(worry, str) and worry != SKIPPED else None,
        party=party_of(tracker),
    )


def _start_practice(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    dispatcher.utter_message(text=texts.PRACTICE_INTRO.format(party=party_of(tracker)))
    return [SlotSet(slot, None) for slot in PRACTICE_SLOTS]


class ActionPrepareFinish(Action):
    """After the check: practise first, or make the sheet right away."""

    def name(self) -> str:
        return "action_prepare_finish"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(REVIEW_SLOT) == PRACTICE:
            return [*_start_practice(dispatcher, tracker), FollowupAction("practice_form")]
        return await make_sheet(dispatcher, tracker)


class ActionPracticeStart(Action):
    def name(self) -> str:
        return "action_practice_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return _start_practice(dispatcher, tracker)


class AskPracticeAnswer(Action):
    """Koers plays the manager: one likely reaction per practice round."""

    index: int = 0

    def name(self) -> str:
        return f"action_ask_{PRACTICE_SLOTS[self.index]}"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        reaction = reactions_for(tracker)[self.index]
        dispatcher.utter_message(
            text=texts.PRACTICE_ROLE.format(party=party_of(tracker), line=reaction.manager_says),
            buttons=[texts.SKIP_BUTTON],
        )
        return []


class ActionAskPracticeAnswer1(AskPracticeAnswer):
    index = 0


class ActionAskPracticeAnswer2(AskPracticeAnswer):
    index = 1


class ValidatePracticeForm(TurnTakingFormValidation):
    """Takes the employee's answer to the manager's reaction and gives brief feedback."""

    def name(self) -> str:
        return "validate_practice_form"

    async def get_extraction_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        requested = requested_slot(tracker)
        if requested not in PRACTICE_SLOTS or active_form(tracker) != self.form_name():
            return []
        text = latest_text(tracker)
        if turn_in_form(tracker, self.form_name()).interrupts:
            return []  # a button or a short command ("stop"): a rule answers
        reaction = reactions_for(tracker)[PRACTICE_SLOTS.index(requested)]
        if is_skip(text):
            dispatcher.utter_message(
                text=texts.PRACTICE_FEEDBACK.format(
                    feedback=texts.SKIPPED, strong=reaction.strong_answer
                )
            )
            return [SlotSet(requested, SKIPPED)]
        if not text:
            dispatcher.utter_message(text=texts.PRACTICE_EMPTY)
            return [SlotSet(requested, None)]
        dispatcher.utter_message(
            text=texts.PRACTICE_FEEDBACK.format(
                feedback=answer_feedback(text, reaction), strong=reaction.strong_answer
            )
        )
        return [SlotSet(requested, text)]

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [
            SlotSet(slot, value)
            for slot, value in tracker.slots_to_validate().items()
            if slot in PRACTICE_SLOTS
        ]


class ActionMakeSheet(Action):
    """After practising: puts the practice on the sheet and hands out the link."""

    def name(self) -> str:
        return "action_make_sheet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        private = tracker.get_slot(PRIVATE_SLOT) is not True  # the employee's own choice
        dispatcher.utter_message(
            text=texts.PRACTICE_DONE_PRIVATE if private else texts.PRACTICE_DONE
        )
        return await make_sheet(dispatcher, tracker)


def _scrubbed(value: Any) -> tuple[Any, bool]:
    """``value`` with personal data replaced, and whether anything was replaced."""

    if isinstance(value, str) and value != SKIPPED:
        # Stored slots come back from the tracker store already scrubbed ("[NAAM]").
        result = scrub_text_safe(value)
        found = bool(result.findings) or result.failed or bool(PLACEHOLDER_RE.search(value))
        return result.text, found
    if isinstance(value, list):
        pairs = [_scrubbed(item) for item in value]
        return [item for item, _ in pairs], any(found for _, found in pairs)
    return value, False


def saved_opportunities(tracker: Tracker) -> list[str]:
    """Listings the employee put on the sheet in the chat (titles of listings, no personal data)."""
    saved = tracker.get_slot("opportunity_saved")
    return [str(item) for item in saved if isinstance(item, str)] if isinstance(saved, list) else []


async def make_sheet(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Builds the sheet from scrubbed answers, stores it behind a new link, sends the link."""

    settings = load_settings()
    answers: dict[str, Any] = {}
    names_removed = False
    for slot in QUESTION_SLOTS:
        answers[slot], found = _scrubbed(tracker.get_slot(slot))
        names_removed = names_removed or found
    practice = []
    for slot in PRACTICE_SLOTS:
        value, found = _scrubbed(tracker.get_slot(slot))
        practice.append(value)
        names_removed = names_removed or found
    sheet = build_sheet(
        answers,
        reactions_for(tracker),
        practice,
        include_private=tracker.get_slot(PRIVATE_SLOT) is True,
        party=party_of(tracker),
        tries=saved_opportunities(tracker),
    )
    meeting = tracker.get_slot(DATE_SLOT)
    days = sheet_days(
        date.fromisoformat(meeting) if isinstance(meeting, str) and meeting else None,
        date.today(),
        settings.sheet_link_days,
        settings.sheet_link_max_days,
    )
    conversation_id = get_pseudonymizer().conversation_id(tracker.sender_id)
    try:
        async with RunSession(settings.database_url) as run:
            stored = await run.call(
                save_sheet,
                conversation_id=conversation_id,
                sheet=sheet,
                days=days,
            )
    except Exception as exc:  # the employee's answers stay; they can try again
        logger.error("preparation sheet not stored: %s", type(exc).__name__)
        dispatcher.utter_message(text=texts.SHEET_FAILED)
        return [SlotSet(REVIEW_SLOT, None)]  # "gesprek voorbereiden" brings back the check
    base = f"{settings.public_base_url}/voorbereiding/{stored.token}"
    expires_on = (stored.expires_at - timedelta(seconds=1)).date()
    html_url, pdf_url = base, f"{base}.pdf"
    if names_removed:
        dispatcher.utter_message(text=texts.NAMES_LEFT_OUT)
    dispatcher.utter_message(
        text=texts.SHEET_READY.format(
            html_url=html_url, pdf_url=pdf_url, expires_on=format_day(expires_on)
        ),
        json_message={
            "koers_download": {
                "html_url": html_url,
                "pdf_url": pdf_url,
                "expires_on": expires_on.isoformat(),
            }
        },
    )
    dispatcher.utter_message(text=texts.SHEET_TIPS, buttons=texts.AFTER_SHEET_BUTTONS)
    await record_trend(tracker, PREPARATION_SHEET_MADE)
    return []
