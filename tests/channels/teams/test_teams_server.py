"""End to end: the real Rasa server (trained model, action server) with the Teams channel from
credentials.yml, configured through the environment to use the fake Bot Framework service."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.channels.teams.activity import HERO_CARD, PAYLOAD_KEY
from tests.channels.teams.fake_botframework import APP_ID, APP_PASSWORD, TENANT_ID, FakeBotFramework
from tests.conversation.conftest import AUTH_TOKEN, KoersServers, pseudonym, running_servers

pytestmark = pytest.mark.server
REPLY_TIMEOUT_S = 60


class ThreadedFake:
    """The fake service on its own event loop in a thread (the server fixture blocks)."""

    def __init__(self) -> None:
        self.fake = FakeBotFramework()
        self._loop = asyncio.new_event_loop()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self.fake.base_url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._ready = threading.Event()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        runner = web.AppRunner(self.fake.make_app(), access_log=None)
        self._loop.run_until_complete(runner.setup())
        self._loop.run_until_complete(web.SockSite(runner, self._sock).start())
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(runner.cleanup())
        self._loop.close()

    def __enter__(self) -> FakeBotFramework:
        self._thread.start()
        assert self._ready.wait(10)
        return self.fake

    def __exit__(self, *exc: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)


@pytest.fixture(scope="module")
def teams_koers(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[KoersServers, FakeBotFramework]]:
    workdir = tmp_path_factory.mktemp("teams-servers")
    with ThreadedFake() as fake:
        env = {
            "KOERS_TEAMS_APP_ID": APP_ID,
            "KOERS_TEAMS_APP_PASSWORD": APP_PASSWORD,
            "KOERS_TEAMS_OPENID_METADATA_URL": (
                f"{fake.base_url}/v1/.well-known/openidconfiguration"
            ),
            "KOERS_TEAMS_TOKEN_ENDPOINT": f"{fake.base_url}/botframework.com/oauth2/v2.0/token",
            "KOERS_TEAMS_ALLOW_INSECURE_SERVICE_URL": "true",
            "KOERS_TEAMS_TENANT_MUNICIPALITIES": f"{TENANT_ID}=GM9901",
        }
        with running_servers(
            workdir, f"sqlite:///{workdir / 'tracker.db'}", extra_env=env
        ) as servers:
            yield servers, fake


class TeamsUser:
    """One employee in their own personal chat with Koers."""

    def __init__(self, servers: KoersServers, fake: FakeBotFramework) -> None:
        self.servers, self.fake = servers, fake
        self.aad = str(uuid.uuid4())
        self.conversation = f"a:{uuid.uuid4().hex}"

    def activity(self, text: str | None, **fields: Any) -> dict[str, Any]:
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
            **fields,
        )

    async def post(self, activity: dict[str, Any], token: str | None = None) -> int:
        token = token or self.fake.token(activity["serviceUrl"])
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{self.servers.rasa_url}/webhooks/botframework/webhook",
                json=activity,
                headers={"Authorization": f"Bearer {token}"},
            ) as response,
        ):
            return response.status

    def replies(self) -> list[dict[str, Any]]:
        return [
            d.activity for d in list(self.fake.deliveries) if d.conversation_id == self.conversation
        ]

    async def wait_for(self, count: int) -> list[dict[str, Any]]:
        deadline = time.monotonic() + REPLY_TIMEOUT_S
        while len(self.replies()) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"replies: {self.replies()}\n{self.servers.logs()[-3000:]}")
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let any further replies of this turn arrive
        return self.replies()


async def test_hoi_in_teams_gets_the_dutch_welcome_with_buttons(
    teams_koers: tuple[KoersServers, FakeBotFramework],
) -> None:
    user = TeamsUser(*teams_koers)

    assert await user.post(user.activity("hoi")) == 200

    [welcome] = await user.wait_for(1)
    assert welcome["text"].startswith("Hoi! Ik ben Koers.")
    assert "anoniem" in welcome["text"]
    [card] = welcome["attachments"]
    assert card["contentType"] == HERO_CARD
    buttons = {b["title"]: b for b in card["content"]["buttons"]}
    assert buttons["Doe de talentscan"]["value"] == {PAYLOAD_KEY: "/start_scan"}

    # clicking the button starts the scan
    click = user.activity("Doe de talentscan", value={PAYLOAD_KEY: "/start_scan"})
    assert await user.post(click) == 200
    replies = await user.wait_for(2)
    assert any("talentscan" in r.get("text", "") for r in replies[1:])


async def test_welcome_when_koers_is_installed(
    teams_koers: tuple[KoersServers, FakeBotFramework],
) -> None:
    user = TeamsUser(*teams_koers)
    update = user.activity(None, type="conversationUpdate", membersAdded=[{"id": f"28:{APP_ID}"}])

    assert await user.post(update) == 200

    [welcome] = await user.wait_for(1)
    assert welcome["text"].startswith("Hoi! Ik ben Koers.")


async def test_forged_token_is_refused_by_the_real_server(
    teams_koers: tuple[KoersServers, FakeBotFramework],
) -> None:
    servers, fake = teams_koers
    user = TeamsUser(servers, fake)
    activity = user.activity("hoi")
    forged = fake.token(activity["serviceUrl"], aud="someone-else")
    assert await user.post(activity, token=forged) == 401
    await asyncio.sleep(2)
    assert user.replies() == []


async def test_teams_ids_never_reach_the_tracker_store_and_vouchers_work(
    teams_koers: tuple[KoersServers, FakeBotFramework],
) -> None:
    servers, fake = teams_koers
    user = TeamsUser(servers, fake)
    assert await user.post(user.activity("ik wil een voucher")) == 200
    replies = await user.wait_for(1)
    assert "Je voucher is klaar!" in replies[0]["text"]  # municipality from the tenant map

    conversation_id = pseudonym(user.conversation, "msteams")
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{servers.rasa_url}/conversations/{conversation_id}/tracker?token={AUTH_TOKEN}"
        ) as response,
    ):
        assert response.status == 200
        tracker = await response.json()
    assert any(e.get("event") == "user" for e in tracker["events"])
    with sqlite3.connect(servers.tracker_db_url.removeprefix("sqlite:///")) as db:
        dump = "\n".join(db.iterdump())
    assert conversation_id in dump
    for raw in (user.aad, f"29:{user.aad[:8]}", TENANT_ID, "Test Gebruiker"):
        assert raw not in dump


async def test_delete_user_data_erases_the_conversation_like_verwijder_mijn_gegevens(
    teams_koers: tuple[KoersServers, FakeBotFramework],
) -> None:
    """Issue 19, item 4: Teams' deleteUserData erases the tracker events and linked data
    (a preparation sheet) of that conversation, and nobody else's."""
    from datetime import timedelta

    from sqlalchemy import func, select

    from bot.clock import utcnow
    from bot.db.engine import make_engine, make_session_factory, session_scope
    from bot.preparation.store import PreparationSheet

    servers, fake = teams_koers
    user, other = TeamsUser(servers, fake), TeamsUser(servers, fake)
    for person in (user, other):
        assert await person.post(person.activity("hoi")) == 200
        await person.wait_for(1)
    key = pseudonym(user.conversation, "msteams")
    other_key = pseudonym(other.conversation, "msteams")
    engine = make_engine(servers.env["KOERS_DATABASE_URL"])
    factory = make_session_factory(engine)
    now = utcnow()
    with session_scope(factory) as session:
        for owner in (key, other_key):
            session.add(
                PreparationSheet(
                    token_hash=uuid.uuid4().hex,
                    conversation_id=owner,
                    content="{}",
                    created_at=now,
                    expires_at=now + timedelta(days=7),
                )
            )

    def events_of(conversation: str) -> int:
        with sqlite3.connect(servers.tracker_db_url.removeprefix("sqlite:///")) as db:
            query = "SELECT count(*) FROM events WHERE sender_id = ?"
            return int(db.execute(query, (conversation,)).fetchone()[0])

    deadline = time.monotonic() + REPLY_TIMEOUT_S
    while not (events_of(key) and events_of(other_key)):  # stored when each turn ends
        assert time.monotonic() < deadline, servers.logs()[-3000:]
        await asyncio.sleep(0.2)
    replies = len(user.replies())
    assert await user.post(user.activity(None, type="deleteUserData")) == 200

    def sheets_of(conversation: str) -> int:
        with session_scope(factory) as session:
            count = select(func.count()).select_from(PreparationSheet)
            mine = PreparationSheet.conversation_id == conversation
            return int(session.scalar(count.where(mine)))

    deadline = time.monotonic() + REPLY_TIMEOUT_S
    try:
        while events_of(key) or sheets_of(key):  # events first, then the linked data
            assert time.monotonic() < deadline, servers.logs()[-3000:]
            await asyncio.sleep(0.2)
        assert sheets_of(other_key) == 1
    finally:
        engine.dispose()
    assert events_of(other_key) > 0  # only this conversation
    assert len(user.replies()) == replies  # no reply to a system request
    # the employee can start again afterwards
    assert await user.post(user.activity("hoi")) == 200
    await user.wait_for(replies + 1)
