"""Follow-ups after the EVC check and after "Zal ik verder gaan met de lijst?".

Walkthrough 2026-12-03b (conversation 1): "dus niet voor evc? wie betaalt evc" after the check
started the three questions again; "laat maar, die vragen had ik al beantwoord" inside them got
"Typ het aantal jaren als getal"; "4 jaar bij kcc, daarvoor 2 jaar callcenter" was no number;
"ja laat zien" to Koers' own "Zal ik verder gaan met de lijst?" got the general menu; a saved
vacancy that closes before the meeting said nothing about it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.orm import sessionmaker

from actions import opportunities as actions
from bot.clock import utcnow
from bot.conversation.turns import TurnKind, classify_turn, says_stop
from bot.opportunities import chat
from bot.opportunities.catalog import TYPE_VACANCY
from bot.opportunities.service import visible_opportunities
from tests.actions.test_opportunities import (
    ACTIONS,
    catalogue,  # noqa: F401 - the fixture, used by name below
    listings,
)
from tests.actions.test_voucher import claim
from tests.ledger.dialogue import Conversation, button_payloads, texts

pytest_plugins = ["tests.ledger.support"]

EVC_DONE = [
    {"event": "user", "text": "is evc iets voor mij?"},
    {"event": "action", "name": "action_evc_start"},
    {"event": "action", "name": "evc_form"},
    {"event": "action", "name": "action_evc_result"},
    {"event": "bot", "text": "EVC kan goed bij je passen."},
]


def followups(events: list[dict[str, Any]]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


async def evc_start(make_tracker, text: str, events: list[dict[str, Any]], **slots: Any):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text, "check_evc", events=events, slots=slots or None)
    returned = await actions.ActionEvcStart().run(dispatcher, tracker, {})
    return dispatcher.messages, returned


# --- EVC: questions after the check ------------------------------------------------------------


async def test_after_the_check_who_pays_is_answered_and_the_check_does_not_restart(
    make_tracker,
) -> None:
    said, events = await evc_start(make_tracker, "dus niet voor evc? wie betaalt evc", EVC_DONE)
    text = texts(said)
    assert chat.EVC_INTRO not in text and chat.EVC_YEARS not in text
    assert "loopbaanbudget" in text and "P&O" in text
    assert "De voucher is niet voor EVC" in text
    assert "euro" not in text  # no amounts invented
    assert followups(events) == ["action_listen"]


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("wat kost evc eigenlijk", chat.EVC_COST),
        ("hoe lang duurt een evc traject?", chat.EVC_DURATION),
        ("hoe begin ik met evc", chat.EVC_HOW),
        ("wie betaalt dat dan", chat.EVC_PAYS),
    ],
)
async def test_each_follow_up_gets_its_own_answer(make_tracker, question: str, topic: str) -> None:
    assert topic in chat.evc_topics(question)
    said, events = await evc_start(make_tracker, question, EVC_DONE)
    assert texts(said).startswith(chat.evc_facts_text((topic,)).split(".")[0])
    assert followups(events) == ["action_listen"]


async def test_after_the_check_is_evc_for_me_again_offers_to_redo_it(make_tracker) -> None:
    said, events = await evc_start(make_tracker, "is evc iets voor mij?", EVC_DONE)
    assert texts(said) == chat.EVC_ALREADY_CHECKED
    assert "/check_evc" in button_payloads(said) and followups(events) == ["action_listen"]
    said, events = await evc_start(make_tracker, "doe de check opnieuw", EVC_DONE)
    assert chat.EVC_INTRO in texts(said) and followups(events) == []
    said, events = await evc_start(make_tracker, "/check_evc", EVC_DONE)
    assert chat.EVC_INTRO in texts(said) and followups(events) == []


async def test_before_the_check_the_cost_question_is_answered_then_the_check_starts(
    make_tracker,
) -> None:
    said, events = await evc_start(make_tracker, "is evc iets voor mij? en wat kost dat", [])
    text = texts(said)
    assert text.index("verschilt per aanbieder") < text.index(chat.EVC_INTRO)
    assert followups(events) == []


# --- EVC: inside the check -----------------------------------------------------------------------


def test_several_periods_are_added_up() -> None:
    assert chat.parse_years("4 jaar bij kcc, daarvoor 2 jaar callcenter") == 6
    assert chat.year_parts("4 jaar bij kcc, daarvoor 2 jaar callcenter") == (4, 2)
    assert chat.parse_years("al 8 jaar") == 8
    assert chat.parse_years("4 of 5") is None
    assert chat.years_summed_text(6) == "Dus 6 jaar ervaring."


async def test_the_sum_is_said_and_the_next_question_follows(catalogue: sessionmaker) -> None:  # noqa: F811
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("is evc iets voor mij?", "check_evc")
    await talk.start_form("evc_form", "action_evc_start")
    said = texts(await talk.answer("4 jaar bij kcc, daarvoor 2 jaar callcenter"))
    assert "Dus 6 jaar ervaring." in said and chat.EVC_DIPLOMA in said
    assert talk.slots["evc_years"] == 6


def test_laat_maar_is_a_way_out_in_the_check() -> None:
    assert says_stop("laat maar, die vragen had ik al beantwoord")
    assert not says_stop("laat maar zien")
    turn = classify_turn(
        form="evc_form",
        intent="inform",
        confidence=0.4,
        text="laat maar, die vragen had ik al beantwoord",
        answer_understood=False,
    )
    assert turn.kind is TurnKind.ESCAPE


async def test_laat_maar_ends_the_check(catalogue: sessionmaker) -> None:  # noqa: F811
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("is evc iets voor mij?", "check_evc")
    await talk.start_form("evc_form", "action_evc_start")
    said = await talk.answer("laat maar, die vragen had ik al beantwoord", "inform")
    assert chat.EVC_YEARS_UNCLEAR not in texts(said)
    assert not talk.form_active


# --- "Zal ik verder gaan met de lijst?" ---------------------------------------------------------


async def test_a_typed_yes_to_the_offered_list_shows_the_list(
    catalogue: sessionmaker,  # noqa: F811
    make_tracker,
) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user(
        "zijn er meeloopstages? hoort mijn leidinggevende dat als ik meeloop", "find_opportunities"
    )
    offer = await talk.run("action_show_opportunities")
    assert chat.WHO_IS_TOLD_NEXT in texts(offer)
    bot = [
        {"event": "bot", "text": m.get("text"), "data": {"buttons": m.get("buttons")}}
        for m in offer
    ]
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        "ja laat zien", "affirm", events=bot, extra_message={"metadata": claim()}
    )
    await actions.ActionShowOpportunities().run(dispatcher, tracker, {})
    assert listings(dispatcher.messages)
    assert chat.WHO_IS_TOLD not in texts(dispatcher.messages)


async def test_a_yes_without_an_offer_is_what_next(make_tracker) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker("ja", "affirm", events=[{"event": "bot", "text": "Hoi", "data": {}}])
    await actions.ActionShowOpportunities().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["response"] == "utter_what_next"


def test_the_offered_list_is_read_from_its_button() -> None:
    kind = '/find_opportunities{"opportunity_kind":"meeloopstage"}'
    assert chat.offered_kinds([{"payload": kind}]) == (True, ("meeloopstage",))
    assert chat.offered_kinds([{"payload": "/find_opportunities"}]) == (True, None)
    assert chat.offered_kinds([{"payload": "/request_coach"}]) == (False, None)


# --- a saved vacancy that closes before the meeting ---------------------------------------------


async def test_saving_a_vacancy_that_closes_before_the_meeting_says_so(
    catalogue: sessionmaker,  # noqa: F811
) -> None:
    with catalogue() as session:
        closing = next(
            item
            for item in visible_opportunities(session, "GM9901", utcnow())
            if item.kind == TYPE_VACANCY and item.respond_by is not None
        )
    meeting = closing.last_day + timedelta(days=2)
    talk = Conversation(ACTIONS, metadata=claim())
    talk.slots["prep_date"] = meeting.isoformat()
    payload = f'/save_opportunity{{"opportunity_id":"{closing.id}"}}'
    talk.user(payload, "save_opportunity", [{"entity": "opportunity_id", "value": str(closing.id)}])
    said = texts(await talk.run("action_save_opportunity"))
    assert "Staat erop!" in said
    assert f"Let op: reageren kan tot {closing.last_day.day} " in said
    assert f"je gesprek is op {meeting.day} " in said
    again = texts(await talk.run("action_save_opportunity"))
    assert chat.ALREADY_SAVED in again and "Let op" in again


def test_no_warning_when_the_meeting_comes_first() -> None:
    class Item:
        last_day = date(2026, 12, 15)
        respond_by = date(2026, 12, 15)

    assert chat.closes_before_meeting_text(Item(), date(2026, 12, 14)) is None  # type: ignore[arg-type]
    assert chat.closes_before_meeting_text(Item(), None) is None  # type: ignore[arg-type]
    text = chat.closes_before_meeting_text(Item(), date(2026, 12, 17))  # type: ignore[arg-type]
    assert text.startswith("Let op: reageren kan tot 15 december, je gesprek is op 17 december.")


async def test_a_cost_question_about_evc_is_answered_about_evc(make_tracker, domain) -> None:
    """Walkthrough of 2026-12-03 (third round): "wie betaalt evc eigenlijk? en wat kost dat
    ongeveer" reached the coach's facts (NLU heard the price words) and got the voucher text."""
    from rasa_sdk.executor import CollectingDispatcher

    from actions.coach import ActionCoachFacts
    from bot.opportunities import chat

    dispatcher = CollectingDispatcher()
    text = "wie betaalt evc eigenlijk? en wat kost dat ongeveer"
    tracker = make_tracker(text=text, intent="ask_coach_facts")
    await ActionCoachFacts().run(dispatcher, tracker, domain)
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert said == chat.evc_facts_text(chat.evc_topics(text))
    assert "EVC" in said and "coach betaal je" not in said


