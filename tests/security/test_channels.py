"""Attacks on the channel and identity layer, against the real Rasa server and action server.

One test per threat, named after it (docs/security.md: threat, defence, test). Each one
succeeded against Koers before issue 14; each must now fail for the attacker.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import jwt
import pytest
import socketio

from bot.channels import identity as ids
from bot.ledger import texts as ledger_texts
from tests.browser.widget_support import socketio_client
from tests.conversation.conftest import (
    AUTH_TOKEN,
    TEST_WIDGET_SECRETS,
    Chat,
    KoersServers,
    pseudonym,
    widget_token,
)

pytestmark = pytest.mark.server

NO_IDENTITY = ledger_texts.NO_IDENTITY.split("\n")[0]
VOUCHER_READY = "Je voucher is klaar!"


class Widget:
    """One browser's widget on the socket.io channel (python-socketio, like the widget)."""

    def __init__(self, url: str, monkeypatch: pytest.MonkeyPatch, browser: str | None = None):
        self.url = url
        self.browser = browser or uuid.uuid4().hex  # the widget's localStorage secret
        self.sio = socketio_client(monkeypatch)
        self.replies: asyncio.Queue[dict] = asyncio.Queue()
        self.session_id: str | None = None
        self.expired: list[Any] = []
        self.refusal: Any = None
        self._confirmed = asyncio.Event()
        self.sio.on("bot_uttered", self._bot)
        self.sio.on("session_confirm", self._confirm)
        self.sio.on("koers_token_expired", self._expired)
        self.sio.on("connect_error", self._refused)

    async def _bot(self, data: dict) -> None:
        await self.replies.put(data)

    async def _confirm(self, session_id: str) -> None:
        self.session_id = session_id
        self._confirmed.set()

    async def _expired(self, data: Any) -> None:
        self.expired.append(data)

    async def _refused(self, data: Any) -> None:
        self.refusal = data

    async def start(self, token: str | None = None, session_id: str | None = None) -> None:
        auth = {"browser": self.browser, **({"token": token} if token else {})}
        await self.sio.connect(self.url, transports=["websocket"], auth=auth, wait_timeout=20)
        await self.sio.emit("session_request", {"session_id": session_id})
        await asyncio.wait_for(self._confirmed.wait(), 20)

    async def say(self, text: str) -> str:
        data = {"message": text, "session_id": self.session_id, "client_id": uuid.uuid4().hex}
        ack = await self.sio.call("user_uttered", data, timeout=90)
        assert ack.get("ok"), ack
        await asyncio.sleep(0.3)
        found = []
        while not self.replies.empty():
            found.append(self.replies.get_nowait().get("text", ""))
        return "\n".join(found)


@pytest.fixture
async def widgets(
    koers_servers: KoersServers, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Any]:
    opened: list[Widget] = []

    def make(browser: str | None = None) -> Widget:
        opened.append(Widget(koers_servers.rasa_url, monkeypatch, browser))
        return opened[-1]

    yield make
    for widget in opened:
        if widget.sio.connected:
            await widget.sio.disconnect()


async def user_events(servers: KoersServers, conversation_key: str) -> list[dict]:
    url = f"{servers.rasa_url}/conversations/{conversation_key}/tracker?token={AUTH_TOKEN}"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200, await response.text()
        tracker = await response.json()
    return [e for e in tracker["events"] if e.get("event") == "user"]


async def rest(chat: Chat, sender: str, text: str, metadata: dict | None = None) -> str:
    body: dict[str, Any] = {"sender": sender, "message": text}
    if metadata is not None:
        body["metadata"] = metadata
    async with chat.session.post(chat.servers.webhook, json=body) as response:
        assert response.status == 200, await response.text()
        return Chat.text_of(await response.json())


async def try_to_erase_over_rest(chat: Chat, sender: str) -> None:
    await rest(chat, sender, "/request_erasure")
    await rest(chat, sender, "/affirm")


# -- 1. taking over somebody's conversation ---------------------------------------------------


