"""Attacks on the vouchers (issue 14, threats 5 and 9): two vouchers, and reading codes.

Against the real action server (with its secret, as the Rasa server calls it) and over the
real REST webhook; docs/security.md lists threat, defence and test.
"""

from __future__ import annotations

import uuid

import aiohttp
import pytest

from bot.channels.identity import CHANNEL_TEAMS, CHANNEL_WIDGET, employee_keys
from bot.ledger import texts
from bot.ledger.codes import format_code, new_code
from bot.privacy.pseudonym import build_pseudonymizer
from tests.conversation.conftest import (
    TEST_PSEUDONYM_SECRET,
    Chat,
    KoersServers,
    identity_metadata,
)

from .action_calls import action_call, post_action, reply_text, signed_claim, vouchers

CODE_TRIES_PER_HOUR = 5


@pytest.fixture
async def http() -> aiohttp.ClientSession:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


async def ask_voucher(
    http: aiohttp.ClientSession, servers: KoersServers, metadata: dict[str, str]
) -> str:
    status, payload = await post_action(
        http, servers, action_call("action_request_voucher", metadata)
    )
    assert status == 200, payload
    return reply_text(payload)


async def test_one_subject_via_widget_and_teams_gets_one_voucher(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """Threat: the widget key and the Teams key of one person differ, so two vouchers."""
    subject = str(uuid.uuid4())
    before = vouchers(koers_servers, "GM9901")
    widget = await ask_voucher(
        http, koers_servers, signed_claim("GM9901", subject.upper(), CHANNEL_WIDGET)
    )
    teams = await ask_voucher(http, koers_servers, signed_claim("GM9901", subject, CHANNEL_TEAMS))
    assert "Je voucher is klaar!" in widget and "al een voucher" in teams
    added = vouchers(koers_servers, "GM9901")[len(before) :]
    assert len(added) == 1 and format_code(added[0][0]) in teams


async def test_a_pseudonym_key_rotation_gives_no_second_voucher(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """Threat: rotating the pseudonym secret gives every employee a new key, and a voucher."""
    subject = str(uuid.uuid4())
    old = employee_keys(subject, build_pseudonymizer(TEST_PSEUDONYM_SECRET, 1))
    rotated = employee_keys(
        subject,
        build_pseudonymizer(
            "koers-test-rotated-pseudonym-secret-0123456789", 2, TEST_PSEUDONYM_SECRET
        ),
    )
    assert rotated.current != old.current and rotated.previous == old.current
    before = vouchers(koers_servers, "GM9901")
    first = await ask_voucher(http, koers_servers, signed_claim("GM9901", subject, keys=old))
    again = await ask_voucher(http, koers_servers, signed_claim("GM9901", subject, keys=rotated))
    assert "Je voucher is klaar!" in first and "al een voucher" in again
    added = vouchers(koers_servers, "GM9901")[len(before) :]
    assert len(added) == 1 and added[0][1] == old.current  # stored under its key version
    assert format_code(added[0][0]) in again


async def test_code_guessing_over_rest_is_limited_and_confirms_nothing(
    koers_servers: KoersServers, http: aiohttp.ClientSession, chat: Chat
) -> None:
    """Threat: anonymous REST asks the status of codes, unlimited, and learns which exist."""
    owner = await ask_voucher(http, koers_servers, signed_claim("GM9901", str(uuid.uuid4())))
    assert "Je voucher is klaar!" in owner
    real = format_code(vouchers(koers_servers, "GM9901")[-1][0])
    typo = real[:-1] + ("2" if real[-1] != "2" else "3")
    answers = {}
    for code in (real, format_code(new_code()), typo, real, format_code(new_code())):
        replies = Chat.text_of(await chat.say(f"wat is de status van mijn voucher {code}"))
        answers.setdefault(replies.replace(code, "<code>"), []).append(code)
        assert "nog niet gebruikt" not in replies and "typfout" not in replies, replies
        assert real not in replies
    assert len(answers) == 1, answers  # a real code, a typo and a random one: one answer
    limited = Chat.text_of(await chat.say(f"wat is de status van mijn voucher {real}"))
    assert texts.TOO_MANY_CODE_TRIES in limited and real not in limited


async def test_only_the_owner_sees_a_voucher_and_its_code_over_rest(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """Threat: someone else (with their own identity) reads a voucher by its code."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        owner, other = Chat(session, koers_servers), Chat(session, koers_servers)
        mine = identity_metadata("GM9901", str(uuid.uuid4()))
        issued = Chat.text_of(await owner.say("ik wil een voucher aanvragen", mine))
        assert "Je voucher is klaar!" in issued, issued
        code = format_code(vouchers(koers_servers, "GM9901")[-1][0])
        own = Chat.text_of(await owner.say("wat is de status van mijn voucher?", mine))
        assert code in own and "nog niet gebruikt" in own, own  # shown again to the owner
        theirs = identity_metadata("GM9901", str(uuid.uuid4()))
        by_code = Chat.text_of(await other.say(f"wat is de status van mijn voucher {code}", theirs))
        unknown = format_code(new_code())
        by_unknown = Chat.text_of(
            await other.say(f"wat is de status van mijn voucher {unknown}", theirs)
        )
        assert code not in by_code and "nog niet gebruikt" not in by_code, by_code
        assert by_code == by_unknown  # no oracle: the same answer for any code not yours
