"""The fallback: a kind Dutch answer for messages Koers did not understand."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.conversation.fallback import OUT_OF_SCOPE, OUT_OF_SCOPE_BUTTONS, fallback_answer
from bot.conversation.odd_input import OddInput, classify_odd_input
from bot.trends import events as trend
from bot.trends.recorder import record_trend

FALLBACK_ACTION = "action_koers_fallback"
OUT_OF_SCOPE_ACTION = "action_out_of_scope"
NLU_FALLBACK = "nlu_fallback"


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


def guessed_intent(message: dict) -> str | None:
    """The intent NLU ranked highest below the threshold: a name from the domain, never text."""
    for ranked in message.get("intent_ranking") or []:
        name = ranked.get("name") if isinstance(ranked, dict) else None
        if isinstance(name, str) and name != NLU_FALLBACK:
            return name
    return None


class ActionKoersFallback(Action):
    def name(self) -> str:
        return FALLBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        message = tracker.latest_message
        odd_value = message.get("odd_input")
        odd = OddInput(odd_value) if odd_value else classify_odd_input(message.get("text"))
        text, buttons = fallback_answer(
            odd,
            fallbacks_in_a_row(tracker),
            message.get("intent_ranking"),
            str(message.get("text") or ""),
        )
        dispatcher.utter_message(text=text, buttons=buttons)
        category = f"odd_{odd.value}" if odd else guessed_intent(message)
        await record_trend(tracker, trend.FALLBACK, category)
        return [UserUtteranceReverted()]


class ActionOutOfScope(Action):
    """Answers a question outside Koers' subject and counts it (intent only, never text)."""

    def name(self) -> str:
        return OUT_OF_SCOPE_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(
            text=OUT_OF_SCOPE, buttons=[dict(button) for button in OUT_OF_SCOPE_BUTTONS]
        )
        await record_trend(tracker, trend.OUT_OF_SCOPE)
        return []
