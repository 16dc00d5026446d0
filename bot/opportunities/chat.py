"""What the chat reads in the employee's words about opportunities and EVC, and what it says.

Pure: plain text in, plain values out. The actions (``actions/opportunities.py``) read the
tracker and the database; these functions decide which types were asked for ("kan ik ergens
meelopen?" is a job-shadowing place), which page comes next, which listing was picked and how a
saved listing reads on the preparation sheet. Texts are Dutch, B1, informal "je".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from babel.dates import format_date as babel_format_date

from bot.opportunities.catalog import (
    TYPE_EVENT,
    TYPE_EXCHANGE,
    TYPE_SHADOWING,
    TYPE_TRAINING,
    TYPE_VACANCY,
    TYPES,
)
from bot.opportunities.evc import DIPLOMAS, GOALS, MAX_YEARS, normalize_diploma, normalize_goal
from bot.opportunities.facts import OpportunityFacts
from bot.opportunities.matching import DEFAULT_LIMIT, PLACE_NEARBY, PLACE_ONLINE
from bot.preparation.sheet import MAX_TRIES
from bot.preparation.sheet import TRY_PREFIX as TRY_PREFIX  # re-exported for the actions

PAGE_SIZE = DEFAULT_LIMIT
#: At most this many listings go on one preparation sheet.
MAX_SAVED = MAX_TRIES
#: Stored in a skipped EVC slot (a form slot must be filled to move on).
SKIPPED = "__overgeslagen__"

_S, _E = TYPE_SHADOWING, TYPE_EXCHANGE
#: Words that name a type (checked on the lower-cased message, in this order).
_KIND_WORDS: tuple[tuple[str, str], ...] = (
    (r"meeloop|meelo+pen|mee\s*lopen|meekijk|mee\s*kijken|snuffel|kijkje|dag(?:je)?\s+mee", _S),
    (r"vacature|vacatuur|baan|banen|functie|solliciteer|vaste\s+plek|mobiliteit", TYPE_VACANCY),
    (r"detacher|gedetacheerd|uitwissel|ruilen|tijdelijk\s+(?:ergens|bij|op|werken)", _E),
    (r"opleiding|training|cursus|scholing|leergang|bijscholing", TYPE_TRAINING),
    (r"bijeenkomst|symposium|evenement|netwerk|congres|kennisdag", TYPE_EVENT),
)
_ONLINE = re.compile(r"\bonline\b|op\s+afstand|thuis|digitaal\s+volgen|via\s+teams", re.I)
_NEARBY = re.compile(
    r"in\s+de\s+buurt|dichtbij|dicht\s+bij|in\s+mijn\s+regio|in\s+de\s+regio|niet\s+ver", re.I
)


def kinds_in(text: str | None) -> tuple[str, ...] | None:
    """The opportunity types the message asks for, in catalogue order; None: every type."""
    folded = (text or "").lower()
    found = {kind for pattern, kind in _KIND_WORDS if re.search(pattern, folded)}
    return tuple(kind for kind in TYPES if kind in found) or None


def place_in(text: str | None) -> str | None:
    """ "online" or "nearby" when the message asks for it, else None."""
    folded = text or ""
    if _ONLINE.search(folded):
        return PLACE_ONLINE
    if _NEARBY.search(folded) and not re.search(r"andere\s+gemeenten?", folded, re.I):
        return PLACE_NEARBY
    return None


def known_kind(value: object) -> str | None:
    """A type key from a button's entity ("training"), else None."""
    return value if isinstance(value, str) and value in TYPES else None


