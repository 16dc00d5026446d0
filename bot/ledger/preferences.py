"""Understanding free-text answers in the booking conversation (pure functions).

Buttons send plain text, so a click and a typed answer take the same path: "friesland",
"online graag", "dinsdag of donderdag, liefst 's middags", "de tweede".
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import LOCAL_TZ
from bot.ledger.catalog import MODE_ON_LOCATION, MODE_ONLINE, REGIONS

#: The employee has no preference for online or on location.
MODE_ANY = "any"

PART_MORNING, PART_AFTERNOON, PART_EVENING = "ochtend", "middag", "avond"
PARTS = (PART_MORNING, PART_AFTERNOON, PART_EVENING)

WEEKDAY_NAMES = ("maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag")
WEEKDAY_SHORT = ("ma", "di", "wo", "do", "vr", "za", "zo")
MONTH_NAMES = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

_NO_PREFERENCE = (
    "maakt niet uit",
    "maakt me niet uit",
    "maakt mij niet uit",
    "geen voorkeur",
    "om het even",
    "allebei",
    "beide",
    "alles",
    "altijd",
    "wat het eerst kan",
    "zo snel mogelijk",
    "zsm",
    "egal",
    "boeit niet",
    "maakt niks uit",
    "maakt niet zoveel uit",
)


def fold(text: str) -> str:
    """Lower case without accents and punctuation, single spaces ("Fryslân!" -> "fryslan")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    plain = re.sub(r"[’'`]", "", plain)
    return re.sub(r"[^a-z0-9:]+", " ", plain).strip()


def _has_phrase(folded: str, phrase: str) -> bool:
    return re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", folded) is not None


def says_no_preference(text: str) -> bool:
    folded = fold(text)
    return any(_has_phrase(folded, phrase) for phrase in _NO_PREFERENCE)


# --- Region -----------------------------------------------------------------------------

_REGION_ALIASES: dict[str, str] = {fold(region): region for region in REGIONS}
_REGION_ALIASES.update(
    {
        "friesland": "Fryslân",
        "frysland": "Fryslân",
        "noordholland": "Noord-Holland",
        "nh": "Noord-Holland",
        "zuidholland": "Zuid-Holland",
        "zh": "Zuid-Holland",
        "brabant": "Noord-Brabant",
        "noordbrabant": "Noord-Brabant",
        "limburg": "Limburg",
        "zuid limburg": "Limburg",
        "noord limburg": "Limburg",
        "utereg": "Utrecht",
        "flevo": "Flevoland",
        "de achterhoek": "Gelderland",
        "achterhoek": "Gelderland",
        "veluwe": "Gelderland",
        "twente": "Overijssel",
        "randstad": "",
    }
)
#: Large places, so "ik werk in Amersfoort" works; the province is what counts.
_PLACES: dict[str, str] = {
    "amsterdam": "Noord-Holland",
    "haarlem": "Noord-Holland",
    "zaanstad": "Noord-Holland",
    "alkmaar": "Noord-Holland",
    "hilversum": "Noord-Holland",
    "den helder": "Noord-Holland",
    "rotterdam": "Zuid-Holland",
    "den haag": "Zuid-Holland",
    "s gravenhage": "Zuid-Holland",
    "leiden": "Zuid-Holland",
    "dordrecht": "Zuid-Holland",
    "delft": "Zuid-Holland",
    "zoetermeer": "Zuid-Holland",
    "gouda": "Zuid-Holland",
    "amersfoort": "Utrecht",
    "nieuwegein": "Utrecht",
    "veenendaal": "Utrecht",
    "arnhem": "Gelderland",
    "nijmegen": "Gelderland",
    "apeldoorn": "Gelderland",
    "ede": "Gelderland",
    "doetinchem": "Gelderland",
    "zwolle": "Overijssel",
    "enschede": "Overijssel",
    "deventer": "Overijssel",
    "hengelo": "Overijssel",
    "almelo": "Overijssel",
    "eindhoven": "Noord-Brabant",
    "tilburg": "Noord-Brabant",
    "breda": "Noord-Brabant",
    "den bosch": "Noord-Brabant",
    "s hertogenbosch": "Noord-Brabant",
    "helmond": "Noord-Brabant",
    "maastricht": "Limburg",
    "venlo": "Limburg",
    "heerlen": "Limburg",
    "sittard": "Limburg",
    "roermond": "Limburg",
    "leeuwarden": "Fryslân",
    "sneek": "Fryslân",
    "heerenveen": "Fryslân",
    "drachten": "Fryslân",
    "assen": "Drenthe",
    "emmen": "Drenthe",
    "hoogeveen": "Drenthe",
    "meppel": "Drenthe",
    "almere": "Flevoland",
    "lelystad": "Flevoland",
    "emmeloord": "Flevoland",
    "middelburg": "Zeeland",
    "vlissingen": "Zeeland",
    "goes": "Zeeland",
    "terneuzen": "Zeeland",
}
_ALL_NAMES: dict[str, str] = {**_PLACES, **_REGION_ALIASES}


