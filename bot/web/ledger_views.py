"""Provider API for vouchers, calendar files and the e-mail page of bookings.

- ``GET  /api/vouchers/{code}`` and ``POST /api/vouchers/{code}/redeem``: for workshop and
  coaching providers, with an API key (``Authorization: Bearer kp_...``); JSON in and out,
  rate limited per key, every change in the audit log. Described at ``/api/openapi.json``
  and in docs/provider-api.md.
- ``GET /bookings/{token}.ics``: the calendar file of a booking; the token is unguessable.
- ``GET|POST /bookings/{token}/email``: where the employee, after an explicit yes in the
  chat, leaves an e-mail address for the coach (so it never passes through the chat).

One database session per request, used in a worker thread (SQLAlchemy is synchronous).
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.config import Settings
from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.ledger.booking import (
    BAD_EMAIL,
    BookingError,
    find_booking_by_token,
    purge_emails,
    set_booking_email,
)
from bot.ledger.calendar import booking_calendar
from bot.ledger.codes import format_code
from bot.ledger.preferences import format_moment
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
from bot.notify import outbox
from bot.notify.smtp import deliver_pending, smtp_config
from bot.preparation.store import delete_expired as delete_expired_sheets

logger = logging.getLogger(__name__)

LEDGER_ENGINE_KEY: web.AppKey[Engine] = web.AppKey("ledger_engine", Engine)
LEDGER_SESSIONS_KEY: web.AppKey[sessionmaker] = web.AppKey("ledger_sessions", sessionmaker)
RATE_LIMITER_KEY: web.AppKey[RateLimiter] = web.AppKey("ledger_rate_limiter", RateLimiter)

#: A redeem request carries at most a short reference: anything bigger is refused unread.
MAX_BODY_BYTES = 4096
API_KEY_HEADER = "X-API-Key"

_VOUCHER_ERRORS: dict[str, tuple[int, str, str]] = {
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


def app_settings(app: web.Application) -> Settings:
    """The app's settings (imported here, not at the top: app.py imports this module)."""
    from bot.web.app import SETTINGS_KEY

    return app[SETTINGS_KEY]


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


async def _in_session(request: web.Request, work: Any, /, **kwargs: Any) -> Any:
    """Runs ``work(session, **kwargs)`` as one transaction in a fresh session (per request)."""
    factory = request.app[LEDGER_SESSIONS_KEY]

    def job() -> Any:
        session: Session = factory()
        try:
            return run_in_transaction(session, work, **kwargs)
        finally:
            session.close()

    return await asyncio.to_thread(job)


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
    wait = limiter.hit("key:" + hash_api_key(key))
    if wait:
        return _too_many(wait)
    provider = await _in_session(request, _lookup_provider, key=key)
    if provider is None:
        # Wrong keys also count per client address, so guessing keys is slow too.
        wait = limiter.hit("bad-key-from:" + (request.remote or "unknown"))
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
    status, code, message = _VOUCHER_ERRORS.get(
        error.reason, (400, error.reason, "The request cannot be done.")
    )
    return error_response(status, code, message)


async def _read_body(request: web.Request) -> bytes | web.Response:
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


async def get_voucher(request: web.Request) -> web.Response:
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    try:
        view = await _in_session(
            request, voucher_status, raw_code=request.match_info["code"], now=utcnow()
        )
    except VoucherError as error:
        return _voucher_error(error)
    return web.json_response({"voucher": voucher_json(view, provider[0])})


async def redeem(request: web.Request) -> web.Response:
    provider = await _authenticate(request)
    if isinstance(provider, web.Response):
        return provider
    raw = await _read_body(request)
    if isinstance(raw, web.Response):
        return raw
    try:
        reference = parse_redeem_body(raw, request.content_type if raw.strip() else "")
    except ValueError as problem:
        status, message = _BODY_ERRORS[str(problem)]
        return error_response(status, str(problem), message)
    try:
        result = await _in_session(
            request,
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


# --- Calendar file and e-mail page ------------------------------------------------------

_PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}
_NOT_FOUND_TEXT = "Deze afspraak bestaat niet (meer). Kijk of je de hele link hebt gebruikt."


async def booking_ics(request: web.Request) -> web.Response:
    view = await _in_session(request, find_booking_by_token, token=request.match_info["token"])
    if view is None:
        return web.Response(status=404, text=_NOT_FOUND_TEXT, headers=_PRIVATE_HEADERS)
    body = booking_calendar(view, utcnow())
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers={
            **_PRIVATE_HEADERS,
            "Content-Disposition": 'attachment; filename="koers-loopbaangesprek.ics"',
        },
    )


