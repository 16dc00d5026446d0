"""Provider API for workshop sessions (issue 17), through the real aiohttp app.

On SQLite and PostgreSQL: a provider sees only its own sessions, with counts and sign-up
codes (never who signed up), reports attendance once (a repeat changes nothing) and a
no-show once (the voucher is freed once); another provider's session or code is a 404 that
changes nothing; bad input gets a clear JSON error; the answers match openapi.yaml.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import json
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import jsonschema
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import LOCAL_TZ, utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.ledger import signups
from bot.ledger.catalog import WORKSHOP_THEMES
from bot.ledger.codes import format_code, new_code
from bot.ledger.models import AuditEntry, Provider, Voucher, Workshop, WorkshopSignup
from bot.ledger.providers import issue_api_key
from bot.ledger.vouchers import request_voucher
from bot.trends.models import TrendEvent
from bot.web.app import init_app
from bot.web.routes import provider_api
from bot.web.routes.provider_api import ALREADY_NO_SHOW, SIGNUP_ERRORS, openapi_spec
from tests.ledger.support import BACKENDS, load

pytest_plugins = ["tests.ledger.support"]

#: The tests that touch the database run on SQLite and on PostgreSQL.
both = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

LEERHUIS = "Leerhuis Test"
TRAINER = "Trainingsbureau Test"


@pytest.fixture(autouse=True)
def no_holidays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The "soon" sessions start in three hours: on a public holiday they would be refused.
    The holiday rule itself is tested in tests/ledger/test_signups.py."""
    monkeypatch.setattr(signups, "is_holiday", lambda moment: False)


