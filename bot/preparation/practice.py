"""Practising the conversation: Koers plays the manager, the employee answers.

The likely reactions follow from what holds the employee back and what they ask for; each comes
with a strong answer to learn from. Feedback on the employee's own answer looks for what makes
an answer work in this conversation: saying you want to stay and grow, a concrete proposal,
and a link to the work. Pure functions, so the coaching is predictable and testable.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from bot.preparation.questions import ASKS


@dataclass(frozen=True)
class Reaction:
    key: str
    manager_says: str
    strong_answer: str
    #: Words in the employee's worry that make this reaction the one to practise first.
    topics: tuple[str, ...] = ()
    #: What an answer to this reaction needs (a regex), and the tip when it is missing.
    needs: str | None = None
    needs_tip: str | None = None


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
            "Er is een loopbaanbudget in de cao. En voor een workshop of een loopbaangesprek "
            "heb ik een voucher van 375 euro. Dat kost de afdeling niets.",
            ("geld", "budget", "kosten", "betalen", "duur", "bezuinig"),
            r"voucher|budget|cao|potje|euro|kost|betaal",
            "Zeg waar het geld vandaan kan komen. Bijvoorbeeld de voucher of het loopbaanbudget.",
        ),
        # Walkthrough 2026-12-03b: the busy manager who puts it off and then does nothing.
        Reaction(
            "druk_later",
            "Ik heb het nu even heel druk. Daar komen we later op terug.",
            "Dat snap ik. Zullen we nu meteen een datum prikken? "
            "Dan zet ik het in de agenda en neem ik dit blad mee.",
            (
                "later op terug",
                "later terug",
                "terugkom",
                "terug komen",
                "wegwuif",
                "wuift",
                "gebeurt er niks",
                "gebeurt er niets",
                "gebeurt niks",
                "altijd druk",
                "heel druk",
                "te druk",
                "geen tijd voor mij",
            ),
            r"wanneer|datum|afspr|agenda|plan|prik|week|maand|dag\b",
            "Vraag door en prik meteen een datum. Bijvoorbeeld: 'Wanneer komen we erop terug?'",
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
            "po_regels",
            "Dat hangt af van de regels. Daar moet ik eerst naar kijken.",
            "Prima. Wanneer hoor ik het van je? En waar kan ik die regels zelf nalezen?",
            ("regels", "mag het", "recht op", "cao", "afwijz"),
            r"wanneer|datum|week|lezen|nalezen|waar",
            "Vraag wanneer je antwoord krijgt. Dan blijft het niet liggen.",
        ),
        Reaction(
            "po_afdeling",
            "Dat moet je afdeling betalen. Daar ga ik niet over.",
            "Dat snap ik. Welke budgetten zijn er? Dan vraag ik het daarna aan mijn "
            "leidinggevende. Ik kan ook de voucher van 375 euro gebruiken.",
            ("geld", "budget", "kosten", "betalen", "doorverwijz", "van het kastje"),
            r"budget|voucher|potje|welke|wie",
            "Vraag welke budgetten er zijn. Dan weet je wat je je leidinggevende kunt vragen.",
        ),
        Reaction(
            "po_passend",
            "We kijken eerst of er passend werk voor je is.",
            "Fijn. Wat telt als passend werk? En wie helpt me bij het zoeken?",
            ("passend", "baan kwijt", "boventallig", "herplaats", "ontslag"),
            r"wat|wie|wanneer|welke|\?",
            "Vraag wat 'passend werk' voor jou betekent. En wie je daarbij helpt.",
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
    "ontwikkelgesprek": (
        "waarom",
        "tijd",
        "geld",
        "later",
        "weg",
        "druk_later",
        "jong",
        "leeftijd",
    ),
    "jaargesprek": (
        "weg",
        "resultaat",
        "tijd",
        "geld",
        "druk_later",
        "waarom",
        "leeftijd",
        "jong",
        "later",
    ),
    "tussendoor": ("wachten", "druk_later", "tijd", "waarom", "geld", "later", "jong"),
    "reorganisatie": ("reorganisatie", "reorg_plek", "reorg_kans", "reorg_afwachten"),
}
#: With P&O the reactions are about rules, money and the manager, not about leaving.
PO_KIND_REACTIONS: dict[str, tuple[str, ...]] = {
    "ontwikkelgesprek": ("po_leidinggevende", "po_regels", "po_afdeling", "waarom", "wachten"),
    "jaargesprek": ("po_leidinggevende", "po_regels", "po_afdeling", "waarom"),
    "tussendoor": ("po_leidinggevende", "wachten", "po_regels", "po_afdeling"),
    "reorganisatie": ("po_passend", "reorganisatie", "po_regels", "reorg_afwachten"),
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


def _worry_reaction(worry: str | None, candidates: Sequence[str]) -> str | None:
    """The candidate whose most specific topic is in the worry ("later op terug" over "druk")."""
    lowered = (worry or "").lower()
    best: tuple[int, str] | None = None
    for key in candidates:
        found = [len(topic) for topic in REACTIONS[key].topics if topic in lowered]
        if found and (best is None or max(found) > best[0]):
            best = (max(found), key)
    return best[1] if best else None


def candidates_for(kind: str | None, party: str | None = None) -> tuple[str, ...]:
    """The plausible reactions for this kind of conversation and other party, likeliest first."""
    if party == PO_PARTY:
        return PO_KIND_REACTIONS.get(kind or "", PO_KIND_REACTIONS[DEFAULT_KIND])
    return KIND_REACTIONS.get(kind or "", KIND_REACTIONS[DEFAULT_KIND])


def likely_reactions(
    barrier: str | None = None,
    kind: str | None = None,
    asks: list[str] | None = None,
    worry: str | None = None,
    party: str | None = None,
    done: Collection[str] = (),
    wished: str | None = None,
) -> tuple[Reaction, Reaction]:
    """Two different reactions that fit this kind of conversation, the worry first.

    A line the employee asked to practise comes first; then the worry they typed, then the
    barrier, then the request; the rest is filled from the most likely reactions of this kind
    and other party. Reactions in ``done`` (practised before: "nog een keer") come only when
    nothing new is left.
    """
    candidates = candidates_for(kind, party)
    allowed = set(candidates)
    if kind is None and not barrier and party != PO_PARTY:
        allowed.add("weg")
    wanted = [
        wished if wished in REACTIONS else None,
        _worry_reaction(worry, candidates),
        _BARRIER_REACTION.get(barrier or ""),
        _ask_reaction(asks or []),
        *candidates,
    ]
    if kind is None and not barrier and party != PO_PARTY:
        wanted.insert(4, "weg")
    chosen: list[str] = []
    for fresh_only in (True, False):
        for key in wanted:
            if not key or key in chosen or len(chosen) == 2:
                continue
            if key != wished and key not in allowed:
                continue
            if kind == "reorganisatie" and key == "weg":
                continue
            if fresh_only and key in done and key != wished:
                continue
            chosen.append(key)
    return REACTIONS[chosen[0]], REACTIONS[chosen[1]]


#: "kun je niet zeggen: '...'", "kunnen we oefenen dat hij zegt ...", "wat zeg ik als ...":
#: a request to practise a line, never the employee's own practice answer.
_LINE_REQUEST_RE = re.compile(
    r"\b(?:(?:kun(?:nen)?|kan)\s+(?:je|jij|we|wij)\s+(?:\w+\s+){0,3}?oefen\w*|"
    r"oefenen\s+(?:met|dat|op|wat)|wil\s+(?:graag\s+|nog\s+)?oefenen|"
    r"(?:kun|kan)\s+(?:je|jij)\s+(?:niet|eens|ook|nou)\s+(?:\w+\s+)?zeggen|"
    r"doe\s+(?:eens|maar)\s+alsof|doen\s+alsof|zeg\s+(?:eens|maar)|speel\s+(?:eens|maar)|"
    r"wat\s+(?:kan|moet|zeg)\s+ik\s+(?:dan\s+)?(?:zeggen\s+)?als)\b",
    re.IGNORECASE,
)
#: Reactions named by who says them, not by what is said: never picked from a request.
_NOT_WISHED = frozenset({"po_leidinggevende"})


def asks_for_line(text: str | None) -> bool:
    """True when the employee asks Koers to practise a line instead of answering one."""
    return bool(_LINE_REQUEST_RE.search(text or ""))


def wished_reaction(text: str | None) -> str | None:
    """The reaction the employee asks to practise ("daar komen we later op terug"), or None."""
    if not asks_for_line(text):
        return None
    return _worry_reaction(text, tuple(key for key in REACTIONS if key not in _NOT_WISHED))


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
_GIVE_UP_RE = re.compile(
    r"\b(?:weet\s+(?:ik\s+)?het\s+(?:eigenlijk\s+)?niet|oh\s+ok[eé]?|oké\s+dan|"
    r"(?:er\s+)?niet\s+meer\s+over\s+beginnen|wat\s+kan\s+ik\s+(?:dan\s+)?beter\s+zeggen|"
    r"ik\s+zou\s+niks\s+zeggen|dan\s+geef\s+ik\s+op)",
    re.IGNORECASE,
)


def answer_feedback(answer: str, reaction: Reaction) -> str:
    """Short, kind feedback on what the employee typed: one thing that works, one tip.

    A short answer gets the tip to give an example; a concrete wish is praised; an answer
    without a question gets the tip to ask one back, which keeps the conversation going.
    """
    text = answer or ""
    good: list[str] = []
    tips: list[str] = []
    if _GIVE_UP_RE.search(text):  # "dan zeg ik 'oh oké' en begin er niet meer over"
        return (
            "Goed dat je eerlijk zegt wat je nu zou doen. Geef niet meteen op: "
            "vraag wat wel kan, of stel een kleine stap voor."
        )
    if reaction.needs and reaction.needs_tip and not re.search(reaction.needs, text, re.I):
        tips.append(reaction.needs_tip)
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


_SKIP_LEAD_RE = re.compile(
    r"^\W*(?:sla\s+(?:deze\s+|die\s+)?(?:maar\s+)?over|overslaan|skip|volgende|"
    r"die\s+(?:heb|had)\s+ik\s+al|die\s+(?:ook\s+)?al\s+gehad)\b",
    re.IGNORECASE,
)


def skips_practice(text: str | None) -> bool:
    """ "sla over, die heb ik al gedaan": a skip with a reason is still a skip."""
    return bool(_SKIP_LEAD_RE.match(text or ""))


#: Worries with a tip that fits them better than the general barrier tips.
_WORRY_TIPS: tuple[tuple[str, str], ...] = (
    (
        "weg",
        "Dat denken veel mensen. Tip: zeg er meteen bij dat je hier wilt blijven groeien. "
        "Dan hoort je gesprekspartner een wens, geen vertrek. Je kunt dit straks oefenen.",
    ),
    (
        "tijd",
        "Dat herken ik. Als het druk is, voelt vragen lastig.\n"
        "Tip: doe zelf een klein voorstel dat past bij de drukte. Bijvoorbeeld een paar uur per "
        "maand, buiten de drukste weken. Je kunt dit straks oefenen.",
    ),
    (
        "geld",
        "Dat is een goede vraag om voor te bereiden.\n"
        "Tip: zeg waar het geld vandaan kan komen. Er is een loopbaanbudget in de cao; P&O weet "
        "hoe je het aanvraagt. Voor een workshop of loopbaangesprek is er de voucher van 375 euro.",
    ),
    (
        "druk_later",
        "Dat herken ik. Een drukke leidinggevende schuift het snel door.\n"
        "Tip: vraag meteen door. Zeg bijvoorbeeld: 'Wanneer komen we erop terug?' "
        "Prik samen een datum en zet die in de agenda. Zo blijft het niet liggen. "
        "Je kunt dit straks ook oefenen.",
    ),
)


def worry_tip(worry: str | None) -> str | None:
    """A tip that fits this worry, or None to use the general one."""
    key = _worry_reaction(worry, tuple(REACTIONS))
    return next((tip for reaction_key, tip in _WORRY_TIPS if reaction_key == key), None)