@dataclass(frozen=True)
class Query:
    """What the employee asked for, kept in a slot so that "meer" shows the next page."""

    kinds: tuple[str, ...] | None = None
    place: str | None = None
    offset: int = 0

    def to_slot(self) -> dict[str, object]:
        return {"kinds": list(self.kinds or []), "place": self.place, "offset": self.offset}

    @classmethod
    def from_slot(cls, value: object) -> Query | None:
        """The stored query, or None when there is none (or it was tampered with)."""
        if not isinstance(value, Mapping):
            return None
        raw_kinds = value.get("kinds") or []
        kinds = tuple(k for k in raw_kinds if k in TYPES) if isinstance(raw_kinds, list) else ()
        place = value.get("place") if value.get("place") in (PLACE_ONLINE, PLACE_NEARBY) else None
        offset = value.get("offset")
        if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
            offset = 0
        return cls(kinds or None, place, offset)

    def next_page(self) -> Query:
        return Query(self.kinds, self.place, self.offset + PAGE_SIZE)


_ID = re.compile(r"\b(\d{1,9})\b")


def picked_id(entity: object, text: str | None) -> int | None:
    """The listing id from a button ("/save_opportunity{...}") or a typed "bewaar 12"."""
    for candidate in (entity, text):
        if isinstance(candidate, int) and not isinstance(candidate, bool) and candidate > 0:
            return candidate
        if isinstance(candidate, str):
            found = _ID.search(candidate)
            if found and int(found.group(1)) > 0:
                return int(found.group(1))
    return None


_TRY_LINES: Mapping[str, str] = MappingProxyType(
    {
        TYPE_SHADOWING: "meelopen bij {municipality}: {title}",
        TYPE_VACANCY: "reageren op de vacature {title} bij {municipality}",
        TYPE_EXCHANGE: "een uitwisseling of detachering bij {municipality}: {title}",
        TYPE_TRAINING: "de training {title} ({municipality})",
        TYPE_EVENT: "naar de bijeenkomst {title} ({municipality})",
    }
)


def try_line(item: OpportunityFacts) -> str:
    """How a saved listing reads on the sheet, after "Wat ik wil proberen: "."""
    return _TRY_LINES[item.kind].format(title=item.title, municipality=item.municipality_name)


def with_saved(saved: object, line: str) -> tuple[list[str], bool]:
    """The saved lines with ``line`` added; False when it was there already or the list is full."""
    lines = [str(item) for item in saved] if isinstance(saved, list) else []
    if line in lines or len(lines) >= MAX_SAVED:
        return lines, False
    return [*lines, line], True


_SCALE = re.compile(r"\bschaal\s*(\d{1,2})\b", re.I)
_MY_SCALE_IS = re.compile(r"\bmijn\s+schaal\s+is\s+(?:nu\s+)?(\d{1,2})\b", re.I)
#: First person, present: "ik zit in schaal 6", "ik werk bij het kcc, schaal 6", "mijn schaal".
_OWN_SCALE_LEAD = re.compile(
    r"\b(?:ik\s+(?:ben|zit|werk|sta|heb|verdien)|ben\s+(?:nu|nog)|zit\s+(?:nu|nog)|mijn)\b", re.I
)
#: Words that make a scale a wish or someone else's: "ik wil naar schaal 8", "die vacature".
_NOT_OWN_SCALE = re.compile(
    r"\b(?:wil|willen|naar|hoger|word|worden|zou|graag|vacature|functie|baan|die|deze|is)\b",
    re.I,
)
#: "als ik nu schaal 6 ben", "schaal 6 ben ik": the scale before the verb.
_SCALE_THEN_VERB = re.compile(r"^\s*(?:ben|zit|heb)\b", re.I)


def own_scale_in(text: str | None) -> int | None:
    """The employee's own salary scale, when a message says it; else None.

    "ik werk bij het kcc, schaal 6 al 8 jaar" (walkthrough of 2026-12-03) says it; "ik wil
    naar schaal 8" and "die vacature schaal 9" do not. Only within one sentence.
    """
    for sentence in re.split(r"[.!?;\n]+", text or ""):
        mine = _MY_SCALE_IS.search(sentence)
        if mine and 1 <= int(mine.group(1)) <= 18:
            return int(mine.group(1))
        for found in _SCALE.finditer(sentence):
            value = int(found.group(1))
            before = sentence[: found.start()]
            lead = list(_OWN_SCALE_LEAD.finditer(before))
            after_lead = before[lead[-1].end() :] if lead else ""
            own = bool(lead) and not _NOT_OWN_SCALE.search(after_lead)
            if not own and _SCALE_THEN_VERB.match(sentence[found.end() :]):
                own = not _NOT_OWN_SCALE.search(before[-12:]) or "ik" in before.lower().split()
            if own and 1 <= value <= 18:
                return value
    return None


