"""Fallback, barrier support and opt-out actions."""

from __future__ import annotations

import pytest
from rasa_sdk.events import SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions import support
from actions.fallback import ActionKoersFallback
from actions.privacy import ActionOptOutTrends
from actions.support import ActionSupportBarrier
from bot.conversation.barriers import (
    BARRIER_ANSWERS,
    BARRIERS,
    GENERIC_BARRIER,
    MONEY_WITH_VOUCHER,
    WORRY_ANSWER,
    AnswerContext,
    support_answer,
)
from bot.conversation.fallback import NOT_UNDERSTOOD, NOT_UNDERSTOOD_AGAIN, ODD_INPUT_ANSWERS
from bot.conversation.odd_input import OddInput


@pytest.mark.parametrize(
    ("text", "odd"),
    [
        ("", OddInput.EMPTY),
        ("😀👍", OddInput.NO_WORDS),
        ("<script>alert('x')</script>", OddInput.MARKUP),
        pytest.param("a" * 5000, OddInput.TOO_LONG, id="5000-chars"),
        ("hello, can you help me with my career please", OddInput.OTHER_LANGUAGE),
    ],
)
async def test_fallback_answers_odd_input_in_dutch(make_tracker, domain, text, odd) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionKoersFallback().run(
        dispatcher, make_tracker(text=text, intent="nlu_fallback"), domain
    )
    assert dispatcher.messages[0]["text"] == ODD_INPUT_ANSWERS[odd]
    assert events == [UserUtteranceReverted()]


async def test_fallback_suggests_what_you_can_ask(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="fietsbel paraplu", intent="nlu_fallback")
    await ActionKoersFallback().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == NOT_UNDERSTOOD
    assert any(b["payload"] == "/start_scan" for b in dispatcher.messages[0]["buttons"])


async def test_second_fallback_in_a_row_offers_a_person(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    events = [
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "blabla"},
        {"event": "action", "name": "action_koers_fallback"},
        {"event": "rewind"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "nog eens blabla"},
    ]
    tracker = make_tracker(text="nog eens blabla", intent="nlu_fallback", events=events)
    await ActionKoersFallback().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == NOT_UNDERSTOOD_AGAIN
    assert any(b["payload"] == "/human_handoff" for b in dispatcher.messages[0]["buttons"])


@pytest.mark.parametrize("barrier", BARRIERS)
async def test_each_barrier_gets_its_own_answer(make_tracker, domain, barrier) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="...", intent="mention_barrier", entities=[{"entity": "barrier", "value": barrier}]
    )
    events = await ActionSupportBarrier().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == BARRIER_ANSWERS[barrier]
    assert "Tip:" in dispatcher.messages[0]["text"]
    assert SlotSet("barrier", barrier) in events


async def test_worry_gets_an_honest_answer_without_promises(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="mijn functie verdwijnt straks", intent="express_worry")
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert text == WORRY_ANSWER
    assert "niet beloven" in text


async def test_opt_out_is_recorded(make_tracker, domain) -> None:
    events = await ActionOptOutTrends().run(CollectingDispatcher(), make_tracker(), domain)
    assert events == [SlotSet("trends_opt_out", True)]


async def test_stray_entity_fragments_are_ignored(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    entities = [
        {"entity": "barrier", "value": "werk"},
        {"entity": "barrier", "value": "tijd"},
    ]
    tracker = make_tracker(text="geen tijd voor werk", intent="mention_barrier", entities=entities)
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == BARRIER_ANSWERS["tijd"]


# --- stock answers check their context (issue 16) ---


@pytest.mark.parametrize("barrier", [None, "motivatie"])
async def test_no_scan_tip_after_the_scan(make_tracker, domain, barrier) -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "barrier", "value": barrier}] if barrier else []
    tracker = make_tracker(
        text="ik weet het niet",
        intent="mention_barrier",
        entities=entities,
        slots={"scan_status": "completed"},
    )
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "Doe bijvoorbeeld de talentscan" not in text
    assert "doe de talentscan" not in text.lower()
    assert "scanuitslag" in text


@pytest.mark.parametrize("barrier", [None, "motivatie"])
async def test_no_scan_tip_during_the_scan(make_tracker, domain, barrier) -> None:
    dispatcher = CollectingDispatcher()
    entities = [{"entity": "barrier", "value": barrier}] if barrier else []
    tracker = make_tracker(
        text="nou niet echt",
        intent="mention_barrier",
        entities=entities,
        slots={"scan_status": "in_progress"},
        active_loop="scan_form",
    )
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "doe de talentscan" not in text.lower()
    assert "Doe bijvoorbeeld" not in text
    assert "scan" in text and "af" in text


async def test_worry_after_the_scan_points_to_the_result(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="mijn functie verdwijnt", intent="express_worry", slots={"scan_status": "completed"}
    )
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert "Ontdek met de talentscan" not in text
    assert "scanuitslag" in text
    assert "niet beloven" in text


async def test_money_tip_does_not_offer_a_voucher_to_someone_who_has_one(
    make_tracker, domain, monkeypatch
) -> None:
    async def has_one(tracker: object) -> str:
        return "issued"

    monkeypatch.setattr(support, "own_voucher_status", has_one)
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="ik heb geen geld",
        intent="mention_barrier",
        entities=[{"entity": "barrier", "value": "geld"}],
    )
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert text == MONEY_WITH_VOUCHER
    assert "met de voucher van 375 euro" not in text.lower()
    assert "voucher heb je al" in text


async def test_money_tip_for_someone_without_voucher_mentions_it(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="ik heb geen geld",
        intent="mention_barrier",
        entities=[{"entity": "barrier", "value": "geld"}],
    )
    await ActionSupportBarrier().run(dispatcher, tracker, domain)
    assert dispatcher.messages[0]["text"] == BARRIER_ANSWERS["geld"]


def test_context_variants_are_distinct_from_the_plain_answers() -> None:
    plain = AnswerContext()
    assert support_answer("mention_barrier", None, plain) == GENERIC_BARRIER
    done = AnswerContext(scan_done=True)
    assert support_answer("mention_barrier", None, done) != GENERIC_BARRIER
    assert support_answer("mention_barrier", "tijd", done) == BARRIER_ANSWERS["tijd"]
