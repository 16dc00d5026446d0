"""Privacy choices the employee makes in the chat."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict


class ActionOptOutTrends(Action):
    """Records that this conversation must not count in the anonymous trend figures."""

    def name(self) -> str:
        return "action_opt_out_trends"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [SlotSet("trends_opt_out", True)]
