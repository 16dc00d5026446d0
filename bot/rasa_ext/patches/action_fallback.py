"""Custom action calls with a timeout and a Dutch answer when the action server fails.

Rasa calls the action server with a fixed 5-minute timeout and, when the call fails, logs the
error and sends nothing. Here every :class:`~rasa.core.actions.action.RemoteAction` run gets
``KOERS_ACTION_TIMEOUT_SECONDS`` and, on a timeout, a refused connection or a 5xx, returns one
``BotUttered`` with :data:`~bot.rasa_ext.texts.ACTION_UNAVAILABLE` (once per turn). The
action's own events are lost, as in plain Rasa; the next message is handled normally, so the
conversation continues as soon as the action server is back. A 401 (the action server's
header secret, :mod:`bot.action_secret`, differs) is logged as such: a configuration error.

Installed by :func:`bot.rasa_ext.patches.install_all`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import BotUttered, Event, FollowupAction, UserUttered

from bot.config import load_settings
from bot.rasa_ext.patches.target import PatchedFunction
from bot.rasa_ext.texts import ACTION_UNAVAILABLE

logger = logging.getLogger(__name__)
FALLBACK_MARKER = "koers_action_unavailable"

RunFn = Callable[..., Awaitable[list[Event]]]
TARGETS = (
    PatchedFunction(
        "rasa.core.actions.action",
        "RemoteAction",
        "run",
        "ccabf6f1160d527a157fad5bd285ce69e8221b1bcad23f8a61499b4360a1c17e",
    ),
)


def already_apologised(events: Any) -> bool:
    """Whether this turn (events since the last user message) already has the fallback text."""
    for event in reversed(list(events)):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and (event.metadata or {}).get(FALLBACK_MARKER):
            return True
    return False


def fallback_events(events: Any) -> list[Event]:
    """The events to return for a failed action call: one apology per turn, then listen.

    Ending the turn (``FollowupAction(action_listen)``) keeps Rasa from predicting and calling
    further custom actions that would fail too (each after the full timeout), and from
    starting a form half-way; the employee's next message is handled as usual.
    """
    stop = FollowupAction(ACTION_LISTEN_NAME)
    if already_apologised(events):
        return [stop]
    return [BotUttered(text=ACTION_UNAVAILABLE, metadata={FALLBACK_MARKER: True}), stop]


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status behind a failed call (Rasa wraps the response error in its own)."""
    for candidate in (exc, exc.__cause__):
        status = getattr(candidate, "status", None)
        if isinstance(status, int):
            return status
    return None


def describe(exc: BaseException, timeout_seconds: float) -> str:
    """Short reason for the log, without quotes (the privacy log filter blanks quoted text)."""
    if isinstance(exc, asyncio.TimeoutError):
        return f"action server too slow (no answer within {timeout_seconds:g} s)"
    if _status_of(exc) == 401:
        return "action server refused the call (401: KOERS_ACTION_SECRET differs or is missing)"
    if "connect" in str(exc).lower():
        return f"action server unreachable ({type(exc).__name__})"
    return f"action server error ({type(exc).__name__})"


async def run_with_fallback(
    run: RunFn, action: Any, timeout_seconds: float, *args: Any
) -> list[Event]:
    """Run ``run(action, *args)`` with a timeout; on failure return the fallback events."""
    from rasa.core.actions.action import ActionExecutionRejection

    tracker = args[2]
    try:
        return await asyncio.wait_for(run(action, *args), timeout=timeout_seconds)
    except ActionExecutionRejection:
        raise  # a form rejecting a slot: normal dialogue, not a failure
    except Exception as exc:
        logger.error(
            "Custom action %s failed: %s; sent the Dutch action-unavailable answer",
            action.name(),
            describe(exc, timeout_seconds),
        )
        return fallback_events(tracker.events)


def install(timeout_seconds: float | None = None) -> None:
    """Wrap Rasa's ``RemoteAction.run`` in :func:`run_with_fallback` (once: ``install_all``)."""
    from rasa.core.actions.action import RemoteAction

    timeout = float(timeout_seconds or load_settings().action_timeout_seconds)
    original: RunFn = RemoteAction.run

    async def run(self: Any, *args: Any) -> list[Event]:
        return await run_with_fallback(original, self, timeout, *args)

    RemoteAction.run = run
    logger.debug("Custom action calls time out after %.1f s", timeout)
