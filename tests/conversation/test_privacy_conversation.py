"""Nothing that identifies an employee is stored or logged: checked end to end, on the
SQLite file and on PostgreSQL, over the REST webhook against real servers."""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from .conftest import Chat, KoersServers, pseudonym, running_servers

POSTGRES_URL = os.environ.get(
    "KOERS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

PII_MESSAGES = {
    "name": "Mijn leidinggevende Fatima El Amrani denkt dat ik weg wil",
    "email": "mail me maar op j.devries1974@gemeente-voorbeeld.nl",
    "phone": "bel me op 06-12345678 of +31 20 123 4567",
    "bsn": "mijn bsn is 111222333",
    "iban": "mijn rekening is NL91ABNA0417164300",
    "address": "ik woon op Kerkstraat 12, 1234 AB Voorbeeldstad",
    # names at the start of a sentence, no context word (Frisian, Turkish, Moroccan,
    # Surinamese, Antillean, Polish; issue 14)
    "frisian": "Wytse Hiemstra van de buitendienst raadde me deze scan aan",
    "turkish_moroccan": "Batuhan Korkmaz en Ouassima Azzouzi willen ook een coach",
    "sur_ant_pol": "Marjorie Wijngaarde zei dat Shurandy Rosaria en Grzegorz Lewandowski meedoen",
}
PII_STRINGS = [
    "Fatima",
    "El Amrani",
    "j.devries1974",
    "gemeente-voorbeeld.nl",
    "12345678",
    "123 4567",
    "111222333",
    "NL91ABNA0417164300",
    "0417164300",
    "Kerkstraat 12",
    "1234 AB",
    "Wytse",
    "Hiemstra",
    "Batuhan",
    "Korkmaz",
    "Ouassima",
    "Azzouzi",
    "Marjorie",
    "Wijngaarde",
    "Shurandy",
    "Rosaria",
    "Grzegorz",
    "Lewandowski",
]


async def talk_full_of_pii(servers: KoersServers) -> Chat:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        chat = Chat(session, servers)
        chat.sender = f"medewerker-{uuid.uuid4().hex}@intranet"
        await chat.say("hoi")
        for message in PII_MESSAGES.values():
            replies = await chat.say(message)
            assert replies, message
        await chat.say("ik wil de scan doen")
        await chat.say("best wel")
    return chat


def assert_no_pii(text: str, where: str) -> None:
    found = [pii for pii in PII_STRINGS if pii.lower() in text.lower()]
    assert not found, f"personal data in {where}: {found}"


async def test_sqlite_file_and_logs_hold_no_personal_data(koers_servers: KoersServers) -> None:
    chat = await talk_full_of_pii(koers_servers)
    database = Path(koers_servers.tracker_db_url.removeprefix("sqlite:///"))
    with sqlite3.connect(database) as db:
        db.execute("PRAGMA wal_checkpoint(FULL)")
        senders = {row[0] for row in db.execute("SELECT DISTINCT sender_id FROM events")}
        stored = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (pseudonym(chat.sender),)
        ).fetchone()[0]
    assert stored > 0
    assert chat.sender not in senders
    raw = database.read_bytes().decode("utf-8", errors="replace")
    assert_no_pii(raw, "the SQLite file")
    assert chat.sender not in raw
    assert_no_pii(koers_servers.logs(), "the server logs")
    assert chat.sender not in koers_servers.logs()


@pytest.fixture(scope="module")
def postgres_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KoersServers]:
    schema = f"koers_e2e_{uuid.uuid4().hex[:8]}"
    try:
        engine = sa.create_engine(POSTGRES_URL, future=True)
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    except sa.exc.OperationalError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    url = f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        with running_servers(tmp_path_factory.mktemp("pg_servers"), url) as servers:
            yield servers
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


async def test_postgres_tables_and_logs_hold_no_personal_data(
    postgres_servers: KoersServers,
) -> None:
    chat = await talk_full_of_pii(postgres_servers)
    engine = sa.create_engine(postgres_servers.tracker_db_url, future=True)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT sender_id, data FROM events")).all()
    finally:
        engine.dispose()
    assert any(row.sender_id == pseudonym(chat.sender) for row in rows)
    dump = "\n".join(f"{row.sender_id} {row.data}" for row in rows)
    assert_no_pii(dump, "the PostgreSQL events table")
    assert chat.sender not in dump
    assert_no_pii(postgres_servers.logs(), "the server logs")


async def test_erasure_deletes_the_whole_conversation(chat: Chat, koers_servers) -> None:
    await chat.say("ik wil de scan doen")
    await chat.say("4")
    replies = await chat.say("verwijder al mijn gegevens")
    assert "Dit kun je niet ongedaan maken" in Chat.text_of(replies)
    replies = await chat.say("ja")
    confirmation = Chat.text_of(replies)
    assert "Ik heb dit gewist" in confirmation
    assert "je antwoorden uit de talentscan" in confirmation

    database = koers_servers.tracker_db_url.removeprefix("sqlite:///")
    with sqlite3.connect(database) as db:
        left = db.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (pseudonym(chat.sender),)
        ).fetchone()[0]
    assert left == 0

    # The next message starts a fresh conversation: no scan to resume.
    replies = await chat.say("terug")
    assert "nog geen vraag" in Chat.text_of(replies)


async def test_erasure_can_be_cancelled(chat: Chat) -> None:
    await chat.say("wis dit gesprek")
    replies = await chat.say("nee")
    assert "ik wis niets" in Chat.text_of(replies)
