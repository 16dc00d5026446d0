"""The coordinators' dashboard under ``/dashboard/`` (a sub-application of the web app).

- Login with argon2-hashed passwords; lockout per client, per account and per account from
  one client (counted atomically in the database), and a global throttle on argon2 work
  (bounded concurrency, a cap per minute); logout.
- Sessions held server-side (``dashboard_sessions``, only the token's hash): logout,
  disabling an account and a new password end them at once. The encrypted cookie
  (aiohttp-session, Fernet) carries only the random session token and the CSRF token:
  HttpOnly, SameSite=Strict, path /dashboard, Secure when the request came over TLS
  (directly, or per X-Forwarded-Proto from a trusted proxy) or always/never by configuration.
- Only completed ISO weeks are shown, never the running week, so one action in the running
  week changes no number on any page.
- A CSRF token (per session) on every form that changes something (login, logout); the
  filters are read-only GET forms.
- Roles: a municipal coordinator sees only their own municipality (also not via the URL or
  the export); a programme coordinator sees all, per municipality and in total.
- Every figure comes from :mod:`bot.trends.views` (k-anonymous); CSV has the same figures.
Bad input gets one clear Dutch sentence, no data, and never a stack trace.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import hashlib
import hmac
import io
import ipaddress
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from datetime import time as day_time
from pathlib import Path
from typing import Any

import aiohttp_session
from aiohttp import web
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.config import VAR_DIR, Settings
from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.trends import accounts, store
from bot.trends.charts import bar_chart
from bot.trends.recorder import current_week
from bot.trends.suppression import Figure, effective_threshold
from bot.trends.templates import CSS, render
from bot.trends.views import (
    PAGES,
    Page,
    Selection,
    build_page,
    csv_rows,
    display,
    municipality_label,
)
from bot.trends.weeks import parse_week, shift, week_start, weeks_between

logger = logging.getLogger(__name__)

PREFIX = "/dashboard"
COOKIE_NAME = "koers_dashboard"
SESSION_KEY_FILE = VAR_DIR / "dashboard_session.key"
DEFAULT_WEEKS = 12
MAX_WEEKS = 104
ALL = "alle"

DASHBOARD_SESSIONS_KEY: web.AppKey[sessionmaker] = web.AppKey("dashboard_sessions", sessionmaker)
DASHBOARD_SETTINGS_KEY: web.AppKey[Settings] = web.AppKey("dashboard_settings", Settings)
DASHBOARD_THROTTLE_SECRET_KEY: web.AppKey[bytes] = web.AppKey("dashboard_throttle_secret", bytes)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}

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


# --- Settings, cookies and keys -------------------------------------------------------------


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


class DashboardCookieStorage(EncryptedCookieStorage):
    """Encrypted cookies whose Secure flag follows the request (see wants_secure_cookie)."""

    def __init__(self, key: bytes, settings: Settings) -> None:
        super().__init__(
            Fernet(key),
            cookie_name=COOKIE_NAME,
            max_age=max(60, settings.dashboard_session_minutes * 60),
            path=PREFIX,
            httponly=True,
            samesite="Strict",
        )
        self._settings = settings

    async def save_session(
        self, request: web.Request, response: web.StreamResponse, session: aiohttp_session.Session
    ) -> None:
        # The parent's save_session does not await: the flag set here is the one it uses.
        self._cookie_params["secure"] = wants_secure_cookie(
            self._settings.dashboard_secure_cookie,
            request.scheme,
            request.remote,
            request.headers.get("X-Forwarded-Proto"),
            self._settings.dashboard_trusted_proxies,
        )
        await super().save_session(request, response, session)


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

    def __init__(self, concurrency: int, per_minute: int) -> None:
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self._per_minute = max(1, per_minute)
        self._recent: deque[float] = deque()
        self.active = 0
        self.peak = 0

    def admit(self) -> bool:
        """Takes one check from this minute's budget; False when it is used up."""
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


DASHBOARD_THROTTLE_KEY: web.AppKey[LoginThrottle] = web.AppKey("dashboard_throttle", LoginThrottle)


# --- Helpers --------------------------------------------------------------------------------


def _settings(request: web.Request) -> Settings:
    return request.config_dict[DASHBOARD_SETTINGS_KEY]


def _k(settings: Settings) -> int:
    return effective_threshold(settings.trends_min_count)


