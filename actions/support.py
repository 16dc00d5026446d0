"""Answers when an employee mentions what holds them back or what worries them."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker import latest_intent
from bot.conversation.barriers import BARRIERS, support_answer
from bot.trends import events as trend
from bot.trends.recorder import record_trend

#: Trend categories when no barrier type was recognised.
WORRY_ABOUT_WORK = "werk_verandert"
UNNAMED_BARRIER = "overig"

SUPPORT_BUTTONS = [
    {"title": "Bereid het gesprek voor", "payload": "/prepare_conversation"},
    {"title": "Praat met een loopbaancoach", "payload": "/request_coach"},
]


class ActionSupportBarrier(Action):
    def name(self) -> str:
        return "action_support_barrier"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent, _confidence = latest_intent(tracker)
        # The first recognised value that is one of the seven barrier types.
        barrier = next(
            (v for v in tracker.get_latest_entity_values("barrier") if v in BARRIERS), None
        )
        dispatcher.utter_message(text=support_answer(intent, barrier), buttons=SUPPORT_BUTTONS)
        await record_barrier_trend(tracker, intent, barrier)
        return [SlotSet("barrier", barrier)] if barrier else []


async def record_barrier_trend(tracker: Tracker, intent: str | None, barrier: str | None) -> None:
    """Counts the barrier or worry by its category only (never the text)."""
    if intent == "express_worry":
        await record_trend(tracker, trend.WORRY_RAISED, barrier or WORRY_ABOUT_WORK)
    else:
        await record_trend(tracker, trend.BARRIER_RAISED, barrier or UNNAMED_BARRIER)
