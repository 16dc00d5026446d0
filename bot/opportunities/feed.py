"""The JSON feed a regional vacancy platform pushes its listings with, and its parser.

Format (UTF-8 JSON, one object)::

    {
      "version": 1,
      "listings": [
        {
          "id": "wig-2025-0142",                  # required, unique within the feed, ≤ 80
          "type": "vacature",                     # vacature | meeloopstage | uitwisseling |
                                                  #   training | bijeenkomst (English aliases:
                                                  #   vacancy, job_shadowing, secondment, ...)
          "title": "Medewerker Burgerzaken",      # required, ≤ 160
          "description": "Je helpt inwoners ...", # required, ≤ 1000
          "municipality": "GM9911",               # required: the offering municipality's code,
                                                  #   known in Koers' region table
          "province": "Gelderland",               # optional; must match the municipality
          "labour_market_region": "rijk-van-nijmegen",  # optional; must match too
          "contact": "p&o@voorbeeldwaard.example",# required: a function mailbox or an
                                                  #   https page, never a person's address
          "scale": {"min": 6, "max": 8},          # optional, 1-18, min ≤ max ("6-8" too)
          "hours_per_week": 32,                   # optional, 1-40
          "mode": "on_location",                  # on_location (default) | online | hybrid
          "location": "Stadskantoor",             # optional, ≤ 120
          "work_area": "burgerzaken",             # optional, see catalog.WORK_AREAS
          "competences": ["contact", "nauwkeurig"],  # optional, the scan's strength keys
          "starts_on": "2025-05-01",              # optional dates (YYYY-MM-DD, Dutch days);
          "ends_on": "2025-10-31",                #   ends_on ≥ starts_on
          "respond_by": "2025-04-01",             #   respond_by ≤ ends_on
          "published_at": "2025-03-10T09:00:00+01:00",  # optional; default: first receipt
          "closed": false                         # optional; true closes the listing
        }
      ]
    }

Every listing is stored with source ``feed`` and upserted by its ``id``: pushing the same feed
again updates the listings and keeps their first publication moment (so the regional head
start is not restarted). Unknown fields are errors, so a typo cannot silently drop a value.
:func:`parse_feed` checks everything and raises :class:`FeedError` listing every bad field;
the web endpoint answers with that list and writes nothing.

A feed token may be limited to provinces (``platform@gelderland+overijssel:token`` in
``KOERS_OPPORTUNITY_FEED_TOKENS``): then :func:`check_provinces` refuses the whole push when
any listing's municipality lies in another province (:class:`OutsideProvinces`, 403 on the
web), again naming every such listing and writing nothing. The municipality decides, not
the optional ``province`` field, which must match it anyway.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy.orm import Session

from bot.ledger.catalog import REGIONS
from bot.ledger.importer import ImportProblem
from bot.opportunities.catalog import SOURCE_FEED
from bot.opportunities.importer import (
    COMMON_FIELDS,
    OpportunityBatch,
    OpportunityInput,
    known_municipalities,
    opportunity_input,
)

FEED_VERSION = 1
MAX_LISTINGS = 2000


class FeedError(ImportProblem):
    """The feed is not acceptable; ``problems`` names each entry and field."""


class OutsideProvinces(ImportProblem):
    """Listings of provinces the feed token may not push for; ``problems`` names each one."""


def _folded(text: str) -> str:
    """Lower case without accents: ``Fryslân`` and ``fryslan`` are the same province."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


_PROVINCES = {_folded(name): name for name in REGIONS}


def token_provinces(scope: str) -> frozenset[str] | None:
    """The provinces of a token's ``@`` part: ``gelderland+overijssel`` (the twelve names as
    Koers spells them, any case, accents optional), or ``*`` for every province (None).

    Only exact names: a scope limits what a platform may publish, so a guess (a city, a
    typo) is refused with ValueError rather than widened or narrowed silently.
    """
    if scope.strip() == "*":
        return None
    names = scope.split("+")
    unknown = [name for name in names if _folded(name) not in _PROVINCES]
    if unknown:
        raise ValueError(
            f"unknown province {unknown[0]!r}: use the twelve names joined by +, "
            "e.g. gelderland+overijssel, or * for every province"
        )
    return frozenset(_PROVINCES[_folded(name)] for name in names)


def check_provinces(
    session: Session, items: Sequence[OpportunityInput], provinces: Collection[str]
) -> None:
    """Raises :class:`OutsideProvinces` naming every listing (by its index in the feed and
    its id) whose municipality lies outside ``provinces``; ``items`` in feed order, ids with
    the platform prefix. An unknown municipality is left to :func:`apply_batch`'s checks."""
    known = known_municipalities(session, OpportunityBatch(opportunities=list(items)))
    allowed = ", ".join(sorted(provinces))
    problems = []
    for index, item in enumerate(items):
        if item.municipality_code not in known:
            continue
        province = known[item.municipality_code][1]
        if province not in provinces:
            own_id = item.external_id.partition(":")[2] or item.external_id
            problems.append(
                f"listings[{index}] (id {own_id}): municipality {item.municipality_code} lies "
                f"in {province or 'no province'}, outside this token's provinces ({allowed})"
            )
    if problems:
        raise OutsideProvinces(problems)


def _where(index: int, entry: Any) -> str:
    if isinstance(entry, dict) and isinstance(entry.get("id"), str | int):
        return f"listings[{index}] (id {entry['id']})"
    return f"listings[{index}]"


def parse_feed(json_text: str | bytes) -> list[OpportunityInput]:
    """The checked listings of a feed document; FeedError (with all problems) if any is bad."""
    try:
        document = json.loads(json_text)
    except json.JSONDecodeError as exc:
        problem = f"not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        raise FeedError([problem]) from exc
    except UnicodeDecodeError as exc:
        raise FeedError([f"not valid JSON: the text is not UTF-8 ({exc.reason})"]) from exc
    if not isinstance(document, dict):
        raise FeedError(['the feed must be a JSON object like {"version": 1, "listings": [...]}'])
    problems = [
        f"{key}: unknown field" for key in sorted(document) if key not in {"version", "listings"}
    ]
    version = document.get("version", FEED_VERSION)
    if version != FEED_VERSION or isinstance(version, bool):
        problems.append(f"version: must be {FEED_VERSION}, not {version!r}")
    listings = document.get("listings")
    if not isinstance(listings, list):
        raise FeedError([*problems, "listings: must be a list of listings"])
    if len(listings) > MAX_LISTINGS:
        raise FeedError([*problems, f"listings: at most {MAX_LISTINGS} per feed"])
    parsed: list[OpportunityInput] = []
    seen: set[str] = set()
    for index, entry in enumerate(listings):
        number_id = isinstance(entry, dict) and isinstance(entry.get("id"), int | float)
        if number_id and not isinstance(entry["id"], bool):
            entry = {**entry, "id": str(entry["id"])}
        try:
            item = opportunity_input(entry, source=SOURCE_FEED, allowed=COMMON_FIELDS)
        except ValueError as exc:
            problems.append(f"{_where(index, entry)}: {exc}")
            continue
        if item.external_id in seen:
            problems.append(f"{_where(index, entry)}: id appears more than once")
        seen.add(item.external_id)
        parsed.append(item)
    if problems:
        raise FeedError(problems)
    return parsed
