"""Pure functions of the benchmark: percentiles, ratios, targets and the Markdown report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

CONCURRENCY_LEVELS = (1, 10, 50)
TRACKER_SIZES = (10, 100, 1000)
# Targets of issue 18 (one Sanic worker, SQLite tracker stores, against the bare bot).
MAX_P95_RATIO_AT_10 = 2.0
MIN_THROUGHPUT_RATIO = 0.7
MAX_ACTION_SERVER_RSS_MB = 300.0
MAX_THREE_PROCESSES_MB = 1300.0
MAX_TRAINING_S = 240.0
#: the three long-running processes of ``make run`` whose memory is added up
KOERS_PROCESSES = ("koers_rasa", "koers_actions", "koers_web")


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100.0
    low, high = math.floor(rank), math.ceil(rank)
    if low == high:
        return ordered[low]
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarize_ms(seconds: Sequence[float]) -> dict[str, float]:
    """n, mean, p50, p95, p99 and max in milliseconds of latencies given in seconds."""
    ms = [s * 1000.0 for s in seconds]
    return {
        "n": len(ms),
        "mean": sum(ms) / len(ms) if ms else math.nan,
        "p50": percentile(ms, 50),
        "p95": percentile(ms, 95),
        "p99": percentile(ms, 99),
        "max": max(ms) if ms else math.nan,
    }


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline, or None when either is missing or the baseline is zero."""
    if ours is None or baseline is None or not baseline or math.isnan(ours) or math.isnan(baseline):
        return None
    return ours / baseline


def _get(report: dict[str, Any], *path: str) -> Any:
    node: Any = report
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def ratios(report: dict[str, Any]) -> dict[str, float | None]:
    """Koers against the bare bot for every figure both have."""
    found: dict[str, float | None] = {
        "nlu_parse_p95": ratio(
            _get(report, "nlu_parse_ms", "koers", "p95"),
            _get(report, "nlu_parse_ms", "bare", "p95"),
        ),
        "throughput": ratio(
            _get(report, "throughput_msgs_per_s", "koers"),
            _get(report, "throughput_msgs_per_s", "bare"),
        ),
        "model_load": ratio(
            _get(report, "model_load_s", "koers"), _get(report, "model_load_s", "bare")
        ),
        "rasa_peak_rss": ratio(
            _get(report, "peak_rss_mb", "koers_rasa"), _get(report, "peak_rss_mb", "bare_rasa")
        ),
    }
    found["turn_p95_at_10_workers"] = ratio(
        _get(report, "turns", "koers_workers", "10", "p95"),
        _get(report, "turns", "bare", "10", "p95"),
    )
    for level in CONCURRENCY_LEVELS:
        for p in ("p50", "p95", "p99"):
            found[f"turn_{p}_at_{level}"] = ratio(
                _get(report, "turns", "koers", str(level), p),
                _get(report, "turns", "bare", str(level), p),
            )
    return found


def three_processes_mb(report: dict[str, Any]) -> float | None:
    """Resident memory of the Rasa server, the action server and the web app together, after
    the load and the full conversations (as they run; each one's peak is in the report too)."""
    sizes = [_get(report, "rss_after_mb", name) for name in KOERS_PROCESSES]
    return None if any(size is None for size in sizes) else sum(sizes)


def _target(name: str, value: Any, limit: str, ok: bool | None) -> dict[str, Any]:
    return {"target": name, "value": value, "limit": limit, "ok": ok}


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """Issue 18's targets with the measured value and whether each is met (None: not measured)."""
    found = ratios(report)
    p95_ratio, throughput_ratio = found.get("turn_p95_at_10"), found.get("throughput")
    actions = _get(report, "rss_after_mb", "koers_actions")
    together = three_processes_mb(report)
    training = _get(report, "training", "total_s")
    return [
        _target(
            "p95 turn at 10 concurrent employees, × bare bot",
            p95_ratio,
            f"≤ {MAX_P95_RATIO_AT_10:g}×",
            None if p95_ratio is None else p95_ratio <= MAX_P95_RATIO_AT_10,
        ),
        _target(
            "messages/s without think time, × bare bot (one worker each)",
            throughput_ratio,
            f"≥ {MIN_THROUGHPUT_RATIO:g}×",
            None if throughput_ratio is None else throughput_ratio >= MIN_THROUGHPUT_RATIO,
        ),
        _target(
            "action server resident memory after full conversations (MB)",
            actions,
            f"≤ {MAX_ACTION_SERVER_RSS_MB:g}",
            None if actions is None else actions <= MAX_ACTION_SERVER_RSS_MB,
        ),
        _target(
            "Rasa server + action server + web app, resident memory after them (MB)",
            together,
            f"≤ {MAX_THREE_PROCESSES_MB:g}",
            None if together is None else together <= MAX_THREE_PROCESSES_MB,
        ),
        _target(
            "training from scratch (s)",
            training,
            f"≤ {MAX_TRAINING_S:g}",
            None if training is None else training <= MAX_TRAINING_S,
        ),
    ]


