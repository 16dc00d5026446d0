"""A career direction the employee names in words ("ik wil juist omhoog, schaal 8").

The scan's result is how the employee sees themself in 14 answers; what they say they want
counts as much. "klopt dit wel? ik wil juist omhoog, niet alleen wat taken erbij" got the
general text about the result (walkthrough 2026-12-03c): Koers now takes the wish and shows
the steps of that direction. Pure functions, no Rasa.
"""

from __future__ import annotations

import re

from bot.scan.questions import BUITEN, VERBREDEN, VERDIEPEN, VERLEGGEN, VERTICAAL
from bot.scan.scoring import DIRECTION_LABELS, NEXT_STEPS, NextStep

#: Words per direction, in the order they are tried (the first one named, not negated, wins).
_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        VERTICAAL,
        re.compile(
            r"\b(?:omhoog|doorgroeien|doorgroei|hogere\s+schaal|schaal\s+(?:[4-9]|1[0-2])\b|"
            r"promotie|meer\s+verantwoordelijkheid|leidinggevende\s+worden|teamleider\s+worden|"
            r"stap\s+omhoog|hogerop|carri[eè]re\s+maken)"
        ),
    ),
    (
        BUITEN,
        re.compile(r"\b(?:andere\s+(?:gemeente|werkgever|organisatie)|buiten\s+de\s+gemeente)"),
    ),
    (
        VERLEGGEN,
        re.compile(
            r"\b(?:ander\s+werk|andere\s+(?:afdeling|richting|functie)|iets\s+heel\s+anders)"
        ),
    ),
    (VERBREDEN, re.compile(r"\b(?:nieuwe\s+taken|taken\s+erbij|projecten?\s+erbij|breder)")),
    (VERDIEPEN, re.compile(r"\b(?:beter\s+worden\s+in|specialist|verdiepen|meer\s+vakkennis)")),
)
_CLAUSE = re.compile(r"[,;.!?]|\s(?:maar|en|of)\s")
_NOT = re.compile(r"\b(?:niet|geen|nooit)\b")


def wished_direction(text: str) -> str | None:
    """The direction a message says the employee wants, or None (negated ones skipped:
    "niet alleen wat taken erbij" is no wish to broaden)."""
    lowered = text.lower()
    for clause in _CLAUSE.split(lowered):
        if _NOT.search(clause):
            continue
        for direction, words in _WORDS:
            if words.search(clause):
                return direction
    return None


def own_wish_text(wished: str, result: str | None) -> tuple[str, tuple[NextStep, ...]] | None:
    """What Koers adds when the employee names a direction other than the scan's result:
    the wish taken seriously, with that direction's next steps. None when it is the same."""
    if wished == result:
        return None
    label = DIRECTION_LABELS[wished].split(":")[0]
    steps = NEXT_STEPS[wished]
    lines = [
        f"Jij zegt zelf wat je wilt: {label.lower()}. Dat telt net zo zwaar als de scan.",
        "Hierbij passen deze stappen:",
        *(f"- {step.explanation}" for step in steps),
    ]
    return "\n".join(lines), steps
