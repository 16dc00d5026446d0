"""What the chat reads in a question about workshop sessions, and what it says back (issue 17).

Pure: text in, plain values out. "Welke workshops zijn er in Limburg?" names a province, "over
jezelf presenteren" a theme, "in maart" a first day, "'s avonds" a part of the day. A place or
theme that Koers does not know is reported as unknown (never guessed), so the employee gets a
clear answer and nothing is searched. The ledger (:mod:`bot.ledger.signups`) does the rest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from types import MappingProxyType

from bot.clock import LOCAL_TZ
from bot.ledger.catalog import WORKSHOP_THEMES
from bot.ledger.codes import format_code
from bot.ledger.preferences import (
    MONTH_NAMES,
    PART_AFTERNOON,
    PART_EVENING,
    PART_MORNING,
    format_day_of,
    normalize_region,
)
from bot.ledger.signups import MAX_SESSIONS, SessionOffer, SignupView

PAGE_SIZE = MAX_SESSIONS
#: Marks a place or theme the employee named that Koers does not know.
UNKNOWN = "onbekend"

#: Theme words (lower case), checked in this order.
_THEME_WORDS: tuple[tuple[str, str], ...] = (
    (r"presente|presentatie|kleding|houding|uitstraling|pitch", "presenteren"),
    (r"talent|kwaliteiten|sterke\s+punten|ontdekken", "talenten"),
    (r"geld|financ|financi|pensioen|salaris|loon\b|inkomen", "financien"),
    (r"digita|techniek|technologie|\bict\b|computer|excel|\bai\b", "digitalisering"),
    (r"gesprek|leidinggevende|manager|teamleider|jaargesprek", "gesprek"),
)
#: "over X" that is no theme word: an unknown theme ("over pottenbakken").
_ABOUT = re.compile(r"\bover\s+([a-zà-ÿ][\wà-ÿ -]{2,40}?)\s*[?.!]*$", re.I)
#: "in X", "rond X", "buurt van X", "regio X": a place, unless X is a time or filler word.
_PLACE = re.compile(
    r"\b(?:in|rond|rondom|regio|omgeving|buurt\s+van|bij)\s+([a-zà-ÿ][\wà-ÿ-]{2,30})\b", re.I
)
_NOT_PLACES = frozenset(
    {
        "de",
        "het",
        "een",
        "mijn",
        "je",
        "jouw",
        "buurt",
        "regio",
        "avond",
        "ochtend",
        "middag",
        "week",
        "maand",
        "jaar",
        "workshop",
        "workshops",
        "tap",
        "toekomst",
        "totaal",
        "elk",
        "elke",
        "welke",
        "online",
        "werktijd",
        "voucher",
        "mij",
        "me",
        "jullie",
        "januari",
        *MONTH_NAMES,
    }
)
_PARTS: tuple[tuple[str, str], ...] = (
    (r"avond|'s\s*avonds|savonds|na\s+het\s+werk", PART_EVENING),
    (r"ochtend|'s\s*morgens|smorgens|morgens", PART_MORNING),
    (r"middag|'s\s*middags|smiddags", PART_AFTERNOON),
)
_DATE = re.compile(r"\b(\d{1,2})[-/](\d{1,2})[-/](\d{4})\b")
_DAY_MONTH = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTH_NAMES) + r")(?:\s+(\d{4}))?\b", re.I)
_MONTH = re.compile(r"\b(" + "|".join(MONTH_NAMES) + r")(?:\s+(\d{4}))?\b", re.I)


def theme_in(text: str | None) -> str | None:
    """A theme key of :data:`WORKSHOP_THEMES`, :data:`UNKNOWN` for "over <something else>"."""
    folded = (text or "").lower()
    for pattern, key in _THEME_WORDS:
        if re.search(pattern, folded):
            return key
    about = _ABOUT.search(folded)
    if about and about.group(1).strip() not in ("een workshop", "de workshops", "workshops"):
        return UNKNOWN
    return None


def region_in(text: str | None) -> str | None:
    """A province (:data:`bot.ledger.catalog.REGIONS`), :data:`UNKNOWN` for an unknown place."""
    if not text or text.startswith("/"):
        return None
    found = normalize_region(text, fuzzy=False)
    if found:
        return found
    for match in _PLACE.finditer(text):
        word = match.group(1).lower()
        if word in _NOT_PLACES or theme_in(word) not in (None, UNKNOWN):
            continue
        return normalize_region(word) or UNKNOWN
    return None


def time_of_day_in(text: str | None) -> str | None:
    folded = (text or "").lower()
    for pattern, part in _PARTS:
        if re.search(pattern, folded):
            return part
    return None


def first_day_in(text: str | None, today: date) -> date | None:
    """The first day the employee asks about ("in maart", "vanaf 12 januari", "3-2-2027").

    A month without a year is its next occurrence; a date that has passed stays as it is, so
    the caller can say it is in the past. None: no day named (or no real day).
    """
    folded = (text or "").lower()
    try:
        exact = _DATE.search(folded)
        if exact:
            return date(int(exact.group(3)), int(exact.group(2)), int(exact.group(1)))
        day_month = _DAY_MONTH.search(folded)
        if day_month:
            month = MONTH_NAMES.index(day_month.group(2).lower()) + 1
            day = int(day_month.group(1))
            if day_month.group(3):
                return date(int(day_month.group(3)), month, day)
            candidate = date(today.year, month, day)
            return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None
    month_only = _MONTH.search(folded)
    if month_only:
        month = MONTH_NAMES.index(month_only.group(1).lower()) + 1
        if month_only.group(2):
            return date(int(month_only.group(2)), month, 1)
        if month == today.month:
            return today
        year = today.year if month > today.month else today.year + 1
        return date(year, month, 1)
    return None


@dataclass(frozen=True)
class SessionQuery:
    """The filters of a session search, kept in a slot so that "meer" shows the next page."""

    region: str | None = None
    theme: str | None = None
    first_day: date | None = None
    time_of_day: str | None = None
    offset: int = 0

    def to_slot(self) -> dict[str, object]:
        return {
            "region": self.region,
            "theme": self.theme,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "time_of_day": self.time_of_day,
            "offset": self.offset,
        }

    @classmethod
    def from_slot(cls, value: object) -> SessionQuery | None:
        if not isinstance(value, Mapping):
            return None
        try:
            first = value.get("first_day")
            offset = value.get("offset")
            return cls(
                region=value.get("region") or None,
                theme=value.get("theme") if value.get("theme") in WORKSHOP_THEMES else None,
                first_day=date.fromisoformat(first) if isinstance(first, str) else None,
                time_of_day=value.get("time_of_day") or None,
                offset=offset if isinstance(offset, int) and offset >= 0 else 0,
            )
        except (TypeError, ValueError):
            return None


def query_from_text(text: str | None, today: date) -> SessionQuery:
    return SessionQuery(
        region=region_in(text),
        theme=theme_in(text),
        first_day=first_day_in(text, today),
        time_of_day=time_of_day_in(text),
    )


_ORDINALS: Mapping[str, int] = MappingProxyType(
    {"eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "laatste": -1}
)


def picked_session(entity: object, text: str | None, shown: Sequence[int]) -> int | None:
    """The session id of a button (``session_id``) or of "de tweede" / "nummer 2" in the list."""
    if entity is not None:
        try:
            number = int(str(entity))
        except ValueError:
            return None
        return number if number > 0 else None
    folded = (text or "").lower()
    for word, place in _ORDINALS.items():
        if re.search(rf"\b{word}\b", folded) and shown:
            index = place - 1 if place > 0 else len(shown) - 1
            return shown[index] if index < len(shown) else None
    digits = re.findall(r"\b(\d{1,2})\b", folded)
    if len(digits) == 1 and shown and 1 <= int(digits[0]) <= len(shown):
        return shown[int(digits[0]) - 1]
    return None


# --- texts ------------------------------------------------------------------------------


def _clock(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M")


def when_text(starts_at: datetime, ends_at: datetime) -> str:
    """ "woensdag 14 januari van 19:00 tot 20:15" (local time)."""
    day = format_day_of(starts_at.astimezone(LOCAL_TZ).date())
    return f"{day} van {_clock(starts_at)} tot {_clock(ends_at)}"


def place_text(offer: SessionOffer | SignupView) -> str:
    if offer.venue and offer.town:
        return (
            f"{offer.venue}, {offer.town} ({offer.region})"
            if offer.region
            else (f"{offer.venue}, {offer.town}")
        )
    return offer.location


def theme_title(theme: str, fallback: str) -> str:
    return WORKSHOP_THEMES.get(theme, fallback)


def offer_text(number: int, offer: SessionOffer) -> str:
    lines = [
        f"{number}. Workshop: **{theme_title(offer.theme, offer.title)}**",
        when_text(offer.starts_at, offer.ends_at),
    ]
    if offer.event_name:
        lines.append(offer.event_name)
    lines.append(place_text(offer))
    if offer.full:
        waiting = f" Er staan {offer.waiting} mensen op de wachtlijst." if offer.waiting else ""
        lines.append(f"Vol. Je kunt op de wachtlijst.{waiting}")
    else:
        lines.append(f"Nog {offer.seats_left} plekken vrij.")
    return "\n".join(lines)


def filters_text(query: SessionQuery) -> str:
    parts = []
    if query.theme:
        parts.append(f"over '{theme_title(query.theme, query.theme)}'")
    if query.region:
        parts.append(f"in {query.region}")
    if query.time_of_day:
        parts.append(f"in de {query.time_of_day}")
    if query.first_day:
        parts.append(f"vanaf {format_day_of(query.first_day)}")
    return " ".join(parts)


def intro_text(query: SessionQuery, moving: bool) -> str:
    what = filters_text(query)
    head = "Dit zijn de eerstvolgende workshops" + (f" {what}" if what else "") + "."
    if query.offset:
        head = "Hier zijn nog meer data" + (f" {what}" if what else "") + "."
    if moving:
        return head + " Kies de nieuwe datum voor je inschrijving."
    return head + " Kies er een, dan schrijf ik je in met je voucher."


SIGNUP_BUTTON = "Schrijf me in"
WAITING_BUTTON = "Zet me op de wachtlijst"
MOVE_BUTTON = "Verzet naar deze"
MORE_HINT = "Wil je andere data zien? Typ 'meer'."
MORE_BUTTON = "Meer"
LAST_PAGE = "Meer data zijn er nu niet."
NOTHING_FOUND = (
    "Ik vind geen workshops {soort}. Probeer een andere provincie, een ander onderwerp of een "
    "latere datum."
)
NOTHING_AT_ALL = "Er staan nu geen workshops gepland. Vraag het later nog eens."
NOTHING_MORE = "Meer data heb ik niet. Vraag gerust opnieuw welke workshops er zijn."
PAST_DAY = "Die datum is al voorbij. Ik laat je de workshops vanaf vandaag zien."
NO_LIST = "Welke workshop bedoel je? Vraag eerst welke workshops er zijn, en kies er dan een."
NO_VOUCHER = (
    "Je hebt nog geen voucher. Die heb je nodig om je in te schrijven. "
    "Vraag hem eerst aan, daarna schrijf ik je in."
)
VOUCHER_BUTTON = {"title": "Vraag je voucher aan", "payload": "/request_voucher"}
RESERVED_BUTTONS = (
    {"title": "Verzet mijn inschrijving", "payload": "/move_signup"},
    {"title": "Zeg mijn inschrijving af", "payload": "/cancel_signup"},
)
NO_SIGNUPS = "Je hebt geen inschrijving voor een workshop die nog moet komen."
WHICH_SIGNUP = "Je hebt meer dan één inschrijving. Welke bedoel je?"
YES_NO = ({"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"})
NOT_SIGNED_UP = "Prima, ik schrijf je niet in. Je voucher blijft vrij."
NOT_CANCELLED = "Prima, je inschrijving blijft staan."
NOT_MOVED = "Prima, je inschrijving blijft zoals hij was."


def signup_line(view: SignupView) -> str:
    return f"'{theme_title(view.theme, view.title)}' op {when_text(view.starts_at, view.ends_at)}"


def confirm_question(plan: str, offer: SessionOffer | None, current: SignupView | None) -> str:
    """The one yes/no question before anything changes."""
    if plan == "cancel" and current is not None:
        return (
            f"Zal ik je inschrijving voor {signup_line(current)} afzeggen? "
            "Je voucher is dan weer vrij."
        )
    assert offer is not None
    what = (
        f"'{theme_title(offer.theme, offer.title)}' op {when_text(offer.starts_at, offer.ends_at)}"
        f" in {place_text(offer)}"
    )
    if plan == "move":
        if offer.full:
            return (
                f"Die datum is vol. Zal ik je op de wachtlijst zetten voor {what}? "
                "Je houdt je plek tot je er een hebt."
            )
        return f"Zal ik je inschrijving verzetten naar {what}?"
    if offer.full:
        return (
            f"Deze workshop is vol. Zal ik je op de wachtlijst zetten voor {what}? "
            "Je voucher blijft dan voor jou gereserveerd."
        )
    return f"Zal ik je inschrijven voor {what}? Je gebruikt daarvoor je voucher."


def signed_up_text(view: SignupView, ics_url: str) -> str:
    code = format_code(view.code)
    if view.waiting:
        return (
            f"Je staat op de wachtlijst voor {signup_line(view)}. Je bent nummer "
            f"{view.waiting_position}. Je voucher is voor jou gereserveerd.\n"
            "Komt er een plek vrij? Dan vertel ik het je de volgende keer dat we praten.\n"
            f"Je code is {code}. Bewaar die goed."
        )
    return (
        f"Je bent ingeschreven voor {signup_line(view)}, in {place_text(view)}.\n"
        f"Je code is {code}. Bewaar die goed. Je voucher is hiervoor gereserveerd.\n"
        f"Zet de workshop in je agenda met dit bestand: {ics_url}"
    )


def cancelled_text(view: SignupView) -> str:
    return (
        f"Je inschrijving voor {signup_line(view)} is afgezegd. "
        "Je voucher is weer vrij. Je kunt je voor een andere workshop inschrijven."
    )


def moved_text(view: SignupView, ics_url: str) -> str:
    if view.waiting:
        return (
            f"Je staat nu op de wachtlijst voor {signup_line(view)}. Je bent nummer "
            f"{view.waiting_position}. Je code blijft {format_code(view.code)}."
        )
    return (
        f"Je inschrijving is verzet naar {signup_line(view)}, in {place_text(view)}. "
        f"Je code blijft {format_code(view.code)}.\n"
        f"Zet de nieuwe datum in je agenda met dit bestand: {ics_url}"
    )
