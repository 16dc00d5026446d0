"""Walkthrough 2026-12-03b, conversation 5: the coach booking keeps "online, na vier uur,
doordeweeks", says plainly when nothing fits, switches province while choosing a time,
takes a yes with a question, and never asks to cancel on a voucher question.

Action tests on a small data set shaped like the demo: the only online coach in Overijssel
works before 16:00, a coach in Drenthe has online evenings, one in Utrecht only mornings.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.ledger import texts as say
from bot.ledger.preferences import MODE_ONLINE_ANYWHERE
from bot.ledger.when import is_public_holiday
from tests.actions.test_coach import Chat, action_settings, verified
from tests.ledger.dialogue import texts
from tests.ledger.support import at_local, load

pytest_plugins = ["tests.ledger.support"]

FIRST = "ik wil ook graag met een coach praten. kan dat online, na vier uur doordeweeks? overdag kan ik niet weg van mijn werk"  # noqa: E501
CONSENT_WITH_QUESTION = (
    "ja graag, anders weet ik niet hoe ik inlog. en wordt die coach betaald met die voucher "
    "of moet ik dat zelf betalen?"
)
VOUCHER_QUESTION = (
    "dus gaat de afspraak van donderdag nu van mijn voucher af of niet? snap het niet meer"
)


def weekdays_ahead(count: int) -> list[int]:
    """Day offsets of the next ``count`` working days (no weekend, no holiday), from day 2."""
    found, day = [], 2
    while len(found) < count:
        moment = at_local(day, 12)
        if moment.weekday() < 5 and not is_public_holiday(moment):
            found.append(day)
        day += 1
    return found


def wish_data() -> dict[str, Any]:
    days = weekdays_ahead(4)

    def slots(hours: list[tuple[int, int]], on: list[int]) -> list[dict[str, Any]]:
        return [
            {"starts_at": at_local(day, hour, minute).isoformat(), "minutes": 60, "mode": "online"}
            for day in on
            for hour, minute in hours
        ]

    return {
        "municipalities": [
            {
                "code": "GM9901",
                "name": "Gemeente Voorbeeldstad",
                "programme_year": "current",
                "voucher_value_eur": 375,
                "voucher_budget_eur": 3750,
            }
        ],
        "providers": [{"name": "Coachcollectief Test"}],
        "coaches": [
            {
                "name": "Daan Demo",
                "email": "daan@coach.example",
                "regions": ["Overijssel"],
                "online": True,
                "on_location": False,
                "slots": slots([(13, 30), (15, 0)], days),
            },
            {
                "name": "Carla Fictief",
                "email": "carla@coach.example",
                "regions": ["Drenthe"],
                "online": True,
                "on_location": False,
                "slots": slots([(19, 0)], days[:2]),
            },
            {
                "name": "Gijs Testman",
                "email": "gijs@coach.example",
                "regions": ["Utrecht"],
                "online": True,
                "on_location": False,
                "slots": slots([(10, 0)], days[:2]),
            },
        ],
    }


@pytest.fixture
def ledger(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    load(sessions, wish_data())
    action_settings(monkeypatch, database_url)
    yield sessions


def clock_times(shown: str) -> set[str]:
    return {time for time in ("10:00", "13:30", "15:00", "19:00") if f"van {time}" in shown}


async def in_zwolle(chat: Chat) -> str:
    chat.user(FIRST, "request_coach")
    asked = await chat.start_form("coach_form", "action_coach_start")
    assert "provincie" in texts(asked)
    wish = chat.slots["coach_when"]
    assert wish["after"] == 16 * 60 and wish["weekdays"] == [0, 1, 2, 3, 4]
    assert chat.slots["coach_mode"] == "online"
    return texts(await chat.answer("ik woon in zwolle. maar maakt dat uit als het online is?"))


async def test_the_first_wish_is_kept_and_nothing_before_four_is_offered(
    ledger: sessionmaker,
) -> None:
    chat = Chat("wish-1")
    shown = await in_zwolle(chat)
    assert chat.slots["region"] == "Overijssel"
    assert "Na 16:00 is er in Overijssel de komende weken niets vrij." in shown, shown
    assert "andere provincie" in shown
    assert clock_times(shown) == {"19:00"}, shown


async def test_niks_later_is_read_against_the_wish(ledger: sessionmaker) -> None:
    chat = Chat("wish-2")
    await in_zwolle(chat)
    again = await chat.answer(
        "nou die zijn allebei voor vieren. ik zei toch na vier uur. is er niks later?"
    )
    shown = texts(again)
    assert say.UNCLEAR_SLOT not in shown
    assert "Na 16:00" in shown and clock_times(shown) == {"19:00"}, shown
    assert chat.slots["coach_when"]["after"] == 16 * 60


async def test_a_province_named_while_choosing_switches_the_search(ledger: sessionmaker) -> None:
    chat = Chat("wish-3")
    await in_zwolle(chat)
    shown = texts(await chat.answer("andere provincie dan. utrecht"))
    assert chat.slots["region"] == "Utrecht" and say.UNCLEAR_SLOT not in shown
    assert "in Utrecht de komende weken niets vrij" in shown, shown
    assert "10:00" not in clock_times(shown)
    shown = texts(
        await chat.answer(
            "15:00 is nog steeds voor vier uur. kan het ook met een coach uit een andere "
            "provincie, het is toch online?"
        )
    )
    assert chat.slots["coach_mode"] == MODE_ONLINE_ANYWHERE, shown
    assert say.UNCLEAR_SLOT not in shown and shown.count("Welke tijd") == 1
    assert "heel Nederland" in shown and clock_times(shown) == {"19:00"}, shown
    assert chat.slots["coach_when"]["after"] == 16 * 60  # "voor vier uur" was a complaint


async def test_yes_with_a_question_books_and_answers(ledger: sessionmaker) -> None:
    chat = Chat("wish-5", verified("wish-5"))
    await in_zwolle(chat)
    assert "vastzetten" in texts(await chat.answer("1"))
    assert say.BOOKED in texts(await chat.answer("ja", "affirm"))
    asked = await chat.answer(CONSENT_WITH_QUESTION, "ask_coach_facts")
    assert say.UNCLEAR_YES_NO not in texts(asked)
    assert chat.slots["coach_email_consent"] is True and not chat.form_active
    done = texts(await chat.run("action_coach_booking_done"))
    assert "/email" in done  # the yes counted
    assert "betaal je met de voucher van 375 euro" in done, done
    assert "nog niet van je voucher afgegaan" in done
    assert "Je hebt nog geen voucher" in done
    assert "kost jou niets" not in done


async def test_a_voucher_question_read_as_cancel_asks_no_cancel(ledger: sessionmaker) -> None:
    chat = Chat("wish-6", verified("wish-6"))
    await in_zwolle(chat)
    await chat.answer("1")
    await chat.answer("ja", "affirm")
    await chat.answer("nee", "deny")
    await chat.run("action_coach_booking_done")
    chat.user(VOUCHER_QUESTION, "cancel_booking")
    said = await chat.run("action_booking_change_start")
    assert any(e.get("event") == "followup" for e in chat.last_events)
    assert "afzeggen?" not in texts(said)
    assert "nog niet van je voucher afgegaan" in texts(said), texts(said)
    # A real cancel still asks the question.
    chat.user("ik wil mijn afspraak afzeggen", "cancel_booking")
    await chat.run("action_booking_change_start")
    assert not any(e.get("event") == "followup" for e in chat.last_events)
    assert chat.slots["booking_code"]


def test_weekdays_ahead_are_working_days() -> None:
    for day in weekdays_ahead(3):
        moment = utcnow().astimezone(LOCAL_TZ) + timedelta(days=day)
        assert moment.weekday() < 5


async def test_where_is_that_while_choosing_names_the_place_of_each_time(
    ledger: sessionmaker,
) -> None:
    """ "ja maar waar is die locatie. in apeldoorn?" while choosing: where each time on the
    list is, then the same list (walkthrough 2026-12-03c: the list came back, nothing more)."""
    chat = Chat("wish-7")
    await in_zwolle(chat)
    shown = texts(await chat.answer("ja maar waar is die locatie. in apeldoorn?", "inform"))
    assert "online bij Carla Fictief" in shown, shown
    assert say.UNCLEAR_SLOT not in shown and "Welke tijd wil je" in shown
    assert chat.slots["requested_slot"] == "coach_slot"
    assert "vastzetten" in texts(await chat.answer("1"))
    shown = texts(await chat.answer("is dat ver van apeldoorn?", "inform"))
    assert say.DISTANCE_UNKNOWN in shown and "is online" in shown, shown
    assert say.UNCLEAR_YES_NO not in shown and "vastzetten" in shown
