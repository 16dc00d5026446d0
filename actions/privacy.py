"""Privacy choices the employee makes in the chat."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.privacy.constants import ERASE_ACTION


class ActionOptOutTrends(Action):
    """Records that this conversation must not count in the anonymous trend figures."""

    def name(self) -> str:
        return "action_opt_out_trends"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("trends_opt_out", True)]


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
