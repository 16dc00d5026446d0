"""Importing the opportunity catalogue from YAML or CSV, and the upsert every source shares.

A file holds ``regions`` (labour-market regions with their municipalities, and whether each
cooperates) and ``opportunities``. Checking is pure and collects every problem with its entry
and field; nothing is written while there is one. Writing is an upsert by
``(source, external id)`` in the caller's transaction, so a corrected file, or the same feed
pushed again, can simply be sent once more. The JSON feed (:mod:`bot.opportunities.feed`)
uses the same field checks.

YAML::

    regions:
    - code: rijk-van-nijmegen        # 2-40 characters
      name: Rijk van Nijmegen
      province: Gelderland
      municipalities:
      - {code: GM9911, name: Gemeente Voorbeeldwaard, cooperating: true}
    opportunities:
    - id: nijm-2025-014               # unique per source
      type: vacature                  # vacature, meeloopstage, uitwisseling, training, bijeenkomst
      title: Medewerker Burgerzaken
      description: Je helpt inwoners aan de balie en online.
      municipality: GM9911
      contact: p&o@voorbeeldwaard.example    # a function mailbox or an https page
      scale: 6-8                      # or scale_min / scale_max, 1-18
      hours_per_week: 32
      mode: on_location               # on_location, online, hybrid
      work_area: burgerzaken
      competences: [contact, nauwkeurig]
      starts_on: 2025-05-01           # or starts_in_days: 30 (files only, from the import day)
      respond_by: 2025-04-01          # or respond_in_days: 21
      published_days_ago: 3           # or published_at: 2025-03-10T09:00+01:00

CSV files hold one kind of row, recognised from the header: opportunities (``id``, ``type``,
``title``, ``contact`` ...; lists separated by ``;``) or region municipalities (``region_code``,
``region_name``, ``province``, ``code``, ``name``, ``cooperating``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ
from bot.ledger import audit
from bot.ledger.catalog import REGIONS
from bot.ledger.importer import ImportProblem
from bot.ledger.preferences import normalize_region
from bot.opportunities.catalog import (
    COMPETENCES,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    EXTERNAL_ID_MAX,
    HOURS_MAX,
    HOURS_MIN,
    MODE_HYBRID,
    MODE_ON_LOCATION,
    MODE_ONLINE,
    MODES,
    SCALE_MAX,
    SCALE_MIN,
    SOURCE_IMPORT,
    SOURCES,
    TITLE_MAX,
    TYPE_ALIASES,
    TYPES,
    WORK_AREAS,
)
from bot.opportunities.models import (
    LabourMarketRegion,
    Opportunity,
    OpportunityCompetence,
    RegionMunicipality,
)

DEMO_OPPORTUNITIES = Path(__file__).resolve().parent / "demo_opportunities.yml"
MAX_RELATIVE_DAYS = 730

#: Fields every source may use; files may also give dates relative to the import day.
COMMON_FIELDS = frozenset(
    {
        "id",
        "type",
        "title",
        "description",
        "municipality",
        "province",
        "labour_market_region",
        "contact",
        "scale",
        "scale_min",
        "scale_max",
        "hours_per_week",
        "mode",
        "location",
        "work_area",
        "competences",
        "starts_on",
        "ends_on",
        "respond_by",
        "published_at",
        "closed",
    }
)
RELATIVE_FIELDS = frozenset(
    {"starts_in_days", "ends_in_days", "respond_in_days", "published_days_ago"}
)
FILE_FIELDS = COMMON_FIELDS | RELATIVE_FIELDS

MODE_ALIASES = {
    "on_location": MODE_ON_LOCATION,
    "op locatie": MODE_ON_LOCATION,
    "op_locatie": MODE_ON_LOCATION,
    "locatie": MODE_ON_LOCATION,
    "online": MODE_ONLINE,
    "hybrid": MODE_HYBRID,
    "hybride": MODE_HYBRID,
    "deels online": MODE_HYBRID,
}

#: Words that mark a function mailbox or page, never a person (p&o@, vacatures@, werkenbij@).
_INITIALS = re.compile(r"^[a-z]{1,2}$")
_HTTPS = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(?:[/?#]\S*)?$")
_MAILBOX = re.compile(r"^[a-z0-9&._+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}$")
_SCALE_TEXT = re.compile(r"(?:schaal\s*)?(\d{1,2})(?:\s*(?:-|–|t/m|tot en met)\s*(\d{1,2}))?")
_GM_CODE = re.compile(r"^[A-Z0-9]{2,16}$")


@dataclass(frozen=True)
class OpportunityInput:
    """A checked listing, ready for :func:`apply_batch`; dates are local calendar days."""

    source: str
    external_id: str
    kind: str
    title: str
    description: str
    municipality_code: str
    contact: str
    mode: str = MODE_ON_LOCATION
    province: str | None = None
    region_code: str | None = None
    location: str | None = None
    work_area: str | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    hours_per_week: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    respond_by: date | None = None
    #: None: the moment of the first import (a later push keeps the first date).
    published_at: datetime | None = None
    #: None: leave as it is; True: close now; False: open again.
    closed: bool | None = None
    competences: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionInput:
    code: str
    name: str
    province: str


@dataclass(frozen=True)
class MunicipalityInput:
    code: str
    name: str
    region_code: str
    cooperating: bool


@dataclass
class OpportunityBatch:
    regions: list[RegionInput] = field(default_factory=list)
    municipalities: list[MunicipalityInput] = field(default_factory=list)
    opportunities: list[OpportunityInput] = field(default_factory=list)


@dataclass(frozen=True)
class OpportunityReport:
    regions: int
    municipalities: int
    created: int
    updated: int

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


# --- Field checks (each raises ValueError with a short reason) ------------------------------


def _text(value: Any, *, max_length: int, required: bool = True) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise ValueError("is missing")
        return None
    if len(text) > max_length:
        raise ValueError(f"is longer than {max_length} characters")
    return text


def _whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(f"must be a whole number from {low} to {high}, not {value!r}")
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError) as exc:
        raise ValueError(f"must be a whole number from {low} to {high}, not {value!r}") from exc
    if not low <= number <= high:
        raise ValueError(f"must be from {low} to {high}, not {number}")
    return number


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "yes", "ja", "j", "y"}:
        return True
    if text in {"0", "false", "no", "nee", "n"}:
        return False
    raise ValueError(f"must be yes or no, not {value!r}")


def _day(value: Any) -> date:
    if isinstance(value, datetime):
        return value.astimezone(LOCAL_TZ).date() if value.tzinfo else value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ValueError(f"must be a date like 2025-03-04, not {value!r}") from exc


def _moment(value: Any) -> datetime:
    """ISO date-time; without an offset it is Dutch local time. Stored in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
        except ValueError as exc:
            raise ValueError(
                f"must be a date and time like 2025-03-04T09:00+01:00, not {value!r}"
            ) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment.astimezone(LOCAL_TZ)


