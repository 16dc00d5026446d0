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
    r"uitleg\s+over|leg\s+(?:eens\s+)?uit)\b|\bwat\s+is\s+dat\b|\bbetekent\s+dat\b",
    re.IGNORECASE,
)


def explained_term(text: str | None) -> str | None:
    """The explanation of the one word the message asks the meaning of, or None."""
    value = text or ""
    if not _ASKS_MEANING.search(value):
        return None
    found = [t for t in TERMS.values() if re.search(rf"\b(?:{t.pattern})\b", value, re.I)]
    return found[0].explanation if len(found) == 1 else None
