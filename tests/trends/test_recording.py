"""Recording trend events from actions, opt-out, failures, retention, redemption, CLI."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from typing import Any

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions.fallback import ActionKoersFallback, ActionOutOfScope
from actions.scan import ActionScanResult
from actions.session import ActionSessionStart
from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger.models import Provider, Voucher
from bot.ledger.providers import issue_api_key
from bot.ledger.vouchers import redeem_voucher, request_voucher
from bot.scan.questions import SCAN_SLOTS
from bot.trends import cli
from bot.trends import events as ev
from bot.trends.models import TrendAggregate, TrendEvent
from bot.trends.recorder import current_week, municipality_of, record_trend, write_trend
from bot.trends.store import aggregate_old_events, load_cells
from bot.trends.suppression import CellKey
from bot.trends.weeks import parse_week, shift, week_of, weeks_between
from tests.ledger.support import BACKENDS, basic_data, load

pytest_plugins = ["tests.ledger.support"]

METADATA = {"municipality": "GM9901", "employee_key": "emp-00000001"}


@pytest.fixture
def trend_db(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> sessionmaker:
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    return sessions


def stored(sessions: sessionmaker) -> list[tuple[str, str, str, str]]:
    with sessions() as session:
        rows = session.execute(
            select(
                TrendEvent.week, TrendEvent.municipality, TrendEvent.event_type, TrendEvent.category
            ).order_by(TrendEvent.id)
        ).all()
    return [tuple(row) for row in rows]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_an_event_holds_only_week_municipality_type_category(
    trend_db: sessionmaker, make_tracker: Any
) -> None:
    tracker = make_tracker(
        "ik wil een voucher", "request_voucher", extra_message={"metadata": METADATA}
    )
    assert await record_trend(tracker, ev.VOUCHER_ISSUED)
    assert stored(trend_db) == [(current_week(), "GM9901", ev.VOUCHER_ISSUED, ev.NO_CATEGORY)]
    assert set(TrendEvent.__table__.columns.keys()) == {
        "id",
        "week",
        "municipality",
        "event_type",
        "category",
    }


async def test_opt_out_is_honoured(trend_db: sessionmaker, make_tracker: Any) -> None:
    tracker = make_tracker(
        "hoi", "greet", slots={"trends_opt_out": True}, extra_message={"metadata": METADATA}
    )
    assert not await record_trend(tracker, ev.CONVERSATION_STARTED)
    assert stored(trend_db) == []


async def test_without_municipality_the_event_counts_as_unknown(
    trend_db: sessionmaker, make_tracker: Any
) -> None:
    assert municipality_of({"municipality": "GM'; DROP TABLE x"}) == ev.UNKNOWN_MUNICIPALITY
    await record_trend(make_tracker("hoi", "greet"), ev.CONVERSATION_STARTED)
    assert stored(trend_db)[0][1] == ev.UNKNOWN_MUNICIPALITY


async def test_free_text_never_becomes_a_category(trend_db: sessionmaker) -> None:
    await record_trend(METADATA, ev.BARRIER_RAISED, "Jan de Vries wil weg")
    assert stored(trend_db)[0][3] == ev.NO_CATEGORY
    assert not await record_trend(METADATA, "iets_anders")


async def test_a_failing_database_never_breaks_the_conversation(
    tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    broken = sessionmaker()  # bound to nothing: every statement fails
    with caplog.at_level(logging.WARNING):
        assert write_trend(METADATA, ev.FALLBACK, "faq/evc", sessions=broken) is False
    assert "not recorded" in caplog.text and "GM9901" not in caplog.text


async def test_session_start_keeps_rasa_behaviour_and_counts(
    trend_db: sessionmaker, make_tracker: Any, domain: dict
) -> None:
    tracker = make_tracker(
        "",
        slots={"scan_status": "in_progress"},
        events=[{"event": "slot", "name": "scan_status", "value": "in_progress"}],
    )
    tracker.slots["session_started_metadata"] = METADATA  # a Rasa default slot
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, domain)
    assert events[0]["event"] == "session_started"
    assert {
        "event": "slot",
        "name": "scan_status",
        "value": "in_progress",
        "timestamp": None,
    } in events
    assert events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"
    assert stored(trend_db) == [(current_week(), "GM9901", ev.CONVERSATION_STARTED, ev.NO_CATEGORY)]
    no_carry = dict(domain, session_config={"carry_over_slots_to_new_session": False})
    events = await ActionSessionStart().run(CollectingDispatcher(), tracker, no_carry)
    assert [event["event"] for event in events] == ["session_started", "action"]


async def test_finished_scan_records_direction_and_strengths_once(
    trend_db: sessionmaker, make_tracker: Any, domain: dict
) -> None:
    answers = {slot: 5 if index % 2 else 2 for index, slot in enumerate(SCAN_SLOTS)}
    tracker = make_tracker(
        "5", slots={**answers, "scan_status": "in_progress"}, extra_message={"metadata": METADATA}
    )
    await ActionScanResult().run(CollectingDispatcher(), tracker, domain)
    kinds = [row[2] for row in stored(trend_db)]
    assert kinds.count(ev.SCAN_COMPLETED) == 1 and kinds.count(ev.SCAN_STRENGTH) == 3
    again = make_tracker("5", slots={**answers, "scan_status": "completed"})
    await ActionScanResult().run(CollectingDispatcher(), again, domain)
    assert len(stored(trend_db)) == 4


async def test_fallback_counts_the_intent_name_never_the_text(
    trend_db: sessionmaker, make_tracker: Any, domain: dict
) -> None:
    tracker = make_tracker(
        "mijn buurman Piet zegt dat evc onzin is",
        "nlu_fallback",
        extra_message={
            "intent_ranking": [
                {"name": "nlu_fallback", "confidence": 0.7},
                {"name": "faq", "confidence": 0.3},
            ],
            "metadata": METADATA,
        },
    )
    await ActionKoersFallback().run(CollectingDispatcher(), tracker, domain)
    await ActionOutOfScope().run(CollectingDispatcher(), make_tracker("weer?"), domain)
    rows = stored(trend_db)
    assert rows[0][2:] == (ev.FALLBACK, "faq")
    assert rows[1][2:] == (ev.OUT_OF_SCOPE, ev.NO_CATEGORY)
    assert "Piet" not in repr(rows)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_redemption_is_counted_in_the_same_transaction(trend_db: sessionmaker) -> None:
    load(trend_db, basic_data())
    now = utcnow()
    with trend_db() as session:
        run_in_transaction(session, issue_api_key, name="Leerhuis Test", now=now, actor="test")
        provider_id = session.execute(
            select(Provider.id).where(Provider.name == "Leerhuis Test")
        ).scalar_one()
        issued = run_in_transaction(
            session,
            request_voucher,
            municipality_code="GM9901",
            employee_key="emp-00000009",
            now=now,
            valid_days=30,
            actor="test",
        ).voucher
        for _ in range(2):  # asking twice counts once
            run_in_transaction(
                session, redeem_voucher, raw_code=issued.code, provider_id=provider_id, now=now
            )
        assert session.execute(select(func.count(Voucher.id))).scalar_one() == 1
    assert stored(trend_db) == [(current_week(now), "GM9901", ev.VOUCHER_REDEEMED, ev.NO_CATEGORY)]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_retention_aggregates_then_deletes_and_keeps_the_counts(
    trend_db: sessionmaker,
) -> None:
    now = utcnow()
    old_week = shift(current_week(now), -20)
    with trend_db() as session:
        session.add_all(
            [
                TrendEvent(
                    week=old_week, municipality="GM9901", event_type=ev.FALLBACK, category="faq"
                )
                for _ in range(6)
            ]
            + [
                TrendEvent(
                    week=current_week(now),
                    municipality="GM9901",
                    event_type=ev.FALLBACK,
                    category="faq",
                )
            ]
        )
        session.commit()
        weeks = weeks_between(old_week, current_week(now))
        before = load_cells(session, ["GM9901"], weeks)
        assert run_in_transaction(session, aggregate_old_events, retention_weeks=13, now=now) == 6
        session.add(
            TrendEvent(week=old_week, municipality="GM9901", event_type=ev.FALLBACK, category="faq")
        )
        session.commit()
        assert run_in_transaction(session, aggregate_old_events, retention_weeks=13, now=now) == 1
        after = load_cells(session, ["GM9901"], weeks)
        assert session.execute(select(func.count(TrendEvent.id))).scalar_one() == 1
        assert session.execute(select(TrendAggregate.count)).scalar_one() == 7
    key = CellKey("GM9901", old_week, ev.FALLBACK, "faq")
    assert before[key] == 6 and after[key] == 7


def test_weeks() -> None:
    assert parse_week(" 2026-w7 ") == "2026-W07"
    assert parse_week("2025-W53") is None  # 2025 has 52 ISO weeks, 2026 has 53
    assert parse_week("2020-W53") == "2020-W53"
    assert parse_week("1' OR '1'='1") is None
    assert week_of(utcnow() - timedelta(days=7)) <= current_week()
    assert weeks_between("2025-W52", "2026-W02") == ["2025-W52", "2026-W01", "2026-W02"]


def test_cli_accounts_demo_and_purge(
    trend_db: sessionmaker, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "DEMO_CREDENTIALS_FILE", tmp_path / "logins.txt")
    out = io.StringIO()
    code = cli.main(
        ["create-account", "p.coordinator", "--role", "programme", "--password-stdin"],
        out=out,
        stdin=io.StringIO("een-goed-wachtwoord\n"),
    )
    assert code == 0 and "made" in out.getvalue()
    short = cli.main(
        ["create-account", "kort", "--role", "programme", "--password-stdin"],
        out=out,
        stdin=io.StringIO("kort\n"),
    )
    assert short == 2
    assert (
        cli.main(
            ["create-account", "m.coordinator", "--role", "municipal", "--password-stdin"],
            out=out,
            stdin=io.StringIO("een-goed-wachtwoord\n"),
        )
        == 2
    )
    assert cli.main(["disable", "p.coordinator"], out=out) == 0
    listing = io.StringIO()
    cli.main(["accounts"], out=listing)
    assert "p.coordinator\tprogramme\t-\tdisabled" in listing.getvalue()
    assert "wachtwoord" not in listing.getvalue()
    demo_out = io.StringIO()
    cli.main(["demo"], out=demo_out)  # accounts exist already: no demo log-ins
    assert "no demo log-ins" in demo_out.getvalue()
    assert cli.main(["purge", "--weeks", "4"], out=out) == 0
    key_out = io.StringIO()
    assert cli.main(["session-key"], out=key_out) == 0 and len(key_out.getvalue().strip()) == 44


def test_demo_log_ins_are_made_even_after_real_events(tmp_path) -> None:
    """A test run or a first chat before `make run` must not keep the demo log-ins away."""
    from bot.clock import utcnow
    from bot.db.engine import get_engine, make_session_factory, migrate
    from bot.trends import demo as trend_demo
    from bot.trends.models import TrendEvent
    from bot.trends.recorder import add_trend_event

    url = f"sqlite:///{tmp_path / 'koers.db'}"
    migrate(url)
    sessions = make_session_factory(get_engine(url))
    with sessions.begin() as session:
        add_trend_event(
            session, event_type="conversation_started", municipality="GM9901", now=utcnow()
        )
    with sessions.begin() as session:
        passwords = trend_demo.seed_demo(session, now=utcnow())
    assert passwords and set(passwords) == {
        trend_demo.DEMO_PROGRAMME_USER,
        trend_demo.DEMO_MUNICIPAL_USER,
    }
    with sessions() as session:
        assert session.query(TrendEvent).count() == 1  # no demo events on top of real ones
