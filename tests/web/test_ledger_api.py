"""Provider API, calendar download and e-mail page, through the real aiohttp app."""

from __future__ import annotations

import ast
import asyncio
import dataclasses
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.ledger.booking import book_slot, find_offers
from bot.ledger.codes import format_code, new_code
from bot.ledger.models import AuditEntry, Booking, Voucher
from bot.ledger.preferences import WhenPreference
from bot.ledger.providers import issue_api_key
from bot.ledger.vouchers import MAX_REFERENCE_LENGTH, request_voucher
from bot.web.app import init_app
from bot.web.routes import provider_api
from bot.web.routes.provider_api import (
    MAX_BODY_BYTES,
    SIGNUP_ERRORS,
    VOUCHER_ERRORS,
    openapi_spec,
)
from tests.ledger.support import BACKENDS, basic_data, load

pytest_plugins = ["tests.ledger.support"]


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> dict[str, Any]:
    """Seeded database, two provider keys and one issued voucher."""
    load(sessions, basic_data())
    with sessions() as session:
        keys = [
            run_in_transaction(session, issue_api_key, name=name, now=utcnow(), actor="test")
            for name in ("Leerhuis Test", "Trainingsbureau Test")
        ]
        voucher = run_in_transaction(
            session,
            request_voucher,
            municipality_code="GM9901",
            employee_key="emp-00000001",
            now=utcnow(),
            valid_days=365,
            actor="test",
        ).voucher
    return {"url": database_url, "keys": keys, "code": voucher.code, "sessions": sessions}


def make_client(aiohttp_client: Any, world: dict[str, Any], **overrides: Any) -> Any:
    settings = dataclasses.replace(
        load_settings(),
        database_url=world["url"],
        ledger_housekeeping_minutes=0,
        public_base_url="http://koers.test",
        **overrides,
    )
    return aiohttp_client(init_app(settings))


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def changes(world: dict[str, Any]) -> tuple[int, int]:
    with world["sessions"]() as session:
        redeemed = session.execute(
            select(func.count(Voucher.id)).where(Voucher.status == "redeemed")
        ).scalar_one()
        audit = session.execute(select(func.count(AuditEntry.id))).scalar_one()
    return redeemed, audit


