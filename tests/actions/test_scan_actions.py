"""The scan's custom actions, run with CollectingDispatcher on trackers from the real domain."""

from __future__ import annotations

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.scan import (
    ASK_ACTIONS,
    ActionScanGoBack,
    ActionScanReset,
    ActionScanResult,
    ActionScanStart,
    ValidateScanForm,
    scan_result_from_slots,
)
from bot.scan import texts
from bot.scan.questions import SCAN_SLOTS


def all_answers(value: int = 3, **overrides: int) -> dict[str, int]:
    answers = dict.fromkeys(SCAN_SLOTS, value)
    answers.update(overrides)
    return answers


async def run_validation(make_tracker, domain, text, intent=None, confidence=0.95, slots=None):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        intent=intent,
        confidence=confidence,
        slots={"requested_slot": "scan_q03", **(slots or {})},
        active_loop="scan_form",
    )
    events = await ValidateScanForm().run(dispatcher, tracker, domain)
    return dispatcher, events


async def test_free_text_answer_fills_the_requested_question(make_tracker, domain) -> None:
    dispatcher, events = await run_validation(make_tracker, domain, "best wel", "affirm")
    assert SlotSet("scan_q03", 4) in events
    assert dispatcher.messages == []


async def test_button_payload_fills_the_requested_question(make_tracker, domain) -> None:
    _, events = await run_validation(make_tracker, domain, "2", "answer_scale")
    assert SlotSet("scan_q03", 2) in events


async def test_unmappable_answer_is_asked_again_kindly(make_tracker, domain) -> None:
    dispatcher, events = await run_validation(make_tracker, domain, "banaan", "nlu_fallback")
    assert SlotSet("scan_q03", None) in events
    assert dispatcher.messages[0]["text"] == texts.NOT_UNDERSTOOD


def answered(events: list, slot: str = "scan_q03") -> bool:
    return any(e.get("name") == slot and e.get("value") is not None for e in events)


async def test_side_question_is_answered_and_the_answer_left_open(make_tracker, domain) -> None:
    dispatcher, events = await run_validation(
        make_tracker, domain, "wie kan zien wat ik hier typ?", "ask_privacy"
    )
    assert SlotSet("scan_q03", None) in events  # the form asks the same question again
    assert [m["response"] for m in dispatcher.messages] == ["utter_privacy"]


async def test_long_interruption_containing_a_scale_word_is_not_an_answer(
    make_tracker, domain
) -> None:
    _, events = await run_validation(
        make_tracker, domain, "ik wil niet meetellen in de cijfers", "opt_out_trends"
    )
    assert not answered(events)


async def test_short_answer_wins_over_a_misread_intent(make_tracker, domain) -> None:
    _, events = await run_validation(make_tracker, domain, "ja hoor", "stop", confidence=0.6)
    assert SlotSet("scan_q03", 4) in events


async def test_no_extraction_before_a_question_was_asked(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="ik wil de scan doen", intent="start_scan")
    events = await ValidateScanForm().run(dispatcher, tracker, domain)
    assert not any(e.get("name", "").startswith("scan_q") for e in events)


async def test_every_question_has_an_ask_action_in_the_domain(make_tracker, domain) -> None:
    assert set(ASK_ACTIONS) == set(SCAN_SLOTS)
    for slot, action_class in ASK_ACTIONS.items():
        action = action_class()
        assert action.name() in domain["actions"]
        dispatcher = CollectingDispatcher()
        await action.run(dispatcher, make_tracker(), domain)
        message = dispatcher.messages[0]
        assert message["text"].startswith(f"Vraag {SCAN_SLOTS.index(slot) + 1} van 14:")
        assert [b["payload"] for b in message["buttons"]] == ["1", "2", "3", "4", "5"]


