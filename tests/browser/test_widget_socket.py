"""The socket.io channel as the widget uses it, against the real Rasa server (python-socketio).

Token checks (valid, none, forged, expired), identity only from the token, the pseudonymised
employee key in the ledger, oversized and malformed events, and resends after a reconnect.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from typing import Any

import aiohttp
import jwt
import pytest
import socketio

from bot.channels.widget import texts as widget_texts
from bot.channels.widget.auth import mint_token
from bot.ledger import texts as ledger_texts
from tests.browser.widget_support import WIDGET_SECRET, WidgetStack, socketio_client
from tests.conversation.conftest import AUTH_TOKEN, pseudonym

pytestmark = pytest.mark.server


def token(sub: str = "emp-socket-1", **claims: Any) -> str:
    if claims:
        secret = claims.pop("_secret", WIDGET_SECRET)
        now = int(time.time())
        body = {"gemeente": "GM9901", "oid": sub, "aud": "koers", "iat": now, "exp": now + 600}
        body.update(claims)
        return jwt.encode(body, secret, algorithm="HS256")
    return mint_token("GM9901", sub, WIDGET_SECRET, 600, int(time.time()))


class SocketChat:
    """One widget connection: connect (with or without token), request a session, talk."""

    def __init__(self, url: str, monkeypatch: Any, browser: str | None = None) -> None:
        self.url = url
        self.browser = browser or uuid.uuid4().hex  # the widget's localStorage secret
        self.sio = socketio_client(monkeypatch)
        self.refusal: Any = None
        self.sio.on("connect_error", self._refused)
        self.replies: asyncio.Queue[dict] = asyncio.Queue()
        self.session_id: str | None = None
        self.epoch: str | None = None
        self._confirmed = asyncio.Event()
        self.sio.on("bot_uttered", self._on_bot)
        self.sio.on("session_confirm", self._on_confirm)
        self.sio.on("koers_session", self._on_session)

    async def _refused(self, data: Any) -> None:
        self.refusal = data

    async def _on_bot(self, data: dict) -> None:
        await self.replies.put(data)

    async def _on_confirm(self, session_id: str) -> None:
        self.session_id = session_id
        self._confirmed.set()

    async def _on_session(self, data: dict) -> None:
        self.epoch = data["epoch"]

    async def start(
        self,
        auth_token: str | None = None,
        session_id: str | None = None,
        last_seq: int = 0,
        epoch: str | None = None,
    ) -> None:
        auth = {"browser": self.browser, **({"token": auth_token} if auth_token else {})}
        await self.sio.connect(self.url, transports=["websocket"], auth=auth, wait_timeout=20)
        self._confirmed.clear()
        await self.sio.emit(
            "session_request",
            {"session_id": session_id, "koers_last_seq": last_seq, "koers_epoch": epoch},
        )
        await asyncio.wait_for(self._confirmed.wait(), 20)

    async def say(self, text: str, client_id: str | None = None) -> tuple[dict, list[dict]]:
        data = {
            "message": text,
            "session_id": self.session_id,
            "client_id": client_id or uuid.uuid4().hex,
        }
        ack = await self.sio.call("user_uttered", data, timeout=90)
        return ack, await self.drain()

    async def drain(self, wait: float = 0.3) -> list[dict]:
        await asyncio.sleep(wait)
        found = []
        while not self.replies.empty():
            found.append(self.replies.get_nowait())
        return found

    async def close(self) -> None:
        await self.sio.disconnect()


def text_of(replies: list[dict]) -> str:
    return "\n".join(r.get("text", "") for r in replies)


async def user_texts(stack: WidgetStack, session_id: str) -> list[str]:
    url = (
        f"{stack.servers.rasa_url}/conversations/{pseudonym(session_id, 'widget')}/tracker"
        f"?token={AUTH_TOKEN}"
    )
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        assert response.status == 200
        tracker = await response.json()
    return [e.get("text") for e in tracker["events"] if e["event"] == "user"]


@pytest.fixture
async def chats(widget_stack: WidgetStack, monkeypatch):
    opened: list[SocketChat] = []

    def make(url: str | None = None, browser: str | None = None) -> SocketChat:
        chat = SocketChat(url or widget_stack.servers.rasa_url, monkeypatch, browser)
        opened.append(chat)
        return chat

    yield make
    for chat in opened:
        if chat.sio.connected:
            await chat.close()


async def test_valid_token_gets_a_voucher_under_a_pseudonymous_key(
    widget_stack: WidgetStack, chats
) -> None:
    chat = chats()
    subject = f"intranet-key-{uuid.uuid4().hex[:8]}"
    await chat.start(token(subject))
    ack, replies = await chat.say("ik wil een voucher aanvragen")
    assert ack == {"ok": True}
    assert "Je voucher is klaar!" in text_of(replies), replies
    assert all(isinstance(r["koers_seq"], int) and r["koers_epoch"] for r in replies)
    with sqlite3.connect(widget_stack.database_path) as db:
        rows = db.execute("SELECT employee_key FROM vouchers").fetchall()
    keys = [row[0] for row in rows]
    assert subject not in keys and not any(subject in key for key in keys)
    from bot.channels.identity import employee_keys
    from bot.privacy.pseudonym import build_pseudonymizer
    from tests.conversation.conftest import TEST_PSEUDONYM_SECRET

    # the key of the token's oid claim: the same one Teams derives from aadObjectId
    expected = employee_keys(subject, build_pseudonymizer(TEST_PSEUDONYM_SECRET)).current
    assert expected in keys
    assert subject not in widget_stack.servers.logs()


async def test_without_token_the_chat_works_but_a_voucher_needs_identity(chats) -> None:
    chat = chats()
    await chat.start()
    _, replies = await chat.say("hoi")
    assert "anoniem" in text_of(replies)
    # identity sent by the client itself is ignored
    data = {
        "message": "ik wil een voucher",
        "session_id": chat.session_id,
        "client_id": uuid.uuid4().hex,
        "metadata": {"municipality": "GM9901", "employee_key": "forged-key-123"},
    }
    await chat.sio.call("user_uttered", data, timeout=90)
    replies = await chat.drain()
    assert ledger_texts.NO_IDENTITY.split("\n")[0] in text_of(replies)


async def test_rest_does_not_trust_client_identity(widget_stack: WidgetStack) -> None:
    body = {
        "sender": f"rest-{uuid.uuid4().hex}",
        "message": "ik wil een voucher aanvragen",
        "metadata": {"municipality": "GM9901", "employee_key": uuid.uuid4().hex},
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(widget_stack.servers.webhook, json=body) as response,
    ):
        replies = await response.json()
    assert ledger_texts.NO_IDENTITY.split("\n")[0] in text_of(replies)


@pytest.mark.parametrize(
    "bad_token, expected",
    [
        (lambda: token(exp=int(time.time()) - 3600), widget_texts.TOKEN_EXPIRED),
        (lambda: token(_secret="another-secret-of-at-least-32-chars"), widget_texts.TOKEN_INVALID),
        (lambda: token(gemeente="GM9902"), widget_texts.TOKEN_INVALID),
        (lambda: "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", widget_texts.TOKEN_INVALID),
    ],
    ids=["expired", "forged", "unknown-municipality", "alg-none"],
)
async def test_bad_tokens_are_refused_with_a_dutch_message(chats, bad_token, expected) -> None:
    chat = chats()
    with pytest.raises(socketio.exceptions.ConnectionError):
        await chat.start(bad_token())
    assert chat.refusal["message"] == expected
    assert not chat.sio.connected


async def test_oversized_message_gets_a_clear_answer_and_never_reaches_rasa(
    widget_stack: WidgetStack, chats
) -> None:
    chat = chats()
    await chat.start()
    ack, replies = await chat.say("a" * 1501)
    assert ack == {"ok": False, "error": "too_long"}
    assert "Je bericht is te lang" in text_of(replies) and "1500" in text_of(replies)
    ack, _ = await chat.say("hoi")
    assert ack == {"ok": True}
    assert await user_texts(widget_stack, chat.session_id) == ["hoi"]


async def test_malformed_events_are_ignored(widget_stack: WidgetStack, chats) -> None:
    chat = chats()
    await chat.start()
    for event, data in [
        ("user_uttered", None),
        ("user_uttered", "just a string"),
        ("user_uttered", [1, 2]),
        ("user_uttered", {"message": 42}),
        ("user_uttered", {"message": {"x": 1}}),
        ("session_request", "garbage"),
        ("session_request", {"session_id": "../../etc"}),
        ("no_such_event", {"x": 1}),
    ]:
        await chat.sio.emit(event, data)
    ack = await chat.sio.call("user_uttered", {"message": ["x"]}, timeout=10)
    assert ack == {"ok": False, "error": "malformed"}
    ack, replies = await chat.say("hoi")
    assert ack == {"ok": True} and "anoniem" in text_of(replies)
    assert "Traceback" not in widget_stack.servers.rasa_log.read_text(errors="replace")


async def test_a_resent_message_is_handled_once_and_missed_replies_come_again(
    widget_stack: WidgetStack, chats
) -> None:
    first = chats()
    await first.start()
    client_id = uuid.uuid4().hex
    ack, replies = await first.say("hoi", client_id)
    assert ack == {"ok": True}
    last_seq = max(r["koers_seq"] for r in replies)
    ack, more = await first.say("is dit anoniem?")
    session_id, epoch = first.session_id, first.epoch
    await first.close()

    # reconnect (same browser): says it has seen up to the "hoi" answer, and resends "hoi"
    second = chats(browser=first.browser)
    await second.start(session_id=session_id, last_seq=last_seq, epoch=epoch)
    assert second.session_id == session_id
    missed = await second.drain(1.0)
    assert [m["koers_seq"] for m in missed] == [m["koers_seq"] for m in more]
    ack, replies = await second.say("hoi", client_id)
    assert ack == {"ok": True, "duplicate": True} and replies == []
    assert await user_texts(widget_stack, session_id) == ["hoi", "is dit anoniem?"]


async def test_a_conversation_is_not_handed_to_another_employee(chats) -> None:
    owner = chats()
    await owner.start(token("employee-a"))
    await owner.say("hoi")
    intruder = chats()
    await intruder.start(token("employee-b"), session_id=owner.session_id, last_seq=0)
    assert intruder.session_id != owner.session_id
    assert await intruder.drain(0.5) == []  # none of the owner's messages
    anonymous = chats()
    await anonymous.start(session_id=owner.session_id)
    assert anonymous.session_id != owner.session_id