async def _db(request: web.Request, work: Any, /, **kwargs: Any) -> Any:
    factory = request.config_dict[DASHBOARD_SESSIONS_KEY]

    def job() -> Any:
        session: Session = factory()
        try:
            return run_in_transaction(session, work, **kwargs)
        finally:
            session.close()

    return await asyncio.to_thread(job)


def _html(body: str, status: int = 200) -> web.Response:
    return web.Response(
        text=body,
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers=SECURITY_HEADERS,
    )


async def _csrf_token(request: web.Request) -> str:
    session = await aiohttp_session.get_session(request)
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def _csrf_ok(request: web.Request, form: Mapping[str, Any]) -> bool:
    session = await aiohttp_session.get_session(request)
    expected = session.get("csrf")
    given = form.get("csrf_token")
    return (
        isinstance(expected, str)
        and isinstance(given, str)
        and len(expected) >= 32
        and hmac.compare_digest(expected.encode(), given.encode())
    )


async def _form(request: web.Request) -> Mapping[str, Any]:
    try:
        return await request.post()
    except Exception:  # a malformed or oversized body is treated as an empty form
        return {}


async def _coordinator(request: web.Request) -> accounts.Coordinator | None:
    """Who is logged in: decided by the server-side session row, never by the cookie alone."""
    session = await aiohttp_session.get_session(request)
    token = session.get("sid")
    if not isinstance(token, str):
        return None
    found = await _db(request, accounts.session_coordinator, token=token, now=utcnow())
    if found is None:
        session.pop("sid", None)  # ended, expired or unknown: a logged-out visitor
    return found


def _client(request: web.Request) -> str:
    return client_address(
        request.remote,
        request.headers.get("X-Forwarded-For"),
        _settings(request).dashboard_trusted_proxies,
    )


def _limits(settings: Settings) -> accounts.LoginLimits:
    pair_max = max(1, settings.dashboard_max_failures)
    return accounts.LoginLimits(
        pair_max=pair_max,
        client_max=max(pair_max, settings.dashboard_client_max_failures),
        account_max=max(pair_max, settings.dashboard_account_max_failures),
        lockout=timedelta(minutes=max(1, settings.dashboard_lockout_minutes)),
    )


async def _message(
    request: web.Request, status: int, key: str, coordinator: accounts.Coordinator | None = None
) -> web.Response:
    return _html(
        render(
            "message.html",
            prefix=PREFIX,
            title="Dat lukt niet",
            message=MESSAGES[key],
            coordinator=coordinator,
            csrf_token=await _csrf_token(request),
            pages=list(PAGES.items()),
            current="",
            query="",
            own_label=(coordinator.municipality if coordinator else "") or "",
        ),
        status,
    )


# --- Login and logout -----------------------------------------------------------------------


