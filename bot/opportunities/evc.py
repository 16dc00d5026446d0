"""The short EVC check: "Is EVC iets voor mij?", answered honestly in plain Dutch.

EVC (Erkenning van Verworven Competenties) records what someone learned in practice in an
ervaringscertificaat; some employees later turn that certificate into a recognised diploma
(the outdoor-service staff of one municipality, Aalten, did). The check asks three skippable
questions: years of experience in the field, highest diploma and what the certificate is for.
The answer says whether EVC seems to fit, what it involves and how to start (P&O, the career
budget). It states no durations, prices or rules: those differ per employer and provider, so
Koers sends the employee to P&O for them. The two-year line below is Koers' own rule of thumb
("little experience means little to show"), not a rule of EVC, and the text says so plainly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType

FITS, MAYBE, OTHER_ROUTE, NOT_YET = "fits", "maybe", "other_route", "not_yet"
VERDICTS = (FITS, MAYBE, OTHER_ROUTE, NOT_YET)

#: Little experience means little to show; Koers' rule of thumb, not a rule of EVC.
FEW_YEARS = 2
MAX_YEARS = 60

#: Highest diploma, low to high.
DIPLOMAS = MappingProxyType(
    {
        "geen": 0,
        "vmbo": 1,
        "mbo_1_2": 2,
        "mbo_3_4": 3,
        "havo_vwo": 3,
        "hbo": 4,
        "wo": 5,
    }
)
HIGHER_EDUCATION = 4

GOAL_DIPLOMA = "diploma"  # turn experience into a recognised diploma
GOAL_INSIGHT = "inzicht"  # see what I can do
GOAL_MOVE = "overstap"  # show what I can do when applying elsewhere
GOAL_LEARN = "leren"  # learn something new
GOALS = (GOAL_DIPLOMA, GOAL_INSIGHT, GOAL_MOVE, GOAL_LEARN)

_DIPLOMA_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bgeen\b|\bniks\b|\bniets\b|basisschool|lagere school", "geen"),
    (r"\bwo\b|universiteit|master|\bdoctoraal", "wo"),
    (r"\bhbo\b|hogeschool|bachelor", "hbo"),
    (r"\bmbo\s*-?\s*[34]\b|\bmbo\s*niveau\s*[34]\b|\bniveau\s*[34]\b", "mbo_3_4"),
    (r"\bmbo\s*-?\s*[12]\b|\bmbo\s*niveau\s*[12]\b|\bniveau\s*[12]\b", "mbo_1_2"),
    (r"\bmbo\b", "mbo_3_4"),
    (r"\bhavo\b|\bvwo\b|atheneum|gymnasium", "havo_vwo"),
    (r"\bvmbo\b|\bmavo\b|\blbo\b|\bvbo\b|\bmulo\b", "vmbo"),
)
_GOAL_WORDS: tuple[tuple[str, str], ...] = (
    (r"diploma|papiertje|erkend|bevoegdheid", GOAL_DIPLOMA),
    (
        r"solliciter|overstap|ander werk|andere baan|nieuwe baan|\bweg\b|hogere\s+functie|"
        r"doorgroei|promotie|\bschaal\s*\d+|hoger\s+(?:op|komen|functie)",
        GOAL_MOVE,
    ),
    (r"\bleren\b|cursus|opleiding|iets nieuws|bijleren", GOAL_LEARN),
    (r"inzicht|weten wat ik kan|zien wat ik kan|wat ik kan|zelfvertrouwen", GOAL_INSIGHT),
)


def normalize_diploma(text: str | None) -> str | None:
    """A key of :data:`DIPLOMAS` from the employee's words ("mbo 4", "hbo"), else None."""
    if text is None:
        return None
    folded = text.strip().lower().replace("-", " ")
    if folded in DIPLOMAS:
        return folded
    for pattern, key in _DIPLOMA_WORDS:
        if re.search(pattern, folded):
            return key
    return None


def normalize_goal(text: str | None) -> str | None:
    """A key of :data:`GOALS` from the employee's words, else None."""
    if text is None:
        return None
    folded = text.strip().lower()
    if folded in GOALS:
        return folded
    for pattern, key in _GOAL_WORDS:
        if re.search(pattern, folded):
            return key
    return None


WHAT_IT_INVOLVES = (
    "EVC betekent: Erkenning van Verworven Competenties. "
    "Je laat zien wat je in je werk al hebt geleerd. "
    "Dat wordt vastgelegd in een ervaringscertificaat. "
    "Soms kun je dat certificaat later omzetten in een erkend diploma. "
    "Bij de gemeente Aalten kreeg de buitendienst een EVC-traject aangeboden. "
    "Een paar collega's zetten hun certificaat nu om in een erkend diploma."
)
HOW_TO_START = (
    "Zo begin je: vraag P&O of je gemeente EVC aanbiedt. "
    "Vraag ook of je je loopbaanbudget ervoor mag gebruiken. "
    "Hoe lang het duurt en wat het kost, verschilt. P&O weet dat voor jouw situatie. "
    "Je kunt het ook noemen in het gesprek met je leidinggevende."
)

