"""Dutch times and dates in a booking answer: "na 4 uur", "morgen kan niet", "7 december".

Pure functions, no Rasa. ``bot.ledger.preferences`` reads weekdays and parts of the day;
this module adds what the walkthroughs showed employees also say: a time window ("na 4
uur", "voor tienen", "eind van de middag"), a date ("maandag 7 december", "morgen"), a day
that does not work ("morgen kan niet", "niet morgen zei ik toch") and a start ("volgende
week"). Explicit dates go through ``dateparser`` (Dutch), public holidays come from
``holidays.NL``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import dateparser  # type: ignore[import-untyped]
import holidays

from bot.clock import LOCAL_TZ


def fold(text: str) -> str:
    """Lower case without accents and punctuation, single spaces ("Fryslân!" -> "fryslan")."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).lower()
    plain = re.sub(r"[’'`]", "", plain)
    return re.sub(r"[^a-z0-9:]+", " ", plain).strip()


#: Hours 1-7 in "na 4 uur" mean the afternoon: coaches work office hours.
_AFTERNOON_HOURS = range(1, 8)

_NUMBER_WORDS = {
    "een": 1,
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
}
_NUMBER_WORDS_EN = {word + "en": hour for word, hour in _NUMBER_WORDS.items()}  # "vieren"
_NUMBER_WORDS_EN.update({"enen": 1, "tweeen": 2, "elven": 11, "twaalven": 12})

_MONTHS = {
    "jan": 1,
    "januari": 1,
    "feb": 2,
    "februari": 2,
    "mrt": 3,
    "maart": 3,
    "apr": 4,
    "april": 4,
    "mei": 5,
    "jun": 6,
    "juni": 6,
    "jul": 7,
    "juli": 7,
    "aug": 8,
    "augustus": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oktober": 10,
    "nov": 11,
    "november": 11,
    "dec": 12,
    "december": 12,
}

_HOUR = r"(\d{1,2})(?:[:.](\d{2}))?"
_HALF = rf"half\s+(\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})"
#: "vier uur", "na vijf uur": a spelled hour counts when "uur" follows ("een uur" is a length).
_SPELLED_HOUR = rf"(?:{'|'.join(word for word in _NUMBER_WORDS if word != 'een')})\s+uur\b"
_CLOCK = rf"(?:{_HALF}|{_HOUR}\s*(?:uur|u)?|({'|'.join(_NUMBER_WORDS_EN)}|{_SPELLED_HOUR}))"
_AFTER = re.compile(
    rf"\b(?:na|vanaf|later dan|niet voor|niet eerder dan|pas na|pas om|na de)\s+{_CLOCK}"
)
_BEFORE = re.compile(rf"\b(?:voor|uiterlijk|tot|niet na|niet later dan|eerder dan)\s+{_CLOCK}")
_WORKS_UNTIL = re.compile(
    r"\b((?:ik\s+)?(?:werk|werkt|werken|dienst|ben\s+(?:ik\s+)?aan\s+het\s+werk|ben\s+ik\s+bezig)"
    r"(?:\s+(?:maar|altijd|meestal|elke\s+dag|tot\s+en\s+met))?)\s+tot\s+(?=\S)"
)
_BETWEEN = re.compile(rf"\btussen\s+{_CLOCK}\s+en\s+{_CLOCK}")
_OR_LATER = re.compile(rf"(?:om\s+)?{_CLOCK}\s+(?:uur\s+)?of\s+later")
_AT = re.compile(rf"\b(?:om|van)\s+{_CLOCK}")
_LATE_AFTERNOON = re.compile(
    r"\b(eind van de middag|einde van de middag|eind middag|einde middag|laat in de middag|"
    r"aan het eind van de dag|eind van de dag|einde van de dag)\b"
)
_AFTER_WORK = re.compile(r"\bna (mijn|m n|me) (werk|dienst)\b")
_NEXT_WEEK = re.compile(r"\b(volgende week|volgende wk|komende week|week erna|na deze week)\b")
_IN_WEEKS = re.compile(r"\bover (\d|een|twee|drie|vier) weken?\b")
_LATER = re.compile(
    r"\b(iets|wat|een beetje|liefst|liever|kan het|graag|nog) later\b|\blater op de dag\b|"
    r"\blater tijdstip\b|\bniks later\b|\bietsje later\b"
)
#: "laat maar", "ik kom later terug": leaving, not a wish for a later time.
_LEAVING = re.compile(r"\b(laat maar|kom later|later terug|stop|doei|ik hoef niet|toch niet)\b")
_OTHER_DAY = re.compile(r"\b(andere dag|ander dag|een andere datum|andere datum|ander moment)\b")
_NEGATION_AFTER = re.compile(
    r"^\s*(?:kan|lukt|gaat|past|werkt|ben)?\s*(?:ik|het|me|mij|t)?\s*(?:echt\s+)?(?:niet|slecht|nooit)\b"
)
_NEGATION_BEFORE = re.compile(r"\b(?:niet|geen|behalve|niet op)\s*(?:op\s+)?$")
_TOMORROW = re.compile(r"(?<![a-z])(overmorgen|morgen)(?![a-z])")
_TODAY = re.compile(r"(?<![a-z])vandaag(?![a-z])")
_DATE_WORDS = re.compile(rf"\b(\d{{1,2}})\s*({'|'.join(sorted(_MONTHS, key=len, reverse=True))})\b")
_DATE_NUMERIC = re.compile(r"(?<![\d:.])(\d{1,2})[-/](\d{1,2})(?:[-/](\d{2,4}))?(?![\d:])")


