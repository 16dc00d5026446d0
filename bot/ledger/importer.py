"""Importing municipalities, providers, coaches, slots, workshops and events from YAML or CSV.

Parsing and checking are pure (all problems are collected with their line or entry, and
nothing is written when there is one); applying is an upsert in one transaction, so an
import can be run again with a corrected file. YAML can also describe a weekly schedule
that becomes free slots from the import date on, which keeps the demo data fresh.

Events (issue 17) are "Tap de toekomst" evenings with their workshop sessions: in YAML an
``events:`` section (each event with ``sessions:``), in CSV one row per session with the
event's columns repeated. An event date is explicit (``date``) or relative (``in_days``,
optionally the first ``weekday`` from then on) and never a Dutch public holiday: a relative
date moves on to the next fitting day, an explicit one is refused.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import holidays
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.ledger import audit
from bot.ledger.catalog import (
    MODE_EITHER,
    MODE_ON_LOCATION,
    MODE_ONLINE,
    REGIONS,
    SLOT_FREE,
    SLOT_MODES,
    WORKSHOP_THEMES,
)
from bot.ledger.models import (
    Coach,
    CoachRegion,
    CoachSpecialty,
    Municipality,
    Provider,
    Slot,
    Workshop,
    WorkshopEvent,
)
from bot.ledger.preferences import WEEKDAY_NAMES, WEEKDAY_SHORT, normalize_region
from bot.ledger.signups import fill_free_seats

DEMO_DATA = Path(__file__).resolve().parent / "demo_data.yml"
MAX_SCHEDULE_WEEKS = 26


class ImportProblem(ValueError):
    """The file has errors; ``problems`` lists each one in Dutch-neutral plain English."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class MunicipalityRecord:
    code: str
    name: str
    participating: bool
    programme_year: int
    voucher_value_cents: int
    voucher_budget_cents: int


@dataclass(frozen=True)
class SlotRecord:
    coach_email: str
    starts_at: datetime
    ends_at: datetime
    mode: str


@dataclass(frozen=True)
class CoachRecord:
    name: str
    email: str
    regions: tuple[str, ...]
    specialties: tuple[str, ...]
    online: bool
    on_location: bool
    location: str | None


@dataclass(frozen=True)
class WorkshopRecord:
    theme: str
    title: str
    provider: str
    starts_at: datetime
    ends_at: datetime
    location: str
    places: int


@dataclass(frozen=True)
class EventRecord:
    name: str
    region: str
    venue: str
    town: str
    day: date
    sessions: tuple[WorkshopRecord, ...]


@dataclass
class ImportBatch:
    municipalities: list[MunicipalityRecord] = field(default_factory=list)
    providers: list[str] = field(default_factory=list)
    coaches: list[CoachRecord] = field(default_factory=list)
    slots: list[SlotRecord] = field(default_factory=list)
    workshops: list[WorkshopRecord] = field(default_factory=list)
    events: list[EventRecord] = field(default_factory=list)


@dataclass(frozen=True)
class ImportReport:
    municipalities: int
    providers: int
    coaches: int
    slots: int
    #: Workshop dates written, the sessions of events included.
    workshops: int
    events: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


# --- Field parsers (each raises ValueError with a short reason) -------------------------


def _text(value: Any, name: str, *, max_length: int = 200, required: bool = True) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValueError(f"{name} is missing")
    if len(text) > max_length:
        raise ValueError(f"{name} is longer than {max_length} characters")
    return text


def _bool(value: Any, name: str, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "ja", "j", "y"}:
        return True
    if text in {"0", "false", "no", "nee", "n"}:
        return False
    raise ValueError(f"{name} must be yes or no, not {value!r}")


def _int(value: Any, name: str, *, minimum: int = 0) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from exc
    if number < minimum:
        raise ValueError(f"{name} must be at least {minimum}")
    return number