class Clock:
    """The API's clock, moved by the test (the ledger takes ``now`` from the route)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(provider_api, "utcnow", clock)
    return clock


def key(number: int) -> str:
    return f"emp-{number:08d}"


def _voucher(session: Any, employee: str) -> str:
    return run_in_transaction(
        session,
        request_voucher,
        municipality_code="GM9901",
        employee_key=employee,
        now=utcnow(),
        valid_days=365,
        actor="test",
    ).voucher.code


def _workshop(session: Any, provider: str, theme: str, starts_at: datetime, places: int) -> int:
    provider_id = session.execute(select(Provider.id).where(Provider.name == provider)).scalar_one()
    workshop = Workshop(
        theme=theme,
        title=WORKSHOP_THEMES[theme],
        provider_id=provider_id,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1, minutes=30),
        location="Online",
        places=places,
        seats_taken=0,
    )
    session.add(workshop)
    session.commit()
    return workshop.id


def _sign_up(session: Any, workshop_id: int, number: int, *, waiting: bool = False) -> Any:
    return run_in_transaction(
        session,
        signups.sign_up,
        workshop_id=workshop_id,
        voucher_code=_voucher(session, key(number)),
        employee_key=key(number),
        now=utcnow(),
        join_waiting_list=waiting,
        actor="test",
    ).signup


@pytest.fixture
def world(database_url: str, sessions: sessionmaker) -> dict[str, Any]:
    """Two providers with keys; an evening in two weeks and two sessions starting soon.

    Leerhuis "soon" (2 places): employee 1 and 2 have a seat, 3 waits. Trainer "soon":
    employee 4. Leerhuis evening: employee 5 has a seat, 6 signed up and cancelled.
    """
    load(
        sessions,
        {
            "municipalities": [
                {
                    "code": "GM9901",
                    "name": "Gemeente Voorbeeldstad",
                    "programme_year": "current",
                    "voucher_value_eur": 375,
                    "voucher_budget_eur": 375 * 50,
                }
            ],
            "providers": [{"name": LEERHUIS}, {"name": TRAINER}],
            "events": [
                {
                    "name": "Tap de toekomst Limburg (test)",
                    "region": "Limburg",
                    "venue": "Brasserie De Proef (fictief)",
                    "town": "Heuvelrand (fictief)",
                    "in_days": 14,
                    "weekday": "di",
                    "sessions": [
                        {"theme": "talenten", "provider": LEERHUIS, "time": "19:00", "places": 8},
                        {"theme": "gesprek", "provider": TRAINER, "time": "19:00", "places": 4},
                    ],
                }
            ],
        },
    )
    soon = utcnow() + timedelta(hours=3)
    with sessions() as session:
        keys = {
            name: run_in_transaction(session, issue_api_key, name=name, now=utcnow(), actor="t")
            for name in (LEERHUIS, TRAINER)
        }
        mine = _workshop(session, LEERHUIS, "presenteren", soon, places=2)
        theirs = _workshop(session, TRAINER, "financien", soon, places=3)
        evening = session.execute(
            select(Workshop.id).where(Workshop.theme == "talenten", Workshop.event_id.is_not(None))
        ).scalar_one()
        came, absent = (_sign_up(session, mine, number) for number in (1, 2))
        waiting = _sign_up(session, mine, 3, waiting=True)
        other = _sign_up(session, theirs, 4)
        _sign_up(session, evening, 5)
        cancelled = _sign_up(session, evening, 6)
        run_in_transaction(
            session,
            signups.cancel_signup,
            code=cancelled.code,
            employee_key=key(6),
            now=utcnow(),
        )
    return {
        "url": database_url,
        "sessions": sessions,
        "keys": keys,
        "soon": soon,
        "mine": mine,
        "theirs": theirs,
        "evening": evening,
        "came": came.code,
        "absent": absent.code,
        "waiting": waiting.code,
        "other": other.code,
        "cancelled": cancelled.code,
    }


def make_client(aiohttp_client: Any, world: dict[str, Any], **overrides: Any) -> Any:
    settings = dataclasses.replace(
        load_settings(),
        database_url=world["url"],
        ledger_housekeeping_minutes=0,
        public_base_url="http://koers.test",
        **overrides,
    )
    return aiohttp_client(init_app(settings))


def auth(world: dict[str, Any], provider: str = LEERHUIS) -> dict[str, str]:
    return {"Authorization": f"Bearer {world['keys'][provider]}"}


def snapshot(world: dict[str, Any]) -> tuple:
    """Everything a refused request must leave as it was."""
    with world["sessions"]() as session:
        return (
            tuple(
                session.execute(
                    select(
                        WorkshopSignup.id,
                        WorkshopSignup.status,
                        WorkshopSignup.attended_at,
                        WorkshopSignup.updated_at,
                    ).order_by(WorkshopSignup.id)
                )
            ),
            tuple(
                session.execute(
                    select(Voucher.id, Voucher.status, Voucher.redeemed_by_provider_id).order_by(
                        Voucher.id
                    )
                )
            ),
            tuple(session.execute(select(Workshop.id, Workshop.seats_taken).order_by(Workshop.id))),
            session.execute(select(func.count(AuditEntry.id))).scalar_one(),
            session.execute(select(func.count(TrendEvent.id))).scalar_one(),
        )


def voucher_of(world: dict[str, Any], code: str) -> Voucher:
    with world["sessions"]() as session:
        voucher = session.execute(
            select(Voucher).join(WorkshopSignup).where(WorkshopSignup.code == code)
        ).scalar_one()
        session.expunge(voucher)
        return voucher


def audit_count(world: dict[str, Any], action: str) -> int:
    with world["sessions"]() as session:
        return session.execute(
            select(func.count(AuditEntry.id)).where(AuditEntry.action == action)
        ).scalar_one()


async def assert_error(response: Any, status: int, code: str) -> None:
    """A JSON error answer: this status and error code, and a message that says why."""
    assert response.status == status
    error = (await response.json())["error"]
    assert error["code"] == code and error["message"]


def no_identity(world: dict[str, Any], body: Any) -> None:
    """Nothing in an answer points at an employee: no key, no voucher code."""
    text = json.dumps(body)
    assert "emp-" not in text and "employee" not in text
    with world["sessions"]() as session:
        for code in session.execute(select(Voucher.code)).scalars():
            assert code not in text and format_code(code) not in text


# --- The answers match openapi.yaml --------------------------------------------------------


def _json_schema(node: Any, spec: dict[str, Any]) -> Any:
    """An OpenAPI 3.0 schema as JSON Schema: $refs resolved, ``nullable`` as a null type."""
    if isinstance(node, list):
        return [_json_schema(item, spec) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _json_schema(target, spec)
    result = {name: _json_schema(value, spec) for name, value in node.items()}
    if "allOf" in result:  # the form used here: an object schema and extra properties
        parts = result.pop("allOf")
        merged = copy.deepcopy(parts[0])
        for extra in parts[1:]:
            merged["properties"].update(extra["properties"])
        result = {**merged, **result}
    if result.pop("nullable", False):
        if "enum" in result:
            result["enum"] = [*result["enum"], None]
        if "type" in result:
            result["type"] = [result["type"], "null"]
        else:
            result = {"anyOf": [result, {"type": "null"}]}
    return result


def _strict(schema: Any) -> Any:
    """No property the description leaves out: an undescribed field fails the test."""
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    result = {name: _strict(value) for name, value in schema.items()}
    if "properties" in result:
        result.setdefault("additionalProperties", False)
        result["required"] = sorted(result["properties"])
    return result


def conforms(path: str, method: str, status: int, body: Any) -> None:
    spec = openapi_spec(load_settings())
    described = spec["paths"][path][method]["responses"][str(status)]
    schema = _json_schema(described["content"]["application/json"]["schema"], spec)
    jsonschema.validate(body, _strict(schema))


# --- Listing --------------------------------------------------------------------------------


@both
async def test_a_provider_lists_only_its_own_sessions_with_counts(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world)
    response = await client.get("/api/workshops", headers=auth(world))
    assert response.status == 200
    body = await response.json()
    conforms("/api/workshops", "get", 200, body)
    no_identity(world, body)
    listed = {item["id"]: item for item in body["workshops"]}
    assert set(listed) == {world["mine"], world["evening"]}  # not the trainer's sessions
    assert [item["id"] for item in body["workshops"]] == [world["mine"], world["evening"]]
    soon = listed[world["mine"]]
    assert soon["counts"] == {
        "reserved": 2,
        "waiting": 1,
        "attended": 0,
        "no_show": 0,
        "cancelled": 0,
    }
    assert (soon["places"], soon["seats_left"], soon["event"]) == (2, 0, None)
    evening = listed[world["evening"]]
    assert evening["counts"]["reserved"] == 1 and evening["counts"]["cancelled"] == 1
    assert evening["seats_left"] == 7
    assert evening["event"]["region"] == "Limburg"
    assert body["has_more"] is False and body["next_offset"] is None

    theirs = await (await client.get("/api/workshops", headers=auth(world, TRAINER))).json()
    with world["sessions"]() as session:
        trainers = set(
            session.execute(
                select(Workshop.id).join(Provider).where(Provider.name == TRAINER)
            ).scalars()
        )
    assert {item["id"] for item in theirs["workshops"]} == trainers
    assert world["theirs"] in trainers and not {world["mine"], world["evening"]} & trainers


@both
async def test_listing_pages_and_filters_by_day(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world)
    first = await (await client.get("/api/workshops?limit=1", headers=auth(world))).json()
    assert [item["id"] for item in first["workshops"]] == [world["mine"]]
    assert first["has_more"] is True and first["next_offset"] == 1
    second = await (await client.get("/api/workshops?limit=1&offset=1", headers=auth(world))).json()
    assert [item["id"] for item in second["workshops"]] == [world["evening"]]
    assert second["has_more"] is False

    soon_day = world["soon"].astimezone(LOCAL_TZ).date()
    only_soon = await (
        await client.get(
            f"/api/workshops?from={soon_day.isoformat()}&to={soon_day.isoformat()}",
            headers=auth(world),
        )
    ).json()
    assert [item["id"] for item in only_soon["workshops"]] == [world["mine"]]
    later = soon_day + timedelta(days=1)
    from_later = await (
        await client.get(f"/api/workshops?from={later.isoformat()}", headers=auth(world))
    ).json()
    assert [item["id"] for item in from_later["workshops"]] == [world["evening"]]

    # a session of last week is still listed by default: attendance may still be reported
    clock.now = world["soon"] + timedelta(days=7)
    default = await (await client.get("/api/workshops", headers=auth(world))).json()
    assert world["mine"] in {item["id"] for item in default["workshops"]}
    clock.now = world["soon"] + timedelta(days=provider_api.LIST_DAYS_BACK + 2)
    default = await (await client.get("/api/workshops", headers=auth(world))).json()
    assert world["mine"] not in {item["id"] for item in default["workshops"]}


@both
async def test_one_session_shows_codes_and_statuses_only(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world)
    response = await client.get(f"/api/workshops/{world['mine']}", headers=auth(world))
    assert response.status == 200
    body = await response.json()
    conforms("/api/workshops/{workshop_id}", "get", 200, body)
    no_identity(world, body)
    workshop = body["workshop"]
    assert workshop["signups"] == [
        {"code": format_code(world["came"]), "status": "reserved"},
        {"code": format_code(world["absent"]), "status": "reserved"},
    ]  # the waiting one has no seat, so nothing to report: not listed
    assert set(workshop["signups"][0]) == {"code", "status"}
    evening = await (
        await client.get(f"/api/workshops/{world['evening']}", headers=auth(world))
    ).json()
    assert format_code(world["cancelled"]) not in json.dumps(evening)
    assert len(evening["workshop"]["signups"]) == 1


# --- Attendance and no-shows --------------------------------------------------------------


@both
async def test_attendance_is_redeemed_once(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world)
    url = f"/api/signups/{format_code(world['came'])}/attendance"
    clock.now = world["soon"] - timedelta(hours=3)
    before = snapshot(world)
    await assert_error(await client.post(url, headers=auth(world)), 409, "attendance_too_early")
    assert snapshot(world) == before

    clock.now = world["soon"] + timedelta(minutes=5)
    first = await client.post(url, headers=auth(world))
    assert first.status == 200 and "Idempotent-Replay" not in first.headers
    body = await first.json()
    conforms("/api/signups/{code}/attendance", "post", 200, body)
    no_identity(world, body)
    assert body["already_redeemed"] is False
    assert body["signup"]["status"] == "attended" and body["signup"]["attended_at"]
    voucher = voucher_of(world, world["came"])
    assert voucher.status == "redeemed"
    with world["sessions"]() as session:
        leerhuis = session.execute(select(Provider.id).where(Provider.name == LEERHUIS)).scalar()
    assert voucher.redeemed_by_provider_id == leerhuis

    after_first = snapshot(world)
    clock.now += timedelta(minutes=30)
    again = await client.post(
        f"/api/signups/{world['came'].lower()}/attendance", headers=auth(world), json={}
    )
    assert again.status == 200 and again.headers["Idempotent-Replay"] == "true"
    repeat = await again.json()
    assert repeat["already_redeemed"] is True and repeat["signup"] == body["signup"]
    assert snapshot(world) == after_first  # a repeat changes nothing

    detail = await (await client.get(f"/api/workshops/{world['mine']}", headers=auth(world))).json()
    assert detail["workshop"]["counts"]["attended"] == 1
    assert {"code": format_code(world["came"]), "status": "attended"} in detail["workshop"][
        "signups"
    ]


@both
async def test_concurrent_attendance_reports_redeem_once(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world)
    clock.now = world["soon"] + timedelta(minutes=5)
    url = f"/api/signups/{world['came']}/attendance"
    responses = await asyncio.gather(*[client.post(url, headers=auth(world)) for _ in range(10)])
    assert [response.status for response in responses] == [200] * 10
    bodies = [await response.json() for response in responses]
    assert sum(not body["already_redeemed"] for body in bodies) == 1
    assert audit_count(world, "voucher.redeemed") == 1
    assert audit_count(world, "workshop_signup.attended") == 1


@both
async def test_a_no_show_frees_the_voucher_once(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world)
    url = f"/api/signups/{world['absent']}/no-show"
    clock.now = world["soon"] - timedelta(minutes=1)
    before = snapshot(world)
    await assert_error(await client.post(url, headers=auth(world)), 409, "session_not_started")
    assert snapshot(world) == before

    clock.now = world["soon"] + timedelta(minutes=20)
    first = await client.post(url, headers=auth(world))
    assert first.status == 200
    body = await first.json()
    conforms("/api/signups/{code}/no-show", "post", 200, body)
    assert body["signup"]["status"] == "no_show" and body["signup"]["attended_at"] is None
    assert voucher_of(world, world["absent"]).status == "issued"  # free for another workshop

    after_first = snapshot(world)
    for attempt in (url, f"/api/signups/{world['absent']}/attendance"):
        refused = await client.post(attempt, headers=auth(world))
        assert refused.status == 409
        error = (await refused.json())["error"]
        assert error["code"] in (ALREADY_NO_SHOW[1], "signup_no_show")
        assert error["message"]
    assert snapshot(world) == after_first  # released once; the voucher stays issued
    assert audit_count(world, "workshop_signup.no_show") == 1

    # attended first: a no-show is refused and the redemption stays
    await client.post(f"/api/signups/{world['came']}/attendance", headers=auth(world))
    attended = snapshot(world)
    late = await client.post(f"/api/signups/{world['came']}/no-show", headers=auth(world))
    await assert_error(late, 409, "signup_attended")
    assert snapshot(world) == attended
    assert voucher_of(world, world["came"]).status == "redeemed"

    detail = await (await client.get(f"/api/workshops/{world['mine']}", headers=auth(world))).json()
    counts = detail["workshop"]["counts"]
    assert (counts["attended"], counts["no_show"], counts["reserved"]) == (1, 1, 0)


@both
@pytest.mark.parametrize(
    "which, error",
    [("waiting", "signup_waiting"), ("cancelled", "signup_cancelled")],
)
async def test_sign_ups_without_a_seat_cannot_be_reported(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock, which: str, error: str
) -> None:
    client = await make_client(aiohttp_client, world)
    clock.now = world["soon"] + timedelta(days=15)  # after both sessions
    before = snapshot(world)
    for action in ("attendance", "no-show"):
        response = await client.post(f"/api/signups/{world[which]}/{action}", headers=auth(world))
        await assert_error(response, 409, error)
    assert snapshot(world) == before


@both
async def test_a_reserved_voucher_is_not_redeemed_by_its_code(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    """Only the session's attendance redeems a reserved voucher: no second way to cash it."""
    client = await make_client(aiohttp_client, world)
    voucher = voucher_of(world, world["other"])
    assert voucher.status == "reserved"
    before = snapshot(world)
    for provider in (LEERHUIS, TRAINER):
        response = await client.post(
            f"/api/vouchers/{voucher.code}/redeem", headers=auth(world, provider)
        )
        await assert_error(response, 409, "voucher_reserved")
    seen = await client.get(f"/api/vouchers/{voucher.code}", headers=auth(world))
    assert (await seen.json())["voucher"]["status"] == "reserved"
    assert snapshot(world) == before


