"""Workshop sign-up with the voucher, in the chat (issue 17).

- ``action_find_sessions``: "welke workshops zijn er in Limburg?", "wanneer is de volgende over
  jezelf presenteren?": upcoming sessions by province, theme, first day and part of the day
  (five at a time; "meer" and "zijn er andere data?" page on through ``action_show_more``).
- ``action_signup_start`` (a pick), ``action_signup_cancel_start`` and
  ``action_signup_move_start``: check what can be checked first, then ``signup_form`` asks the
  one yes/no question through :mod:`actions.form_turns` (the one turn-taking mechanism).
- ``action_signup_done``: only after a yes the ledger changes (:mod:`bot.ledger.signups`): a
  seat or waiting-list place with the voucher reserved, the sign-up code and a calendar file.
  After joining a waiting list the same form asks one optional question: a mail when a seat
  frees up? A yes gets a link to a web page for the address (never typed in the chat), a no
  or anything else leaves it at the notice in the next chat.

Everything needs the verified identity: a sign-up spends a budget. Nothing is changed on a
refusal (full, past, voucher used or reserved, unknown place or theme): a clear answer only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from actions.coach import asks_to_cancel, booking_owner
from actions.form_turns import TurnTakingFormValidation, run_step
from actions.identity import verified_identity
from actions.opportunities import PAGING_SLOT, PAGING_WORKSHOPS
from actions.tracker import answering_open_question, latest_intent, latest_text, requested_slot
from bot.channels.identity import VerifiedIdentity
from bot.clock import LOCAL_TZ, utcnow
from bot.config import load_settings
from bot.db.session import RunSession
from bot.ledger import signup_chat as chat
from bot.ledger import signups
from bot.ledger.booking import active_booking_of
from bot.ledger.catalog import (
    SIGNUP_WAITING,
    VOUCHER_CANCELLED,
    VOUCHER_EXPIRED,
    VOUCHER_REDEEMED,
    VOUCHER_RESERVED,
)
from bot.ledger.models import Workshop, WorkshopSignup
from bot.ledger.preferences import parse_yes_no
from bot.ledger.signups import SessionOffer, SignupError, SignupView, signup_message
from bot.ledger.texts import UNCLEAR_YES_NO
from bot.ledger.vouchers import VoucherView, employee_voucher
from bot.trends.recorder import opted_out

QUERY_SLOT = chat.QUERY_SLOT
PLAN_SLOT = "signup_plan"
#: The session picked before the voucher was there: the sign-up resumes once it is issued.
PENDING_SLOT = "signup_pending"
CONFIRM_SLOT = "signup_confirm"
#: The session of the sign-up being moved while the employee picks a new date (no code).
MOVING_SLOT = "signup_moving"
SESSION_ENTITY = "session_id"
FORM = "signup_form"
PLAN_SIGNUP, PLAN_MOVE, PLAN_CANCEL = "signup", "move", "cancel"
#: The optional question after joining a waiting list: a mail when a seat frees up?
PLAN_MAIL = "mail"
LISTEN = FollowupAction("action_listen")
#: How far from a date the employee named a session may be to be offered instead.
_NEAR_DAYS = 21

_VOUCHER_REFUSALS = {
    VOUCHER_REDEEMED: signups.VOUCHER_USED,
    VOUCHER_EXPIRED: signups.VOUCHER_IS_EXPIRED,
    VOUCHER_CANCELLED: signups.VOUCHER_IS_CANCELLED,
}


def ics_url(view: SignupView) -> str:
    """The calendar file of a sign-up behind its unguessable token (served by the web app)."""
    return f"{load_settings().public_base_url}/signups/{view.ics_token}.ics"


def email_url(view: SignupView) -> str:
    """The page where a waiting employee leaves the address for the "a seat is free" mail."""
    return f"{load_settings().public_base_url}/signups/{view.ics_token}/email"


def _keys(who: VerifiedIdentity) -> tuple[str, list[str]]:
    return who.employee_keys.current, list(who.employee_keys.all()[1:])


def _today() -> Any:
    return utcnow().astimezone(LOCAL_TZ).date()


# --- Finding sessions -------------------------------------------------------------------


def _shown(tracker: Tracker) -> list[int]:
    stored = tracker.get_slot(QUERY_SLOT)
    shown = stored.get("shown") if isinstance(stored, dict) else None
    return [int(i) for i in shown if isinstance(i, int)] if isinstance(shown, list) else []


def pick_button(offer: SessionOffer, moving: bool) -> dict[str, str]:
    title = (
        chat.MOVE_BUTTON if moving else chat.WAITING_BUTTON if offer.full else chat.SIGNUP_BUTTON
    )
    return {"title": title, "payload": f'/pick_session{{"{SESSION_ENTITY}":"{offer.workshop_id}"}}'}


def _moving_id(tracker: Tracker) -> int | None:
    """The session of the sign-up being moved (never offered as its own new date)."""
    moving = str(tracker.get_slot(MOVING_SLOT) or "")
    return int(moving) if moving.isdigit() else None


async def _find(
    query: chat.SessionQuery, *, exclude: int | None = None, limit: int = chat.PAGE_SIZE
) -> signups.SessionPage:
    async with RunSession(load_settings().database_url) as run:
        return await run.call(
            signups.find_sessions,
            now=utcnow(),
            region=query.region,
            theme=query.theme,
            on_or_after=query.first_day,
            time_of_day=query.time_of_day,
            limit=limit,
            offset=query.offset,
            exclude=() if exclude is None else (exclude,),
        )


def _remember(
    tracker: Tracker,
    query: dict[str, object],
    page: Sequence[chat.ShownSession],
    *,
    add: bool,
) -> SlotSet:
    """The query slot after showing ``page``: the filters, the page (what positions count
    in) and every session shown since the last new search (``add``: this page adds up)."""
    previous = chat.shown_from_slot(tracker.get_slot(QUERY_SLOT)) if add else []
    return SlotSet(
        QUERY_SLOT,
        {
            **query,
            "shown": [session.workshop_id for session in page],
            "offers": [session.to_slot() for session in chat.remembered(previous, page)],
        },
    )


async def show_sessions(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    query: chat.SessionQuery,
    *,
    moving: bool = False,
    exclude: int | None = None,
) -> list[EventType]:
    """One page of sessions for ``query``; remembers it for "meer" and for a typed pick
    (the next pages add to what a pick can point at; a new search starts again)."""
    try:
        page = await _find(query, exclude=exclude)
    except SignupError as refused:
        dispatcher.utter_message(text=refused.message)
        return []
    if not page.offers:
        what = chat.filters_text(query)
        if query.offset:
            dispatcher.utter_message(text=chat.nothing_more_text(query))
        elif what:
            dispatcher.utter_message(text=chat.NOTHING_FOUND.format(soort=what))
        else:
            dispatcher.utter_message(text=chat.NOTHING_AT_ALL)
        return [SlotSet(PAGING_SLOT, None)]
    dispatcher.utter_message(text=chat.intro_text(query, moving))
    for number, offer in enumerate(page.offers, start=1):
        dispatcher.utter_message(
            text=chat.offer_text(number, offer), buttons=[pick_button(offer, moving)]
        )
    if page.has_more:
        dispatcher.utter_message(
            text=chat.MORE_HINT, buttons=[{"title": chat.MORE_BUTTON, "payload": "/show_more"}]
        )
    elif query.offset:
        dispatcher.utter_message(text=chat.LAST_PAGE)
    shown = [chat.ShownSession.of(offer) for offer in page.offers]
    stored = _remember(tracker, query.to_slot(), shown, add=query.offset > 0)
    return [stored, SlotSet(PAGING_SLOT, PAGING_WORKSHOPS)]


async def show_more_sessions(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """ "Meer" / "zijn er andere data?" after a list of sessions."""
    query = chat.SessionQuery.from_slot(tracker.get_slot(QUERY_SLOT)) or chat.SessionQuery()
    following = chat.SessionQuery(
        query.region, query.theme, query.first_day, query.time_of_day, query.offset + chat.PAGE_SIZE
    )
    moving = _moving_id(tracker)
    return await show_sessions(
        dispatcher, tracker, following, moving=moving is not None, exclude=moving
    )


class ActionFindSessions(Action):
    """The upcoming sessions that fit what the message names; unknown places are said so."""

    def name(self) -> str:
        return "action_find_sessions"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # listen next, also when the list policy chose this action ("ook in andere provincies")
        return [*await self._find(dispatcher, tracker), LISTEN]

    async def _find(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        today = _today()
        text = latest_text(tracker)
        query = chat.query_from_text(text, today)
        earlier = chat.SessionQuery.from_slot(tracker.get_slot(QUERY_SLOT))
        # "andere data voor jezelf presenteren" after the Limburg list: still Limburg
        # (walkthrough 2026-12-04 showed Groningen), unless the employee widens it
        kept = earlier.region if earlier is not None and not chat.widens_region(text) else None
        if query.region is None and kept:
            query = replace(query, region=kept)
        if earlier and query.theme is None and chat.widens_region(text):
            # "ook in andere provincies": the same workshop and part of the day, anywhere
            query = replace(
                query,
                theme=earlier.theme,
                time_of_day=query.time_of_day or earlier.time_of_day,
            )
        if query.region == chat.UNKNOWN:
            dispatcher.utter_message(text=signup_message(signups.UNKNOWN_REGION))
            return []
        if query.theme == chat.UNKNOWN:
            dispatcher.utter_message(text=signup_message(signups.UNKNOWN_THEME))
            return []
        if query.first_day is not None and query.first_day < today:
            dispatcher.utter_message(text=chat.PAST_DAY)
            query = chat.SessionQuery(query.region, query.theme, None, query.time_of_day)
        moving = _moving_id(tracker)
        if moving is not None:  # "in limburg?" while choosing where to move to: still moving
            return await show_sessions(dispatcher, tracker, query, moving=True, exclude=moving)
        events = await show_sessions(dispatcher, tracker, query)
        return [SlotSet(MOVING_SLOT, None), *events]


# --- Picking, cancelling, moving: checked before the question ------------------------------


def session_offer(session: Session, *, workshop_id: int, now: datetime) -> SessionOffer:
    """The session as it is now (seats left, waiting list); refuses one that is not open."""
    workshop = session.get(Workshop, workshop_id)
    if workshop is None:
        raise SignupError(signups.SESSION_UNKNOWN)
    if workshop.starts_at <= now + signups.SIGNUP_LEAD:
        raise SignupError(signups.SESSION_PAST)
    if signups.is_holiday(workshop.starts_at):
        raise SignupError(signups.SESSION_HOLIDAY)
    waiting = session.execute(
        select(func.count(WorkshopSignup.id)).where(
            WorkshopSignup.workshop_id == workshop.id, WorkshopSignup.status == SIGNUP_WAITING
        )
    ).scalar_one()
    event = workshop.event
    return SessionOffer(
        workshop_id=workshop.id,
        theme=workshop.theme,
        title=workshop.title,
        provider=workshop.provider.name,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        location=workshop.location,
        places=workshop.places,
        seats_left=max(0, workshop.places - workshop.seats_taken),
        waiting=int(waiting),
        event_name=event.name if event else None,
        region=event.region if event else None,
        venue=event.venue_name if event else None,
        town=event.town if event else None,
    )


def _signup_state(
    session: Session, *, who: VerifiedIdentity, now: datetime
) -> tuple[VoucherView | None, list[SignupView]]:
    key, previous = _keys(who)
    voucher = employee_voucher(
        session,
        municipality_code=who.municipality,
        employee_key=key,
        previous_keys=previous,
        now=now,
    )
    live = signups.employee_signups(session, employee_key=key, previous_keys=previous, now=now)
    return voucher, live


def voucher_refusal(
    voucher: VoucherView | None, live: Sequence[SignupView], workshop_id: int
) -> tuple[str, list[dict[str, str]]] | None:
    """Why this voucher cannot be used for this session now (text and buttons), or None."""
    if voucher is None:
        return chat.NO_VOUCHER, [chat.VOUCHER_BUTTON]
    if voucher.status in _VOUCHER_REFUSALS:
        return signup_message(_VOUCHER_REFUSALS[voucher.status]), []
    if voucher.purpose == "coach":
        return signup_message(signups.VOUCHER_WRONG_PURPOSE), []
    if voucher.status == VOUCHER_RESERVED or live:
        if any(view.workshop_id == workshop_id for view in live):
            return signup_message(signups.SAME_SESSION), []
        return signup_message(signups.VOUCHER_IS_RESERVED), list(chat.RESERVED_BUTTONS)
    return None


def _refuse(dispatcher: CollectingDispatcher, text: str, buttons: Sequence[dict[str, str]] = ()):
    dispatcher.utter_message(text=text, buttons=list(buttons))
    return [SlotSet(PLAN_SLOT, None), LISTEN]


def _user_texts(tracker: Tracker) -> list[str]:
    """The employee's messages in this conversation, oldest first."""
    return [
        str(event.get("text") or "") for event in tracker.events if event.get("event") == "user"
    ]


