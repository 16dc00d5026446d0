"""Coordinator accounts: argon2 password hashes, roles, server-side sessions, and a login
lockout per client, per account and per account-from-one-client (docs/dashboard.md).

A login is three steps so that no database transaction is open during the argon2 work:
:func:`begin_login` reserves the attempt in the failure counters (one conditional UPDATE
per counter, so parallel requests cannot race past a limit), the caller verifies the
password (:func:`verify_password`, under the web app's global throttle), and
:func:`finish_login` either opens a session or leaves the failure counted.

The throttle's budget of argon2 checks per minute (:func:`take_argon2_budget`) is shared by
every web process through :mod:`bot.shared_state` when ``KOERS_REDIS_HOST`` is set (memory
while Redis is away), so adding processes does not add budget; the lockout counters are in
the database and shared anyway.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import and_, case, delete, literal, or_, select, update
from sqlalchemy.orm import Session

from bot.db.base import UTCDateTime
from bot.shared_state import SharedState, hashed_key
from bot.trends.events import UNKNOWN_MUNICIPALITY, clean_municipality
from bot.trends.models import (
    ROLE_MUNICIPAL,
    ROLE_PROGRAMME,
    ROLES,
    THROTTLE_ACCOUNT,
    THROTTLE_CLIENT,
    THROTTLE_PAIR,
    DashboardAccount,
    DashboardLoginThrottle,
    DashboardSession,
)

USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._@-]{2,79}$")
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256

_hasher = PasswordHasher()


@functools.cache
def dummy_hash() -> str:
    """Verified against when the user name is unknown, so both cases take the same time.

    Made on the first login, not at import: one argon2 hash holds 64 MiB while it runs, which
    every process importing this module (the web app at start) would otherwise pay.
    """
    return _hasher.hash("koers-dummy-password-for-timing")


#: Failures are counted within this window from the first one (and until a lockout passes).
FAILURE_WINDOW = timedelta(hours=1)

# Reasons for a refused login (the web page turns each into one Dutch sentence).
BAD_CREDENTIALS = "bad_credentials"
LOCKED = "locked"
BUSY = "busy"


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
    token: str | None = None  # the new session's token, only for the cookie


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
    """Disables (or enables) an account; every session of it ends at once (rows deleted)."""
    account = _account(session, username)
    account.active = active
    account.session_version += 1
    end_all_sessions(session, account_id=account.id)
    return _coordinator(account)


def set_password(session: Session, *, username: str, password: str) -> Coordinator:
    """A new password ends every session of the account, wherever it was opened."""
    check_password_rules(password)
    account = _account(session, username)
    account.password_hash = _hasher.hash(password)
    account.session_version += 1
    end_all_sessions(session, account_id=account.id)
    return _coordinator(account)


def list_accounts(session: Session) -> list[DashboardAccount]:
    return list(
        session.execute(select(DashboardAccount).order_by(DashboardAccount.username)).scalars()
    )


# --- Sessions (held server-side; the cookie carries only a random token) ----------------------


def token_hash(token: str) -> str:
    """What the table stores: a stolen database gives no usable session token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, *, account_id: int, now: datetime, minutes: int) -> str:
    """A new session for an account; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    session.add(
        DashboardSession(
            token_hash=token_hash(token),
            account_id=account_id,
            created_at=now,
            expires_at=now + timedelta(minutes=max(1, minutes)),
        )
    )
    session.flush()
    return token


def session_coordinator(session: Session, *, token: object, now: datetime) -> Coordinator | None:
    """The coordinator behind a session token, if its row exists, is current and active."""
    if not isinstance(token, str) or not 16 <= len(token) <= 128:
        return None
    row = session.execute(
        select(DashboardAccount)
        .join(DashboardSession, DashboardSession.account_id == DashboardAccount.id)
        .where(DashboardSession.token_hash == token_hash(token), DashboardSession.expires_at > now)
    ).scalar_one_or_none()
    if row is None or not row.active:
        return None
    return _coordinator(row)


def end_session(session: Session, *, token: object) -> int:
    """Logout: the row goes, so the same cookie replayed later is a stranger's cookie."""
    if not isinstance(token, str):
        return 0
    result = session.execute(
        delete(DashboardSession).where(DashboardSession.token_hash == token_hash(token))
    )
    return int(result.rowcount or 0)


def end_all_sessions(session: Session, *, account_id: int) -> int:
    result = session.execute(
        delete(DashboardSession).where(DashboardSession.account_id == account_id)
    )
    return int(result.rowcount or 0)


