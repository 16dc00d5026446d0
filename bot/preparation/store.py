"""Preparation sheets behind unguessable, expiring links.

The link holds a random token of 256 bits; the database keeps only its SHA-256, so a copy of
the database does not open any sheet. A sheet lives as long as its link (default 7 days) and
goes with the conversation when the employee erases it (erasure hook ``erase_sheets``).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import CheckConstraint, Column, Index, String, Text, delete
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.base import Base, UTCDateTime
from bot.db.engine import session_scope
from bot.db.session import session_factory_for
from bot.preparation.sheet import Sheet, sheet_from_dict, sheet_to_dict

TOKEN_BYTES = 32
#: token_urlsafe(32) gives 43 characters from the URL-safe base64 alphabet.
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{43}")


class PreparationSheet(Base):
    __tablename__ = "preparation_sheets"

    token_hash = Column(String(64), primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    content = Column(Text, nullable=False)
    created_at = Column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime(), nullable=False)

    __table_args__ = (
        CheckConstraint("expires_at > created_at", name="expires_after_creation"),
        Index("ix_preparation_sheets_conversation_id", "conversation_id"),
        Index("ix_preparation_sheets_expires_at", "expires_at"),
    )


@dataclass(frozen=True)
class StoredSheet:
    token: str
    expires_at: datetime


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def is_well_formed(token: str) -> bool:
    return bool(TOKEN_RE.fullmatch(token or ""))


def save_sheet(
    session: Session, conversation_id: str, sheet: Sheet, days: int, now: datetime | None = None
) -> StoredSheet:
    """Stores ``sheet`` under a new random token; returns the token for the link."""
    if days < 1:
        raise ValueError("a sheet link lives at least 1 day")
    now = now or utcnow()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + timedelta(days=days)
    session.add(
        PreparationSheet(
            token_hash=hash_token(token),
            conversation_id=conversation_id,
            content=json.dumps(sheet_to_dict(sheet), ensure_ascii=False),
            created_at=now,
            expires_at=expires_at,
        )
    )
    return StoredSheet(token=token, expires_at=expires_at)


def load_sheet(
    session: Session, token: str, now: datetime | None = None
) -> tuple[Sheet, datetime] | None:
    """The sheet and its expiry for a live token; None for malformed, unknown or expired ones."""
    if not is_well_formed(token):
        return None
    row = session.get(PreparationSheet, hash_token(token))
    if row is None or row.expires_at <= (now or utcnow()):
        return None
    return sheet_from_dict(json.loads(row.content)), row.expires_at


def delete_expired(session: Session, now: datetime | None = None) -> int:
    result = session.execute(
        delete(PreparationSheet).where(PreparationSheet.expires_at <= (now or utcnow()))
    )
    return int(result.rowcount or 0)


def delete_for_conversations(session: Session, conversation_ids: list[str]) -> int:
    result = session.execute(
        delete(PreparationSheet).where(PreparationSheet.conversation_id.in_(conversation_ids))
    )
    return int(result.rowcount or 0)


def erase_sheets(conversation_id: str) -> int:
    """Erasure hook: deletes the sheets of a conversation (and every expired sheet)."""
    factory = session_factory_for(load_settings().database_url)
    with session_scope(factory) as session:
        removed = delete_for_conversations(session, [conversation_id])
        delete_expired(session)
    return removed