def _items(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;|,]", value) if part.strip()]
    if isinstance(value, list | tuple):
        return [str(part).strip() for part in value if str(part).strip()]
    raise ValueError(f"must be a list, not {value!r}")


def check_kind(value: Any) -> str:
    text = (_text(value, max_length=40) or "").lower().replace("-", "_")
    kind = text if text in TYPES else TYPE_ALIASES.get(text)
    if kind is None:
        raise ValueError(f"unknown type {value!r} (use {', '.join(TYPES)})")
    return kind


def check_province(value: Any) -> str:
    text = _text(value, max_length=40) or ""
    province = text if text in REGIONS else normalize_region(text, fuzzy=False)
    if province is None:
        raise ValueError(f"unknown province {value!r} (use one of the twelve, e.g. Gelderland)")
    return province


def check_mode(value: Any) -> str:
    text = (_text(value, max_length=20) or "").lower()
    mode = MODE_ALIASES.get(text)
    if mode is None:
        raise ValueError(f"unknown mode {value!r} (use {', '.join(MODES)})")
    return mode


def looks_personal(local_part: str) -> bool:
    """A mailbox like g.jansen@ or anna.devries@ belongs to a person, not to a function."""
    from bot.privacy.names import FIRST_NAMES  # the name lists, without spaCy

    tokens = [token for token in re.split(r"[._+-]", local_part.lower()) if token]
    if len(tokens) >= 2 and _INITIALS.match(tokens[0]):
        return True
    return any(token in FIRST_NAMES for token in tokens)


