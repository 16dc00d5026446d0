"""The EVC check: honest, skippable, plain Dutch, and no invented figures."""

from __future__ import annotations

import re

import pytest

from bot.opportunities import evc
from bot.opportunities.evc import (
    FITS,
    MAYBE,
    NOT_YET,
    OTHER_ROUTE,
    evc_advice,
    normalize_diploma,
    normalize_goal,
)
from tests.opportunities.factories import assert_plain_dutch


def test_experienced_without_a_matching_diploma_fits() -> None:
    advice = evc_advice(12, "mbo 2", "diploma")
    assert advice.verdict == FITS
    assert "12 jaar ervaring" in advice.text
    assert "erkend diploma" in advice.text
    assert "P&O" in advice.text and "loopbaanbudget" in advice.text


def test_little_experience_is_not_yet() -> None:
    advice = evc_advice(1, "vmbo", "diploma")
    assert advice.verdict == NOT_YET
    assert "kort" in advice.text


def test_wanting_to_learn_something_new_points_elsewhere() -> None:
    advice = evc_advice(20, None, "ik wil iets nieuws leren")
    assert advice.verdict == OTHER_ROUTE
    assert "opleiding of training" in advice.text
    assert "loopbaanbudget" not in advice.text


def test_a_high_diploma_and_the_wish_for_a_diploma_is_an_honest_maybe() -> None:
    advice = evc_advice(8, "hbo", "diploma")
    assert advice.verdict == MAYBE
    assert "hoog niveau" in advice.text


def test_every_question_can_be_skipped() -> None:
    advice = evc_advice(None, None, None)
    assert advice.verdict == MAYBE
    assert "Erkenning van Verworven Competenties" in advice.text
    assert evc_advice(6, "hbo", "inzicht").verdict == FITS
    assert evc_advice(6, None, "overstap").verdict == MAYBE


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((-1, None, None), "years_experience"),
        ((61, None, None), "years_experience"),
        ((True, None, None), "years_experience"),
        ((3, "toverschool", None), "unknown diploma"),
        ((3, None, "rijk worden"), "unknown goal"),
    ],
)
def test_values_outside_the_check_are_refused(arguments: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        evc_advice(*arguments)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("MBO-4", "mbo_3_4"),
        ("mbo niveau 2", "mbo_1_2"),
        ("ik heb de mavo", "vmbo"),
        ("hbo bachelor", "hbo"),
        ("universiteit", "wo"),
        ("geen diploma", "geen"),
        ("weet ik niet", None),
    ],
)
def test_diplomas_in_the_employees_words(text: str, key: str | None) -> None:
    assert normalize_diploma(text) == key


def test_goals_in_the_employees_words() -> None:
    assert normalize_goal("een erkend papiertje") == "diploma"
    assert normalize_goal("solliciteren bij een andere gemeente") == "overstap"
    assert normalize_goal("zien wat ik kan") == "inzicht"
    assert normalize_goal("hmm") is None


@pytest.mark.parametrize("years", [None, 0, 1, 3, 15])
@pytest.mark.parametrize("diploma", [None, *evc.DIPLOMAS])
@pytest.mark.parametrize("goal", [None, *evc.GOALS])
def test_every_answer_is_plain_dutch_without_invented_figures(
    years: int | None, diploma: str | None, goal: str | None
) -> None:
    advice = evc_advice(years, diploma, goal)
    assert advice.verdict in evc.VERDICTS
    assert_plain_dutch(advice.text)
    numbers = set(re.findall(r"\d+", advice.text))
    assert numbers <= ({str(years)} if years is not None else set()), numbers
    assert not re.search(r"\beuro\b|€|\bmaanden\b|\bweken\b|\buur\b", advice.text)