def normalize_region(text: str) -> str | None:
    """The official province named in ``text`` (alias, big city or small typo), else None."""
    folded = fold(text)
    if not folded:
        return None
    compact = folded.replace(" ", "")
    if _ALL_NAMES.get(compact):
        return _ALL_NAMES[compact]
    for name in sorted(_ALL_NAMES, key=len, reverse=True):
        if _has_phrase(folded, name):
            return _ALL_NAMES[name] or None
    words = folded.split()
    pieces = words + [" ".join(words[i : i + 2]) for i in range(len(words) - 1)]
    pieces += [piece.replace(" ", "") for piece in pieces if " " in piece]
    for piece in pieces:
        if len(piece) < 5:
            continue
        close = difflib.get_close_matches(piece, list(_ALL_NAMES), n=1, cutoff=0.8)
        if close and _ALL_NAMES[close[0]]:
            return _ALL_NAMES[close[0]]
    return None


# --- Online or on location --------------------------------------------------------------

_ONLINE_WORDS = (
    "online",
    "onlien",
    "onine",
    "digitaal",
    "videobellen",
    "beeldbellen",
    "video",
    "teams",
    "zoom",
    "op afstand",
    "vanuit huis",
    "thuis",
    "via de computer",
    "via internet",
    "webcam",
)
_LOCATION_WORDS = (
    "op locatie",
    "locatie",
    "fysiek",
    "in het echt",
    "live",
    "face to face",
    "persoonlijk",
    "ter plekke",
    "op kantoor",
    "in het gemeentehuis",
    "afspreken",
    "echt ontmoeten",
    "in de buurt",
    "in persoon",
)


def parse_mode(text: str) -> str | None:
    """``online``, ``on_location``, ``any`` or None when the answer says nothing about it."""
    folded = fold(text)
    if says_no_preference(text):
        return MODE_ANY
    online = any(_has_phrase(folded, word) for word in _ONLINE_WORDS)
    location = any(_has_phrase(folded, word) for word in _LOCATION_WORDS)
    negated_online = re.search(r"\b(niet|geen) online\b", folded) is not None
    if online and negated_online:
        online, location = False, True
    if online and location:
        return MODE_ANY
    if online:
        return MODE_ONLINE
    if location:
        return MODE_ON_LOCATION
    return None


# --- Days and parts of the day ----------------------------------------------------------


@dataclass(frozen=True)
class WhenPreference:
    """Preferred weekdays (0 = Monday) and parts of the day; empty means any."""

    weekdays: frozenset[int] = field(default_factory=frozenset)
    parts: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_any(self) -> bool:
        return not self.weekdays and not self.parts

    def to_dict(self) -> dict[str, list]:
        return {"weekdays": sorted(self.weekdays), "parts": sorted(self.parts)}

    @classmethod
    def from_dict(cls, data: object) -> WhenPreference:
        if not isinstance(data, dict):
            return cls()
        days = {int(day) for day in data.get("weekdays") or [] if str(day).isdigit()}
        parts = {str(part) for part in data.get("parts") or [] if part in PARTS}
        return cls(frozenset(day for day in days if 0 <= day <= 6), frozenset(parts))


_DAY_WORDS: dict[str, int] = {}
for _number, (_long, _short) in enumerate(zip(WEEKDAY_NAMES, WEEKDAY_SHORT, strict=False)):
    _DAY_WORDS[_long] = _number
    _DAY_WORDS[_long + "s"] = _number  # "dinsdags"
    _DAY_WORDS[_short] = _number
