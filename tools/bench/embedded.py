"""Koers as ``make run`` runs it, for the benchmark: SQLite, one Sanic worker, no Redis.

Three processes: the Rasa server (``endpoints.yml``: the scrubbing SQLite tracker store), the
action server and the web app, all on free ports with their databases in ``workdir``. The
issue's comparison with other assistants was measured in this shape (SQLite tracker stores,
one worker each); ``tools.scale`` is the production shape on PostgreSQL and Redis.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import PROJECT_ROOT
from tools.devservices import (
    action_server_command,
    free_port,
    init_ledger,
    rasa_server_command,
    stack_env,
    stop_process,
    wait_for_http,
)

START_TIMEOUT_S = 300


@dataclass
class Embedded:
    rasa_url: str
    web_url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    #: seconds from the Rasa server's start until it answered HTTP (includes the model load)
    rasa_ready_s: float = 0.0


@contextlib.contextmanager
def running_embedded(
    workdir: Path, extra_env: dict[str, str] | None = None, model: Path | None = None
) -> Iterator[Embedded]:
    model = model or Path(os.environ.get("KOERS_MODEL", PROJECT_ROOT / "models/koers.tar.gz"))
    action_port, rasa_port, web_port = free_port(), free_port(), free_port()
    env = stack_env(
        action_port,
        f"sqlite:///{workdir / 'tracker.db'}",
        f"sqlite:///{workdir / 'koers.db'}",
        **{
            "PYTHONWARNINGS": "ignore",
            "KOERS_WEB_PORT": str(web_port),
            "KOERS_RASA_PORT": str(rasa_port),
            "KOERS_IDENTITY_SECRET": os.environ.get("KOERS_IDENTITY_SECRET")
            or secrets.token_urlsafe(48),
            "KOERS_ACTION_SECRET": os.environ.get("KOERS_ACTION_SECRET")
            or secrets.token_urlsafe(48),
            "SANIC_WORKERS": "1",
            **(extra_env or {}),  # the caller's values win
        },
    )
    init_ledger(env)
    deployment = Embedded(f"http://127.0.0.1:{rasa_port}", f"http://127.0.0.1:{web_port}")
    commands = {
        "actions": action_server_command(action_port),
        "web": [sys.executable, "-m", "bot.web"],
        "rasa": rasa_server_command(model, rasa_port, *_api(env)),
    }
    try:
        started = time.monotonic()
        for name, command in commands.items():
            with (workdir / f"{name}.log").open("a") as out:
                deployment.processes[name] = subprocess.Popen(
                    command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
                )
        wait_for_http(
            f"http://127.0.0.1:{action_port}/health",
            deployment.processes["actions"],
            workdir / "actions.log",
            START_TIMEOUT_S,
        )
        wait_for_http(
            f"{deployment.rasa_url}/",
            deployment.processes["rasa"],
            workdir / "rasa.log",
            START_TIMEOUT_S,
        )
        deployment.rasa_ready_s = time.monotonic() - started
        wait_for_http(
            f"{deployment.web_url}/health",
            deployment.processes["web"],
            workdir / "web.log",
            START_TIMEOUT_S,
        )
        yield deployment
    finally:
        for process in deployment.processes.values():
            stop_process(process)


def _api(env: dict[str, str]) -> list[str]:
    token = env.get("KOERS_RASA_AUTH_TOKEN", "")
    return ["--enable-api", "--auth-token", token] if token else []
