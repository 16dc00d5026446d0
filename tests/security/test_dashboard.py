"""Attacks on the coordinators' dashboard (issue 14, item 7), against the real web app.

One test per threat, named after it (docs/security.md: threat | defence | test):

- watching one person: a single event in the running week changes a visible number;
- a stranger locks a coordinator out with wrong passwords;
- a forged X-Forwarded-For escapes the lockout;
- many clients guess one account's password;
- parallel wrong passwords race past the limit;
- parallel wrong passwords exhaust the CPU (argon2);
- a cookie replayed after logout, a new password or disabling still works.

Each runs on SQLite and PostgreSQL (skipped when PostgreSQL is not reachable, as in the
ledger tests), through the aiohttp app that `make run` serves.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select, text
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger.vouchers import request_voucher
from bot.trends import accounts
from bot.trends import events as ev
from bot.trends.models import DashboardLoginThrottle, DashboardSession
from bot.trends.recorder import add_trend_event
from bot.trends.views import PAGES
from bot.web.app import init_app
from bot.web.routes.dashboard import COOKIE_NAME
from tests.ledger.support import BACKENDS, basic_data, load
from tests.trends.support import (
    CSRF,
    SESSION_KEY,
    THIS_WEEK,
    csrf_of,
    dashboard_settings,
    login,
    make_accounts,
    seed_events,
)

pytest_plugins = ["tests.ledger.support"]
pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

STRANGER = "203.0.113.7"
COORDINATOR_DESK = "198.51.100.20"
WRONG = "fout-wachtwoord-123"


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> str:
    load(sessions, basic_data())
    make_accounts(sessions)
    seed_events(sessions)
    return database_url


def behind_proxy(world: str, **overrides: Any) -> Any:
    """The app as deployed behind a reverse proxy on 127.0.0.1 (X-Forwarded-For believed)."""
    settings = dashboard_settings(world, dashboard_trusted_proxies=("127.0.0.1",), **overrides)
    return init_app(settings)


class VerifyCounter:
    """Counts argon2 password checks (and how many ran at once) in the real login path."""

    def __init__(self, original: Any, pause: float = 0.0) -> None:
        self.original, self.pause = original, pause
        self.calls = self.active = self.peak = 0
        self._lock = threading.Lock()

    def __call__(self, hash_value: str, password: str) -> bool:
        with self._lock:
            self.calls += 1
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            if self.pause:
                time.sleep(self.pause)
            return self.original(hash_value, password)
        finally:
            with self._lock:
                self.active -= 1


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> VerifyCounter:
    counter = VerifyCounter(accounts._verify, pause=0.05)
    monkeypatch.setattr(accounts, "_verify", counter)
    return counter


def _visible(body: str) -> str:
    """A page without its per-session CSRF token: what a coordinator can read."""
    return CSRF.sub("", body)


async def _everything_visible(client: Any) -> dict[str, str]:
    seen: dict[str, str] = {}
    for slug in PAGES:
        for municipality in ("alle", "GM9901"):
            for suffix in ("", ".csv"):
                # the default (the last completed quarter), and per week and per month
                for period in ("", "&periode=week", "&periode=maand"):
                    path = f"/dashboard/{slug}{suffix}?gemeente={municipality}{period}"
                    response = await client.get(path)
                    assert response.status == 200, path
                    seen[path] = _visible((await response.read()).decode("utf-8-sig"))
    return seen


# --- Watching one person --------------------------------------------------------------------


async def test_single_event_in_the_running_week_changes_no_visible_number(
    aiohttp_client: Any, world: str, sessions: sessionmaker
) -> None:
    # GM9901 has 4 conversations in the running week: one more would make a visible 5.
    seed_events(sessions, (("GM9901", THIS_WEEK, ev.CONVERSATION_STARTED, ev.NO_CATEGORY, 4),))
    # 4 vouchers before this week: the 5th moves the remaining budget into the next band.
    last_week_monday = utcnow() - timedelta(days=7)
    with sessions() as session:
        for number in range(4):
            run_in_transaction(
                session,
                request_voucher,
                municipality_code="GM9901",
                employee_key=f"k1_earlier{number:04d}",
                now=last_week_monday,
                valid_days=365,
                actor="test",
            )
    client = await aiohttp_client(init_app(dashboard_settings(world)))
    assert (await login(client, "programma")).status == 303
    before = await _everything_visible(client)
    assert "< 5" in before["/dashboard/overzicht.csv?gemeente=GM9901&periode=week"]

    # One person acts in the running week: a conversation, a voucher, a new municipality.
    with sessions() as session:
        run_in_transaction(
            session, add_trend_event, event_type=ev.CONVERSATION_STARTED, municipality="GM9901"
        )
        run_in_transaction(
            session, add_trend_event, event_type=ev.CONVERSATION_STARTED, municipality="GM9977"
        )
        run_in_transaction(
            session,
            request_voucher,
            municipality_code="GM9901",
            employee_key="k1_thisweek0001",
            now=utcnow(),
            valid_days=365,
            actor="test",
        )
    after = await _everything_visible(client)
    for path, body in before.items():
        assert after[path] == body, f"{path} changed after one action in the running week"
    assert "GM9977" not in after["/dashboard/overzicht?gemeente=alle"]

    # Asking for the running week explicitly gets a Dutch refusal and no figures.
    for suffix in ("", ".csv"):
        response = await client.get(f"/dashboard/overzicht{suffix}?tot={THIS_WEEK}")
        body = await response.text()
        assert response.status == 400 and "loopt nog" in body
        assert "Gesprekken" not in body


# --- Lockout by a stranger ------------------------------------------------------------------


async def test_stranger_cannot_lock_a_coordinator_out(
    aiohttp_client: Any, world: str, sessions: sessionmaker, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await aiohttp_client(behind_proxy(world))
    statuses = [
        (await login(client, "coord-gm9901", WRONG, address=STRANGER)).status for _ in range(8)
    ]
    assert statuses[:2] == [401, 401] and set(statuses[2:]) == {429}  # the stranger is throttled
    # ... also with the right password, and for other names, from that client
    assert (await login(client, "coord-gm9901", address=STRANGER)).status == 429

    # The coordinator at their own desk still gets in, and sees their dashboard.
    client.session.cookie_jar.clear()
    assert (await login(client, "coord-gm9901", address=COORDINATOR_DESK)).status == 303
    assert (await client.get("/dashboard/overzicht")).status == 200

    # No raw address is stored or logged.
    with sessions() as session:
        stored = json.dumps(
            [list(row) for row in session.execute(select(DashboardLoginThrottle.__table__)).all()],
            default=str,
        )
    assert STRANGER not in stored and COORDINATOR_DESK not in stored
    assert STRANGER not in caplog.text and COORDINATOR_DESK not in caplog.text


async def test_stranger_spraying_many_names_is_locked_per_client(
    aiohttp_client: Any, world: str
) -> None:
    client = await aiohttp_client(behind_proxy(world, dashboard_client_max_failures=6))
    statuses = [
        (await login(client, f"naam-{number:02d}", WRONG, address=STRANGER)).status
        for number in range(10)
    ]
    assert statuses[:5] == [401] * 5 and set(statuses[6:]) == {429}
    assert (await login(client, "programma", address=STRANGER)).status == 429
    client.session.cookie_jar.clear()
    assert (await login(client, "programma", address=COORDINATOR_DESK)).status == 303


async def test_forged_forwarded_for_does_not_escape_the_lockout(
    aiohttp_client: Any, world: str
) -> None:
    # No trusted proxy: X-Forwarded-For is the attacker's own words and is ignored.
    client = await aiohttp_client(init_app(dashboard_settings(world)))
    statuses = [
        (await login(client, "programma", WRONG, address=f"192.0.2.{number}")).status
        for number in range(1, 7)
    ]
    assert set(statuses[2:]) == {429}
    # Behind the trusted proxy, a hop the attacker prepends does not count either.
    proxied = await aiohttp_client(behind_proxy(world))
    statuses = [
        (await login(proxied, "coord-gm9903", WRONG, address=f"10.9.9.{n}, {STRANGER}")).status
        for n in range(1, 7)
    ]
    assert set(statuses[2:]) == {429}


async def test_many_clients_guessing_one_account_get_one_try_each(
    aiohttp_client: Any, world: str, verifications: VerifyCounter
) -> None:
    client = await aiohttp_client(
        behind_proxy(world, dashboard_max_failures=3, dashboard_account_max_failures=6)
    )
    for number in range(1, 4):  # 3 clients x 2 wrong passwords: the account limit is reached
        for _ in range(2):
            response = await login(client, "programma", WRONG, address=f"10.0.0.{number}")
            assert response.status in (401, 429)
    before = verifications.calls
    again = await login(client, "programma", WRONG, address="10.0.0.1")
    assert again.status == 429 and verifications.calls == before  # no argon2 work at all
    fresh = await login(client, "programma", WRONG, address="10.0.0.99")
    assert fresh.status == 401  # a new client: exactly one try
    assert (await login(client, "programma", WRONG, address="10.0.0.99")).status == 429
    client.session.cookie_jar.clear()
    assert (await login(client, "programma", address=COORDINATOR_DESK)).status == 303


# --- Parallel wrong passwords ---------------------------------------------------------------


async def test_parallel_wrong_passwords_do_not_exceed_the_limit(
    aiohttp_client: Any, world: str, sessions: sessionmaker, verifications: VerifyCounter
) -> None:
    client = await aiohttp_client(init_app(dashboard_settings(world, dashboard_max_failures=3)))
    token = await csrf_of(client)

    async def attempt() -> int:
        response = await client.post(
            "/dashboard/login",
            data={"username": "programma", "password": WRONG, "csrf_token": token},
            allow_redirects=False,
        )
        return response.status

    statuses = await asyncio.gather(*(attempt() for _ in range(20)))
    assert verifications.calls <= 3, f"{verifications.calls} passwords checked, limit 3"
    assert sorted(set(statuses)) in ([401, 429], [429])
    assert statuses.count(401) <= 2
    with sessions() as session:
        counts = (
            session.execute(
                select(DashboardLoginThrottle.failures).where(
                    DashboardLoginThrottle.scope != "client"
                )
            )
            .scalars()
            .all()
        )
    assert counts and max(counts) <= 3  # the account's counters never pass the limit
    assert (await login(client, "programma")).status == 429  # still locked for this client


async def test_parallel_wrong_passwords_cannot_exhaust_the_cpu(
    aiohttp_client: Any, world: str, verifications: VerifyCounter
) -> None:
    client = await aiohttp_client(
        behind_proxy(world, dashboard_login_concurrency=2, dashboard_logins_per_minute=5)
    )
    tokens = [await csrf_of(client, headers={"X-Forwarded-For": f"10.1.0.{n}"}) for n in range(12)]

    async def attempt(number: int) -> Any:
        return await client.post(
            "/dashboard/login",
            data={"username": f"naam-{number:02d}", "password": WRONG, "csrf_token": tokens[-1]},
            headers={"X-Forwarded-For": f"10.1.0.{number}"},
            allow_redirects=False,
        )

    responses = await asyncio.gather(*(attempt(number) for number in range(12)))
    assert verifications.calls <= 5 and verifications.peak <= 2
    busy = [response for response in responses if response.status == 503]
    assert len(busy) >= 7
    assert "heel vaak" in await busy[0].text() and busy[0].headers["Retry-After"] == "60"


# --- Replayed cookies -----------------------------------------------------------------------


def _cookie(client: Any) -> str:
    cookies = {cookie.key: cookie.value for cookie in client.session.cookie_jar}
    return cookies[COOKIE_NAME]


@dataclass(frozen=True)
class Replayed:
    status: int
    location: str
    body: str


async def _replay(client: Any, cookie: str, *, follow: bool = False) -> Replayed:
    """The copied cookie, sent from another browser that has nothing else."""
    jar = aiohttp.DummyCookieJar()
    async with (
        aiohttp.ClientSession(cookie_jar=jar) as browser,
        browser.get(
            client.make_url("/dashboard/overzicht"),
            headers={"Cookie": f"{COOKIE_NAME}={cookie}"},
            allow_redirects=follow,
        ) as response,
    ):
        return Replayed(
            response.status, response.headers.get("Location", ""), await response.text()
        )


async def test_cookie_replayed_after_logout_password_change_or_disabling_is_refused(
    aiohttp_client: Any, world: str, sessions: sessionmaker
) -> None:
    client = await aiohttp_client(init_app(dashboard_settings(world)))

    assert (await login(client, "programma")).status == 303
    cookie = _cookie(client)
    assert (await _replay(client, cookie)).status == 200  # the replay itself works...

    # ... until logout: then the same cookie gets the login page.
    token = await csrf_of(client, "/dashboard/overzicht")
    logout = await client.post(
        "/dashboard/logout", data={"csrf_token": token}, allow_redirects=False
    )
    assert logout.status == 303
    replayed = await _replay(client, cookie)
    assert replayed.status == 303 and replayed.location == "/dashboard/login"
    followed = await _replay(client, cookie, follow=True)
    assert "<h1>Inloggen</h1>" in followed.body

    async def fresh_cookie(username: str) -> str:
        client.session.cookie_jar.clear()
        assert (await login(client, username)).status == 303
        return _cookie(client)

    # A new password ends every session of the account, in every browser.
    first, second = await fresh_cookie("programma"), await fresh_cookie("programma")
    sid = json.loads(Fernet(SESSION_KEY.encode()).decrypt(first.encode()))["session"]["sid"]
    with sessions() as session:
        stored = set(session.execute(select(DashboardSession.token_hash)).scalars())
    assert hashlib.sha256(sid.encode()).hexdigest() in stored and sid not in stored
    with sessions() as session:
        run_in_transaction(
            session, accounts.set_password, username="programma", password="een-ander-wachtwoord"
        )
    assert (await _replay(client, first)).status == 303
    assert (await _replay(client, second)).status == 303

    # Disabling does too (and enabling again does not bring old sessions back).
    disabled = await fresh_cookie("coord-gm9901")
    with sessions() as session:
        run_in_transaction(session, accounts.set_active, username="coord-gm9901", active=False)
        run_in_transaction(session, accounts.set_active, username="coord-gm9901", active=True)
    assert (await _replay(client, disabled)).status == 303
    with sessions() as session:
        left = session.execute(text("SELECT count(*) FROM dashboard_sessions")).scalar_one()
    assert left == 0
