"""Moving a workshop sign-up: every page shown counts, a named date is never swapped.

Walkthrough 2026-12-03b (conversation 3): after "meer", "die online van 11 januari" (shown on
the first page) was "not in the list"; "die stond in de eerste lijst. maandag 11 januari
online" then got a proposal for 26 januari ("eerste" read as the first session); the list
for moving dropped the province and offered the session the employee was already in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy.orm import sessionmaker

from bot.clock import LOCAL_TZ
from bot.ledger import signup_chat as chat
from tests.actions.test_signup_chat import (
    ledger,  # noqa: F401 - the fixture, used by name below
    signed_up,
    with_voucher,
    workshop_id,
)
from tests.ledger.dialogue import Conversation, button_payloads, texts

pytest_plugins = ["tests.ledger.support"]

S = chat.ShownSession
NOW = datetime(2026, 12, 3, 10, tzinfo=timezone.utc)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2027 if month < 12 else 2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


FIRST_PAGE = [
    S(11, at(12, 15, 19), "presenteren", "Groningen", "Wierdenstad (fictief)"),
    S(5, at(12, 21, 9, 30), "presenteren", location="Proefdorp, Dorpshuis Het Voorbeeld"),
    S(21, at(12, 30, 19), "presenteren", "Fryslân", "Mearwâlde (fictief)"),
    S(3, at(1, 11, 13, 30), "presenteren", location="Online"),
    S(31, at(1, 14, 19), "presenteren", "Overijssel", "Vechtdorp (fictief)"),
]
SECOND_PAGE = [
    S(41, at(1, 26, 19), "presenteren", "Gelderland", "Rivierstad (fictief)"),
    S(42, at(2, 10, 19), "presenteren", "Utrecht", "Voorbeeldstad (fictief)"),
]


# --- pure -------------------------------------------------------------------------------------


def test_pages_add_up_and_a_new_search_starts_again() -> None:
    both = chat.remembered(FIRST_PAGE, SECOND_PAGE)
    assert [s.workshop_id for s in both] == [11, 5, 21, 3, 31, 41, 42]
    assert chat.remembered([], SECOND_PAGE) == SECOND_PAGE
    many = [S(100 + i, at(2, 1, 9), "talenten") for i in range(chat.MAX_REMEMBERED + 7)]
    kept = chat.remembered(many, SECOND_PAGE)
    assert len(kept) == chat.MAX_REMEMBERED and kept[-2:] == SECOND_PAGE
    stored = {"shown": [41, 42], "offers": [s.to_slot() for s in both]}
    assert chat.page_from_slot(stored) == SECOND_PAGE
    assert chat.shown_from_slot(stored) == both


def test_a_date_from_an_earlier_page_is_still_picked() -> None:
    both = FIRST_PAGE + SECOND_PAGE
    reading = chat.read_pick("doe dan maar die online van 11 januari", both, NOW, page=SECOND_PAGE)
    assert reading == chat.PickReading(chat.PickKind.ONE, (3,))


def test_eerste_lijst_is_no_position_and_a_named_date_beats_a_position() -> None:
    both = FIRST_PAGE + SECOND_PAGE
    said = "die stond in de eerste lijst. maandag 11 januari online"
    assert chat.read_pick(said, both, NOW, page=SECOND_PAGE).chosen == 3
    # the first of the page is 26 januari: "de eerste van 11 januari" is not that one
    assert chat.read_pick("de eerste, die van 11 januari", both, NOW, page=SECOND_PAGE).chosen == 3
    # positions count in the last page
    assert chat.read_pick("de tweede", both, NOW, page=SECOND_PAGE).chosen == 42


def test_a_date_no_shown_session_has_is_no_other_date() -> None:
    reading = chat.read_pick("die van 3 maart", FIRST_PAGE, NOW)
    assert reading.kind is chat.PickKind.NOTHING
    assert chat.day_named("die van 3 maart", date(2026, 12, 3)) == date(2027, 3, 3)
    assert chat.day_named("die van dinsdag in maart", date(2026, 12, 3)) is None


def test_sessions_on_or_near_the_day() -> None:
    from bot.ledger.signups import SessionOffer

    def offer(number: int, moment: datetime) -> SessionOffer:
        return SessionOffer(number, "presenteren", "t", "p", moment, moment, "Online", 12, 5, 0)

    offers = [offer(1, at(1, 4, 19)), offer(2, at(1, 12, 19)), offer(3, at(1, 30, 19))]
    assert chat.sessions_near(offers, date(2027, 1, 12)) == (True, [offers[1]])
    on_day, near = chat.sessions_near(offers, date(2027, 1, 11), count=2)
    assert not on_day and near == offers[:2]
    text = chat.not_shown_text(
        date(2027, 1, 11), False, chat.SessionQuery(theme="presenteren"), True
    )
    assert text.startswith("Op maandag 11 januari is er geen workshop over 'Jezelf presenteren")
    assert "dichtst bij" in text


# --- the actions ------------------------------------------------------------------------------


def pick_ids(said: list[dict]) -> list[int]:
    return [int(p.split('"')[-2]) for p in button_payloads(said) if p.startswith("/pick_session")]


async def _moving(talk: Conversation, ledger: sessionmaker) -> int:  # noqa: F811
    current = workshop_id(ledger, "Limburg", "presenteren")
    await signed_up(talk, current)
    talk.user("ik wil mijn worksop verzetten naar een andere datum", "move_signup")
    return current


async def test_moving_keeps_the_province_and_never_offers_the_current_session(
    ledger: sessionmaker,  # noqa: F811
) -> None:
    talk = await with_voucher()
    current = await _moving(talk, ledger)
    said = await talk.run("action_signup_move_start")
    assert chat.moving_elsewhere_text("Limburg") in texts(said)
    assert current not in pick_ids(said)
    talk.user("meer", "show_more")
    more = await talk.run("action_show_more")
    assert current not in pick_ids(more)
    assert "Verzet naar deze" in str(more)


async def test_moving_to_a_date_of_the_first_page_after_meer(
    ledger: sessionmaker,  # noqa: F811
) -> None:
    talk = await with_voucher()
    await _moving(talk, ledger)
    first = await talk.run("action_signup_move_start")
    online = [m for m in first if "\nOnline\n" in m.get("text", "")]
    assert online, texts(first)
    online_id = pick_ids(online)[0]
    online_day = chat.format_day_of(
        next(
            s.starts_at.astimezone(LOCAL_TZ).date()
            for s in chat.shown_from_slot(talk.slots["signup_query"])
            if s.workshop_id == online_id
        )
    )
    talk.user("meer", "show_more")
    await talk.run("action_show_more")
    assert online_id not in chat.page_from_slot(talk.slots["signup_query"])
    day_words = " ".join(online_day.split()[1:])  # "11 januari"
    talk.user(f"doe dan maar die online van {day_words}", "inform")
    asked = texts(await talk.start_form("signup_form", "action_signup_start"))
    assert f"verzetten naar 'Jezelf presenteren: kleding en houding' op {online_day}" in asked


async def test_a_named_date_without_a_session_is_said_and_nearby_dates_offered(
    ledger: sessionmaker,  # noqa: F811
) -> None:
    talk = await with_voucher()
    await _moving(talk, ledger)
    listed = await talk.run("action_signup_move_start")
    shown = chat.shown_from_slot(talk.slots["signup_query"])
    days = {s.starts_at.astimezone(LOCAL_TZ).date() for s in shown}
    free = next(
        day for day in (min(days) + timedelta(days=n) for n in range(1, 60)) if day not in days
    )
    named = chat.format_day_of(free)
    talk.user(f"die van {' '.join(named.split()[1:])}", "inform")
    said = await talk.run("action_signup_start")
    first = said[0]["text"]
    assert first.startswith(f"Op {named} is er geen workshop over 'Jezelf presenteren"), first
    assert "Zal ik" not in texts(said)
    assert listed and pick_ids(said)


async def test_a_named_date_that_was_not_shown_yet_is_offered_for_that_day(
    ledger: sessionmaker,  # noqa: F811
) -> None:
    talk = await with_voucher()
    await _moving(talk, ledger)
    await talk.run("action_signup_move_start")
    talk.user("meer", "show_more")
    await talk.run("action_show_more")
    later = chat.page_from_slot(talk.slots["signup_query"])[-1]
    talk.slots["signup_query"] = {  # as if only the first page had been shown
        **talk.slots["signup_query"],
        "shown": [],
        "offers": [s.to_slot() for s in chat.shown_from_slot(talk.slots["signup_query"])[:5]],
    }
    named = chat.format_day_of(later.starts_at.astimezone(LOCAL_TZ).date())
    talk.user(f"die van {' '.join(named.split()[1:])}", "inform")
    said = await talk.run("action_signup_start")
    assert said[0]["text"] == f"Die van {named} stond niet in de lijst. Deze is er op {named}:"
    assert later.workshop_id in pick_ids(said)


# --- "hoe kom ik online binnen?" with an online workshop and no coach booking ------------------


async def test_the_link_question_is_answered_for_the_online_workshop(
    ledger: sessionmaker,  # noqa: F811
) -> None:
    from actions.coach import ActionCoachFacts

    talk = await with_voucher()
    online = workshop_id_online(ledger)
    await signed_up(talk, online)
    talk.actions = {**talk.actions, "action_coach_facts": ActionCoachFacts()}
    talk.user("hoe kom ik online binnen dan? krijg ik een link?", "ask_coach_facts")
    said = texts(await talk.run("action_coach_facts"))
    assert "is online. De link krijg je van de aanbieder" in said
    assert "Koers heeft die link niet" in said and "coach" not in said
    talk.user("en de link voor de online workshop?", "ask_coach_facts")
    assert "De link krijg je van de aanbieder" in texts(await talk.run("action_coach_facts"))


def workshop_id_online(sessions: sessionmaker) -> int:
    from sqlalchemy import select

    from bot.ledger.models import Workshop

    with sessions() as session:
        return (
            session.execute(
                select(Workshop.id)
                .where(Workshop.location == "Online", Workshop.theme == "presenteren")
                .order_by(Workshop.starts_at)
            )
            .scalars()
            .first()
        )


def test_the_entry_questions_are_told_apart() -> None:
    assert chat.asks_workshop_entry("en de link voor de online workshop?")
    assert not chat.asks_workshop_entry("hoe krijg ik de link voor de coach?")
    assert chat.asks_online_entry("hoe kom ik online binnen dan? krijg ik een link?")
    assert not chat.asks_online_entry("krijg ik een link van de coach?")
    assert chat.workshop_entry_text([]).startswith("Je hebt geen inschrijving")


async def test_the_walkthrough_move_a_missing_date_then_the_online_one(
    ledger: sessionmaker,  # noqa: F811
) -> None:
    """As tests/conversation/scripts/workshops-verzetten-eerdere-lijst.yml."""
    talk = await with_voucher()
    await _moving(talk, ledger)
    await talk.run("action_signup_move_start")
    talk.user("meer", "show_more")
    await talk.run("action_show_more")
    talk.user("die van 1 januari", "inform")
    said = await talk.run("action_signup_start")
    assert "1 januari is er geen workshop" in said[0]["text"]
    assert "Zal ik" not in texts(said)
    talk.user("die stond in de eerste lijst. die online", "inform")
    asked = texts(await talk.start_form("signup_form", "action_signup_start"))
    assert "verzetten naar 'Jezelf presenteren" in asked and "online?" in asked
    assert "in Online" not in asked


async def test_a_filter_while_moving_keeps_moving(ledger: sessionmaker) -> None:  # noqa: F811
    """ "in limburg?" while choosing the new date listed sign-up buttons and forgot the move."""
    talk = await with_voucher()
    current = await _moving(talk, ledger)
    await talk.run("action_signup_move_start")
    talk.user("in limburg?", "ask_workshops")
    said = await talk.run("action_find_sessions")
    assert talk.slots["signup_moving"] == str(current)
    assert current not in pick_ids(said)
    assert "Verzet naar deze" in str(said)