def _euros_to_cents(value: Any, name: str) -> int:
    try:
        amount = float(str(value).replace(",", ".").strip())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be an amount in euros, not {value!r}") from exc
    if amount < 0:
        raise ValueError(f"{name} cannot be negative")
    return round(amount * 100)


def _moment(value: Any, name: str) -> datetime:
    """ISO date-time; without an offset it is Dutch local time."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(f"{name} must be a date and time like 2025-03-04T10:00") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def _clock(value: Any, name: str) -> time:
    try:
        return time.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"{name} must be a time like 09:30, not {value!r}") from exc


def _list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace("|", ";").split(";") if part.strip()]
    return [str(part).strip() for part in value if str(part).strip()]


def _provider_name(value: Any) -> str:
    return _text(value, "name", max_length=120)


def _region(value: str) -> str:
    region = value if value in REGIONS else normalize_region(value)
    if region is None:
        raise ValueError(f"unknown province {value!r}")
    return region


def _weekday(value: Any) -> int:
    text = str(value).strip().lower()
    for number, (long_name, short_name) in enumerate(
        zip(WEEKDAY_NAMES, WEEKDAY_SHORT, strict=True)
    ):
        if text in (long_name, short_name):
            return number
    raise ValueError(f"unknown weekday {value!r}")


def _end(row: Mapping[str, Any], starts_at: datetime, default_minutes: int) -> datetime:
    if row.get("ends_at"):
        ends_at = _moment(row["ends_at"], "ends_at")
    else:
        ends_at = starts_at + timedelta(
            minutes=_int(row.get("minutes", default_minutes), "minutes", minimum=15)
        )
    if ends_at <= starts_at:
        raise ValueError("ends_at must be after starts_at")
    return ends_at


# --- Records ----------------------------------------------------------------------------


def municipality_record(row: Mapping[str, Any], today: date) -> MunicipalityRecord:
    year_value = row.get("programme_year")
    year = today.year if year_value in (None, "", "current") else _int(year_value, "year")
    value = row.get("voucher_value_eur", 375)
    return MunicipalityRecord(
        code=_text(row.get("code"), "code", max_length=16).upper(),
        name=_text(row.get("name"), "name", max_length=120),
        participating=_bool(row.get("participating"), "participating", True),
        programme_year=year,
        voucher_value_cents=_euros_to_cents(value, "voucher_value_eur"),
        voucher_budget_cents=_euros_to_cents(
            row.get("voucher_budget_eur", 0), "voucher_budget_eur"
        ),
    )


def coach_record(row: Mapping[str, Any]) -> CoachRecord:
    regions = tuple(dict.fromkeys(_region(region) for region in _list(row.get("regions"))))
    if not regions:
        raise ValueError("a coach needs at least one province in regions")
    online = _bool(row.get("online"), "online", True)
    on_location = _bool(row.get("on_location"), "on_location", False)
    if not online and not on_location:
        raise ValueError("a coach works online, on location or both")
    email = _text(row.get("email"), "email", max_length=254).lower()
    if "@" not in email:
        raise ValueError(f"email {email!r} is not an e-mail address")
    return CoachRecord(
        name=_text(row.get("name"), "name", max_length=120),
        email=email,
        regions=regions,
        specialties=tuple(dict.fromkeys(_list(row.get("specialties")))),
        online=online,
        on_location=on_location,
        location=_text(row.get("location"), "location", required=False) or None,
    )


def _slot_mode(value: Any, coach: CoachRecord | None) -> str:
    if value in (None, ""):
        if coach is None:
            return MODE_ONLINE
        if coach.online and coach.on_location:
            return MODE_EITHER
        return MODE_ONLINE if coach.online else MODE_ON_LOCATION
    mode = str(value).strip().lower()
    if mode not in SLOT_MODES:
        raise ValueError(f"mode must be one of {', '.join(SLOT_MODES)}, not {value!r}")
    return mode


def slot_record(row: Mapping[str, Any], coach: CoachRecord | None = None) -> SlotRecord:
    starts_at = _moment(row.get("starts_at"), "starts_at")
    email = coach.email if coach else _text(row.get("coach_email"), "coach_email").lower()
    return SlotRecord(
        coach_email=email,
        starts_at=starts_at,
        ends_at=_end(row, starts_at, 60),
        mode=_slot_mode(row.get("mode"), coach),
    )


def schedule_slots(
    coach: CoachRecord, schedule: Mapping[str, Any], today: date
) -> list[SlotRecord]:
    """Free slots for ``weeks`` weeks from tomorrow on the given weekdays and times."""
    days = {_weekday(day) for day in _list(schedule.get("days"))}
    times = [_clock(value, "times") for value in _list(schedule.get("times"))]
    weeks = _int(schedule.get("weeks", 6), "weeks", minimum=1)
    if weeks > MAX_SCHEDULE_WEEKS:
        raise ValueError(f"weeks can be at most {MAX_SCHEDULE_WEEKS}")
    minutes = _int(schedule.get("minutes", 60), "minutes", minimum=15)
    mode = _slot_mode(schedule.get("mode"), coach)
    slots = []
    for offset in range(1, weeks * 7 + 1):
        day = today + timedelta(days=offset)
        if day.weekday() not in days:
            continue
        for clock in times:
            starts_at = datetime.combine(day, clock, tzinfo=LOCAL_TZ)
            slots.append(
                SlotRecord(coach.email, starts_at, starts_at + timedelta(minutes=minutes), mode)
            )
    return slots


def workshop_record(row: Mapping[str, Any], today: date) -> WorkshopRecord:
    theme = _text(row.get("theme"), "theme").lower()
    if theme not in WORKSHOP_THEMES:
        raise ValueError(f"theme must be one of {', '.join(WORKSHOP_THEMES)}, not {theme!r}")
    if row.get("starts_at"):
        starts_at = _moment(row["starts_at"], "starts_at")
    else:
        day = today + timedelta(days=_int(row.get("in_days"), "in_days", minimum=1))
        starts_at = datetime.combine(day, _clock(row.get("time", "13:30"), "time"), LOCAL_TZ)
    return WorkshopRecord(
        theme=theme,
        title=_text(row.get("title") or WORKSHOP_THEMES[theme], "title", max_length=160),
        provider=_text(row.get("provider"), "provider", max_length=120),
        starts_at=starts_at,
        ends_at=_end(row, starts_at, 180),
        location=_text(row.get("location"), "location"),
        places=_int(row.get("places"), "places", minimum=1),
    )


def _holiday_name(day: date) -> str | None:
    found = holidays.country_holidays("NL", years=day.year).get(day)
    return str(found) if found else None


def _day(value: Any, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"{name} must be a date like 2025-03-04, not {value!r}") from exc


def event_day(row: Mapping[str, Any], today: date) -> date:
    """The event's date: ``date``, or ``in_days`` from today (then the first ``weekday``),
    moved past public holidays; an explicit date on a public holiday is refused."""
    if row.get("date") not in (None, ""):
        day = _day(row["date"], "date")
        holiday = _holiday_name(day)
        if holiday:
            raise ValueError(f"date {day.isoformat()} is a public holiday ({holiday})")
        return day
    day = today + timedelta(days=_int(row.get("in_days"), "in_days", minimum=1))
    weekday = None if row.get("weekday") in (None, "") else _weekday(row["weekday"])
    while (weekday is not None and day.weekday() != weekday) or _holiday_name(day):
        day += timedelta(days=1)
    return day


def _session_end(row: Mapping[str, Any], day: date, starts_at: datetime) -> datetime:
    if row.get("ends_at"):
        return _moment(row["ends_at"], "ends_at")
    if row.get("end"):
        return datetime.combine(day, _clock(row["end"], "end"), LOCAL_TZ)
    minutes = _int(row.get("minutes", 90), "minutes", minimum=1)
    return starts_at + timedelta(minutes=minutes)


def event_session_record(
    row: Mapping[str, Any], *, day: date, venue: str, town: str
) -> WorkshopRecord:
    """One workshop session of an event, on the event's date, at the event's venue."""
    if not isinstance(row, Mapping):
        raise ValueError("a session must be a mapping with theme, provider, time and places")
    theme = _text(row.get("theme"), "theme").lower()
    if theme not in WORKSHOP_THEMES:
        raise ValueError(f"theme must be one of {', '.join(WORKSHOP_THEMES)}, not {theme!r}")
    if row.get("starts_at"):
        starts_at = _moment(row["starts_at"], "starts_at")
    else:
        starts_at = datetime.combine(day, _clock(_text(row.get("time"), "time"), "time"), LOCAL_TZ)
    ends_at = _session_end(row, day, starts_at)
    if ends_at <= starts_at:
        raise ValueError("the session ends before it starts")
    if starts_at.astimezone(LOCAL_TZ).date() != day or ends_at.astimezone(LOCAL_TZ).date() != day:
        raise ValueError(f"the session is not on its event's date {day.isoformat()}")
    places = _int(row.get("places"), "places")
    if places <= 0:
        raise ValueError("places (the capacity) must be more than 0")
    room = _text(row.get("room"), "room", max_length=60, required=False)
    location = f"{venue}, {town}" + (f", {room}" if room else "")
    return WorkshopRecord(
        theme=theme,
        title=_text(row.get("title") or WORKSHOP_THEMES[theme], "title", max_length=160),
        provider=_text(row.get("provider"), "provider", max_length=120),
        starts_at=starts_at,
        ends_at=ends_at,
        location=_text(location, "location"),
        places=places,
    )


def event_records(
    row: Mapping[str, Any], today: date, where: str, problems: list[str]
) -> EventRecord | None:
    """An event with its sessions; every problem is added to ``problems`` with ``where``."""
    if not isinstance(row, Mapping):
        problems.append(f"{where}: an event must be a mapping with name, region and sessions")
        return None

    def head() -> tuple[str, str, str, str, date]:
        return (
            _text(row.get("name"), "name", max_length=160),
            _region(_text(row.get("region"), "region")),
            _text(row.get("venue"), "venue", max_length=160),
            _text(row.get("town"), "town", max_length=120),
            event_day(row, today),
        )

    found = _collect(problems, where, head)
    sessions = row.get("sessions")
    if not isinstance(sessions, list) or not sessions:
        problems.append(f"{where}: an event needs a list of sessions")
        return None
    if found is None:
        return None
    name, region, venue, town, day = found
    records = []
    seen: set[tuple[str, str, datetime]] = set()
    for number, item in enumerate(sessions, start=1):
        record = _collect(
            problems,
            f"{where} session {number}",
            lambda item=item: event_session_record(item, day=day, venue=venue, town=town),
        )
        if record is None:
            continue
        key = (record.provider, record.theme, record.starts_at)
        if key in seen:
            problems.append(f"{where} session {number}: the same session is listed twice")
            continue
        seen.add(key)
        records.append(record)
    return EventRecord(name, region, venue, town, day, tuple(records))


# --- Documents --------------------------------------------------------------------------


def _collect(problems: list[str], where: str, make: Any, *args: Any) -> Any:
    try:
        return make(*args)
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None


def parse_document(data: Any, today: date) -> ImportBatch:
    """Checks a YAML document (sections municipalities, providers, coaches, slots, workshops)."""
    if not isinstance(data, Mapping):
        raise ImportProblem(["the file must be a mapping with sections like 'coaches:'"])
    known = {"municipalities", "providers", "coaches", "slots", "workshops", "events"}
    problems = [f"unknown section {key!r}" for key in data if key not in known]
    batch = ImportBatch()
    for index, row in enumerate(data.get("municipalities") or [], start=1):
        record = _collect(problems, f"municipalities #{index}", municipality_record, row, today)
        if record:
            batch.municipalities.append(record)
    for index, row in enumerate(data.get("providers") or [], start=1):
        name = row.get("name") if isinstance(row, Mapping) else row
        record = _collect(problems, f"providers #{index}", _provider_name, name)
        if record:
            batch.providers.append(record)
    for index, row in enumerate(data.get("coaches") or [], start=1):
        where = f"coaches #{index}"
        coach = _collect(problems, where, coach_record, row)
        if not coach:
            continue
        batch.coaches.append(coach)
        for number, slot in enumerate(row.get("slots") or [], start=1):
            record = _collect(problems, f"{where} slot {number}", slot_record, slot, coach)
            if record:
                batch.slots.append(record)
        if row.get("schedule"):
            made = _collect(
                problems, f"{where} schedule", schedule_slots, coach, row["schedule"], today
            )
            batch.slots.extend(made or [])
    for index, row in enumerate(data.get("slots") or [], start=1):
        record = _collect(problems, f"slots #{index}", slot_record, row)
        if record:
            batch.slots.append(record)
    for index, row in enumerate(data.get("workshops") or [], start=1):
        record = _collect(problems, f"workshops #{index}", workshop_record, row, today)
        if record:
            batch.workshops.append(record)
    for index, row in enumerate(data.get("events") or [], start=1):
        event = event_records(row, today, f"events #{index}", problems)
        if event:
            batch.events.append(event)
    return _checked_batch(batch, problems)


def _checked_batch(batch: ImportBatch, problems: list[str]) -> ImportBatch:
    """The batch, or ImportProblem with every problem found (duplicates in the file too)."""
    problems.extend(_duplicate_problems(batch))
    if problems:
        raise ImportProblem(problems)
    return batch


def _duplicate_problems(batch: ImportBatch) -> list[str]:
    """An event or a workshop date twice in one file would silently overwrite itself."""
    problems = []
    events: set[tuple[str, date]] = set()
    dates: set[tuple[str, str, datetime]] = set()
    for record in batch.workshops:
        dates.add((record.provider, record.theme, record.starts_at))
    for event in batch.events:
        if (event.name, event.day) in events:
            problems.append(f"event {event.name!r} on {event.day.isoformat()} is listed twice")
        events.add((event.name, event.day))
        for record in event.sessions:
            key = (record.provider, record.theme, record.starts_at)
            if key in dates:
                problems.append(
                    f"event {event.name!r}: {record.provider} gives {record.theme} at "
                    f"{record.starts_at:%Y-%m-%d %H:%M} more than once in this file"
                )
            dates.add(key)
    return problems


CSV_KINDS: dict[str, frozenset[str]] = {
    # before "workshops": an events file has the workshop columns too
    "events": frozenset({"event", "date", "region", "venue", "town", "theme", "provider"}),
    "municipalities": frozenset({"code", "name", "voucher_budget_eur"}),
    "coaches": frozenset({"name", "email", "regions"}),
    "slots": frozenset({"coach_email", "starts_at"}),
    "workshops": frozenset({"theme", "provider", "places"}),
    "providers": frozenset({"name"}),
}


def csv_kind(header: Iterable[str]) -> str | None:
    """Which table a CSV file is for, from its header (the most specific match wins)."""
    columns = {column.strip().lower() for column in header}
    for kind, required in CSV_KINDS.items():
        if required <= columns:
            return kind
    return None


def parse_csv(text: str, today: date) -> ImportBatch:
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    kind = csv_kind(reader.fieldnames or [])
    if kind is None:
        raise ImportProblem(
            [f"cannot tell what this CSV holds from its header {reader.fieldnames}"]
        )
    rows = []
    for row in reader:
        cleaned = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if any(cleaned.values()):
            rows.append((reader.line_num, cleaned))
    problems: list[str] = []
    batch = ImportBatch()
    if kind == "events":
        return _csv_events(rows, today)
    makers = {
        "municipalities": lambda row: municipality_record(row, today),
        "coaches": coach_record,
        "slots": slot_record,
        "workshops": lambda row: workshop_record(row, today),
        "providers": lambda row: _provider_name(row.get("name")),
    }
    target = getattr(batch, kind)
    for line, row in rows:
        record = _collect(problems, f"line {line}", makers[kind], row)
        if record:
            target.append(record)
    if problems:
        raise ImportProblem(problems)
    return batch


_EVENT_HEAD = ("region", "venue", "town")


def _csv_events(rows: list[tuple[int, dict[str, str]]], today: date) -> ImportBatch:
    """One CSV row per session; rows with the same event name and date form one event."""
    problems: list[str] = []
    grouped: dict[tuple[str, str], dict[str, Any]] = {}
    for line, row in rows:
        key = (row.get("event", ""), row.get("date", ""))
        event = grouped.get(key)
        if event is None:
            grouped[key] = {
                "name": row.get("event"),
                "date": row.get("date"),
                **{column: row.get(column) for column in _EVENT_HEAD},
                "sessions": [],
                "line": line,
            }
            event = grouped[key]
        else:
            for column in _EVENT_HEAD:
                if row.get(column) != event[column]:
                    problems.append(
                        f"line {line}: {column} differs from line {event['line']} "
                        f"of the same event"
                    )
        event["sessions"].append({column: value for column, value in row.items() if value})
    batch = ImportBatch()
    for event in grouped.values():
        record = event_records(event, today, f"event on line {event['line']}", problems)
        if record:
            batch.events.append(record)
    return _checked_batch(batch, problems)


def read_file(path: Path, today: date) -> ImportBatch:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".csv":
        return parse_csv(text, today)
    if path.suffix.lower() in (".yml", ".yaml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ImportProblem([f"not valid YAML: {exc}"]) from exc
        return parse_document(data, today)
    raise ImportProblem([f"unknown file type {path.suffix!r}: use .csv, .yml or .yaml"])


# --- Writing ----------------------------------------------------------------------------


def apply_batch(session: Session, batch: ImportBatch, *, now: datetime, actor: str) -> ImportReport:
    """Upserts the batch (by code, name, e-mail or start time) in the caller's transaction."""
    for record in batch.municipalities:
        row = session.execute(
            select(Municipality).where(Municipality.code == record.code)
        ).scalar_one_or_none()
        if row is None:
            row = Municipality(code=record.code, budget_committed_cents=0, created_at=now)
            session.add(row)
        row.name = record.name
        row.participating = record.participating
        row.programme_year = record.programme_year
        row.voucher_value_cents = record.voucher_value_cents
        row.voucher_budget_cents = record.voucher_budget_cents

    session_records = [record for event in batch.events for record in event.sessions]
    provider_names = list(
        dict.fromkeys(batch.providers + [w.provider for w in (*batch.workshops, *session_records)])
    )
    providers: dict[str, Provider] = {}
    for name in provider_names:
        provider = session.execute(
            select(Provider).where(Provider.name == name)
        ).scalar_one_or_none()
        if provider is None:
            provider = Provider(name=name, active=True, created_at=now)
            session.add(provider)
        providers[name] = provider

    coaches: dict[str, Coach] = {}
    for coach_record in batch.coaches:
        coach = session.execute(
            select(Coach).where(Coach.email == coach_record.email)
        ).scalar_one_or_none()
        if coach is None:
            coach = Coach(email=coach_record.email, created_at=now, active=True)
            session.add(coach)
        coach.name = coach_record.name
        coach.online = coach_record.online
        coach.on_location = coach_record.on_location
        coach.location = coach_record.location
        coach.regions = [CoachRegion(region=region) for region in coach_record.regions]
        coach.specialties = [
            CoachSpecialty(specialty=item[:80]) for item in coach_record.specialties
        ]
        coaches[coach_record.email] = coach
    session.flush()

    slots_written = 0
    for slot_record in batch.slots:
        coach = (
            coaches.get(slot_record.coach_email)
            or session.execute(
                select(Coach).where(Coach.email == slot_record.coach_email)
            ).scalar_one_or_none()
        )
        if coach is None:
            raise ImportProblem([f"slot for unknown coach {slot_record.coach_email!r}"])
        existing = session.execute(
            select(Slot).where(Slot.coach_id == coach.id, Slot.starts_at == slot_record.starts_at)
        ).scalar_one_or_none()
        if existing is None:
            session.add(
                Slot(
                    coach_id=coach.id,
                    starts_at=slot_record.starts_at,
                    ends_at=slot_record.ends_at,
                    mode=slot_record.mode,
                    status=SLOT_FREE,
                )
            )
            slots_written += 1
        elif existing.status == SLOT_FREE:
            existing.ends_at = slot_record.ends_at
            existing.mode = slot_record.mode
            slots_written += 1
    session.flush()

    problems: list[str] = []
    grown: list[Workshop] = []
    for workshop_record in batch.workshops:
        _upsert_workshop(
            session, workshop_record, providers[workshop_record.provider], None, problems, grown
        )
    for event_record in batch.events:
        event = session.execute(
            select(WorkshopEvent).where(
                WorkshopEvent.name == event_record.name,
                WorkshopEvent.event_date == event_record.day,
            )
        ).scalar_one_or_none()
        if event is None:
            event = WorkshopEvent(
                name=event_record.name, event_date=event_record.day, created_at=now
            )
            session.add(event)
        event.region = event_record.region
        event.venue_name = event_record.venue
        event.town = event_record.town
        session.flush()
        for session_record in event_record.sessions:
            provider = providers[session_record.provider]
            _upsert_workshop(session, session_record, provider, event, problems, grown)
    if problems:
        raise ImportProblem(problems)
    session.flush()
    for workshop in grown:  # more places: the waiting list moves up
        fill_free_seats(session, workshop.id, now, actor=actor)

    report = ImportReport(
        municipalities=len(batch.municipalities),
        providers=len(provider_names),
        coaches=len(batch.coaches),
        slots=slots_written,
        workshops=len(batch.workshops) + len(session_records),
        events=len(batch.events),
    )
    audit.record(
        session,
        actor=actor,
        action="import.applied",
        entity_type="import",
        details=report.as_dict(),
        at=now,
    )
    return report


