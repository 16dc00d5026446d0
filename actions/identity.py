"""Who is asking, for every action that touches a budget or a booking: a verified claim only.

The channel (inside the Rasa server) signs ``{municipality, employee keys, channel, exp}``
with ``KOERS_IDENTITY_SECRET`` and puts it in the message metadata under
:data:`~bot.channels.identity.METADATA_IDENTITY`. Actions call :func:`verified_identity` and
never read ``municipality`` or ``employee_key`` from the metadata themselves: those are what a
client (or anyone who reaches the action server) can type, so they prove nothing.
"""

from __future__ import annotations

import logging

from rasa_sdk import Tracker

from bot.channels.identity import (
    IdentityConfigError,
    VerifiedIdentity,
    identity_from_metadata,
)
from bot.config import load_settings

logger = logging.getLogger(__name__)


def verified_identity(tracker: Tracker) -> VerifiedIdentity | None:
    """The verified identity of the latest message, or None (anonymous) when there is no
    claim, or it is forged, expired or malformed.

    Without a usable ``KOERS_IDENTITY_SECRET`` nobody is verified (the action server refuses
    to start then; this keeps a misconfigured test or tool from trusting anything).
    """
    metadata = (tracker.latest_message or {}).get("metadata")
    try:
        return identity_from_metadata(metadata, load_settings().identity_secret)
    except IdentityConfigError:
        logger.error("KOERS_IDENTITY_SECRET is not configured: treating the employee as anonymous")
        return None