def email_page(title: str, paragraphs: list[str], form: bool, retention_days: int) -> str:
    """A small plain page in Dutch (B1); all dynamic text is escaped by the caller."""
    body = "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)
    if form:
        body += (
            '<form method="post">'
            '<p><label for="email">Je e-mailadres</label><br>'
            '<input id="email" name="email" type="email" maxlength="254" '
            'autocomplete="email"></p>'
            '<p><label><input type="checkbox" name="consent" value="ja"> '
            "Ja, de coach mag mij mailen over deze afspraak.</label></p>"
            '<p><button type="submit" name="action" value="save">Opslaan</button> '
            '<button type="submit" name="action" value="remove">Wis mijn e-mailadres</button>'
            "</p></form>"
            f"<p>We bewaren je e-mailadres alleen bij deze afspraak. Alleen de coach krijgt het. "
            f"We wissen het {retention_days} dagen na de afspraak. Wil je het eerder weg? "
            "Klik dan op Wis mijn e-mailadres.</p>"
        )
    return (
        '<!doctype html><html lang="nl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title></head>"
        '<body style="font-family: sans-serif; max-width: 36em; margin: 2em auto; '
        'line-height: 1.5">'
        f"<h1>{title}</h1>{body}</body></html>"
    )


def _html(text: str, status: int = 200) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/html",
        charset="utf-8",
        status=status,
        headers={
            **_PRIVATE_HEADERS,
            "Content-Security-Policy": "default-src 'none'; "
            "style-src 'unsafe-inline'; form-action 'self'",
        },
    )


async def booking_email(request: web.Request) -> web.Response:
    settings = app_settings(request.app)
    days = settings.booking_email_retention_days
    token = request.match_info["token"]
    view = await _in_session(request, find_booking_by_token, token=token)
    if view is None or view.status != "active":
        return _html(email_page("Afspraak niet gevonden", [_NOT_FOUND_TEXT], False, days), 404)
    about = html.escape(
        f"Je afspraak met {view.coach_name} op {format_moment(view.starts_at, view.ends_at)}."
    )
    if request.method == "GET":
        state = "Je hebt al een e-mailadres achtergelaten." if view.has_email else ""
        paragraphs = [about, "Vul hier je e-mailadres in als je wilt dat de coach je mailt."]
        return _html(email_page("E-mailadres voor de coach", [*paragraphs, state], True, days))
    raw = await _read_body(request)
    if isinstance(raw, web.Response):
        return raw
    form = _parse_form(raw)
    remove = form.get("action") == "remove"
    if not remove and form.get("consent") != "ja":
        return _html(
            email_page(
                "E-mailadres voor de coach",
                [about, "Zet eerst een vinkje als de coach je mag mailen."],
                True,
                days,
            ),
            400,
        )
    try:
        await _in_session(
            request,
            set_booking_email,
            token=token,
            email=None if remove else form.get("email", ""),
            now=utcnow(),
            email_retention=timedelta(days=days),
        )
    except BookingError as error:
        if error.reason == BAD_EMAIL:
            return _html(
                email_page(
                    "E-mailadres voor de coach",
                    [about, "Dit e-mailadres klopt niet. Kijk het nog eens na."],
                    True,
                    days,
                ),
                400,
            )
        return _html(email_page("Afspraak niet gevonden", [_NOT_FOUND_TEXT], False, days), 404)
    # the coach's mail is in the outbox; the outbox sender delivers it (bot/notify/sender.py)
    if remove:
        done = "Je e-mailadres is gewist."
    else:
        done = "Dank je! De coach krijgt je e-mailadres en kan je nu mailen."
    return _html(email_page("Gelukt", [about, done], False, days))


def _parse_form(raw: bytes) -> dict[str, str]:
    parsed = parse_qs(raw.decode("utf-8", errors="replace"), max_num_fields=10)
    return {key: values[0] for key, values in parsed.items() if values}


# --- OpenAPI ------------------------------------------------------------------------------