def own_scale(texts: list[str]) -> int | None:
    """The latest scale the employee gave as their own, over the messages (newest last)."""
    for text in reversed(texts):
        found = own_scale_in(text)
        if found is not None:
            return found
    return None


_WHO_HEARS = re.compile(
    r"\b(?:leidinggevende|manager|baas|chef|teamleider|teamleid\w*|afdelingshoofd|p\s*&\s*o|"
    r"hr|werkgever|collega'?s)\b",
    re.I,
)
_TOLD = re.compile(
    r"\b(?:te\s+horen|horen|hoort|weten|weet|zien|ziet|merken|merkt|doorgeven|doorgegeven|"
    r"door\s*geven|vertel\w*|bericht|melden|gemeld|toestemming|goedkeuring|akkoord|"
    r"vragen|mag\s+dat|moet\s+\w+\s+(?:dat|het)\s+weten)\b",
    re.I,
)


def asks_who_is_told(text: str | None) -> bool:
    """A question whether the manager (or P&O) hears of it, or must agree: not a search.

    "als ik ga meelopen, krijgt mijn leidinggevende dat dan te horen?" repeated the card in
    the walkthrough of 2026-12-03; it needs the honest answer instead.
    """
    folded = text or ""
    if folded.startswith("/"):
        return False
    return bool(_WHO_HEARS.search(folded) and _TOLD.search(folded))


_WHAT_IS = re.compile(
    r"\b(?:wat\s+(?:is|betekent|houdt|bedoel\w*|moet\s+ik\s+me\s+voorstellen)|hoe\s+werkt|"
    r"hoe\s+gaat\s+(?:dat|het|een)|hoe\s+ziet\b.*\beruit|leg\b.{0,30}\buit|uitleg\w*|"
    r"wat\s+heb\s+ik\s+aan|hetzelfde\s+als|verschil\s+tussen|blijf\s+ik\s+in\s+dienst)\b"
    r"|^\W*(?:evc|e\.v\.c\.?|meeloopstage|detachering|uitwisseling|snuffelstage)\W*$",
    re.I,
)
_FOR_ME = re.compile(r"\b(?:voor\s+mij|bij\s+mij|bij\s+me|voor\s+me|kan\s+ik|waar)\b", re.I)


def asks_what_it_is(text: str | None) -> bool:
    """A general question about the topic ("wat is EVC?", "wat is een meeloopstage?").

    Not a request for one ("is EVC iets voor mij?", "waar kan ik meelopen?"): those start the
    check or show places. The topic's flow owns both, so one intent answers each topic.
    """
    folded = (text or "").strip()
    if not folded or folded.startswith("/"):
        return False
    return bool(_WHAT_IS.search(folded)) and not _FOR_ME.search(folded)


# --- texts ------------------------------------------------------------------------------

_KIND_PLURALS: Mapping[str, str] = MappingProxyType(
    {
        TYPE_VACANCY: "vacatures",
        TYPE_SHADOWING: "meeloopstages",
        TYPE_EXCHANGE: "uitwisselingen en detacheringen",
        TYPE_TRAINING: "trainingen en opleidingen",
        TYPE_EVENT: "bijeenkomsten",
    }
)


def kinds_text(kinds: tuple[str, ...] | None) -> str:
    """ "meeloopstages", "vacatures en trainingen en opleidingen"; every type: "kansen"."""
    if not kinds:
        return "kansen"
    names = [_KIND_PLURALS[kind] for kind in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]


