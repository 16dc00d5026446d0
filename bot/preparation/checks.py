"""Checks on the shape of free-text answers in the preparation: pure functions, no Rasa.

An answer that has a shape is checked before it is stored, so the sheet never carries "32
februari", "asdfgh" or a request the employee typed to Koers ("ik wil eerst de talentscan
doen"). The first message may already say the kind of conversation, the date and who it is
with; ``prefill`` reads those, so the form does not ask them again (walkthrough 4).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import dateparser  # type: ignore[import-untyped]
from babel.dates import format_date

MONTHS = {
    "januari": 1,
    "jan": 1,
    "februari": 2,
    "feb": 2,
    "maart": 3,
    "mrt": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "juni": 6,
    "jun": 6,
    "juli": 7,
    "jul": 7,
    "augustus": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "okt": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
WEEKDAYS = {
    "maandag": 0,
    "dinsdag": 1,
    "woensdag": 2,
    "donderdag": 3,
    "vrijdag": 4,
    "zaterdag": 5,
    "zondag": 6,
}
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_MONTH_RE = re.compile(rf"\b(\d{{1,2}})\s*(?:e\s+)?({_MONTH_ALT})\.?\b(?:\s+(\d{{4}}))?", re.I)
_NUMERIC_RE = re.compile(r"\b(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2,4}))?\b")
_WEEKDAY_RE = re.compile(
    r"\b(?:(volgende\s+week|aanstaande|komende|deze|volgende)\s+)?" rf"({'|'.join(WEEKDAYS)})\b",
    re.I,
)
#: "de 12e", "de 12de", "12e": a day of the month without the month (the next one ahead).
_DAY_OF_MONTH_RE = re.compile(
    r"\b(?:de\s+(\d{1,2})(?:e|de|ste)?|(\d{1,2})(?:e|de|ste))\b"
    r"(?!\s*(?:keer|maal|ronde|gesprek|jaar|week|klas|graad|niveau|plek|plaats|uur))",
    re.I,
)
_RELATIVE_RE = re.compile(
    r"\b(?:vandaag|morgen|gisteren|eergisteren|overmorgen|volgende\s+week|over\s+\w+\s+(?:dag|dagen|week|weken|"
    r"maand|maanden))\b",
    re.I,
)
_NUMBER_WORDS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6}

#: How far ahead a meeting date may lie; later than this is almost always a typo.
MAX_AHEAD_DAYS = 366

OK, NOT_A_DATE, NO_SUCH_DATE, IN_THE_PAST, TOO_FAR = "ok", "geen", "bestaat_niet", "voorbij", "ver"
#: "donderdag de 12e" when the 12th is a Saturday: the day and the weekday disagree.
WRONG_WEEKDAY = "andere_dag"


@dataclass(frozen=True)
class DateCheck:
    """The outcome of reading a meeting date: ``status`` is one of the constants above."""

    status: str
    day: date | None = None
    #: With WRONG_WEEKDAY: the weekday named, and the nearest such days around ``day``.
    weekday: int | None = None
    nearby: tuple[date, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status == OK


def format_day(day: date) -> str:
    """A date as Dutch people write it on a sheet: "dinsdag 8 december 2026"."""
    return format_date(day, "EEEE d MMMM y", locale="nl")


def _checked(day: date, today: date) -> DateCheck:
    if day < today:
        return DateCheck(IN_THE_PAST, day)
    if (day - today).days > MAX_AHEAD_DAYS:
        return DateCheck(TOO_FAR, day)
    return DateCheck(OK, day)


def _calendar_date(year: int, month: int, day: int) -> date | None:
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _explicit(day: int, month: int, year_text: str | None, today: date) -> DateCheck:
    """ "12 maart", "3-4", "29 februari 2027": a day that must exist in that month."""
    if year_text:
        year = int(year_text) + (2000 if len(year_text) == 2 else 0)
        found = _calendar_date(year, month, day)
        return _checked(found, today) if found else DateCheck(NO_SUCH_DATE)
    # No year: this year, or next year once the date has passed (a meeting lies ahead).
    this_year = _calendar_date(today.year, month, day)
    next_year = _calendar_date(today.year + 1, month, day)
    if this_year is None and next_year is None:
        return DateCheck(NO_SUCH_DATE)
    if this_year is not None and this_year >= today:
        return _checked(this_year, today)
    return _checked(next_year, today) if next_year else DateCheck(NO_SUCH_DATE)


def _weekday(which: str | None, name: str, today: date) -> date:
    """ "dinsdag" is the next Tuesday; "volgende week dinsdag" the Tuesday of next week."""
    target = WEEKDAYS[name.lower()]
    if which and re.fullmatch(r"volgende\s+week", which.strip(), re.I):
        monday = today - timedelta(days=today.weekday()) + timedelta(days=7)
        return monday + timedelta(days=target)
    ahead = (target - today.weekday()) % 7
    if ahead == 0 and which and which.lower() in {"volgende", "komende", "aanstaande"}:
        ahead = 7
    return today + timedelta(days=ahead)


def _relative(text: str, today: date) -> date | None:
    lowered = text.lower()
    for word, number in _NUMBER_WORDS.items():
        lowered = re.sub(rf"\bover\s+{word}\b", f"over {number}", lowered)
    parsed = dateparser.parse(
        lowered,
        languages=["nl"],
        settings={"PREFER_DATES_FROM": "future", "RELATIVE_BASE": _midday(today)},
    )
    return parsed.date() if parsed else None


def _midday(today: date) -> datetime:
    return datetime.combine(today, time(12))


def _day_of_month(day: int, today: date) -> DateCheck:
    """ "de 12e": this month's 12th, or next month's once it has passed."""
    for months_ahead in range(3):
        month_index = today.month - 1 + months_ahead
        found = _calendar_date(today.year + month_index // 12, month_index % 12 + 1, day)
        if found and found >= today:
            return _checked(found, today)
    return DateCheck(NO_SUCH_DATE)


def _same_weekday(checked: DateCheck, text: str, today: date) -> DateCheck:
    """A named weekday must be the date's weekday; else both readings go back to the employee."""
    match = _WEEKDAY_RE.search(text)
    if not match or not checked.ok or checked.day is None:
        return checked
    weekday = WEEKDAYS[match.group(2).lower()]
    if checked.day.weekday() == weekday:
        return checked
    before = checked.day - timedelta(days=(checked.day.weekday() - weekday) % 7)
    after = checked.day + timedelta(days=(weekday - checked.day.weekday()) % 7)
    nearby = tuple(day for day in (before, after) if day >= today)
    return DateCheck(WRONG_WEEKDAY, checked.day, weekday, nearby)


