"""The scan's questions, grouped in five dimensions.

Each question is a statement the employee rates on a five-point scale. Its weights say how a
rating above or below the middle moves the six career directions; ``strength`` names the
strength category that a high rating points to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

VERDIEPEN = "verdiepen"
VERBREDEN = "verbreden"
VERTICAAL = "verticaal"
VERLEGGEN = "verleggen"
BUITEN = "buiten"
BLIJVEN_VITAAL = "blijven_vitaal"

#: Fixed order: also the tie-break when two directions score the same.
DIRECTIONS: tuple[str, ...] = (VERDIEPEN, VERBREDEN, VERTICAAL, VERLEGGEN, BUITEN, BLIJVEN_VITAAL)

DIMENSIONS: Mapping[str, str] = MappingProxyType(
    {
        "energie": "Wat je energie geeft",
        "sterktes": "Waar je goed in bent",
        "drijfveren": "Wat je belangrijk vindt",
        "verandering": "Digitaal werken en verandering",
        "beweging": "Leren en in beweging komen",
    }
)

#: The five-point scale in words, from 1 to 5, as shown on the buttons.
SCALE_LABELS: tuple[str, ...] = (
    "Klopt helemaal niet",
    "Klopt niet zo",
    "Soms",
    "Klopt wel",
    "Klopt helemaal",
)


@dataclass(frozen=True)
class Question:
    slot: str
    dimension: str
    text: str
    weights: Mapping[str, float] = field(default_factory=dict)
    strength: str | None = None
    #: Reason shown when a high rating (4-5) supports the chosen direction.
    reason_high: str = ""
    #: Reason shown when a low rating (1-2) supports the chosen direction.
    reason_low: str = ""


QUESTIONS: tuple[Question, ...] = (
    Question(
        "scan_q01",
        "energie",
        "Mijn werk zoals het nu is, geeft me energie.",
        {VERDIEPEN: 1.5, BLIJVEN_VITAAL: 0.5, VERLEGGEN: -1.0, BUITEN: -0.5},
        reason_high="Je krijgt energie van je huidige werk.",
        reason_low="Je huidige werk geeft je weinig energie.",
    ),
    Question(
        "scan_q02",
        "energie",
        "Ik help graag inwoners of collega's direct verder.",
        {VERDIEPEN: 0.5},
        strength="contact",
        reason_high="Je helpt graag mensen verder.",
    ),
    Question(
        "scan_q03",
        "energie",
        "Ik werk graag precies en volgens vaste afspraken.",
        {VERDIEPEN: 0.5, BLIJVEN_VITAAL: 0.5},
        strength="nauwkeurig",
        reason_high="Je werkt graag precies en zorgvuldig.",
    ),
    Question(
        "scan_q04",
        "sterktes",
        "Collega's komen vaak naar mij met lastige vragen.",
        {VERDIEPEN: 1.0, VERTICAAL: 1.0},
        strength="oplossen",
        reason_high="Collega's zien jou als iemand die problemen oplost.",
    ),
    Question(
        "scan_q05",
        "sterktes",
        "Ik zie vaak hoe iets slimmer of beter kan.",
        {VERBREDEN: 1.0, VERTICAAL: 0.5, VERLEGGEN: 0.5},
        strength="verbeteren",
        reason_high="Je ziet vaak hoe het werk beter kan.",
    ),
    Question(
        "scan_q06",
        "sterktes",
        "Ik houd graag overzicht en plan werk voor mezelf en anderen.",
        {VERTICAAL: 1.5, VERBREDEN: 0.5},
        strength="organiseren",
        reason_high="Je houdt graag overzicht en plant werk voor anderen.",
    ),
    Question(
        "scan_q07",
        "drijfveren",
        "Ik wil graag meer verantwoordelijkheid of een hogere functie.",
        {VERTICAAL: 3.0},
        reason_high="Je wilt graag meer verantwoordelijkheid.",
    ),
    Question(
        "scan_q08",
        "drijfveren",
        "Ik wil graag ander werk doen, in een ander vakgebied.",
        {VERLEGGEN: 3.0, VERDIEPEN: -1.0},
        reason_high="Je wilt graag ander werk doen.",
        reason_low="Je wilt in je eigen vakgebied blijven.",
    ),
    Question(
        "scan_q09",
        "drijfveren",
        "Zekerheid en een vaste plek zijn voor mij heel belangrijk.",
        {BLIJVEN_VITAAL: 1.5, VERDIEPEN: 0.5, BUITEN: -1.5, VERLEGGEN: -0.5},
        reason_high="Zekerheid en een vaste plek zijn belangrijk voor je.",
        reason_low="Zekerheid houdt je niet tegen om iets nieuws te doen.",
    ),
    Question(
        "scan_q10",
        "verandering",
        "Ik werk makkelijk met nieuwe computerprogramma's en apps.",
        {VERBREDEN: 0.5, VERLEGGEN: 0.5, BLIJVEN_VITAAL: -0.5},
        strength="digitaal",
        reason_high="Je werkt makkelijk met nieuwe programma's en apps.",
        reason_low="Nieuwe programma's en apps kosten je moeite.",
    ),
    Question(
        "scan_q11",
        "verandering",
        "Als mijn werk verandert, zie ik dat als een kans.",
        {VERBREDEN: 1.0, VERLEGGEN: 1.0, BUITEN: 0.5, BLIJVEN_VITAAL: -1.0},
        strength="flexibel",
        reason_high="Je ziet verandering als een kans.",
        reason_low="Verandering voelt voor jou niet als een kans.",
    ),
    Question(
        "scan_q12",
        "beweging",
        "Ik wil graag nieuwe taken of projecten naast mijn vaste werk.",
        {VERBREDEN: 3.0},
        reason_high="Je wilt graag nieuwe taken of projecten erbij.",
    ),
    Question(
        "scan_q13",
        "beweging",
        "Ik sta open voor werk bij een andere organisatie.",
        {BUITEN: 3.0},
        reason_high="Je staat open voor werk bij een andere organisatie.",
        reason_low="Je wilt graag bij je eigen gemeente blijven.",
    ),
    Question(
        "scan_q14",
        "beweging",
        "Ik voel me fit genoeg om dit werk nog jaren te doen.",
        {BLIJVEN_VITAAL: -2.5, VERDIEPEN: 0.5},
        reason_high="Je voelt je fit voor je werk.",
        reason_low="Je voelt je niet altijd fit genoeg voor je werk.",
    ),
)

SCAN_SLOTS: tuple[str, ...] = tuple(q.slot for q in QUESTIONS)

STRENGTH_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "contact": "Mensen helpen en contact maken",
        "nauwkeurig": "Nauwkeurig en zorgvuldig werken",
        "oplossen": "Problemen oplossen",
        "verbeteren": "Het werk slimmer maken",
        "organiseren": "Overzicht houden en plannen",
        "digitaal": "Werken met digitale hulpmiddelen",
        "flexibel": "Omgaan met verandering",
    }
)


def question_for_slot(slot: str) -> Question:
    for question in QUESTIONS:
        if question.slot == slot:
            return question
    raise KeyError(slot)


def question_number(slot: str) -> int:
    """1-based position of the question, for "vraag 3 van 14"."""
    return SCAN_SLOTS.index(slot) + 1