def intro_text(kinds: tuple[str, ...] | None, *, after_scan: bool, offset: int) -> str:
    what = kinds_text(kinds)
    if offset:
        return f"Hier zijn nog meer {what}."
    if after_scan:
        return f"Dit zijn {what} die passen bij je scan. Bij elke kans staat waarom."
    return f"Dit zijn {what} die je nu kunt bekijken. Bij elke kans staat waarom."


NO_SCAN_TIP = "Tip: doe eerst de talentscan. Dan zoek ik kansen die beter bij je passen."
ANONYMOUS_REACH = (
    "Ik weet niet bij welke gemeente je werkt. Daarom zie je alleen online trainingen en "
    "bijeenkomsten. Open Koers via de link van je gemeente om ook kansen in je regio te zien."
)
SAVE_BUTTON = "Zet op mijn blad"
MORE_BUTTON = "Meer"
MORE_HINT = "Wil je er meer zien? Typ 'meer'."
LAST_PAGE = "Meer kansen heb ik nu niet voor je."
NOTHING_FOUND = (
    "Ik vind nu geen {soort} die bij je passen. Er komen steeds nieuwe bij. "
    "Vraag het later nog eens, of vraag P&O wat er in je gemeente kan."
)
NOTHING_MORE = (
    "Ik heb geen kansen meer om te laten zien. Vraag me gerust opnieuw welke kansen er zijn."
)
NOTHING_TO_PAGE = "Wat wil je meer zien? Vraag bijvoorbeeld: welke vacatures zijn er in de regio?"
SAVE_HOW = (
    "Wil je een kans op je voorbereidingsblad zetten? Kies dan 'Zet op mijn blad' bij die kans."
)
SAVED = (
    "Staat erop! Op je voorbereidingsblad komt: {line}\n"
    "Zo kun je het noemen in het goede gesprek met je leidinggevende. "
    "Je maakt je blad als je je gesprek voorbereidt."
)
ALREADY_SAVED = "Die staat al op je voorbereidingsblad."


def closes_before_meeting_text(item: OpportunityFacts, meeting: date | None) -> str | None:
    """ "Let op: reageren kan tot 15 december, je gesprek is op 17 december.": a saved listing
    that ends before the meeting it is saved for; None when it does not (or no date known)."""
    last = item.last_day
    if meeting is None or last is None or last >= meeting:
        return None
    what = "reageren kan" if item.respond_by == last else "deze kans loopt"
    return (
        f"Let op: {what} tot {_day_month(last)}, je gesprek is op {_day_month(meeting)}. "
        "Wacht dus niet op je gesprek. Reageer eerder, of bespreek het eerder met je "
        "leidinggevende."
    )


def _day_month(day: date) -> str:
    return babel_format_date(day, format="d MMMM", locale="nl")


def offered_kinds(buttons: object) -> tuple[bool, tuple[str, ...] | None]:
    """What a yes to "Zal ik verder gaan met de lijst?" shows: the list its button offered
    (True and the types; None: every type), or (False, None) when no list was offered."""
    for button in buttons if isinstance(buttons, list) else []:
        payload = str(button.get("payload") or "") if isinstance(button, Mapping) else ""
        if not payload.startswith("/find_opportunities"):
            continue
        kind = re.search(r'"opportunity_kind"\s*:\s*"([^"]+)"', payload)
        named = known_kind(kind.group(1)) if kind else None
        return True, ((named,) if named else None)
    return False, None


SAVED_FULL = (
    "Er staan al {count} kansen op je blad. Meer past er niet op. Kies er in het gesprek een uit."
)
SAVE_UNKNOWN = (
    "Die kans kan ik niet vinden. Misschien is hij net gesloten. "
    "Vraag me opnieuw welke kansen er zijn."
)
PREPARE_BUTTON = {"title": "Bereid je gesprek voor", "payload": "/prepare_conversation"}

