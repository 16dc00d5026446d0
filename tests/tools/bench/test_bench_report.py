"""The report-writing parts of the benchmark (pure functions, no servers)."""

from __future__ import annotations

import json
import math

import pytest

from tools.bench import stats
from tools.bench.run import write_report


def test_percentile_interpolates() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert stats.percentile(values, 50) == 3.0
    assert stats.percentile(values, 0) == 1.0
    assert stats.percentile(values, 100) == 5.0
    assert stats.percentile(values, 95) == pytest.approx(4.8)
    assert stats.percentile([7.0], 99) == 7.0
    assert math.isnan(stats.percentile([], 50))
    assert stats.percentile([5.0, 1.0, 3.0], 50) == 3.0  # unsorted input


def test_summarize_ms_converts_seconds() -> None:
    summary = stats.summarize_ms([0.1, 0.2, 0.3, 0.4])
    assert summary["n"] == 4
    assert summary["p50"] == pytest.approx(250.0)
    assert summary["max"] == pytest.approx(400.0)
    assert math.isnan(stats.summarize_ms([])["p95"])


def test_ratio_handles_missing_values() -> None:
    assert stats.ratio(3.0, 2.0) == 1.5
    assert stats.ratio(None, 2.0) is None
    assert stats.ratio(1.0, 0.0) is None
    assert stats.ratio(math.nan, 1.0) is None


def sample_report() -> dict:
    turns = {
        str(level): {
            "n": 10,
            "mean": 100.0 * level,
            "p50": 90.0 * level,
            "p95": 150.0 * level,
            "p99": 180.0 * level,
            "max": 200.0 * level,
        }
        for level in (1, 10, 50)
    }
    bare = {k: {**v, "p95": v["p95"] / 1.2} for k, v in turns.items()}
    return {
        "started": "2026-01-01T00:00:00+00:00",
        "quick": False,
        "machine": {"cpus": 2, "load_before": 0.5},
        "model_load_s": {"koers": 40.0, "bare": 20.0},
        "nlu_parse_ms": {"koers": {"p50": 30.0, "p95": 60.0}, "bare": {"p50": 10.0, "p95": 20.0}},
        "turns": {"koers": turns, "bare": bare},
        "throughput_msgs_per_s": {"koers": 25.0, "bare": 50.0},
        "peak_rss_mb": {
            "koers_rasa": 1000.0,
            "bare_rasa": 700.0,
            "koers_actions": 250.0,
            "koers_web": 80.0,
        },
        "rss_after_mb": {"koers_actions": 320.0, "koers_rasa": 960.0, "koers_web": 50.0},
        "tracker_store_ms": {
            "sqlite": {"10": {"write": 3.0, "read": 1.0}, "100": {"write": 4.0, "read": 2.0}}
        },
        "notes": ["other tests were running"],
    }


def test_ratios_and_targets() -> None:
    report = sample_report()
    found = stats.ratios(report)
    assert found["turn_p95_at_10"] == pytest.approx(1.2)
    assert found["throughput"] == 0.5
    assert found["nlu_parse_p95"] == 3.0
    targets = [t["ok"] for t in stats.evaluate_targets(report)]
    # p95 1.2× met; 0.5× the throughput not; 320 MB action server not; 1,330 MB together
    # not; training not measured
    assert targets == [True, False, False, False, None]
    report["turns"].pop("bare")
    assert stats.evaluate_targets(report)[0]["ok"] is None
    report["training"] = {"total_s": 180.0, "components": [["DIETClassifier", 60.0]]}
    assert stats.evaluate_targets(report)[-1]["ok"] is True