def check_meeting_date(text: str | None, today: date) -> DateCheck:
    """Reads the meeting date in ``text``; it must exist and lie ahead (today counts).

    A weekday named with the date must match it: "donderdag de 12e" on a Saturday is asked
    back, never stored as either day (walkthrough of 2026-12-04).
    """
    value = text or ""
    match = _DAY_MONTH_RE.search(value)
    if match:
        explicit = _explicit(
            int(match.group(1)), MONTHS[match.group(2).lower()], match.group(3), today
        )
        return _same_weekday(explicit, value, today)
    match = _NUMERIC_RE.search(value)
    if match:
        explicit = _explicit(int(match.group(1)), int(match.group(2)), match.group(3), today)
        return _same_weekday(explicit, value, today)
    match = _DAY_OF_MONTH_RE.search(value)
    if match:
        return _same_weekday(
            _day_of_month(int(match.group(1) or match.group(2)), today), value, today
        )
    match = _WEEKDAY_RE.search(value)
    if match:
        return _checked(_weekday(match.group(1), match.group(2), today), today)
    match = _RELATIVE_RE.search(value)
    if match:
        found = _relative(match.group(0), today)
        if found:
            return _checked(found, today)
    return DateCheck(NOT_A_DATE)


# -- words, not keyboard noise

_KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1234567890")
_VOWELS = set("aeiouyéëèïáóöü")
_LETTERS_RE = re.compile(r"[a-zà-ÿ]+", re.I)


def _is_noise_word(word: str) -> bool:
    lowered = word.lower()
    if len(lowered) < 3:
        return False
    if not _VOWELS & set(lowered):
        return True
    if any(lowered in row or lowered in row[::-1] for row in _KEYBOARD_ROWS):
        return True
    if not _VOWELS & set(lowered):
        return True
    if len(set(lowered)) <= 2 and len(lowered) >= 4:
        return True  # "aaaa", "jajaja" is fine (3 letters, 2 kinds) but "hhhh" is not
    consonant_run = re.search(r"[^aeiouyéëèïáóöü]{5,}", lowered)
    return bool(consonant_run)


def is_noise(text: str | None) -> bool:
    """True when ``text`` holds no real word: "asdfgh", "qwerty", "jjjjj", "!!!", "123"."""
    words = _LETTERS_RE.findall(text or "")
    if not words:
        return True
    real = [word for word in words if not _is_noise_word(word)]
    return not real or all(len(word) < 2 for word in real)


# -- a request typed into the form instead of an answer

_OTHER_SERVICE = (
    r"(?:talent\s*scan|scan|test|coach|loopbaancoach|voucher|budget\s+aanvragen|"
    r"afspraak\s+(?:maken|plannen))"
)
_SWITCH_RE = re.compile(
    rf"\b(?:eerst|liever|eigenlijk|toch)\b.*\b{_OTHER_SERVICE}\b|"
    rf"\b{_OTHER_SERVICE}\b.*\b(?:eerst|doen|starten|beginnen)\b.*\beerst\b",
    re.I,
)
_HOW_QUESTION_RE = re.compile(
    r"\b(?:hoe\s+(?:pak|doe|moet|kan|begin|regel|vraag|werkt|zit)|wat\s+(?:moet|kan|raad)|"
    r"kun\s+je|kan\s+je|kunt\s+u|heb\s+je\s+(?:tips|advies)|waar\s+(?:vind|kan|moet))\b"
    r"[^.!]*\?",
    re.I,
)


def looks_like_request(text: str | None) -> bool:
    """True when the employee asks Koers something instead of answering the question.

    "ik wil eerst de talentscan doen" and "wil doorgroeien. hoe pak ik dat aan?" are requests;
    "ik wil graag een coach en meer verantwoordelijkheid" is an answer (what they want).
    """
    value = text or ""
    return bool(_SWITCH_RE.search(value) or _HOW_QUESTION_RE.search(value))


# -- the first message: kind, date and the other party in one go

PARTIES = {
    "leidinggevende": ("leidinggevende", "manager", "baas", "teamleider", "chef", "afdelingshoofd"),
    "P&O-adviseur": ("p&o", "p en o", "hr", "personeelszaken", "hrm", "p&o-adviseur"),
    "coach": ("coach",),
}
DEFAULT_PARTY = "leidinggevende"


#: "niet met mijn leidinggevende": a party ruled out, not named.
_NOT_WITH = re.compile(r"\b(?:niet|geen|zonder)\s+(?:\w+\s+){0,2}$")


def parse_party(text: str | None) -> str | None:
    """Who the conversation is with, named as the employee said it; None when not said.

    The first party named that is not ruled out: "met P&O, niet met mijn leidinggevende" is
    P&O (walkthrough 2026-12-04 got the manager on every question and on the sheet).
    """
    lowered = f" {(text or '').lower()} "
    found: list[tuple[int, str]] = []
    for party, words in PARTIES.items():
        for word in words:
            for match in re.finditer(rf"(?<![\w&]){re.escape(word)}(?![\w&])", lowered):
                if not _NOT_WITH.search(lowered[: match.start()]):
                    found.append((match.start(), party))
    return min(found)[1] if found else None