def check_contact(value: Any) -> str:
    """A function route: an https page or a function mailbox (P&O, vacatures), never a person."""
    text = _text(value, max_length=CONTACT_MAX)
    assert text is not None
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    lowered = text.lower()
    if lowered.startswith("http://"):
        raise ValueError("must be an https page, not http")
    if lowered.startswith("https://"):
        if not _HTTPS.match(lowered):
            raise ValueError(f"{text!r} is not a web address")
        host, slash, path = text[len("https://") :].partition("/")
        return f"https://{host.lower()}{slash}{path}"
    if not _MAILBOX.match(lowered):
        raise ValueError(f"{text!r} is neither a mailbox (p&o@…) nor an https page")
    local = lowered.split("@", 1)[0]
    if looks_personal(local):
        raise ValueError(
            f"{text!r} looks like a person's address; use a function mailbox such as p&o@…"
        )
    return lowered


def _scale(row: Mapping[str, Any]) -> tuple[int | None, int | None]:
    raw = row.get("scale")
    if isinstance(raw, Mapping):
        low, high = raw.get("min"), raw.get("max")
    elif raw not in (None, ""):
        found = _SCALE_TEXT.fullmatch(str(raw).strip().lower())
        if found is None:
            raise ValueError(f"must be a scale like 8 or 6-8, not {raw!r}")
        low, high = found.group(1), found.group(2) or found.group(1)
    else:
        low, high = row.get("scale_min"), row.get("scale_max")
    if low in (None, "") and high in (None, ""):
        return None, None
    low = high if low in (None, "") else low
    high = low if high in (None, "") else high
    first, last = _whole(low, SCALE_MIN, SCALE_MAX), _whole(high, SCALE_MIN, SCALE_MAX)
    if first > last:
        raise ValueError(f"minimum {first} is above maximum {last}")
    return first, last


class _Fields:
    """Collects ``field: reason`` problems while reading one entry."""

    def __init__(self, row: Mapping[str, Any]) -> None:
        self.row = row
        self.problems: list[str] = []

    def get(self, name: str, check: Callable[[Any], Any], *, required: bool = False) -> Any:
        value = self.row.get(name)
        if value is None or value == "":
            if required:
                self.problems.append(f"{name}: is missing")
            return None
        try:
            return check(value)
        except ValueError as exc:
            self.problems.append(f"{name}: {exc}")
            return None

    def run(self, name: str, check: Callable[[], Any], default: Any = None) -> Any:
        try:
            return check()
        except ValueError as exc:
            self.problems.append(f"{name}: {exc}")
            return default


def _relative_day(today: date | None, days: Any) -> date:
    if today is None:
        raise ValueError("relative days are only allowed in files, give a date")
    return today + timedelta(days=_whole(days, 0, MAX_RELATIVE_DAYS))