#: Who hears of it: honest about what Koers does and what the employee arranges themself.
WHO_IS_TOLD = (
    "Nee, van mij hoort niemand dat je hiernaar vroeg. Ook je leidinggevende niet.\n"
    "Het contact bij elke kans is een mailbox van P&O of een website, geen persoon. "
    "Jij kiest of je contact opneemt.\n"
    "Ga je echt meelopen of reageren? Dan beslis jij wanneer je het vertelt. "
    "Kijk ook wat de regels van je gemeente zijn.\n"
    "Een meeloopstage in werktijd regel je meestal wel samen met je leidinggevende. "
    "P&O weet hoe dat bij jouw gemeente gaat.\n"
    "Wil je eerst rustig nadenken? Een loopbaancoach denkt vertrouwelijk met je mee."
)
WHO_IS_TOLD_NEXT = "Zal ik verder gaan met de lijst?"
COACH_BUTTON = {"title": "Praat met een loopbaancoach", "payload": "/request_coach"}
#: "Wat is een meeloopstage?": what the types are, then the offer to show places.
SHADOWING_EXPLAINED = (
    "Bij een meeloopstage loop je een paar dagen mee op een andere plek. "
    "Zo zie je of ander werk bij je past.\n"
    "Bij een uitwisseling ruil je een tijdje van werk met iemand anders. "
    "Bij een detachering werk je tijdelijk bij een andere organisatie. "
    "Je blijft dan gewoon in dienst van je eigen gemeente.\n"
    "Zal ik laten zien welke plekken er nu zijn?"
)
#: "Wat is EVC?": a short explanation, then the offer of the check.
EVC_EXPLAINED = (
    "EVC betekent: Erkenning van Verworven Competenties. "
    "Je laat zien wat je in je werk hebt geleerd, ook zonder diploma. "
    "Dat komt op een ervaringscertificaat. "
    "Daarmee kun je soms sneller een erkend diploma halen.\n"
    "Wil je weten of EVC bij jou past? Ik stel je dan drie korte vragen."
)
EVC_CHECK_BUTTON = {"title": "Doe de EVC-check", "payload": "/check_evc"}


# --- EVC --------------------------------------------------------------------------------

_SKIP = re.compile(
    r"^\s*(?:sla\s*(?:deze|dit|die)?\s*(?:vraag\s*)?(?:maar\s*)?over|overslaan|skip(?:pen)?|"
    r"(?:dat\s+)?weet\s+ik\s+(?:nog\s+)?niet|geen\s+idee|liever\s+niet|nvt|n\.v\.t\.?)\s*[.!]*\s*$",
    re.I,
)
_NUMBER_WORDS: Mapping[str, int] = MappingProxyType(
    {
        "een": 1,
        "één": 1,
        "twee": 2,
        "drie": 3,
        "vier": 4,
        "vijf": 5,
        "zes": 6,
        "zeven": 7,
        "acht": 8,
        "negen": 9,
        "tien": 10,
        "elf": 11,
        "twaalf": 12,
        "vijftien": 15,
        "twintig": 20,
        "dertig": 30,
        "veertig": 40,
    }
)


def is_skip(text: str | None) -> bool:
    """ "sla over", "weet ik niet", "liever niet": the employee skips the question."""
    return bool(_SKIP.match(text or ""))


_YEARS_OF = re.compile(r"\b(\d{1,2})\s*(?:jaar|jr)\b")
_LEVEL_NUMBER = re.compile(
    r"\b(?:mbo|hbo|niveau|schaal|scale|level|groep|klas|nt)\s*-?\s*\d{1,2}\b", re.IGNORECASE
)


def year_parts(text: str | None) -> tuple[int, ...]:
    """Every "N jaar" in the message ("4 jaar bij kcc, daarvoor 2 jaar callcenter": 4, 2)."""
    return tuple(int(number) for number in _YEARS_OF.findall((text or "").lower()))


def years_summed_text(years: int) -> str:
    """Said when several periods were added up, so the employee can correct it."""
    return f"Dus {years} jaar ervaring."