#: In a first message only clear names of a kind count ("even" or "kort" say nothing there).
_FIRST_MESSAGE_KINDS = (
    ("reorganisatie", r"reorg\w*|boventallig\w*|herplaats\w*"),
    (
        "jaargesprek",
        r"jaargesprek\w*|functioneringsgesprek\w*|beoordelingsgesprek\w*|r\s*(?:&|en)\s*o"
        r"(?:-?gesprek)?|planningsgesprek\w*|resultaatgesprek\w*",
    ),
    ("ontwikkelgesprek", r"ontwikkel\w*gesprek\w*|pop(?:-?gesprek)?|loopbaangesprek\w*"),
    ("tussendoor", r"tussendoor|ad\s*hoc"),
)


def first_message_kind(text: str | None) -> str | None:
    """The kind, only when the first message names it clearly ("mijn jaargesprek")."""
    for kind, pattern in _FIRST_MESSAGE_KINDS:
        if re.search(rf"(?<![\w&])(?:{pattern})(?![\w&])", text or "", re.I):
            return kind
    return None


@dataclass(frozen=True)
class Prefill:
    """What the first message already says; None where it says nothing."""

    kind: str | None
    meeting: DateCheck
    party: str | None


def prefill(text: str | None, today: date) -> Prefill:
    """Reads "ik heb volgende week dinsdag mijn jaargesprek met mijn leidinggevende"."""
    value = text or ""
    return Prefill(
        kind=first_message_kind(value),
        meeting=check_meeting_date(value, today),
        party=parse_party(value),
    )


# -- how long the sheet lives

#: The sheet lives at least this many days after the meeting, to look back at it.
DAYS_AFTER_MEETING = 2


def sheet_days(meeting: date | None, today: date, default_days: int, max_days: int) -> int:
    """Days the sheet's link lives: two days past the meeting, else the default; capped."""
    wanted = (meeting - today).days + DAYS_AFTER_MEETING if meeting else default_days
    return max(1, min(wanted, max_days))


# -- the private parts on the printed sheet

_PRIVATE_NO_RE = re.compile(
    r"\b(?:nee|neen|niet|liever\s+niet|alleen\s+voor\s+mij|priv[eé]|weglaten|zonder)\b", re.I
)
_PRIVATE_YES_RE = re.compile(
    r"\b(?:ja|jawel|wel|graag|erop|zet|prima|ok[eé]?|oké|doe\s+maar|mag)\b", re.I
)


def parse_private(text: str | None) -> bool | None:
    """True: put the worry and practice answers on the sheet; False: leave them off."""
    value = text or ""
    if _PRIVATE_NO_RE.search(value):
        return False
    if _PRIVATE_YES_RE.search(value):
        return True
    return None


# -- what the worry answer says about itself

_OFF_SHEET_RE = re.compile(
    r"\bniet\s+(?:\w+\s+){0,2}op\s+(?:het|mijn|m'n|dat|dit|je)\s+(?:blad|papier|formulier)\b|"
    r"\b(?:blad|papier)\b.{0,30}\bniet\s+(?:op|erop)\b|\bniet\s+erop\b|\balleen\s+voor\s+mij(?:zelf)?\b",
    re.IGNORECASE,
)
_JOB_FEAR_RE = re.compile(
    r"\b(?:baan|functie|werk|plek|job)\s+(?:\w+\s+){0,3}(?:kwijt|verdwijnt|verdwijnen|"
    r"verliezen|weg\s*valt|vervalt|houd|hou|behoud)\b|\bboventallig\b|\bontslag\b|"
    r"\b(?:kwijt|verliezen)\s+(?:\w+\s+){0,2}(?:baan|functie|werk)\b",
    re.IGNORECASE,
)


def wants_off_sheet(text: str | None) -> bool:
    """ "Dat wil ik trouwens niet op het blad hebben hoor": the worry stays off the sheet."""
    return bool(_OFF_SHEET_RE.search(text or ""))


def fears_for_job(text: str | None) -> bool:
    """A fear of losing the job itself, not a worry about how the talk will go."""
    return bool(_JOB_FEAR_RE.search(text or ""))
