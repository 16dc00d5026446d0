"""Shared helpers for the dashboard tests: accounts, seeded trend events, the app."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import Settings, load_settings
from bot.db.engine import run_in_transaction
from bot.trends import accounts
from bot.trends import events as ev
from bot.trends import periods as pe
from bot.trends.models import ROLE_MUNICIPAL, ROLE_PROGRAMME, TrendEvent
from bot.trends.recorder import current_week
from bot.trends.weeks import shift

PASSWORD = "een-lang-testwachtwoord"
SESSION_KEY = Fernet.generate_key().decode()
#: The running week: never shown on the dashboard (only completed weeks are).
THIS_WEEK = current_week()
#: The newest week the dashboard shows, and the one before it.
LAST_WEEK = shift(THIS_WEEK, -1)
EARLIER_WEEK = shift(THIS_WEEK, -2)
#: The quarter the dashboard opens on, and its weeks.
LAST_QUARTER = pe.last_completed(pe.KIND_QUARTER, THIS_WEEK)
QUARTER_WEEKS = pe.weeks_in_quarter(LAST_QUARTER)
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def dashboard_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        database_url=database_url,
        ledger_housekeeping_minutes=0,
        trends_housekeeping_minutes=0,
        dashboard_session_key=SESSION_KEY,
        dashboard_max_failures=3,
        dashboard_lockout_minutes=15,
    )
    values.update(overrides)
    return dataclasses.replace(load_settings(), **values)


def make_accounts(sessions: sessionmaker) -> None:
    with sessions() as session:
        for username, role, municipality in (
            ("programma", ROLE_PROGRAMME, None),
            ("coord-gm9901", ROLE_MUNICIPAL, "GM9901"),
            ("coord-gm9903", ROLE_MUNICIPAL, "GM9903"),
        ):
            run_in_transaction(
                session,
                accounts.create_account,
                username=username,
                password=PASSWORD,
                role=role,
                municipality=municipality,
                now=utcnow(),
            )


#: (municipality, week, event type, category, count): some cells at or over 5, some under,
#: all in completed weeks (the running week is never shown).
SEED: tuple[tuple[str, str, str, str, int], ...] = (
    ("GM9901", LAST_WEEK, ev.CONVERSATION_STARTED, ev.NO_CATEGORY, 9),
    ("GM9901", EARLIER_WEEK, ev.CONVERSATION_STARTED, ev.NO_CATEGORY, 6),
    ("GM9903", LAST_WEEK, ev.CONVERSATION_STARTED, ev.NO_CATEGORY, 3),
    ("GM9901", LAST_WEEK, ev.SCAN_COMPLETED, "verbreden", 7),
    ("GM9901", LAST_WEEK, ev.SCAN_COMPLETED, "buiten", 2),
    ("GM9903", LAST_WEEK, ev.SCAN_COMPLETED, "verdiepen", 11),
    ("GM9901", LAST_WEEK, ev.BARRIER_RAISED, "tijd", 5),
    ("GM9901", LAST_WEEK, ev.BARRIER_RAISED, "geld", 1),
    ("GM9901", LAST_WEEK, ev.FALLBACK, "faq/evc", 6),
    ("GM9901", LAST_WEEK, ev.VOUCHER_ISSUED, ev.NO_CATEGORY, 5),
)


def pilot_rows() -> tuple[tuple[str, str, str, str, int], ...]:
    """A pilot in the last completed quarter: two conversations a week in GM9901 (never 5 in
    a week), one workshop a week in Limburg; GM9903 has one conversation in the quarter."""
    rows: list[tuple[str, str, str, str, int]] = []
    for index, week in enumerate(QUARTER_WEEKS):
        rows.append(("GM9901", week, ev.CONVERSATION_STARTED, ev.NO_CATEGORY, 2))
        rows.append(("GM9901", week, ev.WORKSHOP_ATTENDED, "talenten/limburg", 1))
        if index % 2 == 0:
            rows.append(("GM9901", week, ev.OPPORTUNITY_VIEWED, "meeloopstage", 1))
    rows.append(("GM9903", QUARTER_WEEKS[0], ev.CONVERSATION_STARTED, ev.NO_CATEGORY, 1))
    return tuple(rows)


def seed_events(sessions: sessionmaker, rows: tuple = SEED) -> None:
    with sessions() as session:
        for municipality, week, kind, category, count in rows:
            session.add_all(
                TrendEvent(week=week, municipality=municipality, event_type=kind, category=category)
                for _ in range(count)
            )
        session.commit()


async def csrf_of(client: Any, path: str = "/dashboard/login", **kwargs: Any) -> str:
    page = await client.get(path, **kwargs)
    found = CSRF.search(await page.text())
    assert found, "every form carries a CSRF token"
    return found.group(1)


async def login(
    client: Any, username: str, password: str = PASSWORD, *, address: str | None = None
) -> Any:
    """Logs in through the real form; ``address`` poses as that client behind a trusted
    proxy (X-Forwarded-For, only believed when the app trusts 127.0.0.1)."""
    headers = {"X-Forwarded-For": address} if address else {}
    token = await csrf_of(client, headers=headers)
    return await client.post(
        "/dashboard/login",
        data={"username": username, "password": password, "csrf_token": token},
        headers=headers,
        allow_redirects=False,
    )
