"""The web app starts the way the run command starts it (`python -m bot.web`)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_python_m_bot_web_serves_health(tmp_path: Path) -> None:
    port = free_port()
    env = {
        **os.environ,
        "KOERS_WEB_HOST": "127.0.0.1",
        "KOERS_WEB_PORT": str(port),
        "KOERS_DATABASE_URL": f"sqlite:///{tmp_path / 'koers.db'}",
        "KOERS_LEDGER_HOUSEKEEPING_MINUTES": "0",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "web.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.web"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        # A sheet link carries its token in the path: nothing may log it, nor the client.
        secret_path = "/voorbereiding/" + "Q" * 43
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{secret_path}?token=abc", timeout=5)
        except urllib.error.HTTPError as refused:
            assert refused.code == 404
    finally:
        process.terminate()
        process.wait(timeout=20)
    written = log.read_text()
    assert "Q" * 43 not in written and "token=abc" not in written
    assert "127.0.0.1 " not in written and '"GET ' not in written