def openapi_spec(settings: Settings) -> dict[str, Any]:
    """The OpenAPI 3.0 description of the provider API (also rendered in docs)."""
    error = {"$ref": "#/components/schemas/Error"}

    def err(description: str) -> dict[str, Any]:
        return {"description": description, "content": {"application/json": {"schema": error}}}

    code_param = {
        "name": "code",
        "in": "path",
        "required": True,
        "description": "Voucher code, with or without dashes (ABCD-EFGH-JKMN-PQRS).",
        "schema": {"type": "string", "example": "ABCD-EFGH-JKMN-PQRS"},
    }
    common = {
        "400": err("malformed_code or check_character_mismatch (probably a typing error)"),
        "401": err("missing_api_key or invalid_api_key"),
        "404": err("voucher_not_found"),
        "429": err("rate_limited; see the Retry-After header"),
    }
    voucher_ok = {
        "description": "The voucher",
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {"voucher": {"$ref": "#/components/schemas/Voucher"}},
                }
            }
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "Koers provider API",
            "version": "1.0.0",
            "description": "Look up and redeem Koers vouchers (375 euro for one workshop or "
            "one career conversation). See docs/provider-api.md.",
        },
        "servers": [{"url": settings.public_base_url}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/api/vouchers/{code}": {
                "get": {
                    "summary": "Look up a voucher",
                    "operationId": "getVoucher",
                    "parameters": [code_param],
                    "responses": {"200": voucher_ok, **common},
                }
            },
            "/api/vouchers/{code}/redeem": {
                "post": {
                    "summary": "Redeem a voucher (idempotent for the same provider)",
                    "operationId": "redeemVoucher",
                    "parameters": [code_param],
                    "requestBody": {
                        "required": False,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "additionalProperties": False,
                                    "properties": {
                                        "reference": {
                                            "type": "string",
                                            "maxLength": MAX_REFERENCE_LENGTH,
                                            "description": "Your own reference, e.g. an invoice "
                                            "number. Never personal data.",
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            **voucher_ok,
                            "description": "Redeemed by you (now or before; a "
                            "repeat has the header Idempotent-Replay: true and the same body)",
                        },
                        **common,
                        "400": err(
                            "malformed_code, check_character_mismatch, invalid_json or "
                            "invalid_body"
                        ),
                        "409": err("already_redeemed (by another provider) or voucher_cancelled"),
                        "410": err("voucher_expired"),
                        "413": err("body_too_large (more than 4096 bytes)"),
                        "415": err("unsupported_media_type"),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Provider API key (kp_...).",
                }
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "Voucher": {
                    "type": "object",
                    "properties": {
                        "code": {"type": "string"},
                        "status": {
                            "type": "string",
                            "enum": ["issued", "redeemed", "expired", "cancelled"],
                        },
                        "value_cents": {"type": "integer"},
                        "value_eur": {"type": "number"},
                        "purpose": {
                            "type": "string",
                            "enum": ["workshop_or_coach", "workshop", "coach"],
                        },
                        "municipality": {"type": "string"},
                        "programme_year": {"type": "integer"},
                        "issued_at": {"type": "string", "format": "date-time"},
                        "expires_at": {"type": "string", "format": "date-time"},
                        "redeemed_at": {"type": "string", "format": "date-time", "nullable": True},
                        "redeemed_by": {
                            "type": "string",
                            "enum": ["you", "another_provider"],
                            "nullable": True,
                        },
                        "reference": {"type": "string", "nullable": True},
                    },
                },
            },
        },
    }


async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_spec(app_settings(request.app)))


# --- Set-up and housekeeping ----------------------------------------------------------------


def _housekeeping_work(session: Session) -> None:
    now = utcnow()
    purge_emails(session, now, actor="housekeeping")
    expire_due(session, now)
    outbox.release_stale_claims(session, now)
    delete_expired_sheets(session, now)


async def _deliver(app: web.Application) -> None:
    config = smtp_config(app_settings(app))
    if config is None:
        return
    session: Session = app[LEDGER_SESSIONS_KEY]()
    try:
        await deliver_pending(session, config)
    finally:
        await asyncio.to_thread(session.close)


async def _housekeeping(app: web.Application, minutes: int) -> None:
    """Deletes e-mail addresses past their date, expires vouchers, sends waiting mail."""
    factory = app[LEDGER_SESSIONS_KEY]
    while True:
        try:

            def job() -> None:
                session: Session = factory()
                try:
                    run_in_transaction(session, _housekeeping_work)
                finally:
                    session.close()

            await asyncio.to_thread(job)
            await _deliver(app)
        except asyncio.CancelledError:
            raise
        except Exception:  # keep the web app alive; the next round tries again
            logger.exception("ledger housekeeping failed")
        await asyncio.sleep(minutes * 60)


async def ledger_context(app: web.Application) -> AsyncIterator[None]:
    """Opens the ledger engine (schema migrated) for the app's lifetime, then disposes it."""
    settings = app_settings(app)
    await asyncio.to_thread(migrate, settings.database_url)
    engine = make_engine(settings.database_url)
    app[LEDGER_ENGINE_KEY] = engine
    app[LEDGER_SESSIONS_KEY] = make_session_factory(engine)
    app[RATE_LIMITER_KEY] = RateLimiter.from_settings(
        max(1, settings.provider_rate_limit_per_minute), settings
    )  # in Redis when configured (bot/shared_state.py)
    task = None
    if settings.ledger_housekeeping_minutes > 0:
        task = asyncio.create_task(_housekeeping(app, settings.ledger_housekeeping_minutes))
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        engine.dispose()


def setup_ledger_routes(app: web.Application) -> None:
    app.cleanup_ctx.append(ledger_context)
    app.router.add_get("/api/openapi.json", openapi)
    app.router.add_get("/api/vouchers/{code}", get_voucher)
    app.router.add_post("/api/vouchers/{code}/redeem", redeem)
    app.router.add_get("/bookings/{token}.ics", booking_ics)
    app.router.add_get("/bookings/{token}/email", booking_email)
    app.router.add_post("/bookings/{token}/email", booking_email)
