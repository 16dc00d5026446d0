"""The coordinators' dashboard under ``/dashboard/``: login, pages and CSV export.

- Login with argon2-hashed passwords; lockout per client, per account and per account from
  one client (counted atomically in the database), and a global throttle on argon2 work
  (bounded concurrency, a cap per minute); logout.
- Sessions held server-side (``dashboard_sessions``, only the token's hash): logout,
  disabling an account and a new password end them at once. The encrypted cookie
  (aiohttp-session, Fernet) carries only the random session token and the CSRF token:
  HttpOnly, SameSite=Strict, path /dashboard, Secure when the request came over TLS
  (directly, or per X-Forwarded-Proto from a trusted proxy) or always/never by configuration.
- A CSRF token (per session) on every form that changes something (login, logout); the
  filters are read-only GET forms. Periods: per week, per month or per quarter (links that
  switch, ``periode=week|maand|kwartaal``); the dashboard opens on the last completed quarter.
- What is shown, and to whom, is decided in :mod:`bot.trends.dashboard` (no web there).
Bad input gets one clear Dutch sentence, no data, and never a stack trace.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Mapping
from typing import Any
from urllib.parse import urlencode

import aiohttp_session
from aiohttp import web
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet

from bot.clock import utcnow
from bot.config import Settings
from bot.shared_state import key_secret, shared_state
from bot.trends import accounts
from bot.trends import periods as pe
from bot.trends.charts import bar_chart
from bot.trends.dashboard import (
    MESSAGES,
    Filters,
    LoginThrottle,
    PageResult,
    chart_rows,
    client_address,
    compute_page,
    csv_document,
    housekeeping_once,
    last_completed_week,
    login_limits,
    session_key,
    throttle_secret,
    visible_threshold,
    wants_secure_cookie,
)
from bot.trends.recorder import current_week
from bot.trends.views import PAGES, display
from bot.web.database import in_session
from bot.web.housekeeping import Job
from bot.web.html import CSP_DASHBOARD, STATIC_DIR, page, private_headers
from bot.web.keys import (
    DASHBOARD_THROTTLE_KEY,
    DASHBOARD_THROTTLE_SECRET_KEY,
    SESSIONS_KEY,
    SETTINGS_KEY,
)

logger = logging.getLogger(__name__)

PREFIX = "/dashboard"
COOKIE_NAME = "koers_dashboard"
STYLESHEET = STATIC_DIR / "dashboard.css"


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


# --- Helpers --------------------------------------------------------------------------------


def _settings(request: web.Request) -> Settings:
    return request.app[SETTINGS_KEY]


def _k(request: web.Request) -> int:
    return visible_threshold(_settings(request))


def _html(template: str, status: int = 200, **context: Any) -> web.Response:
    return page(template, csp=CSP_DASHBOARD, status=status, prefix=PREFIX, **context)


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
    found = await in_session(request.app, accounts.session_coordinator, token=token, now=utcnow())
    if found is None:
        session.pop("sid", None)  # ended, expired or unknown: a logged-out visitor
    return found


def _client(request: web.Request) -> str:
    return client_address(
        request.remote,
        request.headers.get("X-Forwarded-For"),
        _settings(request).dashboard_trusted_proxies,
    )


async def _message(
    request: web.Request, status: int, key: str, coordinator: accounts.Coordinator | None = None
) -> web.Response:
    return _html(
        "dashboard_message.html",
        status,
        title="Dat lukt niet",
        message=MESSAGES[key],
        coordinator=coordinator,
        csrf_token=await _csrf_token(request),
        pages=list(PAGES.items()),
        current="",
        query="",
        own_label=(coordinator.municipality if coordinator else "") or "",
    )


# --- Login and logout -----------------------------------------------------------------------


async def _login_page(request: web.Request, message: str = "", status: int = 200) -> web.Response:
    return _html(
        "dashboard_login.html",
        status,
        message=message,
        coordinator=None,
        csrf_token=await _csrf_token(request),
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
    reservation: accounts.Reservation = await in_session(
        request.app,
        accounts.begin_login,
        username=form.get("username"),
        password=password,
        secret=request.app[DASHBOARD_THROTTLE_SECRET_KEY],
        client=_client(request),
        now=utcnow(),
        limits=login_limits(settings),
    )
    if not reservation.allowed:
        if reservation.lock_reached:
            return await _refused(request, accounts.LOCKED)
        return await _refused(request, reservation.reason)
    throttle = request.app[DASHBOARD_THROTTLE_KEY]
    if not await throttle.admit():
        # the throttle is full: not the user's fault, so the reservation is given back
        await in_session(request.app, accounts.release, reservation=reservation)
        return await _refused(request, accounts.BUSY)
    if not isinstance(password, str):  # begin_login allows only real passwords
        return await _refused(request, accounts.BAD_CREDENTIALS)
    ok = await throttle.verify(reservation.hash_value, password)
    result: accounts.LoginResult = await in_session(
        request.app,
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
    await in_session(request.app, accounts.end_session, token=session.get("sid"))
    session.invalidate()
    raise web.HTTPSeeOther(f"{PREFIX}/login")


async def index(request: web.Request) -> web.Response:
    raise web.HTTPSeeOther(f"{PREFIX}/overzicht")


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(
        text=STYLESHEET.read_text(encoding="utf-8"),
        content_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


# --- Pages and export -----------------------------------------------------------------------


def _query_string(filters: Filters) -> str:
    return "?" + urlencode(
        {
            "gemeente": filters.municipality,
            "periode": filters.kind,
            "van": filters.first,
            "tot": filters.last,
        }
    )


def _period_links(slug: str, filters: Filters) -> list[dict[str, Any]]:
    """The period switch: one link per kind, each opening that kind's default period."""
    return [
        {
            "kind": kind,
            "label": pe.KIND_LABELS[kind],
            "href": f"{PREFIX}/{slug}?"
            + urlencode({"gemeente": filters.municipality, "periode": kind}),
            "current": kind == filters.kind,
        }
        for kind in pe.KINDS
    ]


