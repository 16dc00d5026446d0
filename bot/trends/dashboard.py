"""The dashboard's logic without the web: filters, pages, CSV, login limits, housekeeping.

The aiohttp side (cookies, CSRF, handlers) is ``bot/web/routes/dashboard.py``; what is here
can be tested without a server.

- Only completed ISO weeks are shown, never the running week, so one action in the running
  week changes no number on any page.
- Roles: a municipal coordinator sees only their own municipality (also not via the URL or
  the export); a programme coordinator sees all, per municipality and in total.
- Every figure comes from :mod:`bot.trends.views` (k-anonymous); CSV has the same figures.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
import io
import ipaddress
import os
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from datetime import time as day_time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.config import VAR_DIR, Settings
from bot.db.engine import run_in_transaction
from bot.shared_state import SharedState
from bot.trends import accounts, store
from bot.trends.suppression import Figure, effective_threshold
from bot.trends.views import PAGES, Page, Selection, build_page, csv_rows, municipality_label
from bot.trends.weeks import parse_week, shift, week_start, weeks_between

SESSION_KEY_FILE = VAR_DIR / "dashboard_session.key"
DEFAULT_WEEKS = 12
MAX_WEEKS = 104
ALL = "alle"

MESSAGES = {
    "bad_credentials": "Dat klopt niet. Controleer je gebruikersnaam en wachtwoord.",
    "locked": (
        "Te vaak een verkeerd wachtwoord. Inloggen is vanaf dit apparaat even geblokkeerd. "
        "Probeer het over {minutes} minuten opnieuw."
    ),
    "busy": (
        "Er wordt nu heel vaak geprobeerd in te loggen. Wacht een minuut en probeer het "
        "dan opnieuw."
    ),
    "csrf": (
        "Dit formulier is verlopen of niet van deze site. Laad de pagina opnieuw en "
        "probeer het nog eens."
    ),
    "bad_week": "Kies een geldige week, bijvoorbeeld 2026-W07.",
    "week_order": "De eerste week moet voor de laatste week liggen.",
    "too_long": f"Kies een periode van hoogstens {MAX_WEEKS} weken.",
    "future": "Die week is nog niet geweest. Kies een week tot en met vorige week.",
    "running_week": (
        "Deze week loopt nog. Het dashboard toont alleen afgelopen weken; de lopende week "
        "verschijnt zodra hij voorbij is. Kies een week tot en met vorige week."
    ),
    "unknown_municipality": "Deze gemeente kennen we niet. Kies een gemeente uit de lijst.",
    "not_your_municipality": "Je mag alleen de cijfers van je eigen gemeente zien.",
    "not_found": "Deze pagina bestaat niet.",
    "error": "Er ging iets mis. Probeer het later nog eens.",
}


# --- Keys, cookies and login limits ---------------------------------------------------------


def session_key(settings: Settings, key_file: Path = SESSION_KEY_FILE) -> bytes:
    """The Fernet key for session cookies: from the setting, or a local one kept in var/."""
    configured = settings.dashboard_session_key.strip()
    if configured:
        try:
            Fernet(configured.encode())
        except ValueError as exc:
            raise ValueError(
                "KOERS_DASHBOARD_SESSION_KEY must be a Fernet key (32 bytes, url-safe base64); "
                "make one with: python -m bot.trends.cli session-key"
            ) from exc
        return configured.encode()
    if key_file.exists() and key_file.stat().st_size > 0:
        return key_file.read_bytes().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = Fernet.generate_key()
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(key)
    return key


def wants_secure_cookie(
    mode: str,
    scheme: str,
    peer: str | None,
    forwarded_proto: str | None,
    trusted_proxies: tuple[str, ...],
) -> bool:
    """Whether the session cookie gets the Secure flag for this request (pure)."""
    if mode in {"true", "1", "yes", "ja", "on"}:
        return True
    if mode in {"false", "0", "no", "nee", "off"}:
        return False
    if scheme == "https":
        return True
    if peer is not None and peer in trusted_proxies and forwarded_proto:
        return forwarded_proto.split(",")[0].strip().lower() == "https"
    return False


def throttle_secret(key: bytes) -> bytes:
    """The HMAC key for the login counters, derived from the session key (never stored)."""
    return hmac.new(key, b"koers-dashboard-login-throttle", hashlib.sha256).digest()


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """The client's address for the lockout (pure; never stored or logged as such).

    ``X-Forwarded-For`` counts only when the peer is a trusted proxy (as for the Secure
    flag); then the right-most hop that is not a trusted proxy is the client, because only
    what our own proxies appended can be believed. Anything else is the peer itself.
    """
    own = peer or "unknown"
    if peer is None or peer not in trusted or not forwarded_for:
        return own
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if hop in trusted:
            continue
        try:
            return str(ipaddress.ip_address(hop))
        except ValueError:
            return own
    return own


class LoginThrottle:
    """A global bound on argon2 work in this process: at most ``concurrency`` password checks
    at once and ``per_minute`` a minute, so parallel wrong passwords cannot exhaust the CPU.

    Only checks that passed the lockouts count, so one stranger (locked after a few
    tries) cannot use up the minute's budget alone.
    """

    def __init__(
        self, concurrency: int, per_minute: int, store: SharedState | None = None, secret: str = ""
    ) -> None:
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._per_minute = max(1, per_minute)
        self._store, self._secret = store, secret  # the minute's budget for all processes
        self._recent: deque[float] = deque()
        self.active = 0
        self.peak = 0

    async def admit(self) -> bool:
        """Takes one check from this minute's budget; False when it is used up."""
        if self._store is not None:
            return await accounts.take_argon2_budget(self._store, self._secret, self._per_minute)
        now = time.monotonic()
        while self._recent and now - self._recent[0] >= 60:
            self._recent.popleft()
        if len(self._recent) >= self._per_minute:
            return False
        self._recent.append(now)
        return True

    async def verify(self, hash_value: str, password: str) -> bool:
        async with self._semaphore:
            self.active += 1
            self.peak = max(self.peak, self.active)
            try:
                return await asyncio.to_thread(accounts.verify_password, hash_value, password)
            finally:
                self.active -= 1


