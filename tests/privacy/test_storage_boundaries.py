"""What the tracker store keeps (issue 14): no identity, only canonical entity-filled slots,
codes masked in texts and sealed in slots, and the municipality as a plain GM code."""

from __future__ import annotations

import time

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.training_data.message import Message

from bot.channels.identity import EmployeeKeys, sign_identity
from bot.ledger.codes import format_code, new_code
from bot.privacy.canonical import code_spans, mask_codes, normalise_entity_value
from bot.privacy.pseudonym import Pseudonymizer
from bot.privacy.scrubber import scrub_event, scrub_metadata, scrub_text, session_metadata
from bot.privacy.sealing import Sealer, is_sealed
from bot.rasa_ext.nlu import canonical_entities
from bot.rasa_ext.stores import ScrubbingSQLTrackerStore

from .test_tracker_store import raw_rows

IDENTITY_SECRET = "unit-identity-secret-" + "i" * 40
EMPLOYEE_KEY = "k2_" + "e" * 32


@pytest.fixture
def domain() -> Domain:
    return Domain.from_dict(
        {
            "intents": ["mention_barrier", "cancel_booking"],
            "entities": ["barrier", "region", "booking_code"],
            "slots": {
                "barrier": {
                    "type": "text",
                    "mappings": [{"type": "from_entity", "entity": "barrier"}],
                },
                "region": {
                    "type": "text",
                    "mappings": [{"type": "from_entity", "entity": "region"}],
                },
                "booking_code": {"type": "text", "mappings": [{"type": "custom"}]},
                "coach_booking_code": {"type": "text", "mappings": [{"type": "custom"}]},
            },
            "responses": {"utter_ok": [{"text": "Goed."}]},
        }
    )


def store_for(url: str, domain: Domain, pseudonymizer: Pseudonymizer) -> ScrubbingSQLTrackerStore:
    return ScrubbingSQLTrackerStore(
        domain=domain,
        url=url,
        pseudonymizer=pseudonymizer,
        retention_interval_minutes=0,
        install_log_filter=False,
    )


def claim() -> str:
    return sign_identity("GM9901", EmployeeKeys(EMPLOYEE_KEY), "widget", IDENTITY_SECRET)


def identity_metadata() -> dict:
    return {
        "municipality": "GM9901",
        "koers_identity": claim(),
        "employee_key": EMPLOYEE_KEY,
        "employee_keys": [EMPLOYEE_KEY],
        "widget_token": "eyJhbGciOi.widget.token",
        "koers_identity_hint": "x",
        "aadObjectId": "aad-777",
    }


# --- identity ---------------------------------------------------------------------------------


def test_metadata_keeps_the_municipality_code_and_no_identity() -> None:
    kept = scrub_metadata({**identity_metadata(), "model_id": "m-1", "koers_channel": "rest"})
    assert kept == {"municipality": "GM9901", "model_id": "m-1", "koers_channel": "rest"}


def test_municipality_is_never_scrubbed_into_a_name() -> None:
    assert scrub_text("GM9901").text == "GM9901"
    assert scrub_text("Ik werk bij GM9902 in de buitendienst").text.count("GM9902") == 1
    assert scrub_metadata({"municipality": "Piet Jansen"}) == {}  # not a code: dropped


def test_session_started_metadata_keeps_only_the_municipality() -> None:
    assert session_metadata(identity_metadata()) == {"municipality": "GM9901"}
    assert session_metadata({"employee_key": EMPLOYEE_KEY}) == {}
    assert session_metadata(None) is None
    event = {"event": "slot", "name": "session_started_metadata", "value": identity_metadata()}
    assert scrub_event(event)["value"] == {"municipality": "GM9901"}


