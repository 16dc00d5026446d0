"""Issuing, looking up, redeeming and expiring vouchers on a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import vouchers as ledger
from bot.ledger.audit import entries_for
from bot.ledger.codes import format_code
from bot.ledger.models import Municipality, Provider, Voucher
from tests.ledger.support import BACKENDS

pytest_plugins = ["tests.ledger.support"]


def ask(
    sessions: sessionmaker, key: str = "emp-00000001", code: str = "GM9901", now=None
) -> ledger.IssueResult:
    with sessions() as session:
        return run_in_transaction(
            session,
            ledger.request_voucher,
            municipality_code=code,
            employee_key=key,
            now=now or utcnow(),
            valid_days=365,
            actor="test",
        )


def provider_ids(sessions: sessionmaker) -> list[int]:
    with sessions() as session:
        return list(session.execute(select(Provider.id).order_by(Provider.id)).scalars())


def redeem(
    sessions: sessionmaker, code: str, provider_id: int, now=None, reference: str | None = None
) -> ledger.RedeemResult:
    with sessions() as session:
        return run_in_transaction(
            session,
            ledger.redeem_voucher,
            raw_code=code,
            provider_id=provider_id,
            now=now or utcnow(),
            reference=reference,
        )


def committed(sessions: sessionmaker) -> int:
    with sessions() as session:
        return session.execute(
            select(Municipality.budget_committed_cents).where(Municipality.code == "GM9901")
        ).scalar_one()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_issue_is_idempotent_per_employee_and_year(seeded: sessionmaker) -> None:
    first = ask(seeded)
    again = ask(seeded)
    assert first.new and not again.new
    assert again.voucher.code == first.voucher.code
    assert first.voucher.value_cents == 37500 and first.voucher.status == "issued"
    assert committed(seeded) == 37500
    assert ask(seeded, key="emp-00000002").voucher.code != first.voucher.code
    with seeded() as session:
        actions = [e.action for e in entries_for(session, "voucher", first.voucher.voucher_id)]
    assert actions == ["voucher.issued"]


def test_budget_runs_out(seeded: sessionmaker) -> None:
    for number in range(10):
        ask(seeded, key=f"emp-{number:08d}")
    with pytest.raises(ledger.VoucherError) as refused:
        ask(seeded, key="emp-99999999")
    assert refused.value.reason == ledger.BUDGET_EXHAUSTED
    assert committed(seeded) == 10 * 37500
    assert not ask(seeded, key="emp-00000003").new  # an existing voucher is still shown


@pytest.mark.parametrize(
    "code, key, reason",
    [
        ("GM0000", "emp-00000001", ledger.MUNICIPALITY_UNKNOWN),
        ("GM9903", "emp-00000001", ledger.NOT_PARTICIPATING),
        ("GM9901", "short", ledger.BAD_EMPLOYEE_KEY),
        ("GM9901", "has spaces in it", ledger.BAD_EMPLOYEE_KEY),
    ],
)
def test_refusals_change_nothing(seeded: sessionmaker, code: str, key: str, reason: str) -> None:
    with pytest.raises(ledger.VoucherError) as refused:
        ask(seeded, key=key, code=code)
    assert refused.value.reason == reason
    with seeded() as session:
        assert session.execute(select(Voucher)).first() is None
    assert committed(seeded) == 0


def test_status_by_code_and_typos(seeded: sessionmaker) -> None:
    issued = ask(seeded).voucher
    with seeded() as session:
        view = ledger.voucher_status(session, format_code(issued.code).lower(), utcnow())
        assert view.code == issued.code and view.status == "issued"
        wrong = issued.code[:-1] + ("2" if issued.code[-1] != "2" else "3")
        for raw, reason in [
            (wrong, ledger.CODE_TYPO),
            ("K7Q", ledger.CODE_MALFORMED),
            ("2" * 15 + "X", ledger.CODE_TYPO),
        ]:
            with pytest.raises(ledger.VoucherError) as refused:
                ledger.voucher_status(session, raw, utcnow())
            assert refused.value.reason == reason
        from bot.ledger.codes import new_code

        with pytest.raises(ledger.VoucherError) as unknown:
            ledger.voucher_status(session, new_code(), utcnow())
        assert unknown.value.reason == ledger.VOUCHER_UNKNOWN
        later = ledger.voucher_status(session, issued.code, issued.expires_at)
        assert later.status == "expired"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_redeem_once_same_answer_for_the_same_provider(seeded: sessionmaker) -> None:
    code = ask(seeded).voucher.code
    mine, other = provider_ids(seeded)
    first = redeem(seeded, format_code(code), mine, reference="factuur 12")
    again = redeem(seeded, code, mine, reference="iets anders")
    assert first.first_time and not again.first_time
    assert again.voucher == first.voucher
    assert first.voucher.status == "redeemed" and first.voucher.redeemed_reference == "factuur 12"
    with pytest.raises(ledger.VoucherError) as refused:
        redeem(seeded, code, other)
    assert refused.value.reason == ledger.REDEEMED_BY_OTHER
    with seeded() as session:
        actions = [e.action for e in entries_for(session, "voucher", first.voucher.voucher_id)]
    assert actions == ["voucher.issued", "voucher.redeemed"]


def test_expired_and_cancelled_vouchers_cannot_be_redeemed(seeded: sessionmaker) -> None:
    expired = ask(seeded, key="emp-00000010").voucher
    cancelled = ask(seeded, key="emp-00000011").voucher
    provider = provider_ids(seeded)[0]
    with pytest.raises(ledger.VoucherError) as too_late:
        redeem(seeded, expired.code, provider, now=expired.expires_at + timedelta(seconds=1))
    assert too_late.value.reason == ledger.VOUCHER_IS_EXPIRED
    with seeded() as session:
        assert session.get(Voucher, expired.voucher_id).status == "issued"  # no change
        run_in_transaction(
            session, ledger.cancel_voucher, raw_code=cancelled.code, now=utcnow(), actor="test"
        )
    assert committed(seeded) == 37500  # the cancelled voucher's value went back
    with pytest.raises(ledger.VoucherError) as withdrawn:
        redeem(seeded, cancelled.code, provider)
    assert withdrawn.value.reason == ledger.VOUCHER_IS_CANCELLED
    # A cancelled voucher may be replaced by a new one for the same employee.
    assert ask(seeded, key="emp-00000011").new


def test_expire_due_marks_and_audits(seeded: sessionmaker) -> None:
    view = ask(seeded).voucher
    with seeded() as session:
        assert run_in_transaction(session, ledger.expire_due, now=utcnow()) == 0
        assert run_in_transaction(session, ledger.expire_due, now=view.expires_at) == 1
        stored = session.execute(select(Voucher)).scalar_one()
        session.refresh(stored)
        assert stored.status == "expired"
        assert entries_for(session, "voucher", view.voucher_id)[-1].action == "voucher.expired"
    assert ask(seeded).voucher.status == "expired"  # still one voucher this year


def test_employee_voucher_lookup(seeded: sessionmaker) -> None:
    assert ledger.effective_status("redeemed", utcnow() - timedelta(days=1), utcnow()) == (
        "redeemed"
    )
    view = ask(seeded).voucher
    with seeded() as session:
        found = ledger.employee_voucher(
            session, municipality_code="gm9901", employee_key="emp-00000001", now=utcnow()
        )
        assert found is not None and found.code == view.code
        assert (
            ledger.employee_voucher(
                session, municipality_code="GM9901", employee_key="emp-00000009", now=utcnow()
            )
            is None
        )


def test_previous_key_finds_the_voucher_of_a_rotated_employee(seeded: sessionmaker) -> None:
    """One employee, one voucher across a pseudonym-key rotation (k1_ key, then k2_ key)."""
    old_key, new_key = "k1_" + "a" * 32, "k2_" + "b" * 32
    first = ask(seeded, key=old_key)
    before = committed(seeded)
    with seeded() as session:
        again = run_in_transaction(
            session,
            ledger.request_voucher,
            municipality_code="GM9901",
            employee_key=new_key,
            previous_keys=(old_key,),
            now=utcnow(),
            valid_days=365,
            actor="test",
        )
        assert not again.new and again.voucher.code == first.voucher.code
        found = ledger.employee_voucher(
            session,
            municipality_code="GM9901",
            employee_key=new_key,
            now=utcnow(),
            previous_keys=(old_key,),
        )
        assert found is not None and found.code == first.voucher.code
        assert (
            ledger.employee_voucher(
                session, municipality_code="GM9901", employee_key=new_key, now=utcnow()
            )
            is None
        )
        keys = list(session.execute(select(Voucher.employee_key)).scalars())
    assert committed(seeded) == before and keys == [old_key]


def test_a_new_voucher_is_stored_under_the_current_key(seeded: sessionmaker) -> None:
    """The stored key's ``k<version>_`` prefix records the key version it was made under."""
    new_key = "k2_" + "c" * 32
    with seeded() as session:
        issued = run_in_transaction(
            session,
            ledger.request_voucher,
            municipality_code="GM9901",
            employee_key=new_key,
            previous_keys=("k1_" + "d" * 32, "not valid!"),
            now=utcnow(),
            valid_days=365,
            actor="test",
        )
        assert issued.new
        stored = session.execute(select(Voucher.employee_key)).scalar_one()
    assert stored == new_key
