"""The audit log: who changed what, written in the same transaction as the change itself.

Details are about the record, never about the person: e-mail addresses, employee keys and
chat text are refused, so the log can be shown to administrators without a privacy check.
Free text that does reach the details (a provider's ``reference``, an import message) is
scrubbed like a chat message before it is stored: names, numbers and codes replaced. The
scrubber runs without the NER model here, so the web app never loads spaCy for a log line.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import utcnow
from bot.ledger.models import AuditEntry
from bot.privacy.scrubber import default_config, plain_municipality, scrub_value

FORBIDDEN_DETAIL_KEYS = frozenset({"email", "employee_key", "text", "message", "api_key"})


def clean_details(details: Mapping[str, Any]) -> dict[str, Any]:
    """Refuses personal data in audit details (a programming error, not user input)."""
    forbidden = FORBIDDEN_DETAIL_KEYS.intersection(details)
    if forbidden:
        raise ValueError(f"personal data does not belong in the audit log: {sorted(forbidden)}")
    return {key: _plain(value) for key, value in details.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str | Mapping | list | tuple):
        return scrub_free_text(value)
    return value


@lru_cache(maxsize=1)
def _rules_only() -> Any:
    return dataclasses.replace(default_config(), use_ner=False)


def scrub_free_text(value: Any) -> Any:
    """``value`` with personal data and codes replaced (strings inside lists and dicts too).

    Plain GM codes stay: they are the municipality, not a person.
    """
    if isinstance(value, str) and plain_municipality(value) is not None:
        return value
    return scrub_value(value, _rules_only())


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: object | None = None,
    details: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Adds an audit entry to the session's transaction (committed together with the change)."""
    entry = AuditEntry(
        at=at or utcnow(),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        details=json.dumps(clean_details(details or {}), sort_keys=True, ensure_ascii=False),
    )
    session.add(entry)
    return entry


def entries_for(session: Session, entity_type: str, entity_id: object) -> list[AuditEntry]:
    statement = (
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == str(entity_id))
        .order_by(AuditEntry.id)
    )
    return list(session.execute(statement).scalars())