@dataclass(frozen=True)
class WhenWords:
    """What one message says about time: each field empty when it says nothing about it."""

    after_minutes: int | None = None
    before_minutes: int | None = None
    dates: frozenset[date] = field(default_factory=frozenset)
    not_dates: frozenset[date] = field(default_factory=frozenset)
    from_date: date | None = None
    later: bool = False
    other_day: bool = False

    @property
    def empty(self) -> bool:
        return self == WhenWords()


def _hour_of(match: re.Match, start: int) -> int | None:
    """Minutes after midnight from the groups of one ``_CLOCK`` match beginning at ``start``."""
    half, hour, minute, word = (match.group(start + offset) for offset in range(4))
    if half is not None:
        value = _NUMBER_WORDS.get(half) or int(half)
        base = value - 1
        minutes = 30
    elif word is not None:
        spelled = word.split()[0]  # "vieren", or "vier" of "vier uur"
        base, minutes = _NUMBER_WORDS_EN.get(spelled) or _NUMBER_WORDS[spelled], 0
    elif hour is not None:
        base, minutes = int(hour), int(minute or 0)
    else:  # pragma: no cover - the pattern always fills one branch
        return None
    if base in _AFTERNOON_HOURS:
        base += 12
    if not 0 <= base <= 23 or not 0 <= minutes <= 59:
        return None
    return base * 60 + minutes


def local_today(now: datetime) -> date:
    return now.astimezone(LOCAL_TZ).date()


def _negated(folded: str, start: int, end: int) -> bool:
    """ "niet morgen", "morgen kan ik niet", "geen maandag": the named day does not work."""
    return bool(_NEGATION_BEFORE.search(folded[:start]) or _NEGATION_AFTER.match(folded[end:]))


def _explicit_date(text: str, today: date) -> date | None:
    """An explicit date, read by dateparser in Dutch, the nearest one from today on."""
    base = datetime(today.year, today.month, today.day)
    parsed = dateparser.parse(
        text,
        languages=["nl"],
        settings={
            "PREFER_DATES_FROM": "future",
            "RELATIVE_BASE": base,
            "PREFER_DAY_OF_MONTH": "first",
            "DATE_ORDER": "DMY",
        },
    )
    if parsed is None:
        return None
    found = parsed.date()
    if found < today:  # "2 december" said on 3 december: next year
        try:
            found = found.replace(year=found.year + 1)
        except ValueError:
            return None
    return found


def _dates_in(folded: str, raw: str, today: date) -> list[tuple[date, int, int]]:
    """Every date named in the text, with where it stands (for negation)."""
    found: list[tuple[date, int, int]] = []
    for match in _TOMORROW.finditer(folded):
        # "morgen" as in "s morgens" is the morning: the pattern already needs a word end.
        days = 2 if match.group(1) == "overmorgen" else 1
        found.append((today + timedelta(days=days), match.start(), match.end()))
    for match in _TODAY.finditer(folded):
        found.append((today, match.start(), match.end()))
    for match in _DATE_WORDS.finditer(folded):
        month = _MONTHS[match.group(2)]
        parsed = _explicit_date(f"{int(match.group(1))} {month:02d} {today.year}", today)
        if parsed is not None:
            found.append((parsed, match.start(), match.end()))
    for match in _DATE_NUMERIC.finditer(raw):
        day, month = int(match.group(1)), int(match.group(2))
        if not (1 <= day <= 31 and 1 <= month <= 12):
            continue
        year = match.group(3)
        spelled = f"{day:02d}-{month:02d}-{year}" if year else f"{day:02d}-{month:02d}-{today.year}"
        parsed = _explicit_date(spelled, today)
        if parsed is not None:
            found.append((parsed, len(folded), len(folded)))
    return found


def _next_monday(today: date, weeks: int = 1) -> date:
    return today + timedelta(days=7 * weeks - today.weekday())


