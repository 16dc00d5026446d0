"""Helpers for the chat-widget tests: a TCP proxy whose connection can be cut, and the stack.

The proxy sits between the browser (or a socket.io client) and the Rasa server, so a test can
drop the connection for real: close every open connection, refuse new ones for a while, or
swallow what the server sends (a reply lost on the way) before cutting.
"""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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


class CuttableProxy:
    """A TCP proxy on 127.0.0.1 (own event loop in a thread) to one upstream port."""

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.port = 0
        self.refusing = False
        self.swallow_downstream = False
        self._writers: set[asyncio.StreamWriter] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, name="cuttable-proxy", daemon=True)
        self._started = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._started.set()
        self._loop.run_forever()

    def start(self) -> CuttableProxy:
        self._thread.start()
        if not self._started.wait(10):
            raise RuntimeError("proxy did not start")
        return self

    async def _pipe(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, downstream: bool
    ) -> None:
        try:
            while data := await reader.read(65536):
                if downstream and self.swallow_downstream:
                    continue
                writer.write(data)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        if self.refusing:
            client_w.close()
            return
        try:
            up_r, up_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        except OSError:
            client_w.close()
            return
        self._writers.update({client_w, up_w})
        try:
            await asyncio.gather(
                self._pipe(client_r, up_w, downstream=False),
                self._pipe(up_r, client_w, downstream=True),
            )
        finally:
            self._writers.difference_update({client_w, up_w})

    def _call(self, fn: Any) -> Any:
        async def run() -> Any:
            return fn()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(10)

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until :meth:`restore`."""

        def close_all() -> None:
            self.refusing = True
            for writer in list(self._writers):
                with contextlib.suppress(Exception):
                    writer.transport.abort()

        self._call(close_all)

    def restore(self) -> None:
        def reopen() -> None:
            self.refusing = False
            self.swallow_downstream = False

        self._call(reopen)

    def stop(self) -> None:
        def close() -> None:
            if self._server is not None:
                self._server.close()
            for writer in list(self._writers):
                with contextlib.suppress(Exception):
                    writer.transport.abort()

        self._call(close)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@dataclass
class WidgetStack:
    """Rasa + action server (real, trained model), the proxy in front of Rasa, the web app."""

    servers: Any  # tests.conversation.conftest.KoersServers
    proxy: CuttableProxy
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
        workdir, f"sqlite:///{workdir / 'tracker.db'}", database_url=f"sqlite:///{database}",
        extra_env=extra_env,
    ) as servers:
        proxy = CuttableProxy(servers.rasa_port).start()
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
