"""An erasure request with a typo or a "dan maar" is never read as goodbye (2026-12-03)."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.erasure import asks_erasure, erasure_meant
from bot.conversation.normalise import normalise_for_nlu
from bot.rasa_ext.nlu import ERASURE_GUARD_KEY, InputGuard


@pytest.mark.parametrize(
    "text",
    [
        "ok fijn. wis mijn gegevns dan maar",
        "gegevens wissen",
        "verwijder alles",
        "wis alles wat je van me hebt",
        "verwijdr mijn gegevens",
        "wis het gesprek maar",
    ],
)
def test_erasure_in_words_is_seen(text: str) -> None:
    assert asks_erasure(text)
    assert erasure_meant(text, "goodbye")


@pytest.mark.parametrize(
    "text",
    [
        "wis mijn gegevens niet",
        "alles wissen en opnieuw",  # starting the scan over
        "doei",
        "heb je het nu gewist?",
        "ik ben bang dat alles gewist wordt",
        "/request_erasure",
    ],
)
def test_other_messages_are_left_alone(text: str) -> None:
    assert not erasure_meant(text, "goodbye")


@pytest.mark.parametrize("intent", ["affirm", "ask_privacy", "restart_scan", "request_erasure"])
def test_a_meaningful_reading_is_never_replaced(intent: str) -> None:
    """ "ja, wis alles" at the confirmation stays a yes; a privacy question stays a question."""
    assert not erasure_meant("ja wis alles maar", intent)


def test_the_typo_is_corrected_for_the_classifier_too() -> None:
    assert "gegevens" in normalise_for_nlu("wis mijn gegevns dan maar", frozenset({"wis"}))
    assert normalise_for_nlu("ik heb een 5 gegeven", frozenset({"gegeven"})) == (
        "ik heb een 5 gegeven"
    )


def test_the_input_guard_turns_goodbye_into_the_erasure_request() -> None:
    message = Message(data={TEXT: "ok fijn. wis mijn gegevns dan maar"})
    message.set(INTENT, {"name": "goodbye", "confidence": 0.7})
    InputGuard().process([message])
    assert message.get(INTENT)["name"] == "request_erasure"
    assert message.get(ERASURE_GUARD_KEY) == "goodbye"
    kept = Message(data={TEXT: "doei"})
    kept.set(INTENT, {"name": "goodbye", "confidence": 0.9})
    InputGuard().process([kept])
    assert kept.get(INTENT)["name"] == "goodbye"


@pytest.mark.parametrize(
    ("text", "erase"),
    [
        ("nee stop, ik vertrouw het toch niet. wis mijn gegevns dan maar", True),
        ("ik vertrouw het niet, wis alles", True),
        ("ik wil niet dat je mijn gegevens wist", False),
        ("nee, niet wissen, mijn gegevens blijven", False),
    ],
)
def test_a_negation_in_another_sentence_does_not_cancel_the_erase_request(
    text: str, erase: bool
) -> None:
    """Walkthrough of 2026-12-03 (third round): "… ik vertrouw het toch niet. wis mijn gegevns"
    only paused the form: the "niet" of the first sentence was read as negating the erasing."""
    assert asks_erasure(text) is erase
