"""Practising the conversation: Koers plays the manager, the employee answers.

The likely reactions follow from what holds the employee back and what they ask for; each comes
with a strong answer to learn from. Feedback on the employee's own answer looks for what makes
an answer work in this conversation: saying you want to stay and grow, a concrete proposal,
and a link to the work. Pure functions, so the coaching is predictable and testable.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.preparation.questions import ASKS


@dataclass(frozen=True)
class Reaction:
    key: str
    manager_says: str
    strong_answer: str


REACTIONS: dict[str, Reaction] = {
    reaction.key: reaction
    for reaction in (
        Reaction(
            "weg",
            "Je wilt zeker weg, hè?",
            "Nee, ik wil juist hier blijven groeien. Ik doe mijn werk graag. "
            "Daarom wil ik er iets bij leren.",
        ),
        Reaction(
            "tijd",
            "Het is nu erg druk. Daar hebben we geen tijd voor.",
            "Dat snap ik. Zullen we twee uur per maand afspreken? "
            "Dan plannen we het buiten de drukste weken.",
        ),
        Reaction(
            "geld",
            "Daar is geen budget voor.",
            "Er is een loopbaanbudget in de cao. Ik kan ook een voucher van 375 euro gebruiken. "
            "Dat kost de afdeling niets.",
        ),
        Reaction(
            "waarom",
            "Waarom wil je dat eigenlijk?",
            "Mijn werk verandert door digitalisering. Ik wil daar klaar voor zijn. "
            "En ik merk dat ik hier energie van krijg.",
        ),
        Reaction(
            "later",
            "Laten we dat volgend jaar bespreken.",
            "Ik wil graag nu een kleine stap zetten. Zullen we over een maand kijken hoe het gaat?",
        ),
        Reaction(
            "reorganisatie",
            "Ik weet zelf ook nog niet wat er gaat gebeuren.",
            "Dat begrijp ik. Wat weten we al wel? En bij wie kan ik terecht met vragen? "
            "Ik wil me goed voorbereiden.",
        ),
        Reaction(
            "leeftijd",
            "Is dat nog wel nodig, in jouw fase?",
            "Ik werk nog jaren. Ik wil goed en fit blijven in mijn werk. Daar help ik het team ook "
            "mee.",
        ),
    )
}

_BARRIER_REACTION = {
    "tijd": "tijd",
    "geld": "geld",
    "leidinggevende": "weg",
    "leeftijd": "leeftijd",
    "motivatie": "waarom",
    "onbekend_aanbod": "waarom",
    "prive": "later",
}


def likely_reactions(
    barrier: str | None = None, kind: str | None = None, asks: list[str] | None = None
) -> tuple[Reaction, Reaction]:
    """Two reactions the manager may give: one for the barrier, one for the kind or request."""
    first = _BARRIER_REACTION.get(barrier or "", "weg")
    if kind == "reorganisatie":
        second = "reorganisatie"
    elif ASKS["budget"] in (asks or []) or ASKS["coach"] in (asks or []):
        second = "geld"
    elif ASKS["tijd"] in (asks or []):
        second = "tijd"
    else:
        second = "waarom"
    if second == first:
        second = "later" if first != "later" else "waarom"
    return REACTIONS[first], REACTIONS[second]


_STAY_RE = re.compile(r"\b(?:blijv|hier|gemeente|team|afdeling|organisatie|graag)", re.I)
_PROPOSAL_RE = re.compile(
    r"\b(?:voorstel|stel\s+voor|afspre|afspraak|kunnen\s+we|zullen\s+we|wil\s+graag|plan|"
    r"uur|uren|dag|week|maand|proberen|eerst)|\d",
    re.I,
)
_WORK_RE = re.compile(
    r"\b(?:werk|taken|leren|ontwikkel|digitaal|digitalisering|vak|klanten|inwoners|collega)", re.I
)
_HEDGE_RE = re.compile(r"\b(?:sorry|misschien|weet\s+niet|geen\s+idee|eigenlijk\s+niks)", re.I)
MIN_WORDS = 6


def answer_feedback(answer: str, reaction: Reaction) -> str:
    """Short, kind feedback: what works in the answer, and one tip to make it stronger."""
    text = answer or ""
    good: list[str] = []
    tips: list[str] = []
    if len(text.split()) < MIN_WORDS:
        tips.append("Zeg iets meer. Twee of drie zinnen werken het best.")
    if reaction.key in {"weg", "leeftijd"}:
        if _STAY_RE.search(text):
            good.append("Je laat merken dat je hier wilt blijven groeien.")
        else:
            tips.append("Zeg erbij dat je graag bij de gemeente blijft.")
    if _PROPOSAL_RE.search(text):
        good.append("Je doet een concreet voorstel.")
    else:
        tips.append("Doe een klein, concreet voorstel. Bijvoorbeeld: twee uur per maand.")
    if _WORK_RE.search(text):
        good.append("Je legt een link met je werk.")
    if _HEDGE_RE.search(text):
        tips.append("Laat 'sorry' en 'misschien' weg. Zo klink je zekerder.")
    praise = good[0] if good else "Goed dat je het probeert."
    tip = tips[0] if tips else "Sterk antwoord. Zo kun je het zeggen."
    return f"{praise} {tip}"
