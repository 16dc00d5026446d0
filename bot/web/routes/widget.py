"""The chat widget's assets and the demo intranet page.

- ``GET /widget/koers-widget.js`` and ``/widget/koers-widget.css``: the bundle built by
  ``npm run build`` into ``web/dist/`` (socket.io-client included; nothing from a CDN).
- ``GET /``: a fictional intranet page of "Gemeente Voorbeeld" (``templates/intranet.html``)
  with the widget embedded by one script tag, as an intranet would do it. When a secret for
  the demo municipality is configured (``KOERS_WIDGET_JWT_SECRETS``), the page carries a
  fresh demo token for a fixed demo employee; otherwise the widget runs anonymously.
  ``KOERS_WIDGET_DEMO_PAGE=false`` turns the page off (production).
- ``GET /widget/demo-token``: a fresh demo token as JSON, for the page's ``demo.js``, which hands
  it to the widget when the old one expires (``koers:token-expired``), as an intranet would.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from aiohttp import web

from bot.channels.widget.auth import mint_token, widget_keys_from_settings
from bot.config import PROJECT_ROOT, Settings
from bot.web.html import page
from bot.web.keys import SETTINGS_KEY

DIST_DIR = PROJECT_ROOT / "web" / "dist"
DEMO_DIR = PROJECT_ROOT / "web" / "demo"
ASSETS = {
    "koers-widget.js": (DIST_DIR, "text/javascript"),
    "koers-widget.css": (DIST_DIR, "text/css"),
    "demo.css": (DEMO_DIR, "text/css"),
    "demo.js": (DEMO_DIR, "text/javascript"),
}
DEMO_EMPLOYEE = "demo-medewerker-1"
DEMO_TOKEN_SECONDS = 8 * 3600
WIDGET_TITLE = "Koers – loopbaanassistent"


async def widget_asset(request: web.Request) -> web.StreamResponse:
    name = request.match_info["name"]
    if name not in ASSETS:
        raise web.HTTPNotFound()
    folder, content_type = ASSETS[name]
    path: Path = folder / name
    if not path.is_file():
        return web.Response(
            status=503, text="The widget is not built: run `npm ci && npm run build`.\n"
        )
    return web.FileResponse(
        path,
        headers={
            "Content-Type": f"{content_type}; charset=utf-8",
            "Cache-Control": "no-cache",  # revalidate (ETag/Last-Modified) after each build
            "Access-Control-Allow-Origin": "*",  # intranets on other origins load the widget
            "X-Content-Type-Options": "nosniff",
        },
    )


def socket_url(settings: Settings, request: web.Request) -> str:
    """Where the browser reaches Rasa: the setting, or this page's host on the Rasa port."""
    if settings.widget_socket_url:
        return settings.widget_socket_url
    host = urlsplit(f"//{request.host}").hostname or "localhost"
    if ":" in host:
        host = f"[{host}]"
    return f"{request.scheme}://{host}:{settings.rasa_port}"


def demo_token(settings: Settings, now: int | None = None) -> str:
    """A demo token for the fixed demo employee, or "" without a demo secret."""
    keys = widget_keys_from_settings(settings)
    secret = keys.secrets.get(settings.widget_demo_municipality)
    if not secret:
        return ""
    return mint_token(
        settings.widget_demo_municipality,
        DEMO_EMPLOYEE,
        secret,
        min(DEMO_TOKEN_SECONDS, keys.max_lifetime_seconds),
        int(time.time()) if now is None else now,
        audience=keys.audience,
        issuer=keys.issuer,
        employee_claim=keys.employee_claim,
    )


async def demo_token_view(request: web.Request) -> web.Response:
    """A fresh demo token for the demo page's refresh (only where the demo page is on)."""
    settings = request.app[SETTINGS_KEY]
    token = demo_token(settings) if settings.widget_demo_page else ""
    if not token:
        raise web.HTTPNotFound()
    return web.json_response(
        {"token": token}, headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}
    )


async def demo_page(request: web.Request) -> web.Response:
    settings = request.app[SETTINGS_KEY]
    if not settings.widget_demo_page:
        raise web.HTTPNotFound()
    socket = socket_url(settings, request)
    origin = urlsplit(socket)
    ws_scheme = "wss" if origin.scheme == "https" else "ws"
    connect = f"{origin.scheme}://{origin.netloc} {ws_scheme}://{origin.netloc}"
    return page(
        "intranet.html",
        csp=(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {connect}; frame-ancestors 'none'; base-uri 'none'"
        ),
        socket_url=socket,
        token=demo_token(settings),
        widget_title=WIDGET_TITLE,
    )


#: In this order: ``/widget/demo-token`` before the assets' ``/widget/{name}``.
routes = [
    web.get("/", demo_page),
    web.get("/widget/demo-token", demo_token_view),
    web.get("/widget/{name}", widget_asset),
]
