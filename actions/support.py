"""Answers when an employee mentions what holds them back or what worries them."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.privacy import own_voucher_status
from actions.tracker import active_form, latest_intent, latest_text
from bot.conversation.barriers import BARRIERS, AnswerContext, support_answer
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
        context = await answer_context(tracker, barrier)
        dispatcher.utter_message(
            text=support_answer(intent, barrier, context, latest_text(tracker)),
            buttons=SUPPORT_BUTTONS,
        )
        await record_barrier_trend(tracker, intent, barrier)
        return [SlotSet("barrier", barrier)] if barrier else []


async def answer_context(tracker: Tracker, barrier: str | None) -> AnswerContext:
    """What this conversation already did, so the tips do not suggest it again.

    The ledger is asked about the voucher only when the answer would mention it (money).
    """
    voucher = await own_voucher_status(tracker) if barrier == "geld" else None
    return AnswerContext(
        scan_done=tracker.get_slot("scan_status") == "completed",
        in_scan=active_form(tracker) == "scan_form",
        has_voucher=voucher is not None,
    )


async def record_barrier_trend(tracker: Tracker, intent: str | None, barrier: str | None) -> None:
    """Counts the barrier or worry by its category only (never the text)."""
    if intent == "express_worry":
        await record_trend(tracker, trend.WORRY_RAISED, barrier or WORRY_ABOUT_WORK)
    else:
        await record_trend(tracker, trend.BARRIER_RAISED, barrier or UNNAMED_BARRIER)