# --- Another provider -------------------------------------------------------------------


@both
async def test_another_provider_can_neither_see_nor_change(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    """Provider B tries provider A's session id and sign-up codes: 404 as for unknown ones."""
    client = await make_client(aiohttp_client, world)
    clock.now = world["soon"] + timedelta(minutes=10)
    before = snapshot(world)
    attacker = auth(world, TRAINER)

    stolen = await client.get(f"/api/workshops/{world['mine']}", headers=attacker)
    unknown = await client.get("/api/workshops/999999", headers=attacker)
    assert stolen.status == unknown.status == 404
    assert await stolen.json() == await unknown.json()
    assert (await stolen.json())["error"]["code"] == "workshop_not_found"

    unknown_code = new_code("signup")
    for action in ("attendance", "no-show"):
        for code in (world["came"], world["absent"], world["waiting"]):
            response = await client.post(f"/api/signups/{code}/{action}", headers=attacker)
            nobody = await client.post(f"/api/signups/{unknown_code}/{action}", headers=attacker)
            assert response.status == nobody.status == 404, (action, code)
            assert await response.json() == await nobody.json()
            assert (await response.json())["error"]["code"] == "signup_not_found"
    listed = await (await client.get("/api/workshops", headers=attacker)).json()
    assert world["mine"] not in {item["id"] for item in listed["workshops"]}
    assert format_code(world["came"]) not in json.dumps(listed)
    assert snapshot(world) == before

    # and the other way round: Leerhuis cannot touch the trainer's sign-up
    response = await client.post(f"/api/signups/{world['other']}/attendance", headers=auth(world))
    assert response.status == 404
    assert snapshot(world) == before


# --- Bad input ----------------------------------------------------------------------------


@both
@pytest.mark.parametrize(
    "method, path, status, error",
    [
        ("GET", "/api/workshops/abc", 400, "malformed_workshop_id"),
        ("GET", "/api/workshops/-1", 400, "malformed_workshop_id"),
        ("GET", "/api/workshops/0", 404, "workshop_not_found"),
        ("GET", "/api/workshops/99999999999999999999", 404, "workshop_not_found"),
        ("GET", "/api/workshops?from=2025-13-01", 400, "invalid_query"),
        ("GET", "/api/workshops?from=1-2-2025", 400, "invalid_query"),
        ("GET", "/api/workshops?from=2025-06-02&to=2025-06-01", 400, "invalid_query"),
        ("GET", "/api/workshops?limit=0", 400, "invalid_query"),
        ("GET", "/api/workshops?limit=101", 400, "invalid_query"),
        ("GET", "/api/workshops?limit=ten", 400, "invalid_query"),
        ("GET", "/api/workshops?offset=-1", 400, "invalid_query"),
        ("GET", "/api/workshops?form=2025-06-01", 400, "invalid_query"),
        ("POST", "/api/signups/K7Q/attendance", 400, "malformed_code"),
        ("POST", "/api/signups/O0O0O-11111/no-show", 400, "malformed_code"),
        ("POST", "/api/signups/{typo}/attendance", 400, "check_character_mismatch"),
        ("POST", "/api/signups/{booking}/attendance", 400, "check_character_mismatch"),
        ("POST", "/api/signups/{voucher}/attendance", 400, "malformed_code"),
        ("POST", "/api/signups/{unknown}/no-show", 404, "signup_not_found"),
    ],
)
async def test_bad_input_gets_a_clear_error_and_changes_nothing(
    aiohttp_client: Any,
    world: dict[str, Any],
    clock: Clock,
    method: str,
    path: str,
    status: int,
    error: str,
) -> None:
    client = await make_client(aiohttp_client, world)
    clock.now = world["soon"] + timedelta(minutes=10)
    code = world["came"]
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    path = path.format(
        typo=typo,
        booking=new_code("booking"),
        voucher=voucher_of(world, code).code,
        unknown=new_code("signup"),
    )
    before = snapshot(world)
    await assert_error(await client.request(method, path, headers=auth(world)), status, error)
    assert snapshot(world) == before


@both
@pytest.mark.parametrize(
    "body, content_type, status, error",
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"[]", "application/json", 400, "invalid_body"),
        (b'{"reference": "x"}', "application/json", 400, "invalid_body"),
        (b"code=x", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"x" * 10_000, "application/json", 413, "body_too_large"),
    ],
)
async def test_reports_take_no_body(
    aiohttp_client: Any,
    world: dict[str, Any],
    clock: Clock,
    body: bytes,
    content_type: str,
    status: int,
    error: str,
) -> None:
    client = await make_client(aiohttp_client, world)
    clock.now = world["soon"] + timedelta(minutes=10)
    before = snapshot(world)
    for action in ("attendance", "no-show"):
        response = await client.post(
            f"/api/signups/{world['came']}/{action}",
            data=body,
            headers={**auth(world), "Content-Type": content_type},
        )
        await assert_error(response, status, error)
    assert snapshot(world) == before