def test_the_turn_breakdown_adds_up_to_the_turn() -> None:
    breakdown = {
        "turns": 4,
        "ms_per_turn": {
            "turn": 100.0,
            "graph: DIETClassifier": 30.0,
            "graph: SpacyNLP": 10.0,
            "tracker write (incl. scrubbing)": 20.0,
            "scrubbing (inside the tracker write)": 15.0,
            "actions (incl. action server calls)": 25.0,
            "action server round trips (inside actions)": 20.0,
        },
    }
    rows = stats.breakdown_rows(breakdown)
    names = [name for name, _, _ in rows]
    assert names[:2] == ["graph: DIETClassifier", "actions (incl. action server calls)"]
    assert names[2] == "↳ action server round trips (inside actions)"
    assert (
        names.index("↳ scrubbing (inside the tracker write)")
        == names.index("tracker write (incl. scrubbing)") + 1
    )
    rest = dict((name, ms) for name, ms, _ in rows)["rest of the turn (Rasa between the parts)"]
    assert rest == pytest.approx(15.0)  # 100 - 30 - 10 - 20 - 25; inner parts not counted twice
    assert rows[-1] == ("whole turn", 100.0, 1.0)


def test_markdown_has_every_section() -> None:
    markdown = stats.render_markdown(sample_report())
    for needle in (
        "## Targets",
        "| koers | 10 | 10 | 900.0 | 1500.0 |",
        "**no**",
        "NLU parse p95 (ms) | 60.0 | 20.0 | 3.00",
        "| sqlite | 100 | 4.0 | 2.0 |",
        "peak RSS koers_actions",
        "RSS together after the conversations (MB) | 1330.0 |",
        "RSS after the full conversations koers_actions (MB) | 320.0",
        "other tests were running",
    ):
        assert needle in markdown, needle


def test_write_report_writes_json_markdown_and_png(tmp_path) -> None:
    markdown = write_report(sample_report(), tmp_path)
    data = json.loads((tmp_path / "bench.json").read_text())
    assert data["ratios"]["turn_p95_at_10"] == pytest.approx(1.2)
    assert (tmp_path / "bench.md").read_text() == markdown
    assert (tmp_path / "bench.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def with_workers(report: dict) -> dict:
    report["rasa_workers"] = 2
    report["turns"]["koers_workers"] = {
        "10": {"n": 10, "mean": 500.0, "p50": 450.0, "p95": 1200.0, "p99": 1300.0, "max": 1400.0}
    }
    report["throughput_msgs_per_s"]["koers_workers"] = 21.0
    report["peak_rss_mb"].update(
        {"koers_rasa_workers_total": 2500.0, "koers_rasa_workers_largest": 1000.0}
    )
    return report


def test_workers_run_has_its_own_targets_and_rows() -> None:
    report = with_workers(sample_report())
    markdown = stats.render_markdown(report)
    for needle in (
        "| koers, 2 workers | 10 | 10 | 450.0 | 1200.0 |",
        "sustained messages/s, 2 Sanic workers | 21.0 | 50.0 | 0.42",
        "peak RSS koers_rasa_workers_total (MB) | 2500.0",
    ):
        assert needle in markdown, needle


def test_without_a_workers_run_there_are_no_worker_rows() -> None:
    markdown = stats.render_markdown(sample_report())
    assert "workers" not in markdown
    assert len(stats.evaluate_targets(sample_report())) == 5


def test_markdown_shows_the_breakdown_and_the_training() -> None:
    report = sample_report()
    report["turn_breakdown"] = {
        "turns": 2,
        "rasa_cpu_ms_per_turn": 80.0,
        "ms_per_turn": {"turn": 50.0, "graph: DIETClassifier": 20.0},
    }
    report["training"] = {
        "total_s": 150.0,
        "intent_macro_f1": 0.83,
        "faq_accuracy": 0.95,
        "components": [["DIETClassifier", 60.0], ["TEDPolicy", 20.0]],
    }
    markdown = stats.render_markdown(report)
    for needle in (
        "## Where a turn's time goes (one employee, 2 turns)",
        "| graph: DIETClassifier | 20.0 | 40 % |",
        "| rest of the turn (Rasa between the parts) | 30.0 | 60 % |",
        "CPU per turn: 80.0 ms",
        "## Training from scratch: 150.0 s",
        "macro-F1 0.830",
        "| DIETClassifier | 60.0 |",
    ):
        assert needle in markdown, needle


def test_process_tree_finds_children() -> None:
    import os
    import subprocess
    import sys

    from tools.bench.run import peak_rss_mb, process_tree

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        tree = process_tree(os.getpid())
        assert tree[0] == os.getpid() and child.pid in tree
        assert peak_rss_mb(child.pid) > 0
    finally:
        child.kill()
        child.wait()
