"""Custom actions for the voucher of 375 euro: asking for one, and its status.

Who is asking comes from the channel, never from what the employee types. Until the signed
channel token exists (a later issue), the channel puts two keys in the message metadata:
``tracker.latest_message["metadata"]["municipality"]`` (the municipality code, e.g. GM9901)
and ``...["employee_key"]`` (a pseudonymous key, 8-128 characters, stable per employee).
Without them the action explains how to open Koers through the municipality's link.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.config import load_settings
from bot.ledger import texts
from bot.ledger.codes import CODE_LENGTHS, find_code
from bot.ledger.models import utcnow
from bot.ledger.runtime import RunSession
from bot.ledger.vouchers import (
    VOUCHER_UNKNOWN,
    VoucherError,
    employee_voucher,
    request_voucher,
    voucher_status,
)
from bot.ledger.workshops import upcoming_workshops
from bot.trends import events as trend
from bot.trends.recorder import record_trend

VOUCHER_CODE = "voucher_code"
METADATA_MUNICIPALITY = "municipality"
METADATA_EMPLOYEE_KEY = "employee_key"


def identity(tracker: Tracker) -> tuple[str, str] | None:
    """(municipality code, employee key) from the message metadata, or None."""
    metadata: Any = tracker.latest_message.get("metadata") or {}
    if not isinstance(metadata, dict):
        return None
    municipality = metadata.get(METADATA_MUNICIPALITY)
    employee_key = metadata.get(METADATA_EMPLOYEE_KEY)
    if not isinstance(municipality, str) or not isinstance(employee_key, str):
        return None
    if not municipality.strip() or not employee_key.strip():
        return None
    return municipality.strip(), employee_key.strip()


def _looks_like_a_code_attempt(text: str) -> bool:
    """Something code-like of the wrong length ("K7QM-4TXR"), to say what is wrong."""
    words = text.replace("-", " ").split()
    joined = [word for word in words if any(char.isdigit() for char in word) and len(word) >= 3]
    return bool(joined) and sum(len(word) for word in joined) not in CODE_LENGTHS


class ActionRequestVoucher(Action):
    """Issues this year's voucher once per employee; asking again shows the same one."""

    def name(self) -> str:
        return "action_request_voucher"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        who = identity(tracker)
        if who is None:
            dispatcher.utter_message(text=texts.NO_IDENTITY)
            return []
        settings = load_settings()
        now = utcnow()
        async with RunSession(settings.database_url) as run:
            try:
                result = await run.call(
                    request_voucher,
                    municipality_code=who[0],
                    employee_key=who[1],
                    now=now,
                    valid_days=settings.voucher_valid_days,
                    actor="action:request_voucher",
                )
            except VoucherError as refused:
                dispatcher.utter_message(text=texts.voucher_refused(refused.reason))
                return []
            workshops = await run.call(upcoming_workshops, now=now)
        if result.new:
            await record_trend(tracker, trend.VOUCHER_ISSUED)
        dispatcher.utter_message(text=texts.voucher_issued(result.voucher, result.new))
        dispatcher.utter_message(
            text=texts.spending_options(workshops),
            buttons=[dict(button) for button in texts.SPENDING_BUTTONS],
        )
        return []


class ActionVoucherStatus(Action):
    """Status and expiry of a voucher by code; a wrong check character is called a typo."""

    def name(self) -> str:
        return "action_voucher_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        text = str(tracker.latest_message.get("text") or "")
        entity = next(tracker.get_latest_entity_values(VOUCHER_CODE), None)
        found = find_code(str(entity), "voucher") if entity else None
        found = found or find_code(text, "voucher")
        settings = load_settings()
        if found is None:
            who = identity(tracker)
            if who is not None:
                async with RunSession(settings.database_url) as run:
                    view = await run.call(
                        employee_voucher,
                        municipality_code=who[0],
                        employee_key=who[1],
                        now=utcnow(),
                    )
                if view is not None:
                    dispatcher.utter_message(text=texts.voucher_status_text(view))
                    return []
            if _looks_like_a_code_attempt(text):
                dispatcher.utter_message(text=texts.code_problem(None, "voucher"))
            else:
                dispatcher.utter_message(text=texts.ASK_VOUCHER_CODE)
            return []
        if not found.ok:
            dispatcher.utter_message(text=texts.code_problem(found, "voucher"))
            return []
        async with RunSession(settings.database_url) as run:
            try:
                view = await run.call(voucher_status, raw_code=found.normalized, now=utcnow())
            except VoucherError as refused:
                message = (
                    texts.VOUCHER_UNKNOWN_TEXT
                    if refused.reason == VOUCHER_UNKNOWN
                    else texts.code_problem(found, "voucher")
                )
                dispatcher.utter_message(text=message)
                return []
        dispatcher.utter_message(text=texts.voucher_status_text(view))
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
        dispatcher.utter_message(
            text=texts.spending_options(workshops),
            buttons=[dict(button) for button in texts.SPENDING_BUTTONS],
        )
        return []
