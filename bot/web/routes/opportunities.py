"""Opportunities on the web: the coordinators' listing pages and the regional JSON feed.

- ``/dashboard/kansen`` (list), ``/dashboard/kansen/nieuw`` (add), ``/dashboard/kansen/{id}``
  (edit) and ``/dashboard/kansen/{id}/sluiten`` (close, POST): a municipal coordinator manages
  the listings of their own municipality; a programme coordinator sees all of them, read
  only. Login, cookie sessions, CSRF and the Dutch error page are the dashboard's own
  (:mod:`bot.web.routes.dashboard`); the rules are in :mod:`bot.opportunities.form` (pure) and
  :mod:`bot.opportunities.manage` (ownership, audit).
- ``POST /api/opportunities/feed``: a regional vacancy platform pushes its listings (format in
  :mod:`bot.opportunities.feed`, described in ``bot/web/openapi.yaml``) with its own bearer
  token from ``KOERS_OPPORTUNITY_FEED_TOKENS``. Listings are upserted by (source ``feed``,
  ``platform:id``), so one platform can never overwrite another's. A bad feed gets 400 with
  every bad field, and nothing is stored. A token limited to provinces
  (``platform@gelderland+overijssel:token``) gets 403 ``province_not_allowed`` for a push
  with any listing of another province, naming each one, and again nothing is stored.
"""

from __future__ import annotations

import functools
import hmac
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from aiohttp import web
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.config import Settings
from bot.ledger.importer import ImportProblem
from bot.opportunities import manage
from bot.opportunities.catalog import (
    COMPETENCES,
    EXTERNAL_ID_MAX,
    MODE_LABELS,
    MODES,
    TYPE_LABELS,
    TYPES,
    WORK_AREAS,
)
from bot.opportunities.feed import (
    FeedError,
    OutsideProvinces,
    check_provinces,
    parse_feed,
    token_provinces,
)
from bot.opportunities.form import FIELDS, LABELS, FormCheck, check_form, form_of
from bot.opportunities.importer import OpportunityBatch, OpportunityInput, apply_batch
from bot.scan.questions import STRENGTH_LABELS
from bot.trends import accounts
from bot.trends.dashboard import session_key
from bot.trends.views import PAGES
from bot.web.database import in_session
from bot.web.html import STATIC_DIR, private_headers
from bot.web.keys import RATE_LIMITER_KEY, SETTINGS_KEY
from bot.web.routes.dashboard import (
    PREFIX,
    DashboardCookieStorage,
    _coordinator,
    _csrf_ok,
    _csrf_token,
    _form,
    _html,
    _wrapped,
)

logger = logging.getLogger(__name__)

BASE = f"{PREFIX}/kansen"
CURRENT = "kansen"
STYLESHEET = STATIC_DIR / "opportunities.css"

#: One Dutch sentence and a status for every refusal.
REFUSALS: dict[str, tuple[int, str]] = {
    manage.NOT_FOUND: (404, "Deze kans bestaat niet. Kijk in de lijst met kansen."),
    manage.OTHER_MUNICIPALITY: (
        403,
        "Deze kans hoort bij een andere gemeente. Je kunt alleen kansen van je eigen "
        "gemeente wijzigen of sluiten. Er is niets veranderd.",
    ),
    manage.NOT_EDITABLE: (
        409,
        "Deze kans komt uit een importbestand of de regionale vacaturebank. Wijzig hem "
        "daar, anders komt de oude tekst terug. Sluiten kan wel hier.",
    ),
    manage.ALREADY_CLOSED: (409, "Deze kans is al gesloten. Er is niets veranderd."),
    manage.NO_REGION: (
        409,
        "Je gemeente staat nog niet in de tabel met regio's. Vraag de programmacoördinator "
        "om haar toe te voegen. Er is niets opgeslagen.",
    ),
    "programme": (
        403,
        "Alleen een coördinator van een gemeente kan kansen toevoegen, wijzigen of sluiten. "
        "Er is niets veranderd.",
    ),
    "csrf": (
        403,
        "Dit formulier is verlopen of niet van deze site. Laad de pagina opnieuw en "
        "probeer het nog eens. Er is niets veranderd.",
    ),
}

DONE = {
    "toegevoegd": "De kans is toegevoegd.",
    "gewijzigd": "De kans is opgeslagen.",
    "ongewijzigd": "Je hebt niets veranderd.",
    "gesloten": "De kans is gesloten. Medewerkers zien hem niet meer.",
}


