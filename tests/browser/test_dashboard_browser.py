"""The coordinators' dashboard in real headless Chromium: log in, charts, the period switch
(by keyboard), filter, export, the funnel and workshop pages, screenshots, and no serious or
critical axe-core violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.db.engine import dispose_engines, make_engine, make_session_factory, migrate
from bot.trends import periods as pe
from bot.web.app import init_app
from tests.browser_support import ConsoleRecorder, run_axe, serve_app_in_thread
from tests.ledger.support import basic_data, load
from tests.trends.support import (
    EARLIER_WEEK,
    LAST_QUARTER,
    LAST_WEEK,
    PASSWORD,
    QUARTER_WEEKS,
    SEED,
    dashboard_settings,
    make_accounts,
    pilot_rows,
    seed_events,
)


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    load(sessions, basic_data())
    make_accounts(sessions)
    seed_events(sessions, SEED + pilot_rows())
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
            # it opens on the last completed quarter, where the pilot's small weeks add up
            charts = page.locator("svg[role=img]")
            assert charts.count() >= 2
            assert "Per kwartaal" in (charts.first.locator("title").text_content() or "")
            quarter = page.locator("table").first.inner_text()
            assert f"{pe.label(pe.KIND_QUARTER, LAST_QUARTER)}\t{2 * len(QUARTER_WEEKS)}" in quarter
            assert "< 5" in page.locator("table").nth(1).inner_text()  # GM9903: 1 conversation
            assert page.locator(".periods [aria-current=true]").inner_text() == "Kwartaal"
            assert run_axe(page) == []

            page.click("text=Stappen in het programma")
            page.wait_for_url("**/dashboard/stappen*")
            steps = page.locator("table").first.inner_text()
            assert f"Gesprekken\t{2 * len(QUARTER_WEEKS)}" in steps
            assert "Scans afgerond\t< 5" in steps
            page.screenshot(path=str(artefacts_dir / "dashboard-stappen.png"), full_page=True)
            assert run_axe(page) == []

            page.click("text=Workshops en kansen")
            page.wait_for_url("**/dashboard/aanbod*")
            assert page.locator("svg[role=img]").count() >= 3
            themes = page.locator("table").first.inner_text()
            assert f"Talenten ontdekken\t< 5\t{len(QUARTER_WEEKS)}" in themes
            page.screenshot(path=str(artefacts_dir / "dashboard-aanbod.png"), full_page=True)
            assert run_axe(page) == []

            # the period switch works by keyboard: Tab to the link, Enter
            page.focus(".periods a >> text=Maand")
            page.keyboard.press("Enter")
            page.wait_for_url("**periode=maand**")
            assert page.locator("#van").evaluate("element => element.tagName") == "SELECT"
            assert run_axe(page) == []
            page.focus(".periods a >> text=Week")
            page.keyboard.press("Enter")
            page.wait_for_url("**periode=week**")

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