@both
async def test_keys_and_rate_limit_hold_for_the_new_routes(
    aiohttp_client: Any, world: dict[str, Any], clock: Clock
) -> None:
    client = await make_client(aiohttp_client, world, provider_rate_limit_per_minute=2)
    clock.now = world["soon"] + timedelta(minutes=10)
    before = snapshot(world)
    for method, path in (
        ("GET", "/api/workshops"),
        ("GET", f"/api/workshops/{world['mine']}"),
        ("POST", f"/api/signups/{world['came']}/attendance"),
        ("POST", f"/api/signups/{world['absent']}/no-show"),
    ):
        for headers in ({}, {"Authorization": "Bearer kp_wrong"}):
            response = await client.request(method, path, headers=headers)
            assert response.status in (401, 429), (method, path)
    assert snapshot(world) == before
    statuses = [(await client.get("/api/workshops", headers=auth(world))).status for _ in range(3)]
    assert statuses == [200, 200, 429]


# --- The error table and the description --------------------------------------------------


def _described(method: str, path: str) -> Callable[[str], str]:
    responses = openapi_spec(load_settings())["paths"][path][method]["responses"]
    return lambda status: json.dumps(responses.get(status, {}))


def test_every_signup_refusal_has_an_http_answer() -> None:
    assert set(SIGNUP_ERRORS) == set(signups.SIGNUP_MESSAGES)
    for reason, (status, code, message) in SIGNUP_ERRORS.items():
        assert status in (400, 404, 409, 410), reason
        assert code and message.endswith((".", ")")), reason
    assert SIGNUP_ERRORS[signups.VOUCHER_IS_RESERVED][:2] == (409, "voucher_reserved")
    assert SIGNUP_ERRORS[signups.NOT_OWNER] == SIGNUP_ERRORS[signups.SIGNUP_UNKNOWN]


