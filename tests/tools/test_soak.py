"""The soak report (``make soak``, tools/bench/soak.py): windows, RSS table, settings, errors."""

from __future__ import annotations

import math

from bot.rasa_ext.texts import SERVICE_UNAVAILABLE
from tools.bench.soak import (
    MAX_MINUTES,
    Sample,
    SoakLog,
    SoakPlan,
    _download_url,
    _failed,
    build_report,
    render,
    windows,
)


def test_windows_count_turns_errors_and_p95_per_window() -> None:
    samples = [Sample(at, 0.1 * (i + 1), True) for i, at in enumerate((1, 2, 3, 4))]
    samples += [Sample(5, 9.0, False), Sample(650, 0.2, True)]
    rows = windows(samples, 300)
    assert [r["window"] for r in rows] == [1, 2, 3]
    assert rows[0]["turns"] == 5 and rows[0]["errors"] == 1
    assert round(rows[0]["p95_ms"]) == 385  # failed turns do not count in the latencies
    assert rows[1]["turns"] == 0 and math.isnan(rows[1]["p95_ms"])  # an idle window shows
    assert rows[2]["turns"] == 1 and rows[2]["from_s"] == 600


def test_report_shows_rss_growth_windows_and_errors() -> None:
    log = SoakLog(
        samples=[Sample(10, 0.5, True), Sample(400, 1.0, False)],
        conversations={"preparation sheet": 3},
    )
    log.error("polite failure answer")
    rss = {
        "action server": {"start": 140_000, "warm": 250_000, "end": 256_000, "peak": 260_000},
        "rasa server": {
            "start": 900_000,
            "warm": 950_000,
            "end": 949_000,
            "peak": 990_000,
            "alive": False,
        },
    }
    text = render(build_report(SoakPlan(minutes=10), rss, log))
    assert "Koers soak: 10 min, 4 employees at once, windows of 5 min" in text
    action = next(line for line in text.splitlines() if "action server" in line)
    assert action.split() == ["action", "server", "137", "244", "250", "254", "+6"]
    assert "(exited)" in next(line for line in text.splitlines() if "rasa server" in line)
    assert "  2     5-10" in text and "Turns 2, errors 1 (polite failure answer: 1)" in text
    assert "conversations: preparation sheet 3" in text


def test_plan_from_the_environment_is_bounded(monkeypatch) -> None:
    assert SoakPlan.from_env() == SoakPlan()
    monkeypatch.setenv("KOERS_SOAK_MINUTES", "99999")
    monkeypatch.setenv("KOERS_SOAK_EMPLOYEES", "0")
    monkeypatch.setenv("KOERS_SOAK_WINDOW_MINUTES", "1")
    plan = SoakPlan.from_env()
    assert plan.minutes == MAX_MINUTES and plan.employees == 1 and plan.window_minutes == 1


def test_a_polite_failure_answer_counts_as_an_error() -> None:
    assert _failed([]) and _failed(None)
    assert _failed([{"text": SERVICE_UNAVAILABLE}])
    assert not _failed([{"text": "Vraag 2 van 14"}])


def test_the_sheet_link_is_found_in_the_custom_reply() -> None:
    link = {"koers_download": {"pdf_url": "http://127.0.0.1:1/x.pdf"}}
    replies = [{"text": "klaar"}, {"custom": link}]
    assert _download_url(replies) == "http://127.0.0.1:1/x.pdf"
    assert _download_url([{"text": "hoi"}]) is None
