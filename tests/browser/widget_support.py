"""Helpers for the chat-widget tests: the stack, with a cuttable proxy in front of Rasa.

The proxy (:class:`tests.loopback_proxy.LoopbackProxy`) sits between the browser (or a
socket.io client) and the Rasa server, so a test can drop the connection for real: close every
open connection, refuse new ones for a while, or swallow what the server sends (a reply lost
on the way) before cutting.
"""

from __future__ import annotations

import contextlib
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.loopback_proxy import LoopbackProxy

ROOT = Path(__file__).resolve().parents[2]
WIDGET_SECRET = "gm9901-widget-test-secret-0123456789abcdef"


def socketio_client(monkeypatch: Any, **options: Any) -> Any:
    """A python-socketio client over websocket, like the widget.

    python-engineio 4.15 builds ``aiohttp.ClientWSTimeout`` (aiohttp >= 3.10) for its websocket;
    Rasa pins aiohttp 3.9.5, whose ``ws_connect`` takes a float timeout instead. Give it that.
    """
    import aiohttp
    import socketio

    monkeypatch.setattr(aiohttp, "ClientWSTimeout", lambda **_: 10.0, raising=False)
    return socketio.AsyncClient(reconnection=False, **options)


def build_widget() -> None:
    """Build the bundle the web app serves (esbuild; well under a second)."""
    esbuild = ROOT / "node_modules" / ".bin" / "esbuild"
    if not esbuild.exists():
        raise RuntimeError("npm packages missing: run `npm ci` (scripts/setup.sh does)")
    subprocess.run(["npm", "run", "--silent", "build"], cwd=ROOT, check=True, timeout=120)


@dataclass
class WidgetStack:
    """Rasa + action server (real, trained model), the proxy in front of Rasa, the web app."""

    servers: Any  # tests.conversation.conftest.KoersServers
    proxy: LoopbackProxy
    web_url: str
    database_path: Path


@contextlib.contextmanager
def running_widget_stack(workdir: Path) -> Iterator[WidgetStack]:
    import dataclasses

    from bot.config import load_settings
    from bot.web.app import init_app
    from tests.browser_support import serve_app_in_thread
    from tests.conversation.conftest import TEST_PSEUDONYM_SECRET, free_port, running_servers

    build_widget()
    database = workdir / "koers.db"
    web_port = free_port()  # known up front: the action server puts it in sheet links
    extra_env = {
        "KOERS_WIDGET_JWT_SECRETS": f"GM9901={WIDGET_SECRET}",
        "KOERS_PUBLIC_BASE_URL": f"http://127.0.0.1:{web_port}",
    }
    with running_servers(
        workdir,
        f"sqlite:///{workdir / 'tracker.db'}",
        database_url=f"sqlite:///{database}",
        extra_env=extra_env,
    ) as servers:
        proxy = LoopbackProxy(servers.rasa_port).start()
        try:
            settings = dataclasses.replace(
                load_settings(),
                database_url=f"sqlite:///{database}",
                pseudonym_secret=TEST_PSEUDONYM_SECRET,
                widget_jwt_secrets=f"GM9901={WIDGET_SECRET}",
                widget_socket_url=proxy.url,
                widget_demo_page=True,
                ledger_housekeeping_minutes=0,
            )
            with serve_app_in_thread(init_app(settings), port=web_port) as web_url:
                yield WidgetStack(servers, proxy, web_url, database)
        finally:
            proxy.stop()
