"""Turns read from the words in ``bot.conversation.turns``: go-backs and side questions.

Walkthroughs of 2026-12-02 and -03: "terug, ik wil bij vraag 5 ook budget voor opleiding
noemen" and "wordt dit antwoord ook bewaard?" were stored as preparation answers.
"""

from __future__ import annotations

import pytest

from bot.conversation.turns import (
    SIDE_ANSWERS,
    UNANSWERED,
    GoBack,
    TurnKind,
    classify_turn,
    parse_go_back,
    side_question_in_free_text,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("terug", GoBack()),
        ("Terug!", GoBack()),
        ("nee wacht, terug", GoBack()),
        ("vorige vraag", GoBack()),
        ("ga terug naar de vorige vraag", GoBack()),
        ("terug naar vraag 3", GoBack(3)),
        ("vraag 2 aanpassen", GoBack(2)),
        (
            "terug, ik wil bij vraag 5 ook budget voor opleiding noemen",
            GoBack(5, addition="budget voor opleiding"),
        ),
        (
            "terug, ik wil bij vraag 5 ook budget voor opleiding",
            GoBack(5, addition="budget voor opleiding"),
        ),
        ("bij vraag 3 wil ik er ook geduld bij zetten", GoBack(3, addition="geduld")),
        ("bij de vorige vraag ook: humor", GoBack(addition="humor")),
        ("terug, ik bedoel plannen en geduld", GoBack(replacement="plannen en geduld")),
        ("terug. ik heb me vergist", GoBack()),
    ],
)
def test_a_go_back_names_where_to_and_what_to_add(text: str, expected: GoBack) -> None:
    assert parse_go_back(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "terug naar mijn oude afdeling",  # a goal, not a command
        "ik wil terug naar school",
        "ik kom terug op mijn werk",
        "plannen en organiseren",
        "",
    ],
)
def test_free_text_with_terug_in_it_is_no_go_back(text: str) -> None:
    assert parse_go_back(text) is None


@pytest.mark.parametrize("form", ["prepare_form", "scan_form"])
def test_a_long_go_back_is_a_correction_whatever_nlu_read(form: str) -> None:
    text = "terug, ik wil bij vraag 5 ook budget voor opleiding noemen"
    got = classify_turn(form=form, intent="express_worry", confidence=0.9, text=text)
    assert (got.kind, got.intent, got.by_words) == (TurnKind.CORRECTION, "go_back", True)


@pytest.mark.parametrize("form", ["coach_form", "practice_form", "evc_form"])
def test_forms_without_going_back_read_terug_as_before(form: str) -> None:
    got = classify_turn(form=form, intent=None, confidence=0.0, text="terug, ik bedoel dinsdag")
    assert got.kind is not TurnKind.CORRECTION


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "expected"),
    [
        # a question about this chat: the privacy answer, whatever NLU saw
        (
            "wacht even, wordt dit antwoord ook bewaard? met die naam erin?",
            "faq",
            0.2,
            "ask_privacy",
        ),
        ("wie leest dit eigenlijk?", None, 0.0, "ask_privacy"),
        # a marked side question gets its intent's answer at a lower confidence
        (
            "even tussendoor: moet ik het tegen P&O zeggen dat ik thuis zit met stress? "
            "of kan dat tegen me werken",
            "health_concern",
            0.45,
            "health_concern",
        ),
        # a care question is never an answer, marked or not
        (
            "moet ik mijn burn-out melden bij de bedrijfsarts?",
            "health_concern",
            0.4,
            "health_concern",
        ),
        # marked, but no intent claims it: said honestly, not stored
        ("nee ik vroeg iets! hoe zit dat met mijn contract", "nlu_fallback", 0.4, UNANSWERED),
    ],
)
def test_a_question_in_a_free_text_answer_is_a_side_question(
    text: str, intent: str | None, confidence: float, expected: str
) -> None:
    got = classify_turn(form="prepare_form", intent=intent, confidence=confidence, text=text)
    assert (got.kind, got.intent) == (TurnKind.SIDE_QUESTION, expected)
    assert got.intent in SIDE_ANSWERS


@pytest.mark.parametrize(
    ("text", "intent", "confidence"),
    [
        ("mag ik een cursus volgen?", "faq", 0.5),  # what to ask the manager: an answer
        ("kan ik volgend jaar doorgroeien?", "request_coach", 0.4),
        ("plannen, geduld en humor", "mention_barrier", 0.9),
        ("ik wil meer verantwoordelijkheid", None, 0.0),
    ],
)
def test_other_free_text_stays_the_answer(text: str, intent: str | None, confidence: float) -> None:
    got = classify_turn(form="prepare_form", intent=intent, confidence=confidence, text=text)
    assert got.kind is TurnKind.ANSWER


def test_side_questions_from_words_only_in_free_text_forms() -> None:
    text = "wordt dit antwoord ook bewaard?"
    assert classify_turn(form="scan_form", intent=None, confidence=0.0, text=text).kind is (
        TurnKind.ANSWER
    )
    practice = classify_turn(form="practice_form", intent=None, confidence=0.0, text=text)
    assert practice.kind is TurnKind.ANSWER  # a reply to the manager may be a question


def test_a_statement_without_marker_is_no_side_question() -> None:
    assert side_question_in_free_text("ask_privacy", 0.9, "ik ben goed in plannen") is None


@pytest.mark.parametrize(
    "text", ["Een gesprek tussendoor", "tussendoor", "een tussendoor gesprekje over mijn taken"]
)
def test_the_kind_tussendoor_is_an_answer_not_a_side_question(text: str) -> None:
    """The button title of the ad-hoc conversation was taken for "even tussendoor: ..."."""
    assert side_question_in_free_text("inform", 0.9, text) is None
    got = classify_turn(form="prepare_form", intent="inform", confidence=0.9, text=text)
    assert got.kind is TurnKind.ANSWER


def test_an_objection_is_no_answer() -> None:
    """ "nee ik vroeg naar een cursus" in the scan was stored as "klopt niet" (2026-12-04);
    "huh coach? ik vroeg kansen in utrecht" in the coach form goes to the listings."""
    from bot.conversation.turns import UNANSWERED

    scan = classify_turn(
        form="scan_form", intent="answer_scale", confidence=0.9,
        text="nee ik vroeg naar een cursus", answer_understood=True,
    )  # fmt: skip
    assert (scan.kind, scan.intent) == (TurnKind.SIDE_QUESTION, UNANSWERED)
    coach = classify_turn(
        form="coach_form", intent="find_opportunities", confidence=0.9,
        text="huh coach? ik vroeg kansen in utrecht", answer_understood=None,
    )  # fmt: skip
    assert (coach.kind, coach.intent) == (TurnKind.NEW_REQUEST, "find_opportunities")
    short = classify_turn(
        form="scan_form", intent="answer_scale", confidence=0.9, text="klopt niet",
        answer_understood=True,
    )  # fmt: skip
    assert short.kind is TurnKind.ANSWER