def test_no_identity_in_the_stored_events(sqlite_url, domain, pseudonymizer) -> None:
    store = store_for(sqlite_url, domain, pseudonymizer)
    tracker = DialogueStateTracker("widget:abc", domain.slots)
    t = time.time()
    for event in (
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(metadata=identity_metadata(), timestamp=t),
        SlotSet("session_started_metadata", identity_metadata(), timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
        UserUttered(
            "hoi",
            intent={"name": "greet", "confidence": 1.0},
            metadata=identity_metadata(),
            timestamp=t,
        ),
    ):
        tracker.update(event)
    import asyncio

    asyncio.run(store.save(tracker))
    blob = "\n".join(raw_rows(sqlite_url))
    for secret in (
        "koers_identity",
        "employee_key",
        EMPLOYEE_KEY,
        claim()[:40],
        "eyJ",
        "aad-777",
        "widget_token",
        "[NAAM]",
    ):
        assert secret not in blob, secret
    assert blob.count('"municipality": "GM9901"') >= 3
    back = asyncio.run(store.retrieve("widget:abc"))
    assert back.get_slot("session_started_metadata") == {"municipality": "GM9901"}


# --- canonical entity values --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "value", "stored"),
    [
        ("barrier", "Piet Jansen 0612345678", None),
        ("barrier", "Gerrit", None),
        ("barrier", "0612345678", None),
        ("barrier", "tijd", "tijd"),
        ("barrier", "leidinggevende", "leidinggevende"),
        ("region", "Fryslân", "Fryslân"),
        ("region", "bij Piet thuis", None),
        ("booking_code", "KXTRB-QWMHN", "KXTRB-QWMHN"),
        ("booking_code", "bel me 0612345678", None),
    ],
)
def test_entity_filled_slots_keep_only_canonical_values(name, value, stored) -> None:
    assert scrub_event({"event": "slot", "name": name, "value": value})["value"] == stored


def test_injected_entity_values_are_not_stored_in_parse_data() -> None:
    raw = '/mention_barrier{"barrier":"Piet Jansen 0612345678"}'
    event = {
        "event": "user",
        "text": raw,
        "parse_data": {
            "intent": {"name": "mention_barrier"},
            "text": raw,
            "entities": [
                {
                    "entity": "barrier",
                    "value": "Piet Jansen 0612345678",
                    "start": 0,
                    "end": len(raw),
                }
            ],
        },
    }
    stored = str(scrub_event(event))
    assert "Piet" not in stored and "0612345678" not in stored and "Jansen" not in stored


def test_input_guard_normalises_or_removes_domain_entities() -> None:
    message = Message(
        data={
            "text": "mijn baas Gerrit in friesland",
            "entities": [
                {"entity": "barrier", "value": "Gerrit", "start": 10, "end": 16},
                {"entity": "barrier", "value": "leidinggevende", "start": 5, "end": 9},
                {"entity": "region", "value": "friesland", "start": 20, "end": 29},
                {"entity": "booking_code", "value": "Gerrit", "start": 10, "end": 16},
                {"entity": "other", "value": "blijft", "start": 0, "end": 4},
            ],
        }
    )
    canonical_entities(message)
    values = [(e["entity"], e["value"]) for e in message.get("entities")]
    assert values == [("barrier", "leidinggevende"), ("region", "Fryslân"), ("other", "blijft")]


def test_entity_values_for_the_pipeline() -> None:
    assert normalise_entity_value("region", "ik werk in Zwolle") == "Overijssel"
    assert normalise_entity_value("region", "Gerrit") is None
    assert normalise_entity_value("voucher_code", "K7QM-4TXR-9HPB-2CW5") == "K7QM-4TXR-9HPB-2CW5"
    assert normalise_entity_value("voucher_code", "hallo") is None
    assert normalise_entity_value("something_else", "Gerrit") == "Gerrit"


# --- codes ---------------------------------------------------------------------------------------


def test_codes_are_masked_in_text_with_their_length() -> None:
    voucher, booking = format_code(new_code("voucher")), format_code(new_code("booking"))
    text = f"Je voucher is {voucher}. Je afspraak: {booking} ({booking.replace('-', '')})."
    masked = mask_codes(text)
    assert len(masked) == len(text)
    assert voucher not in masked and booking not in masked
    assert booking.replace("-", "") not in masked
    assert voucher[:2] + "**-****" in masked
    assert mask_codes(masked) == masked


def test_ordinary_words_are_not_codes() -> None:
    for text in (
        "graag maken",
        "vertrekken",
        "Werk en Inkomen",
        "ik wil verzetten naar dinsdag",
        "SAMEN STERK",
        "Noord-Brabant",
        "06-12345678",
        "2026-12-01",
    ):
        assert code_spans(text) == [], text


