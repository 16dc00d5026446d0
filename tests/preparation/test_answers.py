"""Answer parsing in the preparation: skipping, kinds, requests, the final check."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.preparation.answers import (
    CHANGE,
    MAKE,
    PRACTICE,
    confirmed_with_more,
    field_from_text,
    is_confirmation,
    is_skip,
    parse_asks,
    parse_kind,
    parse_review,
)
from bot.preparation.questions import ASKS, FORM_SLOTS, QUESTIONS, previous_slot


@pytest.mark.parametrize(
    "text",
    [
        "sla over",
        "Sla deze vraag maar over",
        "overslaan",
        "skip",
        "weet ik nog niet",
        "geen idee",
        "liever niet",
        "nvt",
        "n.v.t.",
        "volgende vraag",
        "Nee.",
    ],
)
def test_skip_phrases(text: str) -> None:
    assert is_skip(text)


@pytest.mark.parametrize(
    "text", ["ik wil leren plannen", "geen tijd voor cursussen", "nee hoor, ik wil meer taken"]
)
def test_real_answers_are_not_skips(text: str) -> None:
    assert not is_skip(text)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("jaargesprek", "jaargesprek"),
        ("mijn R&O gesprek", "jaargesprek"),
        ("functioneringsgesprek", "jaargesprek"),
        ("POP-gesprek", "ontwikkelgesprek"),
        ("ontwikkelgesprek", "ontwikkelgesprek"),
        ("gewoon even tussendoor", "tussendoor"),
        ("over de reorganisatie van ons team", "reorganisatie"),
        ("ik word misschien boventallig", "reorganisatie"),
        ("banaan", None),
    ],
)
def test_kind_of_conversation(text: str, kind: str | None) -> None:
    assert parse_kind(text) == kind


def test_requests_from_free_text() -> None:
    assert parse_asks("tijd en een coach") == [ASKS["tijd"], ASKS["coach"]]
    assert parse_asks("mag ik een EVC doen") == [ASKS["evc"]]
    assert parse_asks("een cursus Excel") == [ASKS["budget"]]
    assert parse_asks("thuiswerken op vrijdag") == ["thuiswerken op vrijdag"]
    assert parse_asks("   ") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("maak mijn voorbereiding", (MAKE, None)),
        ("ja klopt", (MAKE, None)),
        ("eerst oefenen", (PRACTICE, None)),
        ("iets aanpassen", (CHANGE, None)),
        ("Mijn doel aanpassen", (CHANGE, "prep_goal")),
        ("ik wil mijn sterke punten wijzigen", (CHANGE, "prep_strengths")),
        ("de datum klopt niet", (CHANGE, "prep_when")),
        ("Wat ik vraag aanpassen", (CHANGE, "prep_ask")),
        ("pizza", (None, None)),
        ("", (None, None)),
    ],
)
def test_review_choice(text: str, expected: tuple[str | None, str | None]) -> None:
    assert parse_review(text) == expected


def test_every_change_button_names_its_own_question() -> None:
    for question in QUESTIONS:
        assert field_from_text(f"{question.title} aanpassen") == question.slot


def test_confirmations() -> None:
    assert is_confirmation("ja")
    assert is_confirmation("Klopt helemaal!")
    assert not is_confirmation("ja maar ik ben ook goed in plannen")


def test_previous_question() -> None:
    assert previous_slot(FORM_SLOTS[0]) is None
    assert previous_slot("prep_goal") == "prep_kind"
    assert previous_slot("prep_review") == "prep_private"
    assert previous_slot("prep_private") == "prep_when"
    assert previous_slot("scan_q01") is None


@given(st.text(max_size=300))
def test_parsers_never_crash(text: str) -> None:
    is_skip(text)
    parse_kind(text)
    parse_asks(text)
    choice, field = parse_review(text)
    assert choice in {None, MAKE, PRACTICE, CHANGE}
    assert field is None or field in FORM_SLOTS


def test_naming_an_answer_on_the_change_menu_picks_it() -> None:
    assert parse_review("sterke punten") == ("aanpassen", "prep_strengths")
    assert parse_review("de sterke punten kloppen niet, dat moet uit de scan komen") == (
        "aanpassen",
        "prep_strengths",
    )
    assert parse_review("verander mijn sterke punten") == ("aanpassen", "prep_strengths")
    assert parse_review("pannenkoek") == (None, None)


def test_a_yes_with_more_keeps_the_extra() -> None:
    assert confirmed_with_more("ja en ook dat ik goed ben met lastige klanten") == (
        "goed ben met lastige klanten"
    )
    assert confirmed_with_more("ja, plannen") == "plannen"
    assert confirmed_with_more("ja") is None
    assert confirmed_with_more("plannen") is None