def test_the_description_names_every_answer_of_the_new_routes() -> None:
    """openapi.yaml is written by hand: each error a report can give is described there."""
    attendance = _described("post", "/api/signups/{code}/attendance")
    no_show = _described("post", "/api/signups/{code}/no-show")
    for reason in (
        signups.SIGNUP_UNKNOWN,
        signups.SIGNUP_IS_WAITING,
        signups.SIGNUP_IS_NO_SHOW,
        signups.SIGNUP_IS_CANCELLED,
        signups.ATTENDANCE_TOO_EARLY,
        signups.VOUCHER_USED,
        signups.VOUCHER_IS_RESERVED,
    ):
        status, code, _message = SIGNUP_ERRORS[reason]
        assert code in attendance(str(status)), (reason, status)
    for reason in (
        signups.SIGNUP_UNKNOWN,
        signups.SIGNUP_IS_ATTENDED,
        signups.SIGNUP_IS_WAITING,
        signups.SIGNUP_IS_CANCELLED,
        signups.SESSION_NOT_OVER,
    ):
        status, code, _message = SIGNUP_ERRORS[reason]
        assert code in no_show(str(status)), (reason, status)
    assert ALREADY_NO_SHOW[1] in no_show(str(ALREADY_NO_SHOW[0]))
    workshop = _described("get", "/api/workshops/{workshop_id}")
    assert SIGNUP_ERRORS[signups.SESSION_UNKNOWN][1] in workshop("404")
    assert "malformed_workshop_id" in workshop("400")
    assert "invalid_query" in _described("get", "/api/workshops")("400")
    spec = openapi_spec(load_settings())
    limit = spec["paths"]["/api/workshops"]["get"]["parameters"]
    by_name = {parameter["name"]: parameter["schema"] for parameter in limit}
    assert by_name["limit"]["maximum"] == signups.MAX_PROVIDER_PAGE
    assert by_name["limit"]["default"] == provider_api.DEFAULT_LIST_LIMIT
    assert str(provider_api.LIST_DAYS_BACK) in json.dumps(by_name) + json.dumps(limit)


