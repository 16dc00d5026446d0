"""The coordinator's opportunity pages in real headless Chromium: log in, list, add with a
validation error shown next to its field, add, close; no serious or critical axe-core
violations on any of these pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.clock import utcnow
from bot.db.engine import (
    make_engine,
    make_session_factory,
    migrate,
    run_in_transaction,
)
from bot.opportunities.importer import apply_batch, parse_document
from bot.web.app import init_app
from tests.browser_support import logged_in_dashboard, run_axe
from tests.ledger.support import basic_data, load
from tests.trends.support import PASSWORD, dashboard_settings, make_accounts
from tests.web.test_opportunities_web import CATALOGUE


def _database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'opportunities.db'}"
    migrate(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    load(sessions, basic_data())
    make_accounts(sessions)
    now = utcnow()
    with sessions() as session:
        batch = parse_document(CATALOGUE, today=now.date(), now=now)
        run_in_transaction(session, apply_batch, batch=batch, now=now, actor="test")
    engine.dispose()
    return url


def test_opportunity_pages_in_chromium(
    chromium_browser: Any, artefacts_dir: Path, tmp_path: Path
) -> None:
    url = _database(tmp_path)
    app = init_app(dashboard_settings(url))
    with logged_in_dashboard(chromium_browser, app, "coord-gm9901", PASSWORD) as (
        page,
        console,
    ):
        page.click("text=Kansen in de regio")
        page.wait_for_url("**/dashboard/kansen")
        assert page.locator("h1").inner_text() == "Kansen in de regio"
        table = page.locator("table").inner_text()
        assert "Vacature uit het importbestand" in table
        assert "Testerveen" not in table
        assert run_axe(page) == []

        page.click("text=Nieuwe kans toevoegen")
        page.wait_for_url("**/dashboard/kansen/nieuw")
        assert run_axe(page) == []
        page.select_option("#soort", "meeloopstage")
        page.fill("#titel", "Meelopen bij Burgerzaken")
        page.fill("#beschrijving", "Je loopt twee dagen mee aan de balie.")
        page.fill("#contact", "g.jansen@voorbeeldstad.example")
        page.fill("#schaal_van", "6")
        page.fill("#schaal_tot", "19")
        page.check("#competentie-contact")
        page.click("text=Opslaan")
        alert = page.locator("[role=alert]").inner_text()
        assert "Er is nog niets opgeslagen" in alert and "deze 2 velden" in alert
        assert "adres van een persoon" in page.locator("#contact-fout").inner_text()
        assert page.locator("#contact").get_attribute("aria-invalid") == "true"
        assert "contact-fout" in (page.locator("#contact").get_attribute("aria-describedby") or "")
        assert page.locator("#competentie-contact").is_checked()  # input is kept
        page.screenshot(path=str(artefacts_dir / "kansen-fouten.png"), full_page=True)
        assert run_axe(page) == []

        page.fill("#contact", "p&o@voorbeeldstad.example")
        page.fill("#schaal_tot", "8")
        page.click("text=Opslaan")
        page.wait_for_url("**/dashboard/kansen?klaar=toegevoegd")
        assert "De kans is toegevoegd." in page.locator("[role=status]").inner_text()
        row = page.locator("tr", has_text="Meelopen bij Burgerzaken")
        assert "Open" in row.inner_text()
        page.screenshot(path=str(artefacts_dir / "kansen-lijst.png"), full_page=True)
        assert run_axe(page) == []

        # the button names its listing for screen readers (the title is visually hidden)
        row.get_by_role("button", name=re.compile(r"^Sluiten\W+Meelopen bij Burgerzaken$")).click()
        page.wait_for_url("**/dashboard/kansen?klaar=gesloten")
        closed = page.locator("tr", has_text="Meelopen bij Burgerzaken").inner_text()
        assert "Gesloten" in closed
        assert run_axe(page) == []
    # only the deliberate validation error answered 400; nothing else failed
    assert [error for error in console.errors if "status of 400" not in error] == []
