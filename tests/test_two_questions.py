"""Two questions in one message are both found, so the second one is not silently lost."""

from __future__ import annotations

import pytest

from bot.conversation.two_questions import offer_other_question, other_questions, split_questions


@pytest.mark.parametrize(
    ("text", "questions"),
    [
        (
            "hoe lang duurt de scan en wie betaalt een hbo-opleiding?",
            ["Hoe lang duurt de scan?", "Wie betaalt een hbo-opleiding?"],
        ),
        (
            "Mijn afdeling wordt gereorganiseerd. Wat zijn mijn rechten? En hoeveel tijd mag ik "
            "onder werktijd aan een opleiding besteden?",
            [
                "Wat zijn mijn rechten?",
                "Hoeveel tijd mag ik onder werktijd aan een opleiding besteden?",
            ],
        ),
        (
            "kan ik m ook voor 2 workshops gebruiken? en wanneer zijn ze",
            ["Kan ik m ook voor 2 workshops gebruiken?", "Wanneer zijn ze?"],
        ),
        (
            "hoe werkt de scan en wat krijg ik aan het eind",
            ["Hoe werkt de scan?", "Wat krijg ik aan het eind?"],
        ),
        ("moet ik dat zelf betalen?", ["Moet ik dat zelf betalen?"]),
        # "en" inside one question is no second question
        (
            "mogen mijn collega en ik samen naar een workshop?",
            ["Mogen mijn collega en ik samen naar een workshop?"],
        ),
        # statements and thanks after the question are no questions
        ("kan ik een coach krijgen? alvast bedankt", ["Kan ik een coach krijgen?"]),
        ("ik wil de scan doen en daarna een coach", []),
        ("ok", []),
        ("", []),
    ],
)
def test_the_questions_in_a_message(text: str, questions: list[str]) -> None:
    assert split_questions(text) == questions


def test_the_second_question_is_offered() -> None:
    text = "hoe lang duurt de scan en wie betaalt een hbo-opleiding?"
    assert other_questions(text) == ["Wie betaalt een hbo-opleiding?"]
    assert offer_other_question(text) == (
        "Je vroeg ook: „Wie betaalt een hbo-opleiding?” Wil je daar ook antwoord op?"
    )


def test_one_question_gets_no_offer() -> None:
    assert offer_other_question("hoe lang duurt de scan?") is None


def test_a_very_long_second_question_is_quoted_short() -> None:
    long_question = "wat zijn " + "heel " * 40 + "veel mogelijkheden"
    offer = offer_other_question(f"hoe werkt de scan? {long_question}?")
    assert offer is not None
    quoted = offer.split("„")[1].split("”")[0]
    assert len(quoted) <= 80
    assert quoted.endswith("…?")
