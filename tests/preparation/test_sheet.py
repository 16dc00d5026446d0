"""The preparation sheet: content, the shortening rule, escaping, HTML and PDF."""

from __future__ import annotations

import io
from datetime import date

from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from bot.preparation.practice import likely_reactions
from bot.preparation.questions import ASKS, SKIPPED
from bot.preparation.sheet import (
    ELLIPSIS,
    MAX_FIELD_CHARS,
    MAX_ITEMS,
    build_sheet,
    readable_placeholders,
    render_pdf,
    sheet_from_dict,
    sheet_to_dict,
    shorten,
)
from bot.web.routes.sheets import render_html

ANSWERS = {
    "prep_kind": "ontwikkelgesprek",
    "prep_goal": "Ik wil afspreken dat ik een cursus Excel mag volgen.",
    "prep_strengths": ["Plannen", "Klanten helpen", "Samenwerken"],
    "prep_develop": "werken met data",
    "prep_ask": [ASKS["tijd"], ASKS["budget"]],
    "prep_worry": "Dat [NAAM] denkt dat ik weg wil.",
    "prep_when": "dinsdag 12 maart",
}


def _sheet(include_private: bool = True, party: str | None = None, **overrides: object):
    answers = {**ANSWERS, **overrides}
    return build_sheet(
        answers,
        likely_reactions("leidinggevende", "ontwikkelgesprek", answers["prep_ask"]),
        ["Ik wil juist blijven en groeien.", None],
        today=date(2026, 11, 23),
        include_private=include_private,
        party=party,
    )


def test_private_parts_stay_off_unless_the_employee_chose_them() -> None:
    sheet = _sheet(include_private=False)
    assert sheet.worry is None and sheet.reactions == []
    page = render_html(sheet)
    assert "denkt dat ik weg wil" not in page and "Ik wil juist blijven" not in page
    # the practised reaction was picked for the worry: on the sheet it would tell it
    assert "Je wilt zeker weg" not in page
    restored = sheet_from_dict(sheet_to_dict(sheet))
    assert restored.worry is None


def test_the_other_party_is_named_as_the_employee_said() -> None:
    sheet = _sheet(party="P&O-adviseur")
    page = render_html(sheet)
    assert "Mijn P&amp;O-adviseur zegt:</strong>" in page
    assert "Met mijn P&amp;O-adviseur" in page and "leidinggevende zegt" not in page
    assert sheet_from_dict(sheet_to_dict(sheet)).party == "P&O-adviseur"
    assert "Mijn leidinggevende zegt:</strong>" in render_html(_sheet())
    assert "Mijn coach zegt" in render_pdf_text(_sheet(party="coach"))


def render_pdf_text(sheet) -> str:
    return " ".join(_pdf_text(render_pdf(sheet)).split())


def test_sheet_holds_every_answer_and_the_practice() -> None:
    sheet = _sheet()
    assert sheet.kind == "Een ontwikkelgesprek"
    assert sheet.goal == ANSWERS["prep_goal"]
    assert sheet.strengths == ["Plannen", "Klanten helpen", "Samenwerken"]
    assert sheet.asks == [ASKS["tijd"], ASKS["budget"]]
    assert "werken met data" in sheet.proposal and "tijd om te leren" in sheet.proposal
    assert sheet.reactions[0].manager_says == "Je wilt zeker weg, hè?"
    assert sheet.reactions[0].my_answer == "Ik wil juist blijven en groeien."
    assert sheet.reactions[1].my_answer is None
    assert "blijven groeien" in sheet.opening
    assert sheet.worry == "Dat (naam weggelaten) denkt dat ik weg wil."


def test_skipped_answers_stay_off_the_sheet() -> None:
    sheet = _sheet(prep_goal=SKIPPED, prep_worry=SKIPPED, prep_strengths=SKIPPED, prep_when=None)
    assert sheet.goal is None and sheet.worry is None and sheet.when is None
    assert sheet.strengths == []
    assert SKIPPED not in render_html(sheet)


def test_reorganisation_gets_its_own_opening() -> None:
    assert "reorganisatie" in _sheet(prep_kind="reorganisatie").opening


def test_shortening_rule() -> None:
    assert shorten("kort") == "kort"
    long = "woord " * 200
    short = shorten(long)
    assert len(short) <= MAX_FIELD_CHARS and short.endswith(ELLIPSIS)
    assert shorten("a" * 400).endswith(ELLIPSIS)
    sheet = _sheet(prep_goal=long, prep_strengths=[f"punt {i}" for i in range(9)])
    assert len(sheet.goal or "") <= MAX_FIELD_CHARS
    assert len(sheet.strengths) == MAX_ITEMS


@given(st.text(max_size=2000), st.integers(min_value=5, max_value=400))
def test_shorten_never_exceeds_the_limit(text: str, limit: int) -> None:
    assert len(shorten(text, limit)) <= limit


def test_placeholders_read_as_words() -> None:
    assert readable_placeholders("mail [EMAIL] of bel [TELEFOON]") == (
        "mail (e-mailadres weggelaten) of bel (telefoonnummer weggelaten)"
    )


def test_html_escapes_markup_in_answers() -> None:
    evil = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    page = render_html(_sheet(prep_goal=evil, prep_strengths=[evil]), pdf_url="/x.pdf")
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert page.count("<script") == 0


def test_html_is_a_complete_dutch_page_without_a_name() -> None:
    page = render_html(_sheet(), pdf_url="/voorbereiding/t.pdf", expires_on=date(2026, 11, 30))
    assert page.startswith("<!doctype html>") and 'lang="nl"' in page
    for heading in (
        "Mijn doel",
        "Zo begin ik het gesprek",
        "Mijn sterke punten",
        "Wat ik wil leren of proberen",
        "Mijn voorstel",
        "Wat ik vraag",
        "Mogelijke reacties en voorbeeldantwoorden",
        "Volgende stappen",
    ):
        assert heading in page
    assert "30-11-2026" in page and "geen naam" in page


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_contains_the_answers_on_one_page() -> None:
    pdf = render_pdf(_sheet())
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = " ".join(_pdf_text(pdf).split())
    for expected in (
        "Mijn voorbereiding op het gesprek",
        "cursus Excel",
        "Klanten helpen",
        "werken met data",
        "Budget voor een opleiding",
        "Je wilt zeker weg",
        "Ik wil juist blijven en groeien",
    ):
        assert expected in text


def test_pdf_prints_markup_as_text_and_long_answers_still_fit_one_page() -> None:
    evil = "<b>vet</b> & <script>alert(1)</script> " + "lang " * 300
    pdf = render_pdf(_sheet(prep_goal=evil, prep_develop=evil, prep_worry=evil))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    assert "<script>alert(1)</script>" in _pdf_text(pdf)


def test_sheet_survives_storage_as_json() -> None:
    sheet = _sheet()
    assert sheet_from_dict(sheet_to_dict(sheet)) == sheet
