"""Custom actions for preparing "het goede gesprek" (forms ``prepare_form``, ``practice_form``).

The logic lives in ``bot.preparation`` (questions, answer parsing, practice, sheet, store);
these classes read the tracker, send messages and store the sheet.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from babel.dates import format_date
from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import TurnTakingFormValidation
from actions.support import record_barrier_trend
from actions.tracker import (
    REQUESTED_SLOT,
    active_form,
    latest_intent,
    latest_text,
    requested_slot,
    turn_in_form,
)
from bot.config import load_settings
from bot.conversation.barriers import BARRIERS, fears_for_livelihood, support_answer
from bot.conversation.turns import GoBack, parse_go_back
from bot.db.session import RunSession
from bot.preparation import texts
from bot.preparation.answers import (
    ASK_WORDS,
    CHANGE,
    PRACTICE,
    added_to_answer,
    addition_text,
    confirmed_with_more,
    declines_addition,
    is_confirmation,
    is_skip,
    parse_asks,
    parse_kind,
    parse_review,
    without_filler,
    without_tag_question,
)
from bot.preparation.checks import (
    IN_THE_PAST,
    NO_SUCH_DATE,
    TOO_FAR,
    WRONG_WEEKDAY,
    DateCheck,
    check_meeting_date,
    fears_for_job,
    format_day,
    is_noise,
    looks_like_request,
    parse_party,
    parse_private,
    prefill,
    sheet_days,
    wants_off_sheet,
)
from bot.preparation.practice import (
    REACTIONS,
    Reaction,
    answer_feedback,
    asks_for_line,
    likely_reactions,
    skips_practice,
    wished_reaction,
    worry_tip,
)
from bot.preparation.questions import (
    ANSWER_NAMES,
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
    question_named,
    slot_of_question,
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
    text = latest_text(tracker)
    # "express_worry" alone is no reason to drop an answer: "collega's komen bij mij als ze
    # iets niet snappen" got the job-loss text and was thrown away (walkthrough 2026-12-04c)
    worried = intent != "express_worry" or fears_for_job(text) or fears_for_livelihood(text)
    if intent in SUPPORT_INTENTS and confidence >= SUPPORT_CONFIDENCE and worried:
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


def names_asks(text: str) -> bool:
    """True when ``text`` names one of the requests on the buttons ("andere taken, budget")."""
    lowered = f" {text.lower()} "
    return any(word in lowered for words in ASK_WORDS.values() for word in words)


def _has_answer(value: Any) -> bool:
    return value not in (None, SKIPPED, "", [])


def adding_to(tracker: Tracker, slot: str | None) -> bool:
    """True when ``slot`` is asked while it holds an answer: the employee is adding to it.

    A form only asks empty slots; a go-back to add ("bij vraag 3 wil ik nog iets toevoegen")
    asks the answered one again on purpose (see :func:`go_back_events`).
    """
    return slot in ANSWER_NAMES and _has_answer(tracker.get_slot(slot))


def shown_answer(value: Any) -> str:
    """An answer as the summary shows it: a list joined by commas."""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)


def add_events(dispatcher: CollectingDispatcher, slot: str, old: Any, text: str) -> list[EventType]:
    """Adds ``text`` to the answer of ``slot`` and says what it is now; then on where we were."""
    if declines_addition(text) or not text or text.startswith("/"):
        dispatcher.utter_message(text=texts.ADD_NOTHING)
        return [SlotSet(slot, old)]
    if is_noise(text):
        dispatcher.utter_message(text=texts.NOISE)
        return [SlotSet(REQUESTED_SLOT, slot)]  # ask what to add once more
    value = added_to_answer(slot, old, without_filler(addition_text(text)))
    dispatcher.utter_message(text=texts.ADDED_NOW.format(current=shown_answer(value)))
    return [SlotSet(slot, value)]


_RESTART_RE = re.compile(
    r"^\W*(?:ja\W+)?(?:(?:helemaal\s+)?opnieuw(?:\s+beginnen)?|begin\s+(?:maar\s+)?opnieuw|"
    r"nieuwe\s+voorbereiding|een\s+ander\s+gesprek(?:\s+voorbereiden)?)\W*$",
    re.IGNORECASE,
)


def wants_restart(text: str) -> bool:
    """ "opnieuw beginnen" at the check: a new preparation. "niet opnieuw" never matches."""
    return bool(_RESTART_RE.match(text or ""))


_INLINE_RE = re.compile(
    r"\b(?:moet\s+(?:het\s+)?zijn|wordt|maak\s+(?:er|daar)\s+van|maak\s+ervan|"
    r"verander\s+(?:het\s+)?in|bedoel(?:de)?\s+ik|liever)\s*:\s*(?P<new>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def inline_replacement(text: str) -> str | None:
    """The new text in "Bij mijn sterke punten ... Het moet zijn: goed met mensen, ...", or None."""
    match = _INLINE_RE.search(text or "")
    if not match:
        return None
    new = without_filler(match.group("new").strip())
    return new if len(new.split()) >= 2 and not is_noise(new) else None


_SHEET_LINK_RE = re.compile(r"\((https?://[^)\s]+/voorbereiding/[^)\s.]+)\)")


#: The first line of :data:`texts.SHEET_READY`: a sheet was made in this conversation.
_SHEET_MADE = texts.SHEET_READY.split("\n", 1)[0]


def last_sheet_link(tracker: Tracker) -> str | None:
    """Where the sheet made in this conversation is, as a sentence; None without a sheet.

    The link itself only while Koers's own message still holds it (this run's events); the
    stored conversation has it scrubbed, so then the sentence points up the chat and to a new
    link (:data:`texts.SHEET_LINK_ABOVE`).
    """
    for event in reversed(list(tracker.events)):
        if event.get("event") != "bot":
            continue
        said = str(event.get("text") or "")
        found = _SHEET_LINK_RE.search(said)
        if found:
            return texts.SHEET_LINK.format(html_url=found.group(1))
        if said.startswith(_SHEET_MADE):
            return texts.SHEET_LINK_ABOVE
    return None


def when_events(dispatcher: CollectingDispatcher, text: str, today: date) -> list[EventType]:
    """The meeting date must exist and lie ahead; stored in Dutch and as ISO date."""
    checked = check_meeting_date(text, today)
    if checked.ok and checked.day:
        return [
            SlotSet(WHEN_SLOT, format_day(checked.day)),
            SlotSet(DATE_SLOT, checked.day.isoformat()),
        ]
    if checked.status == WRONG_WEEKDAY:
        dispatcher.utter_message(**wrong_weekday_message(checked))
        return [SlotSet(WHEN_SLOT, None)]
    dispatcher.utter_message(text=_WHEN_PROBLEMS.get(checked.status, texts.WHEN_NOT_A_DATE))
    return [SlotSet(WHEN_SLOT, None)]


def wrong_weekday_message(checked: DateCheck) -> dict[str, Any]:
    """ "12 december is een zaterdag, geen donderdag": the nearby days named as buttons."""
    assert checked.day is not None and checked.weekday is not None
    named = format_date(date(2024, 1, 1 + checked.weekday), "EEEE", locale="nl")
    text = texts.WHEN_WRONG_WEEKDAY.format(
        day=format_date(checked.day, "d MMMM", locale="nl"),
        weekday=format_date(checked.day, "EEEE", locale="nl"),
        named=named,
    )
    buttons = [
        {
            "title": format_date(day, "EEEE d MMMM", locale="nl"),
            "payload": format_date(day, "d MMMM y", locale="nl"),
        }
        for day in checked.nearby
    ]
    return {"text": f"{text}\n{texts.WHEN_WRONG_WEEKDAY_OTHER}", "buttons": buttons}


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
        requested, text = requested_slot(tracker), latest_text(tracker)
        if requested == REVIEW_SLOT and (parse_review(text)[0] or wants_restart(text)):
            return True
        if adding_to(tracker, requested) and declines_addition(text):
            return True  # "laat maar, toch niet": nothing to add, not a way out of the form
        if requested in _FREE_TEXT_SLOTS | {ASK_SLOT} and without_tag_question(text):
            return True  # "..., kan dat allebei?" after an answer (walkthrough 2026-12-03b)
        if requested == ASK_SLOT and names_asks(text) and "?" not in text:
            return True  # "andere taken en budget voor die cursus": the buttons' choices
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
        understood = self.answer_understood(tracker)
        if turn_in_form(tracker, self.form_name(), answer_understood=understood).interrupts:
            return []  # the form rejects; a rule answers, then the form asks again
        if adding_to(tracker, requested):
            return add_events(dispatcher, requested, tracker.get_slot(requested), text)
        text = without_tag_question(text) or text
        held_back = holding_back(tracker, requested)
        if held_back:
            intent, barrier = held_back
            dispatcher.utter_message(text=support_answer(intent, barrier, text=text))
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
            party = parse_party(text)
            if kind is None and party:  # "niet met mijn leidinggevende, met P&O": heard
                dispatcher.utter_message(text=texts.party_heard(party))
            elif kind is None:
                dispatcher.utter_message(text=texts.KIND_NOT_UNDERSTOOD)
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
        return [SlotSet(requested, without_filler(text))]

    async def _worry(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, text: str
    ) -> list[EventType]:
        """A worry is the answer here; a recognised barrier also gets its tips."""
        if is_skip(text):
            dispatcher.utter_message(text=texts.SKIPPED)
            return [SlotSet(WORRY_SLOT, SKIPPED)]
        events: list[EventType] = [SlotSet(WORRY_SLOT, text)]
        off_sheet = wants_off_sheet(text)
        if off_sheet:  # "dat wil ik niet op het blad hebben hoor": heard, not asked again
            events.append(SlotSet(PRIVATE_SLOT, False))
        intent, confidence = latest_intent(tracker)
        barrier = _barrier_in(tracker)
        supported = intent in SUPPORT_INTENTS and confidence >= SUPPORT_CONFIDENCE
        # The job-loss answer only for a fear of losing the job: "bang dat mijn teamleider
        # denkt dat ik weg wil" is a worry about the talk (walkthrough of 2026-12-04).
        tip = None if fears_for_livelihood(text) else worry_tip(text)
        answer = tip or (
            support_answer(intent, barrier, text=text)
            if barrier or (supported and (fears_for_job(text) or fears_for_livelihood(text)))
            else texts.WORRY_HEARD
        )
        dispatcher.utter_message(text="\n".join([answer, *([texts.WORRY_OFF_SHEET] * off_sheet)]))
        if answer != texts.WORRY_HEARD:
            worry_intent = intent if intent in SUPPORT_INTENTS else "express_worry"
            await record_barrier_trend(tracker, worry_intent, barrier)
        return events + ([SlotSet("barrier", barrier)] if barrier else [])

    def _review(self, dispatcher: CollectingDispatcher, text: str) -> list[EventType]:
        if wants_restart(text):
            dispatcher.utter_message(text=texts.RESTARTED)
            cleared = (*FORM_SLOTS, *PRACTICE_SLOTS, DATE_SLOT, PARTY_SLOT)
            return [SlotSet(slot, None) for slot in cleared]
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
        new = inline_replacement(text)
        if new and field in ANSWER_NAMES and field != ASK_SLOT:
            # "Het moet zijn: ..." gave the new text already (walkthrough 2026-12-03b, turn 12)
            dispatcher.utter_message(
                text=texts.REPLACED.format(deel=ANSWER_NAMES[field], replacement=new)
            )
            return [SlotSet(field, new), SlotSet(REVIEW_SLOT, None)]
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
        if adding_to(tracker, self.slot):
            number = QUESTION_SLOTS.index(self.slot) + 1
            current = shown_answer(tracker.get_slot(self.slot))
            buttons = (
                [{"title": label, "payload": label} for label in ASKS.values()]
                if self.slot == ASK_SLOT
                else []
            )
            dispatcher.utter_message(
                text=texts.ADD_WHAT.format(number=number, current=current), buttons=buttons
            )
            return []
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
        buttons = list(texts.REVIEW_BUTTONS)
        if last_sheet_link(tracker):
            buttons.append(texts.RESTART_BUTTON)
        dispatcher.utter_message(text=texts.REVIEW_QUESTION, buttons=buttons)
        return []


class ActionPrepareStart(Action):
    """Introduces the preparation, resumes a paused one, or starts a finished one over."""

    def name(self) -> str:
        return "action_prepare_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if active_form(tracker) is None and wished_reaction(text):
            # "wat kan ik zeggen als hij zegt dat we er later op terugkomen?": practise that
            return [*_start_practice(dispatcher, tracker), FollowupAction("practice_form")]
        if tracker.get_slot(REVIEW_SLOT):
            # A finished preparation is not wiped: the check comes back, with the sheet's link
            # and a button to start over (walkthrough 2026-12-03b, turns 23-24).
            link = last_sheet_link(tracker)
            if link:
                dispatcher.utter_message(text=texts.SHEET_ALREADY.format(where=link))
            return [SlotSet(REVIEW_SLOT, None)]
        answered = any(tracker.get_slot(slot) is not None for slot in QUESTION_SLOTS)
        # "met P&O, niet met mijn leidinggevende": the intro names who it is with (2026-12-04c)
        party = parse_party(text) or tracker.get_slot(PARTY_SLOT) or DEFAULT_PARTY
        dispatcher.utter_message(text=texts.RESUME if answered else texts.intro(party))
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
    """ "terug", "vorige vraag", "bij vraag 5 ook ...": back to that question, or add to it.

    Without words to add, the answer is cleared so the form asks that question again and then
    goes on with the first open one: where the employee was. With words to add ("terug, ik wil
    bij vraag 5 ook budget voor opleiding noemen") they are added to that answer, Koers says
    so, and the form asks the open question again (walkthrough of 2026-12-03).
    """

    def name(self) -> str:
        return "action_prepare_go_back"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return go_back_events(dispatcher, tracker, parse_go_back(latest_text(tracker)))


def go_back_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, wish: GoBack | None
) -> list[EventType]:
    """What a go-back does in the preparation (see :class:`ActionPrepareGoBack`)."""
    requested = requested_slot(tracker)
    wish = wish or GoBack()
    if wish.question is None:
        # "terug, ik wil bij waar ik goed in ben iets toevoegen": the question by its words
        # (walkthrough 2026-12-04b went to the previous question instead)
        named_slot = question_named(latest_text(tracker))
        if named_slot is not None and named_slot in QUESTION_SLOTS:
            wish = replace(wish, question=QUESTION_SLOTS.index(named_slot) + 1)
    if wish.question is None:
        target = previous_slot(requested)
        if target is None:
            dispatcher.utter_message(text=texts.FIRST_QUESTION)
            return []
    else:
        named = slot_of_question(wish.question)
        if named is None:
            dispatcher.utter_message(text=texts.NO_SUCH_QUESTION.format(count=len(QUESTION_SLOTS)))
            return []
        if requested in FORM_SLOTS and FORM_SLOTS.index(named) >= FORM_SLOTS.index(requested):
            dispatcher.utter_message(text=texts.NOT_YET.format(number=wish.question))
            return []
        target = named
    old = tracker.get_slot(target)
    what = ANSWER_NAMES.get(target)
    if what and wish.add_wished and _has_answer(old):
        # Ask what to add, showing the answer; it stays until the words come (2026-12-03b).
        return [SlotSet(REQUESTED_SLOT, target)]
    if what and wish.addition and not is_noise(wish.addition):
        value = added_to_answer(target, old, wish.addition)
        dispatcher.utter_message(text=texts.ADDED.format(deel=what, addition=wish.addition))
        return [SlotSet(target, value)]
    if what and target != ASK_SLOT and wish.replacement and not is_noise(wish.replacement):
        replacement = without_filler(wish.replacement)
        dispatcher.utter_message(text=texts.REPLACED.format(deel=what, replacement=replacement))
        events: list[EventType] = [SlotSet(target, replacement)]
        moved = slot_of_question(wish.moved_to) if wish.moved_to else None
        movable = moved in ANSWER_NAMES and moved != target and _has_answer(old)
        if movable and (moved == requested or not _has_answer(tracker.get_slot(moved))):
            # "dat was mijn antwoord op vraag 3": the old answer goes where it belongs
            dispatcher.utter_message(text=texts.MOVED.format(number=wish.moved_to))
            events.append(SlotSet(moved, old))
        return events
    if wish.question is None:
        dispatcher.utter_message(text=texts.GO_BACK)
    else:
        dispatcher.utter_message(text=texts.GO_BACK_TO.format(number=wish.question))
    return [SlotSet(target, None)]


class ActionPreparePause(Action):
    """ "stop", "laat maar": pause; once the sheet is made, nothing is paused or started again."""

    def name(self) -> str:
        return "action_prepare_pause"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        link = last_sheet_link(tracker)
        if link and all(tracker.get_slot(slot) is not None for slot in QUESTION_SLOTS):
            dispatcher.utter_message(text=texts.KEEP_SHEET.format(where=link))
            return []
        dispatcher.utter_message(text=texts.PAUSED)
        return []


class ActionPrepareKeepSheet(Action):
    """ "nee, laat maar" right after the sheet: nothing starts again, the link is repeated."""

    def name(self) -> str:
        return "action_prepare_keep_sheet"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        link = last_sheet_link(tracker)
        if link:
            dispatcher.utter_message(text=texts.KEEP_SHEET.format(where=link))
        else:
            dispatcher.utter_message(response="utter_what_next")
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
    """This round's two reactions: new ones on "nog een keer", a wished line where asked."""
    asks = tracker.get_slot(ASK_SLOT)
    worry = tracker.get_slot(WORRY_SLOT)
    history = practice_history(tracker)
    pair = likely_reactions(
        barrier=tracker.get_slot("barrier"),
        kind=tracker.get_slot(KIND_SLOT),
        asks=asks if isinstance(asks, list) else [],
        worry=worry if isinstance(worry, str) and worry != SKIPPED else None,
        party=party_of(tracker),
        done=history.done,
    )
    if history.wished is None:
        return pair
    index, wished = history.wished_at, REACTIONS[history.wished]
    other = pair[1 - index]
    if other.key == wished.key:  # the wish was the other round's reaction: swap them
        other = pair[index]
    return (wished, other) if index == 0 else (other, wished)


@dataclass(frozen=True)
class PracticeHistory:
    """What the events say about practising: reactions practised before, a line asked for."""

    done: frozenset[str] = frozenset()
    wished: str | None = None
    #: The round (0 or 1) that was open when the employee asked for the line.
    wished_at: int = 0


def practice_history(tracker: Tracker) -> PracticeHistory:
    """Read from the events, so no new slot is needed: the intro starts a practice session."""
    events = list(tracker.events)
    intro = texts.PRACTICE_INTRO.split(".")[0]
    starts = [
        i
        for i, e in enumerate(events)
        if e.get("event") == "bot" and str(e.get("text") or "").startswith(intro)
    ]
    last = starts[-1] if starts else len(events)
    done = frozenset(
        key
        for e in events[:last]
        if e.get("event") == "bot"
        for key, reaction in REACTIONS.items()
        if f"'{reaction.manager_says}'" in str(e.get("text") or "")
    )
    # The message that started this session may itself ask for a line; so may any after it.
    users_before = [i for i, e in enumerate(events[:last]) if e.get("event") == "user"]
    first = users_before[-1] if users_before and starts else last
    wished: str | None = None
    wished_at, requested = 0, None
    for event in events[first:]:
        if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
            requested = event.get("value")
        elif event.get("event") == "user":
            key = wished_reaction(str(event.get("text") or ""))
            if key:
                wished = key
                wished_at = PRACTICE_SLOTS.index(requested) if requested in PRACTICE_SLOTS else 0
    if not events or events[-1].get("event") != "user":
        key = wished_reaction(latest_text(tracker))
        if key and requested_slot(tracker) in PRACTICE_SLOTS:
            wished, wished_at = key, PRACTICE_SLOTS.index(requested_slot(tracker) or "")
    return PracticeHistory(done, wished, wished_at)


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
        if asks_for_line(text):  # "kun je niet zeggen: '...'?" is no practice answer
            key = wished_reaction(text)
            said = texts.PRACTICE_THIS_ONE if key else texts.PRACTICE_UNKNOWN_LINE
            dispatcher.utter_message(text=said)
            return [SlotSet(requested, None)]
        reaction = reactions_for(tracker)[PRACTICE_SLOTS.index(requested)]
        if is_skip(text) or skips_practice(text):
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
