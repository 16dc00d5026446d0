"""Slots holding Koers's own state survive storage; every domain slot is classified."""

from __future__ import annotations

from pathlib import Path

import yaml

from bot.privacy.scrubber import PERSONAL_SLOTS, SYSTEM_SLOTS, scrub_event

ROOT = Path(__file__).resolve().parents[2]


def test_every_domain_slot_is_either_system_state_or_personal() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    unclassified = set(domain["slots"]) - SYSTEM_SLOTS - set(PERSONAL_SLOTS)
    assert not unclassified, f"decide how these slots are stored: {unclassified}"


def test_booking_code_slot_is_stored_as_it_is() -> None:
    # Capitalised random codes can look like names to NER; the slot must keep the code.
    # (The tracker store then seals it: tests/privacy/test_storage_boundaries.py.)
    for code in ("KXTRB-QWMHN", "PETRA-DEVRS", "kxtrbqwmhn"):
        event = {"event": "slot", "name": "coach_booking_code", "value": code}
        assert scrub_event(event)["value"] == code


def test_booking_code_slot_with_typed_text_is_dropped() -> None:
    # Not a code of the right shape: what the employee typed, never stored (issue 14).
    for typed in ("Jansen-Bakker", "mijn code is kwijt, bel 0612345678", "KXTRB-QWMH"):
        event = {"event": "slot", "name": "booking_code", "value": typed}
        assert scrub_event(event)["value"] is None


def test_other_slots_are_still_scrubbed() -> None:
    event = {"event": "slot", "name": "notitie", "value": "mail j.jansen@example.nl"}
    assert "j.jansen@example.nl" not in str(scrub_event(event)["value"])
