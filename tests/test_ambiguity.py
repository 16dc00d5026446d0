"""When NLU is unsure: "Bedoel je … of …?" with the two candidates as buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionKoersFallback
from bot.conversation.ambiguity import (
    INTENT_LABELS,
    NEVER_OFFERED,
    SOMETHING_ELSE_BUTTON,
    ambiguity_question,
    candidates,
)
from bot.conversation.fallback import NOT_UNDERSTOOD, ODD_INPUT_ANSWERS, fallback_answer
from bot.conversation.odd_input import OddInput
from tests.test_readability import ENGLISH, MAX_SENTENCE_WORDS, sentences, words

ROOT = Path(__file__).resolve().parent.parent


def ranking(*pairs: tuple[str, float]) -> list[dict[str, object]]:
    return [{"name": name, "confidence": confidence} for name, confidence in pairs]


def test_two_close_intents_are_offered_best_first() -> None:
    found = candidates(
        ranking(("nlu_fallback", 0.4), ("request_coach", 0.38), ("request_voucher", 0.35))
    )
    assert found == ["request_coach", "request_voucher"]


def test_ranking_order_is_by_confidence_not_by_list_position() -> None:
    found = candidates(ranking(("ask_workshops", 0.2), ("request_coach", 0.3)))
    assert found == ["request_coach", "ask_workshops"]


def test_the_fallback_itself_is_skipped_in_the_ranking() -> None:
    found = candidates(ranking(("nlu_fallback", 0.4), ("start_scan", 0.3), ("ask_workshops", 0.25)))
    assert found == ["start_scan", "ask_workshops"]


@pytest.mark.parametrize("best", ["out_of_scope", "affirm", "faq", "deny"])
def test_when_the_best_guess_cannot_be_offered_the_runners_up_are_no_meaning(best: str) -> None:
    """ "klopt die uitslag wel?" as a frequent question: its runners-up made an odd pair."""
    found = candidates(
        ranking((best, 0.35), ("start_scan", 0.3), (best, 0.29), ("ask_workshops", 0.25))
    )
    assert found == []


@pytest.mark.parametrize("unlabelled", ["out_of_scope", "affirm", "faq", "deny"])
def test_unlabelled_runners_up_are_never_offered(unlabelled: str) -> None:
    found = candidates(ranking(("start_scan", 0.35), (unlabelled, 0.3), ("ask_workshops", 0.25)))
    assert found == ["start_scan", "ask_workshops"]


def test_erasure_is_never_offered_next_to_a_content_question() -> None:
    """Walkthrough 2026-12-03: "klopt die uitslag wel?" -> "... of je gegevens wissen?"."""
    pair = ranking(("nlu_fallback", 0.4), ("mention_barrier", 0.31), ("request_erasure", 0.3))
    assert candidates(pair, "maar klopt die uitslag wel?") == []
    assert "request_erasure" not in candidates(pair, "maar klopt die uitslag wel?")


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("request_erasure", "wis dat maar"),
        ("opt_out_trends", "tel mij maar niet mee"),
        ("goodbye", "bedankt, doei"),
        ("human_handoff", "kan ik iemand spreken"),
    ],
)
def test_intents_that_end_or_undo_are_offered_when_the_words_say_so(intent: str, text: str) -> None:
    partner = {
        "request_erasure": "ask_privacy",
        "opt_out_trends": "ask_my_data",
        "goodbye": "thank",
        "human_handoff": "health_concern",
    }[intent]
    found = candidates(ranking((intent, 0.35), (partner, 0.3)), text)
    assert found == [intent, partner]
    assert candidates(ranking((intent, 0.35), (partner, 0.3)), "klopt die uitslag wel") == []


def test_a_career_statement_gets_no_pair_of_handoff_and_feeling_unsafe() -> None:
    """Walkthrough 2026-12-02: "ik voel me vastgelopen ... wil door naar adviseur"."""
    text = "ik voel me vastgelopen in mijn werk en wil groeien naar P&O-adviseur"
    found = candidates(ranking(("human_handoff", 0.34), ("feel_unsafe", 0.3)), text)
    assert found == []


def test_meanings_of_different_senses_are_not_paired() -> None:
    """Walkthrough 2026-12-03: a sign-up got "ziek zijn of een burn-out of de workshops"."""
    found = candidates(ranking(("health_concern", 0.33), ("ask_workshops", 0.3)))
    assert found == []


def test_a_runner_up_far_behind_is_no_second_meaning() -> None:
    assert candidates(ranking(("request_coach", 0.38), ("request_voucher", 0.2))) == []
    assert candidates(ranking(("request_coach", 0.38), ("request_voucher", 0.24))) == [
        "request_coach",
        "request_voucher",
    ]


def test_the_same_intent_is_never_offered_twice() -> None:
    found = candidates(ranking(("request_coach", 0.3), ("request_coach", 0.3)))
    assert found == []


def test_noise_below_the_floor_is_no_second_meaning() -> None:
    assert candidates(ranking(("request_coach", 0.35), ("ask_workshops", 0.05))) == []


@pytest.mark.parametrize("bad", [None, [], [{"name": 3}], ["x"], [{"name": "greet"}]])
def test_malformed_rankings_give_no_candidates(bad: object) -> None:
    assert candidates(bad) == []  # type: ignore[arg-type]


def test_question_has_one_button_per_intent_and_something_else() -> None:
    text, buttons = ambiguity_question(["request_coach", "request_voucher"])
    assert "Bedoel je een coach inplannen of een voucher aanvragen?" in text
    assert [b["payload"] for b in buttons] == [
        "/request_coach",
        "/request_voucher",
        SOMETHING_ELSE_BUTTON["payload"],
    ]
    assert buttons[-1]["title"] == "Iets anders"


def test_every_label_is_a_domain_intent_and_none_is_forbidden() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    assert set(INTENT_LABELS) <= set(domain["intents"])
    assert not set(INTENT_LABELS) & NEVER_OFFERED


@pytest.mark.parametrize("intent", sorted(INTENT_LABELS))
def test_labels_are_plain_dutch(intent: str) -> None:
    text, _buttons = ambiguity_question(
        [intent, "ask_capabilities" if intent != "ask_capabilities" else "greet"]
    )
    for sentence in sentences(text):
        assert len(words(sentence)) <= MAX_SENTENCE_WORDS
        assert not set(words(sentence)) & ENGLISH


async def test_fallback_asks_which_one_when_nlu_had_two_candidates(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="coach of voucher",
        intent="nlu_fallback",
        extra_message={
            "intent_ranking": ranking(
                ("nlu_fallback", 0.4), ("request_voucher", 0.33), ("request_coach", 0.31)
            )
        },
    )
    events = await ActionKoersFallback().run(dispatcher, tracker, domain)
    assert len(dispatcher.messages) == 1
    message = dispatcher.messages[0]
    assert message["text"].endswith("Bedoel je een voucher aanvragen of een coach inplannen?")
    assert "begreep ik niet" not in message["text"]
    assert [b["payload"] for b in message["buttons"]][:2] == ["/request_voucher", "/request_coach"]
    assert events == [UserUtteranceReverted()]


async def test_fallback_without_two_candidates_says_it_did_not_understand(
    make_tracker, domain
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="fietsbel",
        intent="nlu_fallback",
        extra_message={"intent_ranking": ranking(("nlu_fallback", 0.4), ("greet", 0.02))},
    )
    await ActionKoersFallback().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == NOT_UNDERSTOOD


async def test_odd_input_is_answered_as_odd_input_even_with_candidates(
    make_tracker, domain
) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="😀👍",
        intent="nlu_fallback",
        extra_message={"intent_ranking": ranking(("greet", 0.3), ("thank", 0.3))},
    )
    await ActionKoersFallback().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == ODD_INPUT_ANSWERS[OddInput.NO_WORDS]


def test_config_asks_when_the_top_two_are_close() -> None:
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    fallback = next(c for c in config["pipeline"] if c["name"] == "FallbackClassifier")
    assert fallback["ambiguity_threshold"] >= 0.1
    assert 0.3 <= fallback["threshold"] <= 0.5


def test_unsure_twice_in_a_row_also_offers_a_person() -> None:
    text, buttons = fallback_answer(None, 2, ranking(("start_scan", 0.3), ("ask_workshops", 0.28)))
    assert "Bedoel je de talentscan doen of de workshops bekijken?" in text
    assert [b["payload"] for b in buttons][-1] == "/human_handoff"
    _text, first_time = fallback_answer(None, 1, ranking(("start_scan", 0.3), ("greet", 0.28)))
    assert "/human_handoff" not in [b["payload"] for b in first_time]
