"""The aiohttp application factory: the one place where the web app is assembled.

``init_app`` opens one database for everything (:mod:`bot.web.database`), starts one
housekeeping runner with the jobs each capability registers (:mod:`bot.web.housekeeping`)
and adds the route tables of ``bot/web/routes/``. The app's keys live in :mod:`bot.web.keys`.
"""

from __future__ import annotations

from aiohttp import web

from bot.config import Settings, load_settings
from bot.web.database import database_context
from bot.web.housekeeping import Job, housekeeping_context
from bot.web.keys import SETTINGS_KEY
from bot.web.routes import (
    bookings,
    dashboard,
    opportunities,
    provider_api,
    sheets,
    widget,
    workshops,
)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """Every capability's periodic jobs, in the order they run after start-up."""
    return [
        *bookings.housekeeping_jobs(settings),
        *provider_api.housekeeping_jobs(settings),
        *sheets.housekeeping_jobs(settings),
        *dashboard.housekeeping_jobs(settings),
    ]


def init_app(settings: Settings | None = None) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    settings = settings or load_settings()
    app[SETTINGS_KEY] = settings
    # the feed tokens are checked (and a bad or unrestricted entry logged) once, at start-up
    opportunities.feed_platforms(settings.opportunity_feed_tokens)
    # started in this order and ended in reverse: the database first, the jobs last
    app.cleanup_ctx.append(database_context)
    app.cleanup_ctx.append(provider_api.rate_limiter_context)
    app.cleanup_ctx.append(dashboard.login_throttle_context)
    app.cleanup_ctx.append(housekeeping_context(housekeeping_jobs(settings)))
    app.add_routes([web.get("/health", health)])
    app.add_routes(provider_api.routes)
    app.add_routes(bookings.routes)
    app.add_routes(sheets.routes)
    app.add_routes(widget.routes)
    app.add_routes(opportunities.feed_routes)
    # before the dashboard's routes: its /dashboard/{page} would take /dashboard/kansen
    app.add_routes(opportunities.dashboard_routes(app))
    # likewise: /dashboard/workshops before the catch-all
    app.add_routes(workshops.dashboard_routes(app))
    app.add_routes(dashboard.dashboard_routes(app))
    return app
