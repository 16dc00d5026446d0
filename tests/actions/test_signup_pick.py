"""Typed picks from the list of workshop sessions shown, and the sign-up after the voucher.

Walkthrough 2026-12-03 (conversation 1): "ok dan doe ik die van 24 maart maar" started the
scan, "ja die" and "deze" went to the main menu, and after the voucher was issued the promised
sign-up was forgotten. The reading is pure (bot/ledger/signup_chat.py); the actions run on the
real demo database through tests/ledger/dialogue.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.orm import sessionmaker

from actions import signups as actions
from bot.clock import LOCAL_TZ
from bot.ledger import signup_chat as chat
from tests.actions.test_signup_chat import (
    ACTIONS,
    ledger,  # noqa: F401 - the fixture, used by name below
    with_voucher,
    workshop_id,
)
from tests.actions.test_voucher import claim
from tests.ledger.dialogue import Conversation, button_payloads, texts

pytest_plugins = ["tests.ledger.support"]

ACTIONS = {**ACTIONS, "action_signup_resume": actions.ActionSignupResume()}
S = chat.ShownSession
NOW = datetime(2026, 12, 3, 10, tzinfo=timezone.utc)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027 if month < 12 else 2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


HEUVELRAND = "Heuvelrand (fictief)"
LIMBURG = [  # the five sessions of Tap de toekomst Zuid-Limburg on 24 March (demo data)
    S(46, at(3, 24, 19), "talenten", "Limburg", HEUVELRAND),
    S(47, at(3, 24, 19), "gesprek", "Limburg", HEUVELRAND),
    S(48, at(3, 24, 19), "presenteren", "Limburg", HEUVELRAND),
    S(49, at(3, 24, 20, 30), "financien", "Limburg", HEUVELRAND),
    S(50, at(3, 24, 20, 30), "digitalisering", "Limburg", HEUVELRAND),
]
MIXED = [
    S(1, at(12, 13, 9, 30), "talenten", location="Online"),
    S(11, at(12, 15, 19), "talenten", "Groningen", "Wierdenstad (fictief)"),
    S(12, at(12, 15, 19), "gesprek", "Groningen", "Wierdenstad (fictief)"),
    S(5, at(12, 21, 9, 30), "presenteren", location="Proefdorp, Dorpshuis Het Voorbeeld"),
    S(48, at(3, 24, 19), "presenteren", "Limburg", HEUVELRAND),
]
ONE, SEVERAL, NOTHING, NONE = (
    chat.PickKind.ONE,
    chat.PickKind.SEVERAL,
    chat.PickKind.NOTHING,
    chat.PickKind.NONE,
)


# --- pure: the reading ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "ids"),
    [
        ("ok dan doe ik die van 24 maart maar", ONE, (48,)),
        ("ja die", ONE, (48,)),
        ("deze", ONE, (48,)),
        ("doe maar", ONE, (48,)),
        ("die van 3 april", NOTHING, (48,)),
        ("is dat de enige?", NONE, ()),
        ("meer", NONE, ()),
        ("ok hoe vraag ik die aan", NONE, ()),
        ("/pick_session", NONE, ()),
    ],
)
def test_a_pick_when_one_session_was_shown(text: str, kind: chat.PickKind, ids: tuple) -> None:
    assert chat.read_pick(text, [LIMBURG[2]], NOW) == chat.PickReading(kind, ids)


@pytest.mark.parametrize(
    ("text", "kind", "ids"),
    [
        ("ok dan doe ik die van 24 maart maar", SEVERAL, (46, 47, 48, 49, 50)),
        ("die over jezelf presenteren lijkt me leuk", ONE, (48,)),
        ("die over jezelf presenteren lijkt me leuk. zijn er ook andere datums?", NONE, ()),
        ("de tweede", ONE, (47,)),
        ("doe nummer 5 maar", ONE, (50,)),
        ("die van 20:30", SEVERAL, (49, 50)),
        ("die van half 9", SEVERAL, (49, 50)),  # an evening session: 20:30
        ("ja die", SEVERAL, (46, 47, 48, 49, 50)),
        ("nummer 7", NOTHING, (46, 47, 48, 49, 50)),
    ],
)
def test_a_pick_among_five_on_one_evening(text: str, kind: chat.PickKind, ids: tuple) -> None:
    assert chat.read_pick(text, LIMBURG, NOW) == chat.PickReading(kind, ids)


@pytest.mark.parametrize(
    ("text", "kind", "ids"),
    [
        ("die van dinsdag", SEVERAL, (11, 12)),
        ("die van zondag", ONE, (1,)),
        ("die van 21 december", ONE, (5,)),
        ("die in Venlo", ONE, (48,)),  # a town in Limburg
        ("die online", ONE, (1,)),
        ("die in Utrecht", NOTHING, (1, 11, 12, 5, 48)),
        ("groningen is wel heel ver, ik woon in limburg. is er iets in de buurt?", NONE, ()),
        ("nee ik bedoel een tap de toekomst avond in limburg", NONE, ()),
        ("ik wil de scan doen", NONE, ()),
        ("ik wil een voucher", NONE, ()),
    ],
)
def test_a_pick_by_day_place_or_nothing(text: str, kind: chat.PickKind, ids: tuple) -> None:
    assert chat.read_pick(text, MIXED, NOW) == chat.PickReading(kind, ids)


def test_ja_die_picks_the_session_the_previous_message_named() -> None:
    named = chat.sessions_named("die over presenteren, zijn er andere data?", LIMBURG, NOW)
    assert named == (48,)
    assert chat.read_pick("ja die", LIMBURG, NOW, named=48).chosen == 48
    assert chat.read_pick("ja die", LIMBURG, NOW, named=None).kind is SEVERAL


def test_the_question_names_what_tells_the_sessions_apart() -> None:
    two = chat.read_pick("die van dinsdag", MIXED, NOW)
    question = chat.which_question(two, MIXED)
    assert question.startswith("Bedoel je de workshop 'Je talenten ontdekken")
    assert "of die 'Tips voor een goed gesprek" in question and "19:00" not in question
    assert chat.which_question(chat.read_pick("die in Utrecht", MIXED, NOW), MIXED) == (
        chat.NOT_IN_LIST
    )
    assert chat.choice_label(MIXED[0], MIXED).startswith("'Je talenten ontdekken")


def test_the_shown_sessions_survive_the_slot() -> None:
    stored = {"offers": [session.to_slot() for session in MIXED] + [{"id": "x"}]}
    assert chat.shown_from_slot(stored) == MIXED
    assert chat.shown_from_slot(None) == []


# --- the actions ------------------------------------------------------------------------------


def followups(talk: Conversation) -> list[str]:
    return [e["name"] for e in talk.last_events if e.get("event") == "followup"]


async def _listed(talk: Conversation, question: str) -> None:
    talk.user(question, "ask_workshops")
    said = await talk.run("action_find_sessions")
    assert "/pick_session" in "".join(button_payloads(said))


async def test_a_typed_date_picks_the_one_session_shown(ledger: sessionmaker) -> None:  # noqa: F811
    talk = await with_voucher()
    await _listed(talk, "is de workshop jezelf presenteren ook op een andere avond in limburg")
    assert [s.workshop_id for s in chat.shown_from_slot(talk.slots["signup_query"])] == [48]
    talk.user("ok dan doe ik die van 24 maart maar", "start_scan")  # what NLU thought
    await talk.run("action_signup_start")
    assert followups(talk) == ["signup_form"]  # the form follows whatever the intent was
    said = texts(await talk.start_form("signup_form"))
    assert "Zal ik je inschrijven voor 'Jezelf presenteren" in said and "24 maart" in said
    assert talk.form_active


async def test_ja_die_with_one_session_shown(ledger: sessionmaker) -> None:  # noqa: F811
    talk = await with_voucher()
    await _listed(talk, "jezelf presenteren in limburg 24 maart")
    talk.user("ja die", "affirm")
    said = texts(await talk.start_form("signup_form", "action_signup_start"))
    assert "Zal ik je inschrijven voor 'Jezelf presenteren" in said


async def test_a_pick_that_fits_several_asks_which_with_buttons(ledger: sessionmaker) -> None:  # noqa: F811
    talk = await with_voucher()
    await _listed(talk, "welke workshops zijn er in limburg?")
    talk.user("die van 24 maart", "inform")
    said = await talk.run("action_signup_start")
    assert chat.WHICH_ONE in texts(said)
    assert len(button_payloads(said)) == 5 and talk.slots["signup_plan"] is None
    talk.user("de derde", "pick_session")  # now of the buttons just shown
    asked = texts(await talk.start_form("signup_form", "action_signup_start"))
    assert "Zal ik je inschrijven voor" in asked


async def test_after_the_voucher_the_sign_up_resumes(ledger: sessionmaker) -> None:  # noqa: F811
    session_id = workshop_id(ledger, "Limburg", "presenteren")
    talk = Conversation(ACTIONS, metadata=claim("employee-resume"))
    await _listed(talk, "jezelf presenteren in limburg 24 maart")
    talk.user(f'/pick_session{{"session_id":"{session_id}"}}', "pick_session")
    talk.latest["entities"] = [{"entity": "session_id", "value": str(session_id)}]
    said = await talk.run("action_signup_start")
    assert chat.NO_VOUCHER in texts(said)
    assert talk.slots["signup_pending"] == str(session_id)
    talk.user("ok hoe vraag ik die aan", "request_voucher")
    issued = await talk.run("action_request_voucher")
    assert "Je voucher is klaar" in texts(issued)
    assert "Je kunt de voucher gebruiken" not in texts(issued)  # no list of uses: we go on
    assert followups(talk) == ["action_signup_resume"]
    asked = texts(await talk.start_form("signup_form", "action_signup_resume"))
    assert chat.RESUMING in asked and "Zal ik je inschrijven voor 'Jezelf presenteren" in asked
    assert talk.slots["signup_pending"] is None
    await talk.answer("ja", "affirm")
    assert "Je bent ingeschreven" in texts(await talk.run("action_signup_done"))


async def test_without_a_pick_the_voucher_lists_its_uses(ledger: sessionmaker) -> None:  # noqa: F811
    talk = Conversation(ACTIONS, metadata=claim("employee-no-pick"))
    talk.user("ik wil een voucher", "request_voucher")
    said = texts(await talk.run("action_request_voucher"))
    assert "Je kunt de voucher gebruiken" in said
    assert followups(talk) == []


async def test_other_dates_keep_the_region_of_the_last_list(ledger: sessionmaker) -> None:  # noqa: F811
    """ "andere data voor de workshop jezelf presenteren" after the Limburg list showed
    Groningen (walkthrough 2026-12-04, conversation 2); "ergens anders" widens it."""
    talk = await with_voucher()
    await _listed(talk, "welke workshops zijn er in limburg")
    await _listed(talk, "andere data voor de workshop jezelf presenteren")
    assert chat.SessionQuery.from_slot(talk.slots["signup_query"]).region == "Limburg"
    await _listed(talk, "jezelf presenteren ergens anders")
    assert chat.SessionQuery.from_slot(talk.slots["signup_query"]).region is None
