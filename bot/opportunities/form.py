"""The coordinator's listing form on the dashboard: checking it, in Dutch, field by field.

Pure: the web route passes the submitted text and today's date, and gets back either the
checked values or one short Dutch sentence per bad field (shown next to that field). The
rules are the catalogue's own (:mod:`bot.opportunities.catalog`, the importer's contact check),
so a listing made on the dashboard obeys the same constraints as an imported one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.opportunities.catalog import (
    COMPETENCES,
    CONTACT_MAX,
    DESCRIPTION_MAX,
    HOURS_MAX,
    HOURS_MIN,
    MODE_ON_LOCATION,
    MODES,
    SCALE_MAX,
    SCALE_MIN,
    TITLE_MAX,
    TYPES,
    WORK_AREAS,
)
from bot.opportunities.importer import check_contact, looks_personal

LOCATION_MAX = 120

#: The form's field names, in the order the form shows them (and the error summary lists them).
FIELDS: tuple[str, ...] = (
    "soort",
    "titel",
    "beschrijving",
    "contact",
    "vorm",
    "plaats",
    "werkveld",
    "schaal_van",
    "schaal_tot",
    "uren",
    "competenties",
    "start",
    "einde",
    "reageren_tot",
)
TEXT_FIELDS = tuple(name for name in FIELDS if name != "competenties")

#: Each field's label: the form and the error summary use the same words.
LABELS: Mapping[str, str] = {
    "soort": "Soort kans",
    "titel": "Titel",
    "beschrijving": "Korte beschrijving",
    "contact": "Contactroute (P&O-mailbox of webpagina)",
    "vorm": "Vorm",
    "plaats": "Plaats of locatie",
    "werkveld": "Werkveld",
    "schaal_van": "Schaal van",
    "schaal_tot": "Schaal tot en met",
    "uren": "Uren per week",
    "competenties": "Competenties",
    "start": "Startdatum",
    "einde": "Einddatum",
    "reageren_tot": "Reageren kan tot en met",
}

_NUMBER = re.compile(r"^\d{1,3}$")
_DUTCH_DAY = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")


@dataclass(frozen=True)
class ListingFields:
    """A checked listing from the form; the municipality is the coordinator's own."""

    kind: str
    title: str
    description: str
    contact: str
    mode: str = MODE_ON_LOCATION
    location: str | None = None
    work_area: str | None = None
    scale_min: int | None = None
    scale_max: int | None = None
    hours_per_week: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    respond_by: date | None = None
    competences: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormCheck:
    """What the coordinator typed (to show again), the errors per field, or the values."""

    raw: Mapping[str, str]
    chosen_competences: tuple[str, ...]
    errors: Mapping[str, str]
    fields: ListingFields | None

    @property
    def ok(self) -> bool:
        return self.fields is not None


def _text(raw: Mapping[str, str], name: str) -> str:
    return raw.get(name, "").strip()


def _required_text(
    raw: Mapping[str, str], name: str, max_length: int, errors: dict[str, str], missing: str
) -> str:
    text = _text(raw, name)
    if not text:
        errors[name] = missing
    elif len(text) > max_length:
        errors[name] = f"Gebruik hoogstens {max_length} tekens. Nu zijn het er {len(text)}."
    return text


def check_contact_dutch(text: str) -> tuple[str | None, str | None]:
    """(the stored route, None) or (None, a Dutch reason): a function, never a person."""
    if not text:
        return None, "Vul een contactroute in: een P&O-mailbox of een webpagina."
    if len(text) > CONTACT_MAX:
        return None, f"Gebruik hoogstens {CONTACT_MAX} tekens."
    lowered = text.lower().removeprefix("mailto:")
    if lowered.startswith("http://"):
        return None, "Gebruik een beveiligde webpagina: die begint met https://."
    local, at, _domain = lowered.partition("@")
    if at and looks_personal(local):
        return None, (
            "Dit lijkt het adres van een persoon. Gebruik een functiemailbox, "
            "zoals p&o@gemeente.nl, of een webpagina."
        )
    try:
        return check_contact(text), None
    except ValueError:
        return None, (
            "Dit is geen mailbox en geen webpagina. Vul bijvoorbeeld p&o@gemeente.nl "
            "of https://www.gemeente.nl/werken in."
        )


def _whole(
    raw: Mapping[str, str], name: str, low: int, high: int, errors: dict[str, str], what: str
) -> int | None:
    text = _text(raw, name)
    if not text:
        return None
    if not _NUMBER.match(text) or not low <= int(text) <= high:
        errors[name] = f"Kies {what} van {low} tot en met {high}."
        return None
    return int(text)


