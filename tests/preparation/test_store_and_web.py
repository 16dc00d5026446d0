"""Sheets behind expiring links, on SQLite and PostgreSQL, served by the real aiohttp app."""

from __future__ import annotations

import dataclasses
import io
from datetime import date, timedelta
from typing import Any

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.preparation.practice import likely_reactions
from bot.preparation.sheet import build_sheet
from bot.preparation.store import (
    TOKEN_BYTES,
    PreparationSheet,
    delete_expired,
    erase_sheets,
    hash_token,
    load_sheet,
    save_sheet,
)
from bot.web.app import init_app
from tests.ledger.support import BACKENDS

pytest_plugins = ["tests.ledger.support"]
pytestmark = pytest.mark.parametrize("database_url", BACKENDS, indirect=True)

EVIL = "<script>document.title='x'</script>"


def _sheet():
    answers = {
        "prep_kind": "jaargesprek",
        "prep_goal": f"Meer leren over data {EVIL}",
        "prep_strengths": ["Plannen"],
        "prep_ask": ["Tijd om te leren"],
    }
    return build_sheet(answers, likely_reactions(None, "jaargesprek", []), today=date.today())


def _save(sessions: sessionmaker, conversation: str = "k1:abc", days: int = 7, **kw: Any):
    with sessions() as session:
        return run_in_transaction(
            session, save_sheet, conversation_id=conversation, sheet=_sheet(), days=days, **kw
        )


def test_token_is_long_random_and_only_its_hash_is_stored(
    database_url: str, sessions: sessionmaker
) -> None:
    stored = _save(sessions)
    assert TOKEN_BYTES * 8 >= 128 and len(stored.token) == 43
    assert _save(sessions).token != stored.token
    with sessions() as session:
        rows = session.scalars(select(PreparationSheet)).all()
        assert {row.token_hash for row in rows} >= {hash_token(stored.token)}
        assert all(stored.token not in row.content for row in rows)
        assert load_sheet(session, stored.token) is not None


def test_expired_sheets_are_gone_and_purged(database_url: str, sessions: sessionmaker) -> None:
    stored = _save(sessions, now=utcnow() - timedelta(days=8))
    with sessions() as session:
        assert load_sheet(session, stored.token) is None
        assert run_in_transaction(session, delete_expired) == 1
        assert session.scalar(select(func.count()).select_from(PreparationSheet)) == 0


def test_erasure_deletes_the_conversations_sheets_only(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    mine, other = _save(sessions, "k1:mine"), _save(sessions, "k1:other")
    assert erase_sheets("k1:mine") == 1
    with sessions() as session:
        assert load_sheet(session, mine.token) is None
        assert load_sheet(session, other.token) is not None


def _client(aiohttp_client: Any, database_url: str) -> Any:
    settings = dataclasses.replace(
        load_settings(), database_url=database_url, ledger_housekeeping_minutes=0
    )
    return aiohttp_client(init_app(settings))


async def test_sheet_page_and_pdf(
    aiohttp_client: Any, database_url: str, sessions: sessionmaker
) -> None:
    stored = _save(sessions)
    client = await _client(aiohttp_client, database_url)
    response = await client.get(f"/voorbereiding/{stored.token}")
    assert response.status == 200
    page = await response.text()
    assert "Mijn voorbereiding op het gesprek" in page and "Meer leren over data" in page
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    pdf = await client.get(f"/voorbereiding/{stored.token}.pdf")
    assert pdf.status == 200 and pdf.content_type == "application/pdf"
    text = PdfReader(io.BytesIO(await pdf.read())).pages[0].extract_text()
    assert "Meer leren over data" in " ".join(text.split())


@pytest.mark.parametrize(
    "path",
    [
        "/voorbereiding/" + "A" * 43,  # well-formed, unknown
        "/voorbereiding/" + "A" * 43 + ".pdf",
        "/voorbereiding/kort",  # malformed
        "/voorbereiding/%00%ff%fe",
        "/voorbereiding/' OR 1=1 --",
        "/voorbereiding/" + "x" * 5000,
        "/voorbereiding/",
        "/voorbereiding/..%2F..%2Fetc%2Fpasswd",
    ],
)
async def test_unknown_or_malformed_links_get_the_same_dutch_404(
    aiohttp_client: Any, database_url: str, path: str
) -> None:
    client = await _client(aiohttp_client, database_url)
    response = await client.get(path)
    assert response.status == 404
    body = await response.text()
    assert "niet (meer)" in body and 'lang="nl"' in body
    assert "Traceback" not in body and "sqlalchemy" not in body.lower()


async def test_expired_link_gets_404(
    aiohttp_client: Any, database_url: str, sessions: sessionmaker
) -> None:
    stored = _save(sessions, now=utcnow() - timedelta(days=7, seconds=1))
    client = await _client(aiohttp_client, database_url)
    for suffix in ("", ".pdf"):
        response = await client.get(f"/voorbereiding/{stored.token}{suffix}")
        assert response.status == 404


async def test_sheet_page_names_the_party_and_keeps_private_parts_off(
    aiohttp_client: Any, database_url: str, sessions: sessionmaker
) -> None:
    answers = {
        "prep_kind": "reorganisatie",
        "prep_goal": "Weten waar ik terecht kan",
        "prep_worry": "dat ik mijn baan kwijtraak",
    }
    reactions = likely_reactions(None, "reorganisatie", [], answers["prep_worry"], "P&O-adviseur")
    sheet = build_sheet(
        answers, reactions, ["Ik wil graag blijven."], today=date.today(), party="P&O-adviseur"
    )
    with sessions() as session:
        stored = run_in_transaction(
            session, save_sheet, conversation_id="k1:party", sheet=sheet, days=3
        )
    client = await _client(aiohttp_client, database_url)
    page = await (await client.get(f"/voorbereiding/{stored.token}")).text()
    assert "Je P&amp;O-adviseur ziet" in page and "Mijn P&amp;O-adviseur zegt" not in page
    assert "baan kwijtraak" not in page and "Ik wil graag blijven" not in page
    assert "Je wilt zeker weg" not in page
    pdf = await client.get(f"/voorbereiding/{stored.token}.pdf")
    text = " ".join(PdfReader(io.BytesIO(await pdf.read())).pages[0].extract_text().split())
    assert "P&O-adviseur" in text and "baan kwijtraak" not in text
