"""A yes to the one thing Koers just offered: "ja graag!" after "Wil je de voucher nu? Klik
dan op de knop." issued nothing and got the menu (walkthrough 2026-12-04c, Yasmin T2).

When Koers's last message offered exactly one button that starts a flow, a yes outside any
form starts that flow, the same way a new request does inside a form
(:data:`bot.conversation.turns.NEW_REQUESTS`); otherwise the yes gets the usual "what next".
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.form_turns import run_step
from bot.conversation.turns import NEW_REQUESTS

WHAT_NEXT = "utter_what_next"


def offered_intent(tracker: Tracker) -> str | None:
    """The intent of the one plain button of Koers's last message, or None."""
    for event in reversed(list(tracker.events)):
        if event.get("event") == "user":
            continue
        if event.get("event") != "bot":
            continue
        buttons = (event.get("data") or {}).get("buttons") or []
        payloads = [str(b.get("payload") or "") for b in buttons if isinstance(b, dict)]
        if len(payloads) == 1 and payloads[0].startswith("/") and "{" not in payloads[0]:
            return payloads[0][1:]
        return None
    return None


class ActionAffirmOffer(Action):
    def name(self) -> str:
        return "action_affirm_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        switch = NEW_REQUESTS.get(offered_intent(tracker) or "")
        if switch is None or switch.follow is None:
            dispatcher.utter_message(response=WHAT_NEXT)
            return []
        started = await run_step(switch.start, dispatcher, tracker, domain) if switch.start else []
        if any(e.get("event") == "followup" for e in started):
            return started  # the start action said no, or chose what follows
        return [*started, FollowupAction(switch.follow)]