def visible_threshold(settings: Settings) -> int:
    """The smallest group the dashboard shows (never below 3)."""
    return effective_threshold(settings.trends_min_count)


def login_limits(settings: Settings) -> accounts.LoginLimits:
    pair_max = max(1, settings.dashboard_max_failures)
    return accounts.LoginLimits(
        pair_max=pair_max,
        client_max=max(pair_max, settings.dashboard_client_max_failures),
        account_max=max(pair_max, settings.dashboard_account_max_failures),
        lockout=timedelta(minutes=max(1, settings.dashboard_lockout_minutes)),
    )


# --- Pages and export -----------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    municipality: str  # ALL or a code
    first_week: str
    last_week: str


@dataclass(frozen=True)
class PageResult:
    page: Page | None
    error: str | None
    status: int
    filters: Filters
    options: tuple[tuple[str, str], ...]


def last_completed_week(now_week: str) -> str:
    """The newest week the dashboard shows: the one before the running week."""
    return shift(now_week, -1)


def default_period(now_week: str) -> tuple[str, str]:
    last = last_completed_week(now_week)
    return shift(last, -(DEFAULT_WEEKS - 1)), last


def parse_filters(
    query: Mapping[str, str], coordinator: accounts.Coordinator, now_week: str
) -> Filters | tuple[int, str]:
    """The filters from the URL, or (status, message key) when they cannot be used.

    ``now_week`` is the running week: it is never shown (one action in it could change a
    visible number), so the period ends at the latest with the week before.
    """
    default_first, default_last = default_period(now_week)
    raw_first, raw_last = query.get("van", "").strip(), query.get("tot", "").strip()
    first = parse_week(raw_first) if raw_first else default_first
    last = parse_week(raw_last) if raw_last else default_last
    if first is None or last is None:
        return 400, "bad_week"
    if week_start(first) > week_start(last):
        return 400, "week_order"
    if week_start(last) > week_start(now_week):
        return 400, "future"
    if last == now_week:
        return 400, "running_week"
    if len(weeks_between(first, last)) > MAX_WEEKS:
        return 400, "too_long"
    raw_municipality = query.get("gemeente", "").strip()
    if coordinator.is_programme:
        municipality = raw_municipality.upper() if raw_municipality else ALL
        if municipality.lower() == ALL:
            municipality = ALL
    else:
        own = coordinator.municipality or ""
        if raw_municipality and raw_municipality.upper() != own:
            return 403, "not_your_municipality"
        municipality = own
    return Filters(municipality, first, last)


