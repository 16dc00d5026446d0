"""Turn scan answers into top strengths and a suggested career direction, with reasons.

Pure functions: the action server calls :func:`score_scan` and formats the result; tests call
it directly. A rating counts from the middle of the scale (3), so "soms" moves nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from bot.scan.questions import (
    BLIJVEN_VITAAL,
    BUITEN,
    DIRECTIONS,
    QUESTIONS,
    STRENGTH_LABELS,
    VERBREDEN,
    VERDIEPEN,
    VERLEGGEN,
    VERTICAAL,
)

DIRECTION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        VERDIEPEN: "Verdiepen: groeien in je huidige werk",
        VERBREDEN: "Verbreden: nieuwe taken erbij",
        VERTICAAL: "Een stap omhoog: meer verantwoordelijkheid",
        VERLEGGEN: "Verleggen: een andere richting kiezen",
        BUITEN: "Buiten de deur: werk bij een andere werkgever",
        BLIJVEN_VITAAL: "Blijven en vitaal: fit blijven in je werk",
    }
)

DIRECTION_EXPLANATIONS: Mapping[str, str] = MappingProxyType(
    {
        VERDIEPEN: "Je blijft in je vak en wordt er nog beter in.",
        VERBREDEN: "Je houdt je baan en pakt er nieuwe taken of projecten bij.",
        VERTICAAL: "Je groeit naar een functie met meer verantwoordelijkheid.",
        VERLEGGEN: "Je kiest voor ander werk, bijvoorbeeld bij een andere afdeling.",
        BUITEN: "Je kijkt ook buiten je gemeente, bijvoorbeeld bij een andere overheid.",
        BLIJVEN_VITAAL: "Je blijft in je werk en zorgt dat je fit en bij blijft.",
    }
)


@dataclass(frozen=True)
class NextStep:
    title: str
    payload: str
    explanation: str


_COACH = NextStep(
    "Praat met een loopbaancoach",
    "/request_coach",
    "Een onafhankelijke loopbaancoach denkt met je mee.",
)
_PREPARE = NextStep(
    "Bereid je gesprek voor",
    "/prepare_conversation",
    "Ik help je het gesprek met je leidinggevende voor te bereiden.",
)
_WORKSHOPS = NextStep(
    "Bekijk de workshops",
    "/ask_workshops",
    "Met de voucher van 375 euro kies je een workshop.",
)
_EVC = NextStep(
    "Is EVC iets voor mij?",
    "/check_evc",
    "Met EVC laat je zien wat je in de praktijk al hebt geleerd. Ik kijk met je of het past.",
)
_OPPORTUNITIES = NextStep(
    "Bekijk kansen in de regio",
    "/find_opportunities",
    "Ik zoek vacatures, meeloopstages en trainingen in de regio die bij je passen.",
)
_WORK_TIME = NextStep(
    "Mag dat in werktijd?",
    "Mag ik daar werktijd voor gebruiken?",
    "Leren in werktijd spreek je af met je leidinggevende.",
)

NEXT_STEPS: Mapping[str, tuple[NextStep, ...]] = MappingProxyType(
    {
        VERDIEPEN: (_WORKSHOPS, _EVC, _PREPARE),
        VERBREDEN: (_OPPORTUNITIES, _PREPARE, _WORKSHOPS),
        VERTICAAL: (_OPPORTUNITIES, _PREPARE, _EVC),
        VERLEGGEN: (_COACH, _OPPORTUNITIES, _WORKSHOPS),
        BUITEN: (_COACH, _OPPORTUNITIES, _PREPARE),
        BLIJVEN_VITAAL: (_WORKSHOPS, _WORK_TIME, _PREPARE),
    }
)

MIDDLE = 3
MAX_REASONS = 3


@dataclass(frozen=True)
class ScanResult:
    direction: str
    direction_scores: Mapping[str, float]
    top_strengths: tuple[str, ...]
    reasons: tuple[str, ...]
    clear_preference: bool

    @property
    def direction_label(self) -> str:
        return DIRECTION_LABELS[self.direction]

    @property
    def strength_labels(self) -> tuple[str, ...]:
        return tuple(STRENGTH_LABELS[key] for key in self.top_strengths)

    @property
    def next_steps(self) -> tuple[NextStep, ...]:
        return NEXT_STEPS[self.direction]


def _checked(answers: Mapping[str, int]) -> dict[str, int]:
    checked: dict[str, int] = {}
    for question in QUESTIONS:
        value = answers.get(question.slot)
        if value is None:
            raise ValueError(f"missing answer for {question.slot}")
        rating = int(value)
        if not 1 <= rating <= 5 or rating != value:
            raise ValueError(f"answer for {question.slot} must be 1-5, got {value!r}")
        checked[question.slot] = rating
    return checked


def direction_scores(answers: Mapping[str, int]) -> dict[str, float]:
    ratings = _checked(answers)
    scores = dict.fromkeys(DIRECTIONS, 0.0)
    for question in QUESTIONS:
        offset = ratings[question.slot] - MIDDLE
        for direction, weight in question.weights.items():
            scores[direction] += weight * offset
    return scores


def top_strengths(answers: Mapping[str, int], count: int = 3) -> tuple[str, ...]:
    """Strength categories of the highest-rated strength questions (ties: question order)."""
    ratings = _checked(answers)
    rated = [
        (ratings[q.slot], -index, q.strength)
        for index, q in enumerate(QUESTIONS)
        if q.strength is not None
    ]
    rated.sort(reverse=True)
    return tuple(strength for _, _, strength in rated[:count] if strength is not None)


def reasons_for(direction: str, answers: Mapping[str, int]) -> tuple[str, ...]:
    """The answers that pushed most towards ``direction``, as short sentences."""
    ratings = _checked(answers)
    contributions: list[tuple[float, int, str]] = []
    for index, question in enumerate(QUESTIONS):
        offset = ratings[question.slot] - MIDDLE
        contribution = question.weights.get(direction, 0.0) * offset
        if contribution <= 0:
            continue
        reason = question.reason_high if offset > 0 else question.reason_low
        if reason:
            contributions.append((contribution, -index, reason))
    contributions.sort(reverse=True)
    return tuple(reason for _, _, reason in contributions[:MAX_REASONS])


def score_scan(answers: Mapping[str, int]) -> ScanResult:
    scores = direction_scores(answers)
    best = max(DIRECTIONS, key=lambda d: (scores[d], -DIRECTIONS.index(d)))
    clear = scores[best] > 0
    if not clear:
        best = VERDIEPEN
    return ScanResult(
        direction=best,
        direction_scores=MappingProxyType(scores),
        top_strengths=top_strengths(answers),
        reasons=reasons_for(best, answers) if clear else (),
        clear_preference=clear,
    )


def format_result(result: ScanResult) -> str:
    """The result message in plain Dutch (B1): direction, why, strengths."""
    lines = [f"Je uitslag: **{result.direction_label}**.", DIRECTION_EXPLANATIONS[result.direction]]
    if result.reasons:
        lines.append("Waarom past dit bij jou?")
        lines.extend(f"- {reason}" for reason in result.reasons)
    else:
        lines.append(
            "Je antwoorden wijzen niet duidelijk één kant op. Dat is heel normaal. "
            "Beter worden in je huidige werk is dan een goede eerste stap."
        )
    lines.append("Je sterke punten:")
    lines.extend(f"- {label}" for label in result.strength_labels)
    return "\n".join(lines)


def format_next_steps(result: ScanResult) -> str:
    lines = ["Wat kun je nu doen? Kies een stap:"]
    lines.extend(f"- {step.explanation}" for step in result.next_steps)
    return "\n".join(lines)
