"""The preparation sheet behind its link: printable HTML and PDF, no login.

The employee is anonymous, so the link itself is the key: 256 random bits, expiring. An
unknown, expired or malformed link gets the same Dutch 404 page, so a visitor learns nothing
about which links exist. Pages are never cached, indexed or sent on as a referrer.
"""

from __future__ import annotations

import asyncio
import html
from datetime import timedelta

from aiohttp import web

from bot.preparation.sheet import render_html, render_pdf
from bot.preparation.store import load_sheet
from bot.web.ledger_views import LEDGER_SESSIONS_KEY

PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
        "frame-ancestors 'none'"
    ),
}
NOT_FOUND_TITLE = "Deze voorbereiding is er niet (meer)"
NOT_FOUND_TEXT = (
    "De link is verlopen, gewist of niet helemaal goed overgenomen. "
    "Maak in de chat met Koers een nieuwe voorbereiding. Typ daar: gesprek voorbereiden."
)


def not_found_page() -> web.Response:
    page = (
        '<!doctype html>\n<html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(NOT_FOUND_TITLE)}</title></head>"
        f"<body><main><h1>{html.escape(NOT_FOUND_TITLE)}</h1>"
        f"<p>{html.escape(NOT_FOUND_TEXT)}</p></main></body></html>\n"
    )
    return web.Response(
        text=page, status=404, content_type="text/html", charset="utf-8", headers=PRIVATE_HEADERS
    )


async def _load(request: web.Request, token: str):  # type: ignore[no-untyped-def]
    factory = request.app[LEDGER_SESSIONS_KEY]

    def job():  # type: ignore[no-untyped-def]
        with factory() as session:
            return load_sheet(session, token)

    return await asyncio.to_thread(job)


async def sheet_html(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    found = await _load(request, token)
    if found is None:
        return not_found_page()
    sheet, expires_at = found
    page = render_html(
        sheet,
        pdf_url=f"/voorbereiding/{token}.pdf",
        expires_on=(expires_at - timedelta(seconds=1)).date(),
    )
    return web.Response(
        text=page, content_type="text/html", charset="utf-8", headers=PRIVATE_HEADERS
    )


async def sheet_pdf(request: web.Request) -> web.Response:
    found = await _load(request, request.match_info["token"])
    if found is None:
        return not_found_page()
    pdf = await asyncio.to_thread(render_pdf, found[0])
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers={
            **PRIVATE_HEADERS,
            "Content-Disposition": 'attachment; filename="voorbereiding-gesprek.pdf"',
        },
    )


def setup_sheet_routes(app: web.Application) -> None:
    """Needs the app database sessions that ``setup_ledger_routes`` opens."""
    app.router.add_get("/voorbereiding/{token:[^/.]+}.pdf", sheet_pdf)
    app.router.add_get("/voorbereiding/{token:[^/]*}", sheet_html)
