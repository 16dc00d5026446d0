"""Find an event class by its type name with one dictionary lookup.

Rasa 3.6's ``Event.resolve_by_type`` walks every subclass of ``Event`` (recursively, with an
``inspect.isabstract`` check each) for every event it reads back from the tracker store or the
action server: a conversation of 100 events costs 100 walks per turn, about 4 % of the Rasa
server's CPU under load. Here the walk is done once into a mapping; a name it does not know
(an event class imported later) rebuilds the mapping before Rasa's answer for unknown names.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.rasa_ext.patches.target import PatchedFunction

logger = logging.getLogger(__name__)
TARGETS = (
    PatchedFunction(
        "rasa.shared.core.events",
        "Event",
        "resolve_by_type",
        "b5cf570fa7f286c7059ec73d8880528d03a78b28cf4e80285a46079c0fa65968",
    ),
)
_classes_by_name: dict[str, Any] = {}


def _rebuild() -> dict[str, Any]:
    """type name → the first class with that name in Rasa's own search order."""
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    mapping: dict[str, Any] = {}
    for cls in all_subclasses(Event):
        mapping.setdefault(cls.type_name, cls)
    return mapping


def resolve_by_type(type_name: str, default: Any = None) -> Any:
    """Drop-in for ``Event.resolve_by_type``: the class, None for "topic", default, or raise."""
    global _classes_by_name
    found = _classes_by_name.get(type_name)
    if found is None:  # swapping the whole mapping is atomic; a double rebuild is harmless
        _classes_by_name = _rebuild()
        found = _classes_by_name.get(type_name)
    if found is not None:
        return found
    if type_name == "topic":
        return None  # Rasa's backwards compatibility for old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def install() -> None:
    """Use :func:`resolve_by_type` wherever Rasa reads events (once: ``install_all``)."""
    global _classes_by_name
    from rasa.shared.core.events import Event

    _classes_by_name = _rebuild()
    Event.resolve_by_type = staticmethod(resolve_by_type)
    logger.debug("Event classes are found by type name in a mapping")
