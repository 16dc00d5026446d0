"""Opportunities and the EVC check through the actions (real database, signed claims)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from actions import opportunities as actions
from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger.importer import load_demo
from bot.opportunities import chat
from bot.opportunities.catalog import TYPE_SHADOWING, TYPE_TRAINING, TYPE_VACANCY
from bot.opportunities.importer import load_demo_opportunities
from bot.preparation.sheet import build_sheet, sections, sheet_from_dict, sheet_to_dict
from bot.trends import events as trend
from bot.trends.models import TrendEvent
from tests.actions.test_voucher import IDENTITY_SECRET, claim
from tests.ledger.dialogue import Conversation, button_payloads, texts

pytest_plugins = ["tests.ledger.support"]

ACTIONS = {
    action.name(): action
    for action in (
        actions.ActionShowOpportunities(),
        actions.ActionShowMore(),
        actions.ActionSaveOpportunity(),
        actions.ActionEvcStart(),
        actions.ValidateEvcForm(),
        actions.ActionAskEvcYears(),
        actions.ActionAskEvcDiploma(),
        actions.ActionAskEvcGoal(),
        actions.ActionEvcResult(),
    )
}


@pytest.fixture
def catalogue(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    with sessions() as session:
        run_in_transaction(session, load_demo, now=utcnow())
        run_in_transaction(session, load_demo_opportunities, now=utcnow())
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    monkeypatch.setenv("KOERS_IDENTITY_SECRET", IDENTITY_SECRET)
    yield sessions


def counted(sessions: sessionmaker, event_type: str) -> dict[str, int]:
    with sessions() as session:
        rows = session.execute(
            select(TrendEvent.category).where(TrendEvent.event_type == event_type)
        ).scalars()
        found: dict[str, int] = {}
        for category in rows:
            found[category] = found.get(category, 0) + 1
        return found


def listings(messages: list[dict]) -> list[dict]:
    return [
        m for m in messages if any(b["title"] == chat.SAVE_BUTTON for b in m.get("buttons") or [])
    ]


# --- pure reading of the employee's words -------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kinds"),
    [
        ("kan ik ergens meelopen?", (TYPE_SHADOWING,)),
        ("is er een meeloopdag bij een andere gemeente", (TYPE_SHADOWING,)),
        ("zijn er vacatures bij andere gemeenten in de regio?", (TYPE_VACANCY,)),
        ("interne mobiliteit", (TYPE_VACANCY,)),
        ("welke opleidingen zijn er?", (TYPE_TRAINING,)),
        ("zijn er detacheringen", ("uitwisseling",)),
        ("welke kansen zijn er voor mij", None),
    ],
)
def test_the_types_asked_for(text: str, kinds: tuple[str, ...] | None) -> None:
    assert chat.kinds_in(text) == kinds


def test_a_query_survives_the_slot_and_tampering_is_ignored() -> None:
    query = chat.Query((TYPE_VACANCY,), "online", 5)
    assert chat.Query.from_slot(query.to_slot()) == query
    bad = chat.Query.from_slot({"kinds": ["onzin"], "place": "mars", "offset": -3})
    assert bad == chat.Query()
    assert chat.Query.from_slot("kapot") is None


@pytest.mark.parametrize(
    ("text", "years"),
    [("12", 12), ("al 8 jaar", 8), ("twintig jaar", 20), ("een half jaar", 0), ("veel", None)],
)
def test_years_of_experience(text: str, years: int | None) -> None:
    assert chat.parse_years(text) == years


def test_a_saved_line_is_added_once_and_at_most_three() -> None:
    lines, added = chat.with_saved(None, "a")
    assert (lines, added) == (["a"], True)
    assert chat.with_saved(lines, "a") == (["a"], False)
    assert chat.with_saved(["a", "b", "c"], "d") == (["a", "b", "c"], False)


def test_saved_opportunities_are_on_the_sheet_and_survive_storage() -> None:
    sheet = build_sheet({"prep_develop": "leren plannen"}, (), tries=["meelopen bij X: Y"])
    wanted = dict(sections(sheet))["Wat ik wil leren of proberen"]
    assert wanted == ["leren plannen", "Wat ik wil proberen: meelopen bij X: Y"]
    assert sheet_from_dict(sheet_to_dict(sheet)).tries == ["meelopen bij X: Y"]
    empty = build_sheet({}, ())
    assert dict(sections(empty))["Wat ik wil leren of proberen"] == ["Nog niet ingevuld."]


# --- the actions --------------------------------------------------------------------------


async def test_shadowing_places_for_a_verified_employee(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("kan ik ergens meelopen?", "find_opportunities")
    said = await talk.run("action_show_opportunities")
    shown = listings(said)
    assert 1 <= len(shown) <= 5
    assert all("Meeloopstage" in m["text"] and "Meer weten?" in m["text"] for m in shown)
    assert "niet door dat jij dit vroeg" in texts(said)
    assert talk.slots["paging"] == "opportunities"
    assert counted(catalogue, trend.OPPORTUNITY_VIEWED) == {TYPE_SHADOWING: len(shown)}


async def test_more_pages_on_and_ends_clearly(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("welke kansen zijn er voor mij", "find_opportunities")
    first = listings(await talk.run("action_show_opportunities"))
    assert len(first) == 5
    talk.user("meer", "show_more")
    second_said = await talk.run("action_show_more")
    second = listings(second_said)
    assert second and {m["text"] for m in second}.isdisjoint({m["text"] for m in first})
    assert chat.LAST_PAGE in texts(second_said)  # the demo catalogue has 9 for GM9901
    talk.user("meer", "show_more")
    assert chat.NOTHING_MORE in texts(await talk.run("action_show_more"))
    talk.user("meer", "show_more")
    assert chat.NOTHING_TO_PAGE in texts(await talk.run("action_show_more"))


async def test_without_identity_only_online_listings_and_a_hint(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS)
    talk.user("welke opleidingen zijn er?", "find_opportunities")
    said = await talk.run("action_show_opportunities")
    assert chat.ANONYMOUS_REACH in texts(said)
    assert all("Online" in m["text"] for m in listings(said))


async def test_after_the_scan_the_reason_names_the_direction(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.slots |= {"scan_status": "completed", "scan_direction": "verbreden"}
    talk.user("/find_opportunities", "find_opportunities")
    said = await talk.run("action_show_opportunities")
    assert "passen bij je scan" in texts(said)
    assert any("Past bij verbreden" in m["text"] for m in listings(said))
    assert chat.NO_SCAN_TIP not in texts(said)


async def test_the_own_scale_keeps_far_higher_jobs_out_and_reasons_differ(
    catalogue: sessionmaker,
) -> None:
    """Walkthrough 2026-12-03: "Coördinator Wmo" (schaal 9-10) read "past bij verbreden"."""
    talk = Conversation(ACTIONS, metadata=claim())
    talk.slots |= {
        "scan_status": "completed",
        "scan_direction": "verbreden",
        "scan_strengths": ["contact", "verbeteren", "nauwkeurig"],
    }
    talk.user("ik werk bij het kcc, schaal 6. welke kansen zijn er?", "find_opportunities")
    shown = listings(await talk.run("action_show_opportunities"))
    assert shown and not any("Coördinator Wmo" in m["text"] for m in shown)
    vacancies = [m["text"] for m in shown if "Vacature bij" in m["text"]]
    assert vacancies and not any("verbreden" in text for text in vacancies)
    reasons = [m["text"].splitlines()[-2] for m in shown]
    assert len(set(reasons)) == len(reasons)
    assert any("Je bent goed in" in r or "sterk" in r for r in reasons)


async def test_who_hears_of_it_gets_the_honest_answer_not_the_card_again(
    catalogue: sessionmaker,
) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("kan ik ergens meelopen?", "find_opportunities")
    await talk.run("action_show_opportunities")
    talk.user(
        "als ik ga meelopen, krijgt mijn leidinggevende dat dan te horen?", "find_opportunities"
    )
    said = await talk.run("action_show_opportunities")
    assert listings(said) == []
    assert chat.WHO_IS_TOLD in texts(said) and chat.WHO_IS_TOLD_NEXT in texts(said)
    payloads = button_payloads(said)
    assert '/find_opportunities{"opportunity_kind":"meeloopstage"}' in payloads
    assert "/request_coach" in payloads


async def test_what_a_meeloopstage_is_is_explained_then_places_offered(
    catalogue: sessionmaker,
) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("wat is een meeloopstage?", "find_opportunities")
    said = await talk.run("action_show_opportunities")
    assert listings(said) == [] and chat.SHADOWING_EXPLAINED in texts(said)
    assert button_payloads(said) == [actions.SHADOWING_BUTTON["payload"]]
    talk.user(
        actions.SHADOWING_BUTTON["payload"],
        "find_opportunities",
        [{"entity": "opportunity_kind", "value": "meeloopstage"}],
    )
    assert listings(await talk.run("action_show_opportunities"))


async def test_what_evc_is_is_explained_and_the_check_offered(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("wat is EVC?", "check_evc")
    said = await talk.run("action_evc_start")
    assert chat.EVC_EXPLAINED in texts(said) and chat.EVC_INTRO not in texts(said)
    assert button_payloads(said) == ["/check_evc"]
    assert {"event": "followup", "name": "action_listen"} in [
        {"event": e.get("event"), "name": e.get("name")} for e in talk.last_events
    ]


@pytest.mark.parametrize(
    ("text", "scale"),
    [
        ("hee ik werk bij het kcc, schaal 6 al 8 jaar", 6),
        ("is schaal 9 te hoog als ik nu schaal 6 ben?", 6),
        ("mijn schaal is 7", 7),
        ("ik wil naar schaal 8", None),
        ("die vacature coordinator wmo schaal 9, is dat niet te hoog voor mij?", None),
    ],
)
def test_the_own_scale_in_words(text: str, scale: int | None) -> None:
    assert chat.own_scale_in(text) == scale


@pytest.mark.parametrize(
    ("text", "general"),
    [
        ("wat is EVC?", True),
        ("is evc iets voor mij?", False),
        ("wat is een meeloopstage", True),
        ("kan ik ergens meelopen?", False),
        ("wat is het verschil tussen detachering en uitwisseling", True),
    ],
)
def test_a_general_question_is_told_from_a_request(text: str, general: bool) -> None:
    assert chat.asks_what_it_is(text) is general


def test_inside_a_form_what_evc_is_is_a_side_question() -> None:
    from bot.conversation.turns import TurnKind, classify_turn

    turn = classify_turn(
        form="scan_form", intent="check_evc", confidence=0.9, text="wat is evc eigenlijk?"
    )
    assert (turn.kind, turn.intent) == (TurnKind.SIDE_QUESTION, "explain_evc")
    asked = classify_turn(
        form="scan_form", intent="check_evc", confidence=0.9, text="is evc iets voor mij?"
    )
    assert asked.kind is TurnKind.NEW_REQUEST


async def test_saving_puts_a_line_on_the_sheet_once(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("kan ik ergens meelopen?", "find_opportunities")
    said = await talk.run("action_show_opportunities")
    payload = button_payloads(listings(said))[0]
    item_id = payload.split('"')[-2]
    entities = [{"entity": "opportunity_id", "value": item_id}]
    talk.user(payload, "save_opportunity", entities)
    saved = texts(await talk.run("action_save_opportunity"))
    assert "Wat ik wil proberen: meelopen bij" in saved
    assert talk.slots["opportunity_saved"][0].startswith("meelopen bij")
    talk.user(payload, "save_opportunity", entities)
    assert chat.ALREADY_SAVED in texts(await talk.run("action_save_opportunity"))
    assert counted(catalogue, trend.OPPORTUNITY_SAVED) == {TYPE_SHADOWING: 1}


async def test_saving_an_unknown_or_invisible_listing_changes_nothing(
    catalogue: sessionmaker,
) -> None:
    talk = Conversation(ACTIONS)  # anonymous: a regional vacancy is not visible
    talk.user("bewaar 15", "save_opportunity", [{"entity": "opportunity_id", "value": "15"}])
    assert chat.SAVE_UNKNOWN in texts(await talk.run("action_save_opportunity"))
    talk.user("bewaar 99999", "save_opportunity")
    assert chat.SAVE_UNKNOWN in texts(await talk.run("action_save_opportunity"))
    assert talk.slots["opportunity_saved"] is None
    assert counted(catalogue, trend.OPPORTUNITY_SAVED) == {}


async def test_the_evc_check_asks_three_questions_and_answers_honestly(
    catalogue: sessionmaker,
) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("is evc iets voor mij?", "check_evc")
    said = texts(await talk.start_form("evc_form", "action_evc_start"))
    assert chat.EVC_INTRO in said and chat.EVC_YEARS in said
    assert chat.EVC_DIPLOMA in texts(await talk.answer("al 15 jaar"))
    assert chat.EVC_DIPLOMA_UNCLEAR in texts(await talk.answer("banaan"))
    assert chat.EVC_GOAL in texts(await talk.answer("mbo 2"))
    await talk.answer("een erkend diploma halen")
    assert not talk.form_active
    result = texts(await talk.run("action_evc_result"))
    assert "EVC kan goed bij je passen." in result and "P&O" in result
    assert counted(catalogue, trend.EVC_CHECKED) == {"fits": 1}
    assert all(talk.slots[slot] is None for slot in actions.EVC_SLOTS)


async def test_every_evc_question_can_be_skipped(catalogue: sessionmaker) -> None:
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("evc check", "check_evc")
    await talk.start_form("evc_form", "action_evc_start")
    for _ in range(3):
        await talk.answer("sla over")
    assert not talk.form_active
    result = texts(await talk.run("action_evc_result"))
    assert result.startswith("EVC kan bij je passen. Het hangt af van wat je wilt.")
    assert counted(catalogue, trend.EVC_CHECKED) == {"maybe": 1}


def test_tampered_evc_slots_count_as_skipped() -> None:
    assert actions.advice_for(-4, "raket", 7).verdict == "maybe"
    assert actions.advice_for(1, chat.SKIPPED, None).verdict == "not_yet"
    assert actions.advice_for(chat.SKIPPED, "hbo", "leren").verdict == "other_route"


def test_in_the_evc_check_a_loose_word_is_an_unclear_answer_and_a_question_interrupts() -> None:
    from bot.conversation.turns import TurnKind, classify_turn

    def kind(text: str, intent: str, understood: bool) -> TurnKind:
        return classify_turn(
            form="evc_form",
            intent=intent,
            confidence=0.95,
            text=text,
            answer_understood=understood,
        ).kind

    assert kind("tja", "out_of_scope", False) is TurnKind.UNCLEAR
    assert kind("hbo", "faq", True) is TurnKind.ANSWER
    assert kind("wie kan dit lezen?", "ask_privacy", False) is TurnKind.SIDE_QUESTION
    assert kind("ik wil toch een coach", "request_coach", False) is TurnKind.NEW_REQUEST
    assert kind("is evc iets voor mij?", "check_evc", False) is TurnKind.UNCLEAR


async def test_another_province_is_said_plainly(catalogue: sessionmaker) -> None:
    """ "kansen in utrecht" from an employee whose municipality lies elsewhere was answered
    five times with the own region's listings (walkthrough 2026-12-04, conversation 4)."""
    talk = Conversation(ACTIONS, metadata=claim())
    talk.user("kansen in utrecht", "find_opportunities")
    said = texts(await talk.run("action_show_opportunities"))
    assert "Kansen in Utrecht laat ik je niet zien" in said, said
    talk.user("kan ik ergens meelopen?", "find_opportunities")
    assert "laat ik je niet zien" not in texts(await talk.run("action_show_opportunities"))
