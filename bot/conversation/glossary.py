"""Words employees ask the meaning of: "wat betekent boventallig?", "wat houdt verbreden in?".

One short, general explanation per word, with where the exact rules are; never a figure from a
collective agreement (domain: Koers never invents CAO facts). The scan's directions come from
the scan's own labels and explanations, so the glossary and the result always agree.
(Walkthrough 2026-12-04b: "boventallig" and "verbreden" got the scan-result answer three times.)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.scan.scoring import DIRECTION_EXPLANATIONS, DIRECTION_LABELS

RULES_AT = "Wat precies voor jou geldt, vraag je na bij P&O. De OR en de vakbond helpen ook."


def _direction(key: str, example: str) -> str:
    return f"**{DIRECTION_LABELS[key]}**\n{DIRECTION_EXPLANATIONS[key]} {example}"


@dataclass(frozen=True)
class Term:
    pattern: str
    explanation: str


TERMS: Mapping[str, Term] = MappingProxyType(
    {
        "boventallig": Term(
            r"boventallig\w*",
            "Boventallig betekent: je functie vervalt, bijvoorbeeld door een reorganisatie. "
            "Dat is nog geen ontslag. Je werkgever zoekt dan samen met jou naar ander werk. "
            + RULES_AT,
        ),
        "van_werk_naar_werk": Term(
            r"van\s+werk\s+naar\s+werk|vwnw|werk[\s-]naar[\s-]werk",
            "Van werk naar werk is hulp als je functie verdwijnt, bijvoorbeeld door een "
            "reorganisatie. Je werkgever en jij zoeken dan samen naar ander werk, binnen of "
            "buiten de gemeente. Hoe lang dat duurt en wat je rechten zijn, staat in de cao en "
            "de afspraken van je gemeente. " + RULES_AT,
        ),
        "sociaal_plan": Term(
            r"sociaal\s+plan",
            "Een sociaal plan is een set afspraken voor als banen veranderen of verdwijnen bij "
            "een reorganisatie. Daarin staat bijvoorbeeld hoe je hulp krijgt bij ander werk. "
            "Je werkgever maakt die afspraken met de vakbonden of de OR. " + RULES_AT,
        ),
        "herplaatsing": Term(
            r"herplaats\w*",
            "Herplaatsing betekent dat je werkgever een andere passende functie voor je zoekt, "
            "als jouw functie verdwijnt. " + RULES_AT,
        ),
        "verdiepen": Term(
            r"verdiep\w*",
            _direction("verdiepen", "Bijvoorbeeld: je wordt de vraagbaak voor lastige zaken."),
        ),
        "verbreden": Term(
            r"verbred\w*",
            _direction(
                "verbreden",
                "Bijvoorbeeld: naast je werk aan de telefoon help je bij een project. "
                "Extra taken spreek je samen af, en ook wat je dan minder doet. "
                "Wat het voor je functie en je salaris betekent, vraag je na bij P&O.",
            ),
        ),
        "verleggen": Term(
            r"verleg\w*",
            _direction("verleggen", "Bijvoorbeeld: van de balie naar een beleidsafdeling."),
        ),
    }
)

#: "wat betekent X", "wat is X", "wat houdt X in", "wat bedoel je met X", "X, wat is dat?"
_ASKS_MEANING = re.compile(
    r"\b(?:wat\s+(?:betekent|betekend|is|zijn|houdt|houd|wil\s+zeggen)|wat\s+bedoel\s+je\s+met|"
    r"uitleg\s+over|leg\s+(?:eens\s+)?uit|de\s+uitleg)\b|\bwat\s+is\s+dat\b|\bbetekent\s+dat\b|"
    r"\bwat\s+(?:\w+\s+){1,3}(?:betekent|betekend|inhoudt)\b",
    re.IGNORECASE,
)


#: "en een sociaal plan?": a short follow-up that names only the word.
_SHORT_FOLLOW_UP_WORDS = 5


def explained_term(text: str | None) -> str | None:
    """The explanations of the words the message asks the meaning of ("wat betekent
    herplaatsing? en sociaal plan"), or None. A short question that names a word counts."""
    value = text or ""
    short = "?" in value and len(value.split()) <= _SHORT_FOLLOW_UP_WORDS
    if not (_ASKS_MEANING.search(value) or short):
        return None
    found = [t for t in TERMS.values() if re.search(rf"\b(?:{t.pattern})\b", value, re.I)]
    return "\n\n".join(term.explanation for term in found[:2]) if found else None


def direction_explained(direction: str | None) -> str | None:
    """The scan's own direction in plain words ("wat betekent dat?" right after the result)."""
    if direction is None or direction not in DIRECTION_LABELS:
        return None
    named = next(
        (t for t in TERMS.values() if t.explanation.startswith(f"**{DIRECTION_LABELS[direction]}")),
        None,
    )
    return (
        named.explanation
        if named
        else f"**{DIRECTION_LABELS[direction]}**\n{DIRECTION_EXPLANATIONS[direction]}"
    )


#: "wat betekent dat nou precies", "wat houdt dat in": about what was just said.
_ASKS_MEANING_OF_THAT = re.compile(
    r"\bwat\s+(?:betekent|betekend|houdt|wil)\s+(?:dat|dit|het|die\s+uitslag|mijn\s+uitslag)\b",
    re.IGNORECASE,
)


def asks_meaning_of_that(text: str | None) -> bool:
    return bool(_ASKS_MEANING_OF_THAT.search(text or ""))
