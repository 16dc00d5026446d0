"""The migration creates exactly what the models describe, and constraints hold in the DB."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.base import Base
from bot.db.engine import migrate
from bot.ledger.models import Booking, Coach, CoachRegion, Municipality, Provider, Slot, Voucher

# every other module that defines tables: all of them are part of the metadata compared
from bot.notify import models as _notify_models  # noqa: F401
from bot.opportunities import models as _opportunity_models  # noqa: F401
from bot.preparation import store as _preparation_store  # noqa: F401
from bot.trends import models as _trend_models  # noqa: F401
from tests.ledger.support import BACKENDS

pytest_plugins = ["tests.ledger.support"]

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def test_migration_matches_models(engine: Engine, database_url: str) -> None:
    migrate(database_url)  # a second run changes nothing
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        names = set(inspect(connection).get_table_names())
    assert set(Base.metadata.tables) <= names


def _municipality(**overrides: object) -> Municipality:
    values = dict(
        code="GM9999",
        name="Gemeente Proef",
        participating=True,
        programme_year=2025,
        voucher_value_cents=37500,
        voucher_budget_cents=75000,
        budget_committed_cents=0,
    )
    values.update(overrides)
    return Municipality(**values)


def _coach(email: str = "x@coach.example", **overrides: object) -> Coach:
    values = dict(name="Proef Coach", email=email, online=True, on_location=False, active=True)
    values.update(overrides)
    return Coach(**values)


def _violates(sessions: sessionmaker, *objects: object, setup: tuple = ()) -> None:
    with sessions() as session:
        for item in setup:
            session.add(item)
        session.flush()
        for item in objects:
            session.add(item)
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_budget_cannot_be_overspent_even_by_sql(sessions: sessionmaker) -> None:
    _violates(sessions, _municipality(budget_committed_cents=75001))
    with sessions() as session:
        session.add(_municipality())
        session.commit()
        with pytest.raises(IntegrityError):
            session.execute(text("UPDATE municipalities SET budget_committed_cents = 999999"))
        session.rollback()


@pytest.mark.parametrize(
    "overrides",
    [
        {"online": False, "on_location": False},
        {"email": "not-an-address"},
        {"name": ""},
    ],
)
def test_coach_checks(sessions: sessionmaker, overrides: dict) -> None:
    _violates(sessions, _coach(**overrides))


def test_unknown_region_and_foreign_keys(sessions: sessionmaker) -> None:
    coach = _coach()
    _violates(sessions, CoachRegion(coach_id=1, region="Wallonië"), setup=(coach,))
    now = utcnow()
    _violates(
        sessions,
        Slot(
            coach_id=424242,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            mode="online",
            status="free",
        ),
    )


def test_slot_checks(sessions: sessionmaker) -> None:
    now = utcnow()
    with sessions() as session:
        coach = _coach()
        session.add(coach)
        session.commit()
        coach_id = coach.id
    _violates(
        sessions, Slot(coach_id=coach_id, starts_at=now, ends_at=now, mode="online", status="free")
    )
    _violates(
        sessions,
        Slot(
            coach_id=coach_id,
            starts_at=now,
            ends_at=now + timedelta(hours=1),
            mode="telepathy",
            status="free",
        ),
    )


def test_one_active_booking_per_slot(sessions: sessionmaker) -> None:
    now = utcnow()
    with sessions() as session:
        coach = _coach()
        session.add(coach)
        session.flush()
        slot = Slot(
            coach_id=coach.id,
            starts_at=now + timedelta(days=2),
            ends_at=now + timedelta(days=2, hours=1),
            mode="online",
            status="booked",
        )
        session.add(slot)
        session.flush()

        def booking(code: str, status: str = "active") -> Booking:
            return Booking(
                code=code,
                slot_id=slot.id,
                mode="online",
                region="Utrecht",
                status=status,
                ics_token=code + "-token",
                sequence=0,
                cancelled_at=now if status == "cancelled" else None,
            )

        session.add_all([booking("AAAAAAAAAA", "cancelled"), booking("BBBBBBBBBB")])
        session.flush()
        session.add(booking("CCCCCCCCCC"))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_one_live_voucher_per_employee_and_year(sessions: sessionmaker) -> None:
    now = utcnow()
    with sessions() as session:
        municipality = _municipality()
        session.add(municipality)
        session.flush()

        def voucher(code: str, status: str = "issued") -> Voucher:
            return Voucher(
                code=code,
                municipality_id=municipality.id,
                employee_key="emp-0001",
                programme_year=2025,
                value_cents=37500,
                purpose="workshop_or_coach",
                status=status,
                issued_at=now,
                expires_at=now + timedelta(days=1),
            )

        session.add_all([voucher("A" * 16, "cancelled"), voucher("B" * 16)])
        session.flush()
        session.add(voucher("C" * 16))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()


def test_redeemed_voucher_needs_provider_and_time(sessions: sessionmaker) -> None:
    now = utcnow()
    with sessions() as session:
        municipality = _municipality()
        session.add_all([municipality, Provider(name="P", active=True)])
        session.flush()
        session.add(
            Voucher(
                code="D" * 16,
                municipality_id=municipality.id,
                employee_key="emp-0002",
                programme_year=2025,
                value_cents=37500,
                purpose="workshop_or_coach",
                status="redeemed",
                issued_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
