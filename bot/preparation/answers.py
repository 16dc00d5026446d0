"""Understanding the employee's answers in the preparation: pure functions, no Rasa.

Free text is the rule, so the parsing is forgiving: "sla maar over", "weet ik nog niet" skip a
question; "jaargesprek", "de r&o" or "dat functioneringsgesprek" pick the kind of conversation;
"tijd en een coach" picks two requests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

from bot.preparation.questions import ASK_SLOT, ASKS, QUESTIONS, SKIPPED

_SKIP_RE = re.compile(
    r"^\s*(?:ik\s+)?(?:wil\s+)?(?:sla\s*(?:deze|dit|die)?\s*(?:vraag\s*)?(?:maar\s*)?over|"
    r"overslaan|skip(?:pen)?|volgende(?:\s+vraag)?|(?:dat\s+)?weet\s+ik\s+(?:nog\s+)?niet|"
    r"(?:ik\s+)?weet\s+(?:het\s+)?(?:nog\s+)?niet|"
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


def added_to_answer(slot: str, old: object, addition: str) -> str | list[str]:
    """The answer of ``slot`` with ``addition`` added: the requests as labels, text joined.

    "bij vraag 5 ook budget voor opleiding" adds "Budget voor een opleiding" to the chosen
    requests; a list of strengths from the scan gets one more item; text gets ", addition".
    """
    empty = old in (None, SKIPPED, "", [])
    if slot == ASK_SLOT:
        before = [str(item) for item in old] if isinstance(old, list) else []
        if isinstance(old, str) and not empty:
            before = [old]
        return [*before, *(item for item in parse_asks(addition) if item not in before)]
    if isinstance(old, list):
        return [*(str(item) for item in old), addition]
    if empty:
        return addition
    text = str(old).rstrip()
    if text.endswith((".", "!", "?")):  # a new sentence after a sentence
        return f"{text} {addition[:1].upper()}{addition[1:]}"
    return f"{text}, {addition}"


_ADDITION_LEAD_RE = re.compile(
    r"^\s*(?:(?:en|ook|nog|wel|graag|oh|oké|ok|dus)\b[\s,]*)*"
    r"(?:(?:ik\s+)?(?:wil|zou)\s+(?:ik\s+)?(?:er\s+|daar\s+)?(?:graag\s+)?(?:nog\s+|ook\s+)*"
    r"(?:bij\s*zetten|bij\s*doen|toevoegen|noemen|zeggen|erbij\s+zetten)(?:\s+willen)?"
    r"\s*:?\s*)?",
    re.IGNORECASE,
)


def addition_text(text: str | None) -> str:
    """The words to add, without "ik wil er nog bij zetten dat" in front (walkthrough 2026-12-03b).

    "Ik wil er nog bij zetten dat ik nieuwe collega's vaak inwerk." -> "dat ik nieuwe
    collega's vaak inwerk.": kept as the employee wrote it, only the announcement goes.
    """
    value = (text or "").strip()
    rest = _ADDITION_LEAD_RE.sub("", value, count=1).strip()
    return rest or value


_DECLINE_RE = re.compile(
    r"^\W*(?:nee|nou\s+nee|toch\s+niet|laat\s+maar|hoeft\s+niet|niks|niets|niet\s+meer|"
    r"sla\s+over|laat\s+(?:het\s+)?(?:maar\s+)?zo|zo\s+laten|klopt\s+al)\b[^?]*$",
    re.IGNORECASE,
)


def declines_addition(text: str | None) -> bool:
    """ "laat maar", "toch niet", "nee": nothing to add after all; the answer stays."""
    return bool(_DECLINE_RE.match(text or "")) or is_skip(text)


#: A short question tag after an answer ("..., kan dat allebei?"): the answer stands.
_TAG_QUESTION_RE = re.compile(
    r"(?:^|(?<=[.!,]))\s*(?:(?:en|maar)\s+)?(?:kan|mag|is|klopt|lukt|gaat)\s+(?:dat|het|dit)"
    r"(?:\s+(?:allebei|allemaal|ook|wel|zo|samen|goed|oké|ok|echt|eigenlijk|zomaar)){0,3}"
    r"\s*\?+\s*$",
    re.IGNORECASE,
)


def without_tag_question(text: str | None) -> str | None:
    """``text`` without a trailing "kan dat allebei?" when the rest is a plain statement.

    Walkthrough 2026-12-03b, question 5: "Ik wil eigenlijk twee dingen vragen: andere of nieuwe
    taken, en budget voor die cursus. Kan dat allebei?" is an answer, not a question for Koers.
    None when there is no such tag or the rest still holds a question.
    """
    value = (text or "").strip()
    match = _TAG_QUESTION_RE.search(value)
    if not match:
        return None
    rest = value[: match.start()].strip(" ,")
    if not rest or "?" in rest or len(rest.split()) < 2:
        return None
    return rest


#: Sentences that say nothing about the answer itself; left off the sheet and the summary.
_FILLER_RE = re.compile(
    r"^\W*(?:(?:ik\s+)?weet\s+(?:ik\s+)?niet\s+of\s+(?:dat|het)\s+(?:een\s+beetje\s+|wel\s+|zo\s+)?"
    r"duidelijk\s+is|(?:ik\s+)?hoop\s+(?:dat|het)\s+(?:dat\s+)?(?:een\s+beetje\s+)?duidelijk\s+is|"
    r"(?:is\s+dat\s+)?duidelijk\??|snap\s+je(?:\s+wat\s+ik\s+bedoel)?|weet\s+je(?:\s+wel)?|"
    r"(?:hmm+|tja|nou|eh+|uhm*)\b[^.!?]*(?:lastig|moeilijk)\s+(?:om\s+)?(?:te\s+)?zeggen|"
    r"(?:dat\s+)?vind\s+ik\s+(?:altijd\s+)?(?:lastig|moeilijk)(?:\s+om\s+te\s+zeggen)?|"
    r"(?:hmm+|tja|eh+|uhm*|nou)|"
    # "niks. ik wil gewoon dat het minder wordt": the lead-in, not the answer (2026-12-04b)
    r"(?:niks|niets|(?:ik\s+)?weet\s+(?:het\s+|ik\s+)?(?:nog\s+)?niet|oke?\s+fijn|ok[eé]?))\W*$",
    re.IGNORECASE,
)
_SENTENCE_RE = re.compile(r"[^.!?]+[.!?]*")


def without_filler(text: str | None) -> str:
    """``text`` without sentences like "Ik weet niet of dat een beetje duidelijk is".

    The sheet goes into the meeting: it should carry what the employee means, not the doubts
    they typed around it (walkthrough 2026-12-03b). Nothing is left off when all is filler.
    """
    value = (text or "").strip()
    kept = [s.strip() for s in _SENTENCE_RE.findall(value) if not _FILLER_RE.match(s.strip())]
    result = " ".join(part for part in kept if part).strip()
    return result or value