def opportunity_input(
    row: Any,
    *,
    source: str,
    allowed: frozenset[str] = FILE_FIELDS,
    today: date | None = None,
    now: datetime | None = None,
) -> OpportunityInput:
    """Checks one listing; raises ValueError listing every bad field (``field: reason; …``).

    ``today``/``now`` turn the relative fields of files into dates (feeds must not use them).
    """
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r}")
    if not isinstance(row, Mapping):
        raise ValueError("must be a mapping of fields")
    fields = _Fields(row)
    unknown = sorted(str(key) for key in row if key not in allowed)
    fields.problems.extend(f"{key}: unknown field" for key in unknown)
    text = _text
    external_id = fields.get("id", lambda v: text(v, max_length=EXTERNAL_ID_MAX), required=True)
    kind = fields.get("type", check_kind, required=True)
    title = fields.get("title", lambda v: text(v, max_length=TITLE_MAX), required=True)
    description = fields.get(
        "description", lambda v: text(v, max_length=DESCRIPTION_MAX), required=True
    )
    municipality = fields.get("municipality", _municipality_code, required=True)
    contact = fields.get("contact", check_contact, required=True)
    province = fields.get("province", check_province)
    region_code = fields.get("labour_market_region", _region_code)
    mode = fields.get("mode", check_mode) or MODE_ON_LOCATION
    location = fields.get("location", lambda v: text(v, max_length=120, required=False))
    work_area = fields.get("work_area", _work_area)
    scale_min, scale_max = fields.run("scale", lambda: _scale(row), (None, None))
    hours = fields.get("hours_per_week", lambda v: _whole(v, HOURS_MIN, HOURS_MAX))
    competences = fields.get("competences", _competences) or ()
    dates: dict[str, date | None] = {}
    for name, relative in (
        ("starts_on", "starts_in_days"),
        ("ends_on", "ends_in_days"),
        ("respond_by", "respond_in_days"),
    ):
        dates[name] = fields.get(name, _day)
        if row.get(relative) not in (None, ""):
            if dates[name] is not None:
                fields.problems.append(f"{relative}: give either {name} or {relative}")
            dates[name] = fields.get(relative, lambda v: _relative_day(today, v))
    published_at = fields.get("published_at", _moment)
    if row.get("published_days_ago") not in (None, ""):
        if now is None:
            fields.problems.append("published_days_ago: only allowed in files, give published_at")
        else:
            days = fields.get("published_days_ago", lambda v: _whole(v, 0, MAX_RELATIVE_DAYS))
            if days is not None:
                published_at = now - timedelta(days=days)
    closed = fields.get("closed", _flag)
    starts_on, ends_on, respond_by = dates["starts_on"], dates["ends_on"], dates["respond_by"]
    if starts_on and ends_on and ends_on < starts_on:
        fields.problems.append(f"ends_on: {ends_on} is before starts_on {starts_on}")
    if respond_by and ends_on and respond_by > ends_on:
        fields.problems.append(f"respond_by: {respond_by} is after ends_on {ends_on}")
    if fields.problems:
        raise ValueError("; ".join(fields.problems))
    return OpportunityInput(
        source=source,
        external_id=external_id,
        kind=kind,
        title=title,
        description=description,
        municipality_code=municipality,
        contact=contact,
        mode=mode,
        province=province,
        region_code=region_code,
        location=location,
        work_area=work_area,
        scale_min=scale_min,
        scale_max=scale_max,
        hours_per_week=hours,
        starts_on=starts_on,
        ends_on=ends_on,
        respond_by=respond_by,
        published_at=published_at,
        closed=closed,
        competences=competences,
    )


def _municipality_code(value: Any) -> str:
    code = str(value).strip().upper()
    if not _GM_CODE.match(code):
        raise ValueError(f"{value!r} is not a municipality code like GM0202")
    return code


def _region_code(value: Any) -> str:
    code = str(value).strip().lower()
    if not 2 <= len(code) <= 40 or not re.fullmatch(r"[a-z0-9-]+", code):
        raise ValueError(f"{value!r} is not a region code (2-40 letters, digits and -)")
    return code


def _work_area(value: Any) -> str:
    area = str(value).strip().lower()
    if area not in WORK_AREAS:
        raise ValueError(f"unknown work area {value!r} (use {', '.join(WORK_AREAS)})")
    return area


