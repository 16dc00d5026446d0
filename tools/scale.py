"""Koers scaled out on one machine: N Rasa servers + the action server behind nginx.

``make scale`` (scripts/scale.sh) runs :func:`main`. The deployment is the production shape:

* PostgreSQL for conversations (database ``koers_tracker``) and application data
  (``koers_app``): a throwaway cluster of our own unless ``KOERS_TRACKER_DB_URL`` and
  ``KOERS_DATABASE_URL`` already point at PostgreSQL;
* Redis as Rasa's lock store (one conversation is handled by one instance at a time): our own
  ``redis-server`` unless ``KOERS_REDIS_HOST`` is set;
* ``deploy/endpoints.production.yml``; N Rasa servers (``python -m bot.rasa_ext.server run``,
  which installs Koers's patches first; ``KOERS_SCALE_INSTANCES``, default 2) and one action
  server (``python -m actions.server`` on 127.0.0.1, with the header secret
  ``KOERS_ACTION_SECRET``);
* nginx from the distribution, as our own process with a generated config
  (:func:`nginx_config`), on ``KOERS_SCALE_PORT`` (default: a free port).

The same code starts the deployment for ``tests/scale`` (:func:`running_deployment`).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
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
    running_postgres,
    running_redis,
    stack_env,
    stop_process,
    wait_for_http,
    wait_for_port,
)

ENDPOINTS = "deploy/endpoints.production.yml"
START_TIMEOUT_S = 300


def nginx_config(port: int, upstream_ports: list[int], workdir: Path, max_body: str = "64k") -> str:
    """nginx.conf for a load balancer in front of the Rasa servers.

    REST goes to the least busy instance; socket.io sticks to one instance per client address
    (its polling transport keeps state in the process). A POST is only sent to another
    instance when the first could not be reached, so no message is handled twice.
    """
    servers = "\n".join(
        f"    server 127.0.0.1:{p} max_fails=2 fail_timeout=5s;" for p in upstream_ports
    )
    temp = "\n".join(
        f"  {kind}_temp_path {workdir / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""worker_processes 1;
pid {workdir / 'nginx.pid'};
error_log {workdir / 'error.log'} crit;  # lower levels log client addresses and URLs
events {{ worker_connections 1024; }}
http {{
  include {PROJECT_ROOT / 'deploy' / 'nginx-privacy.conf'};
  access_log {workdir / 'access.log'} koers_private;
{temp}
  client_max_body_size {max_body};
  upstream koers_rasa {{
    least_conn;
{servers}
    keepalive 32;
  }}
  upstream koers_rasa_sticky {{
    hash $remote_addr consistent;
{servers}
  }}
  map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
  server {{
    listen 127.0.0.1:{port};
    location /socket.io/ {{
      proxy_pass http://koers_rasa_sticky;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 300s;
    }}
    location / {{
      proxy_pass http://koers_rasa;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_502 http_503;
    }}
  }}
}}
"""


def _wait_http(url: str, process: subprocess.Popen, log: Path) -> None:
    wait_for_http(url, process, log, START_TIMEOUT_S)


@dataclass
class Deployment:
    workdir: Path
    env: dict[str, str]
    nginx_url: str
    rasa_urls: list[str]
    action_url: str
    tracker_db_url: str
    database_url: str
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    #: seconds from process start until it answered HTTP (Rasa: includes loading the model)
    ready_seconds: dict[str, float] = field(default_factory=dict)


@contextlib.contextmanager
def _databases() -> Iterator[tuple[str, str]]:
    tracker, app = (
        os.environ.get("KOERS_TRACKER_DB_URL", ""),
        os.environ.get("KOERS_DATABASE_URL", ""),
    )
    if tracker.startswith("postgresql") and app.startswith("postgresql"):
        yield tracker, app
        return
    with running_postgres() as postgres:
        yield postgres.create_database("koers_tracker"), postgres.create_database("koers_app")


@contextlib.contextmanager
def _redis() -> Iterator[tuple[str, str]]:
    if os.environ.get("KOERS_REDIS_HOST"):
        yield os.environ["KOERS_REDIS_HOST"], os.environ.get("KOERS_REDIS_PORT", "6379")
        return
    with running_redis() as redis:
        yield "127.0.0.1", str(redis.port)


def deployment_secrets() -> dict[str, str]:
    """The identity and action secrets of this deployment: the configured ones, or random ones.

    The Rasa servers and the action server must share them (the action server refuses to start
    without them); a throwaway deployment without configured values gets fresh random ones.
    """
    return {
        name: os.environ.get(name, "").strip() or secrets.token_urlsafe(48)
        for name in ("KOERS_IDENTITY_SECRET", "KOERS_ACTION_SECRET")
    }


