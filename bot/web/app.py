"""The aiohttp application factory.

Each capability adds its routes through a ``setup_*`` function listed in ``ROUTE_SETUPS``, so
``init_app`` stays the single place where the app is assembled.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from bot.config import Settings, load_settings
from bot.trends.web import setup_dashboard_routes
from bot.web.ledger_views import setup_ledger_routes
from bot.web.sheet_views import setup_sheet_routes
from bot.web.widget_views import setup_widget_routes

SETTINGS_KEY: web.AppKey[Settings] = web.AppKey("settings", Settings)


async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


def setup_base_routes(app: web.Application) -> None:
    app.router.add_get("/health", health)


ROUTE_SETUPS: list[Callable[[web.Application], None]] = [
    setup_base_routes,
    setup_ledger_routes,
    setup_sheet_routes,
    setup_widget_routes,
    setup_dashboard_routes,
]


def init_app(settings: Settings | None = None) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)
    app[SETTINGS_KEY] = settings or load_settings()
    for setup in ROUTE_SETUPS:
        setup(app)
    return app
