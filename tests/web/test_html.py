"""One set of security headers on every private response of the web app, one page shell."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet

from bot.config import load_settings
from bot.web.app import init_app
from bot.web.html import PRIVATE_HEADERS, render

PRIVATE_PATHS = [
    "/",  # the demo intranet page
    "/voorbereiding/" + "A" * 43,  # an unknown sheet: the Dutch 404 page
    "/voorbereiding/" + "A" * 43 + ".pdf",
    "/bookings/unknown.ics",
    "/bookings/unknown/email",
    "/signups/unknown.ics",
    "/dashboard/login",
]


@pytest.mark.parametrize("path", PRIVATE_PATHS)
async def test_every_private_response_has_the_common_headers(
    aiohttp_client: Any, tmp_path: Path, path: str
) -> None:
    settings = dataclasses.replace(
        load_settings(),
        database_url=f"sqlite:///{tmp_path / 'koers.db'}",
        ledger_housekeeping_minutes=0,
        trends_housekeeping_minutes=0,
        dashboard_session_key=Fernet.generate_key().decode(),
    )
    client = await aiohttp_client(init_app(settings))
    response = await client.get(path)
    for name, value in PRIVATE_HEADERS.items():
        assert response.headers.get(name) == value, (path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "default-src" in policy and "unsafe-eval" not in policy
    if response.content_type == "text/html":
        page = await response.text()
        assert page.startswith("<!doctype html>") and '<html lang="nl">' in page


def test_templates_escape_every_text() -> None:
    page = render("not_found.html", title="<b>kop</b>", text="<script>x()</script>")
    assert "<script>" not in page and "&lt;script&gt;" in page and "&lt;b&gt;kop" in page