def _named_before(tracker: Tracker, shown: Sequence[chat.ShownSession]) -> int | None:
    """The one shown session the previous message named ("die over presenteren lijkt me
    leuk"), so that "ja die" now picks it; None when it named none or several."""
    earlier = _user_texts(tracker)[:-1]
    if not earlier:
        return None
    named = chat.sessions_named(earlier[-1], shown, utcnow())
    return named[0] if named and len(named) == 1 else None


def _ask_which(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    reading: chat.PickReading,
    shown: Sequence[chat.ShownSession],
) -> list[EventType]:
    """ "Bedoel je … of …?" with a button per session that fits; the buttons become the list
    a next "de eerste" or "die van 19:00" picks from."""
    among = [session for session in shown if session.workshop_id in reading.ids] or list(shown)
    dispatcher.utter_message(
        text=chat.which_question(reading, shown),
        buttons=[
            {
                "title": chat.choice_label(session, among),
                "payload": f'/pick_session{{"{SESSION_ENTITY}":"{session.workshop_id}"}}',
            }
            for session in among
        ],
    )
    stored = _remember(tracker, dict(tracker.get_slot(QUERY_SLOT) or {}), among, add=True)
    return [stored, SlotSet(PLAN_SLOT, None), LISTEN]


async def _offer_near(
    dispatcher: CollectingDispatcher, tracker: Tracker, day: Any
) -> list[EventType]:
    """The employee named a date that no shown session has ("die van 11 januari"): say so
    and offer the sessions on that date, or the closest ones, with the filters of the list
    (theme, province) and never the session being moved. Never another date as if asked."""
    query = chat.SessionQuery.from_slot(tracker.get_slot(QUERY_SLOT)) or chat.SessionQuery()
    today = _today()
    around = chat.SessionQuery(
        region=query.region,
        theme=query.theme,
        first_day=max(today, day - timedelta(days=_NEAR_DAYS)),
    )
    moving = _moving_id(tracker)
    try:
        page = await _find(around, exclude=moving, limit=signups.MAX_PAGE)
    except SignupError as refused:
        return _refuse(dispatcher, refused.message)
    candidates = [
        offer
        for offer in page.offers
        if abs((offer.starts_at.astimezone(LOCAL_TZ).date() - day).days) <= _NEAR_DAYS
    ]
    on_the_day, near = chat.sessions_near(candidates, day)
    dispatcher.utter_message(text=chat.not_shown_text(day, on_the_day, query, bool(near)))
    for number, offer in enumerate(near, start=1):
        dispatcher.utter_message(
            text=chat.offer_text(number, offer),
            buttons=[pick_button(offer, moving is not None)],
        )
    if not near:
        return [SlotSet(PLAN_SLOT, None), LISTEN]
    shown = [chat.ShownSession.of(offer) for offer in near]
    stored = _remember(tracker, dict(tracker.get_slot(QUERY_SLOT) or {}), shown, add=True)
    return [stored, SlotSet(PLAN_SLOT, None), LISTEN]


