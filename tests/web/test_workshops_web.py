"""The coordinators' page of the coming "Tap de toekomst" evenings through the real aiohttp
app: login needed, both roles see it, past evenings left out, no small sign-up counts to read
or work out, and no sign-up codes, voucher codes or employee keys in the HTML."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.db.engine import run_in_transaction
from bot.ledger import signups, vouchers
from bot.ledger.catalog import WORKSHOP_THEMES
from bot.ledger.codes import format_code
from bot.ledger.event_overview import availability, day_text, upcoming_events
from bot.ledger.models import Voucher, Workshop, WorkshopEvent, WorkshopSignup
from bot.web.app import init_app
from tests.ledger.support import BACKENDS, basic_data, load
from tests.trends.support import dashboard_settings, login, make_accounts

pytest_plugins = ["tests.ledger.support"]

PAGE = "/dashboard/workshops"
COMING = "Tap de toekomst Limburg (test)"
PAST = "Tap de toekomst Zeeland (voorbij, test)"
LEERHUIS = "Leerhuis Test"
TRAINER = "Trainingsbureau Test"
#: theme -> (places, seats to take, waiting): every case of the seat rule once.
FILL = {
    "talenten": (12, 2, 0),  # 10 free would reveal 2 sign-ups
    "gesprek": (2, 2, 1),  # full, one on the waiting list
    "presenteren": (8, 6, 0),  # 2 free: fewer than 5
    "financien": (12, 6, 0),  # 6 free, 6 taken: both shown safely
    "digitalisering": (10, 0, 0),  # nobody yet: all 10 free
}


def _event(name: str, region: str, town: str, in_days: int) -> dict[str, Any]:
    return {
        "name": name,
        "region": region,
        "venue": f"Zaal De Proef in {town} (fictief)",
        "town": town,
        "in_days": in_days,
        "weekday": "di",
        "sessions": [
            {
                "theme": theme,
                "provider": LEERHUIS if number % 2 == 0 else TRAINER,
                "time": "19:00" if number < 3 else "20:30",
                "end": "20:15" if number < 3 else "21:45",
                "places": places,
            }
            for number, (theme, (places, _taken, _waiting)) in enumerate(FILL.items())
        ],
    }


def _voucher(sessions: sessionmaker, employee_key: str) -> str:
    with sessions() as session:
        return run_in_transaction(
            session,
            vouchers.request_voucher,
            municipality_code="GM9901",
            employee_key=employee_key,
            now=utcnow(),
            valid_days=365,
            actor="test",
        ).voucher.code


def tap_world(sessions: sessionmaker) -> None:
    """Accounts, one coming evening filled as :data:`FILL` says, and one past evening."""
    load(sessions, basic_data(budget_vouchers=40))
    make_accounts(sessions)
    load(sessions, {"events": [_event(COMING, "Limburg", "Heuvelrand", 14)]})
    load(
        sessions,
        {"events": [_event(PAST, "Zeeland", "Zeedijk", 3)]},
        now=utcnow() - timedelta(days=40),
    )
    with sessions() as session:
        ids = dict(
            session.execute(
                select(Workshop.theme, Workshop.id)
                .join(WorkshopEvent, WorkshopEvent.id == Workshop.event_id)
                .where(WorkshopEvent.name == COMING)
            ).all()
        )
    number = 0
    for theme, (_places, taken, waiting) in FILL.items():
        for index in range(taken + waiting):
            number += 1
            employee = f"emp-{number:08d}"
            with sessions() as session:
                run_in_transaction(
                    session,
                    signups.sign_up,
                    workshop_id=ids[theme],
                    voucher_code=_voucher(sessions, employee),
                    employee_key=employee,
                    now=utcnow(),
                    join_waiting_list=index >= taken,
                )


class _Tables(HTMLParser):
    """Every table row as its cells' text, plus every table caption."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self.captions: list[str] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "caption":
            self._caption = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "caption" and self._caption is not None:
            self.captions.append(" ".join("".join(self._caption).split()))
            self._caption = None

    def handle_data(self, data: str) -> None:
        for part in (self._cell, self._caption):
            if part is not None:
                part.append(data)


def tables_of(html: str) -> _Tables:
    parser = _Tables()
    parser.feed(html)
    return parser


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> dict[str, Any]:
    tap_world(sessions)
    return {"url": database_url, "sessions": sessions}


@pytest.fixture
async def client(aiohttp_client: Any, world: dict[str, Any]) -> Any:
    return await aiohttp_client(init_app(dashboard_settings(world["url"])))


# --- The seat rule on its own -------------------------------------------------------------


@pytest.mark.parametrize(
    ("places", "taken", "status", "exact", "text"),
    [
        (12, 0, "Nog plaatsen", 12, "12"),
        (12, 2, "Nog plaatsen", None, "5 of meer plaatsen vrij"),
        (12, 4, "Nog plaatsen", None, "5 of meer plaatsen vrij"),
        (12, 5, "Nog plaatsen", 7, "7"),
        (12, 8, "Nog plaatsen", None, "minder dan 5 plaatsen vrij"),
        (12, 11, "Nog plaatsen", None, "minder dan 5 plaatsen vrij"),
        (12, 12, "Vol, wachtlijst", 0, "0"),
        (6, 2, "Nog plaatsen", None, "minder dan 5 plaatsen vrij"),
        (3, 0, "Nog plaatsen", None, "minder dan 5 plaatsen vrij"),
    ],
)
def test_the_seat_rule(places: int, taken: int, status: str, exact: Any, text: str) -> None:
    seen = availability(places, taken)
    assert (seen.status, seen.seats_left, seen.seats_text) == (status, exact, text)
    assert seen.full == (taken == places)


