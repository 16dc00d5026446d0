"""The questions of the conversation preparation, in the order the form asks them.

Every question can be skipped ("sla over") and changed afterwards. Two questions have fixed
choices (the kind of conversation and what to ask the manager); the others are free text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

#: Stored in a slot when the employee skips the question.
SKIPPED = "__overgeslagen__"

KIND_SLOT = "prep_kind"
GOAL_SLOT = "prep_goal"
STRENGTHS_SLOT = "prep_strengths"
DEVELOP_SLOT = "prep_develop"
ASK_SLOT = "prep_ask"
WORRY_SLOT = "prep_worry"
WHEN_SLOT = "prep_when"
REVIEW_SLOT = "prep_review"
#: Whether the private parts (worry, practice answers) go on the printed sheet.
PRIVATE_SLOT = "prep_private"
#: Not asked: the meeting date as ISO date (from ``prep_when``) and the other party.
DATE_SLOT = "prep_date"
PARTY_SLOT = "prep_party"

#: The questions, in order. The private choice and ``prep_review`` (check) come last.
QUESTION_SLOTS: tuple[str, ...] = (
    KIND_SLOT,
    GOAL_SLOT,
    STRENGTHS_SLOT,
    DEVELOP_SLOT,
    ASK_SLOT,
    WORRY_SLOT,
    WHEN_SLOT,
)
FORM_SLOTS: tuple[str, ...] = (*QUESTION_SLOTS, PRIVATE_SLOT, REVIEW_SLOT)

KINDS: Mapping[str, str] = MappingProxyType(
    {
        "ontwikkelgesprek": "Een ontwikkelgesprek",
        "jaargesprek": "Een jaargesprek",
        "tussendoor": "Een gesprek tussendoor",
        "reorganisatie": "Een gesprek over een reorganisatie",
    }
)

ASKS: Mapping[str, str] = MappingProxyType(
    {
        "tijd": "Tijd om te leren",
        "budget": "Budget voor een opleiding",
        "coach": "Een gesprek met een loopbaancoach",
        "meelopen": "Meelopen bij een andere afdeling",
        "evc": "Een EVC-traject",
        "taken": "Andere of nieuwe taken",
        "proefperiode": "Een proefperiode in een andere functie",
    }
)


@dataclass(frozen=True)
class PrepQuestion:
    slot: str
    #: Short name, used in the summary, on the "what do you want to change?" buttons and sheet.
    title: str
    text: str
    #: Words that name this question when the employee says what to change ("mijn doel").
    keywords: tuple[str, ...]


QUESTIONS: tuple[PrepQuestion, ...] = (
    PrepQuestion(
        KIND_SLOT,
        "Soort gesprek",
        "Wat voor gesprek ga je voeren?",
        ("soort", "gesprek", "type"),
    ),
    PrepQuestion(
        GOAL_SLOT,
        "Mijn doel",
        "Wat wil je bereiken met het gesprek? Schrijf het in een of twee zinnen.\n"
        "Bijvoorbeeld: ik wil afspreken dat ik een cursus mag volgen.",
        ("doel", "bereiken"),
    ),
    PrepQuestion(
        STRENGTHS_SLOT,
        "Mijn sterke punten",
        "Waar ben je goed in? Noem er twee of drie.",
        ("sterk", "sterke", "sterktes", "talent", "talenten", "goed in"),
    ),
    PrepQuestion(
        DEVELOP_SLOT,
        "Wat ik wil leren of proberen",
        "Wat wil je leren of uitproberen?",
        ("leren", "ontwikkelen", "proberen", "uitproberen", "richting"),
    ),
    PrepQuestion(
        ASK_SLOT,
        "Wat ik vraag",
        "Wat vraag je aan je leidinggevende? Kies een knop of typ het zelf.",
        ("vraag", "vragen", "verzoek"),
    ),
    PrepQuestion(
        WORRY_SLOT,
        "Waar ik tegen opzie",
        "Waar zie je tegenop bij dit gesprek? Dat mag je gewoon zeggen.",
        ("zorg", "zorgen", "tegenop", "spannend", "bang"),
    ),
    PrepQuestion(
        WHEN_SLOT,
        "Wanneer",
        "Wanneer is het gesprek? Bijvoorbeeld: volgende week, of 12 maart.",
        ("wanneer", "datum", "dag", "moment"),
    ),
)

_BY_SLOT = {question.slot: question for question in QUESTIONS}


def question_for(slot: str) -> PrepQuestion:
    return _BY_SLOT[slot]


def previous_slot(slot: str | None) -> str | None:
    """The question before ``slot`` (or the last question when ``slot`` is the review)."""
    if slot not in FORM_SLOTS:
        return None
    index = FORM_SLOTS.index(slot)
    return FORM_SLOTS[index - 1] if index > 0 else None


#: How Koers names an answer when it adds to it or changes it ("Ik heb bij je wensen ...").
#: Only free-text answers and the requests: the kind and the date are chosen again instead.
ANSWER_NAMES: Mapping[str, str] = MappingProxyType(
    {
        GOAL_SLOT: "je doel",
        STRENGTHS_SLOT: "je sterke punten",
        DEVELOP_SLOT: "wat je wilt leren",
        ASK_SLOT: "je wensen",
        WORRY_SLOT: "waar je tegen opziet",
    }
)


def slot_of_question(number: int) -> str | None:
    """The slot of question ``number`` as the employee sees it ("Vraag 5 van 7"), or None."""
    return QUESTION_SLOTS[number - 1] if 1 <= number <= len(QUESTION_SLOTS) else None


#: A question named by what it asks ("bij waar ik goed in ben", "mijn sterke punten").
_NAMED_QUESTIONS: tuple[tuple[str, str], ...] = (
    (r"waar\s+ik\s+goed\s+in\s+ben|sterke\s+punten|sterke\s+kanten|kwaliteiten", STRENGTHS_SLOT),
    (r"wat\s+ik\s+(?:wil\s+)?leren|wat\s+ik\s+wil\s+proberen|ontwikkelen", DEVELOP_SLOT),
    (r"mijn\s+doel|wat\s+ik\s+wil\s+bereiken", "prep_goal"),
    (r"wat\s+ik\s+vraag|mijn\s+vraag\s+aan|wat\s+ik\s+nodig\s+heb", ASK_SLOT),
    (r"waar\s+ik\s+tegenop\s+zie|mijn\s+zorg", WORRY_SLOT),
    (r"\bde\s+datum\b|wanneer\s+het\s+gesprek", WHEN_SLOT),
    (r"soort\s+gesprek", KIND_SLOT),
)


def question_named(text: str | None) -> str | None:
    """The slot of the one question the words name, or None."""
    found = {slot for pattern, slot in _NAMED_QUESTIONS if re.search(pattern, text or "", re.I)}
    return next(iter(found)) if len(found) == 1 else None
