"""The preparation sheet in real headless Chromium: renders, no console errors, accessible."""

from __future__ import annotations

import dataclasses
from datetime import date

from bot.config import load_settings
from bot.db.engine import get_engine, make_session_factory, migrate, run_in_transaction
from bot.preparation.practice import likely_reactions
from bot.preparation.questions import ASKS
from bot.preparation.sheet import build_sheet
from bot.preparation.store import save_sheet
from bot.web.app import init_app
from tests.browser_support import ConsoleRecorder, run_axe, serve_app_in_thread


def _stored_token(url: str) -> str:
    answers = {
        "prep_kind": "ontwikkelgesprek",
        "prep_goal": "Afspreken dat ik een cursus Excel mag volgen <script>alert(1)</script>",
        "prep_strengths": ["Plannen", "Klanten helpen"],
        "prep_develop": "werken met data",
        "prep_ask": [ASKS["tijd"], ASKS["budget"]],
        "prep_worry": "Dat (naam) denkt dat ik weg wil",
        "prep_when": "dinsdag 12 maart",
    }
    sheet = build_sheet(
        answers,
        likely_reactions("leidinggevende", "ontwikkelgesprek", answers["prep_ask"]),
        ["Ik wil juist blijven en groeien.", None],
        today=date.today(),
    )
    with make_session_factory(get_engine(url))() as session:
        stored = run_in_transaction(
            session, save_sheet, conversation_id="k1:browser", sheet=sheet, days=7
        )
    return stored.token


def test_sheet_renders_in_chromium(chromium_browser, artefacts_dir, tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'koers.db'}"
    migrate(url)
    token = _stored_token(url)
    settings = dataclasses.replace(load_settings(), database_url=url, ledger_housekeeping_minutes=0)
    # bypass_csp lets axe-core be injected; it also proves escaping alone stops the script.
    context = chromium_browser.new_context(viewport={"width": 900, "height": 1200}, bypass_csp=True)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        console = ConsoleRecorder(page)
        with serve_app_in_thread(init_app(settings)) as base:
            response = page.goto(f"{base}/voorbereiding/{token}")
            assert response is not None and response.status == 200
            assert page.title() == "Mijn voorbereiding op het gesprek"
            assert page.locator("h2").count() >= 8
            assert "cursus Excel" in page.inner_text("main")
            page.screenshot(path=str(artefacts_dir / "voorbereiding.png"), full_page=True)
            assert run_axe(page) == []
            missing = page.goto(f"{base}/voorbereiding/{'B' * 43}")
            assert missing is not None and missing.status == 404
            assert "niet (meer)" in page.inner_text("h1")
            page.screenshot(path=str(artefacts_dir / "voorbereiding-404.png"))
        assert dialogs == []  # the script in the answer never ran
        assert [e for e in console.errors if "404" not in e] == []
    finally:
        context.close()
