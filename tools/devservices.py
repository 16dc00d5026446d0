"""Throwaway PostgreSQL, Redis and nginx processes for fault tests, scale tests and the benchmark.

Each runs as a child process on a free port with its data in a temporary directory, so tests
never touch the system services. PostgreSQL refuses to run as root: as root its commands run as
the ``postgres`` system user (``runuser``).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def stack_env(action_port: int, tracker_url: str, database_url: str, **more: str) -> dict[str, str]:
    """The environment every script gives Koers' processes: this project on the path, the action
    server on ``action_port``, both databases, no TensorFlow chatter or telemetry; ``more`` last."""
    return {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "RASA_TELEMETRY_ENABLED": "false",
        "KOERS_ACTION_ENDPOINT_URL": f"http://127.0.0.1:{action_port}/webhook",
        "KOERS_TRACKER_DB_URL": tracker_url,
        "KOERS_DATABASE_URL": database_url,
        **more,
    }


def init_ledger(env: dict[str, str]) -> None:
    """Create or migrate the application database of ``env`` (``python -m bot.ledger.cli init``)."""
    subprocess.run(
        [sys.executable, "-m", "bot.ledger.cli", "init"],
        cwd=PROJECT_ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def action_server_command(port: int) -> list[str]:
    """The action server as every script starts it (``python -m actions.server``)."""
    return [sys.executable, "-m", "actions.server", "--actions", "actions", "--port", str(port)]


def rasa_server_command(
    model: str | Path,
    port: int,
    *options: str,
    endpoints: str = "endpoints.yml",
    credentials: str = "credentials.yml",
) -> list[str]:
    """The Rasa server as every script starts it: through the entry point that installs the
    patches (``python -m bot.rasa_ext.server run``); ``options`` are more ``rasa run`` flags."""
    return [
        sys.executable,
        "-m",
        "bot.rasa_ext.server",
        "run",
        "--model",
        str(model),
        "--port",
        str(port),
        "--credentials",
        credentials,
        "--endpoints",
        endpoints,
        *options,
    ]


def stop_process(process: subprocess.Popen | None, timeout: float = 20) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0, up: bool = True) -> None:
    """Wait until 127.0.0.1:``port`` accepts connections (``up``) or refuses them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            is_up = sock.connect_ex(("127.0.0.1", port)) == 0
        if is_up == up:
            return
        time.sleep(0.1)
    raise TimeoutError(f"port {port} not {'up' if up else 'down'} after {timeout} s")


def wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    """Waits until ``url`` answers 200; fails early with the log's tail if ``process`` exits."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"{url} not up after {timeout:g} s:\n{log.read_text()[-4000:]}")


def pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise FileNotFoundError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1]).parent


def _as_postgres(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


@dataclass
class Postgres:
    """A private PostgreSQL cluster (trust auth, user ``postgres``)."""

    root: Path
    port: int

    @property
    def datadir(self) -> Path:
        return self.root / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _ctl(self, *args: str) -> None:
        cmd = [str(pg_bindir() / "pg_ctl"), "-D", str(self.datadir), "-w", "-t", "60", *args]
        subprocess.run(_as_postgres(cmd), check=True, capture_output=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._ctl("-l", str(self.root / "postgres.log"), "-o", options, "start")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "stop")

    def create_database(self, name: str) -> str:
        cmd = [
            str(pg_bindir() / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(self.port),
            "-U",
            "postgres",
            name,
        ]
        subprocess.run(cmd, check=True, capture_output=True)
        return self.url(name)


@contextlib.contextmanager
def running_postgres() -> Iterator[Postgres]:
    """initdb + start a cluster in a temporary directory; stop and delete it afterwards."""
    root = Path(tempfile.mkdtemp(prefix="koers-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    pg = Postgres(root=root, port=free_port())
    initdb = [
        str(pg_bindir() / "initdb"),
        "-D",
        str(pg.datadir),
        "-U",
        "postgres",
        "--auth=trust",
        "-E",
        "UTF8",
        "--no-sync",
    ]
    subprocess.run(_as_postgres(initdb), check=True, capture_output=True)
    pg.start()
    try:
        yield pg
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            pg.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@dataclass
class Redis:
    """A private redis-server without persistence."""

    port: int
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_for_port(self.port, up=False)


@contextlib.contextmanager
def running_redis() -> Iterator[Redis]:
    redis = Redis(port=free_port())
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
