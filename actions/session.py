"""The start of every conversation session: Rasa's default behaviour plus one trend count.

Like Rasa's built-in ``action_session_start``: a ``SessionStarted`` event, the slots of the
previous session carried over when the domain says so (``session_config``), and
``action_listen`` at the end. It also counts "conversation started" for the dashboard
(municipality from the session's metadata; nothing if the employee opted out), and tells a
verified employee who moved up from a workshop waiting list since their last chat (issue 17).
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.channels.identity import identity_from_metadata
from bot.config import load_settings
from bot.db.session import RunSession
from bot.ledger.signups import notice_text, pending_notices
from bot.trends import events as trend
from bot.trends.recorder import SESSION_METADATA_SLOT, record_trend

logger = logging.getLogger(__name__)


def carry_over_slots(tracker: Tracker, domain: DomainDict) -> list[EventType]:
    """SlotSet events of the earlier session, as Rasa does (only if the domain asks for it)."""
    config: Any = domain.get("session_config") or {}
    if not config.get("carry_over_slots_to_new_session", True):
        return []
    return [
        SlotSet(key=event["name"], value=event.get("value"))
        for event in tracker.applied_events()
        if event.get("event") == "slot"
    ]


class ActionSessionStart(Action):
    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events: list[EventType] = [SessionStarted(), *carry_over_slots(tracker, domain)]
        await record_trend(tracker, trend.CONVERSATION_STARTED)
        for text in await waiting_list_notices(tracker):
            dispatcher.utter_message(text=text)
        events.append(ActionExecuted("action_listen"))
        return events


async def waiting_list_notices(tracker: Tracker) -> list[str]:
    """ "Er is een plek vrijgekomen ...": each move-up told once, to the verified employee only.

    The session's metadata carries the channel's signed claim; without a valid one nothing is
    looked up. A database problem never blocks the start of a conversation.
    """
    settings = load_settings()
    metadata = tracker.get_slot(SESSION_METADATA_SLOT) or (tracker.latest_message or {}).get(
        "metadata"
    )
    try:
        who = identity_from_metadata(metadata, settings.identity_secret)
    except Exception:  # a misconfigured secret: treat as anonymous, as actions/identity.py does
        return []
    if who is None:
        return []
    try:
        async with RunSession(settings.database_url) as run:
            views = await run.call(
                pending_notices,
                employee_key=who.employee_keys.current,
                previous_keys=who.employee_keys.all()[1:],
            )
    except Exception as exc:
        logger.error("waiting-list notices not read: %s", type(exc).__name__)
        return []
    return [notice_text(view) for view in views]
