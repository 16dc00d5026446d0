"""One Koers deployment for the fault tests, on services the tests may break.

Own PostgreSQL (tracker store and application data) and own Redis (lock store), started in a
temporary directory on free ports (:mod:`tools.devservices`), plus the real action server and Rasa
server with the production endpoints file. Tests stop, pause and restart these processes and
leave them running again for the next test.
"""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
import sqlalchemy as sa

from tests.conversation.conftest import (
    AUTH_TOKEN,
    Chat,
    KoersServers,
    pseudonym,
    running_servers,
    start_action_server,
)
from tools.devservices import Postgres, Redis, running_postgres, running_redis

ACTION_TIMEOUT_S = 3


@dataclass
class FaultStack:
    servers: KoersServers
    postgres: Postgres
    redis: Redis
    tracker_db_url: str

    def rasa_rss_kib(self) -> int:
        return rss_kib(self.servers.rasa_process.pid)

    def stored_events(self, sender: str) -> list[dict]:
        """The events stored for ``sender``'s conversation, in id order."""
        engine = sa.create_engine(self.tracker_db_url)
        try:
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                    {"s": pseudonym(sender)},
                ).all()
        finally:
            engine.dispose()
        return [json.loads(row[0]) for row in rows]

    def restart_action_server(self) -> None:
        servers = self.servers
        servers.action_process = start_action_server(
            servers.env, servers.action_port, servers.action_log
        )

    @contextmanager
    def action_server_paused(self) -> Iterator[None]:
        """SIGSTOP the action server: it accepts connections but never answers."""
        process = self.servers.action_process
        process.send_signal(signal.SIGSTOP)
        try:
            yield
        finally:
            process.send_signal(signal.SIGCONT)


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def user_texts(events: list[dict]) -> list[str]:
    return [e.get("text") for e in events if e.get("event") == "user"]


def assert_in_order_without_duplicates(events: list[dict]) -> None:
    # Rasa stamps an action after the events it returned: only user messages are in time order
    stamps = [e["timestamp"] for e in events if e.get("event") == "user"]
    assert stamps == sorted(stamps), "user messages are not in time order"
    keys = [json.dumps(e, sort_keys=True) for e in events]
    assert len(keys) == len(set(keys)), "an event is stored twice"


@pytest.fixture(scope="package")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    workdir = tmp_path_factory.mktemp("faults")
    with running_postgres() as postgres, running_redis() as redis:
        tracker_db_url = postgres.create_database("koers_tracker")
        database_url = postgres.create_database("koers_app")
        extra_env = {
            "KOERS_ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT_S),
            "KOERS_DB_RETRY_SECONDS": "30",
            "KOERS_RETENTION_INTERVAL_MINUTES": "0",
            "KOERS_REDIS_HOST": "127.0.0.1",
            "KOERS_REDIS_PORT": str(redis.port),
            "KOERS_REDIS_DB": "0",
        }
        with running_servers(
            workdir,
            tracker_db_url,
            endpoints="deploy/endpoints.production.yml",
            database_url=database_url,
            extra_env=extra_env,
        ) as servers:
            yield FaultStack(servers, postgres, redis, tracker_db_url)


@pytest.fixture
async def fault_chat(fault_stack: FaultStack) -> Chat:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as session:
        yield Chat(session, fault_stack.servers)


async def rasa_is_healthy(session: aiohttp.ClientSession, servers: KoersServers) -> bool:
    async with session.get(f"{servers.rasa_url}/status?token={AUTH_TOKEN}") as response:
        return response.status == 200


def log_contains(path: Path, needle: str, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if needle in path.read_text(errors="replace"):
            return True
        time.sleep(0.2)
    return False