def parse_years(text: str | None) -> int | None:
    """Years of experience from "12", "al 8 jaar", "twintig jaar", "half jaar" (0), or the
    sum of several periods ("4 jaar bij kcc, daarvoor 2 jaar callcenter": 6); else None."""
    folded = (text or "").strip().lower()
    if not folded or folded.startswith("/"):
        return None
    if re.search(r"\bhalf\s+jaar\b|\bmaanden\b|\bnet\s+begonnen\b|\bpas\s+begonnen\b", folded):
        return 0
    parts = year_parts(folded)
    if len(parts) > 1:  # "4 jaar bij kcc, daarvoor 2 jaar callcenter": all in the field
        total = sum(parts)
        return total if total <= MAX_YEARS else None
    # "ik heb mbo 4", "schaal 8": levels, not years (walkthrough 2026-12-04b took 4 years)
    unlevelled = _LEVEL_NUMBER.sub(" ", folded)
    digits = re.findall(r"\b(\d{1,3})\b", unlevelled)
    if len(digits) == 1:
        years = int(digits[0])
        return years if 0 <= years <= MAX_YEARS else None
    words = [word for word in re.findall(r"[a-zé]+", folded) if word in _NUMBER_WORDS]
    if len(words) == 1 and len(digits) == 0:
        return _NUMBER_WORDS[words[0]]
    return None


def parse_diploma(text: str | None) -> str | None:
    """A diploma key (see :data:`bot.opportunities.evc.DIPLOMAS`) from the employee's words."""
    if not text or text.strip().startswith("/"):
        return None
    key = normalize_diploma(_NOT_A_DIPLOMA.sub("geen_", text))  # "GEEN hbo, ik heb mbo 4"
    return key if key in DIPLOMAS else None


def parse_goal(text: str | None) -> str | None:
    """A goal key (see :data:`bot.opportunities.evc.GOALS`) from the employee's words."""
    if not text or text.strip().startswith("/"):
        return None
    key = normalize_goal(text)
    return key if key in GOALS else None


#: A diploma named in so many words ("ik heb mbo 4"), not "geen idee" or "niveau 3 in Excel".
_DIPLOMA_NAMED = re.compile(
    r"\b(?:diploma\w*|mbo|hbo|wo|havo|vwo|vmbo|mavo|lbo|universiteit|hogeschool|bachelor|master)\b",
    re.IGNORECASE,
)
_YEARS_NAMED = re.compile(r"\b\d{1,2}\s*(?:jaar|jr)\b", re.IGNORECASE)


def answers_in_request(text: str | None) -> dict[str, object]:
    """What "is evc iets voor mij? ik heb mbo 4" already answers: ``{"diploma": "mbo_3_4"}``
    (walkthrough of 2026-12-04: the diploma was asked after it was given)."""
    value = text or ""
    found: dict[str, object] = {}
    diploma = _one_diploma(value) if _DIPLOMA_NAMED.search(value) else None
    if diploma:
        found["diploma"] = diploma
    years = parse_years(value) if _YEARS_NAMED.search(value) else None
    if years is not None:
        found["years"] = years
    return found


_NOT_A_DIPLOMA = re.compile(r"\bgeen\s+(?=(?:mbo|hbo|wo|havo|vwo|vmbo|mavo)\b)", re.IGNORECASE)
_DIPLOMA_PART = re.compile(r"[.,;?!]|\ben\b|\bmaar\b|\bof\b", re.IGNORECASE)


def _one_diploma(text: str) -> str | None:
    """The one diploma the message says the employee has: "ik heb alleen mbo 4 en voor schaal
    8 vragen ze vaak hbo" names two, so none is taken (2026-12-04b noted "hbo")."""
    cleaned = _NOT_A_DIPLOMA.sub("geen_", text)
    kinds = {parse_diploma(part) for part in _DIPLOMA_PART.split(cleaned)} - {None}
    return next(iter(kinds)) if len(kinds) == 1 else None


