"""The dashboard's logic without the web: filters, pages, CSV, login limits, housekeeping.

The aiohttp side (cookies, CSRF, handlers) is ``bot/web/routes/dashboard.py``; what is here
can be tested without a server.

- Only completed ISO weeks are shown, never the running week, so one action in the running
  week changes no number on any page. The same holds for months and quarters
  (:mod:`bot.trends.periods`): only completed ones. The dashboard opens on the last
  completed quarter, where a pilot's small weekly groups add up to figures.
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
from bot.trends import periods as pe
from bot.trends.suppression import Figure, effective_threshold
from bot.trends.views import PAGES, Page, Selection, build_page, csv_rows, municipality_label
from bot.trends.weeks import parse_week, shift, week_start, weeks_between

SESSION_KEY_FILE = VAR_DIR / "dashboard_session.key"
DEFAULT_WEEKS = 12
DEFAULT_MONTHS = 3
MAX_WEEKS = 104
MAX_MONTHS = 24
MAX_QUARTERS = 8
#: How many completed months / quarters the period lists offer (older ones by URL).
LISTED_PERIODS = {pe.KIND_MONTH: 36, pe.KIND_QUARTER: 12}
DEFAULT_KIND = pe.KIND_QUARTER
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
    "bad_kind": "Kies hoe je de cijfers wilt zien: per week, per maand of per kwartaal.",
    "bad_month": "Kies een geldige maand, bijvoorbeeld 2026-03.",
    "bad_quarter": "Kies een geldig kwartaal, bijvoorbeeld 2026-K1.",
    "period_order": "De eerste periode moet voor de laatste liggen.",
    "future_period": "Die periode is nog niet geweest. Kies een periode die al voorbij is.",
    "running_month": (
        "Deze maand loopt nog. Het dashboard toont alleen maanden die voorbij zijn; deze maand "
        "verschijnt zodra hij om is. Kies een eerdere maand."
    ),
    "running_quarter": (
        "Dit kwartaal loopt nog. Het dashboard toont alleen kwartalen die voorbij zijn; dit "
        "kwartaal verschijnt zodra het om is. Kies een eerder kwartaal."
    ),
    "too_many_months": f"Kies hoogstens {MAX_MONTHS} maanden.",
    "too_many_quarters": f"Kies hoogstens {MAX_QUARTERS} kwartalen.",
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
    first: str  # a week, month or quarter, by ``kind``
    last: str
    kind: str = pe.KIND_WEEK

    @property
    def first_week(self) -> str:
        return pe.weeks_in(self.kind, self.first)[0]

    @property
    def last_week(self) -> str:
        return pe.weeks_in(self.kind, self.last)[-1]

    @property
    def periods(self) -> tuple[str, ...]:
        return pe.periods_between(self.kind, self.first, self.last)


@dataclass(frozen=True)
class PageResult:
    page: Page | None
    error: str | None
    status: int
    filters: Filters
    options: tuple[tuple[str, str], ...]
    #: The completed periods of the chosen kind a list offers: (value, Dutch label).
    period_options: tuple[tuple[str, str], ...] = ()


def last_completed_week(now_week: str) -> str:
    """The newest week the dashboard shows: the one before the running week."""
    return shift(now_week, -1)


def default_period(now_week: str, kind: str = pe.KIND_WEEK) -> tuple[str, str]:
    """The period shown when none is asked for: the last 12 weeks, the last 3 completed
    months, or the last completed quarter."""
    if kind == pe.KIND_MONTH:
        last_month = pe.last_completed(pe.KIND_MONTH, now_week)
        return pe.shift_period(pe.KIND_MONTH, last_month, -(DEFAULT_MONTHS - 1)), last_month
    if kind == pe.KIND_QUARTER:
        quarter = pe.last_completed(pe.KIND_QUARTER, now_week)
        return quarter, quarter
    last = last_completed_week(now_week)
    return shift(last, -(DEFAULT_WEEKS - 1)), last


def period_kind(query: Mapping[str, str]) -> str | None:
    """The period kind asked for (``periode``), else guessed from ``van``/``tot`` (links made
    before months and quarters existed hold weeks); None for an unknown kind."""
    raw = query.get("periode", "").strip().lower()
    if raw:
        return raw if raw in pe.KINDS else None
    for name in ("van", "tot"):
        guessed = pe.looks_like(query.get(name, ""))
        if guessed is not None:
            return guessed
    return DEFAULT_KIND


def period_options(
    kind: str, now_week: str, chosen: tuple[str, ...] = ()
) -> tuple[tuple[str, str], ...]:
    """Completed months or quarters for the lists, newest first (and the chosen ones)."""
    if kind == pe.KIND_WEEK:
        return ()
    last = pe.last_completed(kind, now_week)
    values = [pe.shift_period(kind, last, -offset) for offset in range(LISTED_PERIODS[kind])]
    values = [value for value in values if pe.parse_period(kind, value)]
    for value in chosen:
        if value not in values:
            values.append(value)
    values.sort(key=lambda value: pe.weeks_in(kind, value)[0], reverse=True)
    return tuple((value, pe.label(kind, value)) for value in values)


def _parse_periods(query: Mapping[str, str], kind: str, now_week: str) -> tuple[str, str] | str:
    """The first and last period asked for, or the key of the message why not (a 400)."""
    if kind == pe.KIND_WEEK:
        return _parse_weeks(query, now_week)
    default_first, default_last = default_period(now_week, kind)
    raw_first, raw_last = query.get("van", "").strip(), query.get("tot", "").strip()
    first = pe.parse_period(kind, raw_first) if raw_first else default_first
    last = pe.parse_period(kind, raw_last) if raw_last else default_last
    if first is None or last is None:
        return "bad_month" if kind == pe.KIND_MONTH else "bad_quarter"
    if pe.is_before(kind, last, first):
        return "period_order"
    running = pe.running_period(kind, now_week)
    if pe.is_before(kind, running, last):
        return "future_period"
    if last == running:
        return "running_month" if kind == pe.KIND_MONTH else "running_quarter"
    most = MAX_MONTHS if kind == pe.KIND_MONTH else MAX_QUARTERS
    if len(pe.periods_between(kind, first, last)) > most:
        return "too_many_months" if kind == pe.KIND_MONTH else "too_many_quarters"
    return first, last


def _parse_weeks(query: Mapping[str, str], now_week: str) -> tuple[str, str] | str:
    default_first, default_last = default_period(now_week)
    raw_first, raw_last = query.get("van", "").strip(), query.get("tot", "").strip()
    first = parse_week(raw_first) if raw_first else default_first
    last = parse_week(raw_last) if raw_last else default_last
    if first is None or last is None:
        return "bad_week"
    if week_start(first) > week_start(last):
        return "week_order"
    if week_start(last) > week_start(now_week):
        return "future"
    if last == now_week:
        return "running_week"
    if len(weeks_between(first, last)) > MAX_WEEKS:
        return "too_long"
    return first, last


def parse_filters(
    query: Mapping[str, str], coordinator: accounts.Coordinator, now_week: str
) -> Filters | tuple[int, str]:
    """The filters from the URL, or (status, message key) when they cannot be used.

    ``now_week`` is the running week: it is never shown (one action in it could change a
    visible number), so the period ends at the latest with the week before; a month or
    quarter only once all its weeks are over.
    """
    kind = period_kind(query)
    if kind is None:
        return 400, "bad_kind"
    parsed = _parse_periods(query, kind, now_week)
    if isinstance(parsed, str):
        return 400, parsed
    first, last = parsed
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
    return Filters(municipality, first, last, kind)


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
    fallback_kind = period_kind(query) or DEFAULT_KIND
    fallback = Filters(options[0][0], *default_period(now_week, fallback_kind), fallback_kind)
    listed = period_options(fallback_kind, now_week)
    if isinstance(parsed, tuple):
        status, key = parsed
        return PageResult(None, key, status, fallback, options, listed)
    if parsed.municipality != ALL and parsed.municipality not in codes:
        return PageResult(None, "unknown_municipality", 400, fallback, options, listed)
    scope = tuple(codes) if parsed.municipality == ALL else (parsed.municipality,)
    chosen = parsed.periods
    weeks = tuple(week for period in chosen for week in pe.weeks_in(parsed.kind, period))
    if now_week in weeks:  # parse_filters refuses it; this keeps the rule in one more place
        raise ValueError("the running week is never shown")
    cells = store.load_cells(session, scope, weeks)
    budgets = (
        store.budget_lines(session, scope, k, as_of=week_begins_at(now_week))
        if slug == "overzicht"
        else []
    )
    page = build_page(slug, cells, k, Selection(scope, chosen, parsed.kind), names, budgets)
    listed = period_options(parsed.kind, now_week, (parsed.first, parsed.last))
    return PageResult(page, None, 200, parsed, options, listed)


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
            "Periode",
            pe.KIND_LABELS[filters.kind].lower(),
            "Van",
            pe.label(filters.kind, filters.first),
            "Tot en met",
            pe.label(filters.kind, filters.last),
        ]
    )
    writer.writerow([f"Groepjes kleiner dan {k} staan er als '< {k}' en tellen niet mee."])
    writer.writerow([])
    for row in csv_rows(page, k):
        writer.writerow([csv_safe(cell) for cell in row])
    name = f"koers-{slug}-{filters.municipality}-{filters.first}-{filters.last}.csv"
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
