"""Every conversation file in tests/conversation/scripts/ against the real Rasa and action
servers: each turn's expectations and, on every turn, at most one "didn't understand".

On a failure the message is the whole transcript so far, the failing turn marked with >>>.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tools.conversations.client import RestKoers, TurnResult
from tools.conversations.scripted import Conversation, check_turn, failed, format_turn, load

from .conftest import AUTH_TOKEN, KoersServers, identity_metadata, pseudonym

SCRIPTS = Path(__file__).parent / "scripts"
FILES = sorted(SCRIPTS.glob("*.yml"))

pytestmark = pytest.mark.server


def transcript(conversation: Conversation, results: list[TurnResult], failing: int) -> str:
    lines = [f"{conversation.path.name}: {conversation.title}"]
    for result in results:
        lines += format_turn(
            result.turn, result.replies, result.checks, marked=result.turn.number == failing
        )
    return "\n".join(lines)


@pytest.mark.parametrize("path", FILES, ids=[path.stem for path in FILES])
def test_conversation(path: Path, koers_servers: KoersServers) -> None:
    conversation = load(path)
    unique = uuid.uuid4().hex[:12]  # one employee per file and run, whatever other files do
    koers = RestKoers(
        koers_servers.rasa_url,
        AUTH_TOKEN,
        conversation_id=pseudonym,
        metadata=lambda identity: identity_metadata(
            identity["municipality"], f"{identity['subject']}-{unique}"
        ),
    )
    results: list[TurnResult] = []
    for turn in conversation.turns:
        replies = koers.say(turn.user, conversation.identity)
        tracker = koers.tracker() if turn.needs_tracker else None
        results.append(TurnResult(turn, replies, check_turn(turn, replies, tracker)))
        if failed(results[-1].checks):
            pytest.fail(transcript(conversation, results, turn.number), pytrace=False)


def test_there_are_conversation_files() -> None:
    assert len(FILES) >= 25, FILES