def noted_text(found: Mapping[str, object]) -> str:
    """ "Ik heb al genoteerd: mbo 3 of 4, 6 jaar ervaring. Dat vraag ik niet meer." """
    parts = []
    if "diploma" in found:
        parts.append(DIPLOMA_NOTED.get(str(found["diploma"]), ""))
    if "years" in found:
        parts.append(f"{found['years']} jaar ervaring")
    return f"Ik heb al genoteerd: {', '.join(p for p in parts if p)}. Dat vraag ik niet meer."


def unskipped(value: object) -> object | None:
    """The slot value for the advice: None when skipped or missing."""
    return None if value is None or value == SKIPPED else value


# --- Questions about EVC after (or instead of) the check ----------------------------------

EVC_PAYS, EVC_COST, EVC_VOUCHER, EVC_DURATION, EVC_HOW = (
    "betalen",
    "kosten",
    "voucher",
    "duur",
    "beginnen",
)
_EVC_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (EVC_PAYS, re.compile(r"wie\s+betaalt|betaal|betalen|vergoed|budget|wie\s+draait", re.I)),
    (EVC_COST, re.compile(r"\bkost\b|\bkosten\b|prijs|hoeveel\s+geld|\beuro\b", re.I)),
    (EVC_VOUCHER, re.compile(r"\bvou?che?r|\bvocher", re.I)),
    (EVC_DURATION, re.compile(r"hoe\s*lang|\bduurt\b|hoeveel\s+tijd|tijd\s+kost", re.I)),
    (
        EVC_HOW,
        re.compile(
            r"hoe\s+(?:begin|start|vraag|regel|kom)\s+ik|waar\s+(?:begin|meld|vraag)\s+ik|"
            r"hoe\s+werkt\s+(?:het\s+)?aanvragen|aanvragen",
            re.I,
        ),
    ),
)
_AGAIN = re.compile(r"\b(?:opnieuw|overnieuw|nog\s+(?:een\s*)?keer|nog\s+eens)\b", re.I)
_FIT = re.compile(r"\b(?:iets\s+voor\s+(?:mij|me)|past\b.*\b(?:mij|me|bij)|check)\b", re.I)


def evc_topics(text: str | None) -> tuple[str, ...]:
    """What a question about EVC asks ("wie betaalt evc", "wat kost dat"), in a fixed order."""
    folded = text or ""
    if folded.startswith("/"):
        return ()
    return tuple(topic for topic, pattern in _EVC_TOPICS if pattern.search(folded))


def asks_check_again(text: str | None) -> bool:
    """ "Doe de check opnieuw": the employee wants the three questions again."""
    return bool(_AGAIN.search(text or ""))


def asks_fit(text: str | None) -> bool:
    """ "Is EVC iets voor mij?": a wish for the check itself, next to any other question."""
    return bool(_FIT.search(text or ""))


_EVC_FACTS: Mapping[str, str] = MappingProxyType(
    {
        EVC_PAYS: (
            "Wie EVC betaalt, verschilt per gemeente. Vraag P&O of je gemeente EVC aanbiedt en "
            "betaalt. Vraag ook of je je loopbaanbudget ervoor mag gebruiken. Dat is het budget "
            "voor je ontwikkeling uit de cao."
        ),
        EVC_COST: (
            "Wat EVC kost, verschilt per aanbieder. Ik ken geen bedragen. "
            "P&O weet wat het in jouw geval kost."
        ),
        EVC_VOUCHER: (
            "De voucher is niet voor EVC. Die gebruik je voor één workshop of voor een gesprek "
            "met een loopbaancoach."
        ),
        EVC_DURATION: (
            "Hoe lang EVC duurt, verschilt per traject. P&O of de aanbieder weet dat voor jouw "
            "situatie."
        ),
        EVC_HOW: (
            "Zo begin je: vraag P&O of je gemeente EVC aanbiedt. Je kunt het ook noemen in het "
            "gesprek met je leidinggevende."
        ),
    }
)
EVC_ALREADY_CHECKED = (
    "Je hebt de EVC-check al gedaan. Wil je weten wie het betaalt, wat het kost of hoe je "
    "begint? Vraag het gerust. Wil je de drie vragen opnieuw doen? Kies dan de knop."
)
EVC_AGAIN_BUTTON = {"title": "Doe de check opnieuw", "payload": "/check_evc"}


