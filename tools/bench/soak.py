"""``make soak``: Koers under steady load for a long time; does memory stay flat?

Starts the processes of ``make run`` itself (action server, web app, outbox sender, Rasa
server) on embedded SQLite in a temporary directory, all on 127.0.0.1 and free ports, with
throwaway secrets. Simulated employees (:mod:`tools.bench.load`) then talk to the Rasa server
over REST: the scan, a voucher and a booking, or the conversation preparation up to the sheet,
whose PDF they download from the web app, and then erase their conversation.

Prints the RSS of every process at the start (servers ready, nothing said yet), after the
warm-up (every kind of conversation once) and at the end, the peak RSS, errors, and turns and
p95 per window. Writes the same as JSON to ``reports/soak/soak.json``.

Environment (all optional): ``KOERS_SOAK_MINUTES`` (20; at most 1440),
``KOERS_SOAK_EMPLOYEES`` (4 at once), ``KOERS_SOAK_WINDOW_MINUTES`` (5),
``KOERS_SOAK_THINK_SECONDS`` (1.0, the mean pause between two messages). Loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.channels.widget.auth import mint_token
from bot.config import PROJECT_ROOT
from bot.rasa_ext.texts import ACTION_UNAVAILABLE, SERVICE_UNAVAILABLE
from tools.bench import load, stats
from tools.bench.run import process_tree
from tools.devservices import (
    action_server_command,
    free_port,
    init_ledger,
    rasa_server_command,
    stack_env,
    wait_for_http,
)

REPORT_DIR = PROJECT_ROOT / "reports" / "soak"
MAX_MINUTES = 24 * 60
START_TIMEOUT_S = 300
#: the Dutch answers Koers gives when a part is down: a turn with one of these is an error
FAILURE_MARKERS = (ACTION_UNAVAILABLE, SERVICE_UNAVAILABLE)
PREPARE_SCRIPT: tuple[str, ...] = (
    "ik wil het gesprek met mijn leidinggevende voorbereiden",
    "jaargesprek",
    "Ik wil met Petra de Vries afspreken dat ik een cursus Excel mag doen",
    "plannen, klanten helpen en samenwerken",
    "sla over",
    "tijd en een coach",
    "dat hij denkt dat ik weg wil",
    "volgende week dinsdag",
    "eerst oefenen",
    "Nee, ik wil juist bij de gemeente blijven groeien. Kunnen we twee uur per maand afspreken?",
    "Er is een loopbaanbudget en ik kan de voucher gebruiken",
)
ERASE_SCRIPT: tuple[str, ...] = ("wis mijn gegevens", "ja")
SCRIPTS: dict[str, tuple[str, ...]] = {
    "scan, voucher, booking": load.SCRIPT,
    "preparation sheet": PREPARE_SCRIPT + ERASE_SCRIPT,
}


def _env_number(name: str, default: float, low: float, high: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        value = float(raw) if raw else default
    except ValueError as exc:
        raise SystemExit(f"{name} must be a number, got {raw!r}") from exc
    return min(max(value, low), high)


@dataclass(frozen=True)
class SoakPlan:
    minutes: float = 20.0
    employees: int = 4
    window_minutes: float = 5.0
    think_seconds: float = 1.0

    @classmethod
    def from_env(cls) -> SoakPlan:
        return cls(
            minutes=_env_number("KOERS_SOAK_MINUTES", 20, 0.5, MAX_MINUTES),
            employees=int(_env_number("KOERS_SOAK_EMPLOYEES", 4, 1, 50)),
            window_minutes=_env_number("KOERS_SOAK_WINDOW_MINUTES", 5, 0.25, MAX_MINUTES),
            think_seconds=_env_number("KOERS_SOAK_THINK_SECONDS", 1.0, 0.0, 60),
        )


@dataclass
class Sample:
    """One turn (or download): when it ended (seconds since the soak started), how long."""

    at: float
    seconds: float
    ok: bool
    kind: str = "turn"


@dataclass
class SoakLog:
    samples: list[Sample] = field(default_factory=list)
    conversations: dict[str, int] = field(default_factory=dict)
    error_kinds: dict[str, int] = field(default_factory=dict)

    def error(self, kind: str) -> None:
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


# -- pure report functions (tests/tools/test_soak.py)


def windows(samples: Sequence[Sample], window_seconds: float) -> list[dict[str, Any]]:
    """Turns, errors and latency percentiles per window of ``window_seconds``."""
    if window_seconds <= 0:
        raise ValueError("a window lasts longer than 0 s")
    buckets: dict[int, list[Sample]] = {}
    for sample in samples:
        buckets.setdefault(int(sample.at // window_seconds), []).append(sample)
    rows = []
    for index in range(max(buckets, default=-1) + 1):
        bucket = buckets.get(index, [])
        ok = [s.seconds for s in bucket if s.ok]
        summary = stats.summarize_ms(ok)
        rows.append(
            {
                "window": index + 1,
                "from_s": index * window_seconds,
                "to_s": (index + 1) * window_seconds,
                "turns": len(bucket),
                "errors": sum(1 for s in bucket if not s.ok),
                "p50_ms": summary["p50"],
                "p95_ms": summary["p95"],
                "max_ms": summary["max"],
            }
        )
    return rows


def _mb(kib: int | None) -> str:
    return "-" if kib is None else f"{kib / 1024:.0f}"


def render(report: dict[str, Any]) -> str:
    """The soak report as plain text (what ``make soak`` prints)."""
    lines = [
        f"Koers soak: {report['minutes']:g} min, {report['employees']} employees at once, "
        f"windows of {report['window_minutes']:g} min",
        "",
        "RSS (MB)         start   warm    end    peak   growth after warm-up",
    ]
    for name, rss in report["rss_kib"].items():
        start, warm, end, peak = (rss.get(k) for k in ("start", "warm", "end", "peak"))
        growth = "-" if warm is None or end is None else f"{(end - warm) / 1024:+.0f}"
        alive = "" if rss.get("alive", True) else "  (exited)"
        lines.append(
            f"  {name:<14}{_mb(start):>6}{_mb(warm):>7}{_mb(end):>7}{_mb(peak):>7}"
            f"   {growth}{alive}"
        )
    lines += ["", "window  minutes      turns  errors   p50 ms   p95 ms   max ms"]
    for row in report["windows"]:
        span = f"{row['from_s'] / 60:g}-{row['to_s'] / 60:g}"
        p50, p95, peak = (
            f"{row[k]:.0f}" if row[k] == row[k] else "-" for k in ("p50_ms", "p95_ms", "max_ms")
        )
        lines.append(
            f"  {row['window']:<6}{span:<12}{row['turns']:>6}{row['errors']:>8}"
            f"{p50:>9}{p95:>9}{peak:>9}"
        )
    total = report["totals"]
    kinds = ", ".join(f"{k}: {v}" for k, v in total["error_kinds"].items())
    done = ", ".join(f"{k} {v}" for k, v in report["conversations"].items())
    errors = f"errors {total['errors']}" + (f" ({kinds})" if kinds else "")
    lines += ["", f"Turns {total['turns']}, {errors}; conversations: {done or 'none'}"]
    return "\n".join(lines)


# -- processes


def rss_kib(pid: int, field_name: str = "VmRSS") -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def tree_rss_kib(pid: int, field_name: str = "VmRSS") -> int | None:
    """RSS of ``pid`` and its children (Sanic workers, nginx-like forks) added up."""
    sizes = [rss_kib(p, field_name) for p in process_tree(pid)]
    known = [s for s in sizes if s is not None]
    return sum(known) if known else None


@dataclass
class Stack:
    rasa_url: str
    web_url: str
    processes: dict[str, subprocess.Popen]
    workdir: Path

    def rss(self) -> dict[str, int | None]:
        return {name: tree_rss_kib(p.pid) for name, p in self.processes.items()}


@contextlib.contextmanager
def running_stack(workdir: Path) -> Iterator[Stack]:
    """The processes of ``make run`` on loopback, SQLite in ``workdir``; stopped afterwards."""
    rasa_port, action_port, web_port = free_port(), free_port(), free_port()
    env = stack_env(
        action_port,
        f"sqlite:///{workdir / 'tracker.db'}",
        f"sqlite:///{workdir / 'koers.db'}",
        **{
            "PYTHONWARNINGS": "ignore",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "KOERS_ACTION_HOST": "127.0.0.1",
            "KOERS_WEB_HOST": "127.0.0.1",
            "KOERS_WEB_PORT": str(web_port),
            "KOERS_RASA_PORT": str(rasa_port),
            "KOERS_PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
            "KOERS_PSEUDONYM_SECRET": secrets.token_urlsafe(36),
            "KOERS_IDENTITY_SECRET": secrets.token_urlsafe(36),
            "KOERS_ACTION_SECRET": secrets.token_urlsafe(36),
            "KOERS_REST_ENABLED": "true",
            "KOERS_SMTP_HOST": "",
            "KOERS_WIDGET_JWT_SECRETS": f"{load.MUNICIPALITY}={load.WIDGET_SECRET}",
            # one employee books often; the soak is about memory, not about the booking limits
            "KOERS_BOOKING_CHANGES_PER_HOUR": "100000",
            "KOERS_BOOKING_ANONYMOUS_PER_HOUR": "100000",
            "KOERS_BOOKING_ANONYMOUS_ACTIVE_MAX": "100000",
        },
    )
    model = os.environ.get("KOERS_MODEL", str(PROJECT_ROOT / "models" / "koers.tar.gz"))
    init_ledger(env)
    commands = {
        "action server": action_server_command(action_port),
        "web app": [sys.executable, "-m", "bot.web"],
        "outbox sender": [sys.executable, "-m", "bot.notify.sender"],
        "rasa server": rasa_server_command(model, rasa_port, "--interface", "127.0.0.1"),
    }
    health = {
        "action server": f"http://127.0.0.1:{action_port}/health",
        "web app": f"http://127.0.0.1:{web_port}/health",
        "rasa server": f"http://127.0.0.1:{rasa_port}/",
    }
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            log = workdir / f"{name.replace(' ', '-')}.log"
            with log.open("w") as out:
                processes[name] = subprocess.Popen(
                    command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
        for name, url in health.items():
            log = workdir / f"{name.replace(' ', '-')}.log"
            wait_for_http(url, processes[name], log, START_TIMEOUT_S)
        yield Stack(
            f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}", processes, workdir
        )
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


# -- load


def _failed(replies: Any) -> bool:
    if not isinstance(replies, list) or not replies:
        return True
    text = " ".join(str(r.get("text", "")) for r in replies if isinstance(r, dict))
    return any(marker in text for marker in FAILURE_MARKERS)


def _download_url(replies: list[dict]) -> str | None:
    for reply in replies:
        custom = reply.get("custom") if isinstance(reply, dict) else None
        if isinstance(custom, dict) and "koers_download" in custom:
            return custom["koers_download"].get("pdf_url")
    return None


async def employee(
    session: aiohttp.ClientSession,
    stack: Stack,
    log: SoakLog,
    plan: SoakPlan,
    rng: random.Random,
    started: float,
    deadline: float,
    index: int,
    once: bool = False,
) -> None:
    """One employee: conversations one after the other, alternating scripts, until ``deadline``."""
    webhook = f"{stack.rasa_url}/webhooks/rest/webhook"
    names = list(SCRIPTS)
    turn = index
    while time.monotonic() < deadline:
        name = names[turn % len(names)]
        turn += 1
        sender = f"soak-{uuid.uuid4().hex}"
        token = mint_token(
            load.MUNICIPALITY, uuid.uuid4().hex, load.WIDGET_SECRET, 3600, int(time.time())
        )
        for text in SCRIPTS[name]:
            body = {"sender": sender, "message": text, "metadata": {"widget_token": token}}
            began = time.monotonic()
            replies: Any = None
            try:
                async with session.post(webhook, json=body) as response:
                    replies = await response.json() if response.status == 200 else None
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
                replies = None
            ok = not _failed(replies)
            log.samples.append(Sample(time.monotonic() - started, time.monotonic() - began, ok))
            if not ok:
                log.error("turn" if replies is None else "polite failure answer")
            pdf = _download_url(replies) if isinstance(replies, list) else None
            if pdf:
                await _download(session, pdf, log, started)
            if time.monotonic() >= deadline:
                break
            if plan.think_seconds > 0:
                await asyncio.sleep(rng.uniform(0.5, 1.5) * plan.think_seconds)
        log.conversations[name] = log.conversations.get(name, 0) + 1
        if once and turn - index >= len(names):
            return


async def _download(session: aiohttp.ClientSession, url: str, log: SoakLog, started: float) -> None:
    if not url.startswith("http://127.0.0.1:"):  # loopback only, whatever the reply says
        log.error("download off loopback")
        return
    began = time.monotonic()
    ok = False
    try:
        async with session.get(url) as response:
            ok = response.status == 200 and (await response.read()).startswith(b"%PDF")
    except (aiohttp.ClientError, asyncio.TimeoutError):
        ok = False
    log.samples.append(Sample(time.monotonic() - started, time.monotonic() - began, ok, "pdf"))
    if not ok:
        log.error("sheet download")


async def drive(stack: Stack, plan: SoakPlan, seconds: float, once: bool = False) -> SoakLog:
    """``plan.employees`` employees for ``seconds`` (or each kind of conversation once)."""
    log = SoakLog()
    connector = aiohttp.TCPConnector(limit=plan.employees + 5)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        started = time.monotonic()
        deadline = started + seconds

        async def one(index: int) -> None:
            rng = random.Random(index)
            await asyncio.sleep(rng.uniform(0, plan.think_seconds) if index else 0)
            await employee(session, stack, log, plan, rng, started, deadline, index, once)

        async def progress() -> None:
            window = plan.window_minutes * 60
            for index in itertools.count(1):
                await asyncio.sleep(max(0.0, started + index * window - time.monotonic()))
                if once or time.monotonic() > deadline + 1:
                    return
                row = windows(log.samples, window)[index - 1 : index] or [{}]
                rss = ", ".join(f"{k} {_mb(v)}" for k, v in stack.rss().items())
                print(
                    f"  window {index}: {row[0].get('turns', 0)} turns, "
                    f"{row[0].get('errors', 0)} errors, p95 {row[0].get('p95_ms', math.nan):.0f}"
                    f" ms; RSS MB: {rss}",
                    flush=True,
                )

        reporter = asyncio.create_task(progress())
        await asyncio.gather(*(one(i) for i in range(plan.employees)))
        reporter.cancel()
    return log


def build_report(plan: SoakPlan, rss: dict[str, dict[str, Any]], log: SoakLog) -> dict[str, Any]:
    return {
        "minutes": plan.minutes,
        "employees": plan.employees,
        "window_minutes": plan.window_minutes,
        "rss_kib": rss,
        "windows": windows(log.samples, plan.window_minutes * 60),
        "totals": {
            "turns": len(log.samples),
            "errors": sum(1 for s in log.samples if not s.ok),
            "error_kinds": dict(log.error_kinds),
        },
        "conversations": dict(log.conversations),
    }


def main() -> None:
    plan = SoakPlan.from_env()
    workdir = Path(tempfile.mkdtemp(prefix="koers-soak-"))
    print(f"Soak: {plan.minutes:g} min, {plan.employees} employees; logs in {workdir}", flush=True)
    with running_stack(workdir) as stack:
        rss: dict[str, dict[str, Any]] = {name: {"start": kib} for name, kib in stack.rss().items()}
        print("Servers ready. Warm-up: every kind of conversation once.", flush=True)
        warm = asyncio.run(drive(stack, SoakPlan(employees=1, think_seconds=0), 600, once=True))
        for name, kib in stack.rss().items():
            rss[name]["warm"] = kib
        print(
            f"Warm-up done ({len(warm.samples)} turns, "
            f"{sum(not s.ok for s in warm.samples)} errors). Soaking.",
            flush=True,
        )
        log = asyncio.run(drive(stack, plan, plan.minutes * 60))
        for name, process in stack.processes.items():
            rss[name]["end"] = tree_rss_kib(process.pid)
            rss[name]["peak"] = tree_rss_kib(process.pid, "VmHWM")
            rss[name]["alive"] = process.poll() is None
    report = build_report(plan, rss, log)
    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "soak.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    print(render(report))
    print(f"Report: {REPORT_DIR / 'soak.json'}; logs: {workdir}")


if __name__ == "__main__":
    main()
