"""Coordinator accounts: argon2 password hashes, roles, and a lockout after failed logins."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.trends.events import UNKNOWN_MUNICIPALITY, clean_municipality
from bot.trends.models import (
    ROLE_MUNICIPAL,
    ROLE_PROGRAMME,
    ROLES,
    DashboardAccount,
    DashboardLoginFailure,
)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,79}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()
#: Verified against when the user name is unknown, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("koers-dummy-password-for-timing")

# Reasons for a refused login (the web page turns each into one Dutch sentence).
BAD_CREDENTIALS = "bad_credentials"
LOCKED = "locked"


class AccountError(ValueError):
    """A refused account change; the message is Dutch and safe to print."""


@dataclass(frozen=True)
class Coordinator:
    """Who is logged in: enough to decide what they may see."""

    id: int
    username: str
    role: str
    municipality: str | None
    session_version: int

    @property
    def is_programme(self) -> bool:
        return self.role == ROLE_PROGRAMME


@dataclass(frozen=True)
class LoginResult:
    coordinator: Coordinator | None
    reason: str | None = None
    locked_until: datetime | None = None


def normalize_username(raw: object) -> str | None:
    if not isinstance(raw, str):
        return None
    candidate = raw.strip().lower()
    return candidate if USERNAME_PATTERN.match(candidate) else None


def _coordinator(account: DashboardAccount) -> Coordinator:
    return Coordinator(
        account.id, account.username, account.role, account.municipality, account.session_version
    )


def check_password_rules(password: str) -> None:
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise AccountError(
            f"Een wachtwoord heeft {MIN_PASSWORD_LENGTH} tot {MAX_PASSWORD_LENGTH} tekens."
        )


def create_account(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    municipality: str | None = None,
    now: datetime,
) -> Coordinator:
    name = normalize_username(username)
    if name is None:
        raise AccountError("Een gebruikersnaam heeft 3 tot 80 tekens: a-z, 0-9, . _ @ -.")
    if role not in ROLES:
        raise AccountError("De rol is 'municipal' (gemeente) of 'programme' (programma).")
    code: str | None = None
    if role == ROLE_MUNICIPAL:
        code = clean_municipality(municipality)
        if code == UNKNOWN_MUNICIPALITY:
            raise AccountError("Een gemeentelijke coördinator hoort bij één gemeentecode.")
    check_password_rules(password)
    if session.execute(
        select(DashboardAccount.id).where(DashboardAccount.username == name)
    ).first():
        raise AccountError("Deze gebruikersnaam bestaat al.")
    account = DashboardAccount(
        username=name,
        password_hash=_hasher.hash(password),
        role=role,
        municipality=code,
        active=True,
        created_at=now,
        session_version=1,
    )
    session.add(account)
    session.flush()
    return _coordinator(account)


def _account(session: Session, username: str) -> DashboardAccount:
    name = normalize_username(username)
    account = None
    if name is not None:
        account = session.execute(
            select(DashboardAccount).where(DashboardAccount.username == name)
        ).scalar_one_or_none()
    if account is None:
        raise AccountError("Dit account bestaat niet.")
    return account


def set_active(session: Session, *, username: str, active: bool) -> Coordinator:
    """Disables (or enables) an account; a disabled account's sessions end at once."""
    account = _account(session, username)
    account.active = active
    account.session_version += 1
    return _coordinator(account)


def set_password(session: Session, *, username: str, password: str) -> Coordinator:
    check_password_rules(password)
    account = _account(session, username)
    account.password_hash = _hasher.hash(password)
    account.session_version += 1
    return _coordinator(account)


def list_accounts(session: Session) -> list[DashboardAccount]:
    return list(
        session.execute(select(DashboardAccount).order_by(DashboardAccount.username)).scalars()
    )


def current_coordinator(session: Session, account_id: int, version: int) -> Coordinator | None:
    """The account behind a session cookie, if it is still active and the cookie current."""
    account = session.get(DashboardAccount, account_id)
    if account is None or not account.active or account.session_version != version:
        return None
    return _coordinator(account)


def _verify(hash_value: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_value, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def authenticate(
    session: Session,
    *,
    username: object,
    password: object,
    now: datetime,
    max_failures: int,
    lockout: timedelta,
) -> LoginResult:
    """Checks a login; after ``max_failures`` failures in a row the name is locked a while.

    Unknown and known user names behave the same (same messages, same lockout, same work),
    so the login page does not tell which accounts exist.
    """
    name = normalize_username(username)
    secret = password if isinstance(password, str) else ""
    if name is None or not secret or len(secret) > MAX_PASSWORD_LENGTH:
        _verify(_DUMMY_HASH, "x")
        return LoginResult(None, BAD_CREDENTIALS)
    failure = session.get(DashboardLoginFailure, name)
    if failure is not None and failure.locked_until is not None and failure.locked_until > now:
        return LoginResult(None, LOCKED, failure.locked_until)
    account = session.execute(
        select(DashboardAccount).where(DashboardAccount.username == name)
    ).scalar_one_or_none()
    ok = _verify(account.password_hash if account else _DUMMY_HASH, secret)
    if ok and account is not None and account.active:
        if failure is not None:
            session.delete(failure)
        if _hasher.check_needs_rehash(account.password_hash):
            account.password_hash = _hasher.hash(secret)
        return LoginResult(_coordinator(account))
    if failure is None:
        failure = DashboardLoginFailure(username=name, failures=0, first_failure_at=now)
        session.add(failure)
    if failure.locked_until is not None and failure.locked_until <= now:
        failure.failures = 0  # an earlier lockout has passed: count afresh
        failure.locked_until = None
        failure.first_failure_at = now
    failure.failures += 1
    if failure.failures >= max_failures:
        failure.locked_until = now + lockout
        return LoginResult(None, LOCKED, failure.locked_until)
    return LoginResult(None, BAD_CREDENTIALS)


def forget_old_failures(session: Session, *, now: datetime, older_than: timedelta) -> int:
    """Housekeeping: failure counters of names that are no longer locked."""
    result = session.execute(
        delete(DashboardLoginFailure).where(
            DashboardLoginFailure.first_failure_at < now - older_than,
            (DashboardLoginFailure.locked_until.is_(None))
            | (DashboardLoginFailure.locked_until < now),
        )
    )
    return int(result.rowcount or 0)
