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
    #: Words in the employee's worry that make this reaction the one to practise first.
    topics: tuple[str, ...] = ()


REACTIONS: dict[str, Reaction] = {
    reaction.key: reaction
    for reaction in (
        Reaction(
            "weg",
            "Je wilt zeker weg, hè?",
            "Nee, ik wil juist hier blijven groeien. Ik doe mijn werk graag. "
            "Daarom wil ik er iets bij leren.",
            ("weg", "vertrek", "denkt dat ik", "ontrouw", "solliciteren", "vacature"),
        ),
        Reaction(
            "tijd",
            "Het is nu erg druk. Daar hebben we geen tijd voor.",
            "Dat snap ik. Zullen we twee uur per maand afspreken? "
            "Dan plannen we het buiten de drukste weken.",
            (
                "tijd",
                "druk",
                "uren",
                "werkdruk",
                "bezetting",
                "rooster",
                "niemand anders",
                "vervang",
                "loket",
            ),
        ),
        Reaction(
            "geld",
            "Daar is geen budget voor.",
            "Er is een loopbaanbudget in de cao. Ik kan ook een voucher van 375 euro gebruiken. "
            "Dat kost de afdeling niets.",
            ("geld", "budget", "kosten", "betalen", "duur", "bezuinig"),
        ),
        Reaction(
            "waarom",
            "Waarom wil je dat eigenlijk?",
            "Mijn werk verandert door digitalisering. Ik wil daar klaar voor zijn. "
            "En ik merk dat ik hier energie van krijg.",
            ("waarom", "uitleggen", "snapt", "begrijpt", "motivatie", "serieus"),
        ),
        Reaction(
            "later",
            "Laten we dat volgend jaar bespreken.",
            "Ik wil graag nu een kleine stap zetten. Zullen we over een maand kijken hoe het gaat?",
            ("nee", "afwijz", "uitstel", "later", "wegwuiven", "niks mee"),
        ),
        Reaction(
            "leeftijd",
            "Is dat nog wel nodig, in jouw fase?",
            "Ik werk nog jaren. Ik wil goed en fit blijven in mijn werk. Daar help ik het team ook "
            "mee.",
            ("oud", "leeftijd", "pensioen", "fase"),
        ),
        Reaction(
            "jong",
            "Daar ben je nog wat jong voor. Doe eerst meer ervaring op.",
            "Ik leer snel en ik wil nu groeien. Kan ik klein beginnen? "
            "Bijvoorbeeld met een project erbij.",
            ("jong", "ervaring", "te kort", "net begonnen", "nieuw"),
        ),
        Reaction(
            "resultaat",
            "Eerst moeten je resultaten beter worden.",
            "Daar wil ik graag aan werken. Wat moet er beter? "
            "Een cursus kan mij daar juist bij helpen.",
            ("beoordel", "resultaat", "kritiek", "slecht", "fout", "functioner", "oordeel"),
        ),
        Reaction(
            "wachten",
            "Kan dit niet wachten tot je jaargesprek?",
            "Ik wil het nu even kort bespreken. Dan kan ik alvast iets voorbereiden. "
            "Heb je tien minuten deze week?",
            ("wacht", "moment", "storen", "lastig", "kort"),
        ),
        Reaction(
            "reorganisatie",
            "Ik weet zelf ook nog niet wat er gaat gebeuren.",
            "Dat begrijp ik. Wat weten we al wel? En bij wie kan ik terecht met vragen? "
            "Ik wil me goed voorbereiden.",
            ("onzeker", "weet niet", "onduidelijk", "niemand weet", "vaag"),
        ),
        Reaction(
            "reorg_plek",
            "Jouw functie verandert. Daar kan ik nu niets aan doen.",
            "Dat is lastig om te horen. Welke functies komen er? "
            "Ik wil graag weten waar mijn ervaring past.",
            ("baan kwijt", "boventallig", "functie", "plek", "ontslag", "verlies", "kwijt"),
        ),
        Reaction(
            "reorg_kans",
            "Zie het maar als een kans. Wat wil je zelf?",
            "Ik wil graag bij de gemeente blijven. Ik ben goed in plannen en contact met "
            "inwoners. Kan ik een loopbaangesprek krijgen om mijn kansen te zien?",
            ("kans", "zelf", "keuze", "richting", "wat ik wil"),
        ),
        Reaction(
            "reorg_afwachten",
            "Wacht maar af tot het plan klaar is.",
            "Ik wil niet stil blijven zitten. Mag ik alvast een cursus doen of meelopen bij een "
            "andere afdeling? Wanneer horen we meer?",
            ("afwacht", "niks horen", "stil", "te laat", "wachten"),
        ),
        Reaction(
            "po_leidinggevende",
            "Heb je dit al met je leidinggevende besproken?",
            "Nog niet. Ik wil eerst weten wat er kan. Daarna ga ik met mijn leidinggevende "
            "praten. Welke regels gelden er?",
            ("leidinggevende", "manager", "baas", "achter de rug", "rug"),
        ),
    )
}

