"""The coordinators' read-only page of the coming "Tap de toekomst" evenings (issue 17).

``/dashboard/workshops`` lists the evenings from today on with their sessions, for both
coordinator roles (the evenings are regional, not per municipality). Login, cookie sessions
and the Dutch error page are the dashboard's own (:mod:`bot.web.routes.dashboard`); what may
be shown of the seats is decided in :mod:`bot.ledger.event_overview`. Nothing here names or
counts a person: no sign-up codes, no employee keys, no small sign-up counts.
"""

from __future__ import annotations

from aiohttp import web

from bot.clock import utcnow
from bot.ledger.event_overview import upcoming_events
from bot.trends import accounts
from bot.trends.dashboard import session_key
from bot.trends.views import PAGES
from bot.web.database import in_session
from bot.web.keys import SETTINGS_KEY
from bot.web.routes.dashboard import (
    PREFIX,
    DashboardCookieStorage,
    _coordinator,
    _csrf_token,
    _html,
    _k,
    _wrapped,
)

BASE = f"{PREFIX}/workshops"
CURRENT = "workshops"
TITLE = "Workshopavonden"


async def _logged_in(request: web.Request) -> accounts.Coordinator:
    coordinator = await _coordinator(request)
    if coordinator is None:
        raise web.HTTPSeeOther(f"{PREFIX}/login")
    return coordinator


async def list_page(request: web.Request) -> web.Response:
    coordinator = await _logged_in(request)
    k = _k(request)
    events = await in_session(request.app, upcoming_events, now=utcnow(), k=k)
    return _html(
        "workshops_list.html",
        title=TITLE,
        events=events,
        k=k,
        coordinator=coordinator,
        own_label=coordinator.municipality or "",
        csrf_token=await _csrf_token(request),
        pages=list(PAGES.items()),
        current=CURRENT,
        query="",
    )


def dashboard_routes(app: web.Application) -> list[web.RouteDef]:
    """The page, with the dashboard's cookie sessions and Dutch error page.

    Register it before the dashboard's own routes: its ``/dashboard/{page}`` would take
    ``/dashboard/workshops`` otherwise.
    """
    settings = app[SETTINGS_KEY]
    storage = DashboardCookieStorage(session_key(settings), settings)
    return [web.route("GET", BASE, _wrapped(list_page, storage))]
