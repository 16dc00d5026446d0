"""Two widget socket.io servers ("instances") sharing one Redis book
(bot/channels/widget/socket.py).

The same handlers and echoing stand-in for Rasa as tests/web/test_widget_socket_handlers.py,
but with :class:`SharedSessionBook` on the real Redis: a widget that moves to the other
instance gets what it missed, a message it sends again there is handled once, and the replies
of a turn that is still running on the instance it left reach it on the new one (no socket.io
message queue between the instances: see README "Scaling").
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
import redis
import socketio
from aiohttp import web
from rasa.core.channels.channel import UserMessage

from bot.channels.widget.auth import parse_widget_keys
from bot.channels.widget.socket import SharedSessionBook, install
from bot.shared_state import FallbackState, RedisState
from tests.web.test_widget_socket_handlers import IDENTITY_SECRET, PSEUDONYMS, SECRET, Client


class Instance:
    """One widget server with its own socket.io state and the shared book."""

    def __init__(self, book: SharedSessionBook) -> None:
        self.book = book
        self.sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins=[])
        self.received: list[UserMessage] = []
        self.release = asyncio.Event()
        self.release.set()
        channel = SimpleNamespace(
            sio=self.sio,
            namespace=None,
            session_persistence=True,
            user_message_evt="user_uttered",
            bot_message_evt="bot_uttered",
            name=lambda: "socketio",
        )
        install(
            channel,
            self.on_new_message,
            parse_widget_keys(f"GM9901={SECRET}", ""),
            100,
            IDENTITY_SECRET,
            pseudonymizer=PSEUDONYMS,
            book=book,
        )
        self.url = ""

    async def on_new_message(self, message: UserMessage) -> None:
        self.received.append(message)
        await self.release.wait()
        await message.output_channel.send_response(
            message.sender_id, {"text": f"echo: {message.text}"}
        )


@pytest.fixture
def prefix() -> Iterator[str]:
    chosen = f"koers-test-{uuid.uuid4().hex[:12]}:"
    yield chosen
    client = redis.Redis("127.0.0.1", 6379, decode_responses=True)
    for key in client.scan_iter(match=chosen + "*"):
        client.delete(key)
    client.close()


@pytest.fixture
async def instances(aiohttp_server: Any, prefix: str) -> AsyncIterator[list[Instance]]:
    made = []
    for _ in range(2):
        store = FallbackState(RedisState.connect("127.0.0.1", 6379, 0, prefix=prefix))
        instance = Instance(SharedSessionBook(store, IDENTITY_SECRET, lease_seconds=1.0))
        app = web.Application()
        instance.sio.attach(app)
        instance.url = str((await aiohttp_server(app)).make_url(""))
        made.append(instance)
    yield made
    for instance in made:
        await instance.sio.shutdown()
    for task in asyncio.all_tasks():  # engine.io ping tasks would outlive the test's loop
        code = getattr(task.get_coro(), "cr_code", None)
        if task is not asyncio.current_task() and "engineio" in getattr(code, "co_filename", ""):
            task.cancel()
    await asyncio.sleep(0)


async def test_failover_replays_missed_messages_and_handles_a_resend_once(
    instances: list[Instance], monkeypatch: Any
) -> None:
    one, two = instances
    first = Client(one.url, monkeypatch)
    await first.start()
    assert await first.say("een", "id-1") == {"ok": True}
    seen = [m["koers_seq"] for m in first.inbox]
    epoch = first.epoch
    await first.say("twee", "id-2")  # answered while the widget is "away": it misses this
    await first.sio.disconnect()

    second = Client(two.url, monkeypatch, browser=first.browser)  # the same browser, elsewhere
    await second.start(session_id=first.session_id, koers_epoch=epoch, koers_last_seq=seen[-1])
    await asyncio.sleep(0.2)  # the missed messages follow session_confirm
    assert second.session_id == first.session_id
    assert second.epoch == epoch  # one numbering across the instances
    assert [m["text"] for m in second.inbox] == ["echo: twee"]  # what it missed, once
    assert await second.say("twee", "id-2") == {"ok": True, "duplicate": True}
    assert len(one.received) == 2 and two.received == []  # handled once, on instance one
    assert await second.say("drie", "id-3") == {"ok": True}
    assert [m["koers_seq"] for m in second.inbox][-1] == 3
    await second.sio.disconnect()


async def test_a_resend_while_the_other_instance_is_still_busy_waits_for_it(
    instances: list[Instance], monkeypatch: Any
) -> None:
    one, two = instances
    first = Client(one.url, monkeypatch)
    await first.start()
    one.release.clear()  # instance one is slow with this turn
    data = {"message": "traag", "session_id": first.session_id, "client_id": "id-slow"}
    await first.sio.emit("user_uttered", data)
    await asyncio.sleep(0.3)
    second = Client(two.url, monkeypatch, browser=first.browser)
    await second.start(session_id=first.session_id)
    resend = asyncio.ensure_future(second.say("traag", "id-slow"))
    await asyncio.sleep(1.5)  # longer than the lease: instance one keeps renewing it
    assert not resend.done() and two.received == []
    one.release.set()
    assert await asyncio.wait_for(resend, 5) == {"ok": True, "duplicate": True}
    assert len(one.received) == 1 and two.received == []
    assert [m["text"] for m in second.inbox] == ["echo: traag"]  # its reply, from the book
    await first.sio.disconnect()
    await second.sio.disconnect()


async def test_a_turn_that_outlasts_the_wait_still_reaches_the_socket_on_the_other_instance(
    instances: list[Instance], monkeypatch: Any
) -> None:
    """The socket moved to instance two while instance one is slow with its turn, longer than
    two waits before it acknowledges the resend: the reply, produced on one (which has no
    socket for it any more), still arrives on two's socket, once."""
    one, two = instances
    two.book.busy_wait_seconds = 1.0
    first = Client(one.url, monkeypatch)
    await first.start()
    one.release.clear()
    data = {"message": "heel traag", "session_id": first.session_id, "client_id": "id-long"}
    await first.sio.emit("user_uttered", data)
    await asyncio.sleep(0.3)
    await first.sio.disconnect()  # the widget's connection to instance one is gone
    second = Client(two.url, monkeypatch, browser=first.browser)
    await second.start(session_id=first.session_id)
    assert await asyncio.wait_for(second.say("heel traag", "id-long"), 5) == {
        "ok": True,
        "duplicate": True,
    }  # acknowledged before the widget's 30 s ack timeout, while one still works on it
    assert second.inbox == [] and two.received == []
    one.release.set()  # one answers now, to a room that has no socket on one
    for _ in range(40):
        if second.inbox:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.6)  # a second hand-over would have arrived by now
    assert [m["text"] for m in second.inbox] == ["echo: heel traag"]
    assert len(one.received) == 1 and two.received == []
    await second.sio.disconnect()