def _picked(tracker: Tracker) -> int | chat.PickReading | None:
    """The session the message picks: a button's id, or a typed pick read against the list
    shown (a reading that fits several or none is returned to ask which one)."""
    entity = next(tracker.get_latest_entity_values(SESSION_ENTITY), None)
    if entity is not None:
        return chat.picked_session(entity, None, [])
    text = latest_text(tracker)
    stored = tracker.get_slot(QUERY_SLOT)
    shown = chat.shown_from_slot(stored)
    reading = chat.read_pick(
        text,
        shown,
        utcnow(),
        named=_named_before(tracker, shown),
        page=chat.page_from_slot(stored),
    )
    if reading.kind is chat.PickKind.ONE:
        return reading.chosen
    if reading.kind is not chat.PickKind.NONE:
        return reading
    return chat.picked_session(None, text, _shown(tracker))  # "die eerste wil ik" by NLU


async def _plan_for(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    who: VerifiedIdentity,
    workshop_id: int,
    *,
    list_when_gone: bool = False,
) -> list[EventType]:
    """The checks before the question (session open, voucher free), then the question.

    Without a voucher the pick is kept (:data:`PENDING_SLOT`): the sign-up resumes when the
    voucher is issued. The form follows here, so a pick NLU read as another intent (the
    policy of ``bot.rasa_ext.policy`` chose this action) still gets its question."""
    moving = tracker.get_slot(MOVING_SLOT)
    now = utcnow()
    gone: str | None = None
    async with RunSession(load_settings().database_url) as run:
        try:
            offer = await run.call(session_offer, workshop_id=workshop_id, now=now)
        except SignupError as refused:
            gone = refused.message
        else:
            voucher, live = await run.call(_signup_state, who=who, now=now)
    if gone is not None:
        if not list_when_gone:
            return _refuse(dispatcher, gone)
        dispatcher.utter_message(text=gone)  # then the list again, to pick another date
        query = chat.SessionQuery.from_slot(tracker.get_slot(QUERY_SLOT)) or chat.SessionQuery()
        listed = await show_sessions(dispatcher, tracker, query)
        return [SlotSet(PLAN_SLOT, None), SlotSet(PENDING_SLOT, None), *listed, LISTEN]
    if moving:
        plan = {"plan": PLAN_MOVE, "from": str(moving), "workshop_id": offer.workshop_id}
        plan |= {"full": offer.full, "question": chat.confirm_question(PLAN_MOVE, offer, None)}
    else:
        refusal = voucher_refusal(voucher, live, offer.workshop_id)
        if refusal is not None:
            pending = str(offer.workshop_id) if voucher is None else None
            return [SlotSet(PENDING_SLOT, pending), *_refuse(dispatcher, *refusal)]
        plan = {"plan": PLAN_SIGNUP, "workshop_id": offer.workshop_id, "full": offer.full}
        plan["question"] = chat.confirm_question(PLAN_SIGNUP, offer, None)
    return [
        SlotSet(PLAN_SLOT, plan),
        SlotSet(CONFIRM_SLOT, None),
        SlotSet(PENDING_SLOT, None),
        FollowupAction(FORM),
    ]


