"""Attacks on what Koers stores (issue 14), against the real Rasa server and action server.

Each test is one threat; it reads the tracker database file directly after a conversation,
as someone with a copy of the database would (docs/security.md: threat, defence, test).
"""

from __future__ import annotations

import json
import re
import sqlite3
import uuid
from pathlib import Path

from bot.conversation.barriers import BARRIERS
from bot.ledger.catalog import REGIONS
from bot.privacy.pseudonym import build_pseudonymizer
from tests.conversation.conftest import (
    TEST_PSEUDONYM_SECRET,
    Chat,
    KoersServers,
    identity_metadata,
    widget_token,
)

SYMBOL = "[2-9A-HJKMNP-Z]"
VOUCHER_CODE = re.compile(rf"\b{SYMBOL}{{4}}-{SYMBOL}{{4}}-{SYMBOL}{{4}}-{SYMBOL}{{4}}\b")
BOOKING_CODE = re.compile(rf"\b{SYMBOL}{{5}}-{SYMBOL}{{5}}\b")
#: The header of every HS256 token PyJWT writes: a stored widget token or identity claim.
JWT_HEADER = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"


def booking_code_in_clear(value: object) -> bool:
    compact = re.sub(r"[-\s]", "", value).upper() if isinstance(value, str) else ""
    return re.fullmatch(f"{SYMBOL}{{10}}", compact) is not None


