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
"""

from __future__ import annotations

import json
from typing import Any

from bot.ledger.importer import ImportProblem
from bot.opportunities.catalog import SOURCE_FEED
from bot.opportunities.importer import COMMON_FIELDS, OpportunityInput, opportunity_input

FEED_VERSION = 1
MAX_LISTINGS = 2000


class FeedError(ImportProblem):
    """The feed is not acceptable; ``problems`` names each entry and field."""


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