async def _page_result(
    request: web.Request, slug: str
) -> tuple[accounts.Coordinator, PageResult] | web.Response:
    coordinator = await _coordinator(request)
    if coordinator is None:
        raise web.HTTPSeeOther(f"{PREFIX}/login")
    if slug not in PAGES:
        return await _message(request, 404, "not_found", coordinator)
    result: PageResult = await in_session(
        request.app,
        compute_page,
        slug=slug,
        coordinator=coordinator,
        query=dict(request.query),
        k=_k(request),
        now_week=current_week(),
    )
    return coordinator, result


async def page_view(request: web.Request) -> web.Response:
    slug = request.match_info["page"]
    outcome = await _page_result(request, slug)
    if isinstance(outcome, web.Response):
        return outcome
    coordinator, result = outcome
    k = _k(request)
    now_week = current_week()
    tables = []
    if result.page is not None:
        for table in result.page.tables:
            chart = None
            if table.chart_column is not None and table.rows:
                chart = bar_chart(
                    f"grafiek-{table.slug}",
                    f"{table.caption}: {table.columns[table.chart_column]}",
                    chart_rows(table),
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
    return _html(
        "dashboard_page.html",
        result.status,
        title=PAGES[slug],
        coordinator=coordinator,
        own_label=coordinator.municipality or "",
        csrf_token=await _csrf_token(request),
        pages=list(PAGES.items()),
        current=slug,
        query=_query_string(result.filters),
        municipality_options=result.options,
        chosen_municipality=result.filters.municipality,
        kind=result.filters.kind,
        kind_label=pe.KIND_LABELS[result.filters.kind].lower(),
        kind_plural=pe.KIND_PLURALS[result.filters.kind],
        period_links=_period_links(slug, result.filters),
        period_options=result.period_options,
        first=result.filters.first,
        last=result.filters.last,
        first_label=pe.label(result.filters.kind, result.filters.first),
        last_label=pe.label(result.filters.kind, result.filters.last),
        first_week=result.filters.first_week,
        last_week=result.filters.last_week,
        message=MESSAGES[result.error] if result.error else "",
        page=result.page,
        tables=tables,
        k=k,
        running_week=now_week,
        running_label=pe.label(
            result.filters.kind, pe.running_period(result.filters.kind, now_week)
        ),
        last_completed=last_completed_week(now_week),
    )


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
            headers=private_headers(CSP_DASHBOARD),
        )
    body, name = csv_document(result.page, slug, result.filters, _k(request))
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers=private_headers(
            CSP_DASHBOARD, **{"Content-Disposition": f'attachment; filename="{name}"'}
        ),
    )


# --- Errors, start-up, housekeeping and routes ----------------------------------------------


@web.middleware
async def errors_in_dutch(request: web.Request, handler: Any) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception:
        logger.exception("dashboard request failed")
        return _html(
            "dashboard_message.html",
            500,
            title="Dat lukt niet",
            message=MESSAGES["error"],
            coordinator=None,
        )


async def login_throttle_context(app: web.Application) -> AsyncIterator[None]:
    """Made at start-up, inside the running loop, so its semaphore belongs to that loop."""
    settings = app[SETTINGS_KEY]
    app[DASHBOARD_THROTTLE_KEY] = LoginThrottle(
        settings.dashboard_login_concurrency,
        settings.dashboard_logins_per_minute,
        store=shared_state(settings),
        secret=key_secret(settings),
    )
    yield


async def _trends_housekeeping(app: web.Application) -> None:
    moved = await asyncio.to_thread(housekeeping_once, app[SESSIONS_KEY], app[SETTINGS_KEY])
    if moved:
        logger.info("trend events aggregated after the retention horizon: %d", moved)


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """Old trend events aggregated, old login failures forgotten, expired sessions deleted."""
    return [Job("trends", settings.trends_housekeeping_minutes, _trends_housekeeping)]


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


def dashboard_routes(app: web.Application) -> list[web.RouteDef]:
    """The dashboard's routes, each wrapped with its cookie sessions (keyed from settings)."""
    settings = app[SETTINGS_KEY]
    if settings.trends_min_count < 3:
        logger.warning("KOERS_TRENDS_MIN_COUNT below 3 is not allowed; using 3")
    key = session_key(settings)
    storage = DashboardCookieStorage(key, settings)
    app[DASHBOARD_THROTTLE_SECRET_KEY] = throttle_secret(key)
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
    return [
        web.route(method, PREFIX + path, _wrapped(handler, storage))
        for method, path, handler in routes
    ]
