"""Checking the JSON feed and import files: every bad field is named, nothing half-read."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from bot.ledger.importer import ImportProblem
from bot.opportunities.feed import FeedError, parse_feed
from bot.opportunities.importer import (
    DEMO_OPPORTUNITIES,
    check_contact,
    looks_personal,
    parse_csv,
    parse_document,
    read_file,
)

NOW = datetime(2025, 3, 12, 10, 0, tzinfo=timezone.utc)
TODAY = date(2025, 3, 12)


def listing(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "wig-1",
        "type": "vacature",
        "title": "Medewerker Burgerzaken",
        "description": "Je helpt inwoners aan de balie.",
        "municipality": "GM9921",
        "province": "Gelderland",
        "contact": "p&o@waalweide.example",
        "scale": {"min": 6, "max": 8},
        "hours_per_week": 32,
        "competences": ["contact", "nauwkeurig"],
        "starts_on": "2025-05-01",
        "ends_on": "2025-12-31",
        "respond_by": "2025-04-01",
        "published_at": "2025-03-10T09:00:00+01:00",
    }
    entry.update(overrides)
    return {key: value for key, value in entry.items() if value is not None}


def feed(*entries: dict[str, Any], **top: Any) -> str:
    return json.dumps({"version": 1, "listings": list(entries), **top})


def problems_of(text: str) -> list[str]:
    with pytest.raises(FeedError) as caught:
        parse_feed(text)
    return caught.value.problems


def test_a_good_feed_is_read_completely() -> None:
    [item] = parse_feed(feed(listing(type="job_shadowing", mode="hybride", closed=False)))
    assert item.source == "feed" and item.external_id == "wig-1"
    assert item.kind == "meeloopstage" and item.mode == "hybrid"
    assert (item.scale_min, item.scale_max, item.hours_per_week) == (6, 8, 32)
    assert item.competences == ("contact", "nauwkeurig")
    assert (item.starts_on, item.ends_on, item.respond_by) == (
        date(2025, 5, 1),
        date(2025, 12, 31),
        date(2025, 4, 1),
    )
    assert item.published_at == datetime(2025, 3, 10, 8, 0, tzinfo=timezone.utc)
    assert item.closed is False
    assert parse_feed(feed())[:1] == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"version": 1, "listings": [', "not valid JSON at line 1"),
        (b"\xff\xfe", "not valid JSON"),
        ("[]", "must be a JSON object"),
        ('{"listings": {}}', "listings: must be a list"),
        ('{"version": 2, "listings": []}', "version: must be 1"),
        ('{"listings": [], "extra": 1}', "extra: unknown field"),
    ],
)
def test_malformed_feeds_get_a_clear_error(text: str | bytes, expected: str) -> None:
    with pytest.raises(FeedError) as caught:
        parse_feed(text)
    assert any(expected in problem for problem in caught.value.problems), caught.value.problems


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"contact": None}, "contact: is missing"),
        ({"contact": "  "}, "contact: is missing"),
        ({"contact": "g.vanvliet@aalten.example"}, "looks like a person's address"),
        ({"contact": "karin.vos@oss.example"}, "looks like a person's address"),
        ({"contact": "http://werkenbij.example"}, "must be an https page"),
        ({"contact": "bel de receptie"}, "neither a mailbox"),
        ({"type": "stageplek"}, "type: unknown type 'stageplek'"),
        ({"province": "Atlantis"}, "province: unknown province"),
        ({"scale": {"min": 0, "max": 8}}, "scale: must be from 1 to 18, not 0"),
        ({"scale": "6-19"}, "scale: must be from 1 to 18, not 19"),
        ({"scale": {"min": 9, "max": 6}}, "scale: minimum 9 is above maximum 6"),
        ({"hours_per_week": 60}, "hours_per_week: must be from 1 to 40"),
        ({"ends_on": "2025-04-30"}, "ends_on: 2025-04-30 is before starts_on 2025-05-01"),
        ({"respond_by": "2026-01-05"}, "respond_by: 2026-01-05 is after ends_on"),
        ({"starts_on": "1 mei"}, "starts_on: must be a date like"),
        ({"published_at": "gisteren"}, "published_at: must be a date and time"),
        ({"competences": ["toveren"]}, "competences: unknown ['toveren']"),
        ({"mode": "per post"}, "mode: unknown mode"),
        ({"municipality": "Waalweide!"}, "municipality: 'Waalweide!' is not a municipality code"),
        ({"published_days_ago": 3}, "published_days_ago: unknown field"),
        ({"salary": "veel"}, "salary: unknown field"),
        ({"title": "x" * 161}, "title: is longer than 160 characters"),
    ],
)
def test_each_bad_field_is_named(overrides: dict[str, Any], expected: str) -> None:
    entry = listing(**overrides)
    if overrides.get("contact", "") is None:
        entry.pop("contact", None)
    found = problems_of(feed(listing(id="ok"), entry))
    assert len(found) == 1, found
    assert found[0].startswith("listings[1] (id wig-1): ")
    assert expected in found[0], found


def test_all_problems_are_listed_at_once() -> None:
    entry = listing(type="onbekend", contact=None, scale="20", ends_on="2025-01-01")
    entry.pop("contact", None)
    found = problems_of(feed(entry, listing(id="wig-1", title="")))
    assert len(found) == 2
    first = found[0]
    for part in ("type:", "contact: is missing", "scale:", "ends_on:"):
        assert part in first
    assert "title: is missing" in found[1]
    assert "id appears more than once" not in " ".join(found)  # the bad one was not kept
    duplicate = problems_of(feed(listing(), listing()))
    assert duplicate == ["listings[1] (id wig-1): id appears more than once"]


def test_contact_routes_are_functions() -> None:
    assert check_contact("P&O@Waalweide.example") == "p&o@waalweide.example"
    assert check_contact("mailto:vacatures@gemeente.example") == "vacatures@gemeente.example"
    assert check_contact("HTTPS://Werkenbij.Gemeente.example/Vacatures") == (
        "https://werkenbij.gemeente.example/Vacatures"
    )
    assert not looks_personal("p&o")
    assert not looks_personal("werkenbij")
    assert looks_personal("j.de.vries") and looks_personal("pieter")


def test_yaml_documents_allow_relative_dates_and_regions() -> None:
    data = {
        "regions": [
            {
                "code": "rijk-test",
                "name": "Rijk (test)",
                "province": "gelderland",
                "municipalities": [{"code": "gm9921", "name": "Gemeente Waalweide"}],
            }
        ],
        "opportunities": [
            {
                **listing(published_at=None, starts_on=None, ends_on=None, respond_by=None),
                "published_days_ago": 3,
                "starts_in_days": 10,
                "respond_in_days": 5,
            }
        ],
    }
    batch = parse_document(data, today=TODAY, now=NOW)
    assert batch.regions[0].province == "Gelderland"
    assert batch.municipalities[0].code == "GM9921" and batch.municipalities[0].cooperating
    [item] = batch.opportunities
    assert item.source == "import"
    assert item.published_at == NOW.replace(day=9)
    assert (item.starts_on, item.respond_by) == (date(2025, 3, 22), date(2025, 3, 17))


def test_yaml_problems_name_entry_and_field() -> None:
    data = {
        "regions": [{"code": "x", "name": "", "province": "Atlantis"}],
        "opportunities": [listing(starts_on="2025-05-01", starts_in_days=3)],
        "vacatures": [],
    }
    with pytest.raises(ImportProblem) as caught:
        parse_document(data, today=TODAY, now=NOW)
    text = " | ".join(caught.value.problems)
    assert "unknown section 'vacatures'" in text
    assert "regions #1: code:" in text and "name: is missing" in text
    assert "province: unknown province 'Atlantis'" in text
    assert "opportunities #1 (id wig-1): starts_in_days: give either starts_on" in text


def test_csv_files_for_listings_and_municipalities() -> None:
    rows = (
        "id;type;title;description;municipality;contact;scale;hours_per_week;competences\n"
        "c-1;meeloopstage;Meelopen;Een dag mee.;GM9921;p&o@waalweide.example;;8;contact;digitaal\n"
        "c-2;vacature;Balie;Aan de balie.;GM9921;;6-7;32;\n"
    )
    with pytest.raises(ImportProblem) as caught:
        parse_csv(rows, today=TODAY, now=NOW)
    assert caught.value.problems[0].startswith("line 2: more values than the header")
    assert caught.value.problems[1] == "line 3: contact: is missing"
    good = rows.replace(";;6-7", ";vacatures@waalweide.example;6-7").replace(
        "contact;digitaal", "contact|digitaal"
    )
    batch = parse_csv(good, today=TODAY, now=NOW)
    assert [item.external_id for item in batch.opportunities] == ["c-1", "c-2"]
    members = parse_csv(
        "region_code,region_name,province,code,name,cooperating\n"
        "rijk-test,Rijk (test),Gelderland,GM9921,Gemeente Waalweide,ja\n"
        "rijk-test,Rijk (test),Gelderland,GM9922,Gemeente Slingeveld,nee\n",
        today=TODAY,
        now=NOW,
    )
    assert len(members.regions) == 1
    assert [(m.code, m.cooperating) for m in members.municipalities] == [
        ("GM9921", True),
        ("GM9922", False),
    ]
    with pytest.raises(ImportProblem, match="cannot tell what this CSV holds"):
        parse_csv("naam,plaats\nx,y\n", today=TODAY, now=NOW)


def test_read_file_knows_its_formats(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(feed(listing()), encoding="utf-8")
    assert read_file(path, now=NOW).opportunities[0].source == "feed"
    broken = tmp_path / "broken.yml"
    broken.write_text("opportunities: [", encoding="utf-8")
    with pytest.raises(ImportProblem, match="not valid YAML"):
        read_file(broken, now=NOW)
    with pytest.raises(ImportProblem, match="unknown file type"):
        read_file(tmp_path / "x.xlsx", now=NOW) if (tmp_path / "x.xlsx").write_text(
            ""
        ) == 0 else None


def test_the_demo_file_is_valid_fictional_and_covers_every_province() -> None:
    batch = read_file(DEMO_OPPORTUNITIES, now=NOW)
    assert 35 <= len(batch.opportunities) <= 45
    assert len({region.province for region in batch.regions}) == 12
    assert all(item.title.endswith("(demo)") for item in batch.opportunities)
    assert all(region.name.endswith("(demo)") for region in batch.regions)
    assert all(".example" in item.contact for item in batch.opportunities)
    assert all(m.code.startswith("GM99") for m in batch.municipalities)
    kinds = {item.kind for item in batch.opportunities}
    assert kinds == {"vacature", "meeloopstage", "uitwisseling", "training", "bijeenkomst"}
