"""Privacy choices the employee makes in the chat, and what Koers holds about them."""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.identity import verified_identity
from bot.clock import utcnow
from bot.config import load_settings
from bot.conversation.guards import asks_about_counts
from bot.db.session import RunSession
from bot.ledger.vouchers import employee_voucher
from bot.privacy.constants import ERASE_ACTION
from bot.privacy.follow_up import (
    FOLLOW_UP_BUTTONS,
    follow_up_answer,
    specific_answer,
    told_before,
)
from bot.privacy.my_data import (
    ALREADY_COUNTING,
    OPT_IN_DONE,
    ConversationData,
    my_data_text,
    remember_text,
)
from bot.trends.recorder import OPT_OUT_SLOT, opted_out

logger = logging.getLogger(__name__)

PREPARATION_SLOTS = (
    "prep_kind",
    "prep_goal",
    "prep_strengths",
    "prep_develop",
    "prep_ask",
    "prep_worry",
    "prep_when",
    "prep_review",
    "practice_answer_1",
    "practice_answer_2",
)


#: The erase confirmation (bot.conversation.turns.ERASURE_CONFIRMATION, not imported here).
CONFIRM_ERASURE = "utter_confirm_erasure"
_NOT_A_REPLY = frozenset({"action_listen", "action_extract_slots", "action_session_start"})


def last_bot_action(tracker: Tracker) -> str | None:
    """The bot's last action before the latest message (None when there is none)."""
    seen_message = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_message:
                return None
            seen_message = True
        elif seen_message and kind == "action" and event.get("name") not in _NOT_A_REPLY:
            return str(event.get("name"))
    return None


class ActionAnswerPrivacy(Action):
    """The privacy answer: the whole of it once, then short answers to what is asked.

    A follow-up ("kunnen mijn collega's van P&O lezen wat ik typ?") got the same block word
    for word (walkthrough of 2026-12-02); now it gets the part it asks about. A question about
    the counts or the coordinators gets its own answer at once (walkthrough of 2026-12-03).
    Asked at the erase confirmation ("Nee, ik wil niks wissen. Ik vroeg wat je opslaat"), it
    first says that nothing is erased: the question replaces the confirmation.
    """

    def name(self) -> str:
        return "action_answer_privacy"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if last_bot_action(tracker) == CONFIRM_ERASURE:
            dispatcher.utter_message(response="utter_erasure_cancelled")
        text = str(tracker.latest_message.get("text") or "")
        counting = not opted_out(tracker)
        buttons = [dict(button) for button in FOLLOW_UP_BUTTONS]
        specific = specific_answer(text, counting) if asks_about_counts(text) else None
        if specific is not None:
            dispatcher.utter_message(text=specific, buttons=buttons)
            return []
        said = [str(e.get("text") or "") for e in tracker.events if e.get("event") == "bot"]
        if not told_before(said):
            dispatcher.utter_message(response="utter_privacy")
            return []
        dispatcher.utter_message(text=follow_up_answer(text, counting), buttons=buttons)
        return []


class ActionOptOutTrends(Action):
    """Records that this conversation must not count in the anonymous trend figures."""

    def name(self) -> str:
        return "action_opt_out_trends"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet(OPT_OUT_SLOT, True)]


class ActionOptInTrends(Action):
    """Undoes the opt-out: the employee changed their mind and wants to count again."""

    def name(self) -> str:
        return "action_opt_in_trends"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # "Ik vroeg of coördinatoren kunnen zien dat ik het ben. Zet het meetellen maar weer
        # aan": the question gets its answer too (walkthrough of 2026-12-03)
        text = str(tracker.latest_message.get("text") or "")
        question = specific_answer(text) if asks_about_counts(text) else None
        if not opted_out(tracker):
            dispatcher.utter_message(text=ALREADY_COUNTING)
            if question is not None:
                dispatcher.utter_message(text=question)
            return []
        dispatcher.utter_message(text=OPT_IN_DONE)
        if question is not None:
            dispatcher.utter_message(text=question)
        return [SlotSet(OPT_OUT_SLOT, False)]


def conversation_data(tracker: Tracker, voucher_status: str | None = None) -> ConversationData:
    """The kinds of data this conversation holds, read from its slots and events."""
    scan_slots = [slot for slot in tracker.slots if slot.startswith("scan_q")]
    return ConversationData(
        messages=sum(1 for event in tracker.events if event.get("event") == "user"),
        scan_answers=sum(1 for slot in scan_slots if tracker.get_slot(slot) is not None),
        scan_completed=tracker.get_slot("scan_status") == "completed"
        or bool(tracker.get_slot("scan_direction")),
        preparation_answers=sum(
            1 for slot in PREPARATION_SLOTS if tracker.get_slot(slot) not in (None, "", [])
        ),
        has_booking=bool(tracker.get_slot("coach_booking_code")),
        voucher_status=voucher_status,
        counts_in_trends=not opted_out(tracker),
    )


async def own_voucher_status(tracker: Tracker) -> str | None:
    """This year's voucher status of a verified employee; None when anonymous or unreachable.

    The overview must still answer when the ledger is down: it then leaves the voucher out.
    """
    who = verified_identity(tracker)
    if who is None:
        return None
    settings = load_settings()
    try:
        async with RunSession(settings.database_url) as run:
            view = await run.call(
                employee_voucher,
                municipality_code=who.municipality,
                employee_key=who.employee_keys.current,
                previous_keys=who.employee_keys.all()[1:],
                now=utcnow(),
            )
    except (SQLAlchemyError, OSError):
        logger.warning("voucher status unavailable for the data overview")
        return None
    return view.status if view is not None else None


class ActionShowMyData(Action):
    """Shows what this conversation holds and how to erase it ("wat bewaar je van mij?")."""

    def name(self) -> str:
        return "action_show_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if last_bot_action(tracker) == CONFIRM_ERASURE:  # the question replaces the confirmation
            dispatcher.utter_message(response="utter_erasure_cancelled")
        data = conversation_data(tracker, await own_voucher_status(tracker))
        dispatcher.utter_message(text=my_data_text(data))
        return []


class ActionWhatIRemember(Action):
    """Answers "weet je nog hoe ik heet?": honestly, from what the conversation holds."""

    def name(self) -> str:
        return "action_what_i_remember"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=remember_text(conversation_data(tracker)))
        return []


def erasure_summary(tracker: Tracker) -> str:
    """Exactly what is erased, in plain Dutch (the store deletes it when this turn is saved)."""
    messages = sum(1 for event in tracker.events if event.get("event") == "user")
    parts = [f"het hele gesprek ({messages} berichten van jou en alle antwoorden van mij)"]
    scan_slots = [slot for slot in tracker.slots if slot.startswith("scan_q")]
    if any(tracker.get_slot(slot) is not None for slot in scan_slots):
        parts.append("je antwoorden uit de talentscan")
    if tracker.get_slot("scan_direction"):
        parts.append("je scanuitslag")
    if tracker.get_slot("coach_booking_code"):
        parts.append("de koppeling tussen dit gesprek en je afspraak met de coach")
    listed = "\n".join(f"- {part}" for part in parts)
    return (
        f"Klaar. Ik heb dit gewist:\n{listed}\n"
        "Een voucher of een afspraak met een coach blijft wel bestaan. "
        "Wil je een afspraak afzeggen? Typ dan: afspraak afzeggen."
    )


class ActionEraseConversation(Action):
    """Confirms the erasure; :class:`ScrubbingSQLTrackerStore` deletes the conversation."""

    def name(self) -> str:
        return ERASE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=erasure_summary(tracker))
        return []
