"""Months and quarters through the real aiohttp app: the default is the last completed
quarter, the period switch works, and running or malformed periods get a Dutch refusal."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import sessionmaker

from bot.trends import periods as pe
from bot.web.app import init_app
from tests.ledger.support import basic_data, load
from tests.trends.support import (
    LAST_QUARTER,
    QUARTER_WEEKS,
    THIS_WEEK,
    dashboard_settings,
    login,
    make_accounts,
    pilot_rows,
    seed_events,
)

pytest_plugins = ["tests.ledger.support"]

QUARTER_MONTHS = pe.months_of_quarter(LAST_QUARTER)
QUARTER_LABEL = pe.label(pe.KIND_QUARTER, LAST_QUARTER)
RUNNING_MONTH = pe.running_period(pe.KIND_MONTH, THIS_WEEK)
RUNNING_QUARTER = pe.running_period(pe.KIND_QUARTER, THIS_WEEK)


PILOT = pilot_rows()
CONVERSATIONS = 2 * len(QUARTER_WEEKS)


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> str:
    load(sessions, basic_data())
    make_accounts(sessions)
    seed_events(sessions, PILOT)
    return database_url


@pytest.fixture
async def client(aiohttp_client: Any, world: str) -> Any:
    return await aiohttp_client(init_app(dashboard_settings(world)))


def csv_table(body: bytes) -> dict[str, list[str]]:
    text = body.decode("utf-8-sig")
    return {line.split(";")[0]: line.split(";")[1:] for line in text.splitlines() if line}


async def test_the_dashboard_opens_on_the_last_completed_quarter(client: Any) -> None:
    await login(client, "programma")
    page = await client.get("/dashboard/overzicht")
    html = await page.text()
    assert page.status == 200
    assert f"Je ziet\n<strong>{QUARTER_LABEL}</strong>" in html
    assert f"de weken {QUARTER_WEEKS[0]} tot en met {QUARTER_WEEKS[-1]}" in html
    assert "Dit kwartaal (" in html and "loopt nog" in html
    assert 'aria-current="true">Kwartaal</a>' in html
    assert f'<option value="{LAST_QUARTER}" selected>{QUARTER_LABEL}</option>' in html
    assert f'<option value="{RUNNING_QUARTER}"' not in html  # the running quarter: no option
    rows = csv_table(await (await client.get("/dashboard/overzicht.csv")).read())
    assert rows[QUARTER_LABEL][0] == str(CONVERSATIONS)  # every week "< 5", the quarter not
    weekly = csv_table(await (await client.get("/dashboard/overzicht.csv?periode=week")).read())
    assert all(values[0] == "< 5" for label, values in weekly.items() if label.startswith("20"))


async def test_the_period_switch_and_the_month_view(client: Any) -> None:
    await login(client, "programma")
    html = await (await client.get("/dashboard/stappen")).text()
    for kind, label in (("week", "Week"), ("maand", "Maand"), ("kwartaal", "Kwartaal")):
        assert f'href="/dashboard/stappen?gemeente=alle&amp;periode={kind}"' in html
        assert f">{label}</a>" in html
    months = await client.get("/dashboard/overzicht?gemeente=alle&periode=maand")
    month_html = await months.text()
    assert months.status == 200
    assert 'aria-current="true">Maand</a>' in month_html
    assert '<select id="van" name="van"' in month_html
    last_month = pe.last_completed(pe.KIND_MONTH, THIS_WEEK)
    assert f'<option value="{last_month}" selected>' in month_html  # the default: 3 months
    assert f"<strong>{pe.label(pe.KIND_MONTH, last_month)}</strong>" in month_html
    rows = csv_table(
        await (
            await client.get(
                "/dashboard/overzicht.csv?gemeente=alle&periode=maand"
                f"&van={QUARTER_MONTHS[0]}&tot={QUARTER_MONTHS[-1]}"
            )
        ).read()
    )
    labels = [pe.label(pe.KIND_MONTH, month) for month in QUARTER_MONTHS]
    figures = [int(rows[label][0]) for label in labels]  # 4 or 5 weeks of 2: 8 or 10
    assert figures == [2 * len(pe.weeks_in_month(month)) for month in QUARTER_MONTHS]
    assert rows["Totaal"][0] == str(CONVERSATIONS)
    one = csv_table(
        await (
            await client.get(
                f"/dashboard/overzicht.csv?periode=maand&van={QUARTER_MONTHS[1]}"
                f"&tot={QUARTER_MONTHS[1]}"
            )
        ).read()
    )
    assert int(one[labels[1]][0]) == figures[1] and labels[0] not in one
    # an old link with weeks still opens the weekly view
    old = await client.get(f"/dashboard/overzicht?van={QUARTER_WEEKS[0]}&tot={QUARTER_WEEKS[-1]}")
    assert old.status == 200 and 'aria-current="true">Week</a>' in await old.text()


async def test_funnel_workshops_and_opportunities_in_the_quarter(client: Any) -> None:
    await login(client, "programma")
    steps = csv_table(await (await client.get("/dashboard/stappen.csv")).read())
    assert steps["Gesprekken"][0] == str(CONVERSATIONS)
    assert steps["Workshops bijgewoond"][0] == str(len(QUARTER_WEEKS))
    assert steps["Workshop of coachgesprek gehad"][0] == str(len(QUARTER_WEEKS))
    assert steps["Scans afgerond"] == ["< 5", "–"]
    assert steps["Gemeente Testerveen (GM9903)"][0] == "< 5"  # one conversation
    offer = csv_table(await (await client.get("/dashboard/aanbod.csv")).read())
    assert offer["Talenten ontdekken"][1] == str(len(QUARTER_WEEKS))
    assert offer["Limburg"][1] == str(len(QUARTER_WEEKS))
    assert offer["Meeloopstage"][0] == str(len(QUARTER_WEEKS[::2]))
    html = await (await client.get("/dashboard/aanbod")).text()
    assert "Workshops per thema" in html and 'role="img"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("periode=jaar", "per week, per maand of per kwartaal"),
        ("periode=maand&van=2026-13", "geldige maand"),
        ("periode=kwartaal&van=2026-K5", "geldig kwartaal"),
        ("van=2026-K9", "geldig kwartaal"),
        (f"periode=maand&tot={RUNNING_MONTH}", "Deze maand loopt nog"),
        (f"periode=kwartaal&tot={RUNNING_QUARTER}", "Dit kwartaal loopt nog"),
        (f"tot={RUNNING_QUARTER}", "Dit kwartaal loopt nog"),
        ("periode=kwartaal&tot=2099-K1", "nog niet geweest"),
        (f"periode=kwartaal&van={LAST_QUARTER}&tot=2020-K1", "voor de laatste liggen"),
        ("periode=kwartaal&van=2019-K1", "hoogstens 8 kwartalen"),
        ("periode=maand&van=2019-01", "hoogstens 24 maanden"),
        ("periode=maand&van=2026-01%27%20OR%201%3D1--", "geldige maand"),
    ],
)
async def test_bad_periods_give_a_clear_answer_and_no_data(
    client: Any, query: str, expected: str
) -> None:
    await login(client, "programma")
    for suffix in ("", ".csv"):
        response = await client.get(f"/dashboard/stappen{suffix}?{query}")
        text = await response.text()
        assert response.status == 400, (query, suffix)
        assert expected in text
        assert "Per kwartaal" not in text and "Gesprekken;" not in text


async def test_municipal_coordinator_sees_only_own_quarter(client: Any) -> None:
    await login(client, "coord-gm9903")
    steps = csv_table(await (await client.get("/dashboard/stappen.csv")).read())
    assert steps["Gesprekken"][0] == "< 5"
    assert not any("GM9901" in label or "Voorbeeldstad" in label for label in steps)
    html = await (await client.get("/dashboard/stappen")).text()
    assert "Stappen per gemeente" not in html and "GM9901" not in html
    for path in (
        "/dashboard/stappen?gemeente=GM9901&periode=kwartaal",
        "/dashboard/aanbod.csv?gemeente=alle&periode=maand",
    ):
        response = await client.get(path)
        assert response.status == 403 and "eigen gemeente" in await response.text()


async def test_demo_quarter_shows_numbers_in_the_new_sections(
    aiohttp_client: Any, database_url: str
) -> None:
    """`make run`: the quarter the dashboard opens on shows figures for the later steps."""
    from bot.clock import utcnow
    from bot.db.engine import make_engine, make_session_factory
    from bot.trends.demo import DEMO_PROGRAMME_USER, seed_demo

    engine = make_engine(database_url)
    with make_session_factory(engine).begin() as session:
        passwords = seed_demo(session, now=utcnow())
    engine.dispose()
    assert passwords
    client = await aiohttp_client(init_app(dashboard_settings(database_url)))
    await login(client, DEMO_PROGRAMME_USER, passwords[DEMO_PROGRAMME_USER])
    steps = csv_table(await (await client.get("/dashboard/stappen.csv")).read())
    for step in (
        "Gesprekken",
        "Scans afgerond",
        "Vouchers uitgegeven",
        "Workshops bijgewoond",
        "Coachgesprekken gehouden",
    ):
        assert steps[step][0].isdigit() and int(steps[step][0]) >= 5, step
    offer = csv_table(await (await client.get("/dashboard/aanbod.csv")).read())
    theme_figures = [
        offer[label][0]
        for label in (
            "Talenten ontdekken",
            "Gesprek met je leidinggevende",
        )
    ]
    assert all(figure.isdigit() for figure in theme_figures)
    assert offer["Gelderland"][0].isdigit()
    assert offer["Vacature"][0].isdigit() and offer["Meeloopstage"][0].isdigit()
