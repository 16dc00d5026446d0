"""Pseudonymous conversation ids: stable, keyed, rotatable; and the channel edge."""

from __future__ import annotations

import logging

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.privacy.channel import PseudonymisedOutputChannel, protect_incoming
from bot.privacy.pseudonym import (
    PSEUDONYM_RE,
    PseudonymConfigError,
    build_pseudonymizer,
    get_pseudonymizer,
    reset_pseudonymizer,
)

from .conftest import OLD_SECRET, SECRET


def test_stable_and_shaped() -> None:
    p = build_pseudonymizer(SECRET)
    first = p.pseudonym("29:1aBcDeF-teams-user")
    assert first == build_pseudonymizer(SECRET).pseudonym("29:1aBcDeF-teams-user")
    assert PSEUDONYM_RE.fullmatch(first) and first.startswith("k1_")
    assert "teams" not in first


def test_keyed() -> None:
    a = build_pseudonymizer(SECRET).pseudonym("sessie-123")
    b = build_pseudonymizer("another-secret-" + "z" * 40).pseudonym("sessie-123")
    assert a != b
    assert build_pseudonymizer(SECRET).pseudonym("sessie-124") != a


def test_rotation() -> None:
    old = build_pseudonymizer(OLD_SECRET, version=1)
    new = build_pseudonymizer(SECRET, version=2, previous_secret=OLD_SECRET)
    raw = "widget-session-42"
    assert new.candidates(raw) == [new.pseudonym(raw), old.pseudonym(raw)]
    assert new.pseudonym(raw).startswith("k2_")
    assert new.is_pseudonym(old.pseudonym(raw)) and new.is_pseudonym(new.pseudonym(raw))
    assert not old.is_pseudonym(new.pseudonym(raw))  # version 2 unknown to the old config


def test_existing_pseudonyms_pass_through_but_edge_always_hashes() -> None:
    p = build_pseudonymizer(SECRET)
    pseudo = p.pseudonym("abc")
    assert p.conversation_id(pseudo) == pseudo
    assert p.conversation_id("abc") == pseudo
    assert p.pseudonym(pseudo) != pseudo  # a client cannot pick somebody's pseudonym
    assert p.conversation_id("k9_" + "0" * 32) != "k9_" + "0" * 32  # unknown version


def test_message_ids_are_domain_separated() -> None:
    p = build_pseudonymizer(SECRET)
    assert p.hash_id("abc") != p.pseudonym("abc")


def test_missing_secret_warns_and_uses_an_ephemeral_key(caplog) -> None:
    with caplog.at_level(logging.WARNING):
        a = build_pseudonymizer("")
    assert "KOERS_PSEUDONYM_SECRET is not set" in caplog.text
    assert a.pseudonym("x") != build_pseudonymizer("").pseudonym("x")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"secret": "", "required": True},
        {"secret": "short"},
        {"secret": SECRET, "previous_secret": OLD_SECRET, "version": 1},
        {"secret": SECRET, "version": 0},
        {"secret": "", "previous_secret": OLD_SECRET, "version": 2},
    ],
)
def test_clear_errors(kwargs) -> None:
    with pytest.raises(PseudonymConfigError):
        build_pseudonymizer(**kwargs)


def test_settings_from_environment(monkeypatch) -> None:
    monkeypatch.setenv("KOERS_PSEUDONYM_SECRET", SECRET)
    monkeypatch.setenv("KOERS_PSEUDONYM_KEY_VERSION", "3")
    monkeypatch.setenv("KOERS_PSEUDONYM_SECRET_PREVIOUS", OLD_SECRET)
    reset_pseudonymizer()
    try:
        p = get_pseudonymizer()
        assert p.pseudonym("x").startswith("k3_") and p.previous and p.previous.version == 2
    finally:
        reset_pseudonymizer()


async def test_edge_pseudonymises_and_replies_reach_the_channel(pseudonymizer) -> None:
    collector = CollectingOutputChannel()
    message = UserMessage(
        "Hoi, ik ben Fatima", collector, "widget-sessie-77", input_channel="rest", metadata={"a": 1}
    )
    safe = protect_incoming(message, "widget", pseudonymizer)
    assert safe.sender_id == pseudonymizer.pseudonym("widget:widget-sessie-77")
    # the channel is part of the key: the same id over REST is another conversation
    rest = protect_incoming(message, "rest", pseudonymizer)
    assert rest.sender_id == pseudonymizer.pseudonym("rest:widget-sessie-77") != safe.sender_id
    assert safe.text == message.text and safe.metadata == {"a": 1}
    assert isinstance(safe.output_channel, PseudonymisedOutputChannel)
    assert safe.output_channel.name() == collector.name()
    await safe.output_channel.send_response(safe.sender_id, {"text": "Hallo!"})
    await safe.output_channel.send_text_message(safe.sender_id, "Nog iets")
    assert [m["recipient_id"] for m in collector.messages] == ["widget-sessie-77"] * 2
    assert safe.output_channel.messages is collector.messages


def test_edge_refuses_an_unknown_channel(pseudonymizer) -> None:
    with pytest.raises(ValueError):
        protect_incoming(UserMessage("hoi", None, "x"), "socketio", pseudonymizer)


def test_edge_hands_the_previous_key_to_the_tracker_store() -> None:
    """During a rotation the tracker store only sees the current key of "channel:id"; the edge
    tells it the previous one, so the conversation is moved instead of lost."""
    from bot.privacy.channel import previous_conversation_key

    old = build_pseudonymizer(SECRET)
    new = build_pseudonymizer("another-secret-" + "z" * 40, version=2, previous_secret=SECRET)
    safe = protect_incoming(UserMessage("hoi", None, "sessie-9"), "widget", new)
    assert previous_conversation_key(safe.sender_id) == old.pseudonym("widget:sessie-9")
