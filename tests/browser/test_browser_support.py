"""The browser-test helpers themselves: Chromium starts, axe finds a real violation."""

from __future__ import annotations

from aiohttp import web

from tests.browser_support import ConsoleRecorder, run_axe, serve_app_in_thread


def _page_app(body: str) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        head = '<title>Test</title><link rel="icon" href="data:,">'
        html = f'<!doctype html><html lang="nl"><head>{head}</head><body>{body}</body></html>'
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/", page)
    return app


def test_axe_reports_an_unlabelled_input_and_passes_a_labelled_one(chromium_browser, artefacts_dir):
    bad = _page_app('<main><h1>Kop</h1><input type="text"></main>')
    good = _page_app(
        '<main><h1>Kop</h1><label for="a">Naam</label><input id="a" type="text"></main>'
    )
    page = chromium_browser.new_page()
    try:
        console = ConsoleRecorder(page)
        with serve_app_in_thread(bad) as url:
            page.goto(url)
            violations = run_axe(page)
            assert any(violation["id"] == "label" for violation in violations), violations
        with serve_app_in_thread(good) as url:
            page.goto(url)
            assert run_axe(page) == []
            page.screenshot(path=str(artefacts_dir / "browser-support.png"))
        assert console.errors == []
    finally:
        page.close()
