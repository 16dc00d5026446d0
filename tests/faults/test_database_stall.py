"""The tracker database stops answering: one conversation waits, the server goes on.

PostgreSQL (the test service on 127.0.0.1:5432, a schema of its own) is reached through a
:class:`~tests.loopback_proxy.LoopbackProxy`. While the proxy holds every byte (stalled), the
conversation that needs the database gets the polite Dutch answer after
``KOERS_DB_RETRY_SECONDS``, and on the same Rasa server a widget's socket.io connection keeps
answering and ``/status`` answers at once. After the proxy forwards again the conversation
goes on where it was.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator

import aiohttp
import pytest

from bot.channels.widget.auth import mint_token
from bot.rasa_ext.texts import SERVICE_UNAVAILABLE
from tests.conversation.conftest import (
    AUTH_TOKEN,
    TEST_WIDGET_SECRETS,
    Chat,
    KoersServers,
    running_servers,
)
from tests.loopback_proxy import LoopbackProxy, proxied_postgres_schema

pytestmark = [pytest.mark.server, pytest.mark.postgres]

RETRY_S = 4


class StalledStack:
    def __init__(self, servers: KoersServers, proxy: LoopbackProxy) -> None:
        self.servers = servers
        self.proxy = proxy


@pytest.fixture(scope="module")
def stalled_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StalledStack]:
    extra_env = {
        "KOERS_DB_RETRY_SECONDS": str(RETRY_S),
        "KOERS_DB_CONNECT_TIMEOUT_SECONDS": "2",
        "KOERS_RETENTION_INTERVAL_MINUTES": "0",
    }
    with (
        proxied_postgres_schema() as (tracker_url, proxy),
        running_servers(
            tmp_path_factory.mktemp("stall"), tracker_url, extra_env=extra_env
        ) as servers,
    ):
        yield StalledStack(servers, proxy)


async def _session_round_trip(sio, confirmed: asyncio.Queue) -> float:
    """session_request → session_confirm on the open socket (no database involved)."""
    started = time.monotonic()
    await sio.emit("session_request", {"session_id": None})
    await asyncio.wait_for(confirmed.get(), 5)
    return time.monotonic() - started


async def test_a_stalled_database_does_not_stop_the_server(
    stalled_stack: StalledStack, monkeypatch
) -> None:
    from tests.browser.widget_support import socketio_client

    servers = stalled_stack.servers
    sio = socketio_client(monkeypatch)
    confirmed: asyncio.Queue = asyncio.Queue()
    sio.on("session_confirm", confirmed.put)
    token = mint_token("GM9901", "emp-stall", TEST_WIDGET_SECRETS["GM9901"], 600, int(time.time()))
    auth = {"browser": uuid.uuid4().hex, "token": token}
    await sio.connect(servers.rasa_url, transports=["websocket"], auth=auth, wait_timeout=20)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:
        chat = Chat(http, servers)
        await chat.say("hoi")
        assert "Vraag 1 van 14" in Chat.text_of(await chat.say("ik wil de talentscan doen"))
        await _session_round_trip(sio, confirmed)

        stalled_stack.proxy.stall()
        try:
            started = time.monotonic()
            pending = asyncio.create_task(chat.say("4"))
            status_s, socket_s = [], []
            while not pending.done() and time.monotonic() - started < RETRY_S + 20:
                began = time.monotonic()
                async with http.get(f"{servers.rasa_url}/status?token={AUTH_TOKEN}") as response:
                    assert response.status == 200
                status_s.append(time.monotonic() - began)
                socket_s.append(await _session_round_trip(sio, confirmed))
                await asyncio.sleep(0.2)
            replies = await asyncio.wait_for(pending, 30)
            waited = time.monotonic() - started
        finally:
            stalled_stack.proxy.resume()

        # the turn that needed the database got the polite answer, in time
        assert SERVICE_UNAVAILABLE in Chat.text_of(replies)
        assert RETRY_S - 1 < waited < RETRY_S + 15
        # meanwhile the same server answered at once, over HTTP and over the socket
        assert len(status_s) >= RETRY_S and max(status_s) < 1.0, status_s
        assert max(socket_s) < 1.0, socket_s
        assert sio.connected

        # the database is back: the conversation goes on where it was
        deadline = time.monotonic() + 30
        while True:
            text = Chat.text_of(await chat.say("4"))
            if SERVICE_UNAVAILABLE not in text or time.monotonic() > deadline:
                break
            await asyncio.sleep(1)
        assert "Vraag 2 van 14" in text
        log = servers.rasa_log.read_text(errors="replace")
        assert "Database did not answer" in log and "tracker database unreachable" in log
    await sio.disconnect()
