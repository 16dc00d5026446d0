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
from types import MappingProxyType

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
    (r"meeloop|meelo+pen|mee\s*lopen|meekijk|mee\s*kijken|snuffel|kijkje|dagje\s+mee", _S),
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
SAVED_FULL = (
    "Er staan al {count} kansen op je blad. Meer past er niet op. Kies er in het gesprek een uit."
)
SAVE_UNKNOWN = (
    "Die kans kan ik niet vinden. Misschien is hij net gesloten. "
    "Vraag me opnieuw welke kansen er zijn."
)
PREPARE_BUTTON = {"title": "Bereid je gesprek voor", "payload": "/prepare_conversation"}


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


def parse_years(text: str | None) -> int | None:
    """Years of experience from "12", "al 8 jaar", "twintig jaar", "half jaar" (0); else None."""
    folded = (text or "").strip().lower()
    if not folded or folded.startswith("/"):
        return None
    if re.search(r"\bhalf\s+jaar\b|\bmaanden\b|\bnet\s+begonnen\b|\bpas\s+begonnen\b", folded):
        return 0
    digits = re.findall(r"\b(\d{1,3})\b", folded)
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
    key = normalize_diploma(text)
    return key if key in DIPLOMAS else None


def parse_goal(text: str | None) -> str | None:
    """A goal key (see :data:`bot.opportunities.evc.GOALS`) from the employee's words."""
    if not text or text.strip().startswith("/"):
        return None
    key = normalize_goal(text)
    return key if key in GOALS else None


def unskipped(value: object) -> object | None:
    """The slot value for the advice: None when skipped or missing."""
    return None if value is None or value == SKIPPED else value


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
