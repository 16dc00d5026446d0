"""The one identity model of Koers, for every channel (docs/privacy-tech.md, "Identity").

Three things, each derived one way only:

* **Conversation key**: ``HMAC(secret, channel ":" channel_conversation_id)``, via the
  pseudonymizer. The channel is part of the input, so a REST client that sends the id of a
  widget session or of a Teams conversation lands in a conversation of its own, never in
  theirs. Only the channel that proved ownership (a signed widget session, a verified Teams
  activity) can produce the key of its conversations.
* **Employee key**: ``HMAC(secret, "employee:" subject)`` where the subject is one configured
  claim that every channel can prove: by default the Entra (Azure AD) object id, which Teams
  sends as ``aadObjectId`` and the intranet puts in the widget token (claim ``oid``). So one
  person has one key, whatever the channel. Each key starts with its key version
  (``k<version>_``); during a rotation the previous key is derived too, so the ledger's
  one-voucher-per-year check looks under both.
* **Signed identity claim**: the channel (inside the Rasa server) signs ``{municipality,
  employee keys, channel, exp}`` with ``KOERS_IDENTITY_SECRET``; the actions verify that
  signature before they touch a budget. The claim travels in the message metadata under
  :data:`METADATA_IDENTITY` for this one turn; the tracker store strips it before anything is
  stored (see :func:`stripped_metadata`), so stored conversations hold no identity.

Nothing here imports Rasa: the action server and the web app use it as it is.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import jwt

from bot.privacy.constants import IDENTITY_METADATA_KEYS, METADATA_IDENTITY
from bot.privacy.pseudonym import Pseudonymizer, get_pseudonymizer

CHANNEL_REST = "rest"
CHANNEL_WIDGET = "widget"
CHANNEL_TEAMS = "msteams"
CHANNELS = frozenset({CHANNEL_REST, CHANNEL_WIDGET, CHANNEL_TEAMS})

#: Metadata key of the plain municipality code (kept: trends count per municipality).
METADATA_MUNICIPALITY = "municipality"

EMPLOYEE_PURPOSE = "employee"
MUNICIPALITY_RE = re.compile(r"GM\d{4}")
MAX_SUBJECT_CHARS = 256
MIN_IDENTITY_SECRET_CHARS = 32
#: How long a signed claim is valid: it only has to outlive the turn it was made for.
CLAIM_LIFETIME_SECONDS = 300
CLAIM_AUDIENCE = "koers-actions"
CLAIM_ISSUER = "koers-channel"
CLAIM_ALGORITHM = "HS256"


class IdentityConfigError(RuntimeError):
    """``KOERS_IDENTITY_SECRET`` is missing or too short (fail at start-up)."""


@dataclass(frozen=True)
class EmployeeKeys:
    """The employee key under the current pseudonym key, and under the previous one."""

    current: str
    previous: str | None = None

    def all(self) -> tuple[str, ...]:
        return (self.current,) if self.previous is None else (self.current, self.previous)


@dataclass(frozen=True)
class VerifiedIdentity:
    """Who is asking, as proved by a channel and verified from its signature."""

    municipality: str
    employee_keys: EmployeeKeys
    channel: str
    expires_at: int

    @property
    def employee_key(self) -> str:
        """The key under which new ledger rows are stored (current key version)."""
        return self.employee_keys.current


def conversation_key(
    channel: str, channel_conversation_id: str, pseudonymizer: Pseudonymizer | None = None
) -> str:
    """The key under which Koers stores a conversation: never the channel's raw id alone."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return (pseudonymizer or get_pseudonymizer()).pseudonym(
        channel_raw_id(channel, channel_conversation_id)
    )


def channel_raw_id(channel: str, channel_conversation_id: str) -> str:
    """``channel:id``, the input of the conversation key (the tracker store's rotation look-up
    hashes the same string under the previous key)."""
    return f"{channel}:{channel_conversation_id}"


def employee_keys(subject: str, pseudonymizer: Pseudonymizer | None = None) -> EmployeeKeys:
    """The employee keys of ``subject`` (an Entra object id or another shared identifier).

    Case and surrounding white space do not matter: Teams and intranets write GUIDs both ways.
    """
    normalised = normalise_subject(subject)
    found = (pseudonymizer or get_pseudonymizer()).keyed_candidates(EMPLOYEE_PURPOSE, normalised)
    return EmployeeKeys(found[0], found[1] if len(found) > 1 else None)