async def test_rest_with_a_widget_session_id_cannot_read_or_erase_that_conversation(
    chat: Chat, widgets: Any, koers_servers: KoersServers
) -> None:
    widget = widgets()
    await widget.start(widget_token("GM9901", f"oid-{uuid.uuid4().hex}"))
    await widget.say("/start_scan")
    session_id = widget.session_id
    assert session_id
    widget_key = pseudonym(session_id, ids.CHANNEL_WIDGET)
    before = await user_events(koers_servers, widget_key)
    assert before

    answer = await rest(chat, session_id, "/start_scan")
    assert "al gedaan" not in answer and "uitslag" not in answer
    assert await user_events(koers_servers, pseudonym(session_id))  # REST got its own
    await try_to_erase_over_rest(chat, session_id)

    after = await user_events(koers_servers, widget_key)
    assert [e["text"] for e in after] == [e["text"] for e in before]  # untouched, not erased


async def test_rest_with_a_teams_conversation_id_cannot_reach_that_conversation(
    chat: Chat, koers_servers: KoersServers
) -> None:
    conversation = f"a:{uuid.uuid4().hex}"
    teams_key = pseudonym(conversation, ids.CHANNEL_TEAMS)
    event = {
        "event": "user",
        "text": "hoi",
        "timestamp": time.time(),
        "parse_data": {"intent": {"name": "greet", "confidence": 1.0}, "entities": []},
    }
    url = (
        f"{koers_servers.rasa_url}/conversations/{teams_key}/tracker/events" f"?token={AUTH_TOKEN}"
    )
    async with aiohttp.ClientSession() as http, http.post(url, json=event) as response:
        assert response.status == 200, await response.text()
    assert len(await user_events(koers_servers, teams_key)) == 1

    for sender in (conversation, f"msteams:{conversation}", teams_key):
        await try_to_erase_over_rest(chat, sender)

    assert len(await user_events(koers_servers, teams_key)) == 1


async def test_socket_session_id_of_another_browser_is_not_handed_out(widgets: Any) -> None:
    owner = widgets()
    await owner.start()
    await owner.say("hoi")
    stranger = widgets()  # another browser, which learnt the session id
    await stranger.start(session_id=owner.session_id)
    assert stranger.session_id != owner.session_id
    assert stranger.replies.empty()
    employee = widgets()  # a token does not open an anonymous browser's conversation either
    await employee.start(widget_token("GM9901", f"oid-{uuid.uuid4().hex}"), owner.session_id)
    assert employee.session_id != owner.session_id
    forged = widgets()  # nor does a session id the server never signed
    await forged.start(session_id="0" * 32 + "." + "0" * 32)
    assert forged.session_id != "0" * 32 + "." + "0" * 32
    back = widgets(owner.browser)  # the owner's own browser does continue it
    await back.start(session_id=owner.session_id)
    assert back.session_id == owner.session_id


# -- 2. identity that does not come from a verified token --------------------------------------


async def test_forged_identity_metadata_over_rest_never_reaches_the_actions(chat: Chat) -> None:
    forged_claim = ids.sign_identity(
        "GM9902", ids.EmployeeKeys("k1_" + "0" * 32), ids.CHANNEL_WIDGET, "x" * 40
    )
    for metadata in (
        {"municipality": "GM9902", "employee_key": "anything"},
        {"municipality": "GM9902", ids.METADATA_IDENTITY: forged_claim},
        {"municipality": "GM9902", "employee_keys": ["anything"]},
    ):
        sender = f"attacker-{uuid.uuid4().hex}"
        answer = await rest(chat, sender, "ik wil een voucher aanvragen", metadata)
        assert NO_IDENTITY in answer and VOUCHER_READY not in answer, answer


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"iat": None}, id="without-iat"),
        pytest.param({"exp": "lifetime"}, id="lifetime-over-8-hours"),
        pytest.param({"pad": "x" * 5000}, id="oversized"),
    ],
)
async def test_widget_tokens_that_break_the_rules_are_refused(
    chat: Chat, widgets: Any, claims: dict
) -> None:
    now = int(time.time())
    body: dict[str, Any] = {
        "gemeente": "GM9901",
        "oid": f"oid-{uuid.uuid4().hex}",
        "aud": "koers",
        "iat": now,
        "exp": now + 600,
    }
    body.update(claims)
    if body["exp"] == "lifetime":
        body["exp"] = now + 8 * 3600 + 60
    token = jwt.encode(
        {k: v for k, v in body.items() if v is not None},
        TEST_WIDGET_SECRETS["GM9901"],
        algorithm="HS256",
    )
    widget = widgets()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await widget.start(token)
    assert widget.refusal["data"]["code"] == "token_invalid"
    # the same token as REST proof: a JSON refusal, nothing handled
    body_json = {
        "sender": f"t-{uuid.uuid4().hex}",
        "message": "ik wil een voucher aanvragen",
        "metadata": {"widget_token": token},
    }
    async with chat.session.post(chat.servers.webhook, json=body_json) as response:
        assert response.status == 401
        assert await response.json() == {"error": "token_invalid"}
    assert token not in chat.servers.logs()


