"""The fallback: a kind Dutch answer for messages Koers did not understand."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.fallback import fallback_answer
from bot.conversation.odd_input import OddInput, classify_odd_input

FALLBACK_ACTION = "action_koers_fallback"


def fallbacks_in_a_row(tracker: Tracker) -> int:
    """How many user messages in a row ended in the fallback, this one included."""
    count = 1
    for event in reversed(tracker.events):
        if event.get("event") != "action":
            continue
        name = event.get("name")
        if name == FALLBACK_ACTION:
            count += 1
        elif name != "action_listen":
            break
    return count


class ActionKoersFallback(Action):
    def name(self) -> str:
        return FALLBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        message = tracker.latest_message
        odd_value = message.get("odd_input")
        odd = OddInput(odd_value) if odd_value else classify_odd_input(message.get("text"))
        text, buttons = fallback_answer(odd, fallbacks_in_a_row(tracker))
        dispatcher.utter_message(text=text, buttons=buttons)
        return [UserUtteranceReverted()]
