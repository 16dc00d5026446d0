"""Issuing, looking up and redeeming vouchers.

Like :mod:`bot.ledger.booking` these functions run inside the caller's transaction and do
not commit. The budget is reserved with a conditional update that the database also guards
with a CHECK (committed <= budget); the municipality row is locked first (``FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so one employee asking twice at the same moment
gets one voucher, and a partial unique index makes that a database rule as well.
Redemption is one conditional update from ``issued`` to ``redeemed``: only one can win.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.ledger import audit
from bot.ledger.catalog import (
    VOUCHER_CANCELLED,
    VOUCHER_EXPIRED,
    VOUCHER_ISSUED,
    VOUCHER_PURPOSE_ANY,
    VOUCHER_REDEEMED,
    VOUCHER_RESERVED,
)
from bot.ledger.codes import CodeProblem, check_code, new_code
from bot.ledger.models import Municipality, Voucher
from bot.trends.events import VOUCHER_REDEEMED as VOUCHER_REDEEMED_EVENT
from bot.trends.recorder import add_trend_event

# Reasons of VoucherError.
MUNICIPALITY_UNKNOWN = "municipality_unknown"
NOT_PARTICIPATING = "not_participating"
BUDGET_EXHAUSTED = "budget_exhausted"
BAD_EMPLOYEE_KEY = "bad_employee_key"
CODE_MALFORMED = "code_malformed"
CODE_TYPO = "code_typo"
VOUCHER_UNKNOWN = "voucher_unknown"
VOUCHER_IS_EXPIRED = "voucher_expired"
VOUCHER_IS_CANCELLED = "voucher_cancelled"
REDEEMED_BY_OTHER = "redeemed_by_other"
#: Held by a workshop sign-up (bot.ledger.signups): only that workshop's attendance redeems it.
VOUCHER_IS_RESERVED = "voucher_reserved"
BAD_REFERENCE = "bad_reference"

MAX_REFERENCE_LENGTH = 100
_KEY_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-_.:=+/")


class VoucherError(Exception):
    """An expected refusal; nothing was changed."""

    def __init__(self, reason: str, check_problem: CodeProblem | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.check_problem = check_problem


@dataclass(frozen=True)
class VoucherView:
    voucher_id: int
    code: str
    #: The status as it is now: an issued voucher past its expiry shows as expired.
    status: str
    value_cents: int
    purpose: str
    issued_at: datetime
    expires_at: datetime
    redeemed_at: datetime | None
    redeemed_by_provider_id: int | None
    redeemed_by_name: str | None
    redeemed_reference: str | None
    municipality_name: str
    programme_year: int


@dataclass(frozen=True)
class IssueResult:
    voucher: VoucherView
    #: False when the employee already had this year's voucher (the same one is shown).
    new: bool


@dataclass(frozen=True)
class RedeemResult:
    voucher: VoucherView
    #: False for a repeated request of the same provider (same answer, no change).
    first_time: bool


def effective_status(status: str, expires_at: datetime, now: datetime) -> str:
    """An issued voucher past its expiry is expired, even before housekeeping marks it."""
    if status == VOUCHER_ISSUED and expires_at <= now:
        return VOUCHER_EXPIRED
    return status


def view_of(voucher: Voucher, now: datetime) -> VoucherView:
    return VoucherView(
        voucher_id=voucher.id,
        code=voucher.code,
        status=effective_status(voucher.status, voucher.expires_at, now),
        value_cents=voucher.value_cents,
        purpose=voucher.purpose,
        issued_at=voucher.issued_at,
        expires_at=voucher.expires_at,
        redeemed_at=voucher.redeemed_at,
        redeemed_by_provider_id=voucher.redeemed_by_provider_id,
        redeemed_by_name=voucher.redeemed_by.name if voucher.redeemed_by else None,
        redeemed_reference=voucher.redeemed_reference,
        municipality_name=voucher.municipality.name,
        programme_year=voucher.programme_year,
    )


def is_valid_employee_key(key: object) -> bool:
    """Pseudonymous keys from the signed token: 8-128 plain characters, no spaces."""
    return (
        isinstance(key, str)
        and 8 <= len(key) <= 128
        and all(char in _KEY_CHARACTERS for char in key)
    )


def _new_voucher_code(session: Session) -> str:
    for _ in range(5):
        code = new_code("voucher")
        if session.execute(select(Voucher.id).where(Voucher.code == code)).first() is None:
            return code
    raise RuntimeError("could not find a free voucher code")  # pragma: no cover


def _lookup_keys(employee_key: str, previous_keys: Sequence[str]) -> tuple[str, ...]:
    """The current key first, then every valid earlier key (deduplicated, order kept)."""
    keys = [employee_key, *(key for key in previous_keys if is_valid_employee_key(key))]
    return tuple(dict.fromkeys(keys))


def _live_voucher(
    session: Session, municipality: Municipality, employee_keys: Sequence[str]
) -> Voucher | None:
    """This year's voucher under any of the employee's keys (current key first).

    One employee has one voucher per year across pseudonym-key rotation: a voucher stored
    under the previous key version is found by its previous key and shown, not issued again.
    """
    found = list(
        session.execute(
            select(Voucher)
            .where(
                Voucher.municipality_id == municipality.id,
                Voucher.employee_key.in_(list(employee_keys)),
                Voucher.programme_year == municipality.programme_year,
                Voucher.status != VOUCHER_CANCELLED,
            )
            .order_by(Voucher.issued_at, Voucher.id)
        ).scalars()
    )
    if not found:
        return None
    order = {key: index for index, key in enumerate(employee_keys)}
    return min(found, key=lambda voucher: order.get(voucher.employee_key, len(order)))


def request_voucher(
    session: Session,
    *,
    municipality_code: str,
    employee_key: str,
    now: datetime,
    valid_days: int,
    actor: str,
    previous_keys: Sequence[str] = (),
) -> IssueResult:
    """This year's voucher of the employee: the existing one, or a new one within budget.

    ``employee_key`` is the key under the current pseudonym key (``k<version>_...``, so the
    stored key records its version); ``previous_keys`` are the same employee's keys under
    earlier key versions. The one-per-year check looks under all of them; a new voucher is
    stored under ``employee_key``.
    """
    if not is_valid_employee_key(employee_key):
        raise VoucherError(BAD_EMPLOYEE_KEY)
    keys = _lookup_keys(employee_key, previous_keys)
    municipality = session.execute(
        select(Municipality)
        .where(Municipality.code == (municipality_code or "").strip().upper())
        .with_for_update()
    ).scalar_one_or_none()
    if municipality is None:
        raise VoucherError(MUNICIPALITY_UNKNOWN)
    existing = _live_voucher(session, municipality, keys)
    if existing is not None:
        return IssueResult(view_of(existing, now), new=False)
    if not municipality.participating:
        raise VoucherError(NOT_PARTICIPATING)
    value = municipality.voucher_value_cents
    reserved = session.execute(
        update(Municipality)
        .where(
            Municipality.id == municipality.id,
            Municipality.budget_committed_cents + value <= Municipality.voucher_budget_cents,
        )
        .values(budget_committed_cents=Municipality.budget_committed_cents + value)
        .execution_options(synchronize_session=False)
    )
    if reserved.rowcount != 1:
        raise VoucherError(BUDGET_EXHAUSTED)
    voucher = Voucher(
        code=_new_voucher_code(session),
        municipality_id=municipality.id,
        employee_key=employee_key,
        programme_year=municipality.programme_year,
        value_cents=value,
        purpose=VOUCHER_PURPOSE_ANY,
        status=VOUCHER_ISSUED,
        issued_at=now,
        expires_at=now + timedelta(days=valid_days),
        status_changed_at=now,
    )
    session.add(voucher)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="voucher.issued",
        entity_type="voucher",
        entity_id=voucher.id,
        details={"municipality": municipality.code, "value_cents": value},
        at=now,
    )
    return IssueResult(view_of(voucher, now), new=True)


def employee_voucher(
    session: Session,
    *,
    municipality_code: str,
    employee_key: str,
    now: datetime,
    previous_keys: Sequence[str] = (),
) -> VoucherView | None:
    """This programme year's voucher of the employee under any of their keys, if any.

    For "wat is de status van mijn voucher?": the only way an employee sees a voucher (and
    its code) in the chat is through their own verified identity.
    """
    if not is_valid_employee_key(employee_key):
        return None
    municipality = session.execute(
        select(Municipality).where(Municipality.code == (municipality_code or "").strip().upper())
    ).scalar_one_or_none()
    if municipality is None:
        return None
    voucher = _live_voucher(session, municipality, _lookup_keys(employee_key, previous_keys))
    return view_of(voucher, now) if voucher else None


def _checked_code(raw_code: str) -> str:
    check = check_code(raw_code, "voucher")
    if check.problem is CodeProblem.CHECK_MISMATCH:
        raise VoucherError(CODE_TYPO, check.problem)
    if not check.ok:
        raise VoucherError(CODE_MALFORMED, check.problem)
    return check.normalized


def _by_code(session: Session, code: str) -> Voucher:
    voucher = session.execute(
        select(Voucher).where(Voucher.code == code).execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if voucher is None:
        raise VoucherError(VOUCHER_UNKNOWN)
    return voucher


def voucher_status(session: Session, raw_code: str, now: datetime) -> VoucherView:
    """Looks a voucher up by code; a wrong check character is reported as a typo.

    For the provider API only (a provider holds the code and an API key). The chat never
    looks a typed code up: an employee sees their own voucher through their identity.
    """
    return view_of(_by_code(session, _checked_code(raw_code)), now)


def redeem_voucher(
    session: Session,
    *,
    raw_code: str,
    provider_id: int,
    now: datetime,
    reference: str | None = None,
) -> RedeemResult:
    """Redeems a voucher for a provider; asking again gives the same answer.

    Refused (VoucherError) when the code is malformed, unknown, expired, cancelled, or
    redeemed by another provider; nothing changes then.
    """
    code = _checked_code(raw_code)
    if reference is not None and (
        not isinstance(reference, str) or len(reference) > MAX_REFERENCE_LENGTH
    ):
        raise VoucherError(BAD_REFERENCE)
    changed = session.execute(
        update(Voucher)
        .where(Voucher.code == code, Voucher.status == VOUCHER_ISSUED, Voucher.expires_at > now)
        .values(
            status=VOUCHER_REDEEMED,
            redeemed_at=now,
            redeemed_by_provider_id=provider_id,
            redeemed_reference=reference,
            status_changed_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    voucher = _by_code(session, code)
    if changed.rowcount == 1:
        session.refresh(voucher)
        audit.record(
            session,
            actor=f"provider:{provider_id}",
            action="voucher.redeemed",
            entity_type="voucher",
            entity_id=voucher.id,
            details={"provider_id": provider_id, "reference": reference},
            at=now,
        )
        # Counted for the dashboard in the same transaction (no id, no provider, no code).
        add_trend_event(
            session,
            event_type=VOUCHER_REDEEMED_EVENT,
            municipality=voucher.municipality.code,
            now=now,
        )
        return RedeemResult(view_of(voucher, now), first_time=True)
    status = effective_status(voucher.status, voucher.expires_at, now)
    if status == VOUCHER_REDEEMED:
        if voucher.redeemed_by_provider_id == provider_id:
            return RedeemResult(view_of(voucher, now), first_time=False)
        raise VoucherError(REDEEMED_BY_OTHER)
    if status == VOUCHER_CANCELLED:
        raise VoucherError(VOUCHER_IS_CANCELLED)
    if status == VOUCHER_RESERVED:
        raise VoucherError(VOUCHER_IS_RESERVED)
    raise VoucherError(VOUCHER_IS_EXPIRED)


def cancel_voucher(session: Session, *, raw_code: str, now: datetime, actor: str) -> VoucherView:
    """Withdraws an unused voucher and gives its value back to the municipality's budget."""
    voucher = _by_code(session, _checked_code(raw_code))
    changed = session.execute(
        update(Voucher)
        .where(Voucher.id == voucher.id, Voucher.status.in_((VOUCHER_ISSUED, VOUCHER_EXPIRED)))
        .values(status=VOUCHER_CANCELLED, status_changed_at=now)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        if voucher.status == VOUCHER_RESERVED:
            raise VoucherError(VOUCHER_IS_RESERVED)
        redeemed = voucher.status == VOUCHER_REDEEMED
        raise VoucherError(REDEEMED_BY_OTHER if redeemed else VOUCHER_IS_CANCELLED)
    session.execute(
        update(Municipality)
        .where(Municipality.id == voucher.municipality_id)
        .values(budget_committed_cents=Municipality.budget_committed_cents - voucher.value_cents)
        .execution_options(synchronize_session=False)
    )
    session.refresh(voucher)
    audit.record(
        session,
        actor=actor,
        action="voucher.cancelled",
        entity_type="voucher",
        entity_id=voucher.id,
        at=now,
    )
    return view_of(voucher, now)


def expire_due(session: Session, now: datetime, *, actor: str = "housekeeping") -> int:
    """Marks issued vouchers past their expiry as expired (each one audited)."""
    due = list(
        session.execute(
            select(Voucher.id).where(Voucher.status == VOUCHER_ISSUED, Voucher.expires_at <= now)
        ).scalars()
    )
    for voucher_id in due:
        changed = session.execute(
            update(Voucher)
            .where(Voucher.id == voucher_id, Voucher.status == VOUCHER_ISSUED)
            .values(status=VOUCHER_EXPIRED, status_changed_at=now)
            .execution_options(synchronize_session=False)
        )
        if changed.rowcount == 1:
            audit.record(
                session,
                actor=actor,
                action="voucher.expired",
                entity_type="voucher",
                entity_id=voucher_id,
                at=now,
            )
    return len(due)
