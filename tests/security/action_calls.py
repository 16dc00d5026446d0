"""Calling the real action server directly, as an attacker on the network (or Rasa) would.

The body is what Rasa sends to ``/webhook``: the action to run and the tracker, whose
``latest_message.metadata`` carries whatever the caller chose.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

import aiohttp
import sqlalchemy as sa

from bot.action_secret import ACTION_SECRET_HEADER
from bot.channels.identity import (
    CHANNEL_WIDGET,
    METADATA_IDENTITY,
    EmployeeKeys,
    employee_keys,
    sign_identity,
)
from bot.privacy.pseudonym import build_pseudonymizer
from tests.conversation.conftest import (
    TEST_ACTION_SECRET,
    TEST_IDENTITY_SECRET,
    TEST_PSEUDONYM_SECRET,
    KoersServers,
)

PSEUDONYMS = build_pseudonymizer(TEST_PSEUDONYM_SECRET)


def signed_claim(
    municipality: str,
    subject: str,
    channel: str = CHANNEL_WIDGET,
    *,
    keys: EmployeeKeys | None = None,
    secret: str = TEST_IDENTITY_SECRET,
    now: int | None = None,
) -> dict[str, str]:
    """Metadata as a channel inside the Rasa server makes it for a verified employee."""
    token = sign_identity(
        municipality,
        keys or employee_keys(subject, PSEUDONYMS),
        channel,
        secret,
        now=int(time.time()) if now is None else now,
    )
    return {"municipality": municipality, METADATA_IDENTITY: token}


def action_call(action: str, metadata: dict[str, Any] | None, text: str = "") -> dict[str, Any]:
    intent = "request_voucher" if action == "action_request_voucher" else "check_voucher_status"
    return {
        "next_action": action,
        "sender_id": f"attacker-{uuid.uuid4().hex}",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": f"attacker-{uuid.uuid4().hex}",
            "slots": {},
            "latest_message": {
                "text": text or "ik wil een voucher",
                "intent": {"name": intent, "confidence": 1.0},
                "entities": [],
                "metadata": metadata or {},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


async def post_action(
    session: aiohttp.ClientSession,
    servers: KoersServers,
    body: dict[str, Any],
    secret: str | None = TEST_ACTION_SECRET,
    path: str = "/webhook",
) -> tuple[int, Any]:
    headers = {} if secret is None else {ACTION_SECRET_HEADER: secret}
    async with session.post(f"{servers.action_url}{path}", json=body, headers=headers) as reply:
        try:
            payload = await reply.json(content_type=None)
        except ValueError:
            payload = await reply.text()
        return reply.status, payload


def reply_text(payload: Any) -> str:
    return "\n".join(str(r.get("text") or "") for r in (payload or {}).get("responses", []))


def vouchers(servers: KoersServers, municipality: str | None = None) -> list[tuple[str, str]]:
    """(code, employee key) of the stored vouchers (of ``municipality``)."""
    engine = sa.create_engine(servers.env["KOERS_DATABASE_URL"])
    query = (
        "SELECT v.code, v.employee_key FROM vouchers v JOIN municipalities m "
        "ON m.id = v.municipality_id WHERE (:gm IS NULL OR m.code = :gm) ORDER BY v.id"
    )
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(sa.text(query), {"gm": municipality})]
    finally:
        engine.dispose()
