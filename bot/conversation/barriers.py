"""Short, warm answers when an employee says what holds them back or what worries them.

One answer per barrier type, with one or two realistic tips; the worry answer is honest and
calm, without promises nobody can keep.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
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
            "Zeg erbij dat je graag bij de gemeente wilt blijven groeien.\n"
            "Staat je leidinggevende er niet achter? De scan en een gesprek met een "
            "loopbaancoach regel je ook zelf."
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


@dataclass(frozen=True)
class AnswerContext:
    """What the conversation already did: a stock tip must not suggest it again."""

    scan_done: bool = False
    in_scan: bool = False
    has_voucher: bool = False


#: Barrier answers for someone who already did the scan or is doing it now.
AFTER_SCAN_ANSWERS: Mapping[str, str] = MappingProxyType(
    {
        "motivatie": (
            "Het is helemaal goed als je nog niet weet wat je wilt. Daar hoef je niet meteen "
            "iets mee.\n"
            "Tip: kijk nog eens naar je scanuitslag. Wat gaf je daar de meeste energie? "
            "Een klein duwtje is vaak genoeg om te beginnen."
        ),
    }
)
IN_SCAN_ANSWERS: Mapping[str, str] = MappingProxyType(
    {
        "motivatie": (
            "Het is helemaal goed als je nog niet weet wat je wilt. Daar hoef je niet meteen "
            "iets mee.\n"
            "Tip: maak de scan rustig af. De uitslag laat zien wat je energie geeft."
        ),
    }
)
#: The money answer for someone who already has this year's voucher.
MONEY_WITH_VOUCHER = (
    "Ontwikkelen hoeft jou geen geld te kosten.\n"
    "Tip: vraag naar je loopbaanbudget uit de cao. Je voucher heb je al. "
    "Daarmee volg je gratis een workshop of praat je met een loopbaancoach."
)

GENERIC_AFTER_SCAN = (
    "Fijn dat je dit vertelt. Veel collega's lopen hier tegenaan.\n"
    "Tip: begin klein. Kijk nog eens naar je scanuitslag, of praat met een loopbaancoach."
)
GENERIC_IN_SCAN = (
    "Fijn dat je dit vertelt. Veel collega's lopen hier tegenaan.\n"
    "Tip: begin klein. Maak eerst de scan af. Daarna kun je met een loopbaancoach praten."
)

WORRY_AFTER_SCAN = WORRY_ANSWER.replace(
    "- Ontdek met de talentscan waar je goed in bent.",
    "- Kijk in je scanuitslag waar je goed in bent.",
)
WORRY_IN_SCAN = WORRY_ANSWER.replace(
    "- Ontdek met de talentscan waar je goed in bent.",
    "- Maak de talentscan af. Dan zie je waar je goed in bent.",
)


def _barrier_answer(barrier: str, context: AnswerContext) -> str:
    """The barrier's answer, without a tip for what the employee already did."""
    if barrier == "geld" and context.has_voucher:
        return MONEY_WITH_VOUCHER
    if context.in_scan and barrier in IN_SCAN_ANSWERS:
        return IN_SCAN_ANSWERS[barrier]
    if context.scan_done and barrier in AFTER_SCAN_ANSWERS:
        return AFTER_SCAN_ANSWERS[barrier]
    return BARRIER_ANSWERS[barrier]


def _worry_answer(context: AnswerContext) -> str:
    if context.in_scan:
        return WORRY_IN_SCAN
    if context.scan_done:
        return WORRY_AFTER_SCAN
    return WORRY_ANSWER


def _generic_answer(context: AnswerContext) -> str:
    if context.in_scan:
        return GENERIC_IN_SCAN
    if context.scan_done:
        return GENERIC_AFTER_SCAN
    return GENERIC_BARRIER


#: "bang dat ik op straat sta en we de hypotheek niet meer kunnen betalen": a fear for one's
#: livelihood, never the cost of a course (walkthrough of 2026-12-04, Ayse).
_LIVELIHOOD = re.compile(
    r"\b(?:hypotheek|huur\s+(?:niet\s+)?(?:meer\s+)?(?:kunnen\s+)?betalen|op\s+straat|rekeningen|"
    r"inkomen\s+kwijt|zonder\s+(?:werk|inkomen|baan)|werkloos|ww\b|uitkering|boventallig|ontslag)",
    re.IGNORECASE,
)
LIVELIHOOD_ANSWER = (
    "Dat is een heel begrijpelijke zorg. Je hoeft daar geen sorry voor te zeggen.\n"
    "Wat er met je baan en je inkomen gebeurt bij een reorganisatie, staat in de cao en in de "
    "afspraken van je gemeente. P&O legt uit wat voor jou geldt. De OR en de vakbond kunnen "
    "je ook helpen.\nWil je er met iemand over praten? Een vertrouwenspersoon of een "
    "loopbaancoach luistert ook."
)


def fears_for_livelihood(text: str | None) -> bool:
    return bool(_LIVELIHOOD.search(text or ""))


def support_answer(
    intent: str | None,
    barrier: str | None,
    context: AnswerContext | None = None,
    text: str | None = None,
) -> str:
    """The answer for ``mention_barrier`` or ``express_worry`` with an optional barrier.

    ``context`` keeps stock tips honest: no scan after the scan, no voucher for someone who
    has one. ``text``: a fear for one's livelihood gets its own answer, not the money tips.
    """
    if fears_for_livelihood(text):
        return LIVELIHOOD_ANSWER
    context = context or AnswerContext()
    if barrier is not None and barrier in BARRIER_ANSWERS:
        answer = _barrier_answer(barrier, context)
        if intent == "express_worry":
            return f"{_worry_answer(context)}\n{answer}"
        return answer
    if intent == "express_worry":
        return _worry_answer(context)
    return _generic_answer(context)
