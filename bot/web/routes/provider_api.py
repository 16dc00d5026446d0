"""Provider API for vouchers: for workshop and coaching providers, with an API key.

- ``GET  /api/vouchers/{code}`` and ``POST /api/vouchers/{code}/redeem``: with an API key
  (``Authorization: Bearer kp_...``); JSON in and out, rate limited per key, every change in
  the audit log. Described at ``/api/openapi.json`` (``bot/web/openapi.yaml``) and in
  docs/provider-api.md.
- ``GET /api/workshops``, ``GET /api/workshops/{workshop_id}``,
  ``POST /api/signups/{code}/attendance`` and ``POST /api/signups/{code}/no-show``: the
  provider's own workshop sessions with counts and sign-up codes (never who signed up), and
  attendance reports (:mod:`bot.ledger.signups`). Another provider's session or sign-up
  answers exactly like an unknown one (404), so ids and codes cannot be probed.

One database session per request, used in a worker thread (SQLAlchemy is synchronous).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, TypeVar

import yaml
from aiohttp import web
from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ, utcnow
from bot.config import Settings
from bot.ledger import signups
from bot.ledger.codes import CodeProblem, check_code, code_length, format_code
from bot.ledger.providers import hash_api_key, provider_for_key
from bot.ledger.ratelimit import RateLimiter
from bot.ledger.signups import SignupError, release_past_waiting_lists
from bot.ledger.vouchers import (
    BAD_REFERENCE,
    CODE_MALFORMED,
    CODE_TYPO,
    MAX_REFERENCE_LENGTH,
    REDEEMED_BY_OTHER,
    VOUCHER_IS_CANCELLED,
    VOUCHER_IS_EXPIRED,
    VOUCHER_IS_RESERVED,
    VOUCHER_UNKNOWN,
    VoucherError,
    VoucherView,
    expire_due,
    redeem_voucher,
    voucher_status,
)
from bot.web.database import in_session
from bot.web.housekeeping import Job
from bot.web.keys import RATE_LIMITER_KEY, SETTINGS_KEY

OPENAPI_FILE = Path(__file__).parent.parent / "openapi.yaml"

routes = web.RouteTableDef()

#: A redeem request carries at most a short reference: anything bigger is refused unread.
MAX_BODY_BYTES = 4096
API_KEY_HEADER = "X-API-Key"

VOUCHER_ERRORS: dict[str, tuple[int, str, str]] = {
    CODE_MALFORMED: (
        400,
        "malformed_code",
        "This is not a voucher code: 16 characters, "
        "letters and digits without 0, 1, I, L and O.",
    ),
    CODE_TYPO: (
        400,
        "check_character_mismatch",
        "The check character does not match: " "the code probably has a typing error.",
    ),
    VOUCHER_UNKNOWN: (404, "voucher_not_found", "No voucher has this code."),
    VOUCHER_IS_EXPIRED: (410, "voucher_expired", "This voucher has expired."),
    VOUCHER_IS_CANCELLED: (409, "voucher_cancelled", "This voucher was cancelled."),
    REDEEMED_BY_OTHER: (
        409,
        "already_redeemed",
        "This voucher was already redeemed by " "another provider.",
    ),
    VOUCHER_IS_RESERVED: (
        409,
        "voucher_reserved",
        "This voucher is reserved for a workshop sign-up. The provider of that session reports "
        "attendance with the sign-up code (POST /api/signups/{code}/attendance).",
    ),
    BAD_REFERENCE: (
        400,
        "invalid_body",
        f"'reference' must be a string of at most " f"{MAX_REFERENCE_LENGTH} characters.",
    ),
}

#: Every refusal of :mod:`bot.ledger.signups` as (HTTP status, error code, English message):
#: 404 for what is unknown (or not yours), 409 for a conflict with the current state, 400 for
#: bad input. Complete: tests/web/test_provider_workshops.py checks every reason is here.
SIGNUP_ERRORS: dict[str, tuple[int, str, str]] = {
    signups.IDENTITY_NEEDED: (400, "identity_needed", "This needs a verified employee."),
    signups.SESSION_UNKNOWN: (
        404,
        "workshop_not_found",
        "You have no workshop session with this id.",
    ),
    signups.SESSION_PAST: (409, "session_past", "This session has started or starts soon."),
    signups.SESSION_HOLIDAY: (409, "session_holiday", "This session falls on a public holiday."),
    signups.SESSION_FULL: (409, "session_full", "This session is full."),
    signups.SAME_SESSION: (409, "same_session", "The sign-up is already for this session."),
    signups.VOUCHER_UNKNOWN: (404, "voucher_not_found", "No voucher has this code."),
    signups.VOUCHER_TYPO: (
        400,
        "check_character_mismatch",
        "The check character does not match: the code probably has a typing error.",
    ),
    signups.VOUCHER_USED: (409, "already_redeemed", "This voucher was already redeemed."),
    signups.VOUCHER_IS_RESERVED: VOUCHER_ERRORS[VOUCHER_IS_RESERVED],
    signups.VOUCHER_IS_EXPIRED: (410, "voucher_expired", "This voucher has expired."),
    signups.VOUCHER_IS_CANCELLED: (409, "voucher_cancelled", "This voucher was cancelled."),
    signups.VOUCHER_WRONG_PURPOSE: (
        409,
        "voucher_wrong_purpose",
        "This voucher pays only for a coach conversation, not for a workshop.",
    ),
    # Someone else's sign-up answers like an unknown one: nothing to learn from probing.
    signups.NOT_OWNER: (404, "signup_not_found", "You have no sign-up with this code."),
    signups.SIGNUP_UNKNOWN: (404, "signup_not_found", "You have no sign-up with this code."),
    signups.SIGNUP_IS_CANCELLED: (
        409,
        "signup_cancelled",
        "This sign-up was cancelled: there is no attendance to report.",
    ),
    signups.SIGNUP_IS_ATTENDED: (
        409,
        "signup_attended",
        "Attendance was already reported for this sign-up: it cannot become a no-show.",
    ),
    signups.SIGNUP_IS_WAITING: (
        409,
        "signup_waiting",
        "This sign-up is on the waiting list and has no seat: there is nothing to redeem.",
    ),
    signups.SIGNUP_IS_NO_SHOW: (
        409,
        "signup_no_show",
        "A no-show was reported for this sign-up and its voucher is free again: "
        "it cannot be redeemed any more.",
    ),
    signups.ATTENDANCE_TOO_EARLY: (
        409,
        "attendance_too_early",
        f"Attendance can be reported from {signups.ATTENDANCE_OPENS.seconds // 3600} hours "
        "before the start of the session.",
    ),
    signups.SESSION_NOT_OVER: (
        409,
        "session_not_started",
        "The session has not started yet: report a no-show after the start.",
    ),
    signups.UNKNOWN_REGION: (400, "unknown_region", "This is not one of the twelve provinces."),
    signups.UNKNOWN_THEME: (400, "unknown_theme", "This is not one of the five workshop themes."),
    signups.UNKNOWN_TIME_OF_DAY: (
        400,
        "unknown_time_of_day",
        "The part of the day must be ochtend, middag or avond.",
    ),
    # Only the employee's e-mail page meets these two; listed so every refusal has an answer.
    signups.BAD_EMAIL: (400, "invalid_email", "This is not a valid e-mail address."),
    signups.NOT_WAITING: (409, "signup_not_waiting", "This sign-up is not on a waiting list."),
}

#: A second no-show report is refused (the first one already freed the voucher).
ALREADY_NO_SHOW = (
    409,
    "already_no_show",
    "A no-show was already reported for this sign-up. Nothing changed.",
)

_SIGNUP_CODE_ERRORS: dict[CodeProblem, tuple[int, str, str]] = {
    CodeProblem.CHECK_MISMATCH: (
        400,
        "check_character_mismatch",
        "The check character does not match: the code probably has a typing error.",
    ),
}
_SIGNUP_CODE_MALFORMED = (
    400,
    "malformed_code",
    f"This is not a sign-up code: {code_length('signup')} characters, "
    "letters and digits without 0, 1, I, L and O.",
)

#: Default start of ``GET /api/workshops``: this many days back, so recent sessions whose
#: attendance is still to be reported are listed too.
LIST_DAYS_BACK = 30
DEFAULT_LIST_LIMIT = 50
_MAX_ID = 2**31 - 1


def error_response(status: int, code: str, message: str, **headers: str) -> web.Response:
    return web.json_response(
        {"error": {"code": code, "message": message}}, status=status, headers=headers or None
    )


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def voucher_json(view: VoucherView, provider_id: int) -> dict[str, Any]:
    """What a provider may see: never the employee key, never another provider's name."""
    mine = view.redeemed_by_provider_id == provider_id
    redeemed_by = None
    if view.redeemed_by_provider_id is not None:
        redeemed_by = "you" if mine else "another_provider"
    return {
        "code": format_code(view.code),
        "status": view.status,
        "value_cents": view.value_cents,
        "value_eur": view.value_cents / 100,
        "purpose": view.purpose,
        "municipality": view.municipality_name,
        "programme_year": view.programme_year,
        "issued_at": _iso(view.issued_at),
        "expires_at": _iso(view.expires_at),
        "redeemed_at": _iso(view.redeemed_at),
        "redeemed_by": redeemed_by,
        "reference": view.redeemed_reference if mine else None,
    }


