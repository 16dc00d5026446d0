"""Sealed slot values: a booking code the conversation still needs, unreadable in the database.

Why: the cancel and reschedule forms keep the booking code in the ``booking_code`` slot from
one turn to the next, so the tracker store must give it back. Stored in clear, anyone who
reads the tracker database could cancel the booking. The store therefore keeps such values
encrypted (AES-GCM, bound to the conversation and the slot name) under a key derived from the
pseudonym secret, and opens them again when it reads the conversation back. A value sealed
under a key that is gone (after a rotation's retention period) opens as None: the employee
types the code again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import re
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bot.privacy.pseudonym import Pseudonymizer, PseudonymKey

logger = logging.getLogger(__name__)

SEAL_PREFIX = "sealed:v1:"
_SEALED_RE = re.compile(r"sealed:v1:(\d{1,4}):([A-Za-z0-9_-]{20,2048})")
_NONCE_BYTES = 12
MAX_SEALED_CHARS = 256


def _derive(key: PseudonymKey) -> bytes:
    """A separate AES key per pseudonym key, so the HMAC key itself never encrypts."""
    return hmac.new(key.secret, b"koers:slot-seal:v1", hashlib.sha256).digest()


def _aad(conversation: str, slot: str) -> bytes:
    return f"{conversation}\x00{slot}".encode("utf-8", "surrogatepass")


class Sealer:
    """Seals and opens slot values with the current (and the previous) pseudonym key."""

    def __init__(self, pseudonymizer: Pseudonymizer) -> None:
        keys = [pseudonymizer.current, pseudonymizer.previous]
        self.current_version = pseudonymizer.current.version
        self._keys = {k.version: AESGCM(_derive(k)) for k in keys if k is not None}

    def seal(self, value: str, conversation: str, slot: str) -> str:
        """The sealed form of ``value`` (a short string) for ``slot`` in ``conversation``."""
        if len(value) > MAX_SEALED_CHARS:
            raise ValueError("only short values are sealed")
        nonce = os.urandom(_NONCE_BYTES)
        box = self._keys[self.current_version].encrypt(
            nonce, value.encode("utf-8"), _aad(conversation, slot)
        )
        token = base64.urlsafe_b64encode(nonce + box).decode("ascii").rstrip("=")
        return f"{SEAL_PREFIX}{self.current_version}:{token}"

    def open(self, sealed: Any, conversation: str, slot: str) -> str | None:
        """The value inside ``sealed``, or None if it is not one of ours or cannot be opened."""
        m = _SEALED_RE.fullmatch(sealed) if isinstance(sealed, str) else None
        if m is None:
            return None
        box = self._keys.get(int(m.group(1)))
        if box is None:
            return None
        try:
            raw = base64.urlsafe_b64decode(m.group(2) + "=" * (-len(m.group(2)) % 4))
            plain = box.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(conversation, slot))
        except (InvalidTag, ValueError):  # binascii.Error is a ValueError
            logger.warning("A sealed %s value could not be opened; read back as empty", slot)
            return None
        return plain.decode("utf-8")


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(SEAL_PREFIX)
