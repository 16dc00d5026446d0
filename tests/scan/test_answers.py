import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scan.answers import parse_scale_answer
from bot.scan.questions import SCALE_LABELS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("best wel", 4),
        ("Best wel!", 4),
        ("helemaal niet", 1),
        ("4", 4),
        ("ja hoor", 4),
        ("soms", 3),
        ("Soms wel, soms niet", 3),
        ("nee", 2),
        ("niet echt", 2),
        ("klopt helemaal", 5),
        ("zeker niet", 1),
        ("niet helemaal", 3),
        ("een 4", 4),
        ("4/5", 4),
        ("3 van 5", 3),
        ("vijf", 5),
        ("absoluut", 5),
        ("nee hoor, dat klopt helemaal niet bij mij", 1),
        ("mwah", 3),
        ("Klopt wél", 4),
    ],
)
def test_free_text_maps_to_the_scale(text: str, expected: int) -> None:
    assert parse_scale_answer(text) == expected


@pytest.mark.parametrize("rating", [1, 2, 3, 4, 5])
def test_button_titles_and_payloads_map_back(rating: int) -> None:
    assert parse_scale_answer(SCALE_LABELS[rating - 1]) == rating
    assert parse_scale_answer(str(rating)) == rating


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "banaan",
        "wat gebeurt er met mijn gegevens?",
        "/ask_privacy",
        "😀",
        "12",
        "7",
        "tussen 2 en 4",
        "x" * 400,
    ],
)
def test_unmappable_answers_return_none(text: str) -> None:
    assert parse_scale_answer(text) is None


@given(st.text(max_size=200))
def test_never_crashes_and_stays_on_the_scale(text: str) -> None:
    value = parse_scale_answer(text)
    assert value is None or 1 <= value <= 5
