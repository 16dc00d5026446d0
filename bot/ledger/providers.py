"""Provider API keys: random, shown once, stored only as a SHA-256 hash.

The keys carry 256 random bits, so a fast hash is enough (no password stretching needed)
and lets the API find the provider with one indexed look-up per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.ledger import audit
from bot.ledger.models import Provider

KEY_PREFIX = "kp_"
MAX_KEY_LENGTH = 200


def new_api_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def provider_for_key(session: Session, key: str) -> Provider | None:
    """The active provider holding ``key``, or None (unknown, revoked or malformed key)."""
    if not key or len(key) > MAX_KEY_LENGTH or not key.startswith(KEY_PREFIX):
        return None
    provider = session.execute(
        select(Provider).where(Provider.api_key_hash == hash_api_key(key))
    ).scalar_one_or_none()
    if provider is None or not provider.active:
        return None
    return provider


def issue_api_key(session: Session, name: str, *, now: datetime, actor: str) -> str:
    """Creates the provider if needed and gives it a new key (the old one stops working)."""
    name = name.strip()
    if not name:
        raise ValueError("a provider needs a name")
    provider = session.execute(select(Provider).where(Provider.name == name)).scalar_one_or_none()
    if provider is None:
        provider = Provider(name=name, active=True, created_at=now)
        session.add(provider)
    key = new_api_key()
    provider.api_key_hash = hash_api_key(key)
    provider.key_rotated_at = now
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="provider.key_issued",
        entity_type="provider",
        entity_id=provider.id,
        at=now,
    )
    return key
