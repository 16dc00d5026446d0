"""Pure functions of the benchmark: percentiles, ratios, targets and the Markdown report."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

CONCURRENCY_LEVELS = (1, 10, 50)
TRACKER_SIZES = (10, 100, 1000)
# Targets from issue 8.
MAX_P95_RATIO_AT_10 = 1.5
MIN_MSGS_PER_S_PER_INSTANCE = 20.0
MAX_RASA_RSS_MB = 1200.0


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


def evaluate_targets(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's three targets with the measured value and whether each is met."""
    p95_ratio = ratios(report).get("turn_p95_at_10")
    throughput = _get(report, "throughput_msgs_per_s", "koers")
    rss = _get(report, "peak_rss_mb", "koers_rasa")
    workers = report.get("rasa_workers")
    extra: list[dict[str, Any]] = []
    if workers:
        w_ratio = ratios(report).get("turn_p95_at_10_workers")
        w_throughput = _get(report, "throughput_msgs_per_s", "koers_workers")
        w_rss = _get(report, "peak_rss_mb", "koers_rasa_workers_largest")
        extra = [
            {
                "target": f"… with {workers} Sanic workers: p95 at 10 concurrent vs bare bot",
                "value": w_ratio,
                "limit": f"≤ {MAX_P95_RATIO_AT_10}×",
                "ok": None if w_ratio is None else w_ratio <= MAX_P95_RATIO_AT_10,
            },
            {
                "target": f"… with {workers} Sanic workers: messages/s per Rasa instance",
                "value": w_throughput,
                "limit": f"≥ {MIN_MSGS_PER_S_PER_INSTANCE:g}",
                "ok": None if w_throughput is None else w_throughput >= MIN_MSGS_PER_S_PER_INSTANCE,
            },
            {
                "target": f"… with {workers} Sanic workers: largest Rasa process RSS (MB)",
                "value": w_rss,
                "limit": f"≤ {MAX_RASA_RSS_MB:g}",
                "ok": None if w_rss is None else w_rss <= MAX_RASA_RSS_MB,
            },
        ]
    return [
        {
            "target": "p95 turn latency at 10 concurrent vs bare bot",
            "value": p95_ratio,
            "limit": f"≤ {MAX_P95_RATIO_AT_10}×",
            "ok": None if p95_ratio is None else p95_ratio <= MAX_P95_RATIO_AT_10,
        },
        {
            "target": "messages/s per Rasa instance",
            "value": throughput,
            "limit": f"≥ {MIN_MSGS_PER_S_PER_INSTANCE:g}",
            "ok": None if throughput is None else throughput >= MIN_MSGS_PER_S_PER_INSTANCE,
        },
        {
            "target": "Rasa server peak RSS (MB)",
            "value": rss,
            "limit": f"≤ {MAX_RASA_RSS_MB:g}",
            "ok": None if rss is None else rss <= MAX_RASA_RSS_MB,
        },
        *extra,
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