def read_when(text: str, now: datetime) -> WhenWords:
    """The time facts in one message ("na 4 uur, niet morgen, liefst volgende week")."""
    # "ik werk tot half 5": free after that, not "before half 5" (walkthrough 2026-12-04b)
    folded = _WORKS_UNTIL.sub(r"\g<1> na ", fold(text))
    raw = (text or "").lower()
    today = local_today(now)
    after: int | None = None
    before: int | None = None
    if between := _BETWEEN.search(folded):
        after, before = _hour_of(between, 1), _hour_of(between, 5)
    else:
        if found := _AFTER.search(folded) or _OR_LATER.search(folded):
            after = _hour_of(found, 1)
        if (found := _BEFORE.search(folded)) and _explicit(found):
            before = _hour_of(found, 1)
    if after is not None and before is not None and before <= after:
        before = None  # one clock time read twice ("na half 5 's middags") is no window
    if after is None and _LATE_AFTERNOON.search(folded):
        after = 15 * 60
    if after is None and _AFTER_WORK.search(folded):
        after = 16 * 60
    dates: set[date] = set()
    not_dates: set[date] = set()
    for day, start, end in _dates_in(folded, raw, today):
        (not_dates if _negated(folded, start, end) else dates).add(day)
    from_date = None
    if _NEXT_WEEK.search(folded):
        from_date = _next_monday(today)
    elif weeks := _IN_WEEKS.search(folded):
        count = _NUMBER_WORDS.get(weeks.group(1)) or int(weeks.group(1))
        from_date = _next_monday(today, count)
    later = bool(_LATER.search(folded)) and after is None and not _AFTER_WORK.search(folded)
    return WhenWords(
        after_minutes=after,
        before_minutes=before,
        dates=frozenset(dates - not_dates),
        not_dates=frozenset(not_dates),
        from_date=from_date,
        later=later,
        other_day=bool(_OTHER_DAY.search(folded)),
    )


_EXPLICIT_CLOCK = re.compile(
    rf"(?:\bhalf\s+(\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})\b|(?<![\d-])(\d{{1,2}})(?:[:.](\d{{2}})|\s*uur\b)|"
    rf"\b({'|'.join(_NUMBER_WORDS_EN)}|{_SPELLED_HOUR})\b)"
)


def _explicit(match: re.Match) -> bool:
    """A clock time that says it is one ("4 uur", "16:00", "half 5", "vieren"), not "4"."""
    return bool(re.search(r"uur|[:.]|half|en$|\bu$", match.group(0)))


def leaving(text: str) -> bool:
    """ "laat maar dan, ik kom later wel terug": the employee leaves the question."""
    return bool(_LEAVING.search(fold(text)))


def days_of_month(folded: str) -> set[int]:
    """The days of the month named with a month ("16 dec", "16 december")."""
    named = {int(match.group(1)) for match in _DATE_WORDS.finditer(folded)}
    # "doe de 17e maar": a day of the month on its own
    named |= {
        int(match.group(1)) for match in re.finditer(r"\bde\s+(\d{1,2})(?:e|ste|de)\b", folded)
    }
    return {day for day in named if 1 <= day <= 31}


_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
_CORRECTION = re.compile(r"(?:^|[.?!,;]\s*)(?:of\s+)?(?:nee|neen)\b[\s,.!:]*", re.IGNORECASE)


def after_leaving(text: str) -> str:
    """What follows the sentence that leaves ("laat maar dat dinsdag. doe toch die woensdag
    16 dec") or the "nee" that corrects ("… op woensdag? of nee, donderdag"): a new wish,
    read on its own. The text itself when nothing leaves; empty when leaving is all the
    message says."""
    if leaving(text):
        parts = _SENTENCE.split(text.strip())
        last = max(index for index, part in enumerate(parts) if leaving(part)) if parts else -1
        text = " ".join(parts[last + 1 :]).strip()
    # "zijn er ook tijden op woensdag? of nee, donderdag": the correction is the wish
    corrections = list(_CORRECTION.finditer(text))
    if corrections and text[corrections[-1].end() :].strip():
        return text[corrections[-1].end() :].strip()
    return text


def time_asked(folded: str) -> int | None:
    """The one clock time in "die van 3 uur", "om 15:00", "half 4" (minutes), or None."""
    found = {_hour_of(match, 1) for match in _EXPLICIT_CLOCK.finditer(folded)}
    if at := _AT.search(folded):
        found.add(_hour_of(at, 1))
    found.discard(None)
    return found.pop() if len(found) == 1 else None


def minutes_of_day(moment: datetime) -> int:
    local = moment.astimezone(LOCAL_TZ)
    return local.hour * 60 + local.minute


@lru_cache(maxsize=8)
def _holidays_of(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("NL", years=year)


def is_public_holiday(moment: datetime) -> bool:
    """A Dutch public holiday (Koningsdag, Kerst, ...): no coach time is offered then."""
    day = moment.astimezone(LOCAL_TZ).date()
    return day in _holidays_of(day.year)


def days_of(starts: Sequence[datetime]) -> frozenset[date]:
    return frozenset(start.astimezone(LOCAL_TZ).date() for start in starts)
