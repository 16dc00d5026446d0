"""Practice: likely reactions per barrier and request, and feedback on an answer."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.preparation.practice import (
    KIND_REACTIONS,
    REACTIONS,
    answer_feedback,
    likely_reactions,
)
from bot.preparation.questions import ASKS


def test_reactions_follow_the_barrier_and_the_request() -> None:
    first, second = likely_reactions("tijd", "ontwikkelgesprek", [ASKS["budget"]])
    assert (first.key, second.key) == ("tijd", "geld")
    first, second = likely_reactions("leidinggevende", "reorganisatie", [])
    assert (first.key, second.key) == ("reorganisatie", "reorg_plek")
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
    assert "voorbeeld" in feedback
    assert feedback.count(".") <= 4


@given(st.text(max_size=500), st.sampled_from(sorted(REACTIONS)))
def test_feedback_is_always_two_short_sentences(text: str, key: str) -> None:
    feedback = answer_feedback(text, REACTIONS[key])
    assert 10 < len(feedback) < 200


def test_every_kind_has_at_least_three_plausible_reactions() -> None:
    for kind, keys in KIND_REACTIONS.items():
        assert len(set(keys)) >= 3, kind
        assert all(key in REACTIONS for key in keys)


def test_a_reorganisation_never_opens_with_you_want_to_leave() -> None:
    for barrier in (None, "leidinggevende", "tijd", "geld", "leeftijd"):
        for worry in (None, "dat ze denkt dat ik weg wil", "mijn baan kwijt", "geen idee"):
            for party in (None, "P&O-adviseur"):
                pair = likely_reactions(barrier, "reorganisatie", [], worry, party)
                assert "Je wilt zeker weg" not in pair[0].manager_says
                assert all(r.key != "weg" for r in pair)


def test_the_worry_picks_the_first_reaction() -> None:
    first, _ = likely_reactions(None, "reorganisatie", [], "ik ben bang mijn baan kwijt te raken")
    assert first.key == "reorg_plek"
    first, _ = likely_reactions(None, "jaargesprek", [], "dat hij mijn resultaten slecht vindt")
    assert first.key == "resultaat"
    first, _ = likely_reactions(None, "ontwikkelgesprek", [], "dat er geen geld is")
    assert first.key == "geld"
    first, _ = likely_reactions(None, "tussendoor", [])
    assert first.key == "wachten"


def test_the_reactions_vary_with_the_kind() -> None:
    pairs = {kind: likely_reactions(None, kind, []) for kind in KIND_REACTIONS}
    assert len({(a.key, b.key) for a, b in pairs.values()}) == len(KIND_REACTIONS)


def test_with_p_en_o_the_question_whether_the_manager_knows_comes_up() -> None:
    keys = {r.key for r in likely_reactions(None, "ontwikkelgesprek", [], None, "P&O-adviseur")}
    assert "po_leidinggevende" in keys


def test_feedback_follows_what_was_typed() -> None:
    reaction = REACTIONS["tijd"]
    assert "voorbeeld" in answer_feedback("dat snap ik", reaction)
    wish = "Dat snap ik wel, maar ik wil graag een cursus Excel doen in het voorjaar."
    feedback = answer_feedback(wish, reaction)
    assert feedback.startswith("Goed dat je concreet zegt wat je wilt.")
    assert "vraag terug" in feedback  # no question asked
    asked = wish + " Wanneer past het jou het best?"
    assert "vraag terug" not in answer_feedback(asked, reaction)
    vague = "Ja dat begrijp ik wel maar het is voor mij ook heel belangrijk"
    assert "Noem concreet" in answer_feedback(vague, reaction)


def test_walkthrough_worries_get_a_fitting_reaction() -> None:
    first, _ = likely_reactions(None, "ontwikkelgesprek", [], "dat hij vindt dat ik te jong ben")
    assert first.key == "jong"
    worry = "dat ze zegt dat er niemand anders aan het loket kan"
    first, _ = likely_reactions(None, "jaargesprek", [], worry)
    assert first.key == "tijd"