async def test_expired_token_on_an_open_socket_loses_its_identity(
    widgets: Any, koers_servers: KoersServers
) -> None:
    subject = f"oid-{uuid.uuid4().hex}"
    short = widget_token("GM9901", subject, lifetime_seconds=3)
    widget = widgets()
    await widget.start(short)
    await asyncio.sleep(4)  # the token's exp passes while the socket stays open
    answer = await widget.say("ik wil een voucher aanvragen")
    assert NO_IDENTITY in answer and VOUCHER_READY not in answer, answer
    assert widget.expired  # the widget was told to fetch a fresh token
    # a fresh token over the open socket brings the identity back, in the same conversation
    session_id = widget.session_id
    ack = await widget.sio.call(
        "koers_token", {"token": widget_token("GM9901", subject)}, timeout=20
    )
    assert ack["ok"] is True
    assert VOUCHER_READY in await widget.say("ik wil een voucher aanvragen")
    assert widget.session_id == session_id
    assert short not in koers_servers.logs()


# -- 3. the REST channel itself ----------------------------------------------------------------


async def test_rest_channel_is_off_unless_enabled(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The real REST channel in a Sanic app, started as ``rasa run`` mounts it, without
    KOERS_REST_ENABLED: every route answers 404 JSON and no message reaches the bot."""
    async with rest_channel(monkeypatch, {"KOERS_REST_ENABLED": ""}) as (url, received, http):
        for method, path, body in [
            ("POST", "/webhook", {"sender": "a", "message": "hoi"}),
            ("GET", "/", None),
        ]:
            async with http.request(method, url + path, json=body) as response:
                assert response.status == 404
                assert (await response.json())["error"] == "rest_disabled"
        assert received == []


async def test_rest_widget_token_with_a_wrong_issuer_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issuer = "https://intranet.gm9901.example"
    env = {"KOERS_REST_ENABLED": "true", "KOERS_WIDGET_JWT_ISSUER": issuer}
    async with rest_channel(monkeypatch, env) as (url, received, http):
        now = int(time.time())

        def token(iss: str) -> str:
            claims = {
                "gemeente": "GM9901",
                "oid": "oid-1",
                "aud": "koers",
                "iat": now,
                "exp": now + 600,
                "iss": iss,
            }
            return jwt.encode(claims, TEST_WIDGET_SECRETS["GM9901"], algorithm="HS256")

        for iss in ("https://evil.example", ""):
            body = {"sender": "a", "message": "hoi", "metadata": {"widget_token": token(iss)}}
            async with http.post(url + "/webhook", json=body) as response:
                assert response.status == 401
        assert received == []
        body = {"sender": "a", "message": "hoi", "metadata": {"widget_token": token(issuer)}}
        async with http.post(url + "/webhook", json=body) as response:
            assert response.status == 200
        [message] = received
        assert set(message.metadata) == {"municipality", ids.METADATA_IDENTITY}
        assert message.sender_id == ids.conversation_key(ids.CHANNEL_REST, "a")


class rest_channel:  # used as ``async with rest_channel(...)``
    """The REST input channel alone in a Sanic app (no model), with a recording agent."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
        self.monkeypatch = monkeypatch
        self.env = env

    async def __aenter__(self) -> tuple[str, list[Any], aiohttp.ClientSession]:
        import socket

        from rasa.core.channels.channel import register
        from sanic import Sanic

        from bot.channels.rest import KoersRestInput
        from bot.rasa_ext.patches import install_all
        from tests.conversation.conftest import TEST_IDENTITY_SECRET

        install_all()  # as the Rasa server's entry point does (bot/rasa_ext/server.py)
        self.monkeypatch.setattr(Sanic, "test_mode", True)
        self.monkeypatch.setenv("KOERS_IDENTITY_SECRET", TEST_IDENTITY_SECRET)
        self.monkeypatch.setenv(
            "KOERS_WIDGET_JWT_SECRETS", ",".join(f"{k}={v}" for k, v in TEST_WIDGET_SECRETS.items())
        )
        for name, value in self.env.items():
            self.monkeypatch.setenv(name, value)
        received: list[Any] = []

        class Agent:
            async def handle_message(self, message: Any) -> None:
                received.append(message)

        app = Sanic(f"rest-test-{uuid.uuid4().hex[:12]}")
        app.ctx.agent = Agent()
        register([KoersRestInput()], app, route="/webhooks/")
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(100)
        sock.setblocking(False)
        self.server = await app.create_server(
            sock=sock, return_asyncio_server=True, access_log=False
        )
        assert self.server is not None
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        self.http = aiohttp.ClientSession(  # no kept-alive connections left at the stop
            timeout=aiohttp.ClientTimeout(total=30),
            connector=aiohttp.TCPConnector(force_close=True),
        )
        host, port = sock.getsockname()[:2]
        return f"http://{host}:{port}/webhooks/rest", received, self.http

    async def __aexit__(self, *_: Any) -> None:
        await self.http.close()
        await self.server.before_stop()
        self.server.close()
        await self.server.wait_closed()
        await self.server.after_stop()


@pytest.mark.parametrize("secret", ["", "too-short"])
def test_rasa_server_without_an_identity_secret_refuses_to_start(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    """Without KOERS_IDENTITY_SECRET nobody could verify a claim, and session ids could not be
    signed: the channels fail at start-up with a clear message instead of running open."""
    from bot.channels.rest import KoersRestInput
    from bot.channels.widget.channel import KoersSocketIOInput

    monkeypatch.setenv("KOERS_IDENTITY_SECRET", secret)
    monkeypatch.setenv("KOERS_REST_ENABLED", "true")

    async def on_new_message(_: Any) -> None:
        return None

    for channel in (KoersRestInput(), KoersSocketIOInput()):
        with pytest.raises(ids.IdentityConfigError, match="KOERS_IDENTITY_SECRET"):
            channel.blueprint(on_new_message)


def test_cors_is_only_for_configured_origins(monkeypatch: pytest.MonkeyPatch) -> None:
    """No "*" anywhere: `make run` and `make scale` pass --cors only with KOERS_CORS_ORIGINS,
    and the widget socket checks the same list of origins."""
    from pathlib import Path

    from bot.channels.widget.channel import KoersSocketIOInput
    from tests.conversation.conftest import TEST_IDENTITY_SECRET

    root = Path(__file__).resolve().parents[2]
    for script in (root / "scripts" / "run.sh", root / "tools" / "scale.py"):
        assert '--cors "*"' not in script.read_text() and '"*"' not in script.read_text(), script
    monkeypatch.setenv("KOERS_IDENTITY_SECRET", TEST_IDENTITY_SECRET)
    monkeypatch.setenv("KOERS_CORS_ORIGINS", "https://intranet.gm9901.example")

    async def on_new_message(_: Any) -> None:
        return None

    channel = KoersSocketIOInput()
    channel.blueprint(on_new_message)
    assert channel.sio.eio.cors_allowed_origins == ["https://intranet.gm9901.example"]
