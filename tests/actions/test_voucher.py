"""Asking for a voucher and its status through the actions (real database, signed claims)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from actions import voucher
from bot.channels.identity import (
    CHANNEL_TEAMS,
    CHANNEL_WIDGET,
    METADATA_IDENTITY,
    EmployeeKeys,
    employee_keys,
    sign_identity,
)
from bot.ledger.codes import format_code, new_code
from bot.ledger.models import Voucher
from bot.privacy.pseudonym import build_pseudonymizer
from tests.ledger.dialogue import Conversation, load_domain, texts
from tests.ledger.support import BACKENDS, basic_data, load

pytest_plugins = ["tests.ledger.support"]

IDENTITY_SECRET = "koers-test-identity-secret-0123456789abcdef"
PSEUDONYMS = build_pseudonymizer("koers-test-pseudonym-secret-0123456789abcdef")
ACTIONS = {
    action.name(): action
    for action in (
        voucher.ActionRequestVoucher(),
        voucher.ActionVoucherStatus(),
        voucher.ActionShowWorkshops(),
    )
}


def claim(
    subject: str = "employee-1",
    municipality: str = "GM9901",
    channel: str = CHANNEL_WIDGET,
    *,
    keys: EmployeeKeys | None = None,
    secret: str = IDENTITY_SECRET,
    now: int | None = None,
) -> dict[str, str]:
    """Message metadata as a channel makes it: the plain code and a signed identity claim."""
    signed = sign_identity(
        municipality, keys or employee_keys(subject, PSEUDONYMS), channel, secret, now=now
    )
    return {"municipality": municipality, METADATA_IDENTITY: signed}


@pytest.fixture
def ledger(
    database_url: str, sessions: sessionmaker, monkeypatch: pytest.MonkeyPatch
) -> Iterator[sessionmaker]:
    load(sessions, basic_data(budget_vouchers=2))
    monkeypatch.setenv("KOERS_DATABASE_URL", database_url)
    monkeypatch.setenv("KOERS_IDENTITY_SECRET", IDENTITY_SECRET)
    voucher.CODE_TRIES.clear()
    yield sessions
    voucher.CODE_TRIES.clear()


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


def count(sessions: sessionmaker) -> int:
    with sessions() as session:
        return session.execute(select(func.count(Voucher.id))).scalar_one()


def test_actions_are_in_the_proposed_domain() -> None:
    domain = load_domain()
    assert set(ACTIONS) <= set(domain["actions"])
    assert "check_voucher_status" in domain["intents"]


async def test_without_identity_the_employee_learns_how(ledger: sessionmaker) -> None:
    said = await say("ik wil een voucher", "request_voucher")
    assert "intranet" in said and "P&O" in said
    assert count(ledger) == 0


async def test_voucher_is_issued_once_and_shown_again(ledger: sessionmaker) -> None:
    first = await say("mag ik een voucher", "request_voucher", claim())
    assert "Je voucher is klaar" in first and "375 euro" in first
    assert "Workshop: Je talenten ontdekken" in first and "loopbaancoach" in first
    again = await say("ik wil een voucher", "request_voucher", claim())
    with ledger() as session:
        stored = session.execute(select(Voucher)).scalar_one()
    assert format_code(stored.code) in first and format_code(stored.code) in again
    assert "al een voucher" in again
    assert stored.employee_key == employee_keys("employee-1", PSEUDONYMS).current
    assert stored.employee_key not in first + again


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_retried_and_parallel_requests_give_one_voucher(ledger: sessionmaker) -> None:
    replies = await asyncio.gather(*[say("voucher", "request_voucher", claim()) for _ in range(10)])
    with ledger() as session:
        code = session.execute(select(Voucher.code)).scalar_one()
    assert all(format_code(code) in reply for reply in replies)
    assert sum("Je voucher is klaar" in reply for reply in replies) == 1


@pytest.mark.parametrize(
    "metadata, expected",
    [
        (lambda: claim(municipality="GM0000"), "doet op dit moment niet"),
        (lambda: claim(municipality="GM9903"), "doet op dit moment niet"),
        (lambda: {"municipality": "GM9901"}, "intranet"),
    ],
    ids=["unknown", "not-participating", "no-claim"],
)
async def test_refusals(ledger: sessionmaker, metadata: Callable[[], dict], expected: str) -> None:
    assert expected in await say("voucher", "request_voucher", metadata())
    assert count(ledger) == 0


@pytest.mark.parametrize(
    "metadata",
    [
        lambda: {"municipality": "GM9901", "employee_key": "emp-00000001"},
        lambda: {"municipality": "GM9902", "employee_key": "anything"},
        lambda: {"municipality": "GM9901", METADATA_IDENTITY: "not.a.token"},
        lambda: claim(secret="another-secret-that-is-long-enough-0123456789"),
        lambda: claim(now=int(time.time()) - 3600),
        lambda: {"municipality": "GM9901", METADATA_IDENTITY: claim()[METADATA_IDENTITY] + "x"},
    ],
    ids=["plain-keys", "forged-gm9902", "garbage", "other-secret", "expired", "tampered"],
)
async def test_unverified_identities_never_get_a_voucher(
    ledger: sessionmaker, metadata: Callable[[], dict]
) -> None:
    forged = {"employee_key": "emp-00000001", **metadata()}  # plain keys prove nothing
    said = await say("ik wil een voucher", "request_voucher", forged)
    assert "intranet" in said and "Je voucher is klaar" not in said
    assert count(ledger) == 0


async def test_widget_and_teams_claims_of_one_subject_share_one_voucher(
    ledger: sessionmaker,
) -> None:
    first = await say("voucher", "request_voucher", claim("ABCD-oid", channel=CHANNEL_WIDGET))
    again = await say("voucher", "request_voucher", claim("abcd-OID ", channel=CHANNEL_TEAMS))
    assert "Je voucher is klaar" in first and "al een voucher" in again
    assert count(ledger) == 1


async def test_a_key_rotation_keeps_one_voucher(ledger: sessionmaker) -> None:
    old = build_pseudonymizer("koers-test-pseudonym-secret-0123456789abcdef", 1)
    rotated = build_pseudonymizer(
        "koers-test-rotated-secret-0123456789abcdef",
        2,
        "koers-test-pseudonym-secret-0123456789abcdef",
    )
    before = employee_keys("employee-9", old)
    after = employee_keys("employee-9", rotated)
    assert after.previous == before.current and after.current.startswith("k2_")
    first = await say("voucher", "request_voucher", claim(keys=before))
    again = await say("voucher", "request_voucher", claim(keys=after))
    assert "Je voucher is klaar" in first and "al een voucher" in again
    assert count(ledger) == 1
    own = await say("hoe staat het met mijn voucher", "check_voucher_status", claim(keys=after))
    assert "nog niet gebruikt" in own


async def test_status_is_only_for_the_owner(ledger: sessionmaker) -> None:
    await say("voucher", "request_voucher", claim())
    with ledger() as session:
        code = session.execute(select(Voucher.code)).scalar_one()
    grouped = format_code(code)
    # the owner: with or without the code, they see their voucher and its code again
    own = await say("hoe staat het met mijn voucher", "check_voucher_status", claim())
    assert grouped in own and "nog niet gebruikt" in own
    typed = await say(f"status van {grouped}", "check_voucher_status", claim())
    assert grouped in typed and "nog niet gebruikt" in typed and "zoek geen codes" not in typed
    entities = [{"entity": "voucher_code", "value": grouped.lower()}]
    by_entity = await say("status?", "check_voucher_status", claim(), entities=entities)
    assert "nog niet gebruikt" in by_entity
    # anonymous: nothing is looked up, a real code and a random one get the same answer
    anonymous_real = await say(f"status {grouped}", "check_voucher_status")
    anonymous_random = await say(f"status {format_code(new_code())}", "check_voucher_status")
    assert anonymous_real == anonymous_random and grouped not in anonymous_real
    assert "intranet" in anonymous_real
    voucher.CODE_TRIES.clear()  # a new conversation's worth of tries
    # someone else: their code, an unknown code and a typo of it are answered the same way
    other = claim("employee-2")
    typo = code[:-1] + ("2" if code[-1] != "2" else "3")
    answers = {
        await say(f"status {raw}", "check_voucher_status", other)
        for raw in (grouped, format_code(new_code()), format_code(typo))
    }
    assert len(answers) == 1
    (answer,) = answers
    assert grouped not in answer and "nog geen voucher" in answer and "typfout" not in answer
    voucher.CODE_TRIES.clear()
    assert "0, 1, I, L of O" in await say("status van K7QM-4TXR-9HPB-2CW0", "check_voucher_status")


async def test_code_tries_are_limited_per_conversation(ledger: sessionmaker) -> None:
    for _ in range(voucher.CODE_TRIES_PER_HOUR):
        said = await say(f"status {format_code(new_code())}", "check_voucher_status")
        assert "vaak" not in said
    limited = await say(f"status {format_code(new_code())}", "check_voucher_status", claim())
    assert "Probeer het over een uur opnieuw" in limited
    # asking for your own voucher without a code is not a try
    assert "nog geen voucher" in await say("mijn voucher?", "check_voucher_status", claim())


async def test_workshops_with_dates(ledger: sessionmaker) -> None:
    said = await say("welke workshops zijn er", "ask_workshops", action="action_show_workshops")
    assert "Eerstvolgende keer" in said and "Nog geen datum bekend" in said


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("als ik na het gesprek een cursus wil, hoe vraag ik die voucher van 375 euro aan?", True),
        ("hoe krijg ik een voucher?", True),
        ("ik wil een voucher", False),
        ("/request_voucher", False),
        ("voucher aanvragen", False),
    ],
)
def test_a_how_question_issues_no_voucher(text: str, how: bool) -> None:
    from actions.voucher import asks_how_to_get_one

    assert asks_how_to_get_one(text) is how
