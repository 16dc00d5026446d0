"""A real Rasa server and action server, started once per test session.

The model is the one the test command trained (``KOERS_MODEL``). Trackers go to a fresh SQLite
file. In CI a missing model fails the run instead of skipping these tests.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from tools.devservices import (
    action_server_command,
    free_port,
    init_ledger,
    rasa_server_command,
    stack_env,
    wait_for_http,
)

ROOT = Path(__file__).resolve().parents[2]
AUTH_TOKEN = "koers-test-token"
START_TIMEOUT_S = 240


def load_conversation_data(env: dict[str, str]) -> None:
    """The test data beyond the demo set (tests/conversation/fixture_data.py): a full session."""
    subprocess.run(
        [sys.executable, "-m", "tests.conversation.fixture_data"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def wait_for(url: str, process: subprocess.Popen, log: Path) -> None:
    wait_for_http(url, process, log, START_TIMEOUT_S)


TEST_PSEUDONYM_SECRET = "koers-test-pseudonym-secret-0123456789abcdef"
TEST_IDENTITY_SECRET = "koers-test-identity-secret-0123456789abcdef"
TEST_ACTION_SECRET = "koers-test-action-secret-0123456789abcdef"
#: widget token secrets of the test municipalities (a REST test proves identity with a token)
TEST_WIDGET_SECRETS = {
    "GM9901": "koers-test-widget-secret-GM9901-0123456789abcdef",
    "GM9902": "koers-test-widget-secret-GM9902-0123456789abcdef",
}


def widget_token(municipality: str, subject: str, lifetime_seconds: int = 3600) -> str:
    """A widget token as the intranet of ``municipality`` signs it for employee ``subject``
    (``subject`` is the Entra object id, claim ``oid``)."""
    import time

    import jwt

    now = int(time.time())
    claims = {
        "gemeente": municipality,
        "sub": subject,
        "oid": subject,
        "aud": "koers",
        "iat": now,
        "exp": now + lifetime_seconds,
    }
    return jwt.encode(claims, TEST_WIDGET_SECRETS[municipality], algorithm="HS256")


def identity_metadata(municipality: str, subject: str) -> dict[str, str]:
    """REST message metadata that proves who the employee is: a signed widget token."""
    return {"widget_token": widget_token(municipality, subject)}


@dataclass
class KoersServers:
    rasa_url: str
    action_url: str
    tracker_db_url: str
    workdir: Path
    rasa_log: Path
    action_log: Path
    # added for the fault and scale tests (tests/faults, tests/scale): restart single processes
    env: dict[str, str] = field(default_factory=dict)
    endpoints: str = "endpoints.yml"
    rasa_process: subprocess.Popen | None = None
    action_process: subprocess.Popen | None = None

    @property
    def rasa_port(self) -> int:
        return int(self.rasa_url.rsplit(":", 1)[1])

    @property
    def action_port(self) -> int:
        return int(self.action_url.rsplit(":", 1)[1])

    @property
    def webhook(self) -> str:
        return f"{self.rasa_url}/webhooks/rest/webhook"

    def logs(self) -> str:
        return self.rasa_log.read_text(errors="replace") + self.action_log.read_text(
            errors="replace"
        )


def trained_model() -> Path:
    model = Path(os.environ.get("KOERS_MODEL", ROOT / "models" / "koers.tar.gz"))
    if not model.is_file():
        message = f"no trained model at {model}: run `make test` (it trains first)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return model


def start_action_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    """Start the action server on ``port`` (appending to ``log``); wait until healthy."""
    with log.open("a") as out:
        process = subprocess.Popen(
            action_server_command(port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    wait_for(f"http://127.0.0.1:{port}/health", process, log)
    return process


def koers_rasa_command(
    port: int, endpoints: str = "endpoints.yml", credentials: str = "credentials.yml"
) -> list[str]:
    """The Rasa server of the conversation tests: the trained model and the HTTP API."""
    return rasa_server_command(
        trained_model(),
        port,
        "--enable-api",
        "--auth-token",
        AUTH_TOKEN,
        endpoints=endpoints,
        credentials=credentials,
    )


def start_rasa_server(
    env: dict[str, str],
    port: int,
    log: Path,
    endpoints: str = "endpoints.yml",
    credentials: str = "credentials.yml",
) -> subprocess.Popen:
    """Start the Rasa server with the trained model on ``port`` (appending to ``log``); wait."""
    with log.open("a") as out:
        process = subprocess.Popen(
            koers_rasa_command(port, endpoints, credentials),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    wait_for(f"http://127.0.0.1:{port}/status?token={AUTH_TOKEN}", process, log)
    return process


@contextlib.contextmanager
def running_servers(
    workdir: Path,
    tracker_db_url: str,
    *,
    endpoints: str = "endpoints.yml",
    credentials: str = "credentials.yml",
    database_url: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[KoersServers]:
    """Start the action server and the Rasa server; stop both afterwards.

    ``endpoints`` and ``credentials`` (paths relative to the project or absolute),
    ``database_url`` (default: a SQLite file in ``workdir``) and ``extra_env`` are for tests
    of other deployments.
    """
    trained_model()  # skip (or fail in CI) before starting anything
    rasa_port, action_port = free_port(), free_port()
    env = stack_env(
        action_port,
        tracker_db_url,
        database_url or f"sqlite:///{workdir / 'koers.db'}",
        **{
            "KOERS_PSEUDONYM_SECRET": TEST_PSEUDONYM_SECRET,
            "KOERS_IDENTITY_SECRET": TEST_IDENTITY_SECRET,
            "KOERS_ACTION_SECRET": TEST_ACTION_SECRET,
            "KOERS_ACTION_HOST": "127.0.0.1",
            "KOERS_REST_ENABLED": "true",
            "KOERS_WIDGET_JWT_SECRETS": ",".join(
                f"{k}={v}" for k, v in TEST_WIDGET_SECRETS.items()
            ),
            **(extra_env or {}),  # a test's own values win
        },
    )
    action_log, rasa_log = workdir / "actions.log", workdir / "rasa.log"
    init_ledger(env)
    load_conversation_data(env)
    processes = []
    servers: KoersServers | None = None
    try:
        with action_log.open("w") as out:
            actions = subprocess.Popen(
                action_server_command(action_port),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(actions)
        with rasa_log.open("w") as out:
            rasa = subprocess.Popen(
                koers_rasa_command(rasa_port, endpoints, credentials),
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        processes.append(rasa)
        with (workdir / "sender.log").open("w") as out:  # coach e-mail, as `make run` starts it
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot.notify.sender"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
        wait_for(f"http://127.0.0.1:{action_port}/health", actions, action_log)
        wait_for(f"http://127.0.0.1:{rasa_port}/status?token={AUTH_TOKEN}", rasa, rasa_log)
        servers = KoersServers(
            rasa_url=f"http://127.0.0.1:{rasa_port}",
            action_url=f"http://127.0.0.1:{action_port}",
            tracker_db_url=tracker_db_url,
            workdir=workdir,
            rasa_log=rasa_log,
            action_log=action_log,
            env=env,
            endpoints=endpoints,
            rasa_process=rasa,
            action_process=actions,
        )
        yield servers
    finally:
        # a test may have replaced a process by a restarted one: stop those too
        if servers is not None:
            processes += [
                p
                for p in (servers.rasa_process, servers.action_process)
                if p is not None and p not in processes
            ]
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def koers_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KoersServers]:
    """Koers on embedded SQLite, as `make run` starts it."""
    workdir = tmp_path_factory.mktemp("servers")
    with running_servers(workdir, f"sqlite:///{workdir / 'tracker.db'}") as servers:
        yield servers


def pseudonym(sender: str, channel: str = "rest") -> str:
    """The id under which the servers store ``sender``'s conversation on ``channel``."""
    from bot.channels.identity import conversation_key
    from bot.privacy.pseudonym import build_pseudonymizer

    return conversation_key(channel, sender, build_pseudonymizer(TEST_PSEUDONYM_SECRET))


class Chat:
    """One employee talking to Koers over the REST webhook."""

    def __init__(self, session: aiohttp.ClientSession, servers: KoersServers) -> None:
        self.session = session
        self.servers = servers
        self.sender = f"test-{uuid.uuid4().hex}"

    async def say(self, text: str, metadata: dict | None = None) -> list[dict]:
        body: dict = {"sender": self.sender, "message": text}
        if metadata is not None:
            body["metadata"] = metadata
        async with self.session.post(self.servers.webhook, json=body) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    @staticmethod
    def text_of(replies: list[dict]) -> str:
        return "\n".join(reply.get("text", "") for reply in replies)

    async def parse(self, text: str) -> dict:
        async with self.session.post(
            f"{self.servers.rasa_url}/model/parse?token={AUTH_TOKEN}", json={"text": text}
        ) as response:
            assert response.status == 200, await response.text()
            return await response.json()


@pytest.fixture
async def chat(koers_servers: KoersServers) -> Chat:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        yield Chat(session, koers_servers)
