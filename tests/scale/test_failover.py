"""Shared state across the two Rasa instances of ``make scale`` (bot/shared_state.py in Redis).

* a widget that moves to the other instance gets the replies it missed (one numbering for both
  instances) and a message it sends again there is handled once;
* a Teams activity the Bot Framework delivers again, to the other instance, gets one reply;
* an instance killed in the middle of a widget turn: the widget reconnects to the other
  instance, resends its unacknowledged message, and the conversation holds it exactly once;
* an instance killed in the middle of REST conversations through nginx: they go on on the
  other instance with their trackers intact (PostgreSQL), every message handled once.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import subprocess
import time
import uuid
from typing import Any

import aiohttp

from bot.config import PROJECT_ROOT
from tests.browser.test_widget_socket import SocketChat, text_of
from tests.channels.teams.fake_botframework import TENANT_ID, FakeBotFramework
from tests.conversation.conftest import AUTH_TOKEN, Chat, pseudonym
from tools.devservices import wait_for_http
from tools.scale import Deployment

REPLY_TIMEOUT_S = 60
#: A REST client's pause before it sends a message again after a gateway error. An immediate
#: resend can wait forever: Rasa's ticket lock never serves a waiting ticket that expires
#: within a poll (1 s) of the dead instance's ticket (reported to the lock store's owner).
RESEND_PAUSE_S = 3.0


async def widget_user_texts(http: aiohttp.ClientSession, base: str, session_id: str) -> list:
    url = f"{base}/conversations/{pseudonym(session_id, 'widget')}/tracker" f"?token={AUTH_TOKEN}"
    async with http.get(url) as response:
        assert response.status == 200
        events = (await response.json())["events"]
    return [e["text"] for e in events if e["event"] == "user"]


def seqs(replies: list[dict]) -> list[int]:
    return [r["koers_seq"] for r in replies if "koers_seq" in r]


async def test_widget_resend_on_the_other_instance_is_handled_once(
    deployment: Deployment, http: aiohttp.ClientSession, monkeypatch: Any
) -> None:
    one_url, two_url = deployment.rasa_urls
    first = SocketChat(one_url, monkeypatch)
    await first.start()
    ack, hello = await first.say("hoi", "c-1")
    assert ack == {"ok": True} and "anoniem" in text_of(hello)
    last_seen = max(seqs(hello))
    ack, scan = await first.say("ik wil de talentscan doen", "c-2")
    assert ack == {"ok": True} and "Vraag 1 van 14" in text_of(scan)
    await first.close()  # pretend the replies to c-2 never reached the browser

    second = SocketChat(two_url, monkeypatch, browser=first.browser)
    try:
        await second.start(session_id=first.session_id, last_seq=last_seen, epoch=first.epoch)
        assert second.session_id == first.session_id and second.epoch == first.epoch
        missed = await second.drain(1.0)
        assert seqs(missed) == seqs(scan)  # exactly what it missed, from the other instance
        assert "Vraag 1 van 14" in text_of(missed)
        ack, again = await second.say("ik wil de talentscan doen", "c-2")  # the outbox resends
        assert ack == {"ok": True, "duplicate": True}
        assert "Vraag" not in text_of(again)
        texts = await widget_user_texts(http, two_url, first.session_id)
        assert texts == ["hoi", "ik wil de talentscan doen"]  # handled once
        ack, next_question = await second.say("4", "c-3")
        assert ack == {"ok": True} and "Vraag 2 van 14" in text_of(next_question)
        assert min(seqs(next_question)) > max(seqs(scan))  # one numbering across instances
    finally:
        await second.close()


class TeamsUser:
    def __init__(self, fake: FakeBotFramework) -> None:
        self.fake = fake
        self.aad = str(uuid.uuid4())
        self.conversation = f"a:{uuid.uuid4().hex}"

    def activity(self, text: str) -> dict[str, Any]:
        return self.fake.activity(
            text,
            conversation={
                "id": self.conversation,
                "conversationType": "personal",
                "tenantId": TENANT_ID,
            },
            **{
                "from": {
                    "id": f"29:{self.aad[:8]}",
                    "name": "Test Gebruiker",
                    "aadObjectId": self.aad,
                }
            },
        )

    async def post(self, http: aiohttp.ClientSession, base: str, activity: dict) -> int:
        token = self.fake.token(activity["serviceUrl"])
        async with http.post(
            f"{base}/webhooks/botframework/webhook",
            json=activity,
            headers={"Authorization": f"Bearer {token}"},
        ) as response:
            return response.status

    def replies(self) -> list[dict[str, Any]]:
        return [
            d.activity for d in list(self.fake.deliveries) if d.conversation_id == self.conversation
        ]

    async def wait_for(self, count: int, settle: float = 5.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while len(self.replies()) < count:
            assert time.monotonic() < deadline, self.replies()
            await asyncio.sleep(0.1)
        await asyncio.sleep(settle)  # a second answer would arrive meanwhile
        return self.replies()


async def test_teams_activity_redelivered_to_the_other_instance_gets_one_reply(
    deployment: Deployment, http: aiohttp.ClientSession, teams_fake: FakeBotFramework
) -> None:
    one_url, two_url = deployment.rasa_urls
    user = TeamsUser(teams_fake)
    hello = user.activity("hoi")
    assert await user.post(http, one_url, hello) == 200
    await asyncio.sleep(0.5)
    assert await user.post(http, two_url, hello) == 200  # the Bot Framework tries again
    [welcome] = await user.wait_for(1)
    assert welcome["text"].startswith("Hoi! Ik ben Koers.")

    # the same, both at the same moment
    scan = user.activity("ik wil de talentscan doen")
    statuses = await asyncio.gather(user.post(http, one_url, scan), user.post(http, two_url, scan))
    assert statuses == [200, 200]
    texts = [r.get("text", "") for r in (await user.wait_for(2))[1:]]
    assert sum("Vraag 1 van 14" in text for text in texts) == 1, texts
    assert len(texts) == len(set(texts)), texts  # no reply twice


def restart(deployment: Deployment, name: str) -> None:
    """Start a killed Rasa instance again, with the command line and settings it had."""
    old = deployment.processes[name]
    log = deployment.workdir / f"{name}.log"
    with log.open("a") as out:
        process = subprocess.Popen(
            old.args,
            cwd=PROJECT_ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**deployment.env, "SANIC_WORKERS": "1"},
        )
    deployment.processes[name] = process
    url = deployment.rasa_urls[int(name.removeprefix("rasa")) - 1]
    wait_for_http(f"{url}/", process, log, 300)


async def test_killed_instance_mid_turn_widget_continues_on_the_other_exactly_once(
    deployment: Deployment, http: aiohttp.ClientSession, monkeypatch: Any
) -> None:
    one_url, two_url = deployment.rasa_urls
    first = SocketChat(one_url, monkeypatch)
    await first.start()
    ack, hello = await first.say("hoi", "k-1")
    assert ack == {"ok": True}
    last_seen = max(seqs(hello))
    data = {
        "message": "ik wil de talentscan doen",
        "session_id": first.session_id,
        "client_id": "k-2",
    }
    await first.sio.emit("user_uttered", data)  # no acknowledgement will come
    await asyncio.sleep(0.2)
    deployment.processes["rasa1"].send_signal(signal.SIGKILL)
    deployment.processes["rasa1"].wait(10)
    seen = [*hello, *await first.drain(0.1)]
    with contextlib.suppress(Exception):  # the server is gone
        await first.sio.disconnect()

    second = SocketChat(two_url, monkeypatch, browser=first.browser)
    try:
        await second.start(session_id=first.session_id, last_seq=max(seqs(seen)), epoch=first.epoch)
        seen += await second.drain(1.0)
        # the widget's outbox sends the unacknowledged message again; instance two handles it
        # (instance one died before it) or calls it a duplicate (instance one finished it)
        ack, replies = await second.say("ik wil de talentscan doen", "k-2")
        assert ack in ({"ok": True}, {"ok": True, "duplicate": True})
        seen += replies
        assert "Vraag 1 van 14" in text_of(seen)
        assert len(seqs(seen)) == len(set(seqs(seen)))  # nothing shown twice
        texts = await widget_user_texts(http, two_url, first.session_id)
        assert texts == ["hoi", "ik wil de talentscan doen"]  # exactly once
        ack, nxt = await second.say("4", "k-3")
        assert ack == {"ok": True} and "Vraag 2 van 14" in text_of(nxt)
        assert min(seqs(nxt)) > last_seen
    finally:
        await second.close()
        restart(deployment, "rasa1")  # the other scale tests need both instances


async def rest_say(http: aiohttp.ClientSession, base: str, sender: str, text: str) -> list[dict]:
    """A REST client's turn through nginx: a gateway error (the instance died under the
    request) means "not answered", so it sends the message once more after a short pause, as
    a client does. The resend waits for the dead instance's Rasa lock ticket to expire (60 s).
    """
    body = {"sender": sender, "message": text}
    statuses: list[tuple[int, float]] = []
    for attempt in range(2):
        if attempt:
            await asyncio.sleep(RESEND_PAUSE_S)
        started = time.monotonic()
        async with http.post(f"{base}/webhooks/rest/webhook", json=body) as response:
            if response.status == 200:
                return await response.json()
            statuses.append((response.status, round(time.monotonic() - started, 1)))
            assert response.status in (502, 504), statuses
    raise AssertionError(f"not answered: (status, seconds) {statuses}")


async def rest_user_texts(http: aiohttp.ClientSession, base: str, sender: str) -> list[str]:
    url = f"{base}/conversations/{pseudonym(sender)}/tracker?token={AUTH_TOKEN}"
    async with http.get(url) as response:
        assert response.status == 200
        events = (await response.json())["events"]
    return [e["text"] for e in events if e["event"] == "user"]


async def test_killed_instance_mid_rest_conversations_they_continue_through_nginx_once(
    deployment: Deployment, http: aiohttp.ClientSession
) -> None:
    """Four REST conversations through nginx (least busy instance each turn); instance one is
    killed while their next messages are on the way."""
    senders = [f"rest-failover-{uuid.uuid4().hex[:8]}" for _ in range(4)]
    base = deployment.nginx_url
    for sender in senders:
        assert "anoniem" in Chat.text_of(await rest_say(http, base, sender, "hoi"))
        scan = await rest_say(http, base, sender, "ik wil de talentscan doen")
        assert "Vraag 1 van 14" in Chat.text_of(scan)

    async def kill_soon() -> None:
        await asyncio.sleep(0.05)
        deployment.processes["rasa1"].send_signal(signal.SIGKILL)
        await asyncio.to_thread(deployment.processes["rasa1"].wait, 10)

    try:
        *during, _ = await asyncio.gather(
            *(rest_say(http, base, sender, "4") for sender in senders), kill_soon()
        )
        for replies in during:
            assert "Vraag 2 van 14" in Chat.text_of(replies)
        for sender in senders:  # instance two alone now, the trackers read from PostgreSQL
            after = await rest_say(http, base, sender, "3")
            assert "Vraag 3 van 14" in Chat.text_of(after)
            assert "Vraag 2 van 14" not in Chat.text_of(after)  # nothing answered twice
            texts = await rest_user_texts(http, deployment.rasa_urls[1], sender)
            assert texts == ["hoi", "ik wil de talentscan doen", "4", "3"]  # each once
    finally:
        restart(deployment, "rasa1")  # the other scale tests need both instances
