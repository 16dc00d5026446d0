"""The preparation sheet behind its link: printable HTML and PDF, no login.

The employee is anonymous, so the link itself is the key: 256 random bits, expiring. An
unknown, expired or malformed link gets the same Dutch 404 page, so a visitor learns nothing
about which links exist. Pages are never cached, indexed or sent on as a referrer.
"""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from aiohttp import web

from bot.config import Settings
from bot.preparation.sheet import TITLE, Sheet, meta_line, page_note, page_sections, render_pdf
from bot.preparation.store import delete_expired, load_sheet
from bot.web.database import in_session
from bot.web.housekeeping import Job
from bot.web.html import CSP_SHEET, page, private_headers, render

NOT_FOUND_TITLE = "Deze voorbereiding is er niet (meer)"
NOT_FOUND_TEXT = (
    "De link is verlopen, gewist of niet helemaal goed overgenomen. "
    "Maak in de chat met Koers een nieuwe voorbereiding. Typ daar: gesprek voorbereiden."
)

routes = web.RouteTableDef()


def render_html(sheet: Sheet, pdf_url: str | None = None, expires_on: date | None = None) -> str:
    """A printable, self-contained HTML page (no scripts, every text escaped)."""
    return render(
        "sheet.html",
        title=TITLE,
        meta=meta_line(sheet),
        pdf_url=pdf_url,
        sections=page_sections(sheet),
        note=page_note(expires_on, sheet.party),
    )


def not_found_page() -> web.Response:
    return page(
        "not_found.html", csp=CSP_SHEET, status=404, title=NOT_FOUND_TITLE, text=NOT_FOUND_TEXT
    )


@routes.get("/voorbereiding/{token:[^/.]+}.pdf")
async def sheet_pdf(request: web.Request) -> web.Response:
    found = await in_session(request.app, load_sheet, token=request.match_info["token"])
    if found is None:
        return not_found_page()
    pdf = await asyncio.to_thread(render_pdf, found[0])
    return web.Response(
        body=pdf,
        content_type="application/pdf",
        headers=private_headers(
            CSP_SHEET, **{"Content-Disposition": 'attachment; filename="voorbereiding-gesprek.pdf"'}
        ),
    )


@routes.get("/voorbereiding/{token:[^/]*}")
async def sheet_html(request: web.Request) -> web.Response:
    token = request.match_info["token"]
    found = await in_session(request.app, load_sheet, token=token)
    if found is None:
        return not_found_page()
    sheet, expires_at = found
    text = render_html(
        sheet,
        pdf_url=f"/voorbereiding/{token}.pdf",
        expires_on=(expires_at - timedelta(seconds=1)).date(),
    )
    return web.Response(
        text=text, content_type="text/html", charset="utf-8", headers=private_headers(CSP_SHEET)
    )


async def _delete_expired_sheets(app: web.Application) -> None:
    await in_session(app, delete_expired)


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """Sheets past their expiry are deleted (on the ledger's housekeeping interval)."""
    return [
        Job(
            "expired preparation sheets",
            settings.ledger_housekeeping_minutes,
            _delete_expired_sheets,
        )
    ]
