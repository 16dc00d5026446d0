"""The dashboard through the real aiohttp app: login, roles, URL editing, export, CSRF,
cookie flags, lockout and bad input."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from bot.trends.dashboard import client_address, wants_secure_cookie
from bot.web.app import init_app
from bot.web.routes.dashboard import COOKIE_NAME
from tests.ledger.support import basic_data, load
from tests.trends.support import (
    LAST_WEEK,
    PASSWORD,
    THIS_WEEK,
    csrf_of,
    dashboard_settings,
    login,
    make_accounts,
    seed_events,
)

pytest_plugins = ["tests.ledger.support"]


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> str:
    load(sessions, basic_data())
    make_accounts(sessions)
    seed_events(sessions)
    return database_url


@pytest.fixture
async def client(aiohttp_client: Any, world: str) -> Any:
    return await aiohttp_client(init_app(dashboard_settings(world)))


async def test_pages_need_a_login(client: Any) -> None:
    for path in ("/dashboard/overzicht", "/dashboard/richtingen.csv", "/dashboard/"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"].startswith("/dashboard/")
    followed = await client.get("/dashboard/overzicht")
    assert "Inloggen" in await followed.text()


async def test_login_sets_a_safe_cookie_and_shows_the_overview(client: Any) -> None:
    response = await login(client, "programma")
    assert response.status == 303
    cookie = response.headers.getall("Set-Cookie")
    ours = [line for line in cookie if line.startswith(COOKIE_NAME + "=")]
    assert ours
    flags = ours[-1].lower()
    assert "httponly" in flags and "samesite=strict" in flags and "path=/dashboard" in flags
    assert "secure" not in flags  # plain http in this test, no trusted proxy
    page = await client.get("/dashboard/overzicht")
    html = await page.text()
    assert page.status == 200
    assert 'role="img"' in html and "<title id=" in html and "<table>" in html
    assert "Gesprekken" in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


async def test_wrong_password_is_refused_in_dutch(client: Any) -> None:
    response = await login(client, "programma", "fout-wachtwoord-123")
    assert response.status == 401
    text = await response.text()
    assert "Controleer je gebruikersnaam en wachtwoord" in text
    unknown = await login(client, "bestaat-niet", "fout-wachtwoord-123")
    assert unknown.status == 401 and "Controleer je gebruikersnaam" in await unknown.text()


async def test_lockout_after_repeated_failures(client: Any) -> None:
    for _ in range(2):
        assert (await login(client, "programma", "fout-wachtwoord-123")).status == 401
    locked = await login(client, "programma", "fout-wachtwoord-123")
    assert locked.status == 429 and "geblokkeerd" in await locked.text()
    still = await login(client, "programma")  # the right password does not help now
    assert still.status == 429
    assert (await client.get("/dashboard/overzicht", allow_redirects=False)).status == 303


async def test_missing_or_wrong_csrf_token_is_refused(client: Any) -> None:
    await csrf_of(client)
    no_token = await client.post(
        "/dashboard/login", data={"username": "programma", "password": PASSWORD}
    )
    assert no_token.status == 403 and "formulier is verlopen" in await no_token.text()
    wrong = await client.post(
        "/dashboard/login",
        data={"username": "programma", "password": PASSWORD, "csrf_token": "x" * 43},
    )
    assert wrong.status == 403
    assert (await login(client, "programma")).status == 303
    logout_without = await client.post("/dashboard/logout", data={})
    assert logout_without.status == 403
    assert (await client.get("/dashboard/overzicht")).status == 200  # still logged in


async def test_logout_ends_the_session(client: Any) -> None:
    await login(client, "programma")
    token = await csrf_of(client, "/dashboard/overzicht")
    response = await client.post(
        "/dashboard/logout", data={"csrf_token": token}, allow_redirects=False
    )
    assert response.status == 303
    assert (await client.get("/dashboard/overzicht", allow_redirects=False)).status == 303


async def test_forged_cookie_is_a_logged_out_visitor(client: Any) -> None:
    client.session.cookie_jar.update_cookies({COOKIE_NAME: "gAAAAAforged-cookie-value"})
    response = await client.get("/dashboard/overzicht", allow_redirects=False)
    assert response.status == 303


async def test_municipal_coordinator_sees_only_own_municipality(client: Any) -> None:
    await login(client, "coord-gm9903")
    own = await client.get("/dashboard/overzicht")
    html = await own.text()
    assert own.status == 200
    assert "GM9901" not in html and "Voorbeeldstad" not in html
    # GM9903 had 3 conversations: shown as "< 5"
    assert "&lt; 5" in html
    for path in (
        "/dashboard/overzicht?gemeente=GM9901",
        "/dashboard/overzicht.csv?gemeente=GM9901",
        "/dashboard/richtingen?gemeente=alle",
        "/dashboard/richtingen.csv?gemeente=ALLE",
    ):
        response = await client.get(path)
        text = await response.text()
        assert response.status == 403, path
        assert "eigen gemeente" in text
        assert "Verbreden" not in text and "Verdiepen" not in text


async def test_programme_coordinator_sees_all_and_per_municipality(client: Any) -> None:
    await login(client, "programma")
    page = await client.get("/dashboard/overzicht?gemeente=alle")
    html = await page.text()
    assert "Per gemeente" in html and "Gemeente Voorbeeldstad (GM9901)" in html
    one = await client.get("/dashboard/richtingen?gemeente=GM9903")
    assert one.status == 200 and "Verdiepen" in await one.text()


async def test_csv_export_has_the_same_suppression(client: Any) -> None:
    await login(client, "programma")
    response = await client.get(f"/dashboard/richtingen.csv?gemeente=alle&van={LAST_WEEK}")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    body = (await response.read()).decode("utf-8-sig")
    rows = {line.split(";")[0]: line.split(";")[1:] for line in body.splitlines() if line}
    assert rows["Verdiepen"] == ["11"]
    assert rows["Verbreden"] == ["7"]
    assert rows["Buiten de deur"] == ["< 5"]  # 2 scans: hidden, and not in the total
    assert rows["Totaal"] == ["18"]
    barriers = (await (await client.get("/dashboard/drempels.csv?periode=week")).read()).decode(
        "utf-8-sig"
    )
    assert "Geen tijd;5" in barriers and "Kosten;< 5" in barriers


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("van=2026-W99", "geldige week"),
        ("van=gisteren", "geldige week"),
        ("van=2026-W10&tot=2026-W02", "voor de laatste week"),
        ("van=2018-W01", "geldige week"),
        ("tot=2099-W01", "nog niet geweest"),
        (f"tot={THIS_WEEK}", "loopt nog"),
        (f"van={THIS_WEEK}", "voor de laatste week"),
        ("van=2019-W01", "hoogstens 104 weken"),
        ("gemeente=GM0000", "kennen we niet"),
        ("gemeente=GM9901%27%20OR%201%3D1--", "kennen we niet"),
        ("van=2026-W01%27%3B%20DROP%20TABLE%20trend_events%3B--", "geldige week"),
    ],
)
async def test_bad_filters_give_a_clear_answer_and_no_data(
    client: Any, query: str, expected: str
) -> None:
    await login(client, "programma")
    for suffix in ("", ".csv"):
        response = await client.get(f"/dashboard/overzicht{suffix}?{query}")
        text = await response.text()
        assert response.status in (400, 403), (query, suffix)
        assert expected in text
        assert "Per week" not in text and "Gesprekken;" not in text
    assert (await client.get("/dashboard/overzicht")).status == 200  # table still there


async def test_the_page_says_which_period_is_shown(client: Any) -> None:
    await login(client, "programma")
    html = await (await client.get("/dashboard/overzicht?periode=week")).text()
    assert f"tot en met\n<strong>{LAST_WEEK}</strong>" in html
    assert f"De lopende week ({THIS_WEEK})" in html and "zodra hij voorbij is" in html
    assert f'name="tot" value="{LAST_WEEK}"' in html


async def test_unknown_page_is_a_dutch_404(client: Any) -> None:
    await login(client, "programma")
    response = await client.get("/dashboard/personen")
    assert response.status == 404 and "bestaat niet" in await response.text()


async def test_disabled_account_loses_its_session(client: Any, world: str) -> None:
    from bot.db.engine import make_engine, make_session_factory, run_in_transaction
    from bot.trends import accounts

    await login(client, "coord-gm9901")
    assert (await client.get("/dashboard/overzicht")).status == 200
    engine = make_engine(world)
    with make_session_factory(engine)() as session:
        run_in_transaction(session, accounts.set_active, username="coord-gm9901", active=False)
    engine.dispose()
    assert (await client.get("/dashboard/overzicht", allow_redirects=False)).status == 303
    assert (await login(client, "coord-gm9901")).status == 401


async def test_secure_flag_behind_a_trusted_proxy(aiohttp_client: Any, world: str) -> None:
    app = init_app(dashboard_settings(world, dashboard_trusted_proxies=("127.0.0.1",)))
    client = await aiohttp_client(app)
    page = await client.get("/dashboard/login", headers={"X-Forwarded-Proto": "https"})
    ours = [c for c in page.headers.getall("Set-Cookie") if c.startswith(COOKIE_NAME)]
    assert ours and "secure" in ours[-1].lower()


def test_secure_cookie_rule() -> None:
    assert wants_secure_cookie("auto", "https", "10.0.0.1", None, ())
    assert not wants_secure_cookie("auto", "http", "10.0.0.9", "https", ("10.0.0.1",))
    assert wants_secure_cookie("auto", "http", "10.0.0.1", "https", ("10.0.0.1",))
    assert wants_secure_cookie("true", "http", None, None, ())
    assert not wants_secure_cookie("false", "https", None, None, ())


def test_client_address_rule() -> None:
    trusted = ("10.0.0.1",)
    assert client_address("192.0.2.5", "203.0.113.7", trusted) == "192.0.2.5"  # not a proxy
    assert client_address("10.0.0.1", "203.0.113.7", trusted) == "203.0.113.7"
    # the right-most hop that is not ours: what a client writes in front does not count
    assert client_address("10.0.0.1", "1.2.3.4, 203.0.113.7", trusted) == "203.0.113.7"
    assert client_address("10.0.0.1", "203.0.113.7, 10.0.0.1", trusted) == "203.0.113.7"
    assert client_address("10.0.0.1", "not-an-address", trusted) == "10.0.0.1"
    assert client_address("10.0.0.1", None, trusted) == "10.0.0.1"
    assert client_address(None, "203.0.113.7", trusted) == "unknown"


async def test_housekeeping_purges_expired_sessions(client: Any, world: str) -> None:
    from sqlalchemy import update

    from bot.clock import utcnow
    from bot.db.engine import make_engine, make_session_factory
    from bot.trends.dashboard import housekeeping_once
    from bot.trends.models import DashboardSession

    await login(client, "programma")
    engine = make_engine(world)
    factory = make_session_factory(engine)
    try:
        with factory() as session:
            past = utcnow() - timedelta(hours=2)
            session.execute(
                update(DashboardSession).values(
                    created_at=past - timedelta(hours=1), expires_at=past
                )
            )
            session.commit()
        # an expired session is a logged-out visitor even before the purge ...
        assert (await client.get("/dashboard/overzicht", allow_redirects=False)).status == 303
        await asyncio.to_thread(housekeeping_once, factory, dashboard_settings(world))
        with factory() as session:
            assert session.query(DashboardSession).count() == 0  # ... and then it is gone
    finally:
        engine.dispose()


async def test_demo_data_shows_numbers(aiohttp_client: Any, database_url: str) -> None:
    """`make run` loads the demo: its default page must show figures, not only "< 5"."""
    from bot.clock import utcnow
    from bot.db.engine import make_engine, make_session_factory
    from bot.trends.demo import DEMO_PROGRAMME_USER, seed_demo

    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        passwords = seed_demo(session, now=utcnow())
    engine.dispose()
    assert passwords
    client = await aiohttp_client(init_app(dashboard_settings(database_url)))
    response = await login(client, DEMO_PROGRAMME_USER, passwords[DEMO_PROGRAMME_USER])
    assert response.status == 303
    body = (await (await client.get("/dashboard/overzicht.csv?periode=week")).read()).decode(
        "utf-8-sig"
    )
    rows = {line.split(";")[0]: line.split(";")[1:] for line in body.splitlines() if line}
    assert rows[LAST_WEEK][0].isdigit() and int(rows[LAST_WEEK][0]) >= 5
    assert THIS_WEEK not in rows
