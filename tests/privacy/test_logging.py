"""No user text in log records at INFO and above, Rasa's loggers and structlog included."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy.channel import protect_incoming
from bot.privacy.logging import (
    PrivacyLogFilter,
    forget_all,
    install_log_privacy,
    sanitise_message,
    uninstall_log_privacy,
)
from bot.rasa_ext.stores import ScrubbingSQLTrackerStore

USER_TEXT = "Ik wil stiekem weg bij Burgerzaken, zeg niks tegen Fatima El Amrani (06-41829375)"
RAW_ID = "widget-sessie-8841"
FRAGMENTS = [USER_TEXT, "stiekem weg", "zeg niks", "Fatima", "Amrani", "41829375", RAW_ID]


@pytest.fixture
def privacy_logging():
    install_log_privacy()
    try:
        yield
    finally:
        uninstall_log_privacy()
        forget_all()


def everything_logged(caplog) -> str:
    parts = [caplog.text]
    for record in caplog.records:
        parts.append(record.getMessage())
        parts.append(record.exc_text or "")
    return "\n".join(parts)


async def test_user_text_is_absent_from_logs_at_info(
    privacy_logging, caplog, pseudonymizer, sqlite_url
) -> None:
    caplog.set_level(logging.INFO)
    message = protect_incoming(
        UserMessage(USER_TEXT, CollectingOutputChannel(), RAW_ID, input_channel="rest"),
        "rest",
        pseudonymizer,
    )
    # What Rasa and friends log while handling a message, at INFO and above.
    logging.getLogger("rasa.core.processor").info(f"Received user message '{USER_TEXT}'")
    logging.getLogger("rasa.core.processor").warning(
        f"Circuit breaker tripped. Stopped predicting more actions for sender '{RAW_ID}'."
    )
    logging.getLogger("rasa.core.channels.rest").error(
        f"Exception when trying to handle message.{USER_TEXT}"
    )
    logging.getLogger("bot.somewhere").info("Handling %s for %s", USER_TEXT, RAW_ID)
    logging.getLogger("sanic.access").info("10.1.2.3 - POST /webhooks/rest %s", USER_TEXT)
    json_logger = structlog.wrap_logger(
        logging.getLogger("rasa.core.channels.rest"),
        processors=[structlog.processors.JSONRenderer()],
    )
    json_logger.error("rest.message.received.failure", text=USER_TEXT, sender_id=RAW_ID)
    try:
        raise ValueError(f"could not parse {USER_TEXT!r}")
    except ValueError:
        logging.getLogger("rasa.core.agent").exception("Failed to handle the message")

    domain = Domain.empty()
    store = ScrubbingSQLTrackerStore(
        domain=domain, url=sqlite_url, pseudonymizer=pseudonymizer, retention_interval_minutes=0
    )
    tracker = DialogueStateTracker(message.sender_id, domain.slots)
    tracker.update(UserUttered(USER_TEXT, intent={"name": "inform", "confidence": 1.0}))
    await store.save(tracker)
    await store.close()

    logged = everything_logged(caplog)
    assert len(caplog.records) >= 7
    for fragment in FRAGMENTS:
        assert fragment not in logged, fragment
    # the operational part of the messages survives
    assert "Circuit breaker tripped" in logged
    assert "rest.message.received.failure" in logged
    assert "ValueError" in logged
    assert message.sender_id in logged  # the conversation key of "rest:<id>"


def test_texts_seen_by_the_store_only_are_blanked_too(privacy_logging, caplog) -> None:
    from bot.privacy.logging import remember_user_text

    caplog.set_level(logging.INFO)
    remember_user_text("ik durf het niet te zeggen tegen mijn baas")
    logging.getLogger("rasa").error("parse failed: ik durf het niet te zeggen tegen mijn baas")
    assert "durf" not in everything_logged(caplog)


def test_a_remembered_id_is_replaced_only_where_it_stands_alone(privacy_logging, caplog) -> None:
    from bot.privacy.logging import remember_sender

    caplog.set_level(logging.INFO)
    remember_sender("eepi", "2_pseudoniem")
    logging.getLogger("bot.web").warning("housekeeping for eepi: done")
    logged = everything_logged(caplog)
    assert "housekeeping for 2_pseudoniem: done" in logged
    assert "eepi" not in logged.replace("housekeeping", "")


def test_debug_is_not_touched(privacy_logging, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("rasa").debug("debug 'tekst van iemand'")
    assert "tekst van iemand" in caplog.text


def test_filter_for_configured_handlers() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PrivacyLogFilter())
    log = logging.getLogger("koers.test.filter")
    log.addHandler(handler)
    log.propagate = False
    try:
        log.warning("user said '%s'", "mijn collega Fatima El Amrani is ziek")
    finally:
        log.removeHandler(handler)
    assert "Fatima" not in stream.getvalue() and "ziek" not in stream.getvalue()


def test_sanitise_keeps_identifiers_and_handles_json() -> None:
    assert "'action_check_scan'" in sanitise_message("running 'action_check_scan' now")
    out = json.loads(sanitise_message(json.dumps({"event": "x", "user_text": "hoi Fatima"})))
    assert out == {"event": "x", "user_text": "[TEKST]"}
    assert sanitise_message("text=hallo_daar other=1").startswith("text=[TEKST]")
    assert len(sanitise_message("a" * 50_000)) < 1100


def test_tokens_and_codes_never_reach_a_log() -> None:
    """Issue 14: no tokens in any log (a widget token in a socket.io URL, a signed claim)."""
    jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvaWQtMSJ9.c2lnbmF0dXJlLXZhbHVl"
    lines = [
        f"GET /socket.io/?EIO=4&transport=polling&token={jwt} 200",
        f"refused claim {jwt} for sender k1_abc",
        "GET /webhooks/rest/webhook?token=koers-test-token HTTP/1.1",
        '{"event": "user", "koers_identity": "abc.def.ghi", "employee_key": "k1_x"}',
        "booking K7QMX-4TXR9 cancelled",
    ]
    cleaned = "\n".join(sanitise_message(line) for line in lines)
    for secret in ("eyJ", "koers-test-token", "abc.def.ghi", "k1_x", "4TXR9"):
        assert secret not in cleaned, secret
    assert "GET /webhooks/rest/webhook?token=[TEKST]" in cleaned
