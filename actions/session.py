"""The start of every conversation session: Rasa's default behaviour plus one trend count.

Like Rasa's built-in ``action_session_start``: a ``SessionStarted`` event, the slots of the
previous session carried over when the domain says so (``session_config``), and
``action_listen`` at the end. It also counts "conversation started" for the dashboard
(municipality from the session's metadata; nothing if the employee opted out).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.trends import events as trend
from bot.trends.recorder import record_trend


def carry_over_slots(tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """SlotSet events of the earlier session, as Rasa does (only if the domain asks for it)."""
    config: Any = domain.get("session_config") or {}
    if not config.get("carry_over_slots_to_new_session", True):
        return []
    return [
        SlotSet(key=event["name"], value=event.get("value"))
        for event in tracker.applied_events()
        if event.get("event") == "slot"
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted(), *carry_over_slots(tracker, domain)]
        await record_trend(tracker, trend.CONVERSATION_STARTED)
        events.append(ActionExecuted("action_listen"))
        return events
