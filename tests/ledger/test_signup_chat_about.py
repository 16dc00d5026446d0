"""Questions about what a workshop is: read against the list shown (issue 16, 2026-12-04)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.ledger.catalog import WORKSHOP_DETAILS, WORKSHOP_THEMES
from bot.ledger.signup_chat import AboutReading, ShownSession, about_text, read_about

WHEN = datetime(2027, 1, 5, 10, tzinfo=timezone.utc)
PAGE = [ShownSession(i, WHEN, theme) for i, theme in enumerate(WORKSHOP_THEMES, start=1)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("wat is nummer 5 precies", AboutReading("digitalisering", 5)),
        ("wat houdt die over presenteren in?", AboutReading("presenteren", 3)),
        (
            "wat is de inhoud van de workshop techniek en digitalisering",
            AboutReading("digitalisering", 5),
        ),
        ("vertel eens meer over de tweede", AboutReading("gesprek", 2)),
    ],
)
def test_a_content_question_points_at_one_shown_workshop(text: str, expected: AboutReading) -> None:
    assert read_about(text, PAGE, PAGE) == expected


@pytest.mark.parametrize(
    "text",
    [
        "schrijf me in voor nummer 5",
        "wat kost het?",
        "ja die",
        "wat leer je daar?",
        "/pick_session",
    ],
)
def test_other_messages_are_no_content_question(text: str) -> None:
    """ "wat leer je daar?" after a list of five themes: which one is not known."""
    assert read_about(text, PAGE, PAGE) is None


def test_a_page_of_one_theme_answers_daar() -> None:
    one_theme = [ShownSession(7, WHEN, "financien"), ShownSession(8, WHEN, "financien")]
    assert read_about("maar wat leer je daar dan?", one_theme, one_theme) == AboutReading(
        "financien"
    )


def test_every_theme_has_a_description() -> None:
    assert set(WORKSHOP_DETAILS) == set(WORKSHOP_THEMES)
    text = about_text("digitalisering")
    assert text.startswith("**Techniek en digitalisering in je eigen werk**")
    assert "geen leidinggevenden" in text
