import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scan.questions import DIRECTIONS, QUESTIONS, SCAN_SLOTS, STRENGTH_LABELS
from bot.scan.scoring import (
    NEXT_STEPS,
    format_next_steps,
    format_result,
    score_scan,
)


def answers(default: int = 3, **overrides: int) -> dict[str, int]:
    result = dict.fromkeys(SCAN_SLOTS, default)
    result.update(overrides)
    return result


def test_the_scan_has_12_to_16_questions_over_4_or_5_dimensions() -> None:
    assert 12 <= len(QUESTIONS) <= 16
    assert 4 <= len({q.dimension for q in QUESTIONS}) <= 5
    assert len(set(SCAN_SLOTS)) == len(SCAN_SLOTS)


def test_wish_for_new_tasks_suggests_broadening() -> None:
    result = score_scan(answers(scan_q12=5, scan_q05=5, scan_q11=4))
    assert result.direction == "verbreden"
    assert "Je wilt graag nieuwe taken of projecten erbij." in result.reasons


def test_ambition_suggests_moving_up() -> None:
    result = score_scan(answers(scan_q07=5, scan_q06=5, scan_q04=4))
    assert result.direction == "verticaal"
    assert result.reasons[0] == "Je wilt graag meer verantwoordelijkheid."


def test_wish_for_other_work_suggests_changing_direction() -> None:
    result = score_scan(answers(scan_q08=5, scan_q01=1, scan_q11=5))
    assert result.direction == "verleggen"


def test_openness_to_other_employers_suggests_outside() -> None:
    result = score_scan(answers(scan_q13=5, scan_q09=1))
    assert result.direction == "buiten"
    assert "Je staat open voor werk bij een andere organisatie." in result.reasons


def test_low_fitness_and_need_for_security_suggest_staying_fit() -> None:
    result = score_scan(answers(scan_q14=1, scan_q09=5, scan_q11=2))
    assert result.direction == "blijven_vitaal"
    assert "Je voelt je niet altijd fit genoeg voor je werk." in result.reasons


def test_energy_from_current_job_suggests_deepening() -> None:
    result = score_scan(answers(scan_q01=5, scan_q04=5, scan_q08=1))
    assert result.direction == "verdiepen"


def test_all_neutral_answers_give_a_gentle_default_without_reasons() -> None:
    result = score_scan(answers())
    assert not result.clear_preference
    assert result.direction == "verdiepen"
    assert result.reasons == ()
    assert "niet duidelijk" in format_result(result)


def test_top_strengths_follow_the_highest_ratings() -> None:
    result = score_scan(answers(scan_q10=5, scan_q06=5, scan_q02=4, scan_q03=1))
    assert result.top_strengths == ("organiseren", "digitaal", "contact")
    assert result.strength_labels[0] == STRENGTH_LABELS["organiseren"]


def test_every_direction_offers_two_or_three_next_steps() -> None:
    for direction in DIRECTIONS:
        assert 2 <= len(NEXT_STEPS[direction]) <= 3


def test_result_text_names_direction_reasons_and_strengths() -> None:
    result = score_scan(answers(scan_q12=5))
    text = format_result(result)
    assert result.direction_label in text
    assert "Waarom past dit bij jou?" in text
    assert "Je sterke punten:" in text
    assert "Kies een stap" in format_next_steps(result)


@pytest.mark.parametrize("bad", [0, 6, 2.5, None])
def test_invalid_or_missing_answers_are_refused(bad) -> None:
    values = answers()
    values["scan_q01"] = bad
    with pytest.raises(ValueError):
        score_scan(values)


@given(
    st.lists(
        st.integers(min_value=1, max_value=5), min_size=len(SCAN_SLOTS), max_size=len(SCAN_SLOTS)
    )
)
def test_any_complete_answer_set_gets_a_direction_with_consistent_reasons(ratings) -> None:
    result = score_scan(dict(zip(SCAN_SLOTS, ratings, strict=False)))
    assert result.direction in DIRECTIONS
    assert len(result.top_strengths) == 3
    assert len(result.reasons) <= 3
    if result.clear_preference:
        assert result.direction_scores[result.direction] == max(result.direction_scores.values())
