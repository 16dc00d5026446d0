"""Custom actions for the voucher of 375 euro: asking for one, and its status.

Who is asking comes only from the signed identity claim that the channel put in the message
metadata (:func:`actions.identity.verified_identity`), never from what the employee types or
from plain ``municipality``/``employee_key`` metadata: those prove nothing, so a forged
tracker can never spend a budget. Without a verified identity the action explains how to open
Koers through the municipality's link.

Status: the chat shows an employee their own voucher (and its code) through their identity,
and nothing else. A typed code is never looked up, so someone else's code and an unknown code
get the same answer (no oracle); providers check codes through the provider API. Typed codes
are limited per conversation (:data:`CODE_TRIES_PER_HOUR`).
"""

from __future__ import annotations

import hashlib
import logging
import re

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.coach import booking_owner
from actions.identity import verified_identity
from bot.channels.identity import VerifiedIdentity
from bot.clock import utcnow
from bot.config import load_settings
from bot.db.session import RunSession
from bot.ledger import texts
from bot.ledger.booking import active_booking_of
from bot.ledger.codes import CODE_LENGTHS, CodeCheck, CodeProblem, find_code
from bot.ledger.tries import TryLimiter
from bot.ledger.vouchers import (
    VoucherError,
    VoucherView,
    employee_voucher,
    request_voucher,
)
from bot.ledger.workshops import upcoming_workshops
from bot.trends import events as trend
from bot.trends.recorder import record_trend

logger = logging.getLogger(__name__)

VOUCHER_CODE = "voucher_code"
#: A workshop picked before there was a voucher (``actions.signups.PENDING_SLOT``): once the
#: voucher is there, the sign-up resumes (``action_signup_resume``) instead of the list of uses.
SIGNUP_PENDING = "signup_pending"
SIGNUP_RESUME = "action_signup_resume"
CODE_TRIES_PER_HOUR = 5
#: Typed voucher codes per conversation (and per verified employee) per hour.
CODE_TRIES = TryLimiter(CODE_TRIES_PER_HOUR, 3600.0, shared=True)  # Redis when configured


def _looks_like_a_code_attempt(text: str) -> bool:
    """Something code-like of the wrong length ("K7QM-4TXR"), to say what is wrong."""
    words = text.replace("-", " ").split()
    joined = [word for word in words if any(char.isdigit() for char in word) and len(word) >= 3]
    return bool(joined) and sum(len(word) for word in joined) not in CODE_LENGTHS


def _typed_code(tracker: Tracker) -> CodeCheck | None:
    text = str(tracker.latest_message.get("text") or "")
    entity = next(tracker.get_latest_entity_values(VOUCHER_CODE), None)
    found = find_code(str(entity), "voucher") if entity else None
    return found or find_code(text, "voucher")


def _try_keys(tracker: Tracker, who: VerifiedIdentity | None) -> list[str]:
    """What a typed code counts against: the conversation, and the employee when known."""
    keys = [f"conversation:{tracker.sender_id}"]
    if who is not None:
        keys.append(f"employee:{who.employee_key}")
    return keys


