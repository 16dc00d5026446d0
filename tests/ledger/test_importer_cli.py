"""Importing YAML and CSV, the demo data, and the ledger commands."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.ledger.cli import init_database, main
from bot.ledger.importer import DEMO_DATA, ImportProblem, csv_kind, parse_csv, parse_document
from bot.ledger.models import Coach, Municipality, Provider, Slot, Workshop
from tests.ledger.support import basic_data, load

pytest_plugins = ["tests.ledger.support"]


def count(sessions: sessionmaker, model: type) -> int:
    with sessions() as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def run_cli(database_url: str, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--database-url", database_url, *args], out=out)
    return code, out.getvalue()


def test_yaml_import_is_an_upsert(sessions: sessionmaker) -> None:
    load(sessions, basic_data())
    load(sessions, basic_data())
    assert count(sessions, Municipality) == 2 and count(sessions, Coach) == 3
    assert count(sessions, Slot) == 8 and count(sessions, Workshop) == 2
    assert count(sessions, Provider) == 2


def test_all_problems_are_reported_and_nothing_is_written(sessions: sessionmaker) -> None:
    data = basic_data()
    data["coaches"][0]["regions"] = ["Atlantis"]
    data["coaches"][1]["online"] = False
    data["workshops"][0]["theme"] = "yoga"
    data["extra"] = []
    with pytest.raises(ImportProblem) as problem:
        parse_document(data, utcnow().date())
    text = " ".join(problem.value.problems)
    for expected in ("Atlantis", "coaches #2", "yoga", "unknown section 'extra'"):
        assert expected in text
    assert count(sessions, Coach) == 0


def test_csv_kinds_and_line_numbers() -> None:
    assert csv_kind(["code", "name", "voucher_budget_eur"]) == "municipalities"
    assert csv_kind(["coach_email", "starts_at", "mode"]) == "slots"
    assert csv_kind(["whatever"]) is None
    batch = parse_csv(
        "name;email;regions;online;on_location\n"
        "Proef Coach;proef@coach.example;Utrecht|friesland;ja;nee\n",
        utcnow().date(),
    )
    assert batch.coaches[0].regions == ("Utrecht", "Fryslân")
    with pytest.raises(ImportProblem) as problem:
        parse_csv("coach_email,starts_at\nproef@coach.example,morgen\n", utcnow().date())
    assert problem.value.problems[0].startswith("line 2")


def test_demo_data_is_fictional_and_loads_on_a_fresh_database_only(
    database_url: str, sessions: sessionmaker
) -> None:
    demo = yaml.safe_load(DEMO_DATA.read_text(encoding="utf-8"))
    assert "Gemeente Voorbeeldstad" in {m["name"] for m in demo["municipalities"]}
    assert all(c["email"].endswith("@coach.example") for c in demo["coaches"])
    assert len(demo["coaches"]) == 27
    report = init_database(database_url, demo=True)
    assert report is not None and report["coaches"] == 27 and report["slots"] > 500
    assert report["opportunities"] == 40  # bot/opportunities/demo_opportunities.yml
    assert init_database(database_url, demo=True) is None  # not fresh any more
    with sessions() as session:
        regions_with_both = {
            region.region
            for coach in session.execute(select(Coach)).scalars()
            for region in coach.regions
        }
    assert len(regions_with_both) == 12


def test_cli_commands(database_url: str, tmp_path: Path, sessions: sessionmaker) -> None:
    csv_file = tmp_path / "gemeenten.csv"
    csv_file.write_text(
        "code,name,voucher_budget_eur\nGM9911,Gemeente Nergenshuizen,750\n", encoding="utf-8"
    )
    code, out = run_cli(database_url, "import", str(csv_file))
    assert code == 0 and "1 municipalities" in out
    bad = tmp_path / "fout.yml"
    bad.write_text("coaches:\n  - name: X\n", encoding="utf-8")
    code, out = run_cli(database_url, "import", str(bad))
    assert code == 1 and "Nothing imported" in out
    code, out = run_cli(database_url, "demo")
    assert code == 1 and "--force" in out
    code, out = run_cli(database_url, "outbox")
    assert code == 0 and "empty" in out
    code, out = run_cli(database_url, "provider-key", "Leerhuis Nieuw")
    assert code == 0 and out.strip().splitlines()[-1].startswith("kp_")
    code, out = run_cli(database_url, "purge-emails")
    assert code == 0 and "Deleted 0" in out
    code, out = run_cli(database_url, "expire-vouchers")
    assert code == 0 and "Marked 0" in out
    assert count(sessions, Municipality) == 1
