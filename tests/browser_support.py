"""Helpers for browser tests in real headless Chromium (Debian's /usr/bin/chromium).

Playwright drives the system browser; it never downloads one. axe-core comes from the
project's npm packages (package.json, installed by scripts/setup.sh) and is injected into
the page under test, so the accessibility check runs in the same browser the test uses.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS_DIR = ROOT / "tests" / "artefacts"
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERIOUS_IMPACTS = {"serious", "critical"}


def chromium_path() -> str | None:
    """The system Chromium, or KOERS_CHROMIUM when set."""
    configured = os.environ.get("KOERS_CHROMIUM")
    if configured:
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def run_axe(page: Any, context: str | None = None) -> list[dict[str, Any]]:
    """Runs axe-core (WCAG 2.1 A/AA rules) on the page; returns serious and critical violations."""
    # evaluate() goes through the DevTools protocol, so a strict Content-Security-Policy on the
    # page under test (no inline scripts) does not block axe-core.
    page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async (context) => await axe.run(context || document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })""",
        context,
    )
    return [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
        if violation.get("impact") in SERIOUS_IMPACTS
    ]


class ConsoleRecorder:
    """Collects console errors and uncaught page errors, so a test can assert there were none."""

    def __init__(self, page: Any) -> None:
        self.errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _on_console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text}")


@contextmanager
def serve_app_in_thread(
    app: web.Application, host: str = "127.0.0.1", port: int = 0
) -> Iterator[str]:
    """Runs an aiohttp app (on ``port``, default a free one) in a thread; yields its base URL.

    Browser tests use Playwright's sync API, so the app under test gets its own event loop.
    """
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    started = threading.Event()
    address: dict[str, Any] = {}

    async def start() -> None:
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        address["port"] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        started.set()
        loop.run_forever()

    thread = threading.Thread(target=run, name="browser-test-app", daemon=True)
    thread.start()
    if not started.wait(30):
        raise RuntimeError("the web app did not start within 30 s")
    try:
        yield f"http://{host}:{address['port']}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
        loop.close()


@contextmanager
def logged_in_dashboard(
    chromium_browser: Any, app: web.Application, username: str, password: str
) -> Iterator[tuple[Any, ConsoleRecorder]]:
    """A page logged in to the dashboard of ``app`` (served in a thread), with its console;
    axe-core may be injected (the dashboard's CSP is bypassed). Engines are disposed after."""
    from bot.db.engine import dispose_engines

    context = chromium_browser.new_context(bypass_csp=True)
    page = context.new_page()
    try:
        console = ConsoleRecorder(page)
        with serve_app_in_thread(app) as base:
            page.goto(f"{base}/dashboard/login")
            page.fill("#username", username)
            page.fill("#password", password)
            page.click("button[type=submit]")
            page.wait_for_url("**/dashboard/overzicht")
            yield page, console
    finally:
        context.close()
        dispose_engines()
