"""Every change Koers makes to Rasa's internals, installed in one place: :func:`install_all`.

The Rasa server is started through :mod:`bot.rasa_ext.server`, which calls :func:`install_all`
before Rasa reads its configuration, so the patches never depend on which channels
``credentials.yml`` names. They were written for Rasa :data:`RASA_VERSION` and refuse to
install on any other; ``tests/rasa_ext/test_patches.py`` fingerprints the source of every
function they replace (each module's ``TARGETS``). Each change keeps Rasa's behaviour apart
from what its module says:

* :mod:`~bot.rasa_ext.patches.action_fallback` (``RemoteAction.run``): custom action calls time
  out after ``KOERS_ACTION_TIMEOUT_SECONDS`` and answer in Dutch when the action server fails;
* :mod:`~bot.rasa_ext.patches.model_load` (``RasaModel.load``): models are loaded for
  prediction without Rasa's one-step training (most of the start-up time and memory);
* :mod:`~bot.rasa_ext.patches.action_results` (``RemoteAction._validate_action_result``): the
  action server's answer is checked with one compiled JSON schema validator;
* :mod:`~bot.rasa_ext.patches.action_calls` (``RemoteAction.__init__``): action calls share
  kept-alive connections, encode the tracker with ujson and carry the action secret;
* :mod:`~bot.rasa_ext.patches.event_types` (``Event.resolve_by_type``): events find their class
  in a mapping instead of a walk over all event classes;
* :mod:`~bot.rasa_ext.patches.failsafe_store` (``FailSafeTrackerStore``'s error handlers):
  database errors of Koers's tracker store reach the channel's Dutch answer instead of an
  empty conversation;
* :mod:`~bot.rasa_ext.patches.turn_profile` (``DaskGraphRunner.__init__`` and four
  ``MessageProcessor`` methods): only with ``KOERS_TURN_PROFILE`` set (``make bench``), a timer
  around each part of a turn; otherwise nothing is replaced.

The speed-ups' before and after figures are in the README ("Performance").
"""

from __future__ import annotations

import logging
import threading
from types import ModuleType
from typing import Any

import rasa

from bot.rasa_ext.patches import (
    action_calls,
    action_fallback,
    action_results,
    event_types,
    failsafe_store,
    model_load,
    turn_profile,
)
from bot.rasa_ext.patches.target import PatchedFunction

logger = logging.getLogger(__name__)

#: The Rasa release every patch was written for (and every fingerprint taken from).
RASA_VERSION = "3.6.21"
#: In the order they are installed (the action timeout first, as before the speed-ups).
PATCH_MODULES: tuple[ModuleType, ...] = (
    action_fallback,
    model_load,
    action_results,
    action_calls,
    event_types,
    failsafe_store,
    turn_profile,
)

_lock = threading.Lock()
_installed = False
_originals: dict[PatchedFunction, Any] = {}


def every_target() -> tuple[PatchedFunction, ...]:
    """Every Rasa function a patch replaces."""
    return tuple(target for module in PATCH_MODULES for target in module.TARGETS)


def check_rasa_version(version: str) -> None:
    """Refuse a Rasa release the patches were not written for (before anything is patched)."""
    if version != RASA_VERSION:
        raise RuntimeError(
            f"Koers's patches of Rasa internals were written for Rasa {RASA_VERSION}, but Rasa "
            f"{version} is installed. Check every patch in bot/rasa_ext/patches against the "
            "new Rasa, update the fingerprints (tests/rasa_ext/test_patches.py) and "
            "RASA_VERSION, or install Rasa " + RASA_VERSION + "."
        )


def install_all() -> None:
    """Install every patch, once per process; raise RuntimeError on another Rasa version."""
    global _installed
    check_rasa_version(rasa.__version__)
    with _lock:
        if _installed:
            return
        for target in every_target():
            _originals[target] = target.current()
        for module in PATCH_MODULES:
            module.install()
        _installed = True
    logger.debug("Installed %d patches of Rasa %s internals", len(PATCH_MODULES), RASA_VERSION)


def is_installed() -> bool:
    return _installed


def rasa_original(target: PatchedFunction) -> Any:
    """Rasa's own function for ``target``, whether or not the patches are installed."""
    with _lock:
        return _originals.get(target, target.current())


__all__ = [
    "PATCH_MODULES",
    "RASA_VERSION",
    "PatchedFunction",
    "check_rasa_version",
    "every_target",
    "install_all",
    "is_installed",
    "rasa_original",
]
