"""Provider API for vouchers: for workshop and coaching providers, with an API key.

- ``GET  /api/vouchers/{code}`` and ``POST /api/vouchers/{code}/redeem``: with an API key
  (``Authorization: Bearer kp_...``); JSON in and out, rate limited per key, every change in
  the audit log. Described at ``/api/openapi.json`` (``bot/web/openapi.yaml``) and in
  docs/provider-api.md.

One database session per request, used in a worker thread (SQLAlchemy is synchronous).
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from aiohttp import web
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.config import Settings
from bot.ledger.codes import format_code
from bot.ledger.providers import hash_api_key, provider_for_key
from bot.ledger.ratelimit import RateLimiter
from bot.ledger.vouchers import (
    BAD_REFERENCE,
    CODE_MALFORMED,
    CODE_TYPO,
    MAX_REFERENCE_LENGTH,
    REDEEMED_BY_OTHER,
    VOUCHER_IS_CANCELLED,
    VOUCHER_IS_EXPIRED,
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
    BAD_REFERENCE: (
        400,
        "invalid_body",
        f"'reference' must be a string of at most " f"{MAX_REFERENCE_LENGTH} characters.",
    ),
}


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


def _voucher_error(error: VoucherError) -> web.Response:
    status, code, message = VOUCHER_ERRORS.get(
        error.reason, (400, error.reason, "The request cannot be done.")
    )
    return error_response(status, code, message)


async def read_body(request: web.Request) -> bytes | web.Response:
    """The body, or a 413 when it is larger than :data:`MAX_BODY_BYTES` (checked early)."""
    if request.content_length is not None and request.content_length > MAX_BODY_BYTES:
        return error_response(
            413, "body_too_large", f"The body may be at most {MAX_BODY_BYTES} bytes."
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await request.content.read(MAX_BODY_BYTES + 1)
        if not chunk:
            break
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return error_response(
                413, "body_too_large", f"The body may be at most {MAX_BODY_BYTES} bytes."
            )
        chunks.append(chunk)
    return b"".join(chunks)


def parse_redeem_body(raw: bytes, content_type: str) -> str | None:
    """The optional ``reference`` from a redeem body; ValueError says what is wrong."""
    if not raw.strip():
        return None
    if content_type not in ("application/json", ""):
        raise ValueError("unsupported_media_type")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("invalid_json") from exc
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


_BODY_ERRORS = {
    "unsupported_media_type": (415, "Send the body as application/json."),
    "invalid_json": (400, "The body is not valid JSON."),
    "invalid_body": (
        400,
        f"The body must be a JSON object with at most a 'reference' string "
        f"(up to {MAX_REFERENCE_LENGTH} characters).",
    ),
}


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
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    raw = await read_body(request)
    if isinstance(raw, web.Response):
        return raw
    try:
        reference = parse_redeem_body(raw, request.content_type if raw.strip() else "")
    except ValueError as problem:
        status, message = _BODY_ERRORS[str(problem)]
        return error_response(status, str(problem), message)
    try:
        result = await in_session(
            request.app,
            redeem_voucher,
            raw_code=request.match_info["code"],
            provider_id=provider[0],
            now=utcnow(),
            reference=reference,
        )
    except VoucherError as error:
        return _voucher_error(error)
    headers = {} if result.first_time else {"Idempotent-Replay": "true"}
    return web.json_response(
        {"voucher": voucher_json(result.voucher, provider[0])}, headers=headers
    )


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


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """Issued vouchers past their date become expired."""
    return [Job("expire vouchers", settings.ledger_housekeeping_minutes, _expire_vouchers)]