async def _login_page(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    return _html(
        render(
            "login.html",
            prefix=PREFIX,
            message=message,
            coordinator=None,
            csrf_token=await _csrf_token(request),
        ),
        status,
    )


async def login_get(request: web.Request) -> web.Response:
    if await _coordinator(request) is not None:
        raise web.HTTPSeeOther(f"{PREFIX}/overzicht")
    return await _login_page(request)


async def _refused(request: web.Request, reason: str | None) -> web.Response:
    """One Dutch sentence for a refused login; the log line names only the reason."""
    settings = _settings(request)
    logger.info("dashboard login refused: %s", reason or accounts.BAD_CREDENTIALS)
    if reason == accounts.LOCKED:
        text = MESSAGES["locked"].format(minutes=max(1, settings.dashboard_lockout_minutes))
        response = await _login_page(request, text, 429)
        response.headers["Retry-After"] = str(60 * max(1, settings.dashboard_lockout_minutes))
        return response
    if reason == accounts.BUSY:
        response = await _login_page(request, MESSAGES["busy"], 503)
        response.headers["Retry-After"] = "60"
        return response
    return await _login_page(request, MESSAGES["bad_credentials"], 401)


async def login_post(request: web.Request) -> web.Response:
    """Counts the attempt, checks the password under the global throttle, then opens a
    server-side session (three steps: no transaction stays open during argon2)."""
    form = await _form(request)
    if not await _csrf_ok(request, form):
        return await _login_page(request, MESSAGES["csrf"], 403)
    settings = _settings(request)
    password = form.get("password")
    reservation: accounts.Reservation = await _db(
        request,
        accounts.begin_login,
        username=form.get("username"),
        password=password,
        secret=request.config_dict[DASHBOARD_THROTTLE_SECRET_KEY],
        client=_client(request),
        now=utcnow(),
        limits=_limits(settings),
    )
    if not reservation.allowed:
        if reservation.lock_reached:
            return await _refused(request, accounts.LOCKED)
        return await _refused(request, reservation.reason)
    throttle = request.config_dict[DASHBOARD_THROTTLE_KEY]
    if not throttle.admit():
        await _db(request, accounts.release, reservation=reservation)  # not the user's fault
        return await _refused(request, accounts.BUSY)
    if not isinstance(password, str):  # begin_login allows only real passwords
        return await _refused(request, accounts.BAD_CREDENTIALS)
    ok = await throttle.verify(reservation.hash_value, password)
    result: accounts.LoginResult = await _db(
        request,
        accounts.finish_login,
        reservation=reservation,
        password_ok=ok,
        password=password,
        now=utcnow(),
        session_minutes=max(1, settings.dashboard_session_minutes),
    )
    if result.coordinator is None or result.token is None:
        return await _refused(request, result.reason)
    session = await aiohttp_session.new_session(request)  # a fresh cookie: no fixation
    session["sid"] = result.token
    session["csrf"] = secrets.token_urlsafe(32)
    logger.info("dashboard login of %s", result.coordinator.username)
    raise web.HTTPSeeOther(f"{PREFIX}/overzicht")


async def logout(request: web.Request) -> web.Response:
    """Deletes the session row first, so the same cookie replayed later is refused."""
    form = await _form(request)
    if not await _csrf_ok(request, form):
        return await _message(request, 403, "csrf", await _coordinator(request))
    session = await aiohttp_session.get_session(request)
    await _db(request, accounts.end_session, token=session.get("sid"))
    session.invalidate()
    raise web.HTTPSeeOther(f"{PREFIX}/login")


async def index(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(f"{PREFIX}/overzicht")


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(
        text=CSS, content_type="text/css", headers={"Cache-Control": "max-age=3600"}
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


def _compute_page(
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


def _query_string(filters: Filters) -> str:
    from urllib.parse import urlencode

    return "?" + urlencode(
        {"gemeente": filters.municipality, "van": filters.first_week, "tot": filters.last_week}
    )


def _chart_rows(table: Any) -> list[tuple[str, Figure]]:
    column = table.chart_column
    return [
        (label, values[column])
        for label, values in table.rows
        if isinstance(values[column], Figure)
    ]


async def _page_result(
    request: web.Request, slug: str
) -> tuple[accounts.Coordinator, PageResult] | web.Response:
    coordinator = await _coordinator(request)
    if coordinator is None:
        raise web.HTTPSeeOther(f"{PREFIX}/login")
    if slug not in PAGES:
        return await _message(request, 404, "not_found", coordinator)
    result: PageResult = await _db(
        request,
        _compute_page,
        slug=slug,
        coordinator=coordinator,
        query=dict(request.query),
        k=_k(_settings(request)),
        now_week=current_week(),
    )
    return coordinator, result


async def page_view(request: web.Request) -> web.Response:
    slug = request.match_info["page"]
    outcome = await _page_result(request, slug)
    if isinstance(outcome, web.Response):
        return outcome
    coordinator, result = outcome
    k = _k(_settings(request))
    now_week = current_week()
    tables = []
    if result.page is not None:
        for table in result.page.tables:
            chart = None
            if table.chart_column is not None and table.rows:
                chart = bar_chart(
                    f"grafiek-{table.slug}",
                    f"{table.caption}: {table.columns[table.chart_column]}",
                    _chart_rows(table),
                    k,
                )
            tables.append(
                {
                    "table": table,
                    "chart": chart,
                    "rows": [
                        (label, [display(value, k) for value in values])
                        for label, values in table.rows
                    ],
                    "total": [display(value, k) for value in table.total] if table.total else None,
                }
            )
    body = render(
        "page.html",
        prefix=PREFIX,
        title=PAGES[slug],
        coordinator=coordinator,
        own_label=coordinator.municipality or "",
        csrf_token=await _csrf_token(request),
        pages=list(PAGES.items()),
        current=slug,
        query=_query_string(result.filters),
        municipality_options=result.options,
        chosen_municipality=result.filters.municipality,
        first_week=result.filters.first_week,
        last_week=result.filters.last_week,
        message=MESSAGES[result.error] if result.error else "",
        page=result.page,
        tables=tables,
        k=k,
        running_week=now_week,
        last_completed=last_completed_week(now_week),
    )
    return _html(body, result.status)


async def export_csv(request: web.Request) -> web.Response:
    slug = request.match_info["page"]
    outcome = await _page_result(request, slug)
    if isinstance(outcome, web.Response):
        return outcome
    _coordinator_, result = outcome
    if result.page is None:
        return web.Response(
            text=MESSAGES[result.error or "error"] + "\n",
            status=result.status,
            content_type="text/plain",
            charset="utf-8",
            headers=SECURITY_HEADERS,
        )
    k = _k(_settings(request))
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    filters = result.filters
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
    for row in csv_rows(result.page, k):
        writer.writerow([_csv_safe(cell) for cell in row])
    name = f"koers-{slug}-{filters.municipality}-{filters.first_week}-{filters.last_week}.csv"
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = f'attachment; filename="{name.lower()}"'
    return web.Response(
        body=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type="text/csv",
        charset="utf-8",
        headers=headers,
    )


def _csv_safe(value: str) -> str:
    """Spreadsheets run cells that start with = + - @ as formulas: neutralise them."""
    if value and value[0] in "=+-@\t\r" and value != "-":
        return "'" + value
    return value


# --- Errors, housekeeping and set-up --------------------------------------------------------


@web.middleware
async def errors_in_dutch(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("dashboard request failed")
        return _html(
            render(
                "message.html",
                prefix=PREFIX,
                title="Dat lukt niet",
                message=MESSAGES["error"],
                coordinator=None,
            ),
            500,
        )


async def housekeeping_once(factory: sessionmaker, settings: Settings) -> int:
    def job() -> int:
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

    return await asyncio.to_thread(job)


async def _housekeeping(factory: sessionmaker, settings: Settings) -> None:
    while True:
        try:
            moved = await housekeeping_once(factory, settings)
            if moved:
                logger.info("trend events aggregated after the retention horizon: %d", moved)
        except Exception as exc:  # keep trying next round
            logger.warning("trend housekeeping failed: %s", type(exc).__name__)
        await asyncio.sleep(settings.trends_housekeeping_minutes * 60)


def _dashboard_context(settings: Settings) -> Any:
    async def context(app: web.Application) -> AsyncIterator[None]:
        await asyncio.to_thread(migrate, settings.database_url)
        engine = make_engine(settings.database_url)
        factory = make_session_factory(engine)
        app[DASHBOARD_SESSIONS_KEY] = factory
        # Made here, inside the running loop, so its semaphore belongs to that loop.
        app[DASHBOARD_THROTTLE_KEY] = LoginThrottle(
            settings.dashboard_login_concurrency, settings.dashboard_logins_per_minute
        )
        task = None
        if settings.trends_housekeeping_minutes > 0:
            task = asyncio.create_task(_housekeeping(factory, settings))
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            engine.dispose()

    return context


def _wrapped(handler: Any, storage: DashboardCookieStorage) -> Any:
    """The handler inside the session middleware and the Dutch error page, for this
    route only (the dashboard shares the app with other capabilities, and aiohttp 3.9's
    sub-applications do not work with the pinned yarl)."""
    with_session = aiohttp_session.session_middleware(storage)

    async def inner(request: web.Request) -> web.StreamResponse:
        return await with_session(request, handler)

    async def outer(request: web.Request) -> web.StreamResponse:
        return await errors_in_dutch(request, inner)

    return outer


def setup_dashboard_routes(app: web.Application) -> None:
    """Adds the dashboard to the Koers web app (listed in bot.web.app.ROUTE_SETUPS)."""
    from bot.web.app import SETTINGS_KEY

    settings = app[SETTINGS_KEY]
    if settings.trends_min_count < 3:
        logger.warning("KOERS_TRENDS_MIN_COUNT below 3 is not allowed; using 3")
    app[DASHBOARD_SETTINGS_KEY] = settings
    key = session_key(settings)
    storage = DashboardCookieStorage(key, settings)
    app[DASHBOARD_THROTTLE_SECRET_KEY] = throttle_secret(key)
    app.cleanup_ctx.append(_dashboard_context(settings))
    routes = [
        ("GET", "", index),
        ("GET", "/", index),
        ("GET", "/static/dashboard.css", stylesheet),
        ("GET", "/login", login_get),
        ("POST", "/login", login_post),
        ("POST", "/logout", logout),
        ("GET", "/{page:[a-z-]+}.csv", export_csv),
        ("GET", "/{page:[^/.]+}", page_view),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, PREFIX + path, _wrapped(handler, storage))