def stored_bytes(servers: KoersServers) -> str:
    """The whole tracker database file, as text (WAL checkpointed first)."""
    database = Path(servers.tracker_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
    return database.read_bytes().decode("utf-8", errors="replace")


def stored_events(servers: KoersServers) -> list[dict]:
    database = Path(servers.tracker_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(database) as db:
        return [json.loads(row[0]) for row in db.execute("SELECT data FROM events")]


def employee_key_of(subject: str) -> str:
    """The employee key the servers derive for ``subject`` (see bot.channels.identity)."""
    from bot.channels.identity import employee_keys

    return employee_keys(subject, build_pseudonymizer(TEST_PSEUDONYM_SECRET)).current


async def test_identity_claim_and_employee_key_are_never_stored(
    chat: Chat, koers_servers: KoersServers
) -> None:
    """Threat: the tracker store links every conversation to a person (issue 14, case 3)."""
    subject = f"oid-{uuid.uuid4()}"
    metadata = identity_metadata("GM9901", subject)
    await chat.say("hoi", metadata)
    await chat.say("ik wil een voucher aanvragen", metadata)
    # A client forging identity keys in plain REST metadata.
    forged_key = "k1_" + uuid.uuid4().hex
    forged = {
        "municipality": "GM9901",
        "employee_key": forged_key,
        "employee_keys": [forged_key],
        "koers_identity": forged_key,
    }
    sender = f"test-{uuid.uuid4().hex}"
    for text in ("hoi", "wat is koers?"):
        body = {"sender": sender, "message": text, "metadata": forged}
        async with chat.session.post(koers_servers.webhook, json=body) as response:
            await response.read()  # refused or answered: either way nothing may be stored

    raw = stored_bytes(koers_servers)
    for secret in (
        "koers_identity",
        "employee_key",
        "widget_token",
        JWT_HEADER,
        employee_key_of(subject),
        forged_key,
        subject,
    ):
        assert secret not in raw, f"{secret[:20]}... is in the tracker database"
    metadata_slots = [
        e.get("value")
        for e in stored_events(koers_servers)
        if e.get("event") == "slot" and e.get("name") == "session_started_metadata"
    ]
    assert metadata_slots, "no session metadata stored at all"
    for value in metadata_slots:
        assert value is None or set(value) <= {"municipality"}, value
        assert value is None or value.get("municipality", "GM0000") != "[NAAM]", value


async def test_entity_injection_stores_nothing_raw(chat: Chat, koers_servers: KoersServers) -> None:
    """Threat: personal data stored verbatim through entity-filled "system" slots (case 4)."""
    await chat.say("hoi")
    await chat.say('/mention_barrier{"barrier":"Piet Jansen 0612345678"}')
    await chat.say('/mention_barrier{"region":"Joke Bakker-Smit 0687654321"}')
    await chat.say("mijn baas Gerrit vindt al dat loopbaangedoe maar onzin")
    await chat.say("mijn probleem is 0698765432")

    raw = stored_bytes(koers_servers)
    for secret in (
        "Piet",
        "Jansen",
        "0612345678",
        "Joke",
        "Bakker-Smit",
        "0687654321",
        "Gerrit",
        "0698765432",
    ):
        assert secret not in raw, f"{secret} is in the tracker database"
    for event in stored_events(koers_servers):
        if event.get("event") != "slot" or event.get("value") is None:
            continue
        name, value = event.get("name"), event.get("value")
        if name == "barrier":
            assert value in BARRIERS, value
        if name == "region":
            assert value in REGIONS, value
        if name in {"booking_code", "coach_booking_code"}:
            assert not booking_code_in_clear(value), "a booking code in clear"


async def test_codes_shown_to_the_employee_are_not_readable_from_the_store(
    chat: Chat, koers_servers: KoersServers
) -> None:
    """Threat: voucher and booking codes read from the database and redeemed or cancelled
    by someone else (case 9)."""
    booker = Chat(chat.session, koers_servers)
    await booker.say("ik wil graag een gesprek met een loopbaancoach")
    await booker.say("Gelderland")
    await booker.say("online")
    await booker.say("maakt niet uit")
    replies = Chat.text_of(await booker.say("1"))
    replies += Chat.text_of(await booker.say("ja"))
    replies += Chat.text_of(await booker.say("nee"))
    booking = BOOKING_CODE.search(replies)
    assert booking, replies
    # The cancel form keeps the code from one turn to the next: it must still work.
    await booker.say(f"ik wil mijn afspraak {booking.group()} afzeggen")
    assert "afgezegd" in Chat.text_of(await booker.say("ja"))
    assert_not_readable(booking.group(), stored_bytes(koers_servers))

    subject = f"oid-{uuid.uuid4()}"
    metadata = {"widget_token": widget_token("GM9901", subject)}
    voucher_reply = Chat.text_of(await chat.say("ik wil een voucher aanvragen", metadata))
    voucher = VOUCHER_CODE.search(voucher_reply)
    assert voucher, voucher_reply
    assert_not_readable(voucher.group(), stored_bytes(koers_servers))


def assert_not_readable(code: str, raw: str) -> None:
    compact = code.replace("-", "")
    for form in (code, compact, compact[2:], code[5:]):
        assert form not in raw.upper(), f"{form} (from {code}) is readable in the database"


SENTENCE_INITIAL_NAMES = {
    "Frisian": "Wytse Hiemstra van de buitendienst raadde me deze scan aan",
    "Moroccan": "Ouassima Azzouzi werkt ook bij Burgerzaken en wil weg",
    "Turkish": "Batuhan Korkmaz twijfelt of ik moet blijven",
    "Surinamese": "Marjorie Wijngaarde wil ook weten wat zij waard is",
    "Antillean": "Shurandy Rosaria wil ook een afspraak met een coach",
    "Polish": "Grzegorz Lewandowski wil graag met pensioen",
}
NAME_PARTS = [
    "Wytse",
    "Hiemstra",
    "Ouassima",
    "Azzouzi",
    "Batuhan",
    "Korkmaz",
    "Marjorie",
    "Wijngaarde",
    "Shurandy",
    "Rosaria",
    "Grzegorz",
    "Lewandowski",
]


async def test_sentence_initial_names_of_six_origins_are_not_stored(
    chat: Chat, koers_servers: KoersServers
) -> None:
    """Threat: a name without a context word ("Wytse Hiemstra van de buitendienst ...") is
    stored verbatim (issue 14, hidden PII messages)."""
    await chat.say("hoi")
    for message in SENTENCE_INITIAL_NAMES.values():
        assert await chat.say(message), message
    raw = stored_bytes(koers_servers)
    leaked = [name for name in NAME_PARTS if name in raw]
    assert not leaked, f"names in the tracker database: {leaked}"
    assert "[NAAM]" in raw