def _competences(value: Any) -> tuple[str, ...]:
    items = [item.lower() for item in _items(value)]
    unknown = [item for item in items if item not in COMPETENCES]
    if unknown:
        raise ValueError(f"unknown {unknown} (use {', '.join(COMPETENCES)})")
    return tuple(dict.fromkeys(items))


def region_input(row: Any) -> RegionInput:
    if not isinstance(row, Mapping):
        raise ValueError("must be a mapping of fields")
    fields = _Fields(row)
    code = fields.get("code", _region_code, required=True)
    name = fields.get("name", lambda v: _text(v, max_length=120), required=True)
    province = fields.get("province", check_province, required=True)
    if fields.problems:
        raise ValueError("; ".join(fields.problems))
    return RegionInput(code, name, province)


def municipality_input(row: Any, region_code: str) -> MunicipalityInput:
    if not isinstance(row, Mapping):
        raise ValueError("must be a mapping of fields")
    fields = _Fields(row)
    code = fields.get("code", _municipality_code, required=True)
    name = fields.get("name", lambda v: _text(v, max_length=120), required=True)
    cooperating = fields.get("cooperating", _flag)
    if fields.problems:
        raise ValueError("; ".join(fields.problems))
    return MunicipalityInput(code, name, region_code, True if cooperating is None else cooperating)


# --- Documents --------------------------------------------------------------------------


def _collect(
    problems: list[str], where: str, make: Callable[..., Any], *args: Any, **kwargs: Any
) -> Any:
    try:
        return make(*args, **kwargs)
    except ValueError as exc:
        problems.append(f"{where}: {exc}")
        return None


def _where(kind: str, index: int, row: Any) -> str:
    if isinstance(row, Mapping) and row.get("id") not in (None, ""):
        return f"{kind} #{index} (id {row['id']})"
    return f"{kind} #{index}"


def _entries(data: Mapping[str, Any], key: str, problems: list[str]) -> list[Any]:
    value = data.get(key) or []
    if not isinstance(value, list):
        problems.append(f"{key}: must be a list")
        return []
    return value


def parse_document(
    data: Any, *, today: date, now: datetime, source: str = SOURCE_IMPORT
) -> OpportunityBatch:
    """Checks a YAML document with the sections ``regions`` and ``opportunities``."""
    if not isinstance(data, Mapping):
        raise ImportProblem(["the file must be a mapping with sections like 'opportunities:'"])
    problems = [
        f"unknown section {key!r}" for key in data if key not in {"regions", "opportunities"}
    ]
    batch = OpportunityBatch()
    for index, row in enumerate(_entries(data, "regions", problems), start=1):
        where = f"regions #{index}"
        region = _collect(problems, where, region_input, row)
        if region is None:
            continue
        batch.regions.append(region)
        members = row.get("municipalities") or []
        if not isinstance(members, list):
            problems.append(f"{where} municipalities: must be a list")
            continue
        for number, member in enumerate(members, start=1):
            record = _collect(
                problems,
                f"{where} municipality {number}",
                municipality_input,
                member,
                region.code,
            )
            if record:
                batch.municipalities.append(record)
    for index, row in enumerate(_entries(data, "opportunities", problems), start=1):
        record = _collect(
            problems,
            _where("opportunities", index, row),
            opportunity_input,
            row,
            source=source,
            today=today,
            now=now,
        )
        if record:
            batch.opportunities.append(record)
    _check_unique(batch.opportunities, problems)
    if problems:
        raise ImportProblem(problems)
    return batch


def _check_unique(items: Iterable[OpportunityInput], problems: list[str]) -> None:
    seen: set[tuple[str, str]] = set()
    for item in items:
        key = (item.source, item.external_id)
        if key in seen:
            problems.append(f"id {item.external_id!r} appears more than once")
        seen.add(key)


MUNICIPALITY_CSV = frozenset({"region_code", "region_name", "province", "code", "name"})
OPPORTUNITY_CSV = frozenset({"id", "type", "title", "contact", "municipality"})


