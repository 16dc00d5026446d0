"""The proofs of the issue, with real concurrent sessions on SQLite and PostgreSQL.

Threads start together at a barrier; each has its own session and transaction.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import booking, vouchers
from bot.ledger.models import AuditEntry, Booking, Municipality, Provider, Voucher
from bot.ledger.preferences import WhenPreference
from tests.ledger.support import BACKENDS, basic_data, load

pytest_plugins = ["tests.ledger.support"]

pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)


def run_together(count: int, work: Callable[[int], Any], workers: int = 50) -> list[Any]:
    """Runs ``work(i)`` for i in range(count) in threads released at the same moment."""
    barrier = threading.Barrier(min(count, workers))

    def job(number: int) -> Any:
        if number < workers:
            barrier.wait(timeout=30)
        try:
            return work(number)
        except Exception as exc:  # collected and checked by the test
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(job, range(count)))


def test_fifty_bookings_of_one_slot(sessions: sessionmaker) -> None:
    load(sessions, basic_data())
    with sessions() as session:
        offer = booking.find_offers(
            session,
            region="Utrecht",
            mode="online",
            preference=WhenPreference(),
            now=utcnow(),
            horizon_days=42,
        )[0]

    def attempt(_number: int) -> Any:
        with sessions() as session:
            try:
                return run_in_transaction(
                    session,
                    booking.book_slot,
                    slot_id=offer.slot_id,
                    mode="online",
                    region="Utrecht",
                    now=utcnow(),
                    actor="test",
                )
            except booking.BookingError as refused:
                alternatives = booking.offers_or_alternatives(
                    session,
                    region="Utrecht",
                    mode="online",
                    preference=WhenPreference(),
                    now=utcnow(),
                    horizon_days=42,
                    exclude=(offer.slot_id,),
                )
                session.rollback()
                return refused.reason, alternatives

    results = run_together(50, attempt)
    booked = [r for r in results if isinstance(r, booking.BookingView)]
    refused = [r for r in results if isinstance(r, tuple)]
    assert len(booked) == 1, [r for r in results if isinstance(r, Exception)]
    assert len(refused) == 49
    assert {reason for reason, _alternatives in refused} == {booking.SLOT_TAKEN}
    assert all(
        alternatives and offer.slot_id not in {a.slot_id for a in alternatives}
        for _reason, alternatives in refused
    )
    with sessions() as session:
        assert session.execute(select(func.count(Booking.id))).scalar_one() == 1


def test_hundred_voucher_requests_against_a_budget_of_ten(sessions: sessionmaker) -> None:
    load(sessions, basic_data(budget_vouchers=10))

    def attempt(number: int) -> Any:
        with sessions() as session:
            try:
                return run_in_transaction(
                    session,
                    vouchers.request_voucher,
                    municipality_code="GM9901",
                    employee_key=f"emp-{number:08d}",
                    now=utcnow(),
                    valid_days=365,
                    actor="test",
                )
            except vouchers.VoucherError as refused:
                return refused.reason

    results = run_together(100, attempt)
    issued = [r for r in results if isinstance(r, vouchers.IssueResult)]
    assert len(issued) == 10, Counter(type(r).__name__ for r in results)
    assert Counter(r for r in results if isinstance(r, str)) == {vouchers.BUDGET_EXHAUSTED: 90}
    with sessions() as session:
        assert session.execute(select(func.count(Voucher.id))).scalar_one() == 10
        assert (
            session.execute(
                select(Municipality.budget_committed_cents).where(Municipality.code == "GM9901")
            ).scalar_one()
            == 10 * 37500
        )


def test_one_employee_asking_twenty_times_at_once_gets_one_voucher(
    sessions: sessionmaker,
) -> None:
    load(sessions, basic_data(budget_vouchers=10))

    def attempt(_number: int) -> Any:
        with sessions() as session:
            return run_in_transaction(
                session,
                vouchers.request_voucher,
                municipality_code="GM9901",
                employee_key="emp-same-one",
                now=utcnow(),
                valid_days=365,
                actor="test",
            )

    results = run_together(20, attempt, workers=20)
    assert all(isinstance(r, vouchers.IssueResult) for r in results), results
    assert len({r.voucher.code for r in results}) == 1
    assert sum(r.new for r in results) == 1
    with sessions() as session:
        assert session.execute(select(func.count(Voucher.id))).scalar_one() == 1


def test_twenty_redemptions_of_one_code(sessions: sessionmaker) -> None:
    load(sessions, basic_data())
    with sessions() as session:
        code = run_in_transaction(
            session,
            vouchers.request_voucher,
            municipality_code="GM9901",
            employee_key="emp-00000001",
            now=utcnow(),
            valid_days=365,
            actor="test",
        ).voucher.code
        providers = list(session.execute(select(Provider.id)).scalars())

    def attempt(number: int) -> Any:
        with sessions() as session:
            try:
                return run_in_transaction(
                    session,
                    vouchers.redeem_voucher,
                    raw_code=code,
                    provider_id=providers[number % 2],
                    now=utcnow(),
                )
            except vouchers.VoucherError as refused:
                return refused.reason

    results = run_together(20, attempt, workers=20)
    wins = [r for r in results if isinstance(r, vouchers.RedeemResult)]
    assert sum(r.first_time for r in wins) == 1
    winner = next(r for r in wins if r.first_time).voucher.redeemed_by_provider_id
    assert all(r.voucher.redeemed_by_provider_id == winner for r in wins)
    assert len(wins) == 10  # the winner's ten requests all get the same answer
    assert Counter(r for r in results if isinstance(r, str)) == {vouchers.REDEEMED_BY_OTHER: 10}
    with sessions() as session:
        assert (
            session.execute(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "voucher.redeemed")
            ).scalar_one()
            == 1
        )
