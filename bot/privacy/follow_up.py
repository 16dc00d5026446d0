"""A privacy question asked again: a short answer to what was asked, not the same block.

In the walkthrough of 2026-12-02 "kunnen mijn collega's van P&O lezen wat ik typ?", right after
the privacy answer, got that whole answer again word for word ("dat zei je al"). The first
privacy question gets the full answer (``utter_privacy``); a later one gets the part it asks
about, in a few sentences, and a way to the details. Pure: text in, text out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType

#: How the full privacy answer (``utter_privacy`` in domain.yml) opens: seen in the
#: conversation, it was told already.
PRIVACY_OPENING = "Je privacy is belangrijk."

WHO_READS = (
    "Nee. Niemand van je gemeente leest mee met wat je typt. "
    "Je collega's niet, P&O niet en je leidinggevende ook niet. "
    "Coördinatoren zien alleen tellingen van groepen van minstens 5 mensen. "
    "Daarin staat nooit wat jij typt. "
    "Alleen de technisch beheerders van Koers kunnen bij de opslag. "
    "Daar staat je gesprek zonder namen en telefoonnummers."
)
#: What the anonymous counts hold (bot/trends/events.py: a week, a municipality, an event type
#: and a category; the dashboard hides every cell under 5, bot/trends/suppression.py).
COUNTS_FACTS = (
    "In de tellingen staat alleen hoe vaak iets gebeurt, per gemeente en per week. "
    "Bijvoorbeeld hoeveel mensen de scan deden en welke richting eruit kwam. "
    "Of hoeveel vouchers, coachgesprekken en voorbereidingen er waren. "
    "En wat mensen tegenhoudt, zoals tijd of geld. "
    "Er staat nooit bij wie het is of wat je typt. "
    "Coördinatoren zien een getal alleen als het om minstens 5 mensen gaat."
)
OPT_OUT_HINT = "Wil je niet meetellen? Typ dan: ik wil niet meetellen."
OPT_IN_HINT = "Je telt nu niet mee. Wil je weer meetellen? Typ dan: ik wil weer meetellen."
COUNTS = f"{COUNTS_FACTS} {OPT_OUT_HINT}"
#: "Zien coördinatoren dat ik het ben? Ik ben de enige P&O-assistent van 55." (walkthrough
#: of 2026-12-03): no name, function or age is counted, and groups under 5 are never shown.
COORDINATORS = (
    "Nee. Coördinatoren zien nooit wie jij bent, en ook niet of jij Koers gebruikt. "
    "Ze zien alleen tellingen per gemeente en per week, zoals hoeveel mensen de scan deden. "
    "Een getal van minder dan 5 mensen tonen we niet. "
    "Er staat ook niet bij hoe je heet, wat je functie is of hoe oud je bent. "
    "Ben je de enige in je functie of van jouw leeftijd? "
    "Dan kan toch niemand jou in de tellingen terugvinden."
)
KEPT = (
    "Wat je typt, bewaar ik alleen bij dit gesprek. "
    "Namen, telefoonnummers en andere persoonlijke gegevens haal ik weg voordat ik iets bewaar. "
    "Praat je 30 dagen niet met mij? Dan wis ik alles vanzelf."
)
NAME = (
    "Ik vraag niet naar je naam. Noem je toch een naam of een telefoonnummer? "
    "Dan haal ik die weg voordat ik iets bewaar."
)
SHORT = (
    "Kort gezegd: niemand van je gemeente leest mee. "
    "Ik bewaar dit gesprek zonder namen. Na 30 dagen zonder gesprek wis ik het vanzelf."
)

#: A question whether coordinators can tell it is you ("zien die dat ík Koers gebruik?").
_COORDINATOR_SEES = re.compile(
    r"\bco[öo]rdinator\w*\b.*\b(?:zien|ziet|zie|weten|weet|herkennen|herkent|terugvinden)\b|"
    r"\b(?:zien|ziet|weten|weet|herkennen|herkent)\b.*\bco[öo]rdinator\w*\b",
    re.DOTALL,
)

#: "Staan mijn leeftijd en functie in wat je bewaart?": yes, plainly (walkthrough of
#: 2026-12-04, Peter got the answer about names twice).
KEPT_WHAT_I_TYPE = (
    "Wat je typt, staat in dit gesprek. Dus ook je leeftijd, je functie of je plannen: die haal "
    "ik er niet uit. Namen en telefoonnummers haal ik wel weg voordat ik iets bewaar. "
    "Praat je 30 dagen niet met mij? Dan wis ik alles vanzelf. "
    "Wil je het nu al wissen? Typ dan: wis mijn gegevens."
)
_DETAILS = (
    r"(?:leeftijd|functie|hoe\s+oud|mijn\s+plannen|mijn\s+antwoorden|wat\s+ik\s+(?:typ|vertel|zeg))"
)
_KEPT_WORDS = r"(?:bewaar\w*|opgeslagen|opslaan|onthoud\w*|vastgelegd|weggehaald|weghalen|eruit)"
_KEPT_DETAILS = re.compile(
    rf"\b{_DETAILS}\b.*\b{_KEPT_WORDS}\b|\b{_KEPT_WORDS}\b.*\b{_DETAILS}\b", re.DOTALL
)
#: "worden mijn antwoorden bewaard?": a yes/no question about storing.
_IS_KEPT = re.compile(
    r"\b(?:wordt|worden|is|zijn|staat|staan|blijft|blijven)\b.*\b(?:bewaard|opgeslagen|vastgelegd)\b",
    re.DOTALL,
)

#: "staat mijn functie ergens in die tellingen, ja of nee?" (walkthrough 2026-12-04c: the
#: general text about the counts, three times).
COUNTS_NO_DETAILS = (
    "Nee. Je functie, je leeftijd en je naam staan nooit in de tellingen. "
    "Ik tel alleen hoe vaak iets gebeurt, per gemeente en per week, zoals een richting uit de "
    "scan. Coördinatoren zien elk getal alleen als het om minstens 5 mensen gaat, ook per richting."
)
_COUNTS_DETAILS = re.compile(
    r"\b(?:functie|leeftijd|naam|baan|afdeling)\b.*\b(?:tel\w*|telling\w*|meegeteld|cijfers)\b|"
    r"\b(?:tel\w*|telling\w*|meegeteld|cijfers)\b.*\b(?:functie|leeftijd|naam|afdeling)\b",
    re.DOTALL,
)

#: The topic words, checked in this order: the first that matches picks the answer.
_TOPICS: tuple[tuple[re.Pattern[str], str], ...] = (
    (_COUNTS_DETAILS, COUNTS_NO_DETAILS),
    (_COORDINATOR_SEES, COORDINATORS),
    (_KEPT_DETAILS, KEPT_WHAT_I_TYPE),
    (
        re.compile(
            r"\b(?:tel|telt|tellen|geteld|meegeteld|telling\w*|meetel\w*|cijfers|statistiek\w*|"
            r"trends?|rapportage|overzicht)\b"
        ),
        COUNTS,
    ),
    (
        re.compile(
            r"\b(?:lezen|leest|lees|meelezen|meekijken|kijkt|kijken|zien|ziet|inzien|"
            r"collega'?s?|p&o|hr|baas|leidinggevende|manager|teamleider)\b"
        ),
        WHO_READS,
    ),
    (re.compile(r"\b(?:naam|namen|telefoon\w*|anoniem|herkennen|herkenbaar)\b"), NAME),
    (re.compile(r"\b(?:bewaar\w*|opgeslagen|opslaan|hoe\s+lang|wis\w*|weg)\b"), KEPT),
)

FOLLOW_UP_BUTTONS: tuple[Mapping[str, str], ...] = (
    MappingProxyType({"title": "Wat bewaar je van mij?", "payload": "/ask_my_data"}),
    MappingProxyType({"title": "Wis mijn gegevens", "payload": "/request_erasure"}),
)


#: Answers so specific that they come first, also before the full answer was ever given:
#: "wat wordt er geteld?" is not answered by the general block (walkthrough of 2026-12-03).
SPECIFIC_ANSWERS = frozenset({COORDINATORS, COUNTS, COUNTS_NO_DETAILS})


def follow_up_answer(text: str, counting: bool = True) -> str:
    """The short answer to a privacy question asked after the full answer was given.

    ``counting``: whether the employee counts in the anonymous counts now; the answer about
    the counts then ends with how to opt out, else with how to count again.
    """
    lowered = text.lower()
    found = [answer for pattern, answer in _TOPICS if pattern.search(lowered)]
    if not found:
        return SHORT
    if found[0] == COUNTS and not counting:
        return f"{COUNTS_FACTS} {OPT_IN_HINT}"
    if KEPT in found and (found[0] == WHO_READS or _IS_KEPT.search(lowered)):
        # "worden mijn antwoorden bewaard, en kan iemand die inzien?": never a bare "Nee."
        # about storing (walkthrough of 2026-12-04); both halves, storing first
        readers = f" {WHO_READS.removeprefix('Nee. ')}" if WHO_READS in found else ""
        return f"Ja, bij dit gesprek. {KEPT}{readers}"
    return found[0]


def specific_answer(text: str, counting: bool = True) -> str | None:
    """The answer to a question about the counts or coordinators, even as a first question."""
    answer = follow_up_answer(text)
    if answer not in SPECIFIC_ANSWERS:
        return None
    return follow_up_answer(text, counting)


def told_before(bot_texts: list[str]) -> bool:
    """Whether the full privacy answer is among what Koers said in this conversation."""
    return any(text.startswith(PRIVACY_OPENING) for text in bot_texts)
