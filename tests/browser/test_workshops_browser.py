"""The coordinators' page of workshop evenings in real headless Chromium: reached from the
dashboard's navigation, one captioned table per evening with row and column headers, and no
serious or critical axe-core violations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.db.engine import make_engine, make_session_factory, migrate
from bot.ledger.catalog import WORKSHOP_THEMES
from bot.web.app import init_app
from tests.browser_support import logged_in_dashboard, run_axe
from tests.trends.support import PASSWORD, dashboard_settings
from tests.web.test_workshops_web import COMING, PAST, tap_world


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'workshops.db'}"
    migrate(url)
    engine = make_engine(url)
    try:
        tap_world(make_session_factory(engine))
    finally:
        engine.dispose()
    return url


def test_workshop_evenings_page_in_chromium(
    chromium_browser: Any, artefacts_dir: Path, tmp_path: Path
) -> None:
    url = _database(tmp_path)
    app = init_app(dashboard_settings(url))
    with logged_in_dashboard(chromium_browser, app, "coord-gm9901", PASSWORD) as (
        page,
        console,
    ):
        page.get_by_role("link", name="Workshopavonden").click()
        page.wait_for_url("**/dashboard/workshops")
        assert page.locator("h1").inner_text() == "Workshopavonden"
        assert page.get_by_role("heading", level=2).all_inner_texts() == [COMING]
        assert PAST not in page.locator("main").inner_text()
        table = page.get_by_role("table", name="Workshops op")
        assert "Heuvelrand" in (table.locator("caption").inner_text())
        assert table.locator("thead th[scope=col]").count() == 6
        assert table.locator("tbody th[scope=row]").all_inner_texts() == list(
            WORKSHOP_THEMES.values()
        )
        full = table.locator("tr", has_text=WORKSHOP_THEMES["gesprek"]).inner_text()
        assert "Vol, wachtlijst" in full
        page.screenshot(path=str(artefacts_dir / "workshopavonden.png"), full_page=True)
        assert run_axe(page) == []
    assert console.errors == []
