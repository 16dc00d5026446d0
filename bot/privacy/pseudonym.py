"""Pseudonymous conversation ids: a keyed hash (HMAC-SHA256) of the id a channel gives us.

Why: a widget session id or a Teams user id points straight at a person. Koers stores and logs
only ``k<version>_<32 hex>`` (128 bits of HMAC-SHA256 under a secret key), which nobody can
turn back into the channel id without the key, and which changes completely when the key is
rotated.

Keys (environment, see ``bot.config``):

* ``KOERS_PSEUDONYM_SECRET``: the current key (at least 32 characters).
* ``KOERS_PSEUDONYM_KEY_VERSION``: its version number (default 1), part of every pseudonym.
* ``KOERS_PSEUDONYM_SECRET_PREVIOUS``: the key of version - 1 during a rotation. The tracker
  store looks a channel id up under both keys and moves a conversation it finds under the old
  key to the new pseudonym on first contact. Remove the old key after the retention period:
  conversations still under it are then unlinkable and purged by retention.
* Unset key: a random key for this process only, with a WARNING (development). Pseudonyms then
  change at every restart. ``KOERS_PSEUDONYM_SECRET_REQUIRED=true`` turns this into an error;
  set it in production.

"Already a pseudonym": an id that matches ``k<version>_<32 lowercase hex>`` for a configured
version is used as it is (:meth:`Pseudonymizer.conversation_id`). Channels that let the client
choose its id must therefore always hash at the edge (:meth:`Pseudonymizer.pseudonym` never
passes anything through), so a client cannot pose as someone else's pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
import threading
from dataclasses import dataclass

from bot.config import load_settings

logger = logging.getLogger(__name__)

MIN_SECRET_LENGTH = 32
DIGEST_HEX_CHARS = 32
PSEUDONYM_RE = re.compile(r"k(\d{1,4})_([0-9a-f]{32})")


class PseudonymConfigError(RuntimeError):
    """The pseudonym secrets in the environment are missing or unusable."""


@dataclass(frozen=True)
class PseudonymKey:
    version: int
    secret: bytes


class Pseudonymizer:
    """Turns channel ids into stable keyed pseudonyms; knows the current and previous key."""

    def __init__(self, current: PseudonymKey, previous: PseudonymKey | None = None) -> None:
        if previous is not None and previous.version == current.version:
            raise PseudonymConfigError("the previous pseudonym key needs another version")
        self.current = current
        self.previous = previous
        self._keys = {current.version: current}
        if previous is not None:
            self._keys[previous.version] = previous

    @staticmethod
    def _digest(key: PseudonymKey, raw: str) -> str:
        mac = hmac.new(key.secret, raw.encode("utf-8", "surrogatepass"), hashlib.sha256)
        return f"k{key.version}_{mac.hexdigest()[:DIGEST_HEX_CHARS]}"

    def pseudonym(self, raw_id: str) -> str:
        """The pseudonym of ``raw_id`` under the current key. Always hashes."""
        return self._digest(self.current, str(raw_id))

    def candidates(self, raw_id: str) -> list[str]:
        """Pseudonyms of ``raw_id`` under every configured key, current first."""
        found = [self.pseudonym(raw_id)]
        if self.previous is not None:
            found.append(self._digest(self.previous, str(raw_id)))
        return found

    def keyed_candidates(self, purpose: str, value: str) -> list[str]:
        """Keyed hashes of ``purpose:value`` under every configured key, current first.

        Domain-separated from conversation ids by ``purpose`` (e.g. ``employee``), so an
        employee key never equals the key of a conversation.
        """
        return self.candidates(f"{purpose}:{value}")

    def is_pseudonym(self, value: str) -> bool:
        """True if ``value`` has the pseudonym shape with a version we hold a key for."""
        m = PSEUDONYM_RE.fullmatch(value) if isinstance(value, str) else None
        return m is not None and int(m.group(1)) in self._keys

    def conversation_id(self, sender_id: str) -> str:
        """The id to store: ``sender_id`` itself if it already is a pseudonym, else its hash."""
        return sender_id if self.is_pseudonym(sender_id) else self.pseudonym(sender_id)

    def hash_id(self, value: str) -> str:
        """Pseudonym for other linkable ids (message ids), domain-separated from sender ids."""
        return self._digest(self.current, "id:" + str(value))


def _key(secret: str, version: int, name: str) -> PseudonymKey:
    if len(secret) < MIN_SECRET_LENGTH:
        raise PseudonymConfigError(
            f"{name} is too short: use at least {MIN_SECRET_LENGTH} random characters "
            "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return PseudonymKey(version, secret.encode("utf-8"))


def build_pseudonymizer(
    secret: str,
    version: int = 1,
    previous_secret: str = "",
    required: bool = False,
) -> Pseudonymizer:
    """A :class:`Pseudonymizer` from settings values (see the module docstring for the rules)."""
    if version < 1:
        raise PseudonymConfigError("KOERS_PSEUDONYM_KEY_VERSION must be 1 or higher")
    if not secret:
        if required or previous_secret:
            raise PseudonymConfigError(
                "KOERS_PSEUDONYM_SECRET is not set; conversation ids cannot be pseudonymised"
            )
        logger.warning(
            "KOERS_PSEUDONYM_SECRET is not set: using a random key for this process only. "
            "Pseudonyms change at every restart; set the variable outside development."
        )
        return Pseudonymizer(PseudonymKey(version, secrets.token_bytes(32)))
    current = _key(secret, version, "KOERS_PSEUDONYM_SECRET")
    previous = None
    if previous_secret:
        if version < 2:
            raise PseudonymConfigError(
                "KOERS_PSEUDONYM_SECRET_PREVIOUS needs KOERS_PSEUDONYM_KEY_VERSION >= 2"
            )
        previous = _key(previous_secret, version - 1, "KOERS_PSEUDONYM_SECRET_PREVIOUS")
    return Pseudonymizer(current, previous)


_DEFAULT: Pseudonymizer | None = None
_DEFAULT_LOCK = threading.Lock()


def get_pseudonymizer() -> Pseudonymizer:
    """The process-wide pseudonymizer from the environment, built on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                s = load_settings()
                _DEFAULT = build_pseudonymizer(
                    s.pseudonym_secret,
                    s.pseudonym_key_version,
                    s.pseudonym_secret_previous,
                    s.pseudonym_secret_required,
                )
    return _DEFAULT


def reset_pseudonymizer() -> None:
    """Forget the process-wide pseudonymizer (tests, or after changing the environment)."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = None