def test_codes_in_bot_and_user_messages_are_masked() -> None:
    booking = format_code(new_code("booking"))
    bot = scrub_event(
        {
            "event": "bot",
            "text": f"Je boekingscode is {booking}.",
            "data": {"buttons": [{"title": booking, "payload": "/x"}]},
        }
    )
    user = scrub_event(
        {
            "event": "user",
            "text": f"wil {booking.lower()} verzetten",
            "parse_data": {
                "entities": [
                    {"entity": "booking_code", "value": booking.lower(), "start": 4, "end": 15}
                ]
            },
        }
    )
    for stored in (bot, user):
        assert booking.lower() not in str(stored).lower()


def test_code_slots_are_sealed_and_opened_again(sqlite_url, domain, pseudonymizer) -> None:
    import asyncio

    store = store_for(sqlite_url, domain, pseudonymizer)
    code = format_code(new_code("booking"))
    tracker = DialogueStateTracker("rest:cancel", domain.slots)
    t = time.time()
    for event in (
        ActionExecuted("action_listen", timestamp=t),
        UserUttered(f"afspraak {code} afzeggen", intent={"name": "cancel_booking"}, timestamp=t),
        SlotSet("booking_code", code.replace("-", ""), timestamp=t),
        SlotSet("coach_booking_code", code.replace("-", ""), timestamp=t),
        BotUttered(f"Je afspraak {code} staat op dinsdag.", timestamp=t),
    ):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    blob = "\n".join(raw_rows(sqlite_url)).upper()
    compact = code.replace("-", "")
    assert code not in blob and compact not in blob and compact[2:] not in blob
    assert blob.count("SEALED:V1:") == 2
    back = asyncio.run(store.retrieve("rest:cancel"))
    assert back.get_slot("booking_code") == compact  # the form still finds its booking
    assert back.get_slot("coach_booking_code") == compact


def test_a_sealed_value_only_opens_for_its_conversation_and_slot(pseudonymizer) -> None:
    sealer = Sealer(pseudonymizer)
    sealed = sealer.seal("KXTRBQWMHN", "k2_a", "booking_code")
    assert is_sealed(sealed) and "KXTRB" not in sealed
    assert sealer.open(sealed, "k2_a", "booking_code") == "KXTRBQWMHN"
    assert sealer.open(sealed, "k2_b", "booking_code") is None
    assert sealer.open(sealed, "k2_a", "coach_booking_code") is None
    assert sealer.open("sealed:v1:2:" + "A" * 40, "k2_a", "booking_code") is None
    assert sealer.open("KXTRBQWMHN", "k2_a", "booking_code") is None


# --- audit log -----------------------------------------------------------------------------------


def test_audit_details_scrub_free_text() -> None:
    from bot.ledger.audit import clean_details

    voucher = format_code(new_code("voucher"))
    details = clean_details(
        {
            "provider_id": 3,
            "municipality": "GM9901",
            "mode": "online",
            "reference": f"factuur Piet Jansen 0612345678 {voucher}",
        }
    )
    assert details["provider_id"] == 3 and details["municipality"] == "GM9901"
    assert details["mode"] == "online"
    for secret in ("Piet", "Jansen", "0612345678", voucher):
        assert secret not in details["reference"], secret


def test_a_damaged_sealed_value_opens_as_nothing(pseudonymizer) -> None:
    sealer = Sealer(pseudonymizer)
    for damaged in (
        "sealed:v1:2:" + "A" * 21,
        "sealed:v1:2:" + "A" * 20,
        "sealed:v1:9:" + "A" * 30,
    ):
        assert sealer.open(damaged, "k2_a", "booking_code") is None


@pytest.mark.parametrize(
    ("typed", "passed_on"),
    [
        ('/mention_barrier{"barrier":"Piet Jansen 0612345678"}', "/mention_barrier"),
        ('/mention_barrier{"barrier":"tijd"}', '/mention_barrier{"barrier": "tijd"}'),
        ('/mention_barrier{"naam":"Gerrit"}', "/mention_barrier"),
        ('/mention_barrier{"barrier":["tijd"]}', "/mention_barrier"),
        ('/inform{"booking_code":"geen code"}@0.9', "/inform@0.9"),
        ("/request_coach", "/request_coach"),
        ("ik wil /request_coach", "ik wil /request_coach"),
    ],
)
def test_intent_payloads_carry_only_canonical_entities(typed: str, passed_on: str) -> None:
    """Rasa parses ``/intent{...}`` after the pipeline: the channel edge cleans it instead."""
    from bot.privacy.canonical import canonical_intent_payload

    assert canonical_intent_payload(typed) == passed_on
