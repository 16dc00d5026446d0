"""Sending a conversation file's turns to a running Koers over the REST webhook."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tools.conversations.scripted import Check, Conversation, Turn, check_turn

TIMEOUT_S = 60


def _request(url: str, body: Any | None = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Content-Type": "application/json"},
        method="POST" if data else "GET",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
        return json.loads(response.read() or b"null")


@dataclass
class TurnResult:
    turn: Turn
    replies: list[dict[str, Any]]
    checks: list[Check]


@dataclass
class RestKoers:
    """One conversation with Koers at ``url``; the tracker is read when ``token`` is given.

    ``conversation_id`` maps the REST sender to the id the tracker is stored under (Koers stores
    a pseudonym); ``metadata`` gives the message metadata for an ``identity:``.
    """

    url: str
    token: str | None = None
    conversation_id: Callable[[str], str] = lambda sender: sender
    metadata: Callable[[Mapping[str, str]], dict[str, str]] | None = None
    sender: str = field(default_factory=lambda: f"script-{uuid.uuid4().hex}")

    def say(self, text: str, identity: Mapping[str, str] | None) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"sender": self.sender, "message": text}
        if identity is not None and self.metadata is not None:
            body["metadata"] = self.metadata(identity)
        replies = _request(f"{self.url.rstrip('/')}/webhooks/rest/webhook", body)
        return list(replies or [])

    def tracker(self) -> dict[str, Any] | None:
        if self.token is None:
            return None
        key = urllib.parse.quote(self.conversation_id(self.sender), safe="")
        token = urllib.parse.quote(self.token, safe="")
        return _request(f"{self.url.rstrip('/')}/conversations/{key}/tracker?token={token}")


def run_conversation(
    conversation: Conversation,
    koers: RestKoers,
    on_turn: Callable[[TurnResult], None] | None = None,
) -> list[TurnResult]:
    """Send every turn, check it, and return the results (all turns, also after a failure)."""
    results = []
    for turn in conversation.turns:
        replies = koers.say(turn.user, conversation.identity)
        tracker = koers.tracker() if turn.needs_tracker else None
        result = TurnResult(turn, replies, check_turn(turn, replies, tracker))
        results.append(result)
        if on_turn is not None:
            on_turn(result)
    return results
