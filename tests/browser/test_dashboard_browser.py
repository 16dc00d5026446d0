"""The coordinators' dashboard in real headless Chromium: log in, charts, filter, export,
screenshot, and no serious or critical axe-core violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.db.engine import dispose_engines, make_engine, make_session_factory, migrate
from bot.web.app import init_app
from tests.browser_support import ConsoleRecorder, run_axe, serve_app_in_thread
from tests.ledger.support import basic_data, load
from tests.trends.support import (
    EARLIER_WEEK,
    LAST_WEEK,
    PASSWORD,
    SEED,
    dashboard_settings,
    make_accounts,
    seed_events,
)


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    load(sessions, basic_data())
    make_accounts(sessions)
    seed_events(sessions, SEED)
    engine.dispose()
    return url


def test_dashboard_in_chromium(chromium_browser: Any, artefacts_dir: Path, tmp_path: Path) -> None:
    url = _database(tmp_path)
    app = init_app(dashboard_settings(url))
    # bypass_csp: the dashboard forbids every script; the test injects axe-core anyway.
    context = chromium_browser.new_context(accept_downloads=True, bypass_csp=True)
    page = context.new_page()
    try:
        console = ConsoleRecorder(page)
        with serve_app_in_thread(app) as base:
            page.goto(f"{base}/dashboard/")
            assert page.locator("h1").inner_text() == "Inloggen"
            assert run_axe(page) == []
            page.fill("#username", "programma")
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_url("**/dashboard/overzicht")
            charts = page.locator("svg[role=img]")
            assert charts.count() >= 2
            assert "Per week" in (charts.first.locator("title").text_content() or "")
            assert page.locator("table").count() >= 2
            assert "< 5" in page.locator("table").nth(1).inner_text()  # GM9903: 3 conversations
            assert run_axe(page) == []

            page.click("text=Loopbaanrichtingen")
            page.wait_for_url("**/dashboard/richtingen*")
            page.select_option("#gemeente", "GM9901")
            page.fill("#van", LAST_WEEK)
            page.fill("#tot", LAST_WEEK)
            page.click("text=Toon")
            page.wait_for_url("**gemeente=GM9901**")
            table = page.locator("table").first.inner_text()
            assert "Verbreden\t7" in table and "Buiten de deur\t< 5" in table
            assert "Totaal\t7" in table
            page.screenshot(path=str(artefacts_dir / "dashboard-richtingen.png"), full_page=True)
            assert run_axe(page) == []

            with page.expect_download() as download_info:
                page.click("text=Download deze cijfers als CSV")
            saved = artefacts_dir / "dashboard-richtingen.csv"
            download_info.value.save_as(str(saved))
            exported = saved.read_text(encoding="utf-8-sig")
            assert "Verbreden;7" in exported and "Buiten de deur;< 5" in exported

            page.fill("#van", "2026-W99")
            page.click("text=Toon")
            assert "geldige week" in page.locator("[role=alert]").inner_text()
            assert page.locator("table").count() == 0
            assert run_axe(page) == []

            page.goto(f"{base}/dashboard/kwaliteit?van={EARLIER_WEEK}")
            assert "per 100 gesprekken" in page.content()
            page.screenshot(path=str(artefacts_dir / "dashboard-kwaliteit.png"), full_page=True)
            assert run_axe(page) == []

            page.click("text=Uitloggen")
            page.wait_for_url("**/dashboard/login")
        # only the deliberate bad week answered 400; nothing else failed
        assert [error for error in console.errors if "status of 400" not in error] == []
    finally:
        context.close()
        dispose_engines()
