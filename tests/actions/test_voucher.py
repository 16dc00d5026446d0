"""Asking for a voucher and its status through the actions (real database)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions import voucher
from bot.ledger.codes import format_code, new_code
from bot.ledger.models import Voucher
from tests.ledger.dialogue import Conversation, load_domain, texts
from tests.ledger.support import BACKENDS, basic_data, load

pytest_plugins = ["tests.ledger.support"]

ACTIONS = {
    action.name(): action
    for action in (
        voucher.ActionRequestVoucher(),
        voucher.ActionVoucherStatus(),
        voucher.ActionShowWorkshops(),
    )
}
EMPLOYEE = {"municipality": "GM9901", "employee_key": "emp-00000001"}


@pytest.fixture
def ledger(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    load(sessions, basic_data(budget_vouchers=2))
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    yield sessions


async def say(
    text: str,
    intent: str,
    metadata: dict | None = None,
    entities: list[dict] | None = None,
    action: str = "",
) -> str:
    chat = Conversation(ACTIONS, metadata=metadata)
    chat.user(text, intent, entities)
    name = (
        action
        or {
            "request_voucher": "action_request_voucher",
            "check_voucher_status": "action_voucher_status",
        }[intent]
    )
    return texts(await chat.run(name))


def test_actions_are_in_the_proposed_domain() -> None:
    domain = load_domain()
    assert set(ACTIONS) <= set(domain["actions"])
    assert "check_voucher_status" in domain["intents"]


async def test_without_identity_the_employee_learns_how(ledger: sessionmaker) -> None:
    said = await say("ik wil een voucher", "request_voucher")
    assert "intranet" in said and "P&O" in said
    with ledger() as session:
        assert session.execute(select(func.count(Voucher.id))).scalar_one() == 0


async def test_voucher_is_issued_once_and_shown_again(ledger: sessionmaker) -> None:
    first = await say("mag ik een voucher", "request_voucher", EMPLOYEE)
    assert "Je voucher is klaar" in first and "375 euro" in first
    assert "Workshop: Je talenten ontdekken" in first and "loopbaancoach" in first
    again = await say("ik wil een voucher", "request_voucher", EMPLOYEE)
    with ledger() as session:
        stored = session.execute(select(Voucher)).scalar_one()
    assert format_code(stored.code) in first and format_code(stored.code) in again
    assert "al een voucher" in again
    assert "emp-00000001" not in first + again


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_retried_and_parallel_requests_give_one_voucher(ledger: sessionmaker) -> None:
    replies = await asyncio.gather(
        *[say("voucher", "request_voucher", EMPLOYEE) for _ in range(10)]
    )
    with ledger() as session:
        code = session.execute(select(Voucher.code)).scalar_one()
    assert all(format_code(code) in reply for reply in replies)
    assert sum("Je voucher is klaar" in reply for reply in replies) == 1


@pytest.mark.parametrize(
    "metadata, expected",
    [
        ({"municipality": "GM0000", "employee_key": "emp-00000001"}, "doet op dit moment niet"),
        ({"municipality": "GM9903", "employee_key": "emp-00000001"}, "doet op dit moment niet"),
        ({"municipality": "GM9901", "employee_key": "x"}, "lukt nu niet"),
        ({"municipality": "GM9901"}, "intranet"),
    ],
)
async def test_refusals(ledger: sessionmaker, metadata: dict, expected: str) -> None:
    assert expected in await say("voucher", "request_voucher", metadata)


async def test_budget_exhausted(ledger: sessionmaker) -> None:
    for number in range(2):
        await say(
            "voucher",
            "request_voucher",
            {"municipality": "GM9901", "employee_key": f"emp-{number:08d}"},
        )
    said = await say(
        "voucher", "request_voucher", {"municipality": "GM9901", "employee_key": "emp-99999999"}
    )
    assert "is op voor dit jaar" in said


async def test_status_by_code_typo_and_unknown(ledger: sessionmaker) -> None:
    await say("voucher", "request_voucher", EMPLOYEE)
    with ledger() as session:
        code = session.execute(select(Voucher.code)).scalar_one()
    grouped = format_code(code)
    said = await say(f"wat is de status van mijn voucher {grouped}", "check_voucher_status")
    assert "nog niet gebruikt" in said and grouped in said
    by_entity = await say(
        "status?",
        "check_voucher_status",
        entities=[{"entity": "voucher_code", "value": grouped.lower()}],
    )
    assert "nog niet gebruikt" in by_entity
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert "typfout" in await say(f"status {format_code(typo)}", "check_voucher_status")
    assert "ken geen voucher" in await say(
        f"status {format_code(new_code())}", "check_voucher_status"
    )
    assert "16 tekens" in await say("status van K7QM-4TXR", "check_voucher_status")
    assert "0, 1, I, L of O" in await say("status van K7QM-4TXR-9HPB-2CW0", "check_voucher_status")
    assert "Wat is de code" in await say("hoe staat het met mijn voucher", "check_voucher_status")
    own = await say("hoe staat het met mijn voucher", "check_voucher_status", EMPLOYEE)
    assert grouped in own and "nog niet gebruikt" in own


async def test_workshops_with_dates(ledger: sessionmaker) -> None:
    said = await say("welke workshops zijn er", "ask_workshops", action="action_show_workshops")
    assert "Eerstvolgende keer" in said and "Nog geen datum bekend" in said