def breakdown_rows(breakdown: dict[str, Any]) -> list[tuple[str, float, float | None]]:
    """(part, ms per turn, share of the turn) with the parts that contain others indented.

    The graph nodes, the tracker read and write and the actions do not overlap; what is left
    of the turn is Rasa's own code between them ("rest of the turn").
    """
    parts: dict[str, float] = dict(breakdown.get("ms_per_turn") or {})
    turn = parts.pop("turn", None)
    inside = {
        "scrubbing (inside the tracker write)",
        "action server round trips (inside actions)",
    }  # the round trips lie in the actions and in the slot extraction
    exclusive = {name: ms for name, ms in parts.items() if name not in inside}
    rows = []
    for name, ms in sorted(exclusive.items(), key=lambda item: -item[1]):
        rows.append((name, ms, ms / turn if turn else None))
    # the inner parts after their containers (round trips happen in two of them)
    for inner, container in (
        ("scrubbing (inside the tracker write)", "tracker write"),
        ("action server round trips (inside actions)", "actions"),
    ):
        at = next((i for i, row in enumerate(rows) if row[0].startswith(container)), None)
        if inner in parts and at is not None:
            rows.insert(at + 1, (f"↳ {inner}", parts[inner], parts[inner] / turn if turn else None))
    if turn:
        rest = turn - sum(exclusive.values())
        rows.append(("rest of the turn (Rasa between the parts)", rest, rest / turn))
        rows.append(("whole turn", turn, 1.0))
    return rows


