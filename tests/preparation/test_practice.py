"""Practice: likely reactions per barrier and request, and feedback on an answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.preparation.practice import REACTIONS, answer_feedback, likely_reactions
from bot.preparation.questions import ASKS


def test_reactions_follow_the_barrier_and_the_request() -> None:
    first, second = likely_reactions("tijd", "ontwikkelgesprek", [ASKS["budget"]])
    assert (first.key, second.key) == ("tijd", "geld")
    first, second = likely_reactions("leidinggevende", "reorganisatie", [])
    assert (first.key, second.key) == ("weg", "reorganisatie")
    first, second = likely_reactions(None, None, None)
    assert (first.key, second.key) == ("weg", "waarom")


def test_the_two_reactions_always_differ() -> None:
    for barrier in (None, "tijd", "geld", "leidinggevende", "leeftijd", "prive", "motivatie"):
        for asks in ([], [ASKS["tijd"]], [ASKS["budget"]]):
            first, second = likely_reactions(barrier, "jaargesprek", asks)
            assert first.key != second.key


def test_feedback_praises_staying_and_a_concrete_proposal() -> None:
    reaction = REACTIONS["weg"]
    strong = (
        "Nee hoor, ik wil juist bij de gemeente blijven. Kunnen we twee uur per maand afspreken?"
    )
    assert answer_feedback(strong, reaction).startswith("Je laat merken")
    assert "Sterk antwoord" in answer_feedback(strong + " Dan leer ik voor mijn werk.", reaction)


def test_feedback_gives_one_tip_for_a_weak_answer() -> None:
    feedback = answer_feedback("sorry, misschien", REACTIONS["weg"])
    assert "Zeg iets meer" in feedback
    assert feedback.count(".") <= 4


@given(st.text(max_size=500), st.sampled_from(sorted(REACTIONS)))
def test_feedback_is_always_two_short_sentences(text: str, key: str) -> None:
    feedback = answer_feedback(text, REACTIONS[key])
    assert 10 < len(feedback) < 200