class ActionSignupStart(Action):
    """A picked session (a button, or typed: "die van 24 maart", "ja die", "de tweede"):
    checked (identity, session open, voucher free), then the question."""

    def name(self) -> str:
        return "action_signup_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        who = verified_identity(tracker)
        if who is None:
            return _refuse(dispatcher, signup_message(signups.IDENTITY_NEEDED))
        picked = _picked(tracker)
        if isinstance(picked, chat.PickReading):
            day = chat.day_named(latest_text(tracker), _today())
            if picked.kind is chat.PickKind.NOTHING and day is not None:
                return await _offer_near(dispatcher, tracker, day)
            shown = chat.shown_from_slot(tracker.get_slot(QUERY_SLOT))
            return _ask_which(dispatcher, tracker, picked, shown)
        if picked is None:
            return _refuse(dispatcher, chat.NO_LIST)
        return await _plan_for(dispatcher, tracker, who, picked)


class ActionDescribeWorkshop(Action):
    """ "wat is nummer 5 precies?", "wat leer je daar?": what the workshop is about, then that
    session to sign up for, or the next dates of that theme (walkthrough of 2026-12-04)."""

    def name(self) -> str:
        return "action_describe_workshop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        stored = tracker.get_slot(QUERY_SLOT)
        reading = chat.read_about(
            latest_text(tracker), chat.shown_from_slot(stored), chat.page_from_slot(stored)
        )
        if reading is None:
            return _refuse(dispatcher, chat.NO_LIST)
        dispatcher.utter_message(text=chat.about_text(reading.theme))
        if reading.workshop_id is not None:
            now = utcnow()
            async with RunSession(load_settings().database_url) as run:
                try:
                    offer = await run.call(session_offer, workshop_id=reading.workshop_id, now=now)
                except SignupError as refused:
                    offer, gone = None, refused.message
            if offer is not None:
                dispatcher.utter_message(
                    text="\n".join([*chat.session_lines(offer), chat.ABOUT_ONE_SESSION]),
                    buttons=[pick_button(offer, _moving_id(tracker) is not None)],
                )
                one = [chat.ShownSession.of(offer)]
                return [_remember(tracker, dict(stored or {}), one, add=True), LISTEN]
            dispatcher.utter_message(text=gone)
        earlier = chat.SessionQuery.from_slot(stored)
        query = chat.SessionQuery(region=earlier.region if earlier else None, theme=reading.theme)
        moving = _moving_id(tracker) is not None
        return [*await show_sessions(dispatcher, tracker, query, moving=moving), LISTEN]