def purge_expired_sessions(session: Session, *, now: datetime) -> int:
    """Housekeeping: expired session rows (they no longer work anyway)."""
    result = session.execute(delete(DashboardSession).where(DashboardSession.expires_at <= now))
    return int(result.rowcount or 0)


# --- Login: counters per client, account and account-from-one-client ------------------------


def _verify(hash_value: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_value, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def verify_password(hash_value: str, password: str) -> bool:
    """The argon2 check (CPU-heavy): the web app runs it in a thread under its throttle."""
    return _verify(hash_value, password)


#: The budget of argon2 checks is counted over this sliding window.
ARGON2_BUDGET_WINDOW_SECONDS = 60.0


async def take_argon2_budget(store: SharedState, secret: str, per_minute: int) -> bool:
    """One password check from this minute's budget of all web processes; False when used up.

    Wall clock: the processes share one window."""
    key = hashed_key(secret, "dashboard-argon2", "budget")
    return await store.count_tries(
        [key], max(1, per_minute), ARGON2_BUDGET_WINDOW_SECONDS, time.time()
    )


@dataclass(frozen=True)
class LoginLimits:
    """How many failures each counter allows before it locks, and for how long."""

    pair_max: int  # one account from one client (KOERS_DASHBOARD_MAX_FAILURES)
    client_max: int  # one client, any user names
    account_max: int  # one account from all clients; then only clients without failures
    lockout: timedelta


@dataclass(frozen=True)
class AttemptKeys:
    """Keyed hashes that identify the counters of one attempt (no address, no name)."""

    client: str
    account: str
    pair: str


def attempt_keys(secret: bytes, username: str, client: str) -> AttemptKeys:
    """HMAC-SHA256 under a server secret: the table cannot be reversed by trying addresses."""

    def keyed(label: str) -> str:
        return hmac.new(secret, label.encode("utf-8"), hashlib.sha256).hexdigest()

    return AttemptKeys(
        client=keyed(f"client\0{client}"),
        account=keyed(f"account\0{username}"),
        pair=keyed(f"pair\0{username}\0{client}"),
    )


@dataclass(frozen=True)
class Reservation:
    """The outcome of :func:`begin_login`: may the password be checked, and against what."""

    allowed: bool
    keys: AttemptKeys
    reserved: tuple[str, ...]  # the counters this attempt raised (undone on success)
    hash_value: str = field(default_factory=dummy_hash)
    account_id: int | None = None
    reason: str | None = None
    lock_reached: bool = False  # this attempt used the last try of a counter


def _insert_if_missing(session: Session, scope: str, key: str, now: datetime) -> None:
    values = dict(scope=scope, key_hash=key, failures=0, first_failure_at=now, locked_until=None)
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(DashboardLoginThrottle).values(**values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(
            sqlite_insert(DashboardLoginThrottle).values(**values).on_conflict_do_nothing()
        )
    elif session.get(DashboardLoginThrottle, (scope, key)) is None:
        session.add(DashboardLoginThrottle(**values))
        session.flush()


def _reserve(
    session: Session, scope: str, key: str, *, limit: int, now: datetime, lockout: timedelta
) -> int | None:
    """Raises one counter by one in a single conditional UPDATE; None when it is locked.

    The WHERE clause holds the limit, so the database itself refuses the (limit + 1)th
    concurrent attempt: PostgreSQL re-checks it on the locked row, SQLite runs every write
    transaction alone (BEGIN IMMEDIATE, bot/db/engine.py). Returns the count after this attempt.
    """
    _insert_if_missing(session, scope, key, now)
    table = DashboardLoginThrottle
    at = literal(now, UTCDateTime())
    stale = or_(
        and_(table.locked_until.isnot(None), table.locked_until <= at),
        table.first_failure_at < literal(now - FAILURE_WINDOW, UTCDateTime()),
    )
    raised = case((stale, 1), else_=table.failures + 1)
    result = session.execute(
        update(table)
        .where(table.scope == scope, table.key_hash == key, or_(stale, table.failures < limit))
        .values(
            failures=raised,
            first_failure_at=case((stale, at), else_=table.first_failure_at),
            locked_until=case((raised >= limit, literal(now + lockout, UTCDateTime())), else_=None),
        )
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return None
    return int(
        session.execute(
            select(table.failures).where(table.scope == scope, table.key_hash == key)
        ).scalar_one()
    )


def _key_of(keys: AttemptKeys, scope: str) -> str:
    return {THROTTLE_CLIENT: keys.client, THROTTLE_ACCOUNT: keys.account, THROTTLE_PAIR: keys.pair}[
        scope
    ]


def begin_login(
    session: Session,
    *,
    username: object,
    password: object,
    secret: bytes,
    client: str,
    now: datetime,
    limits: LoginLimits,
) -> Reservation:
    """Counts the attempt before the password is checked, and says whether it may be.

    ``secret`` is the HMAC key for :func:`attempt_keys`. Unknown and known user
    names go through the same counters and the same work, so nothing tells which exist.
    Rules: a client that failed ``client_max`` times is locked for every name; an account
    from one client after ``pair_max``; an account from all clients after ``account_max``,
    but then only for clients that failed on it before (a coordinator's own client that
    never failed may still log in: a stranger cannot lock them out).
    """
    name = normalize_username(username)
    keys = attempt_keys(secret, name or "", client)
    client_count = _reserve(
        session,
        THROTTLE_CLIENT,
        keys.client,
        limit=limits.client_max,
        now=now,
        lockout=limits.lockout,
    )
    if client_count is None:
        return Reservation(False, keys, (), reason=LOCKED)
    reserved: list[str] = [THROTTLE_CLIENT]
    password_ok = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD_LENGTH
    if name is None or not password_ok:
        # A malformed attempt: refused without argon2 work (the rules are public anyway).
        return Reservation(
            False,
            keys,
            tuple(reserved),
            reason=BAD_CREDENTIALS,
            lock_reached=client_count >= limits.client_max,
        )
    pair_count = _reserve(
        session, THROTTLE_PAIR, keys.pair, limit=limits.pair_max, now=now, lockout=limits.lockout
    )
    if pair_count is None:
        return Reservation(False, keys, tuple(reserved), reason=LOCKED)
    reserved.append(THROTTLE_PAIR)
    account_count = _reserve(
        session,
        THROTTLE_ACCOUNT,
        keys.account,
        limit=limits.account_max,
        now=now,
        lockout=limits.lockout,
    )
    if account_count is not None:
        reserved.append(THROTTLE_ACCOUNT)
    elif pair_count > 1:
        # The account is under attack from many clients: only clients that have not failed
        # on it yet get a try (one each), so a coordinator's own client keeps working.
        return Reservation(False, keys, tuple(reserved), reason=LOCKED)
    account = session.execute(
        select(DashboardAccount.id, DashboardAccount.password_hash, DashboardAccount.active).where(
            DashboardAccount.username == name
        )
    ).first()
    usable = account is not None and bool(account.active)
    return Reservation(
        True,
        keys,
        tuple(reserved),
        hash_value=account.password_hash if account is not None else dummy_hash(),
        account_id=account.id if usable and account is not None else None,
        lock_reached=(
            pair_count >= limits.pair_max
            or client_count >= limits.client_max
            or (account_count is not None and account_count >= limits.account_max)
        ),
    )


def release(session: Session, *, reservation: Reservation, forget_pair: bool = False) -> None:
    """Takes back the counts of an attempt that was not a failure (success, or never checked).

    Each counter goes down by one and unlocks (it is below its limit again); after a success
    the account-from-this-client counter is forgotten ("failures in a row").
    """
    table = DashboardLoginThrottle
    for scope in reservation.reserved:
        key = _key_of(reservation.keys, scope)
        if scope == THROTTLE_PAIR and forget_pair:
            session.execute(delete(table).where(table.scope == scope, table.key_hash == key))
            continue
        session.execute(
            update(table)
            .where(table.scope == scope, table.key_hash == key, table.failures > 0)
            .values(failures=table.failures - 1, locked_until=None)
            .execution_options(synchronize_session=False)
        )


def finish_login(
    session: Session,
    *,
    reservation: Reservation,
    password_ok: bool,
    password: str,
    now: datetime,
    session_minutes: int,
) -> LoginResult:
    """After the check: a session for a good password on an active account, else the
    failure stays counted (it was counted in :func:`begin_login`)."""
    if not password_ok or reservation.account_id is None:
        return LoginResult(None, LOCKED if reservation.lock_reached else BAD_CREDENTIALS)
    account = session.get(DashboardAccount, reservation.account_id)
    if account is None or not account.active:
        return LoginResult(None, BAD_CREDENTIALS)
    release(session, reservation=reservation, forget_pair=True)
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    token = start_session(session, account_id=account.id, now=now, minutes=session_minutes)
    return LoginResult(_coordinator(account), token=token)


def forget_old_failures(session: Session, *, now: datetime, older_than: timedelta) -> int:
    """Housekeeping: failure counters that no longer lock anything."""
    table = DashboardLoginThrottle
    result = session.execute(
        delete(table).where(
            table.first_failure_at < now - older_than,
            (table.locked_until.is_(None)) | (table.locked_until < now),
        )
    )
    return int(result.rowcount or 0)
