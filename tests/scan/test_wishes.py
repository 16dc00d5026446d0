"""A direction named in words after the scan (walkthrough 2026-12-03c, conversation 3)."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionAnswerFaq
from bot.scan.questions import BUITEN, VERBREDEN, VERDIEPEN, VERLEGGEN, VERTICAAL
from bot.scan.wishes import own_wish_text, wished_direction

KLOPT = "klopt dit wel? ik wil juist omhoog, schaal 8 ofzo, niet alleen wat taken erbij"


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        (KLOPT, VERTICAAL),
        ("ik wil eigenlijk doorgroeien", VERTICAAL),
        ("liever ander werk, bij een andere afdeling", VERLEGGEN),
        ("ik denk aan een andere gemeente", BUITEN),
        ("gewoon wat nieuwe taken erbij", VERBREDEN),
        ("ik wil specialist worden in mijn vak", VERDIEPEN),
        ("niet alleen wat taken erbij", None),
        ("klopt dit wel?", None),
        ("ik wil niet omhoog", None),
    ],
)
def test_the_direction_named(text: str, direction: str | None) -> None:
    assert wished_direction(text) == direction


def test_the_same_direction_adds_nothing() -> None:
    assert own_wish_text(VERTICAAL, VERTICAAL) is None
    text, steps = own_wish_text(VERTICAAL, VERBREDEN)
    assert "een stap omhoog" in text and "telt net zo zwaar" in text
    assert steps and "/find_opportunities" in [step.payload for step in steps]


def _tracker(text: str, slots: dict) -> Tracker:
    picked = {
        "faq": {
            "response": {
                "responses": [{"text": "De uitslag laat zien hoe jij jezelf nu ziet."}],
                "intent_response_key": "faq/scan_result",
            }
        }
    }
    return Tracker(
        "wish-sender",
        slots,
        {"text": text, "intent": {"name": "faq", "confidence": 0.9}, "response_selector": picked},
        [],
        False,
        None,
        {},
        "action_listen",
    )


async def test_klopt_dit_wel_with_a_wish_gets_that_directions_steps() -> None:
    dispatcher = CollectingDispatcher()
    slots = {"scan_status": "completed", "scan_direction": VERBREDEN}
    await ActionAnswerFaq().run(dispatcher, _tracker(KLOPT, slots), {})
    said = [m.get("text") or "" for m in dispatcher.messages]
    assert said[0].startswith("De uitslag laat zien")
    assert "een stap omhoog" in said[1]
    assert dispatcher.messages[1]["buttons"]


async def test_without_a_finished_scan_only_the_answer() -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, _tracker(KLOPT, {"scan_status": "in_progress"}), {})
    assert len(dispatcher.messages) == 1