@contextlib.contextmanager
def running_deployment(
    workdir: Path,
    instances: int = 2,
    model: Path | None = None,
    port: int | None = None,
    extra_env: dict[str, str] | None = None,
    rasa_workers: int = 1,
) -> Iterator[Deployment]:
    """Start databases, Redis, the action server, ``instances`` Rasa servers and nginx.

    ``rasa_workers`` > 1 runs each Rasa server with that many Sanic worker processes (Rasa's
    ``SANIC_WORKERS``; each loads the model). The socket.io widget then needs sticky sessions
    per worker or the websocket transport only; REST and Teams need nothing more.
    """
    model = model or Path(os.environ.get("KOERS_MODEL", PROJECT_ROOT / "models/koers.tar.gz"))
    with _databases() as (tracker_url, app_url), _redis() as (redis_host, redis_port):
        action_port = free_port()
        env = stack_env(
            action_port,
            tracker_url,
            app_url,
            **{
                "KOERS_REDIS_HOST": redis_host,
                "KOERS_REDIS_PORT": redis_port,
                "KOERS_REDIS_DB": os.environ.get("KOERS_REDIS_DB", "0"),
                **deployment_secrets(),
                **(extra_env or {}),  # the caller's values win
            },
        )
        init_ledger(env)
        processes: dict[str, subprocess.Popen] = {}
        try:
            log = workdir / "actions.log"
            with log.open("a") as out:
                processes["actions"] = subprocess.Popen(
                    action_server_command(action_port),
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            with (workdir / "sender.log").open("a") as out:  # coach e-mail: bot/notify/sender.py
                processes["sender"] = subprocess.Popen(
                    [sys.executable, "-m", "bot.notify.sender"],
                    cwd=PROJECT_ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            rasa_ports = [free_port() for _ in range(instances)]
            launched = time.monotonic()
            ready: dict[str, float] = {}
            token = env.get("KOERS_RASA_AUTH_TOKEN", "")
            api = ["--enable-api", "--auth-token", token] if token else []
            origins = [o.strip() for o in env.get("KOERS_CORS_ORIGINS", "").split(",") if o.strip()]
            api += ["--cors", *origins] if origins else []  # configured origins only, never *
            for index, rasa_port in enumerate(rasa_ports):
                with (workdir / f"rasa{index + 1}.log").open("a") as out:
                    processes[f"rasa{index + 1}"] = subprocess.Popen(
                        rasa_server_command(model, rasa_port, *api, endpoints=ENDPOINTS),
                        cwd=PROJECT_ROOT,
                        env={**env, "SANIC_WORKERS": str(rasa_workers)},
                        stdout=out,
                        stderr=subprocess.STDOUT,
                    )
            _wait_http(f"http://127.0.0.1:{action_port}/health", processes["actions"], log)
            for index, rasa_port in enumerate(rasa_ports):
                _wait_http(
                    f"http://127.0.0.1:{rasa_port}/",
                    processes[f"rasa{index + 1}"],
                    workdir / f"rasa{index + 1}.log",
                )
                ready[f"rasa{index + 1}"] = time.monotonic() - launched
            nginx_dir = workdir / "nginx"
            nginx_dir.mkdir(exist_ok=True)
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
                (nginx_dir / kind).mkdir(exist_ok=True)
                (nginx_dir / kind).chmod(0o777)
            nginx_port = port or free_port()
            conf = nginx_dir / "nginx.conf"
            conf.write_text(nginx_config(nginx_port, rasa_ports, nginx_dir))
            nginx = shutil.which("nginx") or "/usr/sbin/nginx"
            processes["nginx"] = subprocess.Popen(
                [
                    nginx,
                    "-c",
                    str(conf),
                    "-p",
                    str(nginx_dir),
                    "-e",
                    str(nginx_dir / "error.log"),
                    "-g",
                    "daemon off;",
                ],
                stdout=subprocess.DEVNULL,
                stderr=(nginx_dir / "stderr.log").open("w"),
            )
            wait_for_port(nginx_port)
            yield Deployment(
                workdir=workdir,
                env=env,
                nginx_url=f"http://127.0.0.1:{nginx_port}",
                rasa_urls=[f"http://127.0.0.1:{p}" for p in rasa_ports],
                action_url=f"http://127.0.0.1:{action_port}",
                tracker_db_url=tracker_url,
                database_url=app_url,
                processes=processes,
                ready_seconds=ready,
            )
        finally:
            for name in (
                "nginx",
                *[n for n in processes if n.startswith("rasa")],
                "actions",
                "sender",
            ):
                if name in processes:
                    stop_process(processes[name], timeout=30)


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Run the scaled-out deployment until Ctrl-C or SIGTERM."""
    instances = int(os.environ.get("KOERS_SCALE_INSTANCES", "2"))
    workers = int(os.environ.get("KOERS_SCALE_WORKERS", "1"))
    port = int(os.environ["KOERS_SCALE_PORT"]) if os.environ.get("KOERS_SCALE_PORT") else None
    workdir = Path(tempfile.mkdtemp(prefix="koers-scale-"))
    signal.signal(signal.SIGTERM, _interrupt)
    print(
        f"Starting {instances} Rasa servers ({workers} worker(s) each), the action server "
        f"and nginx (logs: {workdir})"
    )
    with (
        contextlib.suppress(KeyboardInterrupt),
        running_deployment(workdir, instances, port=port, rasa_workers=workers) as deployment,
    ):
        print(f"Koers runs behind nginx at {deployment.nginx_url}")
        print(
            f"  REST: curl -s {deployment.nginx_url}/webhooks/rest/webhook "
            '-d \'{"sender": "demo", "message": "hoi"}\''
        )
        print(f"  Rasa instances: {', '.join(deployment.rasa_urls)}")
        print(f"  tracker store: {deployment.tracker_db_url}; app data: {deployment.database_url}")
        print("Ctrl-C stops everything.")
        while all(p.poll() is None for p in deployment.processes.values()):
            time.sleep(1)
        print("A process stopped; shutting down.", file=sys.stderr)


if __name__ == "__main__":
    main()