def compute_page(
    session: Session,
    *,
    slug: str,
    coordinator: accounts.Coordinator,
    query: Mapping[str, str],
    k: int,
    now_week: str,
) -> PageResult:
    names = store.known_municipalities(session)
    if coordinator.is_programme:
        # Only municipalities with data in completed weeks: a first conversation from a new
        # municipality in the running week must not show up as a new option either.
        codes = sorted(set(names) | store.municipalities_with_trends(session, before=now_week))
        options = (
            (ALL, "Alle gemeenten"),
            *((code, municipality_label(code, names)) for code in codes),
        )
    else:
        own = coordinator.municipality or ""
        codes = [own]
        options = ((own, f"{names.get(own, own)} ({own})"),)
    parsed = parse_filters(query, coordinator, now_week)
    fallback = Filters(options[0][0], *default_period(now_week))
    if isinstance(parsed, tuple):
        status, key = parsed
        return PageResult(None, key, status, fallback, options)
    if parsed.municipality != ALL and parsed.municipality not in codes:
        return PageResult(None, "unknown_municipality", 400, fallback, options)
    scope = tuple(codes) if parsed.municipality == ALL else (parsed.municipality,)
    weeks = tuple(weeks_between(parsed.first_week, parsed.last_week))
    if now_week in weeks:  # parse_filters refuses it; this keeps the rule in one more place
        raise ValueError("the running week is never shown")
    cells = store.load_cells(session, scope, weeks)
    budgets = (
        store.budget_lines(session, scope, k, as_of=week_begins_at(now_week))
        if slug == "overzicht"
        else []
    )
    page = build_page(slug, cells, k, Selection(scope, weeks), names, budgets)
    return PageResult(page, None, 200, parsed, options)


def week_begins_at(week: str) -> datetime:
    """Monday 00:00 local time of a week, in UTC: the end of the last completed week."""
    return datetime.combine(week_start(week), day_time(0), tzinfo=LOCAL_TZ).astimezone(timezone.utc)


def chart_rows(table: Any) -> list[tuple[str, Figure]]:
    column = table.chart_column
    return [
        (label, values[column])
        for label, values in table.rows
        if isinstance(values[column], Figure)
    ]


def csv_document(page: Page, slug: str, filters: Filters, k: int) -> tuple[bytes, str]:
    """The page's figures as a CSV file for spreadsheets (BOM, semicolons) and its name."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([f"Koers dashboard: {PAGES[slug]}"])
    writer.writerow(
        [
            "Gemeente",
            filters.municipality,
            "Van",
            filters.first_week,
            "Tot en met",
            filters.last_week,
        ]
    )
    writer.writerow([f"Groepjes kleiner dan {k} staan er als '< {k}' en tellen niet mee."])
    writer.writerow([])
    for row in csv_rows(page, k):
        writer.writerow([csv_safe(cell) for cell in row])
    name = f"koers-{slug}-{filters.municipality}-{filters.first_week}-{filters.last_week}.csv"
    return ("\ufeff" + buffer.getvalue()).encode("utf-8"), name.lower()


def csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    if value and value[0] in "=+-@\t\r" and value != "-":
        return "'" + value
    return value


# --- Housekeeping ---------------------------------------------------------------------------


def housekeeping_once(factory: sessionmaker, settings: Settings) -> int:
    """Aggregates trend events past the retention horizon, forgets old login failures and
    deletes expired sessions; returns how many events were aggregated."""
    session = factory()
    try:
        moved = run_in_transaction(
            session, store.aggregate_old_events, retention_weeks=settings.trends_retention_weeks
        )
        run_in_transaction(
            session,
            accounts.forget_old_failures,
            now=utcnow(),
            older_than=accounts.FAILURE_WINDOW,
        )
        run_in_transaction(session, accounts.purge_expired_sessions, now=utcnow())
        return moved
    finally:
        session.close()
