"""Short, warm answers when an employee says what holds them back or what worries them.

One answer per barrier type, with one or two realistic tips; the worry answer is honest and
calm, without promises nobody can keep.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

BARRIERS: tuple[str, ...] = (
    "tijd",
    "leidinggevende",
    "geld",
    "leeftijd",
    "onbekend_aanbod",
    "motivatie",
    "prive",
)

BARRIER_ANSWERS: Mapping[str, str] = MappingProxyType(
    {
        "tijd": (
            "Dat herken ik. Je werkdag is al vol. Toch hoeft werken aan je loopbaan niet veel tijd "
            "te kosten.\n"
            "Tip: spreek met je leidinggevende af hoeveel werktijd je mag gebruiken om te leren. "
            "Zet dat in je ontwikkelplan (POP)."
        ),
        "leidinggevende": (
            "Veel mensen vinden het spannend om dit met hun leidinggevende te bespreken. "
            "Ze zijn bang dat die denkt dat ze weg willen.\n"
            "Tip: begin met wat je goed kunt en wat je wilt leren voor je werk. "
            "Zeg erbij dat je graag bij de gemeente wilt blijven groeien."
        ),
        "geld": (
            "Ontwikkelen hoeft jou geen geld te kosten.\n"
            "Tip: vraag naar je loopbaanbudget uit de cao. En met de voucher van 375 euro volg "
            "je gratis een workshop of praat je met een loopbaancoach."
        ),
        "leeftijd": (
            "Je bent nooit te oud om te leren. Je ervaring is juist veel waard.\n"
            "Tip: met EVC laat je zien wat je in de praktijk al kunt. "
            "Je kunt ook kiezen om te blijven en fit te blijven in je werk."
        ),
        "onbekend_aanbod": (
            "Het is ook niet makkelijk om te weten wat er allemaal is.\n"
            "Tip: bekijk de vijf workshops. Of praat met een loopbaancoach. "
            "Die weet de weg en denkt met je mee."
        ),
        "motivatie": (
            "Het is helemaal goed als je nog niet weet wat je wilt. Daar hoef je niet meteen "
            "iets mee.\n"
            "Tip: doe de talentscan. Die laat zien wat je energie geeft. "
            "Een klein duwtje is vaak genoeg om te beginnen."
        ),
        "prive": (
            "Thuis gebeurt soms veel. Dan is het logisch dat je loopbaan even minder aandacht "
            "krijgt.\n"
            "Tip: kies een kleine stap die past bij jouw situatie. Bespreek met je "
            "leidinggevende wat je nodig hebt, bijvoorbeeld andere werktijden."
        ),
    }
)

GENERIC_BARRIER = (
    "Fijn dat je dit vertelt. Veel collega's lopen hier tegenaan.\n"
    "Tip: begin klein. Doe bijvoorbeeld de talentscan, of praat met een loopbaancoach."
)

WORRY_ANSWER = (
    "Ik snap dat je je zorgen maakt. Door digitalisering en reorganisaties verandert veel werk. "
    "Ik kan niet beloven dat jouw functie blijft. Wel kun je nu al stappen zetten.\n"
    "- Vraag je leidinggevende of P&O wat er verandert en wanneer.\n"
    "- Ontdek met de talentscan waar je goed in bent.\n"
    "- Praat met een loopbaancoach over je kansen, binnen of buiten de gemeente."
)


def support_answer(intent: str | None, barrier: str | None) -> str:
    """The answer for ``mention_barrier`` or ``express_worry`` with an optional barrier."""
    if barrier is not None and barrier in BARRIER_ANSWERS:
        answer = BARRIER_ANSWERS[barrier]
        if intent == "express_worry":
            return f"{WORRY_ANSWER}\n{answer}"
        return answer
    if intent == "express_worry":
        return WORRY_ANSWER
    return GENERIC_BARRIER
