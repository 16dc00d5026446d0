"""The calendar files of a booking and a workshop sign-up, the e-mail page of a booking, and
the coach mail that follows.

- ``GET /bookings/{token}.ics``: the calendar file of a booking; the token is unguessable.
- ``GET /signups/{token}.ics``: the calendar file of a workshop sign-up (confirmed, tentative
  while waiting, or cancelled, so an agenda updates it); the token is unrelated to the code.
- ``GET|POST /bookings/{token}/email``: where the employee, after an explicit yes in the
  chat, leaves an e-mail address for the coach (so it never passes through the chat).
- ``GET|POST /signups/{token}/email``: the same for a waiting-list place: the address for
  the one mail "er is een plek vrijgekomen" (:func:`bot.ledger.signups.fill_free_seats`).

Both forms post to their own page. Their CSRF defence is the unguessable token in the path
(a cross-site page cannot know it; ``Referrer-Policy: no-referrer`` keeps it out of other
sites' logs), ``form-action 'self'`` and the consent box that must be ticked to store.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from urllib.parse import parse_qs

from aiohttp import web
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.config import Settings
from bot.ledger.booking import (
    BAD_EMAIL,
    BookingError,
    find_booking_by_token,
    purge_emails,
    set_booking_email,
)
from bot.ledger.calendar import booking_calendar
from bot.ledger.preferences import format_moment
from bot.ledger.signups import BAD_EMAIL as SIGNUP_BAD_EMAIL
from bot.ledger.signups import (
    NOT_WAITING,
    SignupError,
    find_signup_by_token,
    purge_signup_emails,
    set_signup_email,
    signup_ics,
    signup_message,
)
from bot.notify import outbox
from bot.notify.smtp import deliver_pending, smtp_config
from bot.web.database import in_session
from bot.web.housekeeping import Job
from bot.web.html import CSP_EMAIL_FORM, page, private_headers
from bot.web.keys import SESSIONS_KEY, SETTINGS_KEY
from bot.web.routes.provider_api import read_body

NOT_FOUND_TEXT = "Deze afspraak bestaat niet (meer). Kijk of je de hele link hebt gebruikt."
SIGNUP_NOT_FOUND_TEXT = (
    "Deze inschrijving bestaat niet (meer). Kijk of je de hele link hebt gebruikt."
)
ASK_TITLE = "E-mailadres voor de coach"
SIGNUP_ASK_TITLE = "Mail als er een plek vrijkomt"

routes = web.RouteTableDef()


@routes.get("/bookings/{token}.ics")
async def booking_ics(request: web.Request) -> web.Response:
    view = await in_session(request.app, find_booking_by_token, token=request.match_info["token"])
    if view is None:
        return web.Response(status=404, text=NOT_FOUND_TEXT, headers=private_headers())
    body = booking_calendar(view, utcnow())
    return web.Response(
        body=body,
        content_type="text/calendar",
        charset="utf-8",
        headers=private_headers(
            **{"Content-Disposition": 'attachment; filename="koers-loopbaangesprek.ics"'}
        ),
    )


@routes.get("/signups/{token}.ics")
async def signup_ics_file(request: web.Request) -> web.Response:
    view = await in_session(request.app, find_signup_by_token, token=request.match_info["token"])
    if view is None:
        return web.Response(status=404, text=SIGNUP_NOT_FOUND_TEXT, headers=private_headers())
    return web.Response(
        body=signup_ics(view, utcnow()),
        content_type="text/calendar",
        charset="utf-8",
        headers=private_headers(
            **{"Content-Disposition": 'attachment; filename="koers-workshop.ics"'}
        ),
    )


def email_page(
    title: str,
    paragraphs: list[str],
    form: bool,
    retention_days: int,
    status: int = 200,
    template: str = "booking_email.html",
) -> web.Response:
    """A small plain page in Dutch (B1); the template escapes every text."""
    return page(
        template,
        csp=CSP_EMAIL_FORM,
        status=status,
        title=title,
        paragraphs=[paragraph for paragraph in paragraphs if paragraph],
        form=form,
        retention_days=retention_days,
    )


def _not_found(days: int) -> web.Response:
    return email_page("Afspraak niet gevonden", [NOT_FOUND_TEXT], False, days, 404)


@routes.get("/bookings/{token}/email")
@routes.post("/bookings/{token}/email")
async def booking_email(request: web.Request) -> web.Response:
    days = request.app[SETTINGS_KEY].booking_email_retention_days
    token = request.match_info["token"]
    view = await in_session(request.app, find_booking_by_token, token=token)
    if view is None or view.status != "active":
        return _not_found(days)
    about = f"Je afspraak met {view.coach_name} op {format_moment(view.starts_at, view.ends_at)}."
    if request.method == "GET":
        state = "Je hebt al een e-mailadres achtergelaten." if view.has_email else ""
        paragraphs = [about, "Vul hier je e-mailadres in als je wilt dat de coach je mailt."]
        return email_page(ASK_TITLE, [*paragraphs, state], True, days)
    posted = await posted_address(request)
    if isinstance(posted, web.Response):
        return posted
    remove, email = posted
    if not remove and email is None:
        hint = "Zet eerst een vinkje als de coach je mag mailen."
        return email_page(ASK_TITLE, [about, hint], True, days, 400)
    try:
        await in_session(
            request.app,
            set_booking_email,
            token=token,
            email=email,
            now=utcnow(),
            email_retention=timedelta(days=days),
        )
    except BookingError as error:
        if error.reason == BAD_EMAIL:
            hint = "Dit e-mailadres klopt niet. Kijk het nog eens na."
            return email_page(ASK_TITLE, [about, hint], True, days, 400)
        return _not_found(days)
    # the coach's mail is in the outbox; the outbox job below (or bot/notify/sender.py) sends it
    if remove:
        done = "Je e-mailadres is gewist."
    else:
        done = "Dank je! De coach krijgt je e-mailadres en kan je nu mailen."
    return email_page("Gelukt", [about, done], False, days)


def _signup_page(
    title: str, paragraphs: list[str], form: bool, days: int, status: int = 200
) -> web.Response:
    return email_page(title, paragraphs, form, days, status, template="signup_email.html")


@routes.get("/signups/{token}/email")
@routes.post("/signups/{token}/email")
async def signup_email(request: web.Request) -> web.Response:
    """The address for one mail when a seat frees up; only while the place is waiting."""
    days = request.app[SETTINGS_KEY].booking_email_retention_days
    token = request.match_info["token"]
    view = await in_session(request.app, find_signup_by_token, token=token)
    if view is None:
        return _signup_page("Inschrijving niet gevonden", [SIGNUP_NOT_FOUND_TEXT], False, days, 404)
    about = (
        f"Je staat op de wachtlijst voor de workshop '{view.title}' op "
        f"{format_moment(view.starts_at, view.ends_at)}."
    )
    if not view.waiting:
        return _signup_page(SIGNUP_ASK_TITLE, [signup_message(NOT_WAITING)], False, days, 409)
    if request.method == "GET":
        state = "Je hebt al een e-mailadres achtergelaten." if view.has_email else ""
        ask = "Vul hier je e-mailadres in als je een mail wilt zodra er een plek vrijkomt."
        return _signup_page(SIGNUP_ASK_TITLE, [about, ask, state], True, days)
    posted = await posted_address(request)
    if isinstance(posted, web.Response):
        return posted
    remove, email = posted
    if not remove and email is None:
        hint = "Zet eerst een vinkje als Koers je mag mailen."
        return _signup_page(SIGNUP_ASK_TITLE, [about, hint], True, days, 400)
    try:
        await in_session(
            request.app,
            set_signup_email,
            token=token,
            email=email,
            now=utcnow(),
            email_retention=timedelta(days=days),
        )
    except SignupError as error:
        if error.reason == SIGNUP_BAD_EMAIL:
            return _signup_page(SIGNUP_ASK_TITLE, [about, error.message], True, days, 400)
        return _signup_page(SIGNUP_ASK_TITLE, [error.message], False, days, 409)
    if remove:
        done = "Je e-mailadres is gewist. Komt er een plek vrij, dan hoor je het in de chat."
    else:
        done = (
            "Dank je! Komt er een plek vrij, dan krijg je één mail. "
            "Daarna wissen we je e-mailadres."
        )
    return _signup_page("Gelukt", [about, done], False, days)


async def posted_address(request: web.Request) -> tuple[bool, str | None] | web.Response:
    """What the e-mail page's form asks: (remove?, the typed address or None without consent),
    or the answer to an unreadable body. Removing needs no consent."""
    raw = await read_body(request)
    if isinstance(raw, web.Response):
        return raw
    form = _parse_form(raw)
    if form.get("action") == "remove":
        return True, None
    return False, form.get("email", "") if form.get("consent") == "ja" else None


def _parse_form(raw: bytes) -> dict[str, str]:
    parsed = parse_qs(raw.decode("utf-8", errors="replace"), max_num_fields=10)
    return {key: values[0] for key, values in parsed.items() if values}


# --- Housekeeping ---------------------------------------------------------------------------


async def _purge_booking_emails(app: web.Application) -> None:
    await in_session(app, purge_emails, now=utcnow(), actor="housekeeping")
    await in_session(app, purge_signup_emails, now=utcnow(), actor="housekeeping")


async def _deliver_outbox(app: web.Application) -> None:
    """Frees claims of dead senders, then sends the waiting coach mail (with SMTP set)."""
    await in_session(app, outbox.release_stale_claims, now=utcnow())
    config = smtp_config(app[SETTINGS_KEY])
    if config is None:
        return
    session: Session = app[SESSIONS_KEY]()
    try:
        await deliver_pending(session, config)
    finally:
        await asyncio.to_thread(session.close)


def housekeeping_jobs(settings: Settings) -> list[Job]:
    """E-mail addresses past their date are deleted (bookings and waiting lists); waiting
    mail goes out."""
    minutes = settings.ledger_housekeeping_minutes
    return [
        Job("purge booking e-mail addresses", minutes, _purge_booking_emails),
        Job("deliver the outbox", minutes, _deliver_outbox),
    ]
