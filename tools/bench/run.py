"""``make bench``: one run measures Koers and a bare Rasa bot on this machine.

Phases: Koers trained from scratch (seconds per component, held-out scores). Koers as
``make run`` runs it (``tools.bench.embedded``: SQLite, one Sanic worker; load goes straight to
the Rasa server): server start, NLU parse latency, full turns at 1/10/50 concurrent employees,
sustained messages/s, where a one-employee turn's time goes (``KOERS_TURN_PROFILE``), then
the conversation tests' full conversations and the memory of its three processes. Then the
bare bot (``rasa init`` example, trained in this run, SQLite tracker store) under the same
load. Then tracker store latency on SQLite and PostgreSQL. Writes
reports/bench/bench.{json,md,png} and prints the Markdown.

``KOERS_BENCH_WORKERS`` (default 0): Koers once more on PostgreSQL and Redis
(``tools.scale``) with that many Sanic workers: 10 employees, sustained messages/s, memory.

``KOERS_BENCH_QUICK=1``: a smoke run (fewer messages, short think time, 1 and 10 employees,
no training unless ``KOERS_BENCH_TRAIN=1``, no bare bot unless ``KOERS_BENCH_BASELINE=1``).
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bot.channels.widget.auth import mint_token
from bot.config import PROJECT_ROOT
from tools.bench import load, stats, trackerstore
from tools.bench.embedded import running_embedded
from tools.devservices import free_port, running_postgres
from tools.scale import running_deployment

TOKEN = "koers-bench-token"
REPORT_DIR = PROJECT_ROOT / "reports" / "bench"


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes"}


def _status_mb(pid: int, field: str) -> float | None:
    """A memory figure of ``/proc/<pid>/status`` (``VmHWM``, ``VmRSS``) in MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM), in MB."""
    return _status_mb(pid, "VmHWM")


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (Sanic workers are child processes)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 600) -> float:
    import urllib.request

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(url)


class Plan:
    def __init__(self, quick: bool) -> None:
        self.quick = quick
        self.levels = (1, 10) if quick else stats.CONCURRENCY_LEVELS
        self.think = (0.1, 0.3) if quick else (1.0, 3.0)
        self.parse_rounds = 20 if quick else 200
        self.sustained_users = 10 if quick else 20
        self.sustained_seconds = 10.0 if quick else 45.0
        self.breakdown_seconds = 5.0 if quick else 30.0
        self.tracker_sizes = (10, 100) if quick else stats.TRACKER_SIZES
        self.baseline = _flag("KOERS_BENCH_BASELINE") or not quick
        # Koers once more with this many Sanic workers per Rasa server (0 or 1: skip)
        self.workers = int(os.environ.get("KOERS_BENCH_WORKERS", "0"))
        # training from scratch (an empty Rasa cache) with the held-out scores; quick: skipped
        self.train = not quick or _flag("KOERS_BENCH_TRAIN")


def measure_bot(
    base_url: str,
    plan: Plan,
    log: list[str],
    name: str,
    levels: tuple[int, ...] | None = None,
    warm_users: int = 2,
) -> dict[str, Any]:
    """Warm up, NLU parse latency, turns at each concurrency level, sustained messages/s."""
    figures: dict[str, Any] = {"turns": {}}
    # Warm-up, not measured: the first turns of a fresh Rasa server take seconds (TensorFlow
    # builds its graphs), which would dominate the p99 of the small runs.
    asyncio.run(load.run_load(base_url, warm_users, (0.0, 0.0)))
    asyncio.run(load.parse_latencies(base_url, TOKEN, 10))
    parse = asyncio.run(load.parse_latencies(base_url, TOKEN, plan.parse_rounds))
    figures["nlu"] = stats.summarize_ms(parse)
    for level in levels or plan.levels:
        result = asyncio.run(load.run_load(base_url, level, plan.think))
        summary = stats.summarize_ms(result.latencies)
        summary["errors"] = result.errors
        figures["turns"][str(level)] = summary
        log.append(
            f"{name}: {level} concurrent: {summary['n']} turns, p50 "
            f"{summary['p50']:.0f} ms, p95 {summary['p95']:.0f} ms, "
            f"{result.errors} errors"
        )
        print(log[-1], flush=True)
    sustained = asyncio.run(
        load.run_load(base_url, plan.sustained_users, (0.0, 0.0), duration=plan.sustained_seconds)
    )
    figures["throughput"] = sustained.messages_per_second
    figures["throughput_errors"] = sustained.errors
    print(f"{name}: sustained {sustained.messages_per_second:.1f} msg/s", flush=True)
    return figures


#: Conversations run once more after the load, before the memory is read: "after a full
#: conversation" covers the whole scan, a preparation with its sheet and practice, and a booking.
MEMORY_CONVERSATIONS = (
    "journey-scan-full-buttons.yml",
    "prepare-private-parts-on-sheet.yml",
    "prepare-practice-feedback.yml",
    "coach-all-in-one.yml",
    "privacy-what-do-you-keep.yml",
)


def rss_mb(pid: int) -> float | None:
    """Resident memory now (VmRSS), in MB."""
    return _status_mb(pid, "VmRSS")


def run_full_conversations(rasa_url: str) -> list[str]:
    """Send :data:`MEMORY_CONVERSATIONS` (the conversation tests' files); their failed turns."""
    from tools.conversations.client import RestKoers, run_conversation
    from tools.conversations.scripted import failed
    from tools.conversations.scripted import load as load_conversation

    scripts = PROJECT_ROOT / "tests" / "conversation" / "scripts"

    def metadata(_identity: Any) -> dict[str, str]:
        subject = uuid.uuid4().hex
        token = mint_token(load.MUNICIPALITY, subject, load.WIDGET_SECRET, 3600, int(time.time()))
        return {"widget_token": token}

    problems = []
    for name in MEMORY_CONVERSATIONS:
        results = run_conversation(
            load_conversation(scripts / name), RestKoers(rasa_url, metadata=metadata)
        )
        problems += [f"{name} turn {r.turn.user!r}" for r in results if failed(r.checks)]
    return problems


def turn_breakdown(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Per-turn milliseconds of each part between two snapshots of the turn profile."""
    turns = after.get("turns", 0) - before.get("turns", 0)
    if turns <= 0:
        return {}
    parts = {
        part: 1000 * (seconds - before.get("seconds", {}).get(part, 0.0)) / turns
        for part, seconds in after.get("seconds", {}).items()
    }
    cpu = after.get("process_cpu_s", 0.0) - before.get("process_cpu_s", 0.0)
    return {"turns": turns, "ms_per_turn": parts, "rasa_cpu_ms_per_turn": 1000 * cpu / turns}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def bench_koers(plan: Plan, workdir: Path, report: dict[str, Any]) -> None:
    """Koers as ``make run`` runs it (SQLite, one worker): latency, throughput, memory, and
    where a turn's time goes (the turn profile, one employee at a time)."""
    profile = workdir / "turn-profile.json"
    env = {
        "KOERS_RASA_AUTH_TOKEN": TOKEN,
        "KOERS_RETENTION_INTERVAL_MINUTES": "0",
        # simulated employees prove identity over REST with a widget token
        "KOERS_REST_ENABLED": "true",
        "KOERS_WIDGET_JWT_SECRETS": f"{load.MUNICIPALITY}={load.WIDGET_SECRET}",
        "KOERS_TURN_PROFILE": str(profile),
    }
    (workdir / "koers").mkdir()
    with running_embedded(workdir / "koers", extra_env=env) as dep:
        report["model_load_s"]["koers"] = dep.rasa_ready_s
        figures = measure_bot(dep.rasa_url, plan, report["notes"], "koers")
        # one employee without pauses: the parts of a turn do not overlap, no core sits idle
        before = _read_json(profile)
        asyncio.run(load.run_load(dep.rasa_url, 1, (0.0, 0.0), duration=plan.breakdown_seconds))
        report["turn_breakdown"] = turn_breakdown(before, _read_json(profile))
        problems = run_full_conversations(dep.rasa_url)
        if problems:
            report["notes"].append("full conversations, failed turns: " + "; ".join(problems))
        for name, process in dep.processes.items():
            report["peak_rss_mb"][f"koers_{name}"] = peak_rss_mb(process.pid)
            report.setdefault("rss_after_mb", {})[f"koers_{name}"] = rss_mb(process.pid)
    report["nlu_parse_ms"]["koers"] = figures["nlu"]
    report["turns"]["koers"] = figures["turns"]
    report["throughput_msgs_per_s"]["koers"] = figures["throughput"]


def bench_koers_workers(plan: Plan, workdir: Path, report: dict[str, Any]) -> None:
    """Koers with ``plan.workers`` Sanic workers in one Rasa server: 10 employees, sustained."""
    env = {
        "KOERS_RASA_AUTH_TOKEN": TOKEN,
        "KOERS_RETENTION_INTERVAL_MINUTES": "0",
        "KOERS_REST_ENABLED": "true",
        "KOERS_WIDGET_JWT_SECRETS": f"{load.MUNICIPALITY}={load.WIDGET_SECRET}",
    }
    (workdir / "koers-workers").mkdir()
    with running_deployment(
        workdir / "koers-workers", instances=1, extra_env=env, rasa_workers=plan.workers
    ) as dep:
        name = "koers_workers"
        figures = measure_bot(
            dep.rasa_urls[0],
            plan,
            report["notes"],
            f"koers ({plan.workers} workers)",
            levels=(10,),
            warm_users=4 * plan.workers,
        )
        pids = process_tree(dep.processes["rasa1"].pid)
        sizes = [size for size in map(peak_rss_mb, pids) if size is not None]
        report["peak_rss_mb"]["koers_rasa_workers_total"] = sum(sizes)
        report["peak_rss_mb"]["koers_rasa_workers_largest"] = max(sizes)
    report["rasa_workers"] = plan.workers
    report["turns"][name] = figures["turns"]
    report["throughput_msgs_per_s"][name] = figures["throughput"]


def bench_bare(plan: Plan, workdir: Path, report: dict[str, Any]) -> None:
    bare_dir = workdir / "bare"
    bare_dir.mkdir()  # rasa init wants an existing directory
    rasa = str(Path(sys.executable).parent / "rasa")
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
    }
    started = time.monotonic()
    with (workdir / "bare-init.log").open("w") as out:
        subprocess.run(
            [rasa, "init", "--no-prompt", "--init-dir", str(bare_dir)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    report["bare_train_s"] = time.monotonic() - started
    # the same kind of tracker store as Koers in this run: SQLite, not Rasa's in-memory default
    (bare_dir / "endpoints.yml").write_text(
        f"tracker_store:\n  type: SQL\n  dialect: sqlite\n  db: {bare_dir / 'tracker.db'}\n"
    )
    port = free_port()
    with (workdir / "bare-rasa.log").open("w") as out:
        process = subprocess.Popen(
            [
                rasa,
                "run",
                "--port",
                str(port),
                "--enable-api",
                "--auth-token",
                TOKEN,
                "--endpoints",
                "endpoints.yml",
            ],
            cwd=bare_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        report["model_load_s"]["bare"] = _wait_ready(
            f"http://127.0.0.1:{port}/status?token={TOKEN}", process
        )
        figures = measure_bot(f"http://127.0.0.1:{port}", plan, report["notes"], "bare")
        report["peak_rss_mb"]["bare_rasa"] = peak_rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)
    report["nlu_parse_ms"]["bare"] = figures["nlu"]
    report["turns"]["bare"] = figures["turns"]
    report["throughput_msgs_per_s"]["bare"] = figures["throughput"]


def bench_training(workdir: Path, report: dict[str, Any]) -> None:
    """Koers trained from scratch (``tools.bench.train_profile``): seconds per component."""
    result = workdir / "training.json"
    with (workdir / "training.log").open("w") as out:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tools.bench.train_profile",
                "--out",
                str(workdir / "training"),
                "--json",
                str(result),
            ],
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONWARNINGS": "ignore", "LOG_LEVEL": "WARNING"},
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
    report["training"] = json.loads(result.read_text())
    print(f"training from scratch: {report['training']['total_s']} s", flush=True)


def bench_tracker_store(plan: Plan, workdir: Path, report: dict[str, Any]) -> None:
    report["tracker_store_ms"]["sqlite"] = trackerstore.measure_sync(
        f"sqlite:///{workdir / 'tracker-bench.db'}", plan.tracker_sizes
    )
    with running_postgres() as postgres:
        url = postgres.create_database("koers_bench")
        report["tracker_store_ms"]["postgresql"] = trackerstore.measure_sync(
            url, plan.tracker_sizes
        )


def write_report(report: dict[str, Any], directory: Path = REPORT_DIR) -> str:
    directory.mkdir(parents=True, exist_ok=True)
    report["ratios"] = stats.ratios(report)
    report["targets"] = stats.evaluate_targets(report)
    (directory / "bench.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    markdown = stats.render_markdown(report)
    (directory / "bench.md").write_text(markdown)
    stats.plot(report, str(directory / "bench.png"))
    return markdown


def main() -> None:
    quick = _flag("KOERS_BENCH_QUICK")
    plan = Plan(quick)
    workdir = Path(tempfile.mkdtemp(prefix="koers-bench-"))
    report: dict[str, Any] = {
        "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": quick,
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]},
        "think_time_s": list(plan.think),
        "model_load_s": {},
        "nlu_parse_ms": {},
        "turns": {},
        "throughput_msgs_per_s": {},
        "peak_rss_mb": {},
        "tracker_store_ms": {},
        "notes": [],
    }
    print(f"Benchmark ({'quick' if quick else 'full'}), work files in {workdir}", flush=True)
    if plan.train:
        bench_training(workdir, report)
    bench_koers(plan, workdir, report)
    if plan.workers > 1:
        bench_koers_workers(plan, workdir, report)
    if plan.baseline:
        bench_bare(plan, workdir, report)
    bench_tracker_store(plan, workdir, report)
    report["machine"]["load_after"] = os.getloadavg()[0]
    print(write_report(report))
    print(f"Report: {REPORT_DIR}/bench.md, bench.json, bench.png")


if __name__ == "__main__":
    main()