#: Plausible reactions per kind of conversation, most likely first. A reorganisation is about
#: the employee's place, so "Je wilt zeker weg, hè?" is no reaction there.
KIND_REACTIONS: dict[str, tuple[str, ...]] = {
    "ontwikkelgesprek": ("waarom", "tijd", "geld", "later", "weg", "jong", "leeftijd"),
    "jaargesprek": ("weg", "resultaat", "tijd", "geld", "waarom", "leeftijd", "jong", "later"),
    "tussendoor": ("wachten", "tijd", "waarom", "geld", "later", "jong"),
    "reorganisatie": ("reorganisatie", "reorg_plek", "reorg_kans", "reorg_afwachten"),
}
DEFAULT_KIND = "ontwikkelgesprek"
PO_PARTY = "P&O-adviseur"

_BARRIER_REACTION = {
    "tijd": "tijd",
    "geld": "geld",
    "leidinggevende": "weg",
    "leeftijd": "leeftijd",
    "motivatie": "waarom",
    "onbekend_aanbod": "waarom",
    "prive": "later",
}


def _ask_reaction(asks: list[str]) -> str | None:
    if ASKS["budget"] in asks or ASKS["coach"] in asks:
        return "geld"
    if ASKS["tijd"] in asks:
        return "tijd"
    return None


def _worry_reaction(worry: str | None, candidates: tuple[str, ...]) -> str | None:
    lowered = (worry or "").lower()
    for key in candidates:
        if any(topic in lowered for topic in REACTIONS[key].topics):
            return key
    return None


def likely_reactions(
    barrier: str | None = None,
    kind: str | None = None,
    asks: list[str] | None = None,
    worry: str | None = None,
    party: str | None = None,
) -> tuple[Reaction, Reaction]:
    """Two different reactions that fit this kind of conversation, the worry first.

    The worry the employee typed decides first, then the barrier, then the request; the rest
    is filled from the most likely reactions of this kind. With P&O the first check is often
    whether the manager knows.
    """
    candidates = KIND_REACTIONS.get(kind or "", KIND_REACTIONS[DEFAULT_KIND])
    if party == PO_PARTY:
        candidates = ("po_leidinggevende", *candidates)
    wanted = [
        _worry_reaction(worry, candidates),
        _BARRIER_REACTION.get(barrier or ""),
        _ask_reaction(asks or []),
        *candidates,
    ]
    if kind is None and not barrier:
        wanted.insert(3, "weg")
    chosen: list[str] = []
    for key in wanted:
        if key and key in (*candidates, "weg") and key not in chosen:
            if kind == "reorganisatie" and key == "weg":
                continue
            chosen.append(key)
    return REACTIONS[chosen[0]], REACTIONS[chosen[1]]


_STAY_RE = re.compile(r"\b(?:blijv|hier|gemeente|team|afdeling|organisatie|graag)", re.I)
_WISH_RE = re.compile(
    r"\b(?:cursus|opleiding|training|workshop|coach|meelopen|project|evc|uur|uren|dag|dagen|"
    r"week|maand|budget|voucher|taken|proef)|\d",
    re.I,
)
_WORK_RE = re.compile(
    r"\b(?:werk|taken|leren|ontwikkel|digitaal|digitalisering|vak|klanten|inwoners|collega)", re.I
)
_HEDGE_RE = re.compile(r"\b(?:sorry|misschien|weet\s+niet|geen\s+idee|eigenlijk\s+niks)", re.I)
MIN_WORDS = 6


def answer_feedback(answer: str, reaction: Reaction) -> str:
    """Short, kind feedback on what the employee typed: one thing that works, one tip.

    A short answer gets the tip to give an example; a concrete wish is praised; an answer
    without a question gets the tip to ask one back, which keeps the conversation going.
    """
    text = answer or ""
    good: list[str] = []
    tips: list[str] = []
    if len(text.split()) < MIN_WORDS:
        tips.append("Geef een voorbeeld uit je werk. Dan wordt je antwoord sterker.")
    if reaction.key in {"weg", "leeftijd"}:
        if _STAY_RE.search(text):
            good.append("Je laat merken dat je hier wilt blijven groeien.")
        else:
            tips.append("Zeg erbij dat je graag bij de gemeente blijft.")
    if _WISH_RE.search(text):
        good.append("Goed dat je concreet zegt wat je wilt.")
    else:
        tips.append("Noem concreet wat je wilt. Bijvoorbeeld: een cursus of twee uur per maand.")
    if "?" not in text:
        tips.append("Stel ook een vraag terug. Bijvoorbeeld: wat vind jij ervan?")
    if _WORK_RE.search(text):
        good.append("Je legt een link met je werk.")
    if _HEDGE_RE.search(text):
        tips.append("Laat 'sorry' en 'misschien' weg. Zo klink je zekerder.")
    praise = good[0] if good else "Goed dat je het probeert."
    tip = tips[0] if tips else "Sterk antwoord!"
    return f"{praise} {tip}"
