"""When NLU is unsure, ask "Bedoel je … of …?" instead of guessing.

The FallbackClassifier yields ``nlu_fallback`` when the top intent is below the threshold or
the top two are close. The intent ranking then still holds the real candidates; this module
turns the best two into a plain Dutch question with a button for each, plus "Iets anders".
One table maps an intent to its label: an intent without a label is never offered (a bare
"ja", a scale answer or a retrieval question cannot be replayed as a button).

Two offered meanings must make sense together (walkthroughs of 2026-12-02 and -03: "klopt die
uitslag wel?" got "iets wat je tegenhoudt of je gegevens wissen?", a sign-up "ziek zijn of een
burn-out of de workshops bekijken?", a career statement "met een mens praten of je niet veilig
voelen?"). So, from the ranking:

* the best real candidate must itself be offerable: when NLU thought it most likely a frequent
  question, a "ja"/"nee" or out of scope, the runners-up are no real second meaning;
* intents that end or undo something (erasing, not counting, cancelling) and the small talk
  about Koers are offered only when the message says so in words (:data:`CUES`);
* the two must be close (:data:`PAIR_MARGIN`) and of one sense (:data:`SENSES`).

Otherwise Koers says plainly that it did not understand, with suggestion buttons.
"""

from __future__ import annotations

import re
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
#: The second meaning must be this close to the first. The FallbackClassifier asks when the
#: top two are within its ambiguity_threshold (0.1, config.yml) or the top is below 0.4; a
#: runner-up far behind a weak top is no real second meaning either. Not tuned on a trained
#: model (none may be loaded here): chosen just above the classifier's own margin.
PAIR_MARGIN = 0.15

#: Intents offered only when the message says so in words: the ones that end or undo
#: something must never be a guess next to a content question, and small talk about Koers
#: is no meaning of a career question.
CUES: Mapping[str, re.Pattern[str]] = MappingProxyType(
    {
        "request_erasure": re.compile(r"\b(?:wis\w*|verwijder\w*|weg|vergeet|delete)\b"),
        "opt_out_trends": re.compile(
            r"\b(?:tel|telt|tellen|telling\w*|meetel\w*|cijfers|statistiek\w*|trends?)\b"
        ),
        "opt_in_trends": re.compile(
            r"\b(?:tel|telt|tellen|telling\w*|meetel\w*|cijfers|statistiek\w*|trends?)\b"
        ),
        "cancel_booking": re.compile(r"\b(?:afzeg\w*|af\b|annule\w*|cancel\w*|niet\s+komen)"),
        "cancel_signup": re.compile(r"\b(?:afmeld\w*|af\b|annule\w*|uitschrijv\w*|niet\s+komen)"),
        "goodbye": re.compile(r"\b(?:doei|dag|tot\s+ziens|later|bye|ciao|groetjes|fijne)\b"),
        "greet": re.compile(r"\b(?:hoi|hallo|hey|hee|goedemorgen|goedemiddag|goedenavond)\b"),
        "thank": re.compile(r"\b(?:bedankt|dank\w*|thanks|merci)\b"),
        "human_handoff": re.compile(r"\b(?:mens|persoon|iemand|medewerker|bellen|spreken)\b"),
        "bot_challenge": re.compile(r"\b(?:robot|computer|bot|mens|echt\s+persoon)\b"),
        "ask_capabilities": re.compile(r"\b(?:wat\s+kun|wat\s+kan\s+je|wat\s+doe\s+je)\b"),
    }
)

_CAREER = frozenset(
    {
        "start_scan",
        "restart_scan",
        "prepare_conversation",
        "practice_conversation",
        "request_coach",
        "request_voucher",
        "check_voucher_status",
        "ask_workshops",
        "find_opportunities",
        "check_evc",
        "mention_barrier",
        "express_worry",
    }
)
_BOOKINGS = frozenset(
    {
        "request_coach",
        "cancel_booking",
        "reschedule_booking",
        "request_voucher",
        "check_voucher_status",
        "ask_workshops",
        "cancel_signup",
        "move_signup",
    }
)
_CARE = frozenset(
    {
        "health_concern",
        "feel_unsafe",
        "reorganisation",
        "mention_barrier",
        "express_worry",
        "human_handoff",
    }
)
_PRIVACY = frozenset(
    {"ask_privacy", "ask_my_data", "request_erasure", "opt_out_trends", "opt_in_trends"}
)
_ABOUT_KOERS = frozenset(
    {"greet", "goodbye", "thank", "bot_challenge", "ask_capabilities", "human_handoff"}
)
#: Two meanings are offered together only when one of these holds both.
SENSES: tuple[frozenset[str], ...] = (_CAREER, _BOOKINGS, _CARE, _PRIVACY, _ABOUT_KOERS)

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


def offerable(name: str, text: str) -> bool:
    """Whether ``name`` may be offered as a meaning of ``text`` (see the module doc)."""
    if name in NEVER_OFFERED or name not in INTENT_LABELS:
        return False
    cue = CUES.get(name)
    return cue is None or cue.search(text.lower()) is not None


def same_sense(first: str, second: str) -> bool:
    """Whether the two meanings belong together in one "Bedoel je … of …?"."""
    return any(first in sense and second in sense for sense in SENSES)


def candidates(intent_ranking: Iterable[Any] | None, text: str = "") -> list[str]:
    """The two intents to offer for ``text``, or [] when there are not two that fit together.

    Without the text, the intents that need words in the message (:data:`CUES`) are not offered.
    """
    ranked = [(n, c) for n, c in _ranked(intent_ranking or []) if n != "nlu_fallback"]
    seen: set[str] = set()
    real: list[tuple[str, float]] = []
    for name, confidence in ranked:
        if name not in seen:
            seen.add(name)
            real.append((name, confidence))
    if not real or not offerable(real[0][0], text):
        return []  # NLU's best guess cannot be offered: the runners-up are no second meaning
    chosen = [(n, c) for n, c in real if c >= MIN_CANDIDATE_CONFIDENCE and offerable(n, text)]
    if len(chosen) < 2:
        return []
    (first, top), (second, runner_up) = chosen[0], chosen[1]
    if top - runner_up > PAIR_MARGIN or not same_sense(first, second):
        return []
    return [first, second]


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