# --- Dashboard pages ------------------------------------------------------------------------


def _actor(coordinator: accounts.Coordinator) -> str:
    return f"dashboard:{coordinator.username}"


async def _common(request: web.Request, coordinator: accounts.Coordinator) -> dict[str, Any]:
    """What the dashboard's page shell needs, with this section marked as current."""
    return {
        "coordinator": coordinator,
        "own_label": coordinator.municipality or "",
        "csrf_token": await _csrf_token(request),
        "pages": list(PAGES.items()),
        "current": CURRENT,
        "query": "",
        "kansen_href": BASE,
    }


async def _refusal(
    request: web.Request, reason: str, coordinator: accounts.Coordinator | None
) -> web.Response:
    status, message = REFUSALS[reason]
    context: dict[str, Any] = {"coordinator": None, "csrf_token": await _csrf_token(request)}
    if coordinator is not None:
        context = await _common(request, coordinator)
    context.setdefault("pages", list(PAGES.items()))
    context.setdefault("current", CURRENT)
    context.setdefault("query", "")
    context.setdefault("own_label", "")
    return _html(
        "dashboard_message.html", status, title="Dat lukt niet", message=message, **context
    )


async def _logged_in(request: web.Request) -> accounts.Coordinator:
    coordinator = await _coordinator(request)
    if coordinator is None:
        raise web.HTTPSeeOther(f"{PREFIX}/login")
    return coordinator


def _own_municipality(coordinator: accounts.Coordinator) -> str | None:
    """The municipality a coordinator may change; None for the programme role."""
    return None if coordinator.is_programme else coordinator.municipality


async def list_page(request: web.Request) -> web.Response:
    coordinator = await _logged_in(request)
    own = _own_municipality(coordinator)
    now = utcnow()
    rows = await in_session(request.app, manage.listings, municipality_code=own, now=now)
    known = True
    if own is not None:
        known = await in_session(request.app, manage.knows_municipality, municipality_code=own)
    done = DONE.get(request.query.get("klaar", ""), "")
    return _html(
        "opportunities_list.html",
        title="Kansen in de regio",
        rows=rows,
        can_manage=own is not None,
        known_municipality=known,
        done=done,
        base=BASE,
        **await _common(request, coordinator),
    )


def _choices() -> dict[str, Any]:
    return {
        "types": [(key, TYPE_LABELS[key]) for key in TYPES],
        "modes": [(key, MODE_LABELS[key]) for key in MODES],
        "work_areas": list(WORK_AREAS.items()),
        "competences": [(key, STRENGTH_LABELS[key]) for key in COMPETENCES],
        "labels": LABELS,
    }


