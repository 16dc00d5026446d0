"""Workshop sign-up through the actions: find, pick, confirm, waiting list, cancel, move, notices.

Real database (the demo set plus one full session in Zeeland, as the conversation tests load
it) and signed identity claims; forms run through the stand-in loop of tests/ledger/dialogue.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions import session as session_actions
from actions import signups as actions
from actions import voucher as voucher_actions
from actions.opportunities import ActionShowMore
from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import signup_chat as chat
from bot.ledger import signups
from bot.ledger.catalog import VOUCHER_ISSUED, VOUCHER_RESERVED
from bot.ledger.importer import load_demo
from bot.ledger.models import Voucher, Workshop, WorkshopEvent, WorkshopSignup
from tests.actions.test_voucher import IDENTITY_SECRET, claim
from tests.conversation import fixture_data
from tests.ledger.dialogue import Conversation, button_payloads, texts

pytest_plugins = ["tests.ledger.support"]

ACTIONS = {
    action.name(): action
    for action in (
        actions.ActionFindSessions(),
        actions.ActionSignupStart(),
        actions.ActionSignupCancelStart(),
        actions.ActionSignupMoveStart(),
        actions.ValidateSignupForm(),
        actions.ActionAskSignupConfirm(),
        actions.ActionSignupDone(),
        ActionShowMore(),
        voucher_actions.ActionRequestVoucher(),
    )
}


@pytest.fixture
def ledger(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    with sessions() as session:
        run_in_transaction(session, load_demo, now=utcnow())
        run_in_transaction(session, fixture_data.load)
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    monkeypatch.setenv("KOERS_IDENTITY_SECRET", IDENTITY_SECRET)
    voucher_actions.CODE_TRIES.clear()
    yield sessions


def workshop_id(sessions: sessionmaker, region: str, theme: str) -> int:
    with sessions() as session:
        return session.execute(
            select(Workshop.id)
            .join(WorkshopEvent)
            .where(WorkshopEvent.region == region, Workshop.theme == theme)
        ).scalar_one()


def pick(number: int) -> list[dict]:
    return [{"entity": "session_id", "value": str(number)}]


async def signed_up(talk: Conversation, session_id: int) -> str:
    talk.user(f'/pick_session{{"session_id":"{session_id}"}}', "pick_session", pick(session_id))
    asked = texts(await talk.start_form("signup_form", "action_signup_start"))
    assert "Zal ik je" in asked, asked
    await talk.answer("ja", "affirm")
    assert not talk.form_active
    return texts(await talk.run("action_signup_done"))


async def with_voucher(subject: str = "employee-1") -> Conversation:
    talk = Conversation(ACTIONS, metadata=claim(subject))
    talk.user("ik wil een voucher", "request_voucher")
    assert "Je voucher is klaar" in texts(await talk.run("action_request_voucher"))
    return talk


def voucher_status(sessions: sessionmaker) -> list[str]:
    with sessions() as session:
        return list(
            session.execute(
                select(Voucher.status).where(Voucher.employee_key != fixture_data.SEAT_HOLDER)
            ).scalars()
        )


# --- pure ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("welke workshops zijn er in Limburg?", chat.SessionQuery(region="Limburg")),
        ("wanneer is de volgende over jezelf presenteren?", chat.SessionQuery(theme="presenteren")),
        ("welke workshops zijn er in Atlantis?", chat.SessionQuery(region=chat.UNKNOWN)),
        ("is er een workshop over pottenbakken?", chat.SessionQuery(theme=chat.UNKNOWN)),
        ("kan ik me inschrijven?", chat.SessionQuery()),
        (
            "workshops in maart 's avonds",
            chat.SessionQuery(first_day=date(2027, 3, 1), time_of_day="avond"),
        ),
    ],
)
def test_what_a_question_about_sessions_names(text: str, expected: chat.SessionQuery) -> None:
    assert chat.query_from_text(text, date(2026, 12, 3)) == expected


def test_a_typed_pick_is_read_against_the_list_shown() -> None:
    shown = [11, 12, 13]
    assert chat.picked_session(None, "doe maar de tweede", shown) == 12
    assert chat.picked_session(None, "nummer 3", shown) == 13
    assert chat.picked_session(None, "de laatste", shown) == 13
    assert chat.picked_session(None, "nummer 7", shown) is None
    assert chat.picked_session("12", "", []) == 12
    assert chat.picked_session("kapot", "", shown) is None


# --- finding ------------------------------------------------------------------------------


async def test_sessions_in_limburg_with_a_button_each(ledger: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("welke workshops zijn er in Limburg?", "ask_workshops")
    said = await talk.run("action_find_sessions")
    payloads = [p for p in button_payloads(said) if p.startswith("/pick_session")]
    assert len(payloads) == 5
    assert "Zuid-Limburg" in texts(said) and "in Limburg" in texts(said)
    assert talk.slots["paging"] == "workshops"


async def test_more_pages_on_through_the_sessions(ledger: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("welke workshops zijn er?", "ask_workshops")
    first = texts(await talk.run("action_find_sessions"))
    assert chat.MORE_HINT in first
    talk.user("zijn er andere data?", "show_more")
    second = texts(await talk.run("action_show_more"))
    assert "Hier zijn nog meer data" in second and second != first


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("welke workshops zijn er in Atlantis?", "Die provincie ken ik niet"),
        ("is er een workshop over pottenbakken?", "Dat onderwerp ken ik niet"),
    ],
)
async def test_an_unknown_place_or_theme_is_said_so(
    ledger: sessionmaker, text: str, expected: str
) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user(text, "ask_workshops")
    said = await talk.run("action_find_sessions")
    assert expected in texts(said) and not button_payloads(said)


async def test_a_date_in_the_past_shows_from_today(ledger: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("zijn er workshops op 3 maart 2025?", "ask_workshops")
    said = texts(await talk.run("action_find_sessions"))
    assert chat.PAST_DAY in said and "eerstvolgende workshops" in said


# --- signing up ---------------------------------------------------------------------------


async def test_sign_up_reserves_the_voucher_and_gives_code_and_calendar(
    ledger: sessionmaker,
) -> None:
    talk = await with_voucher()
    said = await signed_up(talk, workshop_id(ledger, "Limburg", "presenteren"))
    assert "Je bent ingeschreven" in said and "Je code is" in said
    assert "/signups/" in said and ".ics" in said
    assert voucher_status(ledger) == [VOUCHER_RESERVED]


async def test_no_voucher_no_identity_and_a_past_session_change_nothing(
    ledger: sessionmaker,
) -> None:
    session_id = workshop_id(ledger, "Limburg", "presenteren")
    anonymous = Conversation(ACTIONS)
    anonymous.user("/pick_session", "pick_session", pick(session_id))
    said = texts(await anonymous.run("action_signup_start"))
    assert "moet ik weten wie je bent" in said
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("/pick_session", "pick_session", pick(session_id))
    said = await talk.run("action_signup_start")
    assert chat.NO_VOUCHER in texts(said) and "/request_voucher" in button_payloads(said)
    with ledger() as session:
        run_in_transaction(
            session,
            lambda s: s.get(Workshop, session_id).__setattr__("starts_at", utcnow()),
        )
    talk = await with_voucher("employee-2")
    talk.user("/pick_session", "pick_session", pick(session_id))
    assert "niet meer inschrijven" in texts(await talk.run("action_signup_start"))
    assert talk.slots["signup_plan"] is None
    with ledger() as session:
        assert (
            session.execute(
                select(WorkshopSignup.id).where(
                    WorkshopSignup.employee_key != fixture_data.SEAT_HOLDER
                )
            ).first()
            is None
        )


async def test_saying_no_keeps_the_voucher_free(ledger: sessionmaker) -> None:
    talk = await with_voucher()
    session_id = workshop_id(ledger, "Limburg", "talenten")
    talk.user("/pick_session", "pick_session", pick(session_id))
    await talk.start_form("signup_form", "action_signup_start")
    assert "Zeg ja of nee" in texts(await talk.answer("misschien wel", "inform"))
    await talk.answer("nee", "deny")
    assert chat.NOT_SIGNED_UP in texts(await talk.run("action_signup_done"))
    assert voucher_status(ledger) == [VOUCHER_ISSUED]


async def test_a_reserved_voucher_is_not_used_twice(ledger: sessionmaker) -> None:
    talk = await with_voucher()
    await signed_up(talk, workshop_id(ledger, "Limburg", "presenteren"))
    talk.user("/pick_session", "pick_session", pick(workshop_id(ledger, "Limburg", "gesprek")))
    said = await talk.run("action_signup_start")
    assert "al ingeschreven voor een andere workshop" in texts(said)
    assert {"/move_signup", "/cancel_signup"} <= set(button_payloads(said))
    talk.user("/pick_session", "pick_session", pick(workshop_id(ledger, "Limburg", "presenteren")))
    assert "Je staat al ingeschreven" in texts(await talk.run("action_signup_start"))


async def test_a_full_session_offers_the_waiting_list(ledger: sessionmaker) -> None:
    talk = await with_voucher()
    talk.user("welke workshops zijn er in Zeeland?", "ask_workshops")
    listed = await talk.run("action_find_sessions")
    assert "Vol. Je kunt op de wachtlijst." in texts(listed)
    assert any(b["title"] == chat.WAITING_BUTTON for m in listed for b in m.get("buttons") or [])
    said = await signed_up(talk, workshop_id(ledger, "Zeeland", "presenteren"))
    assert "Je staat op de wachtlijst" in said and "nummer 1" in said
    assert voucher_status(ledger) == [VOUCHER_RESERVED]


async def test_cancel_frees_the_voucher_and_the_first_waiting_moves_up_and_is_told(
    ledger: sessionmaker,
) -> None:
    zeeland = workshop_id(ledger, "Zeeland", "presenteren")
    waiting = await with_voucher("employee-waits")
    await signed_up(waiting, zeeland)
    with ledger() as session:  # the fixture's seat holder cancels (through the ledger)
        holder = session.execute(
            select(WorkshopSignup.code).where(
                WorkshopSignup.employee_key == fixture_data.SEAT_HOLDER
            )
        ).scalar_one()
        run_in_transaction(
            session,
            signups.cancel_signup,
            code=holder,
            employee_key=fixture_data.SEAT_HOLDER,
            now=utcnow(),
        )
    tracker = Tracker(
        "employee-waits",
        {"session_started_metadata": claim("employee-waits")},
        {},
        [],
        False,
        None,
        {},
        "action_listen",
    )
    told = await session_actions.waiting_list_notices(tracker)
    assert len(told) == 1 and "Goed nieuws" in told[0]
    assert await session_actions.waiting_list_notices(tracker) == []  # told once
    dispatcher = CollectingDispatcher()
    await session_actions.ActionSessionStart().run(dispatcher, tracker, {})
    assert dispatcher.messages == []


async def test_cancel_from_the_conversation(ledger: sessionmaker) -> None:
    talk = await with_voucher()
    await signed_up(talk, workshop_id(ledger, "Limburg", "financien"))
    talk.user("ik wil mijn inschrijving afzeggen", "cancel_signup")
    asked = texts(await talk.start_form("signup_form", "action_signup_cancel_start"))
    assert "afzeggen?" in asked
    await talk.answer("ja", "affirm")
    said = texts(await talk.run("action_signup_done"))
    assert "is afgezegd" in said and "voucher is weer vrij" in said
    assert voucher_status(ledger) == [VOUCHER_ISSUED]
    talk.user("ik wil mijn inschrijving afzeggen", "cancel_signup")
    assert chat.NO_SIGNUPS in texts(await talk.run("action_signup_cancel_start"))


async def test_move_to_another_date_of_the_same_workshop(ledger: sessionmaker) -> None:
    talk = await with_voucher()
    await signed_up(talk, workshop_id(ledger, "Limburg", "digitalisering"))
    talk.user("ik wil mijn workshop verzetten", "move_signup")
    listed = await talk.run("action_signup_move_start")
    assert "Kies de nieuwe datum" in texts(listed)
    offers = [m for m in listed if "/pick_session" in "".join(button_payloads([m]))]
    assert offers and all("Techniek en digitalisering" in m["text"] for m in offers)
    assert all(b["title"] == chat.MOVE_BUTTON for m in offers for b in m["buttons"])
    gelderland = workshop_id(ledger, "Gelderland", "digitalisering")
    talk.user("/pick_session", "pick_session", pick(gelderland))
    asked = texts(await talk.start_form("signup_form", "action_signup_start"))
    assert "verzetten naar" in asked
    await talk.answer("ja", "affirm")
    said = texts(await talk.run("action_signup_done"))
    assert "is verzet naar" in said and "Je code blijft" in said
    with ledger() as session:
        moved = session.execute(
            select(WorkshopSignup.workshop_id).where(
                WorkshopSignup.employee_key != fixture_data.SEAT_HOLDER
            )
        ).scalar_one()
    assert moved == gelderland
    assert voucher_status(ledger) == [VOUCHER_RESERVED]


# --- the optional mail when a seat frees up -----------------------------------------------


def followed_by_form(talk: Conversation) -> bool:
    return any(
        event.get("event") == "followup" and event.get("name") == "signup_form"
        for event in talk.last_events
    )


async def test_joining_a_waiting_list_asks_once_about_a_mail_and_a_yes_gets_the_page(
    ledger: sessionmaker,
) -> None:
    talk = await with_voucher()
    said = await signed_up(talk, workshop_id(ledger, "Zeeland", "presenteren"))
    assert "Je staat op de wachtlijst" in said and "@" not in said
    assert followed_by_form(talk)
    asked = await talk.start_form("signup_form")
    assert texts(asked) == chat.MAIL_QUESTION
    assert button_payloads(asked) == ["/affirm", "/deny"]
    await talk.answer("ja graag", "affirm")
    assert not talk.form_active
    link = texts(await talk.run("action_signup_done"))
    with ledger() as session:
        token = session.execute(
            select(WorkshopSignup.ics_token).where(WorkshopSignup.status == "waiting")
        ).scalar_one()
    assert f"/signups/{token}/email" in link and "Typ het niet hier in de chat" in link
    assert talk.slots["signup_plan"] is None and not followed_by_form(talk)


async def test_no_mail_is_fine_and_a_seat_is_not_asked(ledger: sessionmaker) -> None:
    talk = await with_voucher()
    await signed_up(talk, workshop_id(ledger, "Zeeland", "presenteren"))
    await talk.start_form("signup_form")
    await talk.answer("nee", "deny")
    said = texts(await talk.run("action_signup_done"))
    assert said == chat.MAIL_DECLINED and "/email" not in said
    with ledger() as session:
        assert all(
            email is None for email in session.execute(select(WorkshopSignup.email)).scalars()
        )

    seated = await with_voucher("employee-2")
    said = await signed_up(seated, workshop_id(ledger, "Limburg", "financien"))
    assert "Je bent ingeschreven" in said and not followed_by_form(seated)


@pytest.mark.parametrize(
    ("text", "theme"),
    [
        ("welke workshops zijn er in gelderland", None),  # "geld" in Gelderland is no theme
        ("is de voucher nog geldig voor een workshop?", None),
        ("de workshop over geld en pensioen", "financien"),
        ("iets over geldzaken", "financien"),
    ],
)
def test_theme_words_are_words(text: str, theme: str | None) -> None:
    from bot.ledger.signup_chat import theme_in

    assert theme_in(text) == theme
