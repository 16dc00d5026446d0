"""Understanding free-text answers in the booking conversation (pure functions).

Buttons send plain text, so a click and a typed answer take the same path: "friesland",
"online graag", "dinsdag of donderdag, liefst 's middags", "de tweede".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from babel.dates import format_date as babel_format_date

from bot.clock import LOCAL_TZ, utcnow
from bot.ledger.catalog import MODE_ON_LOCATION, MODE_ONLINE, REGIONS
from bot.ledger.when import (
    WhenWords,
    after_leaving,
    days_of,
    days_of_month,
    fold,
    is_public_holiday,
    minutes_of_day,
    read_when,
    time_asked,
)

#: The employee has no preference for online or on location.
MODE_ANY = "any"
#: Online, with a coach from any province: online coaches do not depend on where you live.
MODE_ONLINE_ANYWHERE = "online_anywhere"

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


def normalize_region(text: str, *, fuzzy: bool = True) -> str | None:
    """The official province named in ``text`` (alias, big city or small typo), else None.

    ``fuzzy=False`` takes only names spelled right: for text that answered something else.
    """
    folded = fold(text)
    if not folded:
        return None
    compact = folded.replace(" ", "")
    if _ALL_NAMES.get(compact):
        return _ALL_NAMES[compact]
    for name in sorted(_ALL_NAMES, key=len, reverse=True):
        if _has_phrase(folded, name):
            return _ALL_NAMES[name] or None
    if not fuzzy:
        return None
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


_OTHER_PROVINCES = re.compile(
    r"\b(?:andere|ander|elke|alle|overige)\s+(?:provincie|provincies|regio|regios)\b|"
    r"\bheel (?:nederland|het land)\b|\bmaakt (?:niet|niks) uit (?:welke provincie|waar)\b|"
    r"\bbuiten (?:de|mijn|m n) (?:provincie|regio)\b"
)


def asks_other_provinces(text: str) -> bool:
    """ "kan het ook met een coach uit een andere provincie, het is toch online?"."""
    return _OTHER_PROVINCES.search(fold(text)) is not None


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


def _iso_dates(values: object) -> frozenset[date]:
    found = set()
    for value in values if isinstance(values, list | tuple | set | frozenset) else []:
        try:
            found.add(date.fromisoformat(str(value)))
        except ValueError:
            continue
    return frozenset(found)


def _minutes(value: object) -> int | None:
    return int(value) if isinstance(value, int) and 0 <= value < 24 * 60 else None


@dataclass(frozen=True)
class WhenPreference:
    """Preferred weekdays (0 = Monday), parts of the day, a time window and dates.

    Empty means any. ``not_dates`` are days the employee said do not work ("morgen kan
    niet"), ``not_weekdays`` weekdays ("niet op vrijdag"): both hold for the whole search,
    also when a later message names other days. ``from_date`` is the first day to look at
    ("volgende week").
    """

    weekdays: frozenset[int] = field(default_factory=frozenset)
    parts: frozenset[str] = field(default_factory=frozenset)
    after_minutes: int | None = None
    before_minutes: int | None = None
    dates: frozenset[date] = field(default_factory=frozenset)
    not_dates: frozenset[date] = field(default_factory=frozenset)
    from_date: date | None = None
    not_weekdays: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_any(self) -> bool:
        return self.without_exclusions() == WhenPreference()

    def without_exclusions(self) -> WhenPreference:
        return replace(self, not_dates=frozenset(), not_weekdays=frozenset())

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {"weekdays": sorted(self.weekdays), "parts": sorted(self.parts)}
        if self.after_minutes is not None:
            data["after"] = self.after_minutes
        if self.before_minutes is not None:
            data["before"] = self.before_minutes
        if self.dates:
            data["dates"] = sorted(day.isoformat() for day in self.dates)
        if self.not_dates:
            data["not_dates"] = sorted(day.isoformat() for day in self.not_dates)
        if self.from_date is not None:
            data["from"] = self.from_date.isoformat()
        if self.not_weekdays:
            data["not_weekdays"] = sorted(self.not_weekdays)
        return data

    @classmethod
    def from_dict(cls, data: object) -> WhenPreference:
        if not isinstance(data, dict):
            return cls()
        days = {int(day) for day in data.get("weekdays") or [] if str(day).isdigit()}
        not_days = {int(day) for day in data.get("not_weekdays") or [] if str(day).isdigit()}
        parts = {str(part) for part in data.get("parts") or [] if part in PARTS}
        starts = _iso_dates([data["from"]]) if data.get("from") else frozenset()
        return cls(
            frozenset(day for day in days if 0 <= day <= 6),
            frozenset(parts),
            after_minutes=_minutes(data.get("after")),
            before_minutes=_minutes(data.get("before")),
            dates=_iso_dates(data.get("dates")),
            not_dates=_iso_dates(data.get("not_dates")),
            from_date=next(iter(starts), None),
            not_weekdays=frozenset(day for day in not_days if 0 <= day <= 6),
        )

    def with_words(self, words: WhenWords) -> WhenPreference:
        """This preference with what a new message said about times added or replaced."""
        merged = self
        if words.after_minutes is not None or words.before_minutes is not None:
            merged = replace(
                merged,
                after_minutes=words.after_minutes,
                before_minutes=words.before_minutes,
                parts=frozenset(),
            )
        if words.dates:
            named = {day.weekday() for day in words.dates}  # "vrijdag 11 december" after all
            merged = replace(
                merged,
                dates=words.dates,
                weekdays=frozenset(),
                from_date=None,
                not_weekdays=merged.not_weekdays - named,
            )
        if words.from_date is not None:
            merged = replace(merged, from_date=words.from_date, dates=frozenset())
        if words.not_dates:
            merged = replace(
                merged,
                not_dates=merged.not_dates | words.not_dates,
                dates=merged.dates - words.not_dates,
            )
        return merged


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


#: "ik vroeg waar" is asking, not "vroeg" (early): the verb is no part of the day.
_ASKED_VERB = re.compile(r"\b(?:ik|je|jij|hij|ze|zij|we|wij|u)\s+vroeg\b")


def _days_and_parts(text: str) -> tuple[set[int], set[str]]:
    folded = _ASKED_VERB.sub(" ", _split_compounds(fold(text)))
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
    # "laat" as in "iets later" is a time window, handled by ``when``; "morgens" is morning.
    return days, parts


def _negated_weekdays(text: str) -> set[int]:
    """ "maandag kan ik niet", "niet op woensdag": weekdays that do not work."""
    folded = fold(text)
    negated = set()
    for word, day in _DAY_WORDS.items():
        before = rf"\b(niet|geen|behalve)\s+(op\s+)?{word}\b"
        after = rf"\b{word}\s+(kan|lukt|gaat|past)?\s*(ik|het|me|mij)?\s*(niet|slecht)\b"
        if re.search(before, folded) or re.search(after, folded):
            negated.add(day)
    return negated


def parse_when(text: str, now: datetime | None = None) -> WhenPreference | None:
    """Days, parts of the day, a time window or dates in ``text``; an empty preference
    for "maakt niet uit".

    Returns None when the answer names none of these, so the bot can ask again.
    """
    days, parts = _days_and_parts(text)
    negated = _negated_weekdays(text)
    if negated:
        days = (days - negated) or set(range(5)) - negated
    words = read_when(text, now or utcnow())
    if days or parts or not words.empty and not (words.later or words.other_day):
        preference = WhenPreference(
            frozenset(days), frozenset(parts), not_weekdays=frozenset(negated)
        ).with_words(words)
        return preference
    if says_no_preference(text):
        return WhenPreference()
    return None


def _without_complaint(words: WhenWords, current: WhenPreference) -> WhenWords:
    """Drops a "voor" time that would empty the wished window: a complaint, not a wish.

    "15:00 is nog steeds voor vier uur" while the wish is "na 4 uur" says the times shown
    are too early; read as "before 16:00" it would turn the wish around.
    """
    if (
        words.before_minutes is not None
        and words.after_minutes is None
        and current.after_minutes is not None
        and words.before_minutes <= current.after_minutes
    ):
        return replace(words, before_minutes=None)
    return words


def restates_wish(text: str, current: WhenPreference, now: datetime | None = None) -> bool:
    """The message repeats a time wish that is already known ("ik zei toch na vier uur").

    Then the same search is shown again, with its honest "niets vrij", instead of "Welke
    tijd bedoel je?".
    """
    text = after_leaving(text)
    if not text:
        return False
    words = read_when(text, now or utcnow())
    if words.after_minutes is None and words.before_minutes is None and not words.later:
        return False
    same_after = words.after_minutes in (None, current.after_minutes)
    return same_after and (words.after_minutes is not None or words.later)


def refine_when(
    text: str,
    current: WhenPreference,
    now: datetime | None,
    shown: Sequence[datetime] = (),
) -> WhenPreference | None:
    """The preference after a remark on the offered times ("liever donderdag", "iets
    later", "andere dag graag", "volgende week mag ook"); None if it says nothing new."""
    text = after_leaving(text)
    if not text:
        return None
    moment = now or utcnow()
    words = read_when(text, moment)
    days, parts = _days_and_parts(text)
    negated = _negated_weekdays(text)
    if not (days or parts or negated) and words.empty:
        return None
    words = _without_complaint(words, current)
    refined = current
    if days - negated or negated:
        # a day ruled out stays out ("niet op vrijdag", then "heb je niks op dinsdag?"),
        # until the employee names it again without "niet"
        ruled_out = (refined.not_weekdays - days) | negated
        chosen = (days - negated) or set(range(5)) - ruled_out
        refined = replace(
            refined,
            weekdays=frozenset(chosen),
            dates=frozenset(),
            not_weekdays=frozenset(ruled_out),
        )
    if parts:
        refined = replace(refined, parts=frozenset(parts), after_minutes=None, before_minutes=None)
    refined = refined.with_words(words)
    if words.later and shown:
        # "Later" than what was shown, but never earlier than the wish: "niks later?" after
        # alternatives at 13:30 while the wish was "na 4 uur" still means after 16:00.
        after_shown = min(minutes_of_day(start) for start in shown) + 1
        refined = replace(
            refined,
            after_minutes=max(after_shown, current.after_minutes or 0),
            parts=frozenset(),
        )
    if words.other_day and shown:
        refined = replace(
            refined,
            not_dates=refined.not_dates | days_of(shown),
            dates=refined.dates - days_of(shown),
        )
    return refined if refined != current else None


def part_of_day(moment: datetime) -> str:
    local = moment.astimezone(LOCAL_TZ)
    if local.hour < 12:
        return PART_MORNING
    if local.hour < 17:
        return PART_AFTERNOON
    return PART_EVENING


def day_fits(moment: datetime, preference: WhenPreference) -> bool:
    """The day is one the employee can (dates, weekdays, from, not a holiday)."""
    local = moment.astimezone(LOCAL_TZ)
    if is_public_holiday(moment) or local.date() in preference.not_dates:
        return False
    if local.weekday() in preference.not_weekdays:
        return False
    if preference.dates and local.date() not in preference.dates:
        return False
    if preference.from_date is not None and local.date() < preference.from_date:
        return False
    return not preference.weekdays or local.weekday() in preference.weekdays


def time_fits(moment: datetime, preference: WhenPreference) -> bool:
    """The time of day fits the parts of the day and the time window."""
    minutes = minutes_of_day(moment)
    if preference.after_minutes is not None and minutes < preference.after_minutes:
        return False
    if preference.before_minutes is not None and minutes >= preference.before_minutes:
        return False
    return not preference.parts or part_of_day(moment) in preference.parts


def matches_preference(moment: datetime, preference: WhenPreference) -> bool:
    """The moment fits every part of the preference (and is no Dutch public holiday)."""
    return day_fits(moment, preference) and time_fits(moment, preference)


def any_day(preference: WhenPreference) -> WhenPreference:
    """The same time of day on any day the employee did not rule out."""
    return replace(preference, weekdays=frozenset(), dates=frozenset(), from_date=None)


def any_time(preference: WhenPreference) -> WhenPreference:
    """The same days at any time of day."""
    return replace(preference, parts=frozenset(), after_minutes=None, before_minutes=None)


def has_clock_window(preference: WhenPreference) -> bool:
    """The employee named a clock time ("na 4 uur", "voor tienen"): a limit, not a taste."""
    return preference.after_minutes is not None or preference.before_minutes is not None


def only_exclusions(preference: WhenPreference) -> WhenPreference:
    """Anything except the days the employee ruled out."""
    return WhenPreference(not_dates=preference.not_dates, not_weekdays=preference.not_weekdays)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _after_words(minutes: int) -> str:
    """ "om 16:00 of later", or "na 16:00" for the minute after a time shown ("niks later?"
    keeps after 16:00 as 16:01 internally; an employee must never read "16:01")."""
    if minutes % 5 == 1:
        return f"na {_clock(minutes - 1)}"
    return f"om {_clock(minutes)} of later"


def describe_preference(preference: WhenPreference) -> str:
    """Short Dutch description: "op dinsdag of donderdag, in de middag, na 16:00"."""
    if preference.is_any and not preference.not_weekdays:
        return "op elk moment"
    bits = []
    if preference.dates:
        bits.append("op " + join_or([format_day_of(day) for day in sorted(preference.dates)]))
    if preference.weekdays:
        names = [WEEKDAY_NAMES[day] for day in sorted(preference.weekdays)]
        bits.append("op " + join_or(names))
    if preference.parts:
        names = [part for part in PARTS if part in preference.parts]
        bits.append("in de " + join_or(names))
    if preference.after_minutes is not None and preference.before_minutes is not None:
        window = f"tussen {_clock(preference.after_minutes)} en {_clock(preference.before_minutes)}"
        bits.append(window)
    elif preference.after_minutes is not None:
        bits.append(_after_words(preference.after_minutes))
    elif preference.before_minutes is not None:
        bits.append(f"voor {_clock(preference.before_minutes)}")
    if preference.from_date is not None:
        bits.append(f"vanaf {format_day_of(preference.from_date)}")
    if preference.not_weekdays and not preference.weekdays and not preference.dates:
        names = [WEEKDAY_NAMES[day] for day in sorted(preference.not_weekdays)]
        bits.append("niet op " + join_or(names))
    return ", ".join(bits)


def join_or(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " of " + items[-1]


# --- Dates in messages ------------------------------------------------------------------


def format_day_of(day: date) -> str:
    """ "dinsdag 14 januari", with babel's Dutch names (independent of the machine's locale)."""
    return babel_format_date(day, format="EEEE d MMMM", locale="nl")


def format_day(moment: datetime) -> str:
    """ "dinsdag 14 januari" in Dutch local time."""
    return format_day_of(moment.astimezone(LOCAL_TZ).date())


def format_date(moment: datetime) -> str:
    """ "14 januari 2026" in Dutch local time."""
    return babel_format_date(moment.astimezone(LOCAL_TZ).date(), format="d MMMM y", locale="nl")


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
_FILLER = {
    "dan", "maar", "doe", "graag", "ok", "oke", "nou", "die", "de", "nummer", "nr", "optie",
    "thx", "thanks", "top", "prima", "ja", "mooi", "geef", "neem", "ik", "wil", "kies",
}  # fmt: skip


_AMOUNT = re.compile(r"\b(een|twee|drie|vier|vijf|\d)\s+(weken|week|dagen|dag|uur|uurtjes)\b")


def _loose_number(folded: str, count: int) -> int | None:
    """ "4 dan maar", "doe maar 2": one list number among filler words."""
    words = re.findall(r"[\w']+", folded)
    numbers = [word for word in words if re.fullmatch(r"[1-9]", word)]
    rest = [word for word in words if word not in numbers]
    if len(numbers) == 1 and len(words) <= 6 and all(word in _FILLER for word in rest):
        index = int(numbers[0]) - 1
        return index if index < count else None
    return None


def pick_offer(text: str, starts: Sequence[datetime], names: Sequence[str] = ()) -> int | None:
    """Index of the offered slot that ``text`` points at ("2", "de tweede", "dinsdag 10:00",
    "die van 3 uur bij Noor", "4 dan maar").

    ``starts`` are the start times of the offers in the order shown, ``names`` the coaches'
    names in the same order. None when unclear.
    """
    folded = fold(text)
    count = len(starts)
    if not folded or not count:
        return None
    number = re.fullmatch(r"(?:optie|nummer|nr|keuze|tijd)?\s*(\d)", folded)
    if number:
        index = int(number.group(1)) - 1
        return index if 0 <= index < count else None
    loose = _loose_number(folded, count)
    if loose is not None:
        return loose
    # "over twee weken", "een uur later": a number of weeks or hours, not the second time.
    counted = _AMOUNT.sub(" ", folded)
    for word, position in _ORDINALS.items():
        if _has_phrase(counted, word) and len(folded.split()) <= 6:
            index = count - 1 if position == -1 else position - 1
            if 0 <= index < count:
                return index
    return _match_by_moment(folded, starts, names)


def _named_coach(folded: str, names: Sequence[str]) -> set[int]:
    """Offers whose coach is named by first or last name ("bij Noor")."""
    hits = set()
    for index, name in enumerate(names):
        parts = [part for part in fold(name).split() if len(part) >= 3]
        if any(_has_phrase(folded, part) for part in parts):
            hits.add(index)
    return hits


def _match_by_moment(
    folded: str, starts: Sequence[datetime], names: Sequence[str] = ()
) -> int | None:
    hits = offers_named(folded, starts, names)
    return hits[0] if len(hits) == 1 else None


def offers_named(
    text: str, starts: Sequence[datetime], names: Sequence[str] = (), *, specific: bool = False
) -> list[int]:
    """Indexes of the offers a message names by day, date, time or coach ("dinsdag 8 dec om
    4 uur"); several when it fits more than one (three coaches at that time), empty when
    it names none or fits none. ``specific``: only when a time, a date or a coach is named
    ("liever dinsdag" alone is a new search, not a pick)."""
    folded = fold(text)
    days = {day for word, day in _DAY_WORDS.items() if _has_phrase(folded, word)}
    minutes = time_asked(folded)
    day_of_month = days_of_month(folded)
    coaches = _named_coach(folded, names) if len(names) == len(starts) else set()
    if not days and minutes is None and not day_of_month and not coaches:
        return []
    if specific and minutes is None and not day_of_month and not coaches:
        return []
    # "middag of avond, woensdag is ook goed": Wednesday at 11:00 is not what was named
    _days, parts = _days_and_parts(text)
    hits = []
    for index, start in enumerate(starts):
        local = start.astimezone(LOCAL_TZ)
        if days and local.weekday() not in days:
            continue
        if minutes is not None and minutes_of_day(start) != minutes:
            continue
        if day_of_month and local.day not in day_of_month:
            continue
        if coaches and index not in coaches:
            continue
        if parts and minutes is None and part_of_day(start) not in parts:
            continue
        hits.append(index)
    return hits


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
    if _ASKS_BACK.match(folded):  # "moet ik nu eerst een voucher hebben of niet": a question
        return None
    dropped = _DROPS_SIDE_QUESTION.match(folded)
    if dropped and _OPENING_YES.match(folded[dropped.end() :]):
        # "laat maar. ja verzetten": the side question is dropped, the answer is yes
        # (walkthrough 2026-12-04b read it as no and kept the old date)
        return parse_yes_no(folded[dropped.end() :])
    yes = any(_has_phrase(folded, word) for word in _YES)
    no = any(_has_phrase(folded, word) for word in _NO)
    if yes != no:
        return yes
    return _opening_answer(folded)


_DROPS_SIDE_QUESTION = re.compile(r"^(?:oh\s+|ach\s+)?laat\s+(?:ook\s+)?maar\s+(?=\S)")


#: A question back instead of a yes or no: it opens with a verb or question word and a
#: subject ("moet ik …", "krijgt de coach …", "wat …"); its "niet" or "goed" answers nothing.
_ASKS_BACK = re.compile(
    r"^(?:en\s+)?(?:moet|moeten|kan|kun|kunnen|mag|mogen|heb|hebben|krijg|krijgt|krijgen|is|zijn|"
    r"wordt|worden|gaat|komt|ziet|weet|wat|hoe|waar|wie|waarom|wanneer|welke|welk)\s+"
    r"(?:ik|je|jij|u|het|dat|dit|er|de|die|mijn|we|wij|ze|zij|hij)\b"
)


_OPENING_YES = re.compile(r"^(?:ja|jawel|jazeker|ja hoor|ja graag|graag|prima|yes|zeker|ok|oke)\b")
_OPENING_NO = re.compile(r"^(?:nee|neen|nope|liever niet)\b")
_TAKEN_BACK = re.compile(r"\b(?:nee|liever niet|toch niet|hoeft niet|niet nodig)\b")


def _opening_answer(folded: str) -> bool | None:
    """ "ja graag, anders weet ik niet hoe ik inlog. en ...?": the answer opens the message,
    the rest explains or asks something ("niet" in it is no "nee")."""
    rest = re.sub(r"^\S+", "", folded)
    if _OPENING_YES.match(folded) and not _TAKEN_BACK.search(rest):
        return True
    if _OPENING_NO.match(folded) and not re.search(r"\bja\b", rest):
        return False
    return None


#: "kan het een dag later?", "twee dagen eerder", "een weekje later": a shift of the booked day.
_DAY_SHIFT = re.compile(
    r"\b(een|1|twee|2|drie|3)\s+(dag|dagen|week|weekje|weken)\s+(later|eerder|erna|ervoor|na|voor)\b",
    re.IGNORECASE,
)
_SHIFT_NUMBERS = {"een": 1, "1": 1, "twee": 2, "2": 2, "drie": 3, "3": 3}


def shifted_day(text: str, booked_day: date) -> date | None:
    """The day a shift of ``booked_day`` names ("een dag later" on a Thursday: Friday);
    a shift onto a weekend goes on to the next working day (back, when earlier)."""
    match = _DAY_SHIFT.search(text or "")
    if match is None:
        return None
    number = _SHIFT_NUMBERS[match.group(1).lower()]
    days = number * (7 if match.group(2).lower().startswith("week") else 1)
    later = match.group(3).lower() in ("later", "erna", "na")
    day = booked_day + timedelta(days=days if later else -days)
    while day.weekday() >= 5:
        day += timedelta(days=1 if later else -1)
    return day
