"""The widget channel as ``rasa run`` mounts it (bot/channels/widget/channel.py): a message from
the widget passes the failure guard and the pseudonymisation exactly once on its way to Rasa."""

from __future__ import annotations

import asyncio
import socket
import uuid
from typing import Any

import pytest
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from bot.channels import guards
from bot.channels import identity as ids
from bot.channels.widget.channel import KoersSocketIOInput
from bot.privacy.pseudonym import build_pseudonymizer, reset_pseudonymizer
from bot.rasa_ext.patches import install_all
from tests.browser.widget_support import socketio_client
from tests.conversation.conftest import (
    TEST_IDENTITY_SECRET,
    TEST_PSEUDONYM_SECRET,
    TEST_WIDGET_SECRETS,
)


async def cancel_engineio_tasks() -> None:
    """engine.io's ping tasks would outlive the test's event loop."""
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        if task is not asyncio.current_task() and "engineio" in getattr(code, "co_filename", ""):
            task.cancel()
    await asyncio.sleep(0)


async def test_one_widget_message_passes_each_wrapper_once(monkeypatch: pytest.MonkeyPatch) -> None:
    install_all()  # as the Rasa server's entry point does (bot/rasa_ext/server.py)
    monkeypatch.setattr(Sanic, "test_mode", True)
    for name, value in {
        "KOERS_IDENTITY_SECRET": TEST_IDENTITY_SECRET,
        "KOERS_PSEUDONYM_SECRET": TEST_PSEUDONYM_SECRET,
        "KOERS_WIDGET_JWT_SECRETS": ",".join(f"{k}={v}" for k, v in TEST_WIDGET_SECRETS.items()),
    }.items():
        monkeypatch.setenv(name, value)
    reset_pseudonymizer()  # an earlier test may have built the process-wide one with its secret
    passes = {"guard_failures": 0, "protect_incoming": 0}
    real_guard, real_protect = guards.guard_failures, guards.protect_incoming

    def counted_guard(on_new_message: Any, limiter: Any = None) -> Any:
        guarded = real_guard(on_new_message, limiter)

        async def handle(message: UserMessage) -> Any:
            passes["guard_failures"] += 1
            return await guarded(message)

        return handle

    def counted_protect(message: UserMessage, *args: Any) -> UserMessage:
        passes["protect_incoming"] += 1
        return real_protect(message, *args)

    monkeypatch.setattr(guards, "guard_failures", counted_guard)
    monkeypatch.setattr(guards, "protect_incoming", counted_protect)

    received: list[UserMessage] = []

    class Agent:  # Rasa's agent, as far as the channel sees it
        async def handle_message(self, message: UserMessage) -> None:
            received.append(message)
            await message.output_channel.send_text_message(message.sender_id, "hoi terug")

    app = Sanic(f"widget-test-{uuid.uuid4().hex[:12]}")
    app.ctx.agent = Agent()
    channel = KoersSocketIOInput(
        user_message_evt="user_uttered", bot_message_evt="bot_uttered", session_persistence=True
    )
    register([channel], app, route="/webhooks/")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(100)
    sock.setblocking(False)
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    client = socketio_client(monkeypatch)
    confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
    replies: list[dict] = []
    client.on("session_confirm", lambda session_id: confirmed.set_result(session_id))
    client.on("bot_uttered", replies.append)
    try:
        host, port = sock.getsockname()[:2]
        await client.connect(
            f"http://{host}:{port}", transports=["websocket"], auth={"browser": uuid.uuid4().hex}
        )
        await client.emit("session_request", {})
        session_id = await asyncio.wait_for(confirmed, 10)
        data = {"message": "hoi", "session_id": session_id, "client_id": uuid.uuid4().hex}
        ack = await client.call("user_uttered", data, timeout=10)
        await asyncio.sleep(0.1)
    finally:
        await client.disconnect()
        await channel.sio.shutdown()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
        await cancel_engineio_tasks()
        reset_pseudonymizer()
    assert ack == {"ok": True}
    assert passes == {"guard_failures": 1, "protect_incoming": 1}
    [message] = received
    pseudonyms = build_pseudonymizer(TEST_PSEUDONYM_SECRET)
    assert message.sender_id == ids.conversation_key(ids.CHANNEL_WIDGET, session_id, pseudonyms)
    assert [reply["text"] for reply in replies] == ["hoi terug"]