async def test_openapi_describes_the_api(aiohttp_client: Any, world: dict[str, Any]) -> None:
    client = await make_client(aiohttp_client, world)
    response = await client.get("/api/openapi.json")
    assert response.status == 200
    spec = await response.json()
    assert spec["openapi"].startswith("3.")
    assert spec["servers"] == [{"url": "http://koers.test"}]
    # every /api route of the app is described, and every described operation is a route
    served = {
        (route.resource.canonical, route.method.lower())
        for route in client.server.app.router.routes()
        if route.resource is not None
        and route.resource.canonical.startswith("/api/")
        and route.method not in ("HEAD", "OPTIONS")
    } - {("/api/openapi.json", "get")}
    described = {
        (path, method)
        for path, operations in spec["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    assert served == described
    assert {"/api/vouchers/{code}", "/api/workshops/{workshop_id}"} <= set(spec["paths"])


def test_openapi_file_matches_the_code() -> None:
    """openapi.yaml is written by hand: its limits and error codes must be the API's own."""
    spec = openapi_spec(load_settings())
    redeem = spec["paths"]["/api/vouchers/{code}/redeem"]["post"]
    schema = redeem["requestBody"]["content"]["application/json"]["schema"]
    assert schema["properties"]["reference"]["maxLength"] == MAX_REFERENCE_LENGTH
    assert str(MAX_BODY_BYTES) in redeem["responses"]["413"]["description"]
    described = json.dumps(spec["paths"])
    for status, code, _message in VOUCHER_ERRORS.values():
        assert code in described, code
        in_get = spec["paths"]["/api/vouchers/{code}"]["get"]["responses"]
        assert str(status) in redeem["responses"] or str(status) in in_get, status


_CODE = re.compile(r"^[a-z][a-z_]+$")
_ROUTES = Path(__file__).resolve().parents[2] / "bot" / "web" / "routes"


def _error_codes(module: str, call: str) -> set[tuple[int, str]]:
    """Every (HTTP status, error code) a route module can answer with: its error tables'
    ``(status, "code", message)`` tuples and its ``call(status, "code", ...)`` answers, read
    from the source, so a code added anywhere in the module is found."""
    found = set()
    for node in ast.walk(ast.parse((_ROUTES / module).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Tuple):
            parts = node.elts
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == call:
            parts = node.args
        else:
            continue
        if len(parts) >= 2 and all(isinstance(part, ast.Constant) for part in parts[:2]):
            status, code = parts[0].value, parts[1].value
            is_status = isinstance(status, int) and 400 <= status < 600
            if is_status and isinstance(code, str) and _CODE.match(code):
                found.add((status, code))
    return found


def _documented(markdown: str) -> set[tuple[int, str]]:
    """(status, code) of every row of the error tables: ``| 409 | `code`, `other` | ... |``."""
    found = set()
    for line in markdown.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 3 and cells[0].isdigit():
            found |= {(int(cells[0]), code) for code in re.findall(r"`([a-z_]+)`", cells[1])}
    return found


def test_every_error_code_is_in_the_docs_and_the_openapi_description() -> None:
    """docs/provider-api.md and openapi.yaml are written by hand: every code the provider API
    and the opportunity feed can answer with is in both, with the same HTTP status, and
    neither lists a code the API does not have."""
    api = _error_codes("provider_api.py", "error_response")
    feed = _error_codes("opportunities.py", "_error")
    tables = {
        *VOUCHER_ERRORS.values(),
        *SIGNUP_ERRORS.values(),
        *provider_api._BODY_ERRORS.values(),
        *provider_api._EMPTY_BODY_ERRORS.values(),
        *provider_api._SIGNUP_CODE_ERRORS.values(),
        provider_api._SIGNUP_CODE_MALFORMED,
        provider_api.ALREADY_NO_SHOW,
    }
    assert {(status, code) for status, code, _message in tables} <= api  # the scan sees them
    assert {"missing_api_key", "rate_limited", "invalid_query"} <= {code for _s, code in api}
    assert {"invalid_token", "province_not_allowed"} <= {code for _s, code in feed}
    every = api | feed
    statuses: dict[str, set[int]] = {}
    for status, code in every:
        statuses.setdefault(code, set()).add(status)
    assert all(len(found) == 1 for found in statuses.values()), statuses  # one code, one status

    docs = _documented((_ROUTES.parents[2] / "docs" / "provider-api.md").read_text("utf-8"))
    assert sorted(every - docs) == [], "missing from docs/provider-api.md"
    assert sorted(docs - every) == [], "in docs/provider-api.md but never returned"

    spec = openapi_spec(load_settings())
    error = spec["components"]["schemas"]["Error"]["properties"]["error"]["properties"]
    listed = {
        (int(status), code)
        for code, status in re.findall(r"`([a-z_]+)` \((\d{3})\)", error["code"]["description"])
    }
    assert sorted(every - listed) == [], "missing from openapi.yaml (schemas.Error code)"
    assert sorted(listed - every) == [], "in openapi.yaml but never returned"
    # and each code outside the sign-up table (whose reachable codes are checked per route
    # in tests/web/test_provider_workshops.py) is named in an operation's responses
    described = json.dumps(spec["paths"])
    for _status, code in every - {(status, code) for status, code, _m in SIGNUP_ERRORS.values()}:
        assert code in described, code


async def test_look_up_and_redeem(aiohttp_client: Any, world: dict[str, Any]) -> None:
    client = await make_client(aiohttp_client, world)
    mine, other = world["keys"]
    code = format_code(world["code"])
    response = await client.get(f"/api/vouchers/{code}", headers=auth(mine))
    assert response.status == 200
    voucher = (await response.json())["voucher"]
    assert voucher["status"] == "issued" and voucher["value_eur"] == 375
    assert voucher["municipality"] == "Gemeente Voorbeeldstad"
    assert "employee_key" not in json.dumps(voucher)

    first = await client.post(
        f"/api/vouchers/{code}/redeem", headers=auth(mine), json={"reference": "factuur-7"}
    )
    assert first.status == 200
    body = await first.json()
    assert body["voucher"]["status"] == "redeemed" and body["voucher"]["redeemed_by"] == "you"
    assert "Idempotent-Replay" not in first.headers

    again = await client.post(
        f"/api/vouchers/{world['code'].lower()}/redeem", headers={"X-API-Key": mine}
    )
    assert again.status == 200 and await again.json() == body
    assert again.headers["Idempotent-Replay"] == "true"

    taken = await client.post(f"/api/vouchers/{code}/redeem", headers=auth(other))
    assert taken.status == 409
    assert (await taken.json())["error"]["code"] == "already_redeemed"
    seen = await client.get(f"/api/vouchers/{code}", headers=auth(other))
    assert (await seen.json())["voucher"]["redeemed_by"] == "another_provider"
    assert (await seen.json())["voucher"]["reference"] is None
    assert changes(world)[0] == 1


@pytest.mark.parametrize(
    "path, status, error",
    [
        ("/api/vouchers/{typo}", 400, "check_character_mismatch"),
        ("/api/vouchers/K7Q", 400, "malformed_code"),
        ("/api/vouchers/O0O0-1111-IIII-LLLL", 400, "malformed_code"),
        ("/api/vouchers/{unknown}", 404, "voucher_not_found"),
    ],
)
async def test_bad_codes_get_clear_json_errors(
    aiohttp_client: Any, world: dict[str, Any], path: str, status: int, error: str
) -> None:
    client = await make_client(aiohttp_client, world)
    code = world["code"]
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    path = path.format(typo=typo, unknown=new_code())
    before = changes(world)
    for method, url in (("GET", path), ("POST", path + "/redeem")):
        response = await client.request(method, url, headers=auth(world["keys"][0]))
        assert response.status == status, (method, url)
        assert (await response.json())["error"]["code"] == error
    assert changes(world) == before


async def test_expired_voucher(aiohttp_client: Any, world: dict[str, Any]) -> None:
    with world["sessions"]() as session:
        voucher = session.execute(select(Voucher)).scalar_one()
        voucher.issued_at = utcnow().replace(year=utcnow().year - 2)
        voucher.expires_at = utcnow().replace(year=utcnow().year - 1)
        session.commit()
    client = await make_client(aiohttp_client, world)
    before = changes(world)
    response = await client.post(
        f"/api/vouchers/{world['code']}/redeem", headers=auth(world["keys"][0])
    )
    assert response.status == 410
    assert (await response.json())["error"]["code"] == "voucher_expired"
    assert changes(world) == before


@pytest.mark.parametrize(
    "headers, error",
    [
        ({}, "missing_api_key"),
        ({"Authorization": "Bearer kp_wrong"}, "invalid_api_key"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "missing_api_key"),
        ({"X-API-Key": "x" * 5000}, "invalid_api_key"),
    ],
)
async def test_wrong_keys_are_refused(
    aiohttp_client: Any, world: dict[str, Any], headers: dict[str, str], error: str
) -> None:
    client = await make_client(aiohttp_client, world)
    before = changes(world)
    response = await client.post(f"/api/vouchers/{world['code']}/redeem", headers=headers)
    assert response.status == 401
    assert (await response.json())["error"]["code"] == error
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert changes(world) == before


@pytest.mark.parametrize(
    "body, content_type, status, error",
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"[1, 2]", "application/json", 400, "invalid_body"),
        (b'{"reference": 12}', "application/json", 400, "invalid_body"),
        (b'{"reference": "a", "extra": 1}', "application/json", 400, "invalid_body"),
        (json.dumps({"reference": "x" * 101}).encode(), "application/json", 400, "invalid_body"),
        (b"reference=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b'{"reference": "' + b"x" * 5000 + b'"}', "application/json", 413, "body_too_large"),
        (b"x" * 200_000, "application/json", 413, "body_too_large"),
    ],
)
async def test_bad_bodies_change_nothing(
    aiohttp_client: Any,
    world: dict[str, Any],
    body: bytes,
    content_type: str,
    status: int,
    error: str,
) -> None:
    client = await make_client(aiohttp_client, world)
    before = changes(world)
    response = await client.post(
        f"/api/vouchers/{world['code']}/redeem",
        data=body,
        headers={**auth(world["keys"][0]), "Content-Type": content_type},
    )
    assert response.status == status
    assert (await response.json())["error"]["code"] == error
    assert changes(world) == before


async def test_chunked_huge_body_is_refused(aiohttp_client: Any, world: dict[str, Any]) -> None:
    client = await make_client(aiohttp_client, world)

    async def chunks() -> Any:
        for _ in range(10):
            yield b"x" * 1000

    response = await client.post(
        f"/api/vouchers/{world['code']}/redeem",
        data=chunks(),
        headers={**auth(world["keys"][0]), "Content-Type": "application/json"},
    )
    assert response.status == 413
    assert changes(world)[0] == 0


async def test_rate_limit_per_key(aiohttp_client: Any, world: dict[str, Any]) -> None:
    client = await make_client(aiohttp_client, world, provider_rate_limit_per_minute=3)
    mine, other = world["keys"]
    statuses = [
        (await client.get(f"/api/vouchers/{world['code']}", headers=auth(mine))).status
        for _ in range(4)
    ]
    assert statuses == [200, 200, 200, 429]
    limited = await client.get(f"/api/vouchers/{world['code']}", headers=auth(mine))
    assert (await limited.json())["error"]["code"] == "rate_limited"
    assert int(limited.headers["Retry-After"]) >= 1
    other_key = await client.get(f"/api/vouchers/{world['code']}", headers=auth(other))
    assert other_key.status == 200
    guesses = [
        (await client.get("/api/vouchers/x", headers=auth(f"kp_guess{n}"))).status for n in range(5)
    ]
    assert guesses[-1] == 429  # guessing keys from one address is limited too


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_twenty_concurrent_redemptions(aiohttp_client: Any, world: dict[str, Any]) -> None:
    client = await make_client(aiohttp_client, world)
    keys = world["keys"]
    responses = await asyncio.gather(
        *[
            client.post(f"/api/vouchers/{world['code']}/redeem", headers=auth(keys[n % 2]))
            for n in range(20)
        ]
    )
    statuses = sorted(response.status for response in responses)
    assert statuses == [200] * 10 + [409] * 10
    bodies = [await r.json() for r in responses if r.status == 200]
    assert all(body == bodies[0] for body in bodies)
    with world["sessions"]() as session:
        assert (
            session.execute(
                select(func.count(AuditEntry.id)).where(AuditEntry.action == "voucher.redeemed")
            ).scalar_one()
            == 1
        )


async def test_calendar_download_and_email_page(aiohttp_client: Any, world: dict[str, Any]) -> None:
    with world["sessions"]() as session:
        offer = find_offers(
            session,
            region="Utrecht",
            mode="online",
            preference=WhenPreference(),
            now=utcnow(),
            horizon_days=42,
        )[0]
        view = run_in_transaction(
            session,
            book_slot,
            slot_id=offer.slot_id,
            mode="online",
            region="Utrecht",
            now=utcnow(),
            actor="test",
        )
    client = await make_client(aiohttp_client, world)
    ics = await client.get(f"/bookings/{view.ics_token}.ics")
    assert ics.status == 200 and ics.content_type == "text/calendar"
    assert "BEGIN:VEVENT" in await ics.text()
    assert ics.headers["Cache-Control"] == "no-store"
    assert (await client.get("/bookings/not-a-token.ics")).status == 404

    page = await client.get(f"/bookings/{view.ics_token}/email")
    assert page.status == 200 and 'name="email"' in await page.text()
    no_consent = await client.post(
        f"/bookings/{view.ics_token}/email",
        data={"email": "medewerker@example.org", "action": "save"},
    )
    assert no_consent.status == 400
    bad = await client.post(
        f"/bookings/{view.ics_token}/email",
        data={"email": "geen-adres", "consent": "ja", "action": "save"},
    )
    assert bad.status == 400
    saved = await client.post(
        f"/bookings/{view.ics_token}/email",
        data={"email": "medewerker@example.org", "consent": "ja", "action": "save"},
    )
    assert saved.status == 200 and "Dank je" in await saved.text()
    with world["sessions"]() as session:
        assert session.get(Booking, view.booking_id).email == "medewerker@example.org"
    removed = await client.post(f"/bookings/{view.ics_token}/email", data={"action": "remove"})
    assert removed.status == 200
    with world["sessions"]() as session:
        assert session.get(Booking, view.booking_id).email is None
    assert (await client.get("/bookings/unknown/email")).status == 404
