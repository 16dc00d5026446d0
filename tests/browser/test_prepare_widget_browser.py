"""Preparing the conversation in the chat widget (real Chromium, Rasa, actions, web app):
buttons and typed answers, the download card, and the sheet opened from its link."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_widget_browser import bot_bubbles, open_widget, type_message, wait_idle
from tests.browser.widget_support import WidgetStack
from tests.browser_support import ConsoleRecorder, run_axe

pytestmark = pytest.mark.server
TIMEOUT_MS = 45_000


def expect_prep_question(page: Page, number: int) -> None:
    expect(bot_bubbles(page, f"Vraag {number} van 7")).not_to_have_count(0, timeout=TIMEOUT_MS)


def test_prepare_in_the_widget_and_open_the_sheet(
    chromium_browser, widget_stack: WidgetStack, artefacts_dir: Path
) -> None:
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    console = ConsoleRecorder(page)
    try:
        open_widget(page, widget_stack)
        type_message(page, "ik wil mijn gesprek met mijn leidinggevende voorbereiden")
        expect_prep_question(page, 1)
        page.get_by_role("button", name="Een ontwikkelgesprek").click()
        expect_prep_question(page, 2)
        type_message(page, "Afspreken dat ik een cursus Excel mag volgen <b>vet</b>")
        expect_prep_question(page, 3)
        type_message(page, "plannen en klanten helpen")
        expect_prep_question(page, 4)
        wait_idle(page)
        page.get_by_role("button", name="Sla over").last.click()
        expect_prep_question(page, 5)
        wait_idle(page)
        page.get_by_role("button", name="Tijd om te leren").click()
        expect_prep_question(page, 6)
        type_message(page, "dat mijn teamleider denkt dat ik weg wil")
        expect_prep_question(page, 7)
        type_message(page, "volgende week dinsdag")
        # The private parts (worry, practice answers) go on the sheet only when chosen.
        wait_idle(page)
        page.get_by_role("button", name="Nee, alleen voor mij").click()
        expect(bot_bubbles(page, "Dit heb je ingevuld")).to_have_count(1)
        wait_idle(page)
        page.get_by_role("button", name="Maak mijn blad").click()
        card = page.locator(".koers-card")
        expect(card).to_be_visible()
        wait_idle(page)
        page.screenshot(path=str(artefacts_dir / "widget-preparation.png"), full_page=True)
        violations = run_axe(page)
        assert violations == [], violations

        links = card.locator("a")
        hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
        sheet_url = next(h for h in hrefs if h and re.search(r"/voorbereiding/[\w-]{43}$", h))
        pdf_url = next(h for h in hrefs if h and h.endswith(".pdf"))
        with urllib.request.urlopen(pdf_url, timeout=20) as response:
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.read(5) == b"%PDF-"

        sheet = context.new_page()
        sheet.goto(sheet_url)
        expect(sheet.locator("h1")).to_have_text("Mijn voorbereiding op het gesprek")
        main = sheet.inner_text("main")
        assert "cursus Excel" in main and "<b>vet</b>" in main  # shown as text
        assert "Tijd om te leren" in main and "Een ontwikkelgesprek" in main
        sheet.screenshot(path=str(artefacts_dir / "widget-preparation-sheet.png"), full_page=True)
        assert console.errors == []
    finally:
        context.close()
