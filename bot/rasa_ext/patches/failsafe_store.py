"""Database errors of Koers's tracker store pass Rasa's ``FailSafeTrackerStore``.

Rasa wraps every tracker store in a ``FailSafeTrackerStore``, which answers a failed read with
an empty conversation (the employee starts over, and a later write could mix both) and keeps a
failed write in memory. It calls its error handler inside the ``except`` block; raising there
instead lets the channel's guard (:mod:`bot.channels.guards`) answer in Dutch, and the
conversation goes on from what is stored once the database is back. Other tracker stores keep
Rasa's behaviour. Installed by :func:`bot.rasa_ext.patches.install_all`.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.tracker_store import FailSafeTrackerStore

from bot.rasa_ext.off_loop import is_database_error
from bot.rasa_ext.patches.target import PatchedFunction
from bot.rasa_ext.stores import ScrubbingSQLTrackerStore

logger = logging.getLogger(__name__)
TARGETS = (
    PatchedFunction(
        "rasa.core.tracker_store",
        "FailSafeTrackerStore",
        "on_tracker_store_error",
        "6faca7ba72b36da4594c789a1ee9d86ea185a8785a1e0543199b63bf02937e12",
    ),
    PatchedFunction(
        "rasa.core.tracker_store",
        "FailSafeTrackerStore",
        "on_tracker_store_retrieve_error",
        "162b49564c52ab49f2be6a40ed56d11564e6607fdcd6975d44e678f69ca6ce9d",
    ),
)


def install() -> None:
    """Let database errors of :class:`ScrubbingSQLTrackerStore` through (once: ``install_all``)."""
    for name in ("on_tracker_store_error", "on_tracker_store_retrieve_error"):
        original = getattr(FailSafeTrackerStore, name)

        def handler(self: Any, error: Exception, _original: Any = original) -> None:
            if isinstance(self._tracker_store, ScrubbingSQLTrackerStore) and is_database_error(
                error
            ):
                logger.error(
                    "Tracker database unavailable (%s): the turn fails, nothing is "
                    "kept in memory instead",
                    type(error).__name__,
                )
                raise error
            _original(self, error)

        setattr(FailSafeTrackerStore, name, handler)