_HEADLINES = MappingProxyType(
    {
        FITS: "EVC kan goed bij je passen.",
        MAYBE: "EVC kan bij je passen. Het hangt af van wat je wilt.",
        OTHER_ROUTE: "EVC is waarschijnlijk niet de beste stap voor jou.",
        NOT_YET: "EVC past nu waarschijnlijk nog niet zo goed.",
    }
)


@dataclass(frozen=True)
class EvcAdvice:
    verdict: str
    headline: str
    reasons: tuple[str, ...]
    what_it_involves: str = WHAT_IT_INVOLVES
    how_to_start: str = HOW_TO_START

    @property
    def text(self) -> str:
        """The whole answer for the chat, in short paragraphs."""
        parts = [" ".join((self.headline, *self.reasons)), self.what_it_involves]
        if self.verdict != OTHER_ROUTE:
            parts.append(self.how_to_start)
        else:
            parts.append("Wil je toch meer weten over EVC? Vraag het dan aan P&O.")
        return "\n\n".join(parts)


def _checked(
    years_experience: int | None, highest_diploma: str | None, goal: str | None
) -> tuple[int | None, str | None, str | None]:
    if years_experience is not None and (
        isinstance(years_experience, bool) or not 0 <= years_experience <= MAX_YEARS
    ):
        raise ValueError(f"years_experience must be 0-{MAX_YEARS}, not {years_experience!r}")
    diploma = normalize_diploma(highest_diploma) if highest_diploma is not None else None
    if highest_diploma is not None and diploma is None:
        raise ValueError(f"unknown diploma {highest_diploma!r}")
    aim = normalize_goal(goal) if goal is not None else None
    if goal is not None and aim is None:
        raise ValueError(f"unknown goal {goal!r}")
    return years_experience, diploma, aim


def evc_advice(
    years_experience: int | None, highest_diploma: str | None, goal: str | None
) -> EvcAdvice:
    """An honest answer to "is EVC iets voor mij?"; every question may be skipped (None).

    Raises ValueError for values outside the check (negative years, an unknown diploma or
    goal): the chat normalises the employee's words first (:func:`normalize_diploma`,
    :func:`normalize_goal`) and asks again when they give None.
    """
    years, diploma, aim = _checked(years_experience, highest_diploma, goal)
    level = DIPLOMAS[diploma] if diploma is not None else None
    if aim == GOAL_LEARN:
        return EvcAdvice(
            OTHER_ROUTE,
            _HEADLINES[OTHER_ROUTE],
            (
                "Met EVC leer je niets nieuws. Het laat zien wat je al kunt.",
                "Wil je iets nieuws leren? Dan past een opleiding of training beter.",
            ),
        )
    if years is not None and years < FEW_YEARS:
        return EvcAdvice(
            NOT_YET,
            _HEADLINES[NOT_YET],
            (
                "Je werkt nog maar kort in dit vak.",
                "Bij EVC gaat het om wat je in de praktijk hebt geleerd.",
                "Met een paar jaar ervaring heb je meer te laten zien.",
            ),
        )
    reasons: list[str] = []
    verdict = MAYBE
    experienced = years is not None
    if experienced:
        reasons.append(f"Je hebt {years} jaar ervaring in je vak. Dat kun je laten zien.")
    if level is not None and level < HIGHER_EDUCATION:
        if experienced:
            verdict = FITS
        reasons.append("Met EVC telt je ervaring mee, ook zonder diploma dat erbij past.")
    elif level is not None and aim == GOAL_DIPLOMA:
        reasons.append(
            "Je hebt al een diploma op hoog niveau. Vraag P&O of EVC dan nog iets toevoegt."
        )
    elif level is not None and experienced and aim in (GOAL_INSIGHT, GOAL_MOVE):
        verdict = FITS
    if aim == GOAL_DIPLOMA and verdict == FITS:
        reasons.append("Soms leidt het certificaat tot een erkend diploma.")
    elif aim == GOAL_INSIGHT:
        reasons.append("Met EVC zie je zwart op wit wat je allemaal kunt.")
    elif aim == GOAL_MOVE:
        reasons.append("Met een ervaringscertificaat laat je zien wat je kunt als je solliciteert.")
    if not reasons:
        reasons.append("EVC is bedoeld voor mensen met veel ervaring in hun vak.")
    return EvcAdvice(verdict, _HEADLINES[verdict], tuple(reasons))
