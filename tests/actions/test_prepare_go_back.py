"""Going back in the preparation: to the question named, adding to it, then on where we were."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prepare import ActionPrepareGoBack, ValidatePrepareForm
from bot.preparation import texts

ANSWERED = {
    "prep_kind": "ontwikkelgesprek",
    "prep_goal": "een cursus",
    "prep_strengths": "plannen",
    "prep_develop": "leidinggeven",
    "prep_ask": ["Tijd om te leren"],
}


async def validate(make_tracker: Any, domain: dict[str, Any], text: str, requested: str, **kw):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        active_loop="prepare_form",
        slots={"requested_slot": requested, **ANSWERED, **kw.get("slots", {})},
        intent=kw.get("intent", "express_worry"),
        confidence=kw.get("confidence", 0.9),
    )
    events = await ValidatePrepareForm().run(dispatcher, tracker, domain)
    return events, [m.get("text") or m.get("response") for m in dispatcher.messages]


async def test_back_to_question_5_adds_and_goes_on_with_the_worry(make_tracker, domain) -> None:
    """Walkthrough 2026-12-03, turn 50: this was stored as the worry."""
    text = "terug, ik wil bij vraag 5 ook budget voor opleiding noemen"
    events, said = await validate(make_tracker, domain, text, "prep_worry")
    assert said == ["Ik heb bij je wensen 'budget voor opleiding' toegevoegd."]
    assert SlotSet("prep_ask", ["Tijd om te leren", "Budget voor een opleiding"]) in events
    assert SlotSet("prep_worry", None) in events  # the worry is asked again, nothing stored
    assert not any(e.get("name") == "prep_worry" and e.get("value") for e in events)


async def test_back_to_a_free_text_question_adds_to_the_text(make_tracker, domain) -> None:
    events, said = await validate(
        make_tracker, domain, "bij vraag 3 wil ik er ook geduld bij zetten", "prep_ask"
    )
    assert SlotSet("prep_strengths", "plannen, geduld") in events
    assert said == ["Ik heb bij je sterke punten 'geduld' toegevoegd."]


async def test_back_to_question_2_without_words_asks_it_again(make_tracker, domain) -> None:
    events, said = await validate(make_tracker, domain, "terug naar vraag 2", "prep_worry")
    assert SlotSet("prep_goal", None) in events
    assert said == [texts.GO_BACK_TO.format(number=2)]
    assert SlotSet("prep_ask", None) not in events  # the later answers stay


async def test_plain_terug_clears_the_previous_answer(make_tracker, domain) -> None:
    events, said = await validate(make_tracker, domain, "terug", "prep_worry", intent="go_back")
    assert SlotSet("prep_ask", None) in events and said == [texts.GO_BACK]


async def test_terug_ik_bedoel_replaces_the_previous_answer(make_tracker, domain) -> None:
    events, said = await validate(
        make_tracker, domain, "terug, ik bedoel leidinggeven en coachen", "prep_ask"
    )
    assert SlotSet("prep_develop", "leidinggeven en coachen") in events
    assert said == ["Ik heb wat je wilt leren veranderd in: 'leidinggeven en coachen'."]


async def test_a_question_not_yet_asked_is_not_gone_back_to(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="bij vraag 6 ook iets",
        slots={"requested_slot": "prep_strengths"},
        active_loop="prepare_form",
    )
    assert await ActionPrepareGoBack().run(dispatcher, tracker, domain) == []
    assert dispatcher.messages[0]["text"] == texts.NOT_YET.format(number=6)


async def test_a_side_question_in_a_free_text_answer_is_not_stored(make_tracker, domain) -> None:
    """Walkthrough 2026-12-02: "wordt dit antwoord ook bewaard?" became a strength."""
    events, said = await validate(
        make_tracker,
        domain,
        "wacht even, wordt dit antwoord ook bewaard? met die naam van sandra erin?",
        "prep_strengths",
        slots={"prep_strengths": None},
        intent="nlu_fallback",
        confidence=0.4,
    )
    assert said == ["utter_privacy"]
    assert not any(e.get("name") == "prep_strengths" and e.get("value") for e in events)
    assert SlotSet("prep_strengths", None) in events


async def test_a_question_named_by_its_words_is_the_one_gone_back_to(make_tracker, domain) -> None:
    """Walkthrough 2026-12-04b, Linda T8: "bij waar ik goed in ben" went to question 4."""
    text = "terug, wacht even ik wil bij waar ik goed in ben nog iets toevoegen"
    events, said = await validate(make_tracker, domain, text, "prep_ask")
    assert SlotSet("requested_slot", "prep_strengths") in events
    assert not any(e.get("name") == "prep_develop" for e in events)
