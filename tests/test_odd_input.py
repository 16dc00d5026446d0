import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.odd_input import OddInput, classify_odd_input


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", OddInput.EMPTY),
        ("   \n ", OddInput.EMPTY),
        (None, OddInput.EMPTY),
        ("😀😀👍", OddInput.NO_WORDS),
        ("?!", OddInput.NO_WORDS),
        ("<b>hoi</b>", OddInput.MARKUP),
        ("<script>alert(1)</script>", OddInput.MARKUP),
        pytest.param("x" * 5000, OddInput.TOO_LONG, id="5000-chars"),
        ("hello how are you doing today", OddInput.OTHER_LANGUAGE),
        ("مرحبا كيف حالك", OddInput.OTHER_LANGUAGE),
        ("ik wil de scan doen", None),
        ("4", None),
        ("ja", None),
        ("/start_scan", None),
        ("hoi, kun je me helpen met mijn loopbaan?", None),
        ("ik werk bij Burgerzaken en wil iets anders", None),
    ],
)
def test_classify_odd_input(text, expected) -> None:
    assert classify_odd_input(text) == expected


@given(st.text(max_size=3000))
def test_never_crashes(text: str) -> None:
    classify_odd_input(text)