def test_no_small_sign_up_count_can_be_worked_out() -> None:
    for k in (3, 5, 7):
        for places in range(1, 40):
            for taken in range(places + 1):
                seen = availability(places, taken, k)
                if seen.seats_left is not None:
                    implied = places - seen.seats_left
                    assert implied == 0 or implied >= k or seen.full, (places, taken, k)
                    assert seen.seats_left == 0 or seen.seats_left >= k


def test_dutch_dates() -> None:
    assert day_text(datetime(2025, 10, 14).date()) == "dinsdag 14 oktober 2025"


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_upcoming_events_leave_out_past_evenings(world: dict[str, Any]) -> None:
    sessions = world["sessions"]
    with sessions() as session:
        day = session.execute(
            select(WorkshopEvent.event_date).where(WorkshopEvent.name == COMING)
        ).scalar_one()
        stored = session.execute(select(WorkshopEvent.name)).scalars().all()
        assert sorted(stored) == sorted([COMING, PAST])
        names = [row.name for row in upcoming_events(session, now=utcnow())]
        assert names == [COMING]
        evening = datetime.combine(day, time(18, 0), LOCAL_TZ)
        [row] = upcoming_events(session, now=evening)
        # by start, then in the programme's order of the themes
        assert [s.theme for s in row.sessions] == list(FILL)
        assert (row.sessions[0].starts, row.sessions[0].ends) == ("19:00", "20:15")
        # the evening is over once its last session has ended, and the day after it
        assert upcoming_events(session, now=datetime.combine(day, time(23, 0), LOCAL_TZ)) == []
        assert upcoming_events(session, now=evening + timedelta(days=1)) == []


# --- The page -------------------------------------------------------------------------------


async def test_the_page_needs_a_login(client: Any) -> None:
    response = await client.get(PAGE, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/dashboard/login"
    await login(client, "coord-gm9901", password="fout-wachtwoord-123")
    response = await client.get(PAGE, allow_redirects=False)
    assert response.status == 303


@pytest.mark.parametrize("username", ["coord-gm9901", "coord-gm9903", "programma"])
async def test_both_roles_see_the_coming_evenings(client: Any, username: str) -> None:
    await login(client, username)
    response = await client.get(PAGE, allow_redirects=False)
    html = await response.text()
    assert response.status == 200
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'")
    assert "<h1>Workshopavonden</h1>" in html
    assert 'aria-current="page">Workshopavonden' in html
    assert COMING in html and "Heuvelrand" in html and "Limburg" in html
    assert PAST not in html and "Zeedijk" not in html
    assert "niemand herkenbaar" in html
    parsed = tables_of(html)
    assert len(parsed.captions) == 1 and "Heuvelrand" in parsed.captions[0]
    assert parsed.rows[0] == [
        "Thema",
        "Tijd",
        "Aanbieder",
        "Plaatsen",
        "Status",
        "Vrije plaatsen",
    ]


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_no_small_counts_and_no_codes_in_the_page(client: Any, world: dict[str, Any]) -> None:
    await login(client, "programma")
    html = await (await client.get(PAGE)).text()
    cells = {row[0]: row[1:] for row in tables_of(html).rows[1:]}
    title = WORKSHOP_THEMES
    assert cells[title["talenten"]] == [
        "19:00–20:15",
        LEERHUIS,
        "12",
        "Nog plaatsen",
        "5 of meer plaatsen vrij",
    ]
    assert cells[title["gesprek"]][2:] == ["2", "Vol, wachtlijst", "0"]
    assert cells[title["presenteren"]][2:] == ["8", "Nog plaatsen", "minder dan 5 plaatsen vrij"]
    assert cells[title["financien"]][2:] == ["12", "Nog plaatsen", "6"]
    assert cells[title["digitalisering"]][2:] == ["10", "Nog plaatsen", "10"]
    # the waiting list is there, but how long it is is not
    assert "wachtende" not in html.lower()
    with world["sessions"]() as session:
        signed = session.execute(select(WorkshopSignup)).unique().scalars().all()
        assert len(signed) == sum(taken + waiting for _p, taken, waiting in FILL.values())
        secrets = {item.code for item in signed} | {item.ics_token for item in signed}
        secrets |= {item.employee_key for item in signed}
        for voucher in session.execute(select(Voucher)).unique().scalars():
            secrets |= {voucher.code, voucher.employee_key}
    for secret in secrets:
        assert secret not in html
        if len(secret) in (10, 16):
            assert format_code(secret) not in html


async def test_the_page_without_evenings(
    aiohttp_client: Any, database_url: str, sessions: sessionmaker
) -> None:
    load(sessions, basic_data())
    make_accounts(sessions)
    client = await aiohttp_client(init_app(dashboard_settings(database_url)))
    await login(client, "coord-gm9901")
    html = await (await client.get(PAGE)).text()
    assert "Er staan geen komende workshopavonden gepland" in html
    assert "<table" not in html


async def test_the_other_dashboard_pages_link_to_it(client: Any) -> None:
    await login(client, "coord-gm9901")
    html = await (await client.get("/dashboard/overzicht")).text()
    assert f'href="{PAGE}"' in html
    assert 'aria-current="page">Workshopavonden' not in html
