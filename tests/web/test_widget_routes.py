"""The web app serves the widget bundle and the demo intranet page with a demo token."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.channels.widget.auth import parse_widget_keys, verify_widget_token
from bot.config import Settings
from bot.web.app import init_app
from bot.web.routes import widget as widget_views

SECRET = "gm9901-route-test-secret-0123456789abcdef"


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.html_lang: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts.append(dict(attrs))
        if tag == "html":
            self.html_lang = dict(attrs).get("lang")


def settings(tmp_path: Path, **overrides) -> Settings:
    base = Settings(
        database_url=f"sqlite:///{tmp_path / 'koers.db'}",
        widget_jwt_secrets=f"GM9901={SECRET}",
        ledger_housekeeping_minutes=0,
    )
    return dataclasses.replace(base, **overrides)


async def test_demo_page_embeds_the_widget_with_one_script_tag_and_a_valid_token(
    aiohttp_client, tmp_path: Path
) -> None:
    client = await aiohttp_client(init_app(settings(tmp_path, rasa_port=5999)))
    response = await client.get("/")
    assert response.status == 200
    page = await response.text()
    parsed = Scripts()
    parsed.feed(page)
    assert parsed.html_lang == "nl"
    assert "Gemeente Voorbeeld" in page
    assert [s["src"] for s in parsed.scripts] == ["/widget/koers-widget.js", "/widget/demo.js"]
    script = parsed.scripts[0]
    assert script["data-socket-url"] == "http://127.0.0.1:5999"
    keys = parse_widget_keys(f"GM9901={SECRET}", "")
    identity = verify_widget_token(script["data-token"] or "", keys)
    assert (identity.municipality, identity.subject) == ("GM9901", widget_views.DEMO_EMPLOYEE)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "ws://127.0.0.1:5999" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"


async def test_demo_page_without_a_secret_is_anonymous(aiohttp_client, tmp_path: Path) -> None:
    app = init_app(
        settings(tmp_path, widget_jwt_secrets="", widget_socket_url="https://chat.example")
    )
    client = await aiohttp_client(app)
    page = await (await client.get("/")).text()
    parsed = Scripts()
    parsed.feed(page)
    assert parsed.scripts[0]["data-token"] == ""
    assert parsed.scripts[0]["data-socket-url"] == "https://chat.example"
    assert "zonder token" in page


async def test_demo_page_can_be_turned_off(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(init_app(settings(tmp_path, widget_demo_page=False)))
    assert (await client.get("/")).status == 404


async def test_a_hostile_host_header_is_escaped(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(init_app(settings(tmp_path)))
    response = await client.get("/", headers={"Host": 'x"><script>alert(1)</script>'})
    page = await response.text()
    assert "<script>alert(1)</script>" not in page
    parsed = Scripts()
    parsed.feed(page)
    assert len(parsed.scripts) == 2  # the widget and the demo's token refresh


async def test_demo_token_endpoint_gives_a_fresh_valid_token(
    aiohttp_client, tmp_path: Path
) -> None:
    client = await aiohttp_client(init_app(settings(tmp_path)))
    response = await client.get("/widget/demo-token")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store"
    token = (await response.json())["token"]
    identity = verify_widget_token(token, parse_widget_keys(f"GM9901={SECRET}", ""))
    assert identity.subject == widget_views.DEMO_EMPLOYEE
    assert (await client.get("/widget/demo.js")).status == 200
    off = await aiohttp_client(init_app(settings(tmp_path, widget_demo_page=False)))
    assert (await off.get("/widget/demo-token")).status == 404
    anonymous = await aiohttp_client(init_app(settings(tmp_path, widget_jwt_secrets="")))
    assert (await anonymous.get("/widget/demo-token")).status == 404


async def test_demo_token_follows_the_token_rules(tmp_path: Path) -> None:
    strict = settings(
        tmp_path,
        widget_token_max_lifetime_seconds=900,
        widget_jwt_issuer="https://intranet.example",
    )
    token = widget_views.demo_token(strict)
    keys = parse_widget_keys(
        f"GM9901={SECRET}", "", max_lifetime_seconds=900, issuer="https://intranet.example"
    )
    assert verify_widget_token(token, keys).expires_at - int(time.time()) <= 900


async def test_widget_assets(aiohttp_client, tmp_path: Path, monkeypatch) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "koers-widget.js").write_text("console.log('koers');")
    monkeypatch.setitem(widget_views.ASSETS, "koers-widget.js", (dist, "text/javascript"))
    monkeypatch.setitem(widget_views.ASSETS, "koers-widget.css", (dist, "text/css"))
    client = await aiohttp_client(init_app(settings(tmp_path)))

    response = await client.get("/widget/koers-widget.js")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert await response.text() == "console.log('koers');"

    # not built yet: a clear 503, not a 500
    missing = await client.get("/widget/koers-widget.css")
    assert missing.status == 503 and "npm run build" in await missing.text()
    assert (await client.get("/widget/demo.css")).status == 200
    for name in ("other.js", "..%2Fbot%2Fconfig.py", "koers-widget.js.map"):
        assert (await client.get(f"/widget/{name}")).status == 404


@pytest.mark.parametrize("name", ["koers-widget.js", "koers-widget.css"])
def test_built_bundle_has_no_cdn_references(name: str) -> None:
    """The built assets (npm run build) load nothing from another site at run time."""
    path = widget_views.DIST_DIR / name
    if not path.is_file():
        if os.environ.get("CI"):
            pytest.fail("widget not built: scripts/setup.sh runs npm run build")
        pytest.skip("widget not built (npm run build)")
    text = path.read_text(encoding="utf-8")
    assert not re.search(r"https?://(cdn|unpkg|cdnjs|jsdelivr)", text)
