"""When NLU is unsure, ask "Bedoel je … of …?" instead of guessing.

The FallbackClassifier yields ``nlu_fallback`` when the top intent is below the threshold or
the top two are close. The intent ranking then still holds the real candidates; this module
turns the best two into a plain Dutch question with a button for each, plus "Iets anders".
One table maps an intent to its label: an intent without a label is never offered (a bare
"ja", a scale answer or a retrieval question cannot be replayed as a button).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

#: Intents that may be offered, with the words that finish "Bedoel je …".
INTENT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "greet": "hallo zeggen",
        "goodbye": "het gesprek afsluiten",
        "thank": "bedankt zeggen",
        "bot_challenge": "vragen of ik een mens ben",
        "ask_capabilities": "horen wat ik kan",
        "ask_privacy": "je privacy",
        "start_scan": "de talentscan doen",
        "restart_scan": "de scan opnieuw doen",
        "prepare_conversation": "een gesprek voorbereiden",
        "practice_conversation": "een gesprek oefenen",
        "request_coach": "een coach inplannen",
        "request_voucher": "een voucher aanvragen",
        "check_voucher_status": "de stand van je voucher",
        "ask_workshops": "de workshops bekijken",
        "mention_barrier": "iets wat je tegenhoudt",
        "express_worry": "zorgen over je werk",
        "human_handoff": "met een mens praten",
        "request_erasure": "je gegevens wissen",
        "opt_out_trends": "niet meetellen in de tellingen",
        "opt_in_trends": "weer meetellen in de tellingen",
        "ask_my_data": "wat ik van je bewaar",
        "cancel_booking": "een afspraak afzeggen",
        "reschedule_booking": "een afspraak verzetten",
        "health_concern": "ziek zijn of een burn-out",
        "feel_unsafe": "je niet veilig voelen op je werk",
        "reorganisation": "een reorganisatie",
        # issue 17
        "find_opportunities": "kansen in de regio bekijken",
        "check_evc": "kijken of EVC bij je past",
        "cancel_signup": "je inschrijving voor een workshop afzeggen",
        "move_signup": "je inschrijving voor een workshop verzetten",
    }
)

#: Never offered, even if someone adds a label for them.
NEVER_OFFERED: frozenset[str] = frozenset({"nlu_fallback", "out_of_scope"})

#: Below this confidence a candidate is noise, not a real second meaning.
MIN_CANDIDATE_CONFIDENCE = 0.1

SOMETHING_ELSE_BUTTON: Mapping[str, str] = MappingProxyType(
    {"title": "Iets anders", "payload": "/ask_capabilities"}
)


def _ranked(intent_ranking: Iterable[Any]) -> list[tuple[str, float]]:
    """Name and confidence of each well-formed ranking entry, best first."""
    ranked = []
    for entry in intent_ranking:
        if not isinstance(entry, Mapping):
            continue
        name, confidence = entry.get("name"), entry.get("confidence")
        if isinstance(name, str) and isinstance(confidence, int | float):
            ranked.append((name, float(confidence)))
    return sorted(ranked, key=lambda pair: pair[1], reverse=True)


def candidates(intent_ranking: Iterable[Any] | None) -> list[str]:
    """The two best intents that can be offered, or [] when there are not two real ones."""
    chosen: list[str] = []
    for name, confidence in _ranked(intent_ranking or []):
        if confidence < MIN_CANDIDATE_CONFIDENCE:
            break
        if name in NEVER_OFFERED or name not in INTENT_LABELS or name in chosen:
            continue
        chosen.append(name)
        if len(chosen) == 2:
            return chosen
    return []


def ambiguity_question(intents: list[str]) -> tuple[str, list[dict[str, str]]]:
    """ "Bedoel je A of B?" with one button per intent (its payload) and "Iets anders"."""
    first, second = intents
    text = (
        "Ik weet niet zeker wat je bedoelt. "
        f"Bedoel je {INTENT_LABELS[first]} of {INTENT_LABELS[second]}?"
    )
    buttons = [
        {"title": INTENT_LABELS[name].capitalize(), "payload": f"/{name}"} for name in intents
    ]
    return text, [*buttons, dict(SOMETHING_ELSE_BUTTON)]
