"""Care before career: illness, exhaustion, the company doctor (walkthrough 2026-12-04b).

The full care answer (``utter_care_health`` in domain.yml) comes once; a question how to reach
the company doctor gets that answer; a second message about how bad it is gets a short, warm
line instead of the same block again.
"""

from __future__ import annotations

import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker import latest_text

CARE_HEALTH = "utter_care_health"
#: How the full care answer opens (domain.yml): seen in the conversation, it was given.
CARE_HEALTH_OPENING = "Wat vervelend dat het niet goed met je gaat."

COMPANY_DOCTOR = (
    "Je kunt zelf naar de bedrijfsarts. Daarvoor heb je je teamleider niet nodig.\n"
    "Vaak heeft de arbodienst een open spreekuur. P&O of het intranet zegt hoe je je aanmeldt.\n"
    "Wat je met de bedrijfsarts bespreekt, blijft tussen jullie. Je werkgever hoort alleen wat "
    "je wel en niet kunt in je werk, niet wat je hebt."
)
CARE_AGAIN = (
    "Ik hoor dat het zwaar is. Je hoeft hier nu niets.\n"
    "Praat erover met je huisarts of de bedrijfsarts. Die kunnen je echt helpen.\n"
    "Wil je later verder met je werk of je loopbaan? Dan ben ik er."
)
CARE_BUTTONS = (
    {"title": "Wie is de vertrouwenspersoon?", "payload": "/feel_unsafe"},
    {"title": "Ik wil een mens spreken", "payload": "/human_handoff"},
)

_COMPANY_DOCTOR_QUESTION = re.compile(
    r"\b(?:bedrijfsarts|arbodienst|arbo-?arts)\b.*(?:\?|\bhoe\b|\bvia\b|\bzelf\b|\bmoet\b|"
    r"\bmag\b|\bkan\b|\bweet\b)|\b(?:hoe|waar|kan|mag|moet)\b.*\b(?:bedrijfsarts|arbodienst|arbo-?arts)\b",
    re.IGNORECASE | re.DOTALL,
)


def asks_about_company_doctor(text: str) -> bool:
    """ "hoe kom ik bij de bedrijfsarts? moet dat via mijn teamleider?" """
    return bool(_COMPANY_DOCTOR_QUESTION.search(text or ""))


def care_given(tracker: Tracker) -> bool:
    return any(
        event.get("event") == "bot" and str(event.get("text") or "").startswith(CARE_HEALTH_OPENING)
        for event in tracker.events
    )


class ActionCareHealth(Action):
    def name(self) -> str:
        return "action_care_health"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = latest_text(tracker)
        if asks_about_company_doctor(text):
            dispatcher.utter_message(text=COMPANY_DOCTOR, buttons=[dict(b) for b in CARE_BUTTONS])
        elif care_given(tracker):
            dispatcher.utter_message(text=CARE_AGAIN, buttons=[dict(b) for b in CARE_BUTTONS])
        else:
            dispatcher.utter_message(response=CARE_HEALTH)
        return []
