"""Actions of the conversation preparation, with trackers built from the real domain."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import pytest
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prepare import (
    ASK_ACTIONS,
    ActionAskPracticeAnswer1,
    ActionAskPrepPrivate,
    ActionAskPrepReview,
    ActionMakeSheet,
    ActionPrepareFinish,
    ActionPrepareGoBack,
    ActionPrepareStart,
    ValidatePracticeForm,
    ValidatePrepareForm,
)
from bot.conversation.barriers import BARRIER_ANSWERS
from bot.db.engine import migrate
from bot.preparation import texts
from bot.preparation.checks import format_day
from bot.preparation.questions import ASKS, SKIPPED

ASK_PRACTICE = (ActionAskPracticeAnswer1,)

ALL_ANSWERS = {
    "prep_kind": "jaargesprek",
    "prep_goal": "Afspreken dat ik een cursus mag doen",
    "prep_strengths": ["Plannen"],
    "prep_develop": "werken met data",
    "prep_ask": [ASKS["tijd"]],
    "prep_worry": SKIPPED,
    "prep_when": "volgende week",
}


async def _extract(
    make_tracker,
    domain,
    requested: str,
    text: str,
    intent: str = "faq",
    confidence: float = 0.3,
    slots: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        intent=intent,
        confidence=confidence,
        active_loop="prepare_form",
        slots={"requested_slot": requested, **(slots or {})},
        entities=entities,
    )
    events = await ValidatePrepareForm().get_extraction_events(dispatcher, tracker, domain)
    return events, [m.get("text") for m in dispatcher.messages], dispatcher


async def test_free_text_is_the_answer_even_when_nlu_sees_another_intent(
    make_tracker, domain
) -> None:
    text = "ik wil graag een coach en meer verantwoordelijkheid"
    events, _, _ = await _extract(make_tracker, domain, "prep_goal", text, "request_coach", 0.9)
    assert events == [SlotSet("prep_goal", text)]


async def test_skip(make_tracker, domain) -> None:
    events, messages, _ = await _extract(make_tracker, domain, "prep_goal", "sla over")
    assert events == [SlotSet("prep_goal", SKIPPED)]
    assert messages == [texts.SKIPPED]


async def test_kind_from_free_text_and_a_friendly_retry(make_tracker, domain) -> None:
    events, _, _ = await _extract(make_tracker, domain, "prep_kind", "mijn R&O gesprek")
    assert events == [SlotSet("prep_kind", "jaargesprek")]
    events, messages, _ = await _extract(make_tracker, domain, "prep_kind", "pannenkoek")
    assert events == [SlotSet("prep_kind", None)] and messages == [texts.KIND_NOT_UNDERSTOOD]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("stop", "stop"),
        ("terug", "go_back"),
        ("wat is EVC?", "faq"),
        ("mag ik dit wel met mijn privacy?", "ask_privacy"),
        ("/request_erasure", "request_erasure"),
    ],
)
async def test_commands_and_questions_interrupt(make_tracker, domain, text, intent) -> None:
    events, messages, _ = await _extract(make_tracker, domain, "prep_goal", text, intent, 0.95)
    assert events == [] and messages == []


async def test_a_barrier_gets_tips_then_the_same_question_but_is_the_worry_answer(
    make_tracker, domain
) -> None:
    entity = [{"entity": "barrier", "value": "leidinggevende"}]
    text = "ik durf het eigenlijk niet tegen mijn baas te zeggen"
    events, messages, _ = await _extract(
        make_tracker, domain, "prep_goal", text, "mention_barrier", 0.95, entities=entity
    )
    assert events == [SlotSet("prep_goal", None), SlotSet("barrier", "leidinggevende")]
    assert messages == [BARRIER_ANSWERS["leidinggevende"]]
    events, messages, _ = await _extract(
        make_tracker, domain, "prep_worry", text, "mention_barrier", 0.95, entities=entity
    )
    assert events == [SlotSet("prep_worry", text), SlotSet("barrier", "leidinggevende")]
    assert messages == [BARRIER_ANSWERS["leidinggevende"]]


async def test_a_plain_goal_is_an_answer_even_if_nlu_calls_it_a_barrier(
    make_tracker, domain
) -> None:
    text = "Ik wil met mijn teamleider afspreken dat ik een cursus Excel mag doen"
    events, _, _ = await _extract(make_tracker, domain, "prep_goal", text, "mention_barrier", 0.97)
    assert events == [SlotSet("prep_goal", text)]


async def test_a_barrier_is_recognised_whatever_intent_nlu_chose(make_tracker, domain) -> None:
    entity = [{"entity": "barrier", "value": "tijd"}]
    text = "ik heb eigenlijk helemaal geen tijd voor ontwikkeling"
    events, messages, _ = await _extract(
        make_tracker, domain, "prep_develop", text, "faq", 1.0, entities=entity
    )
    assert events == [SlotSet("prep_develop", None), SlotSet("barrier", "tijd")]
    assert messages == [BARRIER_ANSWERS["tijd"]]
    # A request for time is an answer, not a barrier.
    events, _, _ = await _extract(
        make_tracker, domain, "prep_ask", "meer tijd om te leren", "faq", 1.0, entities=entity
    )
    assert events == [SlotSet("prep_ask", [ASKS["tijd"]])]


async def test_scan_strengths_are_offered_and_confirmed(make_tracker, domain) -> None:
    scan = {
        "scan_status": "completed",
        "scan_strengths": ["plannen", "samenwerken"],
        "scan_direction": "verbreden",
    }
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**scan, "requested_slot": "prep_strengths"})
    await ASK_ACTIONS["prep_strengths"]().run(dispatcher, tracker, domain)
    assert "Uit je talentscan" in dispatcher.messages[0]["text"]
    assert dispatcher.messages[0]["buttons"][0]["payload"] == "ja"
    events, _, _ = await _extract(make_tracker, domain, "prep_strengths", "ja", slots=scan)
    assert events[0].get("name") == "prep_strengths" and len(events[0]["value"]) == 2
    events, _, _ = await _extract(make_tracker, domain, "prep_develop", "klopt", slots=scan)
    assert events == [SlotSet("prep_develop", "Verbreden: nieuwe taken erbij")]


async def test_every_question_has_a_skip_button(make_tracker, domain) -> None:
    for slot, action in ASK_ACTIONS.items():
        dispatcher = CollectingDispatcher()
        await action().run(dispatcher, make_tracker(slots={"requested_slot": slot}), domain)
        assert {"title": "Sla over", "payload": "sla over"} in dispatcher.messages[0]["buttons"]
        assert re.match(r"Vraag \d van 7: ", dispatcher.messages[0]["text"])


async def test_review_changes_one_answer(make_tracker, domain) -> None:
    events, messages, _ = await _extract(
        make_tracker, domain, "prep_review", "mijn doel aanpassen", slots=ALL_ANSWERS
    )
    assert events == [SlotSet("prep_goal", None), SlotSet("prep_review", None)]
    events, _, dispatcher = await _extract(
        make_tracker, domain, "prep_review", "iets aanpassen", slots=ALL_ANSWERS
    )
    assert events == [SlotSet("prep_review", None)]
    assert len(dispatcher.messages[0]["buttons"]) == 7


async def test_review_shows_the_summary(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**ALL_ANSWERS, "requested_slot": "prep_review"})
    await ActionAskPrepReview().run(dispatcher, tracker, domain)
    summary = dispatcher.messages[0]["text"]
    assert "Een jaargesprek" in summary and "(overgeslagen)" in summary
    assert dispatcher.messages[1]["buttons"] == texts.REVIEW_BUTTONS


async def test_go_back_and_start_over(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**ALL_ANSWERS, "requested_slot": "prep_ask"})
    assert await ActionPrepareGoBack().run(dispatcher, tracker, domain) == [
        SlotSet("prep_develop", None)
    ]
    tracker = make_tracker(slots={"requested_slot": "prep_kind"})
    assert await ActionPrepareGoBack().run(dispatcher, tracker, domain) == []
    finished = make_tracker(slots={**ALL_ANSWERS, "prep_review": "maken"})
    events = await ActionPrepareStart().run(dispatcher, finished, domain)
    # Walkthrough 2026-12-03b: a finished preparation is not wiped; the check comes back
    # (with "Opnieuw beginnen" as a choice there).
    assert events == [SlotSet("prep_review", None)]


async def test_practice_first_then_feedback(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(slots={**ALL_ANSWERS, "prep_review": "oefenen"})
    events = await ActionPrepareFinish().run(dispatcher, tracker, domain)
    assert events[-1] == FollowupAction("practice_form")
    tracker = make_tracker(
        text="Nee, ik wil juist bij de gemeente blijven. Kunnen we twee uur per maand afspreken?",
        intent="deny",
        active_loop="practice_form",
        slots={**ALL_ANSWERS, "requested_slot": "practice_answer_1"},
    )
    dispatcher = CollectingDispatcher()
    events = await ValidatePracticeForm().get_extraction_events(dispatcher, tracker, domain)
    assert events[0]["name"] == "practice_answer_1"
    assert "Zo kun je het ook zeggen" in dispatcher.messages[0]["text"]


@pytest.fixture
def app_db(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'koers.db'}"
    migrate(url)
    monkeypatch.setenv("KOERS_DATABASE_URL", url)
    monkeypatch.setenv("KOERS_PUBLIC_BASE_URL", "http://koers.test")
    return url


async def test_make_sheet_stores_a_scrubbed_sheet_and_sends_the_links(
    make_tracker, domain, app_db
) -> None:
    from bot.db.engine import get_engine, make_session_factory
    from bot.preparation.store import load_sheet

    answers = {**ALL_ANSWERS, "prep_goal": "Ik wil met Petra de Vries over een cursus praten"}
    dispatcher = CollectingDispatcher()
    await ActionMakeSheet().run(dispatcher, make_tracker(slots=answers), domain)
    texts_sent = [m.get("text") or "" for m in dispatcher.messages]
    assert texts.NAMES_LEFT_OUT in texts_sent
    ready = next(m for m in dispatcher.messages if "koers_download" in (m.get("custom") or {}))
    download = ready["custom"]["koers_download"]
    token = download["html_url"].rsplit("/", 1)[1]
    assert download["html_url"].startswith("http://koers.test/voorbereiding/")
    assert download["pdf_url"] == download["html_url"] + ".pdf"
    assert download["html_url"] in ready["text"]
    with make_session_factory(get_engine(app_db))() as session:
        sheet, _ = load_sheet(session, token)
    assert "Petra" not in (sheet.goal or "") and "(naam weggelaten)" in (sheet.goal or "")


# -- issue 16: answer shapes, no re-asking, varied practice, the sheet's life and privacy


async def test_an_impossible_date_is_refused_kindly_and_changes_nothing(
    make_tracker, domain
) -> None:
    events, messages, _ = await _extract(make_tracker, domain, "prep_when", "32 februari")
    assert events == [SlotSet("prep_when", None)]
    assert messages == [texts.WHEN_NO_SUCH_DATE]
    events, messages, _ = await _extract(make_tracker, domain, "prep_when", "1 januari 2020")
    assert events == [SlotSet("prep_when", None)] and messages == [texts.WHEN_PAST]
    events, messages, _ = await _extract(make_tracker, domain, "prep_when", "ergens binnenkort")
    assert events == [SlotSet("prep_when", None)] and messages == [texts.WHEN_NOT_A_DATE]


async def test_a_real_date_is_stored_in_dutch_and_as_iso(make_tracker, domain) -> None:
    events, messages, _ = await _extract(make_tracker, domain, "prep_when", "morgen")
    tomorrow = date.today() + timedelta(days=1)
    assert events == [
        SlotSet("prep_when", format_day(tomorrow)),
        SlotSet("prep_date", tomorrow.isoformat()),
    ]
    assert messages == []


async def test_keyboard_noise_is_no_strength(make_tracker, domain) -> None:
    events, messages, _ = await _extract(make_tracker, domain, "prep_strengths", "asdfgh")
    assert events == [SlotSet("prep_strengths", None)]
    assert messages == [texts.STRENGTHS_NOISE]
    events, _, _ = await _extract(make_tracker, domain, "prep_strengths", "plannen en geduld")
    assert events == [SlotSet("prep_strengths", "plannen en geduld")]


@pytest.mark.parametrize(
    ("slot", "text"),
    [
        ("prep_goal", "ik wil eerst de talentscan doen"),
        ("prep_goal", "wil doorgroeien. hoe pak ik dat aan?"),
        ("prep_develop", "kan je me eerst een coach geven"),
    ],
)
async def test_a_request_typed_into_the_form_is_not_stored(
    make_tracker, domain, slot: str, text: str
) -> None:
    events, messages, _ = await _extract(make_tracker, domain, slot, text, "faq", 0.4)
    assert SlotSet(slot, text) not in events
    assert all(event.get("value") is None for event in events if event["name"] == slot)
    assert len(messages) == 1


async def test_the_first_message_fills_kind_and_date(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="ik heb volgende week dinsdag mijn jaargesprek met mijn leidinggevende",
        intent="prepare_conversation",
        confidence=0.9,
    )
    events = await ActionPrepareStart().run(dispatcher, tracker, domain)
    names = {event["name"]: event["value"] for event in events}
    assert names["prep_kind"] == "jaargesprek"
    assert names["prep_party"] == "leidinggevende"
    day = date.fromisoformat(names["prep_date"])
    # the Tuesday of next calendar week: 4 days ahead on a Friday, 8 on a Monday
    next_week = date.today() + timedelta(days=7)
    assert day.weekday() == 1 and day.isocalendar()[:2] == next_week.isocalendar()[:2]
    assert names["prep_when"] == format_day(day)
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "een jaargesprek" in said and "vraag ik dus niet meer" in said


async def test_given_answers_are_not_overwritten_by_the_first_message(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="gesprek voorbereiden voor mijn jaargesprek",
        slots={"prep_kind": "reorganisatie", "prep_goal": "iets"},
    )
    events = await ActionPrepareStart().run(dispatcher, tracker, domain)
    assert all(event["name"] != "prep_kind" for event in events)


async def test_the_kind_answer_also_names_the_party(make_tracker, domain) -> None:
    events, _, _ = await _extract(
        make_tracker, domain, "prep_kind", "een gesprek met P&O over de reorganisatie"
    )
    assert events == [SlotSet("prep_kind", "reorganisatie"), SlotSet("prep_party", "P&O-adviseur")]


async def test_the_private_question_has_buttons_and_takes_words(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    await ActionAskPrepPrivate().run(dispatcher, make_tracker(), domain)
    assert dispatcher.messages[0]["buttons"] == texts.PRIVATE_BUTTONS
    events, _, _ = await _extract(make_tracker, domain, "prep_private", "nee, alleen voor mij")
    assert events == [SlotSet("prep_private", False)]
    events, _, _ = await _extract(make_tracker, domain, "prep_private", "Ja, zet ze erop")
    assert events == [SlotSet("prep_private", True)]
    events, messages, _ = await _extract(make_tracker, domain, "prep_private", "pannenkoek")
    assert events == [SlotSet("prep_private", None)] and messages == [texts.PRIVATE_NOT_UNDERSTOOD]


async def test_changing_one_answer_in_words(make_tracker, domain) -> None:
    events, messages, _ = await _extract(
        make_tracker, domain, "prep_review", "verander mijn sterke punten", slots=ALL_ANSWERS
    )
    assert events == [SlotSet("prep_strengths", None), SlotSet("prep_review", None)]
    assert messages == [texts.CHANGE_THIS]


async def test_practice_for_a_reorganisation_with_p_en_o(make_tracker, domain) -> None:
    slots = {
        **ALL_ANSWERS,
        "prep_kind": "reorganisatie",
        "prep_party": "P&O-adviseur",
        "prep_worry": "dat ik mijn baan kwijtraak",
        "requested_slot": "practice_answer_1",
    }
    dispatcher = CollectingDispatcher()
    await ASK_PRACTICE[0]().run(dispatcher, make_tracker(slots=slots), domain)
    line = dispatcher.messages[0]["text"]
    assert line.startswith("Je P&O-adviseur zegt")
    assert "Je wilt zeker weg" not in line and "passend werk" in line  # P&O on losing the job


async def test_make_sheet_lives_two_days_past_the_meeting_and_keeps_privacy(
    make_tracker, domain, app_db
) -> None:
    from bot.db.engine import get_engine, make_session_factory
    from bot.preparation.store import load_sheet

    meeting = date.today() + timedelta(days=10)
    answers = {
        **ALL_ANSWERS,
        "prep_worry": "dat ze denkt dat ik weg wil",
        "prep_date": meeting.isoformat(),
        "prep_private": False,
        "prep_party": "P&O-adviseur",
        "practice_answer_1": "Ik wil juist blijven, echt waar.",
    }
    dispatcher = CollectingDispatcher()
    await ActionMakeSheet().run(dispatcher, make_tracker(slots=answers), domain)
    ready = next(m for m in dispatcher.messages if "koers_download" in (m.get("custom") or {}))
    download = ready["custom"]["koers_download"]
    assert download["expires_on"] == (meeting + timedelta(days=2)).isoformat()
    token = download["html_url"].rsplit("/", 1)[1]
    with make_session_factory(get_engine(app_db))() as session:
        sheet, _ = load_sheet(session, token)
    assert sheet.worry is None and all(r.my_answer is None for r in sheet.reactions)
    assert sheet.party == "P&O-adviseur"
    # and the chat says so, instead of "Je antwoorden zet ik op je blad" (walkthrough 2, 8)
    assert dispatcher.messages[0]["text"] == texts.PRACTICE_DONE_PRIVATE
    answers["prep_private"] = True
    dispatcher = CollectingDispatcher()
    await ActionMakeSheet().run(dispatcher, make_tracker(slots=answers), domain)
    ready = next(m for m in dispatcher.messages if "koers_download" in (m.get("custom") or {}))
    token = ready["custom"]["koers_download"]["html_url"].rsplit("/", 1)[1]
    with make_session_factory(get_engine(app_db))() as session:
        sheet, _ = load_sheet(session, token)
    assert sheet.worry == "dat ze denkt dat ik weg wil"


async def test_yes_and_more_keeps_the_scan_strengths_and_adds(make_tracker, domain) -> None:
    scan = {"scan_status": "completed", "scan_strengths": ["plannen"]}
    events, _, _ = await _extract(
        make_tracker,
        domain,
        "prep_strengths",
        "ja en ook dat ik goed ben met lastige klanten",
        slots=scan,
    )
    (event,) = events
    assert event["name"] == "prep_strengths" and len(event["value"]) == 2
    assert event["value"][-1] == "goed ben met lastige klanten"
