"""What Koers says when it did not understand a message (plain Dutch, B1)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

from bot.conversation.ambiguity import ambiguity_question, candidates
from bot.conversation.odd_input import OddInput

ODD_INPUT_ANSWERS: Mapping[OddInput, str] = MappingProxyType(
    {
        OddInput.EMPTY: "Je bericht was leeg. Typ gerust je vraag, of kies een knop.",
        OddInput.TOO_LONG: (
            "Dat is een lang bericht. Ik begrijp korte berichten beter. "
            "Kun je in een of twee zinnen zeggen wat je zoekt?"
        ),
        OddInput.MARKUP: "Ik kan geen code of opmaak lezen. Typ je vraag gewoon als tekst.",
        OddInput.NO_WORDS: "Leuk! Maar ik begrijp alleen woorden. Waar kan ik je mee helpen?",
        OddInput.OTHER_LANGUAGE: (
            "Ik spreek alleen Nederlands. Wil je je vraag in het Nederlands stellen? "
            "Korte zinnen zijn prima."
        ),
    }
)

NOT_UNDERSTOOD = (
    "Sorry, dat begreep ik niet. Je kunt me bijvoorbeeld vragen: "
    "'Ik wil de scan doen', 'Wat is EVC?' of 'Welke workshops zijn er?'"
)
NOT_UNDERSTOOD_AGAIN = (
    "Het lukt me nog steeds niet om je te begrijpen. Sorry! "
    "Kies een van de knoppen. Of praat met een mens: een loopbaancoach of de afdeling P&O."
)

SUGGESTION_BUTTONS: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"title": "Doe de talentscan", "payload": "/start_scan"}),
    MappingProxyType({"title": "Wat kun jij?", "payload": "/ask_capabilities"}),
    MappingProxyType({"title": "Bekijk de workshops", "payload": "/ask_workshops"}),
)
HUMAN_BUTTON: Mapping[str, str] = MappingProxyType(
    {"title": "Ik wil een mens spreken", "payload": "/human_handoff"}
)


def fallback_answer(
    odd: OddInput | None,
    fallbacks_in_a_row: int,
    intent_ranking: Iterable[Any] | None = None,
    text: str = "",
) -> tuple[str, list[dict[str, str]]]:
    """Text and buttons for a message Koers did not understand.

    When NLU had two real candidates, Koers asks which one was meant: saying it is unsure
    beats both a confident wrong answer and a bare "niet begrepen".
    """
    buttons = [dict(button) for button in SUGGESTION_BUTTONS]
    if odd is not None:
        return ODD_INPUT_ANSWERS[odd], buttons
    two = candidates(intent_ranking, text)
    if two:
        text, choices = ambiguity_question(two)
        if fallbacks_in_a_row >= 2:
            choices.append(dict(HUMAN_BUTTON))
        return text, choices
    if fallbacks_in_a_row >= 2:
        return NOT_UNDERSTOOD_AGAIN, [*buttons[:1], dict(HUMAN_BUTTON)]
    return NOT_UNDERSTOOD, buttons


OUT_OF_SCOPE = (
    "Daar kan ik je helaas niet mee helpen. Ik weet alleen iets van loopbaan en ontwikkeling.\n"
    "Je kunt mij bijvoorbeeld vragen om de talentscan of naar de workshops."
)
OUT_OF_SCOPE_BUTTONS: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"title": "Doe de talentscan", "payload": "/start_scan"}),
    MappingProxyType({"title": "Wat kun jij?", "payload": "/ask_capabilities"}),
)