def _api_key(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return request.headers.get(API_KEY_HEADER, "").strip()


def _lookup_provider(session: Session, key: str) -> tuple[int, str] | None:
    provider = provider_for_key(session, key)
    return (provider.id, provider.name) if provider else None


async def _authenticate(request: web.Request) -> tuple[int, str] | web.Response:
    """The provider (id, name) for the request's key, or the error response to send."""
    limiter = request.app[RATE_LIMITER_KEY]
    key = _api_key(request)
    if not key:
        return error_response(
            401,
            "missing_api_key",
            "Send your API key as 'Authorization: Bearer <key>'.",
            **{"WWW-Authenticate": "Bearer"},
        )
    wait = await limiter.hit("key:" + hash_api_key(key))
    if wait:
        return _too_many(wait)
    provider = await in_session(request.app, _lookup_provider, key=key)
    if provider is None:
        # Wrong keys also count per client address, so guessing keys is slow too.
        wait = await limiter.hit("bad-key-from:" + (request.remote or "unknown"))
        if wait:
            return _too_many(wait)
        return error_response(
            401, "invalid_api_key", "This API key is not valid.", **{"WWW-Authenticate": "Bearer"}
        )
    return provider


def _too_many(wait: float) -> web.Response:
    return error_response(
        429,
        "rate_limited",
        "Too many requests for this API key. Wait a moment and try again.",
        **{"Retry-After": str(max(1, round(wait + 0.5)))},
    )


def _refusal(errors: Mapping[str, tuple[int, str, str]], reason: str) -> web.Response:
    """The error response for a refusal reason (a general 400 for one not in ``errors``)."""
    status, code, message = errors.get(reason, (400, reason, "The request cannot be done."))
    return error_response(status, code, message)


def _voucher_error(error: VoucherError) -> web.Response:
    return _refusal(VOUCHER_ERRORS, error.reason)


async def read_body(request: web.Request) -> bytes | web.Response:
    """The body, or a 413 when it is larger than :data:`MAX_BODY_BYTES` (checked early)."""
    too_large = (413, "body_too_large", f"The body may be at most {MAX_BODY_BYTES} bytes.")
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return error_response(*too_large)
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(MAX_BODY_BYTES + 1)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return error_response(*too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def _json_body(raw: bytes, content_type: str) -> Any:
    """A non-empty body as JSON; ValueError with the error code when it is not."""
    if content_type not in ("application/json", ""):
        raise ValueError("unsupported_media_type")
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("invalid_json") from exc


def parse_redeem_body(raw: bytes, content_type: str) -> str | None:
    """The optional ``reference`` from a redeem body; ValueError says what is wrong."""
    if not raw.strip():
        return None
    data = _json_body(raw, content_type)
    if not isinstance(data, dict):
        raise ValueError("invalid_body")
    unknown = set(data) - {"reference"}
    if unknown:
        raise ValueError("invalid_body")
    reference = data.get("reference")
    if reference is not None and (
        not isinstance(reference, str) or len(reference) > MAX_REFERENCE_LENGTH
    ):
        raise ValueError("invalid_body")
    return reference


#: (HTTP status, error code, message) for each ValueError of the body parsers.
_BODY_ERRORS: dict[str, tuple[int, str, str]] = {
    "unsupported_media_type": (415, "unsupported_media_type", "Send the body as application/json."),
    "invalid_json": (400, "invalid_json", "The body is not valid JSON."),
    "invalid_body": (
        400,
        "invalid_body",
        f"The body must be a JSON object with at most a 'reference' string "
        f"(up to {MAX_REFERENCE_LENGTH} characters).",
    ),
}


_Body = TypeVar("_Body")


async def _provider_and_body(
    request: web.Request,
    parse: Callable[[bytes, str], _Body],
    errors: Mapping[str, tuple[int, str, str]],
) -> tuple[int, _Body] | web.Response:
    """The provider id and the parsed body of a POST, or the error response to send."""
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    raw = await read_body(request)
    if isinstance(raw, web.Response):
        return raw
    try:
        parsed = parse(raw, request.content_type if raw.strip() else "")
    except ValueError as problem:
        return error_response(*errors[str(problem)])
    return provider[0], parsed


@routes.get("/api/vouchers/{code}")
async def get_voucher(request: web.Request) -> web.Response:
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    try:
        view = await in_session(
            request.app, voucher_status, raw_code=request.match_info["code"], now=utcnow()
        )
    except VoucherError as error:
        return _voucher_error(error)
    return web.json_response({"voucher": voucher_json(view, provider[0])})


@routes.post("/api/vouchers/{code}/redeem")
async def redeem(request: web.Request) -> web.Response:
    checked = await _provider_and_body(request, parse_redeem_body, _BODY_ERRORS)
    if isinstance(checked, web.Response):
        return checked
    provider_id, reference = checked
    try:
        result = await in_session(
            request.app,
            redeem_voucher,
            raw_code=request.match_info["code"],
            provider_id=provider_id,
            now=utcnow(),
            reference=reference,
        )
    except VoucherError as error:
        return _voucher_error(error)
    headers = {} if result.first_time else {"Idempotent-Replay": "true"}
    return web.json_response(
        {"voucher": voucher_json(result.voucher, provider_id)}, headers=headers
    )


# --- Workshop sessions and attendance -------------------------------------------------------


def _signup_error(error: SignupError) -> web.Response:
    return _refusal(SIGNUP_ERRORS, error.reason)


def counts_json(view: signups.ProviderSession) -> dict[str, int]:
    return {
        "reserved": view.reserved,
        "waiting": view.waiting,
        "attended": view.attended,
        "no_show": view.no_show,
        "cancelled": view.cancelled,
    }


def workshop_json(view: signups.ProviderSession) -> dict[str, Any]:
    """One of the provider's sessions: times, place and counts; who signed up never shows."""
    seated = view.reserved + view.attended + view.no_show
    event = None
    if view.event_name is not None:
        event = {"name": view.event_name, "region": view.region, "town": view.town}
    return {
        "id": view.workshop_id,
        "theme": view.theme,
        "title": view.title,
        "starts_at": _iso(view.starts_at),
        "ends_at": _iso(view.ends_at),
        "location": view.location,
        "event": event,
        "places": view.places,
        "seats_left": max(0, view.places - seated),
        "counts": counts_json(view),
    }


def signup_json(view: signups.SignupView) -> dict[str, Any]:
    """A sign-up as its provider sees it: the code and what happened, never the employee."""
    return {
        "code": format_code(view.code),
        "status": view.status,
        "workshop_id": view.workshop_id,
        "attended_at": _iso(view.attended_at),
    }


def _local_day(raw: str) -> date:
    if len(raw) != 10:
        raise ValueError(raw)
    return date.fromisoformat(raw)


def parse_list_query(query: Any, today: date) -> tuple[datetime, datetime | None, int, int]:
    """``from``, ``to`` (local dates, both included), ``limit`` and ``offset`` of
    ``GET /api/workshops``; ValueError with the message to send when something is wrong."""
    unknown = sorted(set(query) - {"from", "to", "limit", "offset"})
    if unknown:
        raise ValueError(f"Unknown query parameter: {unknown[0]}. Use from, to, limit, offset.")
    try:
        first = _local_day(query["from"]) if "from" in query else None
        last = _local_day(query["to"]) if "to" in query else None
    except ValueError as exc:
        raise ValueError("'from' and 'to' must be dates as YYYY-MM-DD.") from exc
    first = first or today - timedelta(days=LIST_DAYS_BACK)
    if last is not None and last < first:
        raise ValueError("'to' must not be before 'from'.")
    numbers = {}
    for name, default, lowest, highest in (
        ("limit", DEFAULT_LIST_LIMIT, 1, signups.MAX_PROVIDER_PAGE),
        ("offset", 0, 0, 100_000),
    ):
        raw = query.get(name, str(default))
        if not (raw.isascii() and raw.isdigit()) or not lowest <= int(raw) <= highest:
            raise ValueError(f"'{name}' must be a whole number from {lowest} to {highest}.")
        numbers[name] = int(raw)
    since = datetime.combine(first, time.min, LOCAL_TZ)
    until = None if last is None else datetime.combine(last + timedelta(days=1), time.min, LOCAL_TZ)
    return since, until, numbers["limit"], numbers["offset"]


def parse_workshop_id(raw: str) -> int | None:
    """The id in the path; None for one that no session can have (too big: answer 404)."""
    if not (raw.isascii() and raw.isdigit()):
        raise ValueError(raw)
    number = int(raw) if len(raw) <= 10 else _MAX_ID + 1
    return number if 0 < number <= _MAX_ID else None


def parse_empty_body(raw: bytes, content_type: str) -> None:
    """The attendance reports take no body; an empty JSON object is accepted too."""
    if not raw.strip():
        return
    if _json_body(raw, content_type) != {}:
        raise ValueError("no_body_expected")


_EMPTY_BODY_ERRORS = {
    **_BODY_ERRORS,
    "no_body_expected": (
        400,
        "invalid_body",
        "This request takes no body (or an empty JSON object).",
    ),
}


@routes.get("/api/workshops")
async def list_workshops(request: web.Request) -> web.Response:
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    today = utcnow().astimezone(LOCAL_TZ).date()
    try:
        since, until, limit, offset = parse_list_query(request.query, today)
    except ValueError as problem:
        return error_response(400, "invalid_query", str(problem))
    page = await in_session(
        request.app,
        signups.provider_sessions,
        provider_id=provider[0],
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return web.json_response(
        {
            "workshops": [workshop_json(view) for view in page.sessions],
            "offset": page.offset,
            "has_more": page.has_more,
            "next_offset": page.offset + len(page.sessions) if page.has_more else None,
        }
    )


@routes.get("/api/workshops/{workshop_id}")
async def get_workshop(request: web.Request) -> web.Response:
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    try:
        workshop_id = parse_workshop_id(request.match_info["workshop_id"])
    except ValueError:
        return error_response(
            400, "malformed_workshop_id", "A workshop id is a whole number, e.g. 42."
        )
    if workshop_id is None:
        return _signup_error(SignupError(signups.SESSION_UNKNOWN))
    try:
        view = await in_session(
            request.app,
            signups.provider_session,
            provider_id=provider[0],
            workshop_id=workshop_id,
        )
    except SignupError as error:
        return _signup_error(error)
    body = workshop_json(view)
    body["signups"] = [{"code": format_code(code), "status": status} for code, status in view.codes]
    return web.json_response({"workshop": body})


async def _report(
    request: web.Request, report: Callable[..., signups.AttendanceResult]
) -> signups.AttendanceResult | web.Response:
    """Runs an attendance report (no body, a sign-up code in the path) for the provider,
    or gives the error response to send."""
    checked = await _provider_and_body(request, parse_empty_body, _EMPTY_BODY_ERRORS)
    if isinstance(checked, web.Response):
        return checked
    provider_id, _none = checked
    check = check_code(request.match_info["code"], "signup")
    if not check.ok:
        return error_response(*_SIGNUP_CODE_ERRORS.get(check.problem, _SIGNUP_CODE_MALFORMED))
    try:
        return await in_session(
            request.app, report, provider_id=provider_id, code=check.normalized, now=utcnow()
        )
    except SignupError as error:
        return _signup_error(error)


@routes.post("/api/signups/{code}/attendance")
async def report_attendance(request: web.Request) -> web.Response:
    result = await _report(request, signups.redeem_attendance)
    if isinstance(result, web.Response):
        return result
    headers = {} if result.first_time else {"Idempotent-Replay": "true"}
    return web.json_response(
        {"signup": signup_json(result.signup), "already_redeemed": not result.first_time},
        headers=headers,
    )


@routes.post("/api/signups/{code}/no-show")
async def report_no_show(request: web.Request) -> web.Response:
    result = await _report(request, signups.record_no_show)
    if isinstance(result, web.Response):
        return result
    if not result.first_time:
        return error_response(*ALREADY_NO_SHOW)
    return web.json_response({"signup": signup_json(result.signup)})


# --- OpenAPI ------------------------------------------------------------------------------


@functools.cache
def _openapi_template() -> dict[str, Any]:
    return yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))


def openapi_spec(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.0 description (read once from openapi.yaml), with this server's URL."""
    spec = copy.deepcopy(_openapi_template())
    spec["servers"] = [{"url": settings.public_base_url}]
    return spec


@routes.get("/api/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_spec(request.app[SETTINGS_KEY]))


# --- Start-up and housekeeping --------------------------------------------------------------


async def rate_limiter_context(app: web.Application) -> AsyncIterator[None]:
    """The per-key limiter, in Redis when configured (bot/shared_state.py)."""
    settings = app[SETTINGS_KEY]
    app[RATE_LIMITER_KEY] = RateLimiter.from_settings(
        max(1, settings.provider_rate_limit_per_minute), settings
    )
    yield


async def _expire_vouchers(app: web.Application) -> None:
    await in_session(app, expire_due, now=utcnow())


async def _release_waiting_lists(app: web.Application) -> None:
    await in_session(app, release_past_waiting_lists, now=utcnow())


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """Issued vouchers past their date become expired; waiting places of workshop sessions
    that have started are given up, so their vouchers are free again."""
    minutes = settings.ledger_housekeeping_minutes
    return [
        Job("expire vouchers", minutes, _expire_vouchers),
        Job("release past waiting lists", minutes, _release_waiting_lists),
    ]
