"""Words employees ask the meaning of (walkthrough 2026-12-04b: Nadia and Tom)."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import NO_SCAN_YET, ActionAnswerFaq
from bot.conversation.glossary import TERMS, explained_term
from bot.conversation.guards import guard_intent


@pytest.mark.parametrize(
    ("text", "opening"),
    [
        ("wat betekent boventallig eigenlijk", "Boventallig betekent"),
        ("laat ook maar. wat is van werk naar werk dan?", "Van werk naar werk is hulp"),
        ("wat betekent verbreden nou precies? moet ik dan meer werk doen", "**Verbreden"),
        ("wat is een sociaal plan", "Een sociaal plan"),
    ],
)
def test_the_meaning_of_a_word(text: str, opening: str) -> None:
    assert (explained_term(text) or "").startswith(opening)
    assert guard_intent(text, "ask_workshops").intent == "faq"


@pytest.mark.parametrize("text", ["ik word boventallig", "wat betekent dit voor mij?", ""])
def test_no_meaning_asked(text: str) -> None:
    assert explained_term(text) is None


def test_every_explanation_sends_rules_to_p_and_o_or_is_a_scan_direction() -> None:
    for key, term in TERMS.items():
        text = term.explanation
        assert "P&O" in text or text.startswith("**"), key
        assert not any(char.isdigit() for char in text), key  # no invented figures


async def test_the_faq_answer_uses_the_word_and_knows_there_was_no_scan(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAnswerFaq().run(dispatcher, make_tracker("wat betekent boventallig?", "faq"), {})
    assert dispatcher.messages[0]["text"].startswith("Boventallig betekent")
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "welke uitslag?? ik heb geen scan gedaan",
        "faq",
        extra_message={
            "response_selector": {
                "faq": {"response": {"intent_response_key": "faq/scan_result",
                                     "responses": [{"text": "De uitslag laat zien"}]}}
            }
        },
    )  # fmt: skip
    await ActionAnswerFaq().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["text"] == NO_SCAN_YET
