"""The coordinators' listing pages and the regional JSON feed through the real aiohttp app:
own municipality only, CSRF, Dutch validation that changes nothing, close, audit, the feed's
token, validation and upsert, and the OpenAPI description of the feed."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.db.engine import run_in_transaction
from bot.ledger.models import AuditEntry
from bot.opportunities.catalog import COMPETENCES, MODES, TYPES, WORK_AREAS
from bot.opportunities.feed import MAX_LISTINGS
from bot.opportunities.importer import COMMON_FIELDS, apply_batch, parse_document
from bot.opportunities.models import Opportunity
from bot.web.app import init_app
from bot.web.routes import opportunities as routes
from bot.web.routes.provider_api import openapi_spec
from tests.ledger.support import BACKENDS, basic_data, load
from tests.trends.support import csrf_of, dashboard_settings, login, make_accounts

pytest_plugins = ["tests.ledger.support"]
#: The tests that write through the upsert and ownership checks run on both databases.
on_both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

WIG_TOKEN = "wig-" + "a" * 40
OTHER_TOKEN = "oth-" + "b" * 40
#: Limited to provinces: Gelderland and Overijssel, and Utrecht only.
GELRE_TOKEN = "gel-" + "c" * 40
UTRECHT_TOKEN = "utr-" + "d" * 40
CATALOGUE = {
    "regions": [
        {
            "code": "rijk-test",
            "name": "Rijk (test)",
            "province": "Gelderland",
            "municipalities": [
                {"code": "GM9901", "name": "Gemeente Voorbeeldstad"},
                {"code": "GM9903", "name": "Gemeente Testerveen"},
            ],
        }
    ],
    "opportunities": [
        {
            "id": "imp-9903",
            "type": "meeloopstage",
            "title": "Meelopen bij Testerveen",
            "description": "Je loopt een dag mee met de buitendienst.",
            "municipality": "GM9903",
            "contact": "p&o@testerveen.example",
        },
        {
            "id": "imp-9901",
            "type": "vacature",
            "title": "Vacature uit het importbestand",
            "description": "Je werkt aan de balie.",
            "municipality": "GM9901",
            "contact": "vacatures@voorbeeldstad.example",
        },
    ],
}


def good_form(**overrides: str) -> dict[str, str]:
    values = {
        "soort": "meeloopstage",
        "titel": "Meelopen bij Burgerzaken",
        "beschrijving": "Je loopt twee dagen mee aan de balie.",
        "contact": "p&o@voorbeeldstad.example",
        "vorm": "on_location",
        "schaal_van": "6",
        "schaal_tot": "8",
        "uren": "16",
        "start": "2099-05-01",
        "einde": "2099-05-31",
        "reageren_tot": "2099-04-15",
    }
    values.update(overrides)
    return values


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> dict[str, Any]:
    load(sessions, basic_data())
    make_accounts(sessions)
    now = utcnow()
    with sessions() as session:
        batch = parse_document(CATALOGUE, today=now.date(), now=now)
        run_in_transaction(session, apply_batch, batch=batch, now=now, actor="test")
    return {"url": database_url, "sessions": sessions}


@pytest.fixture
async def client(aiohttp_client: Any, world: dict[str, Any]) -> Any:
    settings = dashboard_settings(
        world["url"],
        opportunity_feed_tokens=(
            f"wig:{WIG_TOKEN}",
            f"other-platform:{OTHER_TOKEN}",
            "weak:x",
            f"gelre@Gelderland+overijssel:{GELRE_TOKEN}",
            f"utr@utrecht:{UTRECHT_TOKEN}",
        ),
        public_base_url="http://koers.test",
    )
    return await aiohttp_client(init_app(settings))


def rows(sessions: sessionmaker) -> dict[str, Opportunity]:
    with sessions() as session:
        return {
            row.external_id: row for row in session.execute(select(Opportunity)).unique().scalars()
        }


def audit_actions(sessions: sessionmaker) -> list[tuple[str, str, str | None]]:
    with sessions() as session:
        return [
            (entry.actor, entry.action, entry.entity_id)
            for entry in session.execute(select(AuditEntry).order_by(AuditEntry.id)).scalars()
            if entry.entity_type == "opportunity"
        ]


def id_of(sessions: sessionmaker, external_id: str) -> int:
    return rows(sessions)[external_id].id


async def post_form(client: Any, path: str, data: dict[str, Any], token: str | None) -> Any:
    if token is not None:
        data = {**data, "csrf_token": token}
    return await client.post(path, data=data, allow_redirects=False)


async def test_the_pages_need_a_login(client: Any) -> None:
    for path in ("/dashboard/kansen", "/dashboard/kansen/nieuw", "/dashboard/kansen/1"):
        response = await client.get(path, allow_redirects=False)
        assert response.status == 303 and response.headers["Location"] == "/dashboard/login"
    response = await client.post("/dashboard/kansen/1/sluiten", allow_redirects=False)
    assert response.status in (303, 403)


async def test_a_coordinator_lists_only_own_listings(client: Any) -> None:
    await login(client, "coord-gm9901")
    page = await client.get("/dashboard/kansen")
    html = await page.text()
    assert page.status == 200
    assert "Vacature uit het importbestand" in html
    assert "Meelopen bij Testerveen" not in html
    assert 'aria-current="page">Kansen in de regio' in html
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")


@on_both
async def test_adding_stores_a_listing_of_the_own_municipality(
    client: Any, world: dict[str, Any]
) -> None:
    await login(client, "coord-gm9901")
    token = await csrf_of(client, "/dashboard/kansen/nieuw")
    form = good_form()
    response = await client.post(
        "/dashboard/kansen/nieuw",
        data=[*form.items(), ("competenties", "contact"), ("competenties", "nauwkeurig")],
        allow_redirects=False,
    )
    assert response.status == 403  # no CSRF token in this body
    response = await client.post(
        "/dashboard/kansen/nieuw",
        data=[
            *form.items(),
            ("competenties", "contact"),
            ("competenties", "nauwkeurig"),
            ("csrf_token", token),
        ],
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"].endswith("klaar=toegevoegd")
    [made] = [row for key, row in rows(world["sessions"]).items() if key.startswith("dash-")]
    assert made.municipality_code == "GM9901" and made.source == "dashboard"
    assert (made.kind, made.scale_min, made.scale_max, made.hours_per_week) == (
        "meeloopstage",
        6,
        8,
        16,
    )
    assert [item.competence for item in made.competences] == ["contact", "nauwkeurig"]
    assert ("dashboard:coord-gm9901", "opportunity.created", str(made.id)) in audit_actions(
        world["sessions"]
    )
    listing = await (await client.get("/dashboard/kansen?klaar=toegevoegd")).text()
    assert "De kans is toegevoegd." in listing and "Meelopen bij Burgerzaken" in listing


async def test_without_a_csrf_token_nothing_changes(client: Any, world: dict[str, Any]) -> None:
    await login(client, "coord-gm9901")
    before = rows(world["sessions"])
    own = before["imp-9901"].id
    for path in ("/dashboard/kansen/nieuw", f"/dashboard/kansen/{own}/sluiten"):
        for token in (None, "x" * 43):
            response = await post_form(client, path, good_form(), token)
            assert response.status == 403, path
            assert "formulier is verlopen" in await response.text()
    after = rows(world["sessions"])
    assert set(after) == set(before) and after["imp-9901"].closed_at is None
    assert audit_actions(world["sessions"]) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"schaal_van": "0"}, "schaal_van", "Kies een schaal van 1 tot en met 18."),
        ({"schaal_tot": "19"}, "schaal_tot", "Kies een schaal van 1 tot en met 18."),
        ({"schaal_van": "9", "schaal_tot": "6"}, "schaal_tot", "lager dan de schaal"),
        ({"einde": "2099-04-01"}, "einde", "De einddatum ligt voor de startdatum."),
        ({"contact": ""}, "contact", "Vul een contactroute in"),
        ({"contact": "g.jansen@voorbeeldstad.example"}, "contact", "adres van een persoon"),
        ({"contact": "anna.devries@voorbeeldstad.example"}, "contact", "adres van een persoon"),
        ({"contact": "bel de balie"}, "contact", "geen mailbox en geen webpagina"),
        ({"soort": "stageplek"}, "soort", "Kies een soort kans uit de lijst."),
        ({"uren": "60"}, "uren", "Kies een aantal uren van 1 tot en met 40."),
        ({"start": "1 mei"}, "start", "Vul een geldige datum in"),
        ({"titel": " "}, "titel", "Vul een titel in."),
    ],
)
async def test_validation_errors_are_dutch_and_store_nothing(
    client: Any, world: dict[str, Any], overrides: dict[str, str], field: str, message: str
) -> None:
    await login(client, "coord-gm9901")
    before = rows(world["sessions"])
    token = await csrf_of(client, "/dashboard/kansen/nieuw")
    response = await post_form(client, "/dashboard/kansen/nieuw", good_form(**overrides), token)
    html = await response.text()
    assert response.status == 400
    assert 'role="alert"' in html and "Er is nog niets opgeslagen" in html
    error = re.search(rf'<span class="field-error" id="{field}-fout">Fout: ([^<]+)</span>', html)
    assert error and message in error.group(1).replace("&#39;", "'"), html
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-fout', html) or (
        f'id="{field}" name="{field}"' in html and f'{field}-fout"' in html
    )
    assert 'aria-invalid="true"' in html
    # what was typed stays in the form
    assert "Je loopt twee dagen mee aan de balie." in html
    assert set(rows(world["sessions"])) == set(before)


async def test_editing_an_own_listing_is_saved_and_audited(
    client: Any, world: dict[str, Any]
) -> None:
    await login(client, "coord-gm9901")
    token = await csrf_of(client, "/dashboard/kansen/nieuw")
    await post_form(client, "/dashboard/kansen/nieuw", good_form(), token)
    [key] = [key for key in rows(world["sessions"]) if key.startswith("dash-")]
    listing_id = id_of(world["sessions"], key)
    form_page = await client.get(f"/dashboard/kansen/{listing_id}")
    html = await form_page.text()
    assert form_page.status == 200 and 'value="Meelopen bij Burgerzaken"' in html
    token = await csrf_of(client, f"/dashboard/kansen/{listing_id}")
    bad = await post_form(
        client, f"/dashboard/kansen/{listing_id}", good_form(einde="2099-04-01"), token
    )
    assert bad.status == 400
    assert rows(world["sessions"])[key].ends_on.isoformat() == "2099-05-31"
    saved = await post_form(
        client, f"/dashboard/kansen/{listing_id}", good_form(titel="Meelopen (nieuw)"), token
    )
    assert saved.status == 303 and saved.headers["Location"].endswith("klaar=gewijzigd")
    assert rows(world["sessions"])[key].title == "Meelopen (nieuw)"
    with world["sessions"]() as session:
        entry = session.execute(
            select(AuditEntry).where(AuditEntry.action == "opportunity.updated")
        ).scalar_one()
        assert entry.actor == "dashboard:coord-gm9901" and entry.entity_id == str(listing_id)
        assert json.loads(entry.details)["fields"] == ["title"]
    same = await post_form(
        client, f"/dashboard/kansen/{listing_id}", good_form(titel="Meelopen (nieuw)"), token
    )
    assert same.headers["Location"].endswith("klaar=ongewijzigd")


@on_both
async def test_another_municipalitys_listing_is_refused_by_url(
    client: Any, world: dict[str, Any]
) -> None:
    other = id_of(world["sessions"], "imp-9903")
    await login(client, "coord-gm9901")
    token = await csrf_of(client, "/dashboard/kansen")
    page = await client.get(f"/dashboard/kansen/{other}")
    assert page.status == 403 and "andere gemeente" in await page.text()
    for path in (f"/dashboard/kansen/{other}", f"/dashboard/kansen/{other}/sluiten"):
        response = await post_form(client, path, good_form(titel="Overgenomen"), token)
        text = await response.text()
        assert response.status == 403, path
        assert "andere gemeente" in text and "Er is niets veranderd." in text
    bad_form = await post_form(client, f"/dashboard/kansen/{other}", good_form(uren="99"), token)
    assert bad_form.status == 403  # no form of someone else's listing, not even with errors
    row = rows(world["sessions"])["imp-9903"]
    assert row.title == "Meelopen bij Testerveen" and row.closed_at is None
    assert audit_actions(world["sessions"]) == []
    missing = await client.get("/dashboard/kansen/999999")
    assert missing.status == 404 and "bestaat niet" in await missing.text()
    nonsense = await client.get("/dashboard/kansen/abc")
    assert nonsense.status == 404


@on_both
async def test_closing_works_once_and_is_audited(client: Any, world: dict[str, Any]) -> None:
    own = id_of(world["sessions"], "imp-9901")
    await login(client, "coord-gm9901")
    token = await csrf_of(client, "/dashboard/kansen")
    # an imported listing cannot be edited here (the next import would undo it) ...
    edit = await client.get(f"/dashboard/kansen/{own}")
    assert edit.status == 409 and "importbestand" in await edit.text()
    # ... but it can be closed
    closed = await post_form(client, f"/dashboard/kansen/{own}/sluiten", {}, token)
    assert closed.status == 303 and closed.headers["Location"].endswith("klaar=gesloten")
    assert rows(world["sessions"])["imp-9901"].closed_at is not None
    assert audit_actions(world["sessions"]) == [
        ("dashboard:coord-gm9901", "opportunity.closed", str(own))
    ]
    again = await post_form(client, f"/dashboard/kansen/{own}/sluiten", {}, token)
    assert again.status == 409 and "al gesloten" in await again.text()
    assert len(audit_actions(world["sessions"])) == 1
    listing = await (await client.get("/dashboard/kansen")).text()
    assert "Gesloten" in listing


async def test_the_programme_coordinator_sees_all_but_changes_nothing(
    client: Any, world: dict[str, Any]
) -> None:
    await login(client, "programma")
    html = await (await client.get("/dashboard/kansen")).text()
    assert "Meelopen bij Testerveen" in html and "Vacature uit het importbestand" in html
    assert "Nieuwe kans toevoegen" not in html
    token = await csrf_of(client, "/dashboard/kansen")
    own = id_of(world["sessions"], "imp-9901")
    for path in ("/dashboard/kansen/nieuw", f"/dashboard/kansen/{own}/sluiten"):
        response = await post_form(client, path, good_form(), token)
        assert response.status == 403 and "coördinator van een gemeente" in await response.text()
    assert len(rows(world["sessions"])) == 2


# --- The feed -----------------------------------------------------------------------------


def feed_listing(**overrides: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": "2025-0142",
        "type": "vacancy",
        "title": "Medewerker Burgerzaken",
        "description": "Je helpt inwoners aan de balie en online.",
        "municipality": "GM9903",
        "province": "Gelderland",
        "contact": "vacatures@testerveen.example",
        "scale": {"min": 6, "max": 8},
        "hours_per_week": 32,
        "respond_by": "2099-04-01",
    }
    entry.update(overrides)
    return entry


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def push(client: Any, body: Any, token: str = WIG_TOKEN, **kwargs: Any) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    headers = {"Content-Type": "application/json", **bearer(token)}
    return await client.post(routes.FEED_PATH, data=text, headers=headers, **kwargs)


async def test_the_feed_needs_a_valid_token(client: Any, world: dict[str, Any]) -> None:
    body = {"version": 1, "listings": [feed_listing()]}
    missing = await client.post(routes.FEED_PATH, json=body)
    assert missing.status == 401 and (await missing.json())["error"]["code"] == "missing_token"
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    for token in ("c" * 44, "x", WIG_TOKEN + "a"):  # unknown, and the weak one left out
        wrong = await push(client, body, token)
        assert wrong.status == 401 and (await wrong.json())["error"]["code"] == "invalid_token"
    assert routes.feed_platforms(("weak:x", "UP:" + "a" * 32, "bad name:" + "a" * 40)) == (
        routes.FeedToken("up", "a" * 32, None),
    )
    assert len(rows(world["sessions"])) == 2


@on_both
async def test_a_good_feed_is_upserted_per_platform(client: Any, world: dict[str, Any]) -> None:
    first = await push(client, {"version": 1, "listings": [feed_listing()]})
    assert first.status == 200
    assert await first.json() == {"platform": "wig", "received": 1, "created": 1, "updated": 0}
    stored = rows(world["sessions"])["wig:2025-0142"]
    assert stored.source == "feed" and stored.kind == "vacature"
    published = stored.published_at
    again = await push(
        client, {"listings": [feed_listing(title="Medewerker Burgerzaken (32 uur)")]}
    )
    assert await again.json() == {"platform": "wig", "received": 1, "created": 0, "updated": 1}
    stored = rows(world["sessions"])["wig:2025-0142"]
    assert stored.title == "Medewerker Burgerzaken (32 uur)"
    assert stored.published_at == published  # the regional head start is not restarted
    # another platform with the same id gets its own listing, never overwrites this one
    other = await push(client, {"listings": [feed_listing(title="Ander platform")]}, OTHER_TOKEN)
    assert (await other.json())["created"] == 1
    assert rows(world["sessions"])["wig:2025-0142"].title == "Medewerker Burgerzaken (32 uur)"
    assert rows(world["sessions"])["other-platform:2025-0142"].title == "Ander platform"
    closing = await push(client, {"listings": [feed_listing(closed=True)]})
    assert closing.status == 200
    assert rows(world["sessions"])["wig:2025-0142"].closed_at is not None
    with world["sessions"]() as session:
        actors = session.execute(
            select(AuditEntry.actor).where(AuditEntry.action == "opportunities.imported")
        ).scalars()
        assert "feed:wig" in set(actors)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"version": 1, "listings": [', "not valid JSON"),
        ("[]", "must be a JSON object"),
        ({"version": 2, "listings": []}, "version: must be 1"),
        (
            {"listings": [feed_listing(), feed_listing(id="2", contact="j.jansen@t.example")]},
            "listings[1] (id 2): contact:",
        ),
        ({"listings": [feed_listing(scale={"min": 0, "max": 8})]}, "scale: must be from 1"),
        (
            {"listings": [feed_listing(starts_on="2099-05-01", ends_on="2099-04-01")]},
            "ends_on: 2099-04-01 is before starts_on",
        ),
        ({"listings": [feed_listing(type="stageplek")]}, "type: unknown type"),
        ({"listings": [feed_listing(municipality="GM0000")]}, "unknown code 'GM0000'"),
        ({"listings": [feed_listing(province="Utrecht")]}, "province: Utrecht does not match"),
        ({"listings": [feed_listing(id="x" * 77)]}, "id: at most 76 characters"),
    ],
)
async def test_a_bad_feed_gets_400_with_its_problems_and_stores_nothing(
    client: Any, world: dict[str, Any], body: Any, expected: str
) -> None:
    before = rows(world["sessions"])
    response = await push(client, body)
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid_feed" and "nothing was stored" in error["message"]
    assert any(expected in problem for problem in error["problems"]), error["problems"]
    assert set(rows(world["sessions"])) == set(before)
    with world["sessions"]() as session:
        imports = session.execute(
            select(func.count()).where(AuditEntry.actor == "feed:wig")
        ).scalar_one()
        assert imports == 0


@pytest.fixture
def feed_log(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> Iterator[pytest.LogCaptureFixture]:
    """The feed's warnings as records, whatever an earlier test in this worker did to
    logging: Rasa's set-up disables existing loggers, and an in-process action server
    installs the privacy record factory, which turns the platform names into "[TEKST]"
    (both made CI runs fail). The privacy cleaning is put back afterwards."""
    from bot.privacy import logging as privacy_logging

    monkeypatch.setattr(routes.logger, "disabled", False)
    monkeypatch.setattr(routes.logger, "propagate", True)
    level = privacy_logging._installed_level
    if level is not None:
        privacy_logging.uninstall_log_privacy()
    yield caplog
    if level is not None:
        privacy_logging.install_log_privacy(level)


def test_feed_tokens_may_be_limited_to_provinces(feed_log: pytest.LogCaptureFixture) -> None:
    caplog = feed_log
    token = "t" * 32
    entries = (
        f"gelre@Gelderland+overijssel:{token}",
        f"fry@fryslan:{token}1",  # accents optional, any case
        f"landelijk@*:{token}2",  # every province, on purpose: no warning
        f"oud:{token}3",  # the old form: every province, with a warning
        f"typo@gelderlnd:{token}4",  # no guessing: left out
        f"stad@amsterdam:{token}5",  # a city is not a province
        f"leeg@:{token}6",
        f"twee@utrecht++zeeland:{token}7",
    )
    routes.feed_platforms.cache_clear()
    with caplog.at_level("WARNING", logger=routes.logger.name):
        found = routes.feed_platforms(entries)
    assert found == (
        routes.FeedToken("gelre", token, frozenset({"Gelderland", "Overijssel"})),
        routes.FeedToken("fry", token + "1", frozenset({"Fryslân"})),
        routes.FeedToken("landelijk", token + "2", None),
        routes.FeedToken("oud", token + "3", None),
    )
    logged = [record.getMessage() for record in caplog.records]
    assert token not in " ".join(logged)  # never a token in the log
    assert [m for m in logged if "every province" in m and "'oud'" in m]
    for left_out in ("typo", "stad", "leeg", "twee"):
        assert [m for m in logged if f"ignored the entry for '{left_out}'" in m], left_out
    assert not [m for m in logged if "landelijk" in m or "gelre" in m or "'fry'" in m]


def test_an_unrestricted_token_is_logged_once_at_start_up(
    feed_log: pytest.LogCaptureFixture,
) -> None:
    caplog = feed_log
    settings = dashboard_settings("sqlite://", opportunity_feed_tokens=(f"oud:{WIG_TOKEN}",))
    routes.feed_platforms.cache_clear()
    with caplog.at_level("WARNING", logger=routes.logger.name):
        init_app(settings)  # at start-up, before any push
        init_app(settings)
        routes.feed_platforms(settings.opportunity_feed_tokens)  # what a push looks up
    warnings = [r.getMessage() for r in caplog.records if "may push listings" in r.getMessage()]
    assert len(warnings) == 1 and "oud@gelderland+overijssel:<token>" in warnings[0]


def _utrecht_region(sessions: sessionmaker) -> None:
    """A labour-market region in Utrecht with one municipality, next to the Gelderland one."""
    region = {
        "code": "utrecht-test",
        "name": "Utrecht (test)",
        "province": "Utrecht",
        "municipalities": [{"code": "GM9921", "name": "Gemeente Proefhoven"}],
    }
    now = utcnow()
    with sessions() as session:
        batch = parse_document({"regions": [region]}, today=now.date(), now=now)
        run_in_transaction(session, apply_batch, batch=batch, now=now, actor="test")


@on_both
async def test_a_token_with_provinces_pushes_only_their_listings(
    client: Any, world: dict[str, Any]
) -> None:
    sessions = world["sessions"]
    _utrecht_region(sessions)
    in_utrecht = feed_listing(id="u-1", municipality="GM9921", province="Utrecht")
    # the Gelderland/Overijssel token: a Gelderland listing is stored
    own = await push(client, {"listings": [feed_listing(id="g-1")]}, GELRE_TOKEN)
    assert own.status == 200 and (await own.json())["platform"] == "gelre"
    assert "gelre:g-1" in rows(sessions)
    before = rows(sessions)
    with sessions() as session:
        audits = session.execute(select(func.count(AuditEntry.id))).scalar_one()
    # the Utrecht token with one Utrecht and two Gelderland listings: refused whole
    mixed = {
        "listings": [
            in_utrecht,
            feed_listing(id="g-2"),
            feed_listing(id="g-3", municipality="GM9901", province=None),
        ]
    }
    refused = await push(client, mixed, UTRECHT_TOKEN)
    assert refused.status == 403
    error = (await refused.json())["error"]
    assert error["code"] == "province_not_allowed"
    assert "Utrecht only" in error["message"] and "nothing was stored" in error["message"]
    assert error["problems"] == [
        "listings[1] (id g-2): municipality GM9903 lies in Gelderland, outside this token's "
        "provinces (Utrecht)",
        "listings[2] (id g-3): municipality GM9901 lies in Gelderland, outside this token's "
        "provinces (Utrecht)",
    ]
    assert set(rows(sessions)) == set(before)  # not even the Utrecht listing
    with sessions() as session:
        assert session.execute(select(func.count(AuditEntry.id))).scalar_one() == audits
    # the Gelderland token may not push the Utrecht listing either; its own is kept as it was
    other_way = await push(client, {"listings": [in_utrecht]}, GELRE_TOKEN)
    assert other_way.status == 403
    assert (await other_way.json())["error"]["problems"][0].startswith("listings[0] (id u-1):")
    assert "gelre:u-1" not in rows(sessions)
    # format problems still come first as 400, unknown municipalities too
    bad = await push(client, {"listings": [in_utrecht, {"id": "x"}]}, UTRECHT_TOKEN)
    assert bad.status == 400 and (await bad.json())["error"]["code"] == "invalid_feed"
    unknown = await push(client, {"listings": [feed_listing(municipality="GM0000")]}, GELRE_TOKEN)
    assert unknown.status == 400
    # within its province the Utrecht token is fine, and an old unlimited token as before
    assert (await push(client, {"listings": [in_utrecht]}, UTRECHT_TOKEN)).status == 200
    assert (await push(client, {"listings": [in_utrecht]}, WIG_TOKEN)).status == 200
    assert {"utr:u-1", "wig:u-1", "gelre:g-1"} <= set(rows(sessions))


async def test_the_feed_refuses_other_media_types_and_huge_bodies(client: Any) -> None:
    wrong_type = await client.post(
        routes.FEED_PATH,
        data="listings",
        headers={**bearer(WIG_TOKEN), "Content-Type": "text/plain"},
    )
    assert wrong_type.status == 415
    huge = await push(client, " " * (routes.FEED_MAX_BYTES + 1))
    assert huge.status == 413 and (await huge.json())["error"]["code"] == "body_too_large"


def test_the_openapi_description_matches_the_feed() -> None:
    spec = openapi_spec(dataclasses.replace(dashboard_settings("sqlite://")))
    operation = spec["paths"][routes.FEED_PATH]["post"]
    assert operation["security"] == [{"feedToken": []}]
    assert spec["components"]["securitySchemes"]["feedToken"]["scheme"] == "bearer"
    assert str(routes.FEED_MAX_BYTES) in operation["responses"]["413"]["description"]
    for status, code in (
        ("400", "invalid_feed"),
        ("401", "missing_token"),
        ("401", "invalid_token"),
        ("403", "province_not_allowed"),
        ("413", "body_too_large"),
        ("415", "unsupported_media_type"),
        ("429", "rate_limited"),
    ):
        assert code in operation["responses"][status]["description"], code
    schemas = spec["components"]["schemas"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Feed"
    }
    assert schemas["Feed"]["properties"]["listings"]["maxItems"] == MAX_LISTINGS
    listing = schemas["FeedListing"]
    assert set(listing["properties"]) == COMMON_FIELDS
    properties = listing["properties"]
    assert properties["type"]["enum"] == list(TYPES)
    assert properties["mode"]["enum"] == list(MODES)
    assert properties["work_area"]["enum"] == list(WORK_AREAS)
    assert properties["competences"]["items"]["enum"] == list(COMPETENCES)
    from bot.opportunities import catalog

    assert properties["title"]["maxLength"] == catalog.TITLE_MAX
    assert properties["description"]["maxLength"] == catalog.DESCRIPTION_MAX
    assert properties["contact"]["maxLength"] == catalog.CONTACT_MAX
    assert properties["id"]["maxLength"] == catalog.EXTERNAL_ID_MAX
    assert properties["hours_per_week"]["maximum"] == catalog.HOURS_MAX
    assert properties["scale_max"]["maximum"] == catalog.SCALE_MAX
    assert schemas["FeedError"]["properties"]["error"]["properties"]["code"]["enum"] == [
        "invalid_feed",
        "province_not_allowed",
    ]
    assert "province_not_allowed" in operation["responses"]["403"]["description"]
    assert operation["responses"]["403"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/FeedError"
    }


async def test_the_served_openapi_lists_the_feed(client: Any) -> None:
    spec = await (await client.get("/api/openapi.json")).json()
    assert routes.FEED_PATH in spec["paths"]