def _section(title: str, intro: str, columns: list[str], rows: list[list[str]]) -> list[str]:
    """A Markdown section: heading, one paragraph, a table."""
    return [
        "",
        f"## {title}",
        "",
        intro,
        "",
        "| " + " | ".join(columns) + " |",
        "|" + "---|" * len(columns),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def render_markdown(report: dict[str, Any]) -> str:
    """The human-readable report (reports/bench/bench.md)."""
    lines = [
        "# Koers benchmark",
        "",
        f"Run {report.get('started', '?')} on {report.get('machine', {}).get('cpus', '?')} "
        f"CPUs{' (quick mode)' if report.get('quick') else ''}. "
        f"Load average before the run: {_fmt(report.get('machine', {}).get('load_before'), 2)}.",
        "",
        "## Targets",
        "",
        "| target | measured | limit | met |",
        "|---|---|---|---|",
    ]
    for t in evaluate_targets(report):
        met = {True: "yes", False: "**no**", None: "–"}[t["ok"]]
        lines.append(f"| {t['target']} | {_fmt(t['value'], 2)} | {t['limit']} | {met} |")
    lines += [
        "",
        "## Turn latency through the REST webhook (ms)",
        "",
        "| bot | concurrent employees | turns | p50 | p95 | p99 | max |",
        "|---|---|---|---|---|---|---|",
    ]
    for bot in ("koers", "koers_workers", "bare"):
        label = f"koers, {report.get('rasa_workers')} workers" if bot == "koers_workers" else bot
        for level, s in sorted((_get(report, "turns", bot) or {}).items(), key=lambda i: int(i[0])):
            lines.append(
                f"| {label} | {level} | {s['n']} | {_fmt(s['p50'])} | {_fmt(s['p95'])} "
                f"| {_fmt(s['p99'])} | {_fmt(s['max'])} |"
            )
    lines += [
        "",
        "## Other figures",
        "",
        "| figure | Koers | bare bot | ratio |",
        "|---|---|---|---|",
    ]
    rows = [
        ("NLU parse p50 (ms)", ("nlu_parse_ms", "koers", "p50"), ("nlu_parse_ms", "bare", "p50")),
        ("NLU parse p95 (ms)", ("nlu_parse_ms", "koers", "p95"), ("nlu_parse_ms", "bare", "p95")),
        (
            "sustained messages/s",
            ("throughput_msgs_per_s", "koers"),
            ("throughput_msgs_per_s", "bare"),
        ),
        ("server start incl. model load (s)", ("model_load_s", "koers"), ("model_load_s", "bare")),
        ("Rasa server peak RSS (MB)", ("peak_rss_mb", "koers_rasa"), ("peak_rss_mb", "bare_rasa")),
    ]
    if report.get("rasa_workers"):
        rows.insert(
            3,
            (
                f"sustained messages/s, {report['rasa_workers']} Sanic workers",
                ("throughput_msgs_per_s", "koers_workers"),
                ("throughput_msgs_per_s", "bare"),
            ),
        )
    for label, ours, base in rows:
        a, b = _get(report, *ours), _get(report, *base)
        lines.append(f"| {label} | {_fmt(a)} | {_fmt(b)} | {_fmt(ratio(a, b), 2)} |")
    for name, value in sorted((report.get("peak_rss_mb") or {}).items()):
        if name not in {"koers_rasa", "bare_rasa"}:
            lines.append(f"| peak RSS {name} (MB) | {_fmt(value)} | | |")
    together = three_processes_mb(report)
    if together is not None:
        label = "Rasa + action server + web app, RSS together after the conversations (MB)"
        lines.append(f"| {label} | {_fmt(together)} | | |")
    for name, value in sorted((report.get("rss_after_mb") or {}).items()):
        lines.append(f"| RSS after the full conversations {name} (MB) | {_fmt(value)} | | |")
    breakdown = report.get("turn_breakdown") or {}
    if breakdown:
        lines += _section(
            f"Where a turn's time goes (one employee, {breakdown['turns']} turns)",
            "Wall time per turn in the Rasa server, one employee without pauses (parts do not "
            "overlap; ↳ lines are inside the line above). Rasa server CPU per turn: "
            f"{_fmt(breakdown.get('rasa_cpu_ms_per_turn'))} ms.",
            ["part", "ms per turn", "share"],
            [
                [name, _fmt(ms), "–" if share is None else f"{100 * share:.0f} %"]
                for name, ms, share in breakdown_rows(breakdown)
            ],
        )
    training = report.get("training") or {}
    if training:
        lines += _section(
            f"Training from scratch: {_fmt(training.get('total_s'))} s",
            f"Held-out intent macro-F1 {_fmt(training.get('intent_macro_f1'), 3)}, FAQ answer "
            f"accuracy {_fmt(training.get('faq_accuracy'), 3)}.",
            ["component", "seconds"],
            [
                [name, _fmt(seconds)]
                for name, seconds in sorted(training.get("components") or [], key=lambda c: -c[1])
            ],
        )
    lines += [
        "",
        "## Tracker store latency (ms, median)",
        "",
        "| backend | events in conversation | write one turn | read conversation |",
        "|---|---|---|---|",
    ]
    for backend, sizes in sorted((report.get("tracker_store_ms") or {}).items()):
        for size, s in sorted(sizes.items(), key=lambda i: int(i[0])):
            lines.append(f"| {backend} | {size} | {_fmt(s['write'])} | {_fmt(s['read'])} |")
    notes = report.get("notes") or []
    if notes:
        lines += ["", "## Notes", "", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def plot(report: dict[str, Any], path: str) -> None:
    """Turn latency percentiles per concurrency level, Koers vs bare bot (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for bot, style in (("koers", "-o"), ("koers_workers", ":^"), ("bare", "--s")):
        turns = _get(report, "turns", bot) or {}
        levels = sorted(int(k) for k in turns)
        for p in ("p50", "p95", "p99"):
            axes[0].plot(levels, [turns[str(lv)][p] for lv in levels], style, label=f"{bot} {p}")
    axes[0].set_xlabel("concurrent employees")
    axes[0].set_ylabel("turn latency (ms)")
    axes[0].set_xscale("log")
    axes[0].legend(fontsize=7)
    axes[0].set_title("Full turn via REST webhook")
    for backend, sizes in sorted((report.get("tracker_store_ms") or {}).items()):
        xs = sorted(int(k) for k in sizes)
        axes[1].plot(xs, [sizes[str(x)]["write"] for x in xs], "-o", label=f"{backend} write")
        axes[1].plot(xs, [sizes[str(x)]["read"] for x in xs], "--s", label=f"{backend} read")
    axes[1].set_xscale("log")
    axes[1].set_xlabel("events in the conversation")
    axes[1].set_ylabel("ms")
    axes[1].legend(fontsize=7)
    axes[1].set_title("Tracker store")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
