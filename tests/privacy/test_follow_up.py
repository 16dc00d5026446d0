"""A privacy question asked again gets a short answer to what was asked (walkthrough 2026-12-02)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.privacy import ActionAnswerPrivacy
from bot.privacy import follow_up
from bot.privacy.follow_up import PRIVACY_OPENING, follow_up_answer, told_before
from tests.test_readability import ENGLISH, MAX_SENTENCE_WORDS, sentences, words

ROOT = Path(__file__).resolve().parents[2]
FULL = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["responses"][
    "utter_privacy"
][0]["text"]


def test_the_full_answer_opens_the_way_the_action_looks_for() -> None:
    assert FULL.startswith(PRIVACY_OPENING)


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("kunnen mijn collega's van P&O lezen wat ik typ?", follow_up.WHO_READS),
        ("dat zei je al. maar WAT tellen ze dan, welke dingen?", follow_up.COUNTS),
        # a yes/no question about storing starts with the yes (walkthrough 2026-12-04b)
        ("wordt dit antwoord ook bewaard?", f"Ja, bij dit gesprek. {follow_up.KEPT}"),
        ("hoe lang bewaar je dit?", follow_up.KEPT),
        ("Staan mijn leeftijd en functie in wat je bewaart?", follow_up.KEPT_WHAT_I_TYPE),
        ("en mijn naam dan?", follow_up.NAME),
        ("is het echt veilig?", follow_up.SHORT),
        ("Zien coördinatoren dat ik het ben?", follow_up.COORDINATORS),
        ("Wat wordt er eigenlijk precies geteld?", follow_up.COUNTS),
    ],
)
def test_a_follow_up_answers_the_part_that_was_asked(question: str, answer: str) -> None:
    assert follow_up_answer(question) == answer
    assert answer != FULL and len(answer) < len(FULL)


@pytest.mark.parametrize(
    "text",
    [
        follow_up.WHO_READS,
        follow_up.COUNTS,
        follow_up.KEPT,
        follow_up.NAME,
        follow_up.SHORT,
        follow_up.COORDINATORS,
        follow_up.OPT_IN_HINT,
    ],
)
def test_follow_ups_are_plain_dutch(text: str) -> None:
    for sentence in sentences(text):
        assert len(words(sentence)) <= MAX_SENTENCE_WORDS
        assert not set(words(sentence)) & ENGLISH


async def test_first_time_the_whole_answer_then_a_short_one(make_tracker, domain) -> None:
    question = "kunnen mijn collega's van P&O lezen wat ik typ?"
    first = CollectingDispatcher()
    await ActionAnswerPrivacy().run(first, make_tracker(text=question), domain)
    assert [m.get("response") for m in first.messages] == ["utter_privacy"]

    told = [{"event": "bot", "text": FULL}, {"event": "user", "text": question}]
    again = CollectingDispatcher()
    await ActionAnswerPrivacy().run(again, make_tracker(text=question, events=told), domain)
    assert [m.get("text") for m in again.messages] == [follow_up.WHO_READS]
    payloads = [b["payload"] for b in again.messages[0]["buttons"]]
    assert payloads == ["/ask_my_data", "/request_erasure"]


def test_told_before_looks_only_at_the_full_answer() -> None:
    assert told_before(["Hoi!", FULL])
    assert not told_before(["Hoi!", follow_up.SHORT])


# --- Walkthrough of 2026-12-03: the counts, the coordinators, the erase confirmation -----------

CONFIRMATION = [
    {"event": "action", "name": "utter_confirm_erasure"},
    {"event": "bot", "text": "Wil je dat ik dit hele gesprek wis?"},
    {"event": "action", "name": "action_listen"},
    {"event": "user", "text": "Nee, ik wil niks wissen. Ik vroeg wat je opslaat"},
]


def test_the_coordinator_answer_is_specific() -> None:
    """A lone 55-year-old P&O assistant cannot be picked out: no age, no function, k = 5."""
    answer = follow_up.COORDINATORS
    assert answer.startswith("Nee.")
    assert "minder dan 5" in answer and "functie" in answer and "oud" in answer


def test_the_counts_answer_says_what_is_counted_and_how_to_change_it() -> None:
    assert "per gemeente en per week" in follow_up.COUNTS
    assert "ik wil niet meetellen" in follow_up_answer("wat wordt er geteld?")
    assert "ik wil weer meetellen" in follow_up_answer("wat wordt er geteld?", counting=False)


async def test_a_counts_question_gets_its_answer_even_the_first_time(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="Zien coördinatoren dat ik het ben?")
    await ActionAnswerPrivacy().run(dispatcher, tracker, domain)
    assert [m.get("text") for m in dispatcher.messages] == [follow_up.COORDINATORS]
    opted_out = CollectingDispatcher()
    tracker = make_tracker(text="wat wordt er geteld?", slots={"trends_opt_out": True})
    await ActionAnswerPrivacy().run(opted_out, tracker, domain)
    assert "ik wil weer meetellen" in opted_out.messages[0]["text"]


async def test_at_the_erase_confirmation_it_says_nothing_is_erased(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=CONFIRMATION[-1]["text"], events=CONFIRMATION)
    await ActionAnswerPrivacy().run(dispatcher, tracker, domain)
    responses = [m.get("response") for m in dispatcher.messages]
    assert responses == ["utter_erasure_cancelled", "utter_privacy"]


async def test_opting_in_also_answers_the_coordinator_question(make_tracker, domain) -> None:
    from actions.privacy import ActionOptInTrends
    from bot.privacy.my_data import OPT_IN_DONE

    text = (
        "Dat vroeg ik niet. Ik vroeg of coördinatoren kunnen zien dat ik het ben. "
        "Zet het meetellen maar weer aan, ik wil eerst weten hoe het zit."
    )
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=text, slots={"trends_opt_out": True})
    events = await ActionOptInTrends().run(dispatcher, tracker, domain)
    assert [m.get("text") for m in dispatcher.messages] == [OPT_IN_DONE, follow_up.COORDINATORS]
    assert events == [
        {"event": "slot", "timestamp": None, "name": "trends_opt_out", "value": False}
    ]
    plain = CollectingDispatcher()
    await ActionOptInTrends().run(
        plain, make_tracker(text="ik wil weer meetellen", slots={"trends_opt_out": True}), domain
    )
    assert [m.get("text") for m in plain.messages] == [OPT_IN_DONE]