_DAY_WORDS.update({"woendag": 2, "donderag": 3, "vrijdg": 4, "dinsdg": 1, "maandg": 0})
# "do" (doen), "zo" (zo snel mogelijk) and "za" are ordinary words too: only long names count.
for _word in ("do", "zo", "za"):
    _DAY_WORDS.pop(_word, None)
_WEEKEND = frozenset({5, 6})

_PART_WORDS: dict[str, str] = {
    "ochtend": PART_MORNING,
    "ochtends": PART_MORNING,
    "s ochtends": PART_MORNING,
    "morgens": PART_MORNING,
    "ochtenden": PART_MORNING,
    "middagen": PART_AFTERNOON,
    "s morgens": PART_MORNING,
    "voor de middag": PART_MORNING,
    "voor twaalven": PART_MORNING,
    "vroeg": PART_MORNING,
    "ochend": PART_MORNING,
    "middag": PART_AFTERNOON,
    "middags": PART_AFTERNOON,
    "s middags": PART_AFTERNOON,
    "na de lunch": PART_AFTERNOON,
    "namiddag": PART_AFTERNOON,
    "midag": PART_AFTERNOON,
    "avond": PART_EVENING,
    "avonds": PART_EVENING,
    "s avonds": PART_EVENING,
    "na het werk": PART_EVENING,
    "na werktijd": PART_EVENING,
    "laat": PART_EVENING,
}


_COMPOUND = re.compile(
    r"\b(" + "|".join(WEEKDAY_NAMES) + r")(ochtend|morgen|middag|avond)(en|s)?\b"
)


def _split_compounds(folded: str) -> str:
    """ "donderdagmiddag" -> "donderdag middag", "dinsdagochtenden" -> "dinsdag ochtend"."""

    def spaced(match: re.Match) -> str:
        part = "ochtend" if match.group(2) == "morgen" else match.group(2)
        return f"{match.group(1)} {part}"

    return _COMPOUND.sub(spaced, folded)


def parse_when(text: str) -> WhenPreference | None:
    """Weekdays and parts of the day in ``text``; an empty preference for "maakt niet uit".

    Returns None when the answer names neither, so the bot can ask again.
    """
    folded = _split_compounds(fold(text))
    days: set[int] = set()
    parts: set[str] = set()
    for word, day in _DAY_WORDS.items():
        if _has_phrase(folded, word):
            days.add(day)
    if _has_phrase(folded, "doordeweeks") or _has_phrase(folded, "door de week"):
        days.update(range(5))
    if _has_phrase(folded, "weekend"):
        days.update(_WEEKEND)
    for word, part in _PART_WORDS.items():
        if _has_phrase(folded, word):
            parts.add(part)
    # "de middag" inside "voor de middag" is the morning, not the afternoon.
    other_afternoon = re.search(r"(?<!voor de )(?<!s )\bmiddags?\b", folded)
    if _has_phrase(folded, "voor de middag") and not other_afternoon:
        parts.discard(PART_AFTERNOON)
    if days or parts:
        return WhenPreference(frozenset(days), frozenset(parts))
    if says_no_preference(text):
        return WhenPreference()
    return None


