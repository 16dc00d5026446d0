"""Understanding the employee's answers in the preparation: pure functions, no Rasa.

Free text is the rule, so the parsing is forgiving: "sla maar over", "weet ik nog niet" skip a
question; "jaargesprek", "de r&o" or "dat functioneringsgesprek" pick the kind of conversation;
"tijd en een coach" picks two requests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from bot.preparation.questions import ASKS, QUESTIONS

_SKIP_RE = re.compile(
    r"^\s*(?:ik\s+)?(?:wil\s+)?(?:sla\s*(?:deze|dit|die)?\s*(?:vraag\s*)?(?:maar\s*)?over|"
    r"overslaan|skip(?:pen)?|volgende(?:\s+vraag)?|(?:dat\s+)?weet\s+ik\s+(?:nog\s+)?niet|"
    r"geen\s+idee|liever\s+niet|nvt|n\.v\.t\.?|niet\s+van\s+toepassing|"
    r"geen|niks|niets|nee)\s*[.!]*\s*$",
    re.IGNORECASE,
)

KIND_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "reorganisatie": (
            "reorganisatie",
            "reorg",
            "boventallig",
            "herplaats",
            "fusie",
            "verandering van de afdeling",
        ),
        "jaargesprek": (
            "jaargesprek",
            "jaar",
            "beoordeling",
            "functionering",
            "r&o",
            "r en o",
            "plannings",
            "resultaat",
        ),
        "ontwikkelgesprek": ("ontwikkel", "pop", "loopbaan", "groei"),
        "tussendoor": (
            "tussendoor",
            "los",
            "zomaar",
            "ad hoc",
            "adhoc",
            "informeel",
            "even",
            "kort",
            "gewoon",
        ),
    }
)

ASK_WORDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "tijd": ("tijd", "uren", "uur", "leertijd", "ruimte"),
        "budget": ("budget", "opleiding", "cursus", "training", "geld", "studie", "scholing"),
        "coach": ("coach", "loopbaanadvies", "loopbaangesprek"),
        "meelopen": ("meelopen", "meekijken", "snuffel", "stage", "kijkje"),
        "evc": ("evc", "erkenning", "ervaringscertificaat"),
        "taken": ("taken", "taak", "project", "klus", "verantwoordelijkheid"),
        "proefperiode": ("proef", "detacher", "tijdelijk een andere"),
    }
)

_CONFIRM_RE = re.compile(
    r"^\s*(?:ja+|jep|jazeker|klopt(?:\s+wel|\s+helemaal)?|dat\s+klopt|goed|prima|ok[eé]?|"
    r"oké|top|precies|akkoord|laat\s+maar\s+staan|houden|zo\s+laten)\b[\s.!]*$",
    re.IGNORECASE,
)
_PRACTICE_RE = re.compile(r"\boefen", re.IGNORECASE)
_CHANGE_RE = re.compile(
    r"\b(?:aanpass|pas\b|klopt\s+niet|kloppen\s+niet|wijzig|verander|anders|aanvul|fout|"
    r"corrigeer|niet\s+goed)",
    re.IGNORECASE,
)
_MAKE_RE = re.compile(
    r"\b(?:maak|maken|klaar|download|ja|klopt|goed|prima|ok[eé]?|oké|akkoord|afronden|"
    r"blad|voorbereiding)\b",
    re.IGNORECASE,
)

MAKE, PRACTICE, CHANGE = "maken", "oefenen", "aanpassen"


def _words(text: str) -> str:
    return " " + re.sub(r"\s+", " ", text.lower()).strip() + " "


def is_skip(text: str | None) -> bool:
    """True for "sla over", "overslaan", "weet ik nog niet", "geen idee", "nee" and the like."""
    return bool(text) and bool(_SKIP_RE.match(text or ""))


def is_confirmation(text: str | None) -> bool:
    """True for a short yes: "ja", "klopt", "prima", "laat maar staan"."""
    return bool(text) and bool(_CONFIRM_RE.match(text or ""))


def parse_kind(text: str | None) -> str | None:
    """The kind of conversation named in ``text``, or None."""
    lowered = _words(text or "")
    for kind, words in KIND_WORDS.items():
        if any(word in lowered for word in words):
            return kind
    return None


def parse_asks(text: str | None) -> list[str]:
    """The requests named in ``text`` as labels; the text itself when it names none of them."""
    lowered = _words(text or "")
    found = [ASKS[key] for key, words in ASK_WORDS.items() if any(w in lowered for w in words)]
    if found:
        return found
    stripped = (text or "").strip()
    return [stripped] if stripped else []


def field_from_text(text: str | None) -> str | None:
    """Which question the employee wants to change ("mijn doel aanpassen" -> prep_goal)."""
    lowered = _words(text or "")
    for question in QUESTIONS:
        if question.slot in lowered or question.title.lower() in lowered:
            return question.slot
    # Longer, more specific words first: "sterke punten" must not match "punt" of another.
    candidates = sorted(
        ((word, question.slot) for question in QUESTIONS for word in question.keywords),
        key=lambda pair: -len(pair[0]),
    )
    for word, slot in candidates:
        if re.search(rf"\b{re.escape(word)}", lowered):
            return slot
    return None


def parse_review(text: str | None) -> tuple[str | None, str | None]:
    """(choice, question to change) for the check at the end.

    The choice is ``maken`` (make the sheet), ``oefenen`` (practise first) or ``aanpassen``
    (change an answer; the second value names the question when the text says which).
    """
    if not text:
        return None, None
    if _PRACTICE_RE.search(text):
        return PRACTICE, None
    if _CHANGE_RE.search(text):
        return CHANGE, field_from_text(text)
    if _MAKE_RE.search(text):
        return MAKE, None
    field = field_from_text(text)
    # Typing the name of an answer ("sterke punten") on the change menu picks it.
    return (CHANGE, field) if field else (None, None)


_ALSO_RE = re.compile(r"^\s*(?:ja+|jep|klopt|prima|goed)\b[\s,.!]*(?:en\s+)?(?:ook\s+)?", re.I)


def confirmed_with_more(text: str | None) -> str | None:
    """The extra part of "ja en ook dat ik goed ben met lastige klanten", else None.

    The scan's suggestion is confirmed and something is added: keep both, not the literal
    "ja en ook ..." as the answer (walkthrough 2).
    """
    match = _ALSO_RE.match(text or "")
    if not match:
        return None
    rest = (text or "")[match.end() :].strip(" ,.!")
    rest = re.sub(r"^(?:dat\s+ik\s+)", "", rest, flags=re.I).strip()
    return rest or None