async def test_start_introduces_a_new_scan(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionScanStart().run(dispatcher, make_tracker(), domain)
    assert dispatcher.messages[0]["text"] == texts.INTRO
    assert SlotSet("scan_status", "in_progress") in events


async def test_start_resumes_a_paused_scan(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {slot: 4 for slot in SCAN_SLOTS[:5]}
    await ActionScanStart().run(dispatcher, make_tracker(slots=slots), domain)
    assert "5 van de 14" in dispatcher.messages[0]["text"]


async def test_result_explains_direction_and_offers_next_steps(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**all_answers(scan_q12=5, scan_q05=5), "scan_status": "in_progress"}
    events = await ActionScanResult().run(dispatcher, make_tracker(slots=slots), domain)
    result_text, steps = dispatcher.messages
    assert "Verbreden" in result_text["text"]
    assert "Waarom past dit bij jou?" in result_text["text"]
    assert 2 <= len(steps["buttons"]) <= 3
    assert SlotSet("scan_status", "completed") in events
    assert SlotSet("scan_direction", "verbreden") in events


async def test_result_is_kept_in_slots_for_later_capabilities(make_tracker, domain) -> None:
    tracker = make_tracker(
        slots={
            "scan_status": "completed",
            "scan_direction": "verticaal",
            "scan_strengths": ["organiseren", "oplossen", "contact"],
            "scan_reasons": ["Je wilt graag meer verantwoordelijkheid."],
        }
    )
    stored = scan_result_from_slots(tracker)
    assert stored is not None and stored["direction"] == "verticaal"
    assert scan_result_from_slots(make_tracker()) is None


async def test_result_shown_again_when_scan_was_done(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**all_answers(scan_q07=5), "scan_status": "completed"}
    await ActionScanResult().run(dispatcher, make_tracker(slots=slots), domain)
    assert dispatcher.messages[0]["text"] == texts.ALREADY_DONE
    assert dispatcher.messages[-1]["text"] == texts.REDO_HINT


async def test_result_with_missing_answers_does_not_crash(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {slot: 4 for slot in SCAN_SLOTS[:3]}
    events = await ActionScanResult().run(dispatcher, make_tracker(slots=slots), domain)
    assert "3 van de 14" in dispatcher.messages[0]["text"]
    assert SlotSet("scan_status", "in_progress") in events


async def test_go_back_clears_the_previous_answer(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**{slot: 4 for slot in SCAN_SLOTS[:4]}, "requested_slot": "scan_q05"}
    events = await ActionScanGoBack().run(dispatcher, make_tracker(slots=slots), domain)
    assert SlotSet("scan_q04", None) in events
    assert dispatcher.messages[0]["text"] == texts.GO_BACK


async def test_go_back_on_the_first_question_explains(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={"requested_slot": "scan_q01"})
    events = await ActionScanGoBack().run(dispatcher, tracker, domain)
    assert events == []
    assert dispatcher.messages[0]["text"] == texts.FIRST_QUESTION


async def test_go_back_after_the_result_reopens_the_last_question(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**all_answers(4), "scan_status": "completed"}
    events = await ActionScanGoBack().run(dispatcher, make_tracker(slots=slots), domain)
    assert SlotSet("scan_q14", None) in events
    assert SlotSet("scan_status", "in_progress") in events


async def test_reset_forgets_all_answers(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    slots = {**all_answers(4), "scan_status": "completed", "scan_direction": "verdiepen"}
    events = await ActionScanReset().run(dispatcher, make_tracker(slots=slots), domain)
    for slot in SCAN_SLOTS:
        assert SlotSet(slot, None) in events
    assert SlotSet("scan_direction", None) in events
    assert SlotSet("scan_status", "in_progress") in events


async def test_one_loose_word_is_asked_again_not_taken_as_a_worry(make_tracker, domain) -> None:
    dispatcher, events = await run_validation(make_tracker, domain, "banaan", "express_worry")
    assert SlotSet("scan_q03", None) in events
    assert dispatcher.messages[0]["text"] == texts.NOT_UNDERSTOOD


async def test_one_word_command_still_interrupts(make_tracker, domain) -> None:
    _, events = await run_validation(make_tracker, domain, "privacy?", "ask_privacy")
    assert not answered(events)


async def test_resuming_a_paused_scan_clears_the_pause(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="verder met de scan",
        intent="start_scan",
        slots={"scan_q01": 4, "paused_form": "scan_form", "scan_status": "in_progress"},
    )
    events = await ActionScanStart().run(dispatcher, tracker, domain)
    assert SlotSet("paused_form", None) in events
    assert "Welkom terug" in dispatcher.messages[0]["text"]