class ActionSignupResume(Action):
    """After the voucher was issued: back to the session picked before (or to the list when
    that session can no longer be had), instead of forgetting the sign-up."""

    def name(self) -> str:
        return "action_signup_resume"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        pending = str(tracker.get_slot(PENDING_SLOT) or "")
        who = verified_identity(tracker)
        if who is None or not pending.isdigit():
            return [SlotSet(PENDING_SLOT, None), LISTEN]
        dispatcher.utter_message(text=chat.RESUMING)
        events = await _plan_for(dispatcher, tracker, who, int(pending), list_when_gone=True)
        return [SlotSet(PENDING_SLOT, None), *events]


def _which(dispatcher: CollectingDispatcher, live: Sequence[SignupView], intent: str) -> None:
    dispatcher.utter_message(
        text=chat.WHICH_SIGNUP,
        buttons=[
            {
                "title": chat.signup_line(view),
                "payload": f'/{intent}{{"{SESSION_ENTITY}":"{view.workshop_id}"}}',
            }
            for view in live
        ],
    )


#: No workshop sign-up, but a coach booking: "verzetten" and "afzeggen" mean that one.
_COACH_FORM_FOR = {"move_signup": "booking_reschedule_form", "cancel_signup": "booking_cancel_form"}


async def _live_signups(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: DomainDict | None = None,
    intent: str | None = None,
) -> tuple[VerifiedIdentity, list[SignupView]] | list[EventType]:
    """The verified employee and their sign-ups still to come; else what to say.

    Without a sign-up but with a coach booking, moving or cancelling is about the booking
    (walkthrough 2026-12-04b: "verzetten naar donderdag" got "geen inschrijving")."""
    who = verified_identity(tracker)
    if who is None:
        return _refuse(dispatcher, signup_message(signups.IDENTITY_NEEDED))
    async with RunSession(load_settings().database_url) as run:
        _voucher, live = await run.call(_signup_state, who=who, now=utcnow())
        booked = None
        if not live and intent in _COACH_FORM_FOR:
            booked = await run.call(active_booking_of, owner=booking_owner(tracker), now=utcnow())
    if not live and booked is not None and intent is not None:
        started = await run_step("action_booking_change_start", dispatcher, tracker, domain or {})
        return [*started, FollowupAction(_COACH_FORM_FOR[intent])]
    if not live:
        return _refuse(dispatcher, chat.NO_SIGNUPS)
    return who, list(live)