def parse_csv(
    text: str, *, today: date, now: datetime, source: str = SOURCE_IMPORT
) -> OpportunityBatch:
    """One kind of row per file, recognised from the header (see the module docstring)."""
    first_line = text.splitlines()[0] if text.strip() else ","
    dialect = csv.Sniffer().sniff(first_line, delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    columns = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if columns >= OPPORTUNITY_CSV:
        kind = "opportunities"
    elif columns >= MUNICIPALITY_CSV:
        kind = "municipalities"
    else:
        raise ImportProblem(
            [f"cannot tell what this CSV holds from its header {reader.fieldnames}"]
        )
    problems: list[str] = []
    batch = OpportunityBatch()
    regions: dict[str, RegionInput] = {}
    for row in reader:
        where = f"line {reader.line_num}"
        if None in row:
            problems.append(
                f"{where}: more values than the header has columns "
                "(separate list items with | when ; separates the columns)"
            )
            continue
        cleaned = {(key or "").strip().lower(): (value or "").strip() for key, value in row.items()}
        if not any(cleaned.values()):
            continue
        values = {key: value for key, value in cleaned.items() if value != ""}
        if kind == "opportunities":
            record = _collect(
                problems,
                where,
                opportunity_input,
                values,
                source=source,
                today=today,
                now=now,
            )
            if record:
                batch.opportunities.append(record)
            continue
        region = _collect(
            problems,
            where,
            region_input,
            {
                "code": cleaned.get("region_code"),
                "name": cleaned.get("region_name"),
                "province": cleaned.get("province"),
            },
        )
        if region is None:
            continue
        if regions.setdefault(region.code, region) != region:
            problems.append(f"{where}: region {region.code!r} has another name or province above")
            continue
        member = _collect(problems, where, municipality_input, cleaned, region.code)
        if member:
            batch.municipalities.append(member)
    batch.regions = list(regions.values())
    _check_unique(batch.opportunities, problems)
    if problems:
        raise ImportProblem(problems)
    return batch


def read_file(path: Path, *, now: datetime, source: str = SOURCE_IMPORT) -> OpportunityBatch:
    """A .csv, .yml/.yaml or .json (feed format) file, checked; ImportProblem if not fine."""
    today = now.astimezone(LOCAL_TZ).date()
    text = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return parse_csv(text, today=today, now=now, source=source)
    if suffix in (".yml", ".yaml"):
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ImportProblem([f"not valid YAML: {exc}"]) from exc
        return parse_document(data, today=today, now=now, source=source)
    if suffix == ".json":
        from bot.opportunities.feed import parse_feed

        return OpportunityBatch(opportunities=parse_feed(text))
    raise ImportProblem([f"unknown file type {suffix!r}: use .csv, .yml, .yaml or .json"])


# --- Writing ----------------------------------------------------------------------------


def known_municipalities(session: Session, batch: OpportunityBatch) -> dict[str, tuple[str, str]]:
    """Municipality code -> (region code, province), from the batch and the database."""
    provinces = {region.code: region.province for region in batch.regions}
    for row in session.execute(select(LabourMarketRegion)).scalars():
        provinces.setdefault(row.code, row.province)
    known = {
        row.code: (row.region_code, provinces.get(row.region_code, ""))
        for row in session.execute(select(RegionMunicipality)).scalars()
    }
    for member in batch.municipalities:
        known[member.code] = (member.region_code, provinces.get(member.region_code, ""))
    return known


def check_against_database(session: Session, batch: OpportunityBatch) -> list[str]:
    """Problems only the database can tell: unknown municipalities or regions, a province
    or region that does not belong to the municipality."""
    problems: list[str] = []
    region_codes = {region.code for region in batch.regions} | set(
        session.execute(select(LabourMarketRegion.code)).scalars()
    )
    for member in batch.municipalities:
        if member.region_code not in region_codes:
            problems.append(f"municipality {member.code}: unknown region {member.region_code!r}")
    known = known_municipalities(session, batch)
    for item in batch.opportunities:
        where = f"id {item.external_id!r}"
        if item.municipality_code not in known:
            problems.append(
                f"{where} municipality: unknown code {item.municipality_code!r} "
                "(add it under regions first)"
            )
            continue
        region_code, province = known[item.municipality_code]
        if item.province is not None and item.province != province:
            problems.append(
                f"{where} province: {item.province} does not match {item.municipality_code} "
                f"({province})"
            )
        if item.region_code is not None and item.region_code != region_code:
            problems.append(
                f"{where} labour_market_region: {item.region_code!r} does not match "
                f"{item.municipality_code} ({region_code!r})"
            )
    return problems


def upsert_opportunity(session: Session, item: OpportunityInput, *, now: datetime) -> bool:
    """Creates or updates one listing by (source, external id); True when it was new.

    A listing pushed again keeps its first publication moment unless the source gives one,
    so a repeated feed never restarts the regional head start.
    """
    row = session.execute(
        select(Opportunity).where(
            Opportunity.source == item.source, Opportunity.external_id == item.external_id
        )
    ).scalar_one_or_none()
    created = row is None
    if row is None:
        row = Opportunity(
            source=item.source,
            external_id=item.external_id,
            published_at=item.published_at or now,
            created_at=now,
        )
        session.add(row)
    elif item.published_at is not None:
        row.published_at = item.published_at
    row.kind = item.kind
    row.title = item.title
    row.description = item.description
    row.municipality_code = item.municipality_code
    row.contact = item.contact
    row.mode = item.mode
    row.location = item.location
    row.work_area = item.work_area
    row.scale_min, row.scale_max = item.scale_min, item.scale_max
    row.hours_per_week = item.hours_per_week
    row.starts_on, row.ends_on, row.respond_by = item.starts_on, item.ends_on, item.respond_by
    if item.closed is True and row.closed_at is None:
        row.closed_at = max(now, row.published_at)
    elif item.closed is False:
        row.closed_at = None
    row.competences = [OpportunityCompetence(competence=key) for key in item.competences]
    row.updated_at = now
    return created


def apply_batch(
    session: Session, batch: OpportunityBatch, *, now: datetime, actor: str
) -> OpportunityReport:
    """Upserts regions, municipalities and listings in the caller's transaction.

    Everything is checked first; on a problem ImportProblem is raised before anything is
    written, so the caller's rollback leaves the catalogue as it was.
    """
    problems = check_against_database(session, batch)
    if problems:
        raise ImportProblem(problems)
    for region in batch.regions:
        row = session.get(LabourMarketRegion, region.code)
        if row is None:
            row = LabourMarketRegion(code=region.code)
            session.add(row)
        row.name, row.province = region.name, region.province
    session.flush()
    for member in batch.municipalities:
        municipality = session.get(RegionMunicipality, member.code)
        if municipality is None:
            municipality = RegionMunicipality(code=member.code)
            session.add(municipality)
        municipality.name = member.name
        municipality.region_code = member.region_code
        municipality.cooperating = member.cooperating
    session.flush()
    created = updated = 0
    for item in batch.opportunities:
        if upsert_opportunity(session, item, now=now):
            created += 1
        else:
            updated += 1
    session.flush()
    report = OpportunityReport(
        regions=len(batch.regions),
        municipalities=len(batch.municipalities),
        created=created,
        updated=updated,
    )
    audit.record(
        session,
        actor=actor,
        action="opportunities.imported",
        entity_type="opportunity_import",
        details=report.as_dict(),
        at=now,
    )
    return report


def load_demo_opportunities(
    session: Session, *, now: datetime, actor: str = "demo"
) -> OpportunityReport:
    """The fictional demo catalogue (dates relative to ``now``), upserted: safe to run again."""
    batch = read_file(DEMO_OPPORTUNITIES, now=now)
    return apply_batch(session, batch, now=now, actor=actor)