def evc_facts_text(topics: tuple[str, ...]) -> str:
    """The answer to "wie betaalt EVC?" and the like: what is known, honestly (no amounts,
    no durations: they differ per employer and provider, so P&O). Who pays or what it costs
    also says the voucher is not for EVC (the walkthrough's next question)."""
    wanted = list(topics)
    if EVC_PAYS in wanted or EVC_COST in wanted:
        wanted.append(EVC_VOUCHER)
    ordered = [topic for topic, _pattern in _EVC_TOPICS if topic in wanted]
    return " ".join(_EVC_FACTS[topic] for topic in ordered)


EVC_INTRO = (
    "Ik stel je drie korte vragen. Daarna zeg ik eerlijk of EVC bij je past. "
    "Elke vraag mag je overslaan."
)
EVC_RESUME = "We gaan verder met de EVC-check."
EVC_YEARS = "Hoeveel jaar werk je al in je vak? Typ een getal, bijvoorbeeld 12."
EVC_YEARS_UNCLEAR = (
    "Dat begreep ik niet. Typ het aantal jaren als getal, bijvoorbeeld 8. Of kies 'Sla over'."
)
EVC_DIPLOMA = "Wat is je hoogste diploma?"
EVC_DIPLOMA_UNCLEAR = "Dat begreep ik niet. Kies een knop, of typ bijvoorbeeld 'mbo 4' of 'hbo'."
EVC_GOAL = "Waarvoor wil je het certificaat gebruiken?"
EVC_GOAL_UNCLEAR = "Dat begreep ik niet. Kies een knop, of typ bijvoorbeeld 'een diploma halen'."
EVC_STOPPED = "Oké, ik stop met de EVC-check. Wil je hem later doen? Typ dan: is EVC iets voor mij?"
SKIP_BUTTON = {"title": "Sla over", "payload": "sla over"}
DIPLOMA_BUTTONS = (
    {"title": "Geen diploma", "payload": "geen diploma"},
    {"title": "Vmbo of mavo", "payload": "vmbo of mavo"},
    {"title": "Mbo 1 of 2", "payload": "mbo 1 of 2"},
    {"title": "Mbo 3 of 4", "payload": "mbo 3 of 4"},
    {"title": "Havo of vwo", "payload": "havo of vwo"},
    {"title": "Hbo", "payload": "hbo"},
    {"title": "Wo", "payload": "wo"},
)
DIPLOMA_NOTED = {
    "geen": "geen diploma",
    "vmbo": "vmbo of mavo",
    "mbo_1_2": "mbo 1 of 2",
    "mbo_3_4": "mbo 3 of 4",
    "havo_vwo": "havo of vwo",
    "hbo": "hbo",
    "wo": "wo",
}
GOAL_BUTTONS = (
    {"title": "Een erkend diploma halen", "payload": "een erkend diploma halen"},
    {"title": "Zien wat ik kan", "payload": "zien wat ik kan"},
    {"title": "Solliciteren op ander werk", "payload": "solliciteren op ander werk"},
    {"title": "Iets nieuws leren", "payload": "iets nieuws leren"},
)
TRAININGS_BUTTON = {
    "title": "Bekijk trainingen",
    "payload": '/find_opportunities{"opportunity_kind":"training"}',
}


def other_province_text(asked: str, own: str) -> str:
    """Koers shows the listings open to the employee's province, and online ones."""
    return (
        f"Kansen in {asked} laat ik je niet zien. Ik laat kansen zien die openstaan voor "
        f"medewerkers in {own}, en kansen online. Zoek je iets in {asked}? Kijk dan op het "
        f"vacatureplatform van de gemeenten in {asked}, of vraag P&O."
    )