async def _form_page(
    request: web.Request,
    coordinator: accounts.Coordinator,
    *,
    action: str,
    heading: str,
    raw: dict[str, str],
    chosen: Iterable[str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    errors = errors or {}
    return _html(
        "opportunities_form.html",
        status,
        title=heading,
        action=action,
        raw=raw,
        chosen=set(chosen),
        errors=errors,
        error_list=[(name, LABELS[name], errors[name]) for name in FIELDS if name in errors],
        base=BASE,
        **_choices(),
        **await _common(request, coordinator),
    )


def _opportunity_id(request: web.Request) -> int:
    return int(request.match_info["id"])


async def new_get(request: web.Request) -> web.Response:
    coordinator = await _logged_in(request)
    if _own_municipality(coordinator) is None:
        return await _refusal(request, "programme", coordinator)
    return await _form_page(
        request,
        coordinator,
        action=f"{BASE}/nieuw",
        heading="Nieuwe kans toevoegen",
        raw={},
        chosen=(),
    )


async def _checked(request: web.Request) -> tuple[FormCheck | None, Any]:
    """The form checked, or None when its CSRF token is missing or wrong."""
    form = await _form(request)
    if not await _csrf_ok(request, form):
        return None, form
    ticked = form.getall("competenties", []) if hasattr(form, "getall") else []
    return check_form(form, ticked, today=manage.today_local(utcnow())), form


async def _posted_form(
    request: web.Request,
) -> tuple[accounts.Coordinator, str, FormCheck] | web.Response:
    """The coordinator, their municipality and the checked form of a POST (CSRF first),
    or the refusal page for a stale form or a programme coordinator."""
    coordinator = await _logged_in(request)
    own = _own_municipality(coordinator)
    check, _form_data = await _checked(request)
    if check is None:
        return await _refusal(request, "csrf", coordinator)
    if own is None:
        return await _refusal(request, "programme", coordinator)
    return coordinator, own, check


async def _form_again(
    request: web.Request,
    coordinator: accounts.Coordinator,
    check: FormCheck,
    *,
    action: str,
    heading: str,
) -> web.Response:
    """The form with what was typed and an error next to each bad field (400)."""
    return await _form_page(
        request,
        coordinator,
        action=action,
        heading=heading,
        raw=dict(check.raw),
        chosen=check.chosen_competences,
        errors=dict(check.errors),
        status=400,
    )


_Result = TypeVar("_Result")


async def _managed(
    request: web.Request,
    coordinator: accounts.Coordinator,
    work: Callable[..., _Result],
    **kwargs: Any,
) -> _Result | web.Response:
    """Runs one of :mod:`bot.opportunities.manage`'s functions in a transaction; a refusal
    becomes its Dutch page (nothing was changed)."""
    try:
        return await in_session(request.app, work, **kwargs)
    except manage.ListingRefused as refused:
        return await _refusal(request, refused.reason, coordinator)


async def new_post(request: web.Request) -> web.Response:
    posted = await _posted_form(request)
    if isinstance(posted, web.Response):
        return posted
    coordinator, own, check = posted
    if check.fields is None:
        return await _form_again(
            request, coordinator, check, action=f"{BASE}/nieuw", heading="Nieuwe kans toevoegen"
        )
    created = await _managed(
        request,
        coordinator,
        manage.create_listing,
        municipality_code=own,
        fields=check.fields,
        now=utcnow(),
        actor=_actor(coordinator),
    )
    if isinstance(created, web.Response):
        return created
    raise web.HTTPSeeOther(f"{BASE}?klaar=toegevoegd")


async def edit_get(request: web.Request) -> web.Response:
    coordinator = await _logged_in(request)
    own = _own_municipality(coordinator)
    if own is None:
        return await _refusal(request, "programme", coordinator)
    editable = await _managed(
        request,
        coordinator,
        manage.editable_listing,
        opportunity_id=_opportunity_id(request),
        municipality_code=own,
        now=utcnow(),
    )
    if isinstance(editable, web.Response):
        return editable
    title, fields = editable
    raw, chosen = form_of(fields)
    return await _form_page(
        request,
        coordinator,
        action=f"{BASE}/{_opportunity_id(request)}",
        heading=f"Kans wijzigen: {title}",
        raw=raw,
        chosen=chosen,
    )


async def edit_post(request: web.Request) -> web.Response:
    posted = await _posted_form(request)
    if isinstance(posted, web.Response):
        return posted
    coordinator, own, check = posted
    opportunity_id = _opportunity_id(request)
    if check.fields is None:
        # the listing must be the coordinator's own before its form is shown again
        editable = await _managed(
            request,
            coordinator,
            manage.editable_listing,
            opportunity_id=opportunity_id,
            municipality_code=own,
            now=utcnow(),
        )
        if isinstance(editable, web.Response):
            return editable
        title, _fields = editable
        return await _form_again(
            request,
            coordinator,
            check,
            action=f"{BASE}/{opportunity_id}",
            heading=f"Kans wijzigen: {title}",
        )
    changed = await _managed(
        request,
        coordinator,
        manage.update_listing,
        opportunity_id=opportunity_id,
        municipality_code=own,
        fields=check.fields,
        now=utcnow(),
        actor=_actor(coordinator),
    )
    if isinstance(changed, web.Response):
        return changed
    raise web.HTTPSeeOther(f"{BASE}?klaar={'gewijzigd' if changed else 'ongewijzigd'}")


async def close_post(request: web.Request) -> web.Response:
    coordinator = await _logged_in(request)
    own = _own_municipality(coordinator)
    form = await _form(request)
    if not await _csrf_ok(request, form):
        return await _refusal(request, "csrf", coordinator)
    if own is None:
        return await _refusal(request, "programme", coordinator)
    closed = await _managed(
        request,
        coordinator,
        manage.close_listing,
        opportunity_id=_opportunity_id(request),
        municipality_code=own,
        now=utcnow(),
        actor=_actor(coordinator),
    )
    if isinstance(closed, web.Response):
        return closed
    raise web.HTTPSeeOther(f"{BASE}?klaar=gesloten")


async def unknown_page(request: web.Request) -> web.Response:
    return await _refusal(request, manage.NOT_FOUND, await _logged_in(request))


async def stylesheet(request: web.Request) -> web.Response:
    return web.Response(
        text=STYLESHEET.read_text(encoding="utf-8"),
        content_type="text/css",
        headers={"Cache-Control": "max-age=3600"},
    )


def dashboard_routes(app: web.Application) -> list[web.RouteDef]:
    """The listing pages, with the dashboard's cookie sessions and Dutch error page.

    Register them before the dashboard's own routes: its ``/dashboard/{page}`` would take
    ``/dashboard/kansen`` otherwise.
    """
    settings = app[SETTINGS_KEY]
    storage = DashboardCookieStorage(session_key(settings), settings)
    routes = [
        ("GET", "/static/opportunities.css", stylesheet),
        ("GET", "/kansen", list_page),
        ("GET", "/kansen/nieuw", new_get),
        ("POST", "/kansen/nieuw", new_post),
        ("GET", r"/kansen/{id:\d{1,9}}", edit_get),
        ("POST", r"/kansen/{id:\d{1,9}}", edit_post),
        ("POST", r"/kansen/{id:\d{1,9}}/sluiten", close_post),
        ("*", "/kansen/{rest:.*}", unknown_page),
    ]
    return [
        web.route(method, PREFIX + path, _wrapped(handler, storage))
        for method, path, handler in routes
    ]


# --- The JSON feed ----------------------------------------------------------------------------

FEED_PATH = "/api/opportunities/feed"
#: A feed of MAX_LISTINGS full listings fits; anything bigger is refused unread.
FEED_MAX_BYTES = 4 * 1024 * 1024
MIN_TOKEN_LENGTH = 32
_PLATFORM = re.compile(r"^[a-z0-9-]{2,20}$")


@dataclass(frozen=True)
class FeedToken:
    """One entry of ``KOERS_OPPORTUNITY_FEED_TOKENS``: a platform, one of its tokens and the
    provinces that token may push listings for (None: every province)."""

    platform: str
    token: str
    provinces: frozenset[str] | None = None


@functools.lru_cache(maxsize=8)
def feed_platforms(items: tuple[str, ...]) -> tuple[FeedToken, ...]:
    """The entries of ``KOERS_OPPORTUNITY_FEED_TOKENS``: ``platform:token`` (every province),
    ``platform@gelderland+overijssel:token`` (those provinces only) or ``platform@*:token``
    (every province, on purpose).

    A bad entry (platform name, short token, unknown province) is left out and logged, never
    the token, so a typo never opens the feed with a weak secret or a wider scope than meant.
    An entry without ``@`` keeps working for every province as before, with a warning: a
    regional platform configured before scopes existed should get its provinces. Parsed (and
    logged) once per value: the web app does it at start-up (:func:`bot.web.app.init_app`).
    """
    found: list[FeedToken] = []
    for item in items:
        name, _colon, token = item.partition(":")
        platform, at, scope = name.partition("@")
        platform, token = platform.strip().lower(), token.strip()
        if not _PLATFORM.match(platform) or len(token) < MIN_TOKEN_LENGTH:
            logger.warning(
                "KOERS_OPPORTUNITY_FEED_TOKENS: ignored an entry for %r (platform: 2-20 of "
                "a-z, 0-9, -; token: at least %d characters)",
                platform[:20],
                MIN_TOKEN_LENGTH,
            )
            continue
        provinces = None
        if at:
            try:
                provinces = token_provinces(scope)
            except ValueError as problem:
                logger.warning(
                    "KOERS_OPPORTUNITY_FEED_TOKENS: ignored the entry for %r: %s", platform, problem
                )
                continue
        else:
            logger.warning(
                "KOERS_OPPORTUNITY_FEED_TOKENS: %r may push listings of every province; a "
                "regional platform gets its own as %s@gelderland+overijssel:<token>, and "
                "%s@*:<token> allows all on purpose (and ends this warning)",
                platform,
                platform,
                platform,
            )
        found.append(FeedToken(platform, token, provinces))
    return tuple(found)


def platform_for_token(platforms: Iterable[FeedToken], given: str) -> FeedToken | None:
    """The entry holding ``given``; every token is compared in constant time."""
    match = None
    for entry in platforms:
        if hmac.compare_digest(entry.token.encode("utf-8"), given.encode("utf-8")):
            match = entry
    return match


def platform_ids(platform: str, items: list[OpportunityInput]) -> list[OpportunityInput]:
    """The listings with ids in the platform's own namespace; FeedError when one gets too long."""
    room = EXTERNAL_ID_MAX - len(platform) - 1
    problems = [
        f"listings[{index}] (id {item.external_id}): id: at most {room} characters"
        for index, item in enumerate(items)
        if len(item.external_id) > room
    ]
    if problems:
        raise FeedError(problems)
    return [replace(item, external_id=f"{platform}:{item.external_id}") for item in items]


def _error(status: int, code: str, message: str, **extra: Any) -> web.Response:
    headers = private_headers()
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    retry = extra.pop("retry_after", None)
    if retry is not None:
        headers["Retry-After"] = str(retry)
    return web.json_response(
        {"error": {"code": code, "message": message, **extra}}, status=status, headers=headers
    )


def _bearer(request: web.Request) -> str:
    header = request.headers.get("Authorization", "")
    return header[7:].strip() if header[:7].lower() == "bearer " else ""


async def _read_limited(request: web.Request) -> bytes | None:
    """The body, or None when it is larger than :data:`FEED_MAX_BYTES`."""
    if request.content_length is not None and request.content_length > FEED_MAX_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    while chunk := await request.content.read(64 * 1024):
        size += len(chunk)
        if size > FEED_MAX_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _store(
    session: Session,
    *,
    items: list[OpportunityInput],
    provinces: frozenset[str] | None,
    now: Any,
    actor: str,
) -> dict[str, int]:
    """All listings or none: a listing outside the token's provinces, or any other problem,
    raises before anything is written (and the transaction is rolled back)."""
    if provinces is not None:
        check_provinces(session, items, provinces)
    report = apply_batch(session, OpportunityBatch(opportunities=items), now=now, actor=actor)
    return {"created": report.created, "updated": report.updated}


async def push_feed(request: web.Request) -> web.Response:
    settings: Settings = request.app[SETTINGS_KEY]
    limiter = request.app[RATE_LIMITER_KEY]
    token = _bearer(request)
    if not token:
        return _error(
            401, "missing_token", "Send your feed token as 'Authorization: Bearer <token>'."
        )
    entry = platform_for_token(feed_platforms(settings.opportunity_feed_tokens), token)
    if entry is None:
        wait = await limiter.hit("bad-feed-token-from:" + (request.remote or "unknown"))
        if wait:
            return _too_many(wait)
        return _error(401, "invalid_token", "This feed token is not valid.")
    platform = entry.platform
    wait = await limiter.hit("feed:" + platform)
    if wait:
        return _too_many(wait)
    if request.content_type != "application/json":
        return _error(415, "unsupported_media_type", "Send the feed as application/json.")
    body = await _read_limited(request)
    if body is None:
        return _error(413, "body_too_large", f"The feed may be at most {FEED_MAX_BYTES} bytes.")
    try:
        items = platform_ids(platform, parse_feed(body))
        counts = await in_session(
            request.app,
            _store,
            items=items,
            provinces=entry.provinces,
            now=utcnow(),
            actor=f"feed:{platform}",
        )
    except OutsideProvinces as refused:  # nothing was written
        return _error(
            403,
            "province_not_allowed",
            "This feed token may push listings of "
            f"{', '.join(sorted(entry.provinces or ()))} only; nothing was stored.",
            problems=list(refused.problems),
        )
    except ImportProblem as problem:  # FeedError too; nothing was written
        return _error(
            400,
            "invalid_feed",
            "The feed has problems; nothing was stored.",
            problems=list(problem.problems),
        )
    logger.info("opportunity feed of %s: %s", platform, counts)
    return web.json_response(
        {"platform": platform, "received": len(items), **counts}, headers=private_headers()
    )


def _too_many(wait: float) -> web.Response:
    return _error(
        429,
        "rate_limited",
        "Too many requests. Wait a moment and try again.",
        retry_after=max(1, round(wait + 0.5)),
    )


feed_routes = [web.post(FEED_PATH, push_feed)]
