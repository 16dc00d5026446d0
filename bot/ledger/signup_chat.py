"""What the chat reads in a question about workshop sessions, and what it says back (issue 17).

Pure: text in, plain values out. "Welke workshops zijn er in Limburg?" names a province, "over
jezelf presenteren" a theme, "in maart" a first day, "'s avonds" a part of the day. A place or
theme that Koers does not know is reported as unknown (never guessed), so the employee gets a
clear answer and nothing is searched. The ledger (:mod:`bot.ledger.signups`) does the rest.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from types import MappingProxyType

from bot.clock import LOCAL_TZ
from bot.conversation.turns import is_question
from bot.ledger.catalog import WORKSHOP_DETAILS, WORKSHOP_SETTING, WORKSHOP_THEMES
from bot.ledger.codes import format_code
from bot.ledger.preferences import (
    MONTH_NAMES,
    PART_AFTERNOON,
    PART_EVENING,
    PART_MORNING,
    format_day_of,
    matches_preference,
    normalize_region,
    parse_when,
)
from bot.ledger.signups import MAX_SESSIONS, SessionOffer, SignupView
from bot.ledger.when import fold, minutes_of_day, time_asked

PAGE_SIZE = MAX_SESSIONS
#: Marks a place or theme the employee named that Koers does not know.
UNKNOWN = "onbekend"

#: Theme words (lower case), checked in this order.
_THEME_WORDS: tuple[tuple[str, str], ...] = (
    (r"presente|presentatie|kleding|houding|uitstraling|pitch", "presenteren"),
    (r"talent|kwaliteiten|sterke\s+punten|ontdekken", "talenten"),
    (r"\bgeld(?!erland|ig|ers\b)|financ|financi|pensioen|salaris|loon\b|inkomen", "financien"),
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


_WIDER = re.compile(
    r"\b(?:overal|heel\s+nederland|hele\s+land|alle\s+(?:regio\w*|provincies)|"
    r"andere\s+(?:regio\w*|provincie\w*|plek\w*)|ergens\s+anders|maakt\s+niet\s+uit\s+waar|"
    r"online)\b"
)


def widens_region(text: str | None) -> bool:
    """ "ook ergens anders?", "overal", "online": the region of the last list no longer holds."""
    return bool(_WIDER.search((text or "").lower()))


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
    if widens_region(text):  # "ook in andere provincies": no place, every place
        return None
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


def day_named(text: str | None, today: date) -> date | None:
    """The one calendar day a message names ("11 januari", "3-2-2027"), not a month or a
    weekday: what "die van 11 januari" points at when no shown session has it."""
    folded = (text or "").lower()
    if not (_DATE.search(folded) or _DAY_MONTH.search(folded)):
        return None
    return first_day_in(folded, today)


def sessions_near(
    offers: Sequence[SessionOffer], day: date, count: int = 3
) -> tuple[bool, list[SessionOffer]]:
    """The sessions on ``day`` (True) or else the ``count`` closest to it (False), earliest
    first: what to offer when the employee names a date that no shown session has."""

    def local_day(offer: SessionOffer) -> date:
        return offer.starts_at.astimezone(LOCAL_TZ).date()

    on_the_day = [offer for offer in offers if local_day(offer) == day]
    if on_the_day:
        return True, on_the_day[:count]
    closest = sorted(
        offers, key=lambda offer: (abs((local_day(offer) - day).days), offer.starts_at)
    )
    return False, sorted(closest[:count], key=lambda offer: offer.starts_at)


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


# --- A typed pick from the list shown ("die van 24 maart", "ja die", "die in Venlo") --------

#: The slot that holds the filters of the last list and the sessions it showed.
QUERY_SLOT = "signup_query"
#: The actions whose reply is a list of sessions (or "which one?" about one): a message right
#: after one of them may pick from it. ``bot.rasa_ext.policy`` reads the same names.
LIST_ACTIONS = frozenset(
    {
        "action_find_sessions",
        "action_show_more",
        "action_signup_move_start",
        "action_signup_start",
        "action_signup_resume",
        "action_describe_workshop",
    }
)


@dataclass(frozen=True)
class ShownSession:
    """What a typed pick can point at in one shown session: day and time, theme, place.

    Kept in the query slot (no personal data: catalogue facts and a session id)."""

    workshop_id: int
    starts_at: datetime
    theme: str
    region: str | None = None
    town: str | None = None
    location: str = ""

    @classmethod
    def of(cls, offer: SessionOffer) -> ShownSession:
        return cls(
            offer.workshop_id,
            offer.starts_at,
            offer.theme,
            offer.region,
            offer.town,
            offer.location,
        )

    def to_slot(self) -> dict[str, object]:
        return {
            "id": self.workshop_id,
            "starts_at": self.starts_at.isoformat(),
            "theme": self.theme,
            "region": self.region,
            "town": self.town,
            "location": self.location,
        }

    @classmethod
    def from_slot(cls, value: object) -> ShownSession | None:
        if not isinstance(value, Mapping):
            return None
        try:
            return cls(
                workshop_id=int(str(value["id"])),
                starts_at=datetime.fromisoformat(str(value["starts_at"])),
                theme=str(value.get("theme") or ""),
                region=value.get("region") or None,
                town=value.get("town") or None,
                location=str(value.get("location") or ""),
            )
        except (KeyError, TypeError, ValueError):
            return None


def shown_from_slot(value: object) -> list[ShownSession]:
    """The sessions of the last list, from the query slot (empty when there was none)."""
    stored = value.get("offers") if isinstance(value, Mapping) else None
    if not isinstance(stored, list):
        return []
    return [found for found in map(ShownSession.from_slot, stored) if found is not None]


#: How many shown sessions a typed pick can still point at: every page since the last new
#: search ("die online van 11 januari" after "meer"), six pages at most.
MAX_REMEMBERED = 6 * PAGE_SIZE


def page_from_slot(value: object) -> list[ShownSession]:
    """The sessions of the last page or question only (what "de tweede", "nummer 3" count in),
    in the order shown; all remembered sessions when the slot names no page."""
    remembered_sessions = shown_from_slot(value)
    ids = value.get("shown") if isinstance(value, Mapping) else None
    if not isinstance(ids, list):
        return remembered_sessions
    by_id = {session.workshop_id: session for session in remembered_sessions}
    return [by_id[i] for i in ids if isinstance(i, int) and i in by_id]


def remembered(
    previous: Sequence[ShownSession], page: Sequence[ShownSession]
) -> list[ShownSession]:
    """The sessions shown before plus this page (no doubles, oldest dropped past the cap):
    pages of one search add up; a new search passes no ``previous`` and starts again."""
    page_ids = {session.workshop_id for session in page}
    kept = [session for session in previous if session.workshop_id not in page_ids]
    return [*kept, *page][-MAX_REMEMBERED:]


class PickKind(str, enum.Enum):
    #: Not a pick from the list (a new question, another request): NLU decides.
    NONE = "none"
    #: Exactly one session.
    ONE = "one"
    #: A pick that fits more than one session: ask which one.
    SEVERAL = "several"
    #: Clearly a pick ("die van 3 januari"), but no session shown fits: ask which one.
    NOTHING = "nothing"


@dataclass(frozen=True)
class PickReading:
    kind: PickKind
    ids: tuple[int, ...] = ()

    @property
    def chosen(self) -> int | None:
        return self.ids[0] if self.kind is PickKind.ONE else None


NOT_A_PICK = PickReading(PickKind.NONE)

#: Position words in the list; -1 is the last one.
_PLACE_WORDS: Mapping[str, int] = MappingProxyType(
    {
        "eerste": 0,
        "1e": 0,
        "bovenste": 0,
        "tweede": 1,
        "2e": 1,
        "derde": 2,
        "3e": 2,
        "vierde": 3,
        "4e": 3,
        "vijfde": 4,
        "5e": 4,
        "laatste": -1,
        "onderste": -1,
    }
)
_NUMBERED = re.compile(r"\b(?:nummer|nr|optie|keuze)\s*(\d{1,2})\b")
#: "die", "deze": pointing at something shown.
_POINTING = re.compile(r"\b(die|deze|diegene|degene)\b")
#: Words that choose: "doe ik", "neem", "schrijf me in", "graag".
_CHOOSING = re.compile(
    r"\b(doe|neem|kies|wordt|ga voor|schrijf me|inschrijven|graag|wil ik|lijkt me)\b"
)
#: "andere data?", "nog meer", "die van dinsdag niet": no pick, whatever else it names.
_NOT_PICKING = re.compile(r"\b(andere|ander|meer|niet|geen|nee|welke|uitschrijven|afzeggen)\b")
#: Everything a bare "ja die", "deze graag", "doe maar" may hold.
_PICK_WORDS = frozenset(
    "ja jawel ok oke okay prima goed top die deze dat doe maar graag dan nou wil ik neem is "
    "lijkt me leuk mooi perfect kies ga voor schrijf in hem".split()
)
_QUESTION_PICK = re.compile(r"^(kan|mag) ik\b")
_DAY_MONTH_WORDS = re.compile(r"\b\d{1,2}\s+(" + "|".join(MONTH_NAMES) + r")\b")
_NUMERIC_DATE = re.compile(r"\b\d{1,2}[-/]\d{1,2}(?:[-/]\d{2,4})?\b")
_MAX_PICK_WORDS = 14
#: "die stond in de eerste lijst": a place word about a list or a page, not a session.
_NOT_A_POSITION = r"(?:lijst|pagina|rij|keer|scherm|bericht|rijtje|deel)\b"


def _position(folded: str, count: int) -> int | None:
    """The list index of "de tweede", "nummer 3", "2", "doe maar 4"; ``count`` (one past the
    end) for a number beyond the list; None when the text names no position."""
    words = folded.split()
    numbered = _NUMBERED.search(folded)
    number = numbered.group(1) if numbered else None
    if number is None:
        digits = [word for word in words if re.fullmatch(r"\d", word)]
        others = [word for word in words if word not in digits]
        if len(digits) == 1 and len(words) <= 4 and all(w in _PICK_WORDS for w in others):
            number = digits[0]
    if number is not None:
        index = int(number) - 1
        return index if 0 <= index < count else count
    for word, index in _PLACE_WORDS.items():
        if re.search(rf"(?<![a-z0-9]){word}(?![a-z0-9])(?!\s+{_NOT_A_POSITION})", folded):
            return count - 1 if index == -1 else (index if index < count else count)
    return None


def _clock_asked(folded: str) -> int | None:
    """ "die van 19:00", "om half 8": one clock time, not the day of a date ("van 3 maart")."""
    return time_asked(_NUMERIC_DATE.sub(" ", _DAY_MONTH_WORDS.sub(" ", folded)))


def _place_fits(session: ShownSession, folded: str, region: str | None) -> bool | None:
    """Whether the place named fits this session; None when no place is named."""
    town_words = [w for w in fold(session.town or "").split() if len(w) >= 4 and w != "fictief"]
    if "online" in folded.split():
        return fold(session.location) == "online"
    if town_words and any(re.search(rf"\b{w}\b", folded) for w in town_words):
        return True
    if region is None:
        return None
    return region == session.region


def sessions_named(
    text: str, shown: Sequence[ShownSession], now: datetime
) -> tuple[int, ...] | None:
    """The shown sessions that fit everything the text names about day, time, theme and place
    (dates and weekdays read by :func:`bot.ledger.preferences.parse_when`, so dateparser);
    None when it names none of these."""
    folded = fold(text)
    when = parse_when(text, now)
    if when is not None and when.is_any:
        when = None
    clock = _clock_asked(folded)
    starts = {minutes_of_day(session.starts_at) for session in shown}
    if clock is not None and clock not in starts and clock + 12 * 60 in starts:
        clock += 12 * 60  # "die van half 9" for an evening session
    theme = theme_in(text)
    theme = theme if theme in WORKSHOP_THEMES else None
    region = region_in(text)
    places = [_place_fits(session, folded, region) for session in shown]
    named_place = any(fit is not None for fit in places) or region is not None
    if when is None and clock is None and theme is None and not named_place:
        return None
    hits = []
    for session, place in zip(shown, places, strict=True):
        if when is not None and not matches_preference(session.starts_at, when):
            continue
        if clock is not None and minutes_of_day(session.starts_at) != clock:
            continue
        if theme is not None and session.theme != theme:
            continue
        if named_place and place is not True:
            continue
        hits.append(session.workshop_id)
    return tuple(hits)


def read_pick(
    text: str | None,
    shown: Sequence[ShownSession],
    now: datetime,
    named: int | None = None,
    page: Sequence[ShownSession] | None = None,
) -> PickReading:
    """Which shown session a typed message picks, deterministically (no NLU).

    "de tweede", "nummer 3": by position. "ok dan doe ik die van 24 maart maar", "die van
    dinsdag", "die in Venlo", "die over presenteren": by what it names. "ja die", "deze", "doe
    maar": the one session shown, or ``named`` (the one the previous message pointed at).
    A question, "andere data?" or "niet" is no pick (:attr:`PickKind.NONE`), so a new search or
    another request still reaches NLU.

    ``shown`` is every session shown since the last new search; ``page`` the last page (what
    positions count in; all of ``shown`` when not given). A position that does not fit the
    day or place the same message names ("de eerste, maandag 11 januari") gives way to them.
    """
    raw = (text or "").strip()
    folded = fold(raw)
    if not shown or not folded or raw.startswith("/") or len(folded.split()) > _MAX_PICK_WORDS:
        return NOT_A_PICK
    pointing = bool(_POINTING.search(folded))
    if _NOT_PICKING.search(folded) or (
        is_question(raw) and not (_QUESTION_PICK.search(folded) and pointing)
    ):
        return NOT_A_PICK
    ids = tuple(session.workshop_id for session in shown)
    counted = list(page) if page else list(shown)
    position = _position(folded, len(counted))
    hits = sessions_named(raw, shown, now)
    if position is not None:
        if position >= len(counted):
            return PickReading(PickKind.NOTHING, tuple(s.workshop_id for s in counted))
        chosen = counted[position].workshop_id
        if hits is None or chosen in hits:
            return PickReading(PickKind.ONE, (chosen,))
    page_ids = tuple(session.workshop_id for session in counted)
    if hits is None:
        if not all(word in _PICK_WORDS for word in folded.split()):
            return NOT_A_PICK
        if len(page_ids) == 1:
            return PickReading(PickKind.ONE, page_ids)
        if named in ids:
            return PickReading(PickKind.ONE, (named,))
        return PickReading(PickKind.SEVERAL, page_ids)
    choosing = pointing or bool(_CHOOSING.search(folded)) or len(folded.split()) <= 3
    if not choosing:
        return NOT_A_PICK  # "ik woon in limburg, is er iets in maart": talk, no pick
    if len(hits) == 1:
        return PickReading(PickKind.ONE, hits)
    if hits:
        return PickReading(PickKind.SEVERAL, hits)
    return PickReading(PickKind.NOTHING, page_ids) if pointing else NOT_A_PICK


#: "wat is nummer 5 precies", "wat leer je daar?", "waar gaat die over", "wat is de inhoud
#: van de workshop techniek en digitalisering": a question about what a workshop is.
_ABOUT_CONTENT = re.compile(
    r"\b(?:wat\s+(?:leer|doe|krijg|hoor)\s+(?:je|ik|jij)\b|waar\s+gaat\s+(?:\w+\s+){0,5}over\b|"
    r"wat\s+(?:is|houdt)\s+(?:\w+\s+){0,5}(?:precies|in)\b|inhoud|"
    r"meer\s+(?:info\w*|weten|uitleg)\s+over\b|vertel\s+(?:eens\s+)?(?:iets\s+)?(?:meer\s+)?over\b|"
    r"wat\s+moet\s+ik\s+me\s+(?:daarbij|erbij|daar)\s+(?:bij\s+)?voorstellen|"
    r"wat\s+is\s+(?:dat|die|het)\s+voor\s+(?:een\s+)?workshop|wat\s+houdt\s+(?:dat|die|het)\s+in)",
)


@dataclass(frozen=True)
class AboutReading:
    """Which workshop a question about content means: a theme, and the session when one
    shown session is meant ("nummer 5")."""

    theme: str
    workshop_id: int | None = None


def read_about(
    text: str | None,
    shown: Sequence[ShownSession] = (),
    page: Sequence[ShownSession] | None = None,
) -> AboutReading | None:
    """The workshop a question about its content points at, or None (no such question).

    By position in the page shown ("wat is nummer 5 precies"), by a theme named ("wat leer je
    bij techniek en digitalisering"), or, when the page holds one theme only, that one
    ("wat leer je daar?"). Without a list the message must name the theme and "workshop".
    """
    raw = (text or "").strip()
    folded = fold(raw)
    if not folded or raw.startswith("/") or not _ABOUT_CONTENT.search(folded):
        return None
    counted = list(page) if page else list(shown)
    position = _position(folded, len(counted))
    if position is not None and position < len(counted):
        session = counted[position]
        return AboutReading(session.theme, session.workshop_id)
    theme = theme_in(raw)
    if theme and theme != UNKNOWN and (counted or "workshop" in folded):
        one = [s for s in counted if s.theme == theme]
        return AboutReading(theme, one[0].workshop_id if len(one) == 1 else None)
    themes = {session.theme for session in counted}
    if len(themes) == 1 and position is None and theme is None:
        return AboutReading(counted[0].theme, counted[0].workshop_id if len(counted) == 1 else None)
    return None


def about_text(theme: str) -> str:
    """ "**Techniek en digitalisering in je eigen werk**" and what you learn there."""
    details = WORKSHOP_DETAILS.get(theme, "")
    return f"**{theme_title(theme, theme)}**\n{details}\n{WORKSHOP_SETTING}".replace("\n\n", "\n")


ABOUT_ONE_SESSION = "Wil je je inschrijven voor deze datum? Klik dan op de knop."


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


def where_text(offer: SessionOffer | SignupView) -> str:
    """ "in Brasserie De Heuvelrand, Heuvelrand (Limburg)", or "online" (not "in Online")."""
    if fold(offer.location) == "online" and not offer.venue:
        return "online"
    return f"in {place_text(offer)}"


def theme_title(theme: str, fallback: str) -> str:
    return WORKSHOP_THEMES.get(theme, fallback)


def offer_text(number: int, offer: SessionOffer) -> str:
    return "\n".join(
        [f"{number}. Workshop: **{theme_title(offer.theme, offer.title)}**", *session_lines(offer)]
    )


def session_lines(offer: SessionOffer) -> list[str]:
    """When, which event, where, and the seats of one session."""
    lines = [when_text(offer.starts_at, offer.ends_at)]
    if offer.event_name:
        lines.append(offer.event_name)
    lines.append(place_text(offer))
    if offer.full:
        waiting = f" Er staan {offer.waiting} mensen op de wachtlijst." if offer.waiting else ""
        lines.append(f"Vol. Je kunt op de wachtlijst.{waiting}")
    else:
        lines.append(f"Nog {offer.seats_left} plekken vrij.")
    return lines


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


def moving_elsewhere_text(region: str) -> str:
    """Moving: the current province has no other date of this workshop."""
    return f"In {region} is er geen andere datum voor deze workshop. Dit zijn de andere data."


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


def nothing_more_text(query: SessionQuery) -> str:
    """ "alleen die ene?" / "meer" at the end of a list: say so, with the way to look wider."""
    what = filters_text(replace(query, offset=0))
    if not what:
        return NOTHING_MORE
    wider = (
        " Wil je ook op andere plekken kijken? Typ dan: ook in andere provincies."
        if query.region
        else ""
    )
    return f"Nee, meer data {what} heb ik nu niet.{wider}"


#: "alleen die ene?", "is dat alles?", "maar 1 datum?", "zijn er niet meer?": about the list's
#: length; right after a list (walkthrough 2026-12-04: it got the scan-result answer).
_THAT_IS_ALL = re.compile(
    r"^\W*(?:(?:huh|hmm|oh|en|dus|maar)\W+)*(?:is\s+(?:dat|dit|dat\s+het|dit\s+het)\s+(?:alles|enige|het\s+enige)|"
    r"alleen\s+(?:die|deze|dat|dit|maar)(?:\s+(?:ene|een|één|1))?|(?:er\s+is\s+)?maar\s+(?:een|één|1)\b|"
    r"zijn\s+er\s+(?:niet\s+)?(?:meer|andere|nog\s+meer)|verder\s+(?:niks|niets)|niet\s+meer\s+dan|"
    r"meer\s+(?:is\s+er|zijn\s+er)\s+niet)\b",
    re.IGNORECASE,
)


def asks_if_that_is_all(text: str | None) -> bool:
    return bool(_THAT_IS_ALL.search(text or ""))


PAST_DAY = "Die datum is al voorbij. Ik laat je de workshops vanaf vandaag zien."
NO_LIST = "Welke workshop bedoel je? Vraag eerst welke workshops er zijn, en kies er dan een."
NO_VOUCHER = (
    "Je hebt nog geen voucher. Die heb je nodig om je in te schrijven. "
    "Vraag hem eerst aan, daarna schrijf ik je in."
)
RESUMING = "Je voucher is er. Dan ga ik verder met je inschrijving."
VOUCHER_BUTTON = {"title": "Vraag je voucher aan", "payload": "/request_voucher"}
RESERVED_BUTTONS = (
    {"title": "Verzet mijn inschrijving", "payload": "/move_signup"},
    {"title": "Zeg mijn inschrijving af", "payload": "/cancel_signup"},
)
NO_SIGNUPS = "Je hebt geen inschrijving voor een workshop die nog moet komen."
YOUR_SIGNUPS = "Hier sta je voor ingeschreven:"
SIGNUP_CHANGE_BUTTONS = (
    {"title": "Verzetten", "payload": "/move_signup"},
    {"title": "Afmelden", "payload": "/cancel_signup"},
)
WHICH_SIGNUP = "Je hebt meer dan één inschrijving. Welke bedoel je?"
YES_NO = ({"title": "Ja", "payload": "/affirm"}, {"title": "Nee", "payload": "/deny"})
NOT_SIGNED_UP = "Prima, ik schrijf je niet in. Je voucher blijft vrij."
NOT_CANCELLED = "Prima, je inschrijving blijft staan."
NOT_MOVED = "Prima, je inschrijving blijft zoals hij was."

# --- The optional mail when a seat frees up (asked once, after joining a waiting list) --------

MAIL_QUESTION = "Wil je een mail als er een plek vrijkomt? Je adres gebruik ik alleen daarvoor."
MAIL_DECLINED = "Prima. Komt er een plek vrij, dan vertel ik het je de volgende keer dat we praten."
MAIL_ALREADY = (
    "Je e-mailadres gaat mee naar de nieuwe wachtlijst. "
    "Komt er een plek vrij, dan krijg je een mail."
)
MAIL_NOT_WAITING = "Je staat niet meer op de wachtlijst. Een mail is dus niet nodig."


def mail_link_text(url: str) -> str:
    """After the yes: the address goes on a web page, never in the chat (kept in the tracker)."""
    return (
        f"Vul je e-mailadres in op deze pagina: {url}\n"
        "Typ het niet hier in de chat. Je krijgt één mail als er een plek vrijkomt. "
        "Daarna wis ik je adres."
    )


def not_shown_text(day: date, on_the_day: bool, query: SessionQuery, found: bool) -> str:
    """The employee named a date no shown session has: say so, never swap in another date."""
    what = filters_text(SessionQuery(region=query.region, theme=query.theme))
    named = format_day_of(day)
    if on_the_day:
        return f"Die van {named} stond niet in de lijst. Deze is er op {named}:"
    head = f"Op {named} is er geen workshop" + (f" {what}" if what else "") + "."
    if not found:
        return head + " Ook niet in de weken eromheen. Vraag gerust naar andere workshops."
    return head + " Dit zijn de data die er het dichtst bij liggen:"


WHICH_ONE = "Welke bedoel je? Kies hieronder."
NOT_IN_LIST = "Die zie ik niet in de lijst. Welke bedoel je? Kies hieronder."


def _short_theme(theme: str, fallback: str) -> str:
    """ "Jezelf presenteren" of "Jezelf presenteren: kleding en houding" (for a button)."""
    return theme_title(theme, fallback).split(":")[0]


def choice_label(session: ShownSession, among: Sequence[ShownSession]) -> str:
    """A short name for one session that tells it apart from the others it is shown with:
    the theme only when themes differ, the day only when days differ, the town when places do.
    """
    local = session.starts_at.astimezone(LOCAL_TZ)
    parts = []
    if len({other.theme for other in among}) > 1:
        parts.append(f"'{_short_theme(session.theme, session.theme)}'")
    if len({other.starts_at.astimezone(LOCAL_TZ).date() for other in among}) > 1:
        parts.append(f"op {format_day_of(local.date())}")
    if len({minutes_of_day(other.starts_at) for other in among}) > 1 or not parts:
        parts.append(f"om {local:%H:%M}")
    if len({(other.town, other.location) for other in among}) > 1:
        parts.append(f"in {session.town or session.location}")
    return " ".join(parts)


def which_question(reading: PickReading, shown: Sequence[ShownSession]) -> str:
    """ "Bedoel je … of …?" for two, "Welke bedoel je?" for more, or "Die zie ik niet"."""
    among = [session for session in shown if session.workshop_id in reading.ids]
    if reading.kind is PickKind.NOTHING:
        return NOT_IN_LIST
    if len(among) == 2:
        first, second = (choice_label(session, among) for session in among)
        return f"Bedoel je de workshop {first} of die {second}?"
    return WHICH_ONE


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
        f" {where_text(offer)}"
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
        f"Je bent ingeschreven voor {signup_line(view)}, {where_text(view)}.\n"
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
        f"Je inschrijving is verzet naar {signup_line(view)}, {where_text(view)}. "
        f"Je code blijft {format_code(view.code)}.\n"
        f"Zet de nieuwe datum in je agenda met dit bestand: {ics_url}"
    )


# --- "Hoe kom ik online binnen?" about a workshop ---------------------------------------------

#: The session's location of an online workshop (catalogue data).
ONLINE_LOCATION = "online"
_WORKSHOP_WORD = re.compile(r"\bworkshops?\b|tap de toekomst")
_ONLINE_ENTRY = re.compile(r"\blink\b|linkje|\bonline\b|inloggen|binnenkom|teams|zoom")


def is_online(view: SignupView) -> bool:
    return fold(view.location) == ONLINE_LOCATION


def asks_workshop_entry(text: str | None) -> bool:
    """ "Hoe kom ik in de online workshop?": names a workshop and a link or getting in."""
    folded = fold(text or "")
    return bool(_WORKSHOP_WORD.search(folded) and _ONLINE_ENTRY.search(folded))


def asks_online_entry(text: str | None) -> bool:
    """ "Hoe kom ik online binnen? krijg ik een link?": a link or getting in, no coach named."""
    folded = fold(text or "")
    return bool(_ONLINE_ENTRY.search(folded)) and "coach" not in folded


def workshop_entry_text(views: Sequence[SignupView]) -> str:
    """How to get into the workshop, honestly: Koers has no link; the provider gives it."""
    if not views:
        return (
            "Je hebt geen inschrijving voor een workshop die nog moet komen. Bij een online "
            "workshop krijg je de link van de aanbieder, niet van Koers."
        )
    view = next((view for view in views if is_online(view)), views[0])
    line = signup_line(view)
    if not is_online(view):
        return f"Je workshop {line} is op locatie: {place_text(view)}. Daar heb je geen link voor."
    return (
        f"Je workshop {line} is online. De link krijg je van de aanbieder, {view.provider}. "
        "Koers heeft die link niet.\n"
        f"Heb je de link nog niet? Vraag hem dan aan de aanbieder. Noem je inschrijfcode "
        f"{format_code(view.code)}. Weet je niet hoe je de aanbieder bereikt? Vraag het aan P&O."
    )