async def _own_signup(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intent: str,
    domain: DomainDict | None = None,
) -> tuple[VerifiedIdentity, SignupView] | list[EventType]:
    """The employee's one live sign-up (or the one the button named); else what to say."""
    state = await _live_signups(dispatcher, tracker, domain, intent)
    if isinstance(state, list):
        return state
    who, live = state
    named = next(tracker.get_latest_entity_values(SESSION_ENTITY), None)
    if named is not None:  # a button of the "which one?" list: the session of own sign-up
        found = next((view for view in live if str(view.workshop_id) == str(named)), None)
        if found is None:
            return _refuse(dispatcher, signup_message(signups.SIGNUP_UNKNOWN))
        return who, found
    if len(live) > 1:
        _which(dispatcher, live, intent)
        return [SlotSet(PLAN_SLOT, None), LISTEN]
    return who, live[0]


async def _show_signups(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The employee's own sign-ups, with what they can do: a question about them asks
    nothing back ("Zal ik … afzeggen?" after "welke workshop heb ik nu" was one "ja" from a
    cancellation, walkthrough 2026-12-04)."""
    state = await _live_signups(dispatcher, tracker)
    if isinstance(state, list):
        return state
    _who, live = state
    lines = [chat.YOUR_SIGNUPS, *(f"- {chat.signup_line(view)}" for view in live)]
    return _refuse(dispatcher, "\n".join(lines), chat.SIGNUP_CHANGE_BUTTONS)


class ActionSignupCancelStart(Action):
    """ "Ik wil mijn inschrijving afzeggen": which one, then the question."""

    def name(self) -> str:
        return "action_signup_cancel_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        if not asks_to_cancel(text):  # "waar staat mijn inschrijving? welke heb ik nu"
            return await _show_signups(dispatcher, tracker)
        found = await _own_signup(dispatcher, tracker, "cancel_signup", domain)
        if isinstance(found, list):
            return found
        _who, view = found
        plan = {
            "plan": PLAN_CANCEL,
            "from": str(view.workshop_id),
            "question": chat.confirm_question(PLAN_CANCEL, None, view),
        }
        return [SlotSet(PLAN_SLOT, plan), SlotSet(CONFIRM_SLOT, None), SlotSet(MOVING_SLOT, None)]


class ActionSignupMoveStart(Action):
    """ "Kan ik mijn workshop verzetten?": the other dates of the same workshop to pick from."""

    def name(self) -> str:
        return "action_signup_move_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        found = await _own_signup(dispatcher, tracker, "move_signup", domain)
        if isinstance(found, list):
            return found
        _who, view = found
        query = chat.SessionQuery(theme=view.theme, region=view.region)
        if view.region is not None:
            try:
                nearby = await _find(query, exclude=view.workshop_id, limit=1)
            except SignupError:
                nearby = None
            if nearby is not None and not nearby.offers:
                dispatcher.utter_message(text=chat.moving_elsewhere_text(view.region))
                query = chat.SessionQuery(theme=view.theme)
        events = await show_sessions(
            dispatcher, tracker, query, moving=True, exclude=view.workshop_id
        )
        return [SlotSet(MOVING_SLOT, str(view.workshop_id)), *events]


# --- The question and what follows --------------------------------------------------------


class ValidateSignupForm(TurnTakingFormValidation):
    """Reads the yes or no; anything else goes through the one turn-taking policy."""

    answer_first = True  # "ja", "nee" are answers, whatever NLU thought

    def name(self) -> str:
        return "validate_signup_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        plan = tracker.get_slot(PLAN_SLOT)
        return [CONFIRM_SLOT] if isinstance(plan, dict) and plan.get("question") else []

    def _answer(self, tracker: Tracker) -> bool | None:
        intent, _confidence = latest_intent(tracker)
        return parse_yes_no(latest_text(tracker), intent)

    def answer_understood(self, tracker: Tracker) -> bool | None:
        if requested_slot(tracker) != CONFIRM_SLOT:
            return None
        return self._answer(tracker) is not None

    def extract_signup_confirm(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if requested_slot(tracker) != CONFIRM_SLOT or not answering_open_question(tracker, FORM):
            return {}
        return {CONFIRM_SLOT: self._answer(tracker)}

    async def validate_signup_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value is None:
            dispatcher.utter_message(text=UNCLEAR_YES_NO)
        return {CONFIRM_SLOT: value}


class ActionAskSignupConfirm(Action):
    def name(self) -> str:
        return "action_ask_signup_confirm"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        plan = tracker.get_slot(PLAN_SLOT) or {}
        dispatcher.utter_message(text=str(plan.get("question")), buttons=list(chat.YES_NO))
        return []


def own_signup(
    session: Session, *, who: VerifiedIdentity, workshop_id: str, now: datetime
) -> SignupView:
    """The employee's live sign-up for that session (codes and tokens stay out of the
    tracker: the plan names the session, the identity finds the sign-up)."""
    _voucher, live = _signup_state(session, who=who, now=now)
    found = next((view for view in live if str(view.workshop_id) == workshop_id), None)
    if found is None:
        raise SignupError(signups.SIGNUP_UNKNOWN)
    return found


def own_code(session: Session, *, who: VerifiedIdentity, workshop_id: str, now: datetime) -> str:
    return own_signup(session, who=who, workshop_id=workshop_id, now=now).code


def mail_plan(view: SignupView) -> dict[str, Any]:
    """The optional question after joining a waiting list, asked by the same form."""
    return {"plan": PLAN_MAIL, "workshop_id": view.workshop_id, "question": chat.MAIL_QUESTION}


def _do(
    session: Session, *, plan: dict[str, Any], who: VerifiedIdentity, now: datetime, count: bool
) -> SignupView:
    """The change the employee said yes to, in one transaction (SignupError: nothing changed)."""
    key, previous = _keys(who)
    actor = f"chat:{who.channel}"
    if plan["plan"] in (PLAN_CANCEL, PLAN_MOVE):
        code = own_code(session, who=who, workshop_id=str(plan.get("from")), now=now)
    if plan["plan"] == PLAN_CANCEL:
        return signups.cancel_signup(
            session,
            code=code,
            employee_key=key,
            previous_keys=previous,
            now=now,
            actor=actor,
        ).signup
    if plan["plan"] == PLAN_MOVE:
        return signups.move_signup(
            session,
            code=code,
            employee_key=key,
            previous_keys=previous,
            now=now,
            to_workshop_id=int(plan["workshop_id"]),
            join_waiting_list=bool(plan["full"]),
            actor=actor,
        ).signup
    voucher = employee_voucher(
        session,
        municipality_code=who.municipality,
        employee_key=key,
        previous_keys=previous,
        now=now,
    )
    if voucher is None:
        raise SignupError(signups.VOUCHER_UNKNOWN)
    return signups.sign_up(
        session,
        workshop_id=int(plan["workshop_id"]),
        voucher_code=voucher.code,
        employee_key=key,
        previous_keys=previous,
        now=now,
        join_waiting_list=bool(plan["full"]),
        actor=actor,
        record_trend=count,
    ).signup


class ActionSignupDone(Action):
    """After the yes: reserves, moves or cancels; after a no nothing changes."""

    def name(self) -> str:
        return "action_signup_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        plan = tracker.get_slot(PLAN_SLOT)
        done: list[EventType] = [SlotSet(PLAN_SLOT, None), SlotSet(CONFIRM_SLOT, None)]
        if not isinstance(plan, dict) or plan.get("plan") not in (
            PLAN_SIGNUP,
            PLAN_MOVE,
            PLAN_CANCEL,
            PLAN_MAIL,
        ):
            dispatcher.utter_message(text=chat.NO_LIST)
            return done
        kind = plan["plan"]
        if kind == PLAN_MAIL:
            return await self._mail_answer(dispatcher, tracker, plan, done)
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            no = {PLAN_SIGNUP: chat.NOT_SIGNED_UP, PLAN_MOVE: chat.NOT_MOVED}
            dispatcher.utter_message(text=no.get(kind, chat.NOT_CANCELLED))
            return [*done, SlotSet(MOVING_SLOT, None)]
        who = verified_identity(tracker)
        if who is None:
            dispatcher.utter_message(text=signup_message(signups.IDENTITY_NEEDED))
            return done
        now = utcnow()
        try:
            async with RunSession(load_settings().database_url) as run:
                view = await run.call(
                    _do, plan=plan, who=who, now=now, count=not opted_out(tracker)
                )
        except SignupError as refused:
            if refused.reason == signups.SESSION_FULL and kind in (PLAN_SIGNUP, PLAN_MOVE):
                return await self._full_meanwhile(plan, now, done)
            dispatcher.utter_message(text=refused.message)
            return [*done, SlotSet(MOVING_SLOT, None)]
        if kind == PLAN_CANCEL:
            dispatcher.utter_message(text=chat.cancelled_text(view))
        elif kind == PLAN_MOVE:
            dispatcher.utter_message(text=chat.moved_text(view, ics_url(view)))
        else:
            dispatcher.utter_message(text=chat.signed_up_text(view, ics_url(view)))
        if view.waiting and kind in (PLAN_SIGNUP, PLAN_MOVE):
            if view.has_email:  # moved on to another waiting list: the address moved along
                dispatcher.utter_message(text=chat.MAIL_ALREADY)
            else:
                ask = [SlotSet(PLAN_SLOT, mail_plan(view)), FollowupAction(FORM)]
                return [*done, SlotSet(MOVING_SLOT, None), *ask]
        return [*done, SlotSet(MOVING_SLOT, None)]

    async def _mail_answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        plan: dict[str, Any],
        done: list[EventType],
    ) -> list[EventType]:
        """Yes: the link to the e-mail page of this waiting place; no: the next chat tells."""
        if tracker.get_slot(CONFIRM_SLOT) is not True:
            dispatcher.utter_message(text=chat.MAIL_DECLINED)
            return done
        who = verified_identity(tracker)
        if who is None:
            dispatcher.utter_message(text=signup_message(signups.IDENTITY_NEEDED))
            return done
        try:
            async with RunSession(load_settings().database_url) as run:
                view = await run.call(
                    own_signup, who=who, workshop_id=str(plan.get("workshop_id")), now=utcnow()
                )
        except SignupError:
            view = None
        if view is None or not view.waiting:
            dispatcher.utter_message(text=chat.MAIL_NOT_WAITING)
            return done
        dispatcher.utter_message(text=chat.mail_link_text(email_url(view)))
        return done

    async def _full_meanwhile(
        self, plan: dict[str, Any], now: datetime, done: list[EventType]
    ) -> list[EventType]:
        """The last seat went while the employee answered: ask about the waiting list."""
        async with RunSession(load_settings().database_url) as run:
            offer = await run.call(session_offer, workshop_id=int(plan["workshop_id"]), now=now)
        question = chat.confirm_question(plan["plan"], offer, None)
        again = {**plan, "full": True, "question": question}
        return [*done, SlotSet(PLAN_SLOT, again), FollowupAction(FORM)]