def part_of_day(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    if local.hour < 12:
        return PART_MORNING
    if local.hour < 17:
        return PART_AFTERNOON
    return PART_EVENING


def matches_preference(moment: datetime, preference: WhenPreference) -> bool:
    local = moment.astimezone(LOCAL_TZ)
    if preference.weekdays and local.weekday() not in preference.weekdays:
        return False
    return not preference.parts or part_of_day(moment) in preference.parts


def describe_preference(preference: WhenPreference) -> str:
    """Short Dutch description: "op dinsdag of donderdag, in de middag"."""
    if preference.is_any:
        return "op elk moment"
    bits = []
    if preference.weekdays:
        names = [WEEKDAY_NAMES[day] for day in sorted(preference.weekdays)]
        bits.append("op " + join_or(names))
    if preference.parts:
        names = [part for part in PARTS if part in preference.parts]
        bits.append("in de " + join_or(names))
    return ", ".join(bits)


def join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " of " + items[-1]


# --- Dates in messages ------------------------------------------------------------------


def format_day(moment: datetime) -> str:
    """ "dinsdag 14 januari" in Dutch local time, independent of the machine's locale."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{WEEKDAY_NAMES[local.weekday()]} {local.day} {MONTH_NAMES[local.month - 1]}"


def format_date(moment: datetime) -> str:
    """ "14 januari 2026" in Dutch local time."""
    local = moment.astimezone(LOCAL_TZ)
    return f"{local.day} {MONTH_NAMES[local.month - 1]} {local.year}"


def format_time(moment: datetime) -> str:
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M")


def format_moment(starts_at: datetime, ends_at: datetime | None = None) -> str:
    """ "dinsdag 14 januari van 10:00 tot 11:00" (or "om 10:00" without an end)."""
    if ends_at is None:
        return f"{format_day(starts_at)} om {format_time(starts_at)}"
    return f"{format_day(starts_at)} van {format_time(starts_at)} tot {format_time(ends_at)}"


# --- Picking one of the offered slots ---------------------------------------------------

_ORDINALS = {
    "eerste": 1,
    "een": 1,
    "1e": 1,
    "tweede": 2,
    "twee": 2,
    "2e": 2,
    "derde": 3,
    "drie": 3,
    "3e": 3,
    "vierde": 4,
    "vier": 4,
    "4e": 4,
    "vijfde": 5,
    "vijf": 5,
    "5e": 5,
    "laatste": -1,
    "bovenste": 1,
    "onderste": -1,
}
_TIME = re.compile(r"\b(\d{1,2})(?::(\d{2})|\s*uur)\b")


def pick_offer(text: str, starts: Sequence[datetime]) -> int | None:
    """Index of the offered slot that ``text`` points at ("2", "de tweede", "dinsdag 10:00").

    ``starts`` are the start times of the offers in the order shown. None when unclear.
    """
    folded = fold(text)
    count = len(starts)
    if not folded or not count:
        return None
    number = re.fullmatch(r"(?:optie|nummer|nr|keuze|tijd)?\s*(\d)", folded)
    if number:
        index = int(number.group(1)) - 1
        return index if 0 <= index < count else None
    for word, position in _ORDINALS.items():
        if _has_phrase(folded, word) and len(folded.split()) <= 6:
            index = count - 1 if position == -1 else position - 1
            if 0 <= index < count:
                return index
    return _match_by_moment(folded, starts)


def _match_by_moment(folded: str, starts: Sequence[datetime]) -> int | None:
    days = {day for word, day in _DAY_WORDS.items() if _has_phrase(folded, word)}
    time_match = _TIME.search(folded)
    hour_minute = None
    if time_match:
        hour_minute = (int(time_match.group(1)), int(time_match.group(2) or 0))
    day_of_month = {
        int(match.group(1))
        for match in re.finditer(r"\b(\d{1,2})\s+(" + "|".join(MONTH_NAMES) + r")\b", folded)
    }
    if not days and hour_minute is None and not day_of_month:
        return None
    hits = []
    for index, start in enumerate(starts):
        local = start.astimezone(LOCAL_TZ)
        if days and local.weekday() not in days:
            continue
        if hour_minute and (local.hour, local.minute) != hour_minute:
            continue
        if day_of_month and local.day not in day_of_month:
            continue
        hits.append(index)
    return hits[0] if len(hits) == 1 else None


# --- Yes / no ---------------------------------------------------------------------------

_YES = (
    "ja",
    "jawel",
    "graag",
    "prima",
    "goed",
    "oke",
    "ok",
    "okay",
    "is goed",
    "zeker",
    "yes",
    "jazeker",
    "doe maar",
    "top",
    "prima hoor",
    "akkoord",
    "ja hoor",
    "ja graag",
    "jep",
    "yep",
)
_NO = (
    "nee",
    "neen",
    "nope",
    "niet",
    "liever niet",
    "nee dank je",
    "nee bedankt",
    "no",
    "hoeft niet",
    "niet nodig",
    "geen",
    "nah",
    "nee hoor",
    "laat maar",
)


def parse_yes_no(text: str, intent: str | None = None) -> bool | None:
    """True for yes, False for no, None when unclear; the NLU intent wins when it is sure."""
    if intent == "affirm":
        return True
    if intent == "deny":
        return False
    folded = fold(text)
    yes = any(_has_phrase(folded, word) for word in _YES)
    no = any(_has_phrase(folded, word) for word in _NO)
    if yes != no:
        return yes
    return None
