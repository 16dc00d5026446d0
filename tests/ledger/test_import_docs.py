"""docs/ledger-import.md stays true: its YAML and CSV examples import as described, and the
validation messages it quotes are the ones the importer gives."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.ledger.importer import ImportProblem, parse_csv, parse_document

DOC = Path(__file__).resolve().parents[2] / "docs" / "ledger-import.md"
TODAY = date(2026, 3, 2)


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)


def test_the_yaml_example_imports() -> None:
    [example] = _blocks("yaml")
    [event] = parse_document(yaml.safe_load(example), TODAY).events
    assert (event.name, event.region, event.day) == (
        "Tap de toekomst Limburg",
        "Limburg",
        date(2026, 4, 14),
    )
    talenten, financien = event.sessions
    assert (talenten.theme, talenten.places, f"{talenten.ends_at:%H:%M}") == (
        "talenten",
        16,
        "20:15",
    )
    assert f"{financien.ends_at:%H:%M}" == "21:45"  # 20:30 plus 75 minutes
    assert financien.location == "Brasserie De Proef, Heuvelrand, Zaal 2"


def test_the_csv_example_imports() -> None:
    [example] = _blocks("csv")
    [event] = parse_csv(example, TODAY).events
    assert (event.region, event.town, len(event.sessions)) == ("Zeeland", "Zeedijk", 2)


@pytest.mark.parametrize(
    ("event", "quoted"),
    [
        ({"region": "Wallonië"}, "unknown province 'Wallonië'"),
        ({"date": "14-04-2026"}, "date must be a date like 2025-03-04, not '14-04-2026'"),
        ({"date": "2026-04-06"}, "date 2026-04-06 is a public holiday (Easter Monday)"),
        ({"date": None}, "in_days must be a whole number, not None"),
        ({"sessions": []}, "an event needs a list of sessions"),
        ({"venue": ""}, "venue is missing"),
    ],
)
def test_the_quoted_event_messages(event: dict, quoted: str) -> None:
    good = {
        "name": "Tap de toekomst Limburg",
        "region": "Limburg",
        "venue": "Brasserie De Proef",
        "town": "Heuvelrand",
        "date": "2026-04-14",
        "sessions": [{"theme": "talenten", "provider": "P", "time": "19:00", "places": 5}],
    }
    with pytest.raises(ImportProblem) as problem:
        parse_document({"events": [{**good, **event}]}, TODAY)
    assert any(quoted in line for line in problem.value.problems), problem.value.problems
    assert quoted in DOC.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("session", "quoted"),
    [
        ({"theme": "yoga"}, "theme must be one of talenten, gesprek, presenteren, financien, "),
        ({"time": "7pm"}, "time must be a time like 09:30, not '7pm'"),
        ({"end": "18:00"}, "the session ends before it starts"),
        ({"starts_at": "2026-04-15T19:00"}, "the session is not on its event's date 2026-04-14"),
        ({"places": 0}, "places (the capacity) must be more than 0"),
        ({"places": "abc"}, "places must be a whole number, not 'abc'"),
    ],
)
def test_the_quoted_session_messages(session: dict, quoted: str) -> None:
    event = {
        "name": "Tap de toekomst Limburg",
        "region": "Limburg",
        "venue": "Brasserie De Proef",
        "town": "Heuvelrand",
        "date": "2026-04-14",
        "sessions": [
            {"theme": "talenten", "provider": "P", "time": "19:00", "places": 5, **session}
        ],
    }
    with pytest.raises(ImportProblem) as problem:
        parse_document({"events": [event]}, TODAY)
    [line] = problem.value.problems
    assert line.startswith("events #1 session 1: ") and quoted in line
    assert quoted in DOC.read_text(encoding="utf-8")
