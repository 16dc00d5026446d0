"""Attacks on the action server itself (issue 14, threat 2: mint vouchers through it).

Each test is one threat, run against the real action server that `make run` starts
(``python -m actions.server``); docs/security.md lists threat, defence and test.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import aiohttp
import pytest

from bot.ledger import texts
from tests.conversation.conftest import ROOT, KoersServers

from .action_calls import action_call, post_action, reply_text, signed_claim, vouchers


@pytest.fixture
async def http() -> aiohttp.ClientSession:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield session


async def test_webhook_without_secret_runs_no_action(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """Threat: anyone who reaches port 5055 runs actions. Even a valid claim is not enough."""
    before = vouchers(koers_servers)
    body = action_call("action_request_voucher", signed_claim("GM9902", uuid.uuid4().hex))
    status, payload = await post_action(http, koers_servers, body, secret=None)
    assert status == 401 and payload == {"error": "unauthorized"}
    assert vouchers(koers_servers) == before
    status, _ = await post_action(http, koers_servers, {}, secret=None, path="/actions")
    assert status in (401, 405)
    async with http.get(f"{koers_servers.action_url}/actions") as listing:
        assert listing.status == 401  # not even the list of actions
    log = koers_servers.action_log.read_text(errors="replace")
    assert "Refused an action server call to POST /webhook: no secret header" in log


async def test_webhook_with_a_wrong_secret_runs_no_action(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """Threat: guessing or reusing another deployment's secret."""
    before = vouchers(koers_servers)
    body = action_call("action_request_voucher", signed_claim("GM9902", uuid.uuid4().hex))
    for wrong in ("x", "koers-test-action-secret-0123456789abcdeF", " " * 40):
        status, payload = await post_action(http, koers_servers, body, secret=wrong)
        assert status == 401 and payload == {"error": "unauthorized"}
    assert vouchers(koers_servers) == before
    log = koers_servers.action_log.read_text(errors="replace")
    assert "a wrong secret header" in log
    assert "koers-test-action-secret" not in log  # the tried value is never logged


async def test_forged_metadata_mints_no_voucher(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """Threat: with the secret (or through Rasa), plain identity metadata spends a budget."""
    before = vouchers(koers_servers, "GM9902")
    forged = {"municipality": "GM9902", "employee_key": "anything"}
    status, payload = await post_action(
        http, koers_servers, action_call("action_request_voucher", forged)
    )
    assert status == 200
    assert texts.NO_IDENTITY in reply_text(payload)
    assert vouchers(koers_servers, "GM9902") == before


@pytest.mark.parametrize("forgery", ["other-secret", "expired", "tampered", "garbage"])
async def test_an_unverifiable_claim_mints_no_voucher(
    koers_servers: KoersServers, http: aiohttp.ClientSession, forgery: str
) -> None:
    """Threat: a claim signed with another secret, an old claim, or an edited one, next to the
    plain keys that the old channel sent (and the old actions believed)."""
    subject = uuid.uuid4().hex
    metadata = {
        "other-secret": lambda: signed_claim(
            "GM9902", subject, secret="an-attackers-own-secret-0123456789abcdef"
        ),
        "expired": lambda: signed_claim("GM9902", subject, now=int(time.time()) - 3600),
        "tampered": lambda: {
            **signed_claim("GM9902", subject),
            "koers_identity": signed_claim("GM9902", subject)["koers_identity"][:-2] + "AA",
        },
        "garbage": lambda: {"municipality": "GM9902", "koers_identity": "e30.e30.e30"},
    }[forgery]()
    # what the old channel sent, so the old action server would have issued a voucher
    metadata["employee_key"] = f"k1_{subject[:32]}"
    before = vouchers(koers_servers, "GM9902")
    status, payload = await post_action(
        http, koers_servers, action_call("action_request_voucher", metadata)
    )
    assert status == 200 and texts.NO_IDENTITY in reply_text(payload)
    assert vouchers(koers_servers, "GM9902") == before


async def test_a_valid_claim_with_the_secret_gets_exactly_its_voucher(
    koers_servers: KoersServers, http: aiohttp.ClientSession
) -> None:
    """The defence still lets the Rasa server through (the control for the tests above)."""
    before = vouchers(koers_servers, "GM9902")
    body = action_call("action_request_voucher", signed_claim("GM9902", uuid.uuid4().hex))
    status, payload = await post_action(http, koers_servers, body)
    assert status == 200 and "Je voucher is klaar!" in reply_text(payload)
    assert len(vouchers(koers_servers, "GM9902")) == len(before) + 1


def test_action_server_listens_on_loopback_only(koers_servers: KoersServers) -> None:
    """Threat: the action server is reachable from other machines (it bound to 0.0.0.0)."""
    port = f"{koers_servers.action_port:04X}"
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            for row in list(rows)[1:]:
                local, state = row.split()[1], row.split()[3]
                if state == "0A" and local.endswith(f":{port}"):
                    listening.append(local.split(":")[0])
    assert listening, "the action server is not listening"
    assert set(listening) <= {"0100007F", "00000000000000000000000001000000"}, listening


@pytest.mark.parametrize(
    "unset, value",
    [
        ("KOERS_ACTION_SECRET", ""),
        ("KOERS_ACTION_SECRET", "too-short"),
        ("KOERS_IDENTITY_SECRET", ""),
    ],
)
def test_action_server_refuses_to_start_without_secrets(unset: str, value: str) -> None:
    """Threat: a deployment that forgot the secret runs an open action server."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KOERS_ACTION_SECRET": "koers-test-action-secret-0123456789abcdef",
        "KOERS_IDENTITY_SECRET": "koers-test-identity-secret-0123456789abcdef",
        unset: value,
    }
    started = subprocess.run(
        [sys.executable, "-m", "actions.server", "--port", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert started.returncode == 2, started.stderr[-2000:]
    assert unset in started.stderr