def parse_day(text: str) -> date | None:
    """2026-03-04 (what a date field sends) or 4-3-2026 (how people type it); else None."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    found = _DUTCH_DAY.match(text)
    if found is None:
        return None
    day, month, year = (int(part) for part in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day(raw: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    text = _text(raw, name)
    if not text:
        return None
    day = parse_day(text)
    if day is None:
        errors[name] = "Vul een geldige datum in, bijvoorbeeld 2026-03-04."
    return day


def check_form(form: Mapping[str, Any], competences: Iterable[str], *, today: date) -> FormCheck:
    """Checks the submitted form; ``competences`` are the ticked boxes, ``today`` local."""
    raw = {name: str(form.get(name) or "") for name in TEXT_FIELDS}
    chosen = tuple(dict.fromkeys(str(item).strip().lower() for item in competences))
    errors: dict[str, str] = {}

    kind = _text(raw, "soort")
    if kind not in TYPES:
        errors["soort"] = "Kies een soort kans uit de lijst."
    title = _required_text(raw, "titel", TITLE_MAX, errors, "Vul een titel in.")
    description = _required_text(
        raw, "beschrijving", DESCRIPTION_MAX, errors, "Vul een korte beschrijving in."
    )
    contact, problem = check_contact_dutch(_text(raw, "contact"))
    if problem:
        errors["contact"] = problem
    mode = _text(raw, "vorm") or MODE_ON_LOCATION
    if mode not in MODES:
        errors["vorm"] = "Kies een vorm uit de lijst."
    location = _text(raw, "plaats") or None
    if location and len(location) > LOCATION_MAX:
        errors["plaats"] = f"Gebruik hoogstens {LOCATION_MAX} tekens."
    work_area = _text(raw, "werkveld") or None
    if work_area is not None and work_area not in WORK_AREAS:
        errors["werkveld"] = "Kies een werkveld uit de lijst, of laat het leeg."

    scale_min = _whole(raw, "schaal_van", SCALE_MIN, SCALE_MAX, errors, "een schaal")
    scale_max = _whole(raw, "schaal_tot", SCALE_MIN, SCALE_MAX, errors, "een schaal")
    if "schaal_van" not in errors and "schaal_tot" not in errors:
        if scale_min is None:
            scale_min = scale_max
        if scale_max is None:
            scale_max = scale_min
        if scale_min is not None and scale_max is not None and scale_min > scale_max:
            errors["schaal_tot"] = "De schaal 'tot en met' is lager dan de schaal 'van'."
    hours = _whole(raw, "uren", HOURS_MIN, HOURS_MAX, errors, "een aantal uren")

    unknown = [item for item in chosen if item not in COMPETENCES]
    if unknown:
        errors["competenties"] = "Kies alleen competenties uit de lijst."

    starts_on = _day(raw, "start", errors)
    ends_on = _day(raw, "einde", errors)
    respond_by = _day(raw, "reageren_tot", errors)
    if starts_on and ends_on and ends_on < starts_on and "einde" not in errors:
        errors["einde"] = "De einddatum ligt voor de startdatum. Kies een latere einddatum."
    elif ends_on and ends_on < today and "einde" not in errors:
        errors["einde"] = "Deze einddatum is al voorbij. Kies een datum vanaf vandaag."
    if respond_by and "reageren_tot" not in errors:
        if respond_by < today:
            errors["reageren_tot"] = "Deze datum is al voorbij. Kies een datum vanaf vandaag."
        elif ends_on and respond_by > ends_on:
            errors["reageren_tot"] = "Reageren moet kunnen tot uiterlijk de einddatum."

    if errors:
        return FormCheck(raw, chosen, errors, None)
    assert contact is not None
    return FormCheck(
        raw,
        chosen,
        {},
        ListingFields(
            kind=kind,
            title=title,
            description=description,
            contact=contact,
            mode=mode,
            location=location,
            work_area=work_area,
            scale_min=scale_min,
            scale_max=scale_max,
            hours_per_week=hours,
            starts_on=starts_on,
            ends_on=ends_on,
            respond_by=respond_by,
            competences=tuple(item for item in COMPETENCES if item in chosen),
        ),
    )


def form_of(fields: ListingFields) -> tuple[dict[str, str], tuple[str, ...]]:
    """A stored listing as the form shows it (for editing): the texts and the ticked boxes."""

    def shown(value: object) -> str:
        if value is None:
            return ""
        return value.isoformat() if isinstance(value, date) else str(value)

    raw = {
        "soort": fields.kind,
        "titel": fields.title,
        "beschrijving": fields.description,
        "contact": fields.contact,
        "vorm": fields.mode,
        "plaats": shown(fields.location),
        "werkveld": shown(fields.work_area),
        "schaal_van": shown(fields.scale_min),
        "schaal_tot": shown(fields.scale_max),
        "uren": shown(fields.hours_per_week),
        "start": shown(fields.starts_on),
        "einde": shown(fields.ends_on),
        "reageren_tot": shown(fields.respond_by),
    }
    return raw, fields.competences
