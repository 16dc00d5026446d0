"""The generated nginx configuration is valid for the distribution's nginx."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

from bot.scale import nginx_config


def test_nginx_accepts_the_generated_config(tmp_path) -> None:
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if os.path.exists("/usr/sbin/nginx")
                                      else None)  # fmt: skip
    if nginx is None:
        if os.environ.get("CI"):
            pytest.fail("nginx is not installed")
        pytest.skip("nginx is not installed")
    for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / kind).mkdir()
    config = nginx_config(18080, [18081, 18082], tmp_path)
    assert config.count("server 127.0.0.1:18081") == 2  # REST and sticky socket.io upstreams
    assert "least_conn;" in config and "hash $remote_addr consistent;" in config
    (tmp_path / "nginx.conf").write_text(config)
    result = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path),
         "-e", str(tmp_path / "error.log")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
