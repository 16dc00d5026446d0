"""Factual questions (retrieval intent ``faq``): the response selector's answer, with what
this conversation adds to it.

The answer text is the one the response selector picked for the message (data/responses/faq.yml).
After "klopt dit wel?" about a finished scan, a direction the employee names in the same message
("ik wil juist omhoog") is taken as their wish, with its next steps (bot/scan/wishes.py).
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker import latest_text
from bot.conversation.glossary import asks_meaning_of_that, direction_explained, explained_term
from bot.scan.wishes import own_wish_text, wished_direction

FAQ = "faq"
SCAN_RESULT = "faq/scan_result"
NO_SCAN_YET = (
    "Een uitslag heb je nog niet: je hebt de talentscan nog niet gedaan. "
    "Wil je hem doen? Het duurt ongeveer 5 minuten. Of vraag me gewoon iets anders."
)
SCAN_BUTTON = {"title": "Doe de talentscan", "payload": "/start_scan"}


def picked(tracker: Tracker) -> tuple[str | None, str | None]:
    """(answer text, its key such as ``faq/scan_result``) the response selector picked."""
    selector = tracker.latest_message.get("response_selector") or {}
    response = (selector.get(FAQ) or {}).get("response") or {}
    responses = response.get("responses") or []
    text = responses[0].get("text") if responses else None
    key = response.get("intent_response_key")
    return (str(text) if text else None), (str(key) if key else None)


#: How the scan's result opens (actions/scan.py): "wat betekent dat?" right after it is about it.
RESULT_OPENING = "Je uitslag:"


def _result_just_shown(tracker: Tracker) -> bool:
    """One of Koers's last three messages was the scan's result."""
    said = [e for e in tracker.events if e.get("event") == "bot"][-3:]
    return any(str(e.get("text") or "").startswith(RESULT_OPENING) for e in said)


class ActionAnswerFaq(Action):
    def name(self) -> str:
        return "action_answer_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said = latest_text(tracker)
        meaning = explained_term(said)
        if meaning is None and asks_meaning_of_that(said) and _result_just_shown(tracker):
            meaning = direction_explained(tracker.get_slot("scan_direction"))
        if meaning:  # "wat betekent boventallig?": the word, whatever the selector picked
            dispatcher.utter_message(text=meaning)
            return []
        text, key = picked(tracker)
        if key == SCAN_RESULT and tracker.get_slot("scan_status") != "completed":
            # "welke uitslag?? ik heb geen scan gedaan" (walkthrough 2026-12-04b, three times)
            dispatcher.utter_message(text=NO_SCAN_YET, buttons=[dict(SCAN_BUTTON)])
            return []
        if not text:
            dispatcher.utter_message(response="utter_capabilities")
            return []
        dispatcher.utter_message(text=text)
        if key == SCAN_RESULT and tracker.get_slot("scan_status") == "completed":
            wished = wished_direction(latest_text(tracker))
            added = own_wish_text(wished, tracker.get_slot("scan_direction")) if wished else None
            if added is not None:
                lines, steps = added
                buttons = [{"title": step.title, "payload": step.payload} for step in steps]
                dispatcher.utter_message(text=lines, buttons=buttons)
        return []
