"""The catalogue on SQLite and PostgreSQL: demo data, upsert, constraints, visibility in time."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger.importer import ImportProblem
from bot.ledger.models import AuditEntry
from bot.opportunities import cli
from bot.opportunities.feed import parse_feed
from bot.opportunities.importer import (
    OpportunityBatch,
    apply_batch,
    load_demo_opportunities,
    parse_document,
)
from bot.opportunities.matching import EmployeeProfile
from bot.opportunities.models import LabourMarketRegion, Opportunity, RegionMunicipality
from bot.opportunities.service import (
    close_opportunity,
    employee_place,
    employee_profile,
    opportunity_view,
    suggestions,
    visible_opportunities,
)
from tests.ledger.support import BACKENDS
from tests.opportunities.factories import assert_plain_dutch

pytest_plugins = ["tests.ledger.support"]
pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

REGIONS = {
    "regions": [
        {
            "code": "rijk-test",
            "name": "Rijk (test)",
            "province": "Gelderland",
            "municipalities": [
                {"code": "GM9901", "name": "Gemeente Voorbeeldstad"},
                {"code": "GM9921", "name": "Gemeente Waalweide"},
                {"code": "GM9925", "name": "Gemeente Buitenbeentje", "cooperating": False},
            ],
        },
        {
            "code": "achterhoek-test",
            "name": "Achterhoek (test)",
            "province": "Gelderland",
            "municipalities": [{"code": "GM9922", "name": "Gemeente Slingeveld"}],
        },
        {
            "code": "utrecht-test",
            "name": "Utrecht (test)",
            "province": "Utrecht",
            "municipalities": [{"code": "GM9924", "name": "Gemeente Domstee"}],
        },
    ]
}


def vacancy_feed(**overrides: object) -> str:
    entry = {
        "id": "wig-1",
        "type": "vacature",
        "title": "Medewerker Burgerzaken (test)",
        "description": "Je helpt inwoners aan de balie.",
        "municipality": "GM9921",
        "contact": "p&o@waalweide.example",
        "scale": "6-8",
        "hours_per_week": 32,
    }
    entry.update(overrides)
    return json.dumps({"version": 1, "listings": [entry]})


def load_regions(sessions: sessionmaker, now=None) -> None:
    now = now or utcnow()
    batch = parse_document(REGIONS, today=now.date(), now=now)
    with sessions() as session:
        run_in_transaction(session, apply_batch, batch=batch, now=now, actor="test")


def push(sessions: sessionmaker, text: str, now) -> object:
    batch = OpportunityBatch(opportunities=parse_feed(text))
    with sessions() as session:
        return run_in_transaction(session, apply_batch, batch=batch, now=now, actor="feed:test")


def count(sessions: sessionmaker, model: type) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_demo_catalogue_loads_twice_without_duplicates(sessions: sessionmaker) -> None:
    now = utcnow()
    with sessions() as session:
        first = run_in_transaction(session, load_demo_opportunities, now=now)
    with sessions() as session:
        again = run_in_transaction(session, load_demo_opportunities, now=now)
    assert first.created == 40 and again.created == 0 and again.updated == 40
    assert count(sessions, Opportunity) == 40
    with sessions() as session:
        provinces = set(session.execute(select(LabourMarketRegion.province)).scalars())
        assert len(provinces) == 12
        seen = visible_opportunities(session, "GM9901", now)
        assert seen and all(item.province == "Gelderland" or item.mode == "online" for item in seen)
        young_elsewhere = [
            item
            for item in visible_opportunities(session, "GM9922", now)
            if item.kind == "vacature" and item.region_code != "achterhoek-demo"
        ]
        assert all(item.published_at <= now - timedelta(days=14) for item in young_elsewhere)
        views = [opportunity_view(item).text for item in seen]
    for text in views:
        assert "(demo)" in text and "Meer weten?" in text


def test_the_fourteen_day_boundary_through_the_database(sessions: sessionmaker) -> None:
    published = utcnow().replace(microsecond=0)
    load_regions(sessions, published)
    push(sessions, vacancy_feed(published_at=published.isoformat()), published)

    def ids(code: str, at, days=None) -> list[str]:
        with sessions() as session:
            found = visible_opportunities(session, code, at, regional_first_days=days)
            return [item.title for item in found]

    just_before = published + timedelta(days=14) - timedelta(seconds=1)
    boundary = published + timedelta(days=14)
    assert ids("GM9901", published) == ["Medewerker Burgerzaken (test)"]  # cooperating, region
    assert ids("GM9922", just_before) == []  # other region, same province
    assert ids("GM9925", just_before) == []  # same region but not cooperating
    assert ids("GM9922", boundary) == ["Medewerker Burgerzaken (test)"]
    assert ids("GM9925", boundary) == ["Medewerker Burgerzaken (test)"]
    assert ids("GM9924", boundary + timedelta(days=30)) == []  # never another province
    assert ids("GM0000", boundary) == []  # unknown municipality
    assert ids("GM9922", published + timedelta(days=3), days=3) == ["Medewerker Burgerzaken (test)"]


def test_the_head_start_comes_from_the_environment(
    sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = utcnow()
    load_regions(sessions, now)
    push(sessions, vacancy_feed(), now)
    with sessions() as session:
        assert visible_opportunities(session, "GM9922", now + timedelta(days=3)) == []
    monkeypatch.setenv("KOERS_OPPORTUNITY_REGIONAL_DAYS", "2")
    with sessions() as session:
        assert len(visible_opportunities(session, "GM9922", now + timedelta(days=3))) == 1
    monkeypatch.setenv("KOERS_OPPORTUNITY_REGIONAL_DAYS", "-4")
    with sessions() as session:
        assert len(visible_opportunities(session, "GM9922", now)) == 1


def test_upsert_by_source_and_id_keeps_the_first_publication(sessions: sessionmaker) -> None:
    first = utcnow()
    load_regions(sessions, first)
    push(sessions, vacancy_feed(), first)
    later = first + timedelta(days=5)
    report = push(sessions, vacancy_feed(title="Medewerker Burgerzaken en Publiekszaken"), later)
    assert (report.created, report.updated) == (0, 1)
    with sessions() as session:
        row = session.execute(select(Opportunity)).scalar_one()
        assert row.title == "Medewerker Burgerzaken en Publiekszaken"
        assert abs(row.published_at - first) < timedelta(seconds=1)  # the head start is not reset
        assert row.updated_at > row.published_at
    # the same id from another source is another listing
    other = parse_document(
        {"opportunities": [json.loads(vacancy_feed())["listings"][0]]},
        today=first.date(),
        now=first,
    )
    with sessions() as session:
        run_in_transaction(session, apply_batch, batch=other, now=first, actor="test")
    assert count(sessions, Opportunity) == 2
    closed = push(sessions, vacancy_feed(closed=True), later)
    assert closed.updated == 1
    with sessions() as session:
        assert visible_opportunities(session, "GM9901", later + timedelta(seconds=1)) != []
        titles = {i.title for i in visible_opportunities(session, "GM9901", later)}
        assert "Medewerker Burgerzaken en Publiekszaken" not in titles


def test_bad_batches_change_nothing(sessions: sessionmaker) -> None:
    now = utcnow()
    load_regions(sessions, now)
    before = count(sessions, AuditEntry)
    for text, expected in [
        (vacancy_feed(municipality="GM4040"), "unknown code 'GM4040'"),
        (vacancy_feed(province="Utrecht"), "province: Utrecht does not match GM9921 (Gelderland)"),
        (vacancy_feed(labour_market_region="utrecht-test"), "labour_market_region"),
    ]:
        with pytest.raises(ImportProblem) as caught:
            push(sessions, text, now)
        assert any(expected in problem for problem in caught.value.problems), caught.value.problems
    assert count(sessions, Opportunity) == 0
    assert count(sessions, AuditEntry) == before


def test_the_database_refuses_what_the_parser_refuses(sessions: sessionmaker) -> None:
    now = utcnow()
    load_regions(sessions, now)
    push(sessions, vacancy_feed(), now)
    for values in (
        {"contact": ""},
        {"contact": "Jan de Vries"},
        {"contact": "http://werkenbij.example"},
        {"scale_min": 0},
        {"scale_max": 19},
        {"scale_min": 9, "scale_max": 6},
        {"scale_min": None},
        {"hours_per_week": 0},
        {"kind": "stage"},
        {"source": "mail"},
        {"starts_on": now.date(), "ends_on": now.date() - timedelta(days=1)},
        {"closed_at": now - timedelta(days=1)},
        {"municipality_code": "GM4040"},
    ):
        with sessions() as session:
            with pytest.raises(IntegrityError):
                session.execute(update(Opportunity).values(**values))
                session.flush()
            session.rollback()
    with sessions() as session, pytest.raises(IntegrityError):
        session.add(RegionMunicipality(code="GM9950", name="Gemeente Nergens", region_code="geen"))
        session.flush()


def test_suggestions_and_closing_through_the_service(sessions: sessionmaker) -> None:
    now = utcnow()
    load_regions(sessions, now)
    push(sessions, vacancy_feed(), now)
    push(
        sessions,
        vacancy_feed(id="stage-1", type="meeloopstage", title="Meelopen (test)", scale=None),
        now,
    )
    with sessions() as session:
        assert employee_place(session, "gm9925").region_code is None
        assert employee_place(session, "GM9901").region_code == "rijk-test"
        profile = employee_profile(session, "GM9901", direction="verbreden", max_hours=36)
        assert isinstance(profile, EmployeeProfile) and profile.province == "Gelderland"
        found = suggestions(session, profile, now)
        assert found[0].opportunity.title == "Meelopen (test)"
        view = opportunity_view(found[0].opportunity, found[0].reason)
        assert view.type_label == "Meeloopstage" and view.why == found[0].reason
        assert view.contact_line == "Meer weten? Mail naar p&o@waalweide.example"
        assert_plain_dutch(view.text)
        vacancy_id = next(m.opportunity.id for m in found if m.opportunity.kind == "vacature")
        assert run_in_transaction(
            session, close_opportunity, opportunity_id=vacancy_id, now=now, actor="test"
        )
        assert not close_opportunity(session, vacancy_id, now=now, actor="test")
        assert not close_opportunity(session, 999_999, now=now, actor="test")
    with sessions() as session:
        assert [i.kind for i in visible_opportunities(session, "GM9901", now)] == ["meeloopstage"]


def test_the_cli_imports_and_reports_problems(database_url: str, tmp_path: Path) -> None:
    regions = tmp_path / "regions.yml"
    regions.write_text(json.dumps(REGIONS), encoding="utf-8")  # JSON is YAML
    out = io.StringIO()
    assert cli.main(["--database-url", database_url, "import", str(regions)], out) == 0
    feed = tmp_path / "feed.json"
    feed.write_text(vacancy_feed(contact="anna.jansen@waalweide.example"), encoding="utf-8")
    out = io.StringIO()
    assert cli.main(["--database-url", database_url, "import", str(feed)], out) == 1
    assert "Nothing imported" in out.getvalue() and "person's address" in out.getvalue()
    feed.write_text(vacancy_feed(), encoding="utf-8")
    out = io.StringIO()
    assert cli.main(["--database-url", database_url, "import", str(feed)], out) == 0
    assert "1 created" in out.getvalue()
    out = io.StringIO()
    assert cli.main(["--database-url", database_url, "list", "--municipality", "GM9901"], out) == 0
    assert "Medewerker Burgerzaken (test)" in out.getvalue()