def _upsert_workshop(
    session: Session,
    record: WorkshopRecord,
    provider: Provider,
    event: WorkshopEvent | None,
    problems: list[str],
    grown: list[Workshop],
) -> None:
    """Writes one workshop date (by provider, theme and start); places never drop below the
    seats already taken (a problem instead), and a rise is remembered to serve the waiting
    list."""
    workshop = session.execute(
        select(Workshop).where(
            Workshop.provider_id == provider.id,
            Workshop.theme == record.theme,
            Workshop.starts_at == record.starts_at,
        )
    ).scalar_one_or_none()
    if workshop is None:
        workshop = Workshop(
            provider_id=provider.id,
            theme=record.theme,
            starts_at=record.starts_at,
            seats_taken=0,
        )
        session.add(workshop)
    elif record.places < workshop.seats_taken:
        problems.append(
            f"{record.theme} at {record.starts_at:%Y-%m-%d %H:%M}: places cannot go below the "
            f"{workshop.seats_taken} seats already taken"
        )
        return
    elif record.places > workshop.places:
        grown.append(workshop)
    if event is not None:
        workshop.event_id = event.id
    workshop.title = record.title
    workshop.ends_at = record.ends_at
    workshop.location = record.location
    workshop.places = record.places


def is_empty(session: Session) -> bool:
    """A fresh database: no municipalities and no coaches yet."""
    municipalities = session.execute(select(func.count(Municipality.id))).scalar_one()
    coaches = session.execute(select(func.count(Coach.id))).scalar_one()
    return municipalities == 0 and coaches == 0


def load_demo(session: Session, *, now: datetime, actor: str = "demo") -> ImportReport:
    """Loads the clearly fictional demo data set (slots and workshops from today on)."""
    batch = read_file(DEMO_DATA, now.astimezone(LOCAL_TZ).date())
    return apply_batch(session, batch, now=now, actor=actor)
