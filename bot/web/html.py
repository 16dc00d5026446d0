"""The one way the web app makes HTML, and the one set of security headers.

Pages are Jinja2 templates in ``bot/web/templates/`` (autoescaped, so every dynamic text is
escaped by construction) that extend one page shell, ``base.html``. Every HTML, calendar,
CSV or PDF response that is private to its visitor carries :data:`PRIVATE_HEADERS`: never
cached, indexed, framed, sniffed or sent on as a referrer. Only the Content-Security-Policy
differs per page (inline styles on the sheet, the Rasa socket on the demo page).
"""

from __future__ import annotations

from pathlib import Path

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

PRIVATE_HEADERS: dict[str, str] = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

#: For responses that are no page (calendar files, CSV, JSON errors): nothing may run.
CSP_NOTHING = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
#: The preparation sheet: its stylesheet is inline, it has no form.
CSP_SHEET = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
#: The booking e-mail page: inline styles, a form that posts to itself.
CSP_EMAIL_FORM = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"
#: The dashboard: its own stylesheet, inline SVG charts, forms to itself, no script at all.
CSP_DASHBOARD = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render(name: str, **context: object) -> str:
    """The template ``name`` filled with ``context`` (escaped unless marked safe)."""
    return ENVIRONMENT.get_template(name).render(**context)


def private_headers(csp: str = CSP_NOTHING, **extra: str) -> dict[str, str]:
    """The common private headers with this response's policy and any extra headers."""
    return {**PRIVATE_HEADERS, "Content-Security-Policy": csp, **extra}


def page(name: str, *, csp: str, status: int = 200, **context: object) -> web.Response:
    """A private HTML response from the template ``name``."""
    return web.Response(
        text=render(name, **context),
        status=status,
        content_type="text/html",
        charset="utf-8",
        headers=private_headers(csp),
    )