def _short(value: str) -> str:
    """A log handle that links log lines of one conversation without being its id."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:8]


async def _own_voucher(who: VerifiedIdentity) -> VoucherView | None:
    settings = load_settings()
    async with RunSession(settings.database_url) as run:
        return await run.call(
            employee_voucher,
            municipality_code=who.municipality,
            employee_key=who.employee_keys.current,
            previous_keys=who.employee_keys.all()[1:],
            now=utcnow(),
        )


_HOW = re.compile(r"\b(?:hoe|wanneer|waar)\s+(?:\w+\s+){0,2}(?:vraag|krijg|kom|regel|aanvragen)\b")


def asks_how_to_get_one(text: str) -> bool:
    """ "als ik een cursus wil, hoe vraag ik die voucher aan?" asks how: it issued one at
    once (walkthrough 2026-12-04). The button (``/request_voucher``) or "ik wil een voucher"
    asks for one."""
    lowered = text.lower()
    if lowered.lstrip().startswith("/") or re.search(r"\bik\s+wil\b|\bgraag\b", lowered):
        return False
    return _HOW.search(lowered) is not None


class ActionRequestVoucher(Action):
    """Issues this year's voucher once per employee; asking again shows the same one."""

    def name(self) -> str:
        return "action_request_voucher"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        # "hoe vraag ik die aan?" after "voor deze workshop heb je een voucher nodig" wants one
        pending = tracker.get_slot(SIGNUP_PENDING)
        if not pending and asks_how_to_get_one(str(tracker.latest_message.get("text") or "")):
            dispatcher.utter_message(
                text=texts.VOUCHER_HOW, buttons=[dict(b) for b in texts.VOUCHER_HOW_BUTTONS]
            )
            return []
        who = verified_identity(tracker)
        if who is None:
            logger.info("Voucher request without a verified identity: refused")
            dispatcher.utter_message(text=texts.NO_IDENTITY)
            return []
        settings = load_settings()
        now = utcnow()
        async with RunSession(settings.database_url) as run:
            try:
                result = await run.call(
                    request_voucher,
                    municipality_code=who.municipality,
                    employee_key=who.employee_keys.current,
                    previous_keys=who.employee_keys.all()[1:],
                    now=now,
                    valid_days=settings.voucher_valid_days,
                    actor=f"action:request_voucher:{who.channel}",
                )
            except VoucherError as refused:
                dispatcher.utter_message(text=texts.voucher_refused(refused.reason))
                return []
            workshops = await run.call(upcoming_workshops, now=now)
            booked = await run.call(active_booking_of, owner=booking_owner(tracker), now=now)
        if result.new:
            await record_trend({"municipality": who.municipality}, trend.VOUCHER_ISSUED)
        dispatcher.utter_message(text=texts.voucher_issued(result.voucher, result.new))
        if tracker.get_slot(SIGNUP_PENDING):
            return [FollowupAction(SIGNUP_RESUME)]
        dispatcher.utter_message(
            text=texts.spending_options(workshops, booked), buttons=texts.spending_buttons(booked)
        )
        return []


class ActionVoucherStatus(Action):
    """The employee's own voucher (status and code) through their verified identity only."""

    def name(self) -> str:
        return "action_voucher_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        who = verified_identity(tracker)
        typed = _typed_code(tracker)
        text = str(tracker.latest_message.get("text") or "")
        tried = typed is not None or _looks_like_a_code_attempt(text)
        if tried and not await CODE_TRIES.allow(*_try_keys(tracker, who)):
            logger.warning(
                "Voucher code tries over the limit in conversation %s",
                _short(tracker.sender_id or ""),
            )
            dispatcher.utter_message(text=texts.TOO_MANY_CODE_TRIES)
            return []
        if typed is not None and typed.problem is CodeProblem.BAD_CHARACTER:
            # About the typing only (no look-up): 0, O, 1, I and L are never in a code.
            dispatcher.utter_message(text=texts.code_problem(typed, "voucher"))
            return []
        if who is None:
            dispatcher.utter_message(text=texts.STATUS_NEEDS_IDENTITY)
            return []
        own = await _own_voucher(who)
        if tried and (own is None or typed is None or not typed.ok or typed.normalized != own.code):
            # The same answer for someone else's code, an unknown code and a typo.
            dispatcher.utter_message(text=texts.CODE_NOT_YOURS)
        if own is None:
            dispatcher.utter_message(text=texts.NO_VOUCHER_YET)
            return []
        dispatcher.utter_message(text=texts.voucher_status_text(own))
        return []


class ActionShowWorkshops(Action):
    """The five workshops with their next dates (an alternative to ``utter_workshops``)."""

    def name(self) -> str:
        return "action_show_workshops"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = load_settings()
        async with RunSession(settings.database_url) as run:
            workshops = await run.call(upcoming_workshops, now=utcnow())
            booked = await run.call(active_booking_of, owner=booking_owner(tracker), now=utcnow())
        dispatcher.utter_message(
            text=texts.spending_options(workshops, booked), buttons=texts.spending_buttons(booked)
        )
        return []
