"""The generated nginx configuration is valid for the distribution's nginx, and its logs hold
no tokens and no client addresses (issue 14: "no tokens, no raw IPs in any log")."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from tools.devservices import free_port
from tools.scale import nginx_config

PRIVACY_CONF = PROJECT_ROOT / "deploy" / "nginx-privacy.conf"
#: nginx variables that carry a token (query string) or a client address.
FORBIDDEN_LOG_VARIABLES = (
    "$request ",
    '$request"',
    "$request'",
    "$request_uri",
    "$args",
    "$query_string",
    "$arg_",
    "$remote_addr",
    "$http_x_forwarded_for",
    "$proxy_add_x_forwarded_for",
    "$http_referer",
    "$http_cookie",
    "$realip_remote_addr",
    "$binary_remote_addr",
)


def _nginx() -> str:
    nginx = shutil.which("nginx") or (
        "/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx") else None
    )
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed")
        pytest.skip("nginx is not installed")
    return nginx


def _prepare(tmp_path: Path, port: int, upstreams: list[int]) -> Path:
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir(exist_ok=True)
    conf = tmp_path / "nginx.conf"
    conf.write_text(nginx_config(port, upstreams, tmp_path))
    return conf


def test_nginx_accepts_the_generated_config(tmp_path) -> None:
    nginx = _nginx()
    config = nginx_config(18080, [18081, 18082], tmp_path)
    assert config.count("server 127.0.0.1:18081") == 2  # REST and sticky socket.io upstreams
    assert "least_conn;" in config and "hash $remote_addr consistent;" in config
    conf = _prepare(tmp_path, 18080, [18081, 18082])
    result = subprocess.run(
        [nginx, "-t", "-c", str(conf), "-p", str(tmp_path), "-e", str(tmp_path / "error.log")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_access_log_format_has_no_token_or_client_address(tmp_path) -> None:
    config = nginx_config(18080, [18081], tmp_path)
    assert re.search(r"access_log \S+ koers_private;", config), "access log without our format"
    assert str(PRIVACY_CONF) in config
    text = PRIVACY_CONF.read_text(encoding="utf-8")
    log_format = text[text.index("log_format") :]
    used = [v for v in FORBIDDEN_LOG_VARIABLES if v in log_format]
    assert not used, f"the access log would record {used}"
    assert re.search(r"error_log \S+ (crit|alert|emerg);", config), "error log names clients"


def test_a_token_in_the_url_and_the_client_address_are_not_logged(tmp_path) -> None:
    """nginx itself, with a request carrying ``?token=`` (the widget's socket.io URL)."""
    nginx = _nginx()
    port = free_port()
    conf = _prepare(tmp_path, port, [free_port()])  # nothing listens upstream: a 502
    process = subprocess.Popen(
        [
            nginx,
            "-c",
            str(conf),
            "-p",
            str(tmp_path),
            "-e",
            str(tmp_path / "error.log"),
            "-g",
            "daemon off;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    secret = "eyJhbGciOiJIUzI1NiJ9.geheim-token-4711"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling&token={secret}",
                    timeout=5,
                )
            except urllib.error.HTTPError:
                break  # 502 from nginx: the request was handled and logged
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
                continue
            break
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: the access log is flushed
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("*.log") if p.is_file())
    access = (tmp_path / "access.log").read_text()
    assert "/socket.io/" in access, "the request was not logged at all"
    assert "geheim-token" not in logs and "token=" not in logs
    assert "127.0.0.1" not in access
    assert "127.0.0.0" in access  # the network is kept, the address is not