def normalise_subject(subject: str) -> str:
    if not isinstance(subject, str) or not subject.strip():
        raise ValueError("an employee subject must be a non-empty string")
    normalised = subject.strip().lower()
    if len(normalised) > MAX_SUBJECT_CHARS:
        raise ValueError("an employee subject is at most 256 characters")
    return normalised


def check_identity_secret(secret: str) -> bytes:
    if not isinstance(secret, str) or len(secret) < MIN_IDENTITY_SECRET_CHARS:
        raise IdentityConfigError(
            "KOERS_IDENTITY_SECRET must be set to at least "
            f"{MIN_IDENTITY_SECRET_CHARS} random characters, the same in the Rasa server and "
            "the action server"
        )
    return secret.encode("utf-8")


def sign_identity(
    municipality: str,
    keys: EmployeeKeys,
    channel: str,
    secret: str,
    *,
    now: int | None = None,
    not_after: int | None = None,
) -> str:
    """A signed claim for one turn; ``not_after`` caps it (e.g. at the widget token's expiry)."""
    if not MUNICIPALITY_RE.fullmatch(municipality or ""):
        raise ValueError("municipality must be a GM code")
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    issued = int(time.time()) if now is None else int(now)
    expires = issued + CLAIM_LIFETIME_SECONDS
    if not_after is not None:
        expires = min(expires, int(not_after))
    claims: dict[str, Any] = {
        "iss": CLAIM_ISSUER,
        "aud": CLAIM_AUDIENCE,
        "iat": issued,
        "exp": expires,
        "gm": municipality,
        "ek": keys.current,
        "ch": channel,
    }
    if keys.previous is not None:
        claims["ekp"] = keys.previous
    return jwt.encode(claims, check_identity_secret(secret), algorithm=CLAIM_ALGORITHM)


def verify_identity(token: Any, secret: str, *, now: int | None = None) -> VerifiedIdentity | None:
    """The identity in a signed claim, or None when it is missing, forged, expired or odd.

    None is the only failure answer on purpose: an action treats every refused claim as an
    anonymous employee, and never says why to the client.
    """
    if not isinstance(token, str) or not token or len(token) > 4096:
        return None
    key = check_identity_secret(secret)
    current = int(time.time()) if now is None else int(now)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[CLAIM_ALGORITHM],
            audience=CLAIM_AUDIENCE,
            issuer=CLAIM_ISSUER,
            options={"require": ["exp", "iat", "aud", "iss"], "verify_exp": False},
        )
    except jwt.PyJWTError:
        return None
    expires = claims.get("exp")
    if not isinstance(expires, int) or expires <= current:
        return None
    municipality, key_now, key_before, channel = (
        claims.get("gm"),
        claims.get("ek"),
        claims.get("ekp"),
        claims.get("ch"),
    )
    if not isinstance(municipality, str) or not MUNICIPALITY_RE.fullmatch(municipality):
        return None
    if not isinstance(key_now, str) or not key_now or channel not in CHANNELS:
        return None
    if key_before is not None and not isinstance(key_before, str):
        return None
    return VerifiedIdentity(municipality, EmployeeKeys(key_now, key_before), channel, expires)


def identity_from_metadata(
    metadata: Any, secret: str, *, now: int | None = None
) -> VerifiedIdentity | None:
    """The verified identity of a message's metadata (see :func:`verify_identity`)."""
    if not isinstance(metadata, Mapping):
        return None
    return verify_identity(metadata.get(METADATA_IDENTITY), secret, now=now)


def stripped_metadata(metadata: Any) -> Any:
    """``metadata`` without any identity key: what a client sent, or what may be stored.

    The municipality stays only as a plain GM code; anything else under that key is dropped.
    """
    if not isinstance(metadata, Mapping):
        return metadata
    kept = {k: v for k, v in metadata.items() if k not in IDENTITY_METADATA_KEYS}
    municipality = kept.get(METADATA_MUNICIPALITY)
    if municipality is not None and not (
        isinstance(municipality, str) and MUNICIPALITY_RE.fullmatch(municipality)
    ):
        kept.pop(METADATA_MUNICIPALITY)
    return kept
