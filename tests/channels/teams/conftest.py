"""The Teams channel inside a real Sanic app (as ``rasa run`` mounts it), against the fake
Bot Framework service. The "bot" is a small scripted responder that answers through the
output channel Rasa would use, so everything between HTTP in and HTTP out is real."""

from __future__ import annotations

import asyncio
import dataclasses
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels.teams.channel import TeamsConfig, TeamsInput
from bot.channels.teams.connector import RetryPolicy
from bot.privacy.pseudonym import Pseudonymizer, build_pseudonymizer
from bot.rasa_ext.patches import install_all
from tests.channels.teams.fake_botframework import APP_ID, APP_PASSWORD, FakeBotFramework

PSEUDONYM_SECRET = "teams-test-pseudonym-secret-0123456789abcdef"
WELCOME = "Hoi! Ik ben Koers.\nWaar wil je mee beginnen?"
WELCOME_BUTTONS = [
    {"title": "Doe de talentscan", "payload": "/start_scan"},
    {"title": "Hoe zit het met privacy?", "payload": "/ask_privacy"},
]

Responder = Callable[[UserMessage], Awaitable[None]]


@pytest.fixture(scope="session", autouse=True)
def rasa_patches() -> None:
    """Koers's patches of Rasa internals, as the Rasa server's entry point installs them."""
    install_all()


async def scripted_bot(message: UserMessage) -> None:
    """Answers like Koers would, through the output channel Rasa hands to the bot."""
    out = message.output_channel
    assert out is not None
    text = message.text or ""
    if text in {"hoi", "/greet"}:
        await out.send_response(message.sender_id, {"text": WELCOME, "buttons": WELCOME_BUTTONS})
    elif text == "/start_scan":
        await out.send_response(message.sender_id, {"text": "Vraag 1 van 14"})
    elif text.startswith("reeks "):
        for number in range(1, int(text.split()[1]) + 1):
            await out.send_response(message.sender_id, {"text": f"{text} bericht {number}"})
    else:
        await out.send_response(message.sender_id, {"text": f"je zei: {text}"})


def fast_retries(**overrides: Any) -> RetryPolicy:
    values = {
        "max_attempts": 5,
        "base_delay_seconds": 0.05,
        "max_delay_seconds": 1.5,
        "timeout_seconds": 5.0,
        **overrides,
    }
    return RetryPolicy(**values)


def channel_config(base_url: str, **overrides: Any) -> TeamsConfig:
    config = TeamsConfig(
        app_id=APP_ID,
        app_password=APP_PASSWORD,
        openid_metadata_url=f"{base_url}/v1/.well-known/openidconfiguration",
        token_endpoint=f"{base_url}/botframework.com/oauth2/v2.0/token",
        allow_insecure_service_url=True,  # the fake service speaks http on 127.0.0.1
        key_min_refresh_seconds=0.0,
        retry=fast_retries(),
    )
    return dataclasses.replace(config, **overrides)


@dataclasses.dataclass
class ChannelServer:
    url: str
    channel: TeamsInput
    received: list[UserMessage]
    session: aiohttp.ClientSession
    fake: FakeBotFramework

    @property
    def webhook(self) -> str:
        return f"{self.url}/webhooks/botframework/webhook"

    async def post(
        self, activity: dict[str, Any], token: str | None = "sign", **headers: str
    ) -> aiohttp.ClientResponse:
        """POST an activity; ``token="sign"`` signs a valid one for its serviceUrl."""
        if token == "sign":
            token = self.fake.token(activity.get("serviceUrl", ""))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        async with self.session.post(self.webhook, json=activity, headers=headers) as response:
            await response.read()
            return response

    async def wait_for_deliveries(self, count: int, timeout: float = 15.0) -> list[str]:
        """Wait until ``count`` activities reached the fake connector and all work is done."""
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.fake.deliveries) < count or self.channel.dispatcher.pending:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"{len(self.fake.deliveries)} of {count} replies arrived: "
                    f"{self.fake.texts_delivered()}"
                )
            await asyncio.sleep(0.02)
        return self.fake.texts_delivered()


@dataclasses.dataclass
class Harness:
    fake: FakeBotFramework
    start: Callable[..., Awaitable[ChannelServer]]


def _free_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    sock.setblocking(False)
    return sock


@pytest.fixture
def pseudonymizer() -> Pseudonymizer:
    return build_pseudonymizer(PSEUDONYM_SECRET)


@pytest.fixture
async def fake_service(aiohttp_server: Any) -> FakeBotFramework:
    fake = FakeBotFramework()
    server = await aiohttp_server(fake.make_app())
    fake.base_url = str(server.make_url("")).rstrip("/")
    return fake


@pytest.fixture
async def harness(
    fake_service: FakeBotFramework, pseudonymizer: Pseudonymizer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """``await harness.start(config=…, responder=…)`` runs a channel server (stopped after)."""
    # several Sanic apps in one process (Sanic's own test setting: app registry, touch-ups)
    monkeypatch.setattr(Sanic, "test_mode", True)
    started: list[tuple[Any, TeamsInput, aiohttp.ClientSession]] = []

    async def start(
        config: TeamsConfig | None = None, responder: Responder = scripted_bot
    ) -> ChannelServer:
        channel = TeamsInput(config or channel_config(fake_service.base_url), pseudonymizer)
        received: list[UserMessage] = []

        class Agent:  # what rasa.core.run puts in app.ctx.agent
            async def handle_message(self, message: UserMessage) -> None:
                received.append(message)
                await responder(message)

        app = Sanic(f"teams-test-{uuid.uuid4().hex[:12]}")
        app.ctx.agent = Agent()
        register([channel], app, route="/webhooks/")
        sock = _free_socket()
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        assert server is not None  # create_server already awaited it: it is listening
        await server.startup()
        await server.before_start()
        await server.after_start()
        session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        started.append((server, channel, session))
        host, port = sock.getsockname()[:2]
        return ChannelServer(f"http://{host}:{port}", channel, received, session, fake_service)

    yield Harness(fake_service, start)
    for server, _channel, session in started:
        await session.close()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