def test_days_are_local() -> None:
    since, until, limit, offset = provider_api.parse_list_query(
        {"from": "2025-03-30", "to": "2025-03-30"}, date(2025, 1, 1)
    )
    assert since == datetime(2025, 3, 30, tzinfo=LOCAL_TZ)
    assert until == datetime(2025, 3, 31, tzinfo=LOCAL_TZ)
    hours = until.astimezone(timezone.utc) - since.astimezone(timezone.utc)
    assert hours == timedelta(hours=23)  # the clocks go forward that night
    assert (limit, offset) == (provider_api.DEFAULT_LIST_LIMIT, 0)


async def test_the_calendar_file_of_a_sign_up_follows_its_status(
    aiohttp_client: Any, world: dict[str, Any]
) -> None:
    """The chat links to /signups/<token>.ics: confirmed with a seat, cancelled after
    cancelling (so an agenda removes it); an unknown token is a Dutch 404."""
    with world["sessions"]() as session:
        held = _sign_up(session, world["evening"], 7)
    client = await make_client(aiohttp_client, world)
    response = await client.get(f"/signups/{held.ics_token}.ics")
    body = await response.text()
    assert response.status == 200 and response.content_type == "text/calendar"
    assert response.headers["Cache-Control"] == "no-store"
    assert "BEGIN:VEVENT" in body and "STATUS:CONFIRMED" in body
    assert held.code not in body  # the sign-up code is not in the file
    with world["sessions"]() as session:
        run_in_transaction(
            session, signups.cancel_signup, code=held.code, employee_key=key(7), now=utcnow()
        )
    cancelled = await (await client.get(f"/signups/{held.ics_token}.ics")).text()
    assert "STATUS:CANCELLED" in cancelled
    missing = await client.get("/signups/not-a-token.ics")
    assert missing.status == 404 and "bestaat niet" in await missing.text()