async def test_a_diploma_named_in_the_request_is_noted_and_not_asked(make_tracker) -> None:
    """Walkthrough 2026-12-04, Youssef T22-24: "ik heb mbo 4", then "zei ik al, mbo 4"."""
    said, events = await evc_start(make_tracker, "oke. is evc iets voor mij? ik heb mbo 4", [])
    assert SlotSet("evc_diploma", "mbo_3_4") in events
    assert "Ik heb al genoteerd: mbo 3 of 4." in texts(said)
    said, events = await evc_start(make_tracker, "is evc iets voor mij? geen idee", [])
    assert not [e for e in events if e.get("name") == "evc_diploma"]


def test_a_higher_scale_is_a_goal() -> None:
    assert chat.parse_goal("voor hogere functie, schaal 8") == "overstap"


def test_two_diplomas_named_take_none_and_a_level_is_no_year() -> None:
    """Walkthrough 2026-12-04b, Sem: "ik heb alleen mbo 4 … voor schaal 8 vragen ze vaak hbo"
    was noted as hbo, and "mbo 4" later as 4 years."""
    text = (
        "is evc iets voor mij? ik heb alleen mbo 4 (juridisch medewerker) en voor scale 8 "
        "vragen ze vaak hbo. 5 jaar bij kcc en 2 jaar callcenter"
    )
    assert chat.answers_in_request(text) == {"years": 7}
    assert chat.answers_in_request("nee ik heb GEEN hbo, ik heb mbo 4") == {"diploma": "mbo_3_4"}
    assert chat.parse_years("nee ik heb GEEN hbo, ik heb mbo 4") is None
