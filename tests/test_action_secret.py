"""The action server's header secret on both sides, and the try limiter (no servers needed)."""

from __future__ import annotations

import pytest
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

from bot.action_secret import (
    ACTION_SECRET_HEADER,
    ActionSecretConfigError,
    check_action_secret,
    secret_matches,
)
from bot.ledger.tries import TryLimiter
from bot.rasa_ext.patches import action_calls
from bot.rasa_ext.patches.action_fallback import describe

SECRET = "koers-test-action-secret-0123456789abcdef"


def test_secret_must_be_long_and_matches_exactly() -> None:
    assert check_action_secret(f" {SECRET} ") == SECRET
    for bad in ("", "short", " " * 40):
        with pytest.raises(ActionSecretConfigError):
            check_action_secret(bad)
    assert secret_matches(SECRET, SECRET)
    assert not secret_matches(SECRET.upper(), SECRET)
    assert not secret_matches(None, SECRET) and not secret_matches("", SECRET)
    assert not secret_matches(SECRET, "")


def test_pooled_calls_carry_the_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOERS_ACTION_SECRET", SECRET)
    twin = action_calls.PooledEndpointConfig.wrapping(EndpointConfig(url="http://x/webhook"))
    assert twin.headers == {ACTION_SECRET_HEADER: SECRET}
    own = EndpointConfig(url="http://x/webhook", headers={"x-koers-action-secret": "eigen"})
    assert action_calls.PooledEndpointConfig.wrapping(own).headers == {
        "x-koers-action-secret": "eigen"
    }
    monkeypatch.delenv("KOERS_ACTION_SECRET")
    assert action_calls.with_action_secret({"A": "b"}) == {"A": "b"}


def test_a_refused_call_is_logged_as_a_configuration_error() -> None:
    try:
        try:
            raise ClientResponseError(401, "Unauthorized", b"{}")
        except ClientResponseError as refused:
            raise RasaException("Failed to execute custom action") from refused
    except RasaException as wrapped:
        assert "KOERS_ACTION_SECRET" in describe(wrapped, 20)
    assert "401" not in describe(RasaException("other"), 20)


def test_try_limiter_counts_a_sliding_window() -> None:
    now = [0.0]
    limiter = TryLimiter(2, 60, clock=lambda: now[0])
    assert limiter.hit("a") and limiter.hit("a") and not limiter.hit("a")
    assert limiter.hit("b")
    assert not limiter.hit("b", "a")  # one key at its limit refuses, and counts nothing
    assert limiter.hit("b") and not limiter.hit("b")
    now[0] = 61.0
    assert limiter.hit("a", "b")
