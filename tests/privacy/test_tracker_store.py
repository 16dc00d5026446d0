"""The scrubbing tracker store on SQLite and PostgreSQL: nothing personal reaches the database."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    EntitiesAdded,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import cli
from bot.privacy.logging import uninstall_log_privacy
from bot.privacy.pseudonym import Pseudonymizer, build_pseudonymizer, reset_pseudonymizer
from bot.privacy.retention import register_erasure_hook, unregister_erasure_hook
from bot.rasa_ext.stores import ScrubbingSQLTrackerStore

from .conftest import OLD_SECRET, SECRET

SENDER = "29:1TeamsUserAbCdEf-0042"
MESSAGE_ID = "teams-activity-9f8e7d6c"
PII = {
    "names": [
        "Fatima El Amrani",
        "Fatima",
        "Amrani",
        "Kees van der Meulen",
        "Meulen",
        "Hatice Öztürk",
        "Öztürk",
        "Jan Jansen",
    ],
    "email": ["f.elamrani@zaanstad.nl", "elamrani"],
    "phone": ["06-41829375", "41829375", "0641829375"],
    "bsn": ["111222333"],
    "iban": ["NL91 ABNA 0417 1643 00", "NL91ABNA0417164300", "0417 1643", "0417164300"],
    "postcode": ["1442 BT", "1442BT"],
    "address": ["Dorpsstraat 14"],
    "dob": ["14-07-1965"],
    "employee": ["204518"],
    "url": ["linkedin.com/in/fatima-el-amrani"],
    "ip": ["192.168.14.23"],
    "ids": [SENDER, "TeamsUserAbCdEf", MESSAGE_ID, "9f8e7d6c", "aad-object-id-777"],
}
ALL_PII = [s for group in PII.values() for s in group]

TEXT_1 = (
    "Mijn leidinggevende Fatima El Amrani weet niks. Mail me op f.elamrani@zaanstad.nl "
    "of bel 06-41829375."
)
TEXT_2 = (
    "BSN 111222333, IBAN NL91 ABNA 0417 1643 00, ik woon op Dorpsstraat 14, 1442 BT "
    "Purmerend, geboren 14-07-1965, personeelsnummer 204518, "
    "linkedin.com/in/fatima-el-amrani, ip 192.168.14.23"
)
TEXT_3 = "Ik wil weg bij Werk en Inkomen, Kees van der Meulen zegt dat Hatice Öztürk gaat."


@pytest.fixture
def domain() -> Domain:
    return Domain.from_dict(
        {
            "intents": ["inform"],
            "slots": {
                "naam": {"type": "text", "mappings": [{"type": "custom"}]},
                "wens": {"type": "text", "mappings": [{"type": "custom"}]},
                "afdeling": {"type": "text", "mappings": [{"type": "custom"}]},
            },
            "responses": {"utter_check": [{"text": "Klopt dat?"}]},
        }
    )


def make_store(url: str, domain: Domain, pseudonymizer: Pseudonymizer, **kw):
    return ScrubbingSQLTrackerStore(
        domain=domain,
        url=url,
        pseudonymizer=pseudonymizer,
        retention_interval_minutes=0,
        install_log_filter=False,
        **kw,
    )


def user(text: str, ts: float | None = None, entities=None) -> UserUttered:
    return UserUttered(
        text,
        intent={"name": "inform", "confidence": 0.93},
        entities=entities or [],
        parse_data={
            "intent": {"name": "inform", "confidence": 0.93},
            "entities": entities or [],
            "text": text,
            "message_id": MESSAGE_ID,
        },
        timestamp=ts,
        input_channel="msteams",
        message_id=MESSAGE_ID,
        metadata={
            "user_name": "Jan Jansen",
            "aadObjectId": "aad-object-id-777",
            "ip": "192.168.14.23",
            "model_id": "m-1",
        },
    )


def pii_tracker(domain: Domain, sender: str = SENDER, ts: float | None = None):
    t = ts or time.time()
    tracker = DialogueStateTracker(sender, domain.slots)
    events = [
        ActionExecuted("action_session_start", timestamp=t),
        SessionStarted(timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
        user(
            TEXT_1,
            t,
            [
                {
                    "entity": "PERSON",
                    "start": 20,
                    "end": 36,
                    "value": "Fatima El Amrani",
                    "extractor": "SpacyEntityExtractor",
                }
            ],
        ),
        SlotSet("naam", "Fatima", timestamp=t),
        BotUttered(
            "Dus Fatima El Amrani is je leidinggevende? Ik bel 06-41829375 niet.",
            data={"buttons": [{"title": "Ja, Fatima", "payload": "/affirm"}]},
            metadata={"utter_action": "utter_check", "user": "Jan Jansen"},
            timestamp=t,
        ),
        ActionExecuted("action_listen", timestamp=t),
        user(TEXT_2, t),
        EntitiesAdded([{"entity": "email", "value": "f.elamrani@zaanstad.nl"}], timestamp=t),
        SlotSet("wens", TEXT_3, timestamp=t),
        SlotSet("afdeling", "Werk en Inkomen", timestamp=t),
        ActionExecuted("utter_check", action_text="Hoi Hatice Öztürk", timestamp=t),
        ActionExecuted("action_listen", timestamp=t),
        user(TEXT_3, t),
    ]
    for event in events:
        tracker.update(event)
    return tracker


def raw_rows(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.text("select * from events order by id")).fetchall()
    finally:
        engine.dispose()
    return [" | ".join("" if v is None else str(v) for v in row) for row in rows]


def leaked(rows: list[str]) -> list[str]:
    blob = "\n".join(rows).lower()
    return [s for s in ALL_PII if s.lower() in blob]


async def test_nothing_personal_is_stored(db_url, domain, pseudonymizer) -> None:
    store = make_store(db_url, domain, pseudonymizer)
    await store.save(pii_tracker(domain))
    rows = raw_rows(db_url)
    assert len(rows) == 14
    assert leaked(rows) == []
    blob = "\n".join(rows)
    for placeholder in (
        "[NAAM]",
        "[EMAIL]",
        "[TELEFOON]",
        "[BSN]",
        "[IBAN]",
        "[POSTCODE]",
        "[ADRES]",
        "[GEBOORTEDATUM]",
        "[PERSONEELSNUMMER]",
        "[URL]",
        "[IP]",
    ):
        assert placeholder in blob, placeholder
    assert "Werk en Inkomen" in blob  # career vocabulary is kept
    assert "inform" in blob and "utter_check" in blob  # the dialogue structure is kept
    await store.close()


async def test_roundtrip_keeps_the_callers_id(db_url, domain, pseudonymizer) -> None:
    store = make_store(db_url, domain, pseudonymizer)
    await store.save(pii_tracker(domain))
    tracker = await store.retrieve(SENDER)
    assert tracker is not None and tracker.sender_id == SENDER
    assert tracker.get_slot("naam") == "[NAAM]"
    assert tracker.get_slot("afdeling") == "Werk en Inkomen"
    assert "[NAAM]" in tracker.latest_message.text
    # the next turn appends only the new events
    tracker.update(ActionExecuted("action_listen"))
    tracker.update(user("Bel Sanne Bakker op 06-12345678"))
    await store.save(tracker)
    rows = raw_rows(db_url)
    assert len(rows) == 16
    assert "Sanne" not in "\n".join(rows) and "12345678" not in "\n".join(rows)
    assert list(await store.keys()) == [pseudonymizer.pseudonym(SENDER)]
    assert await store.retrieve("someone-else") is None
    await store.close()


async def test_pseudonymous_ids_are_used_as_they_are(db_url, domain, pseudonymizer) -> None:
    store = make_store(db_url, domain, pseudonymizer)
    pseudo = pseudonymizer.pseudonym("edge-hashed")
    await store.save(pii_tracker(domain, sender=pseudo))
    assert list(await store.keys()) == [pseudo]
    await store.close()


async def test_rotation_moves_conversations(db_url, domain) -> None:
    old = build_pseudonymizer(OLD_SECRET, version=1)
    new = build_pseudonymizer(SECRET, version=2, previous_secret=OLD_SECRET)
    store = make_store(db_url, domain, old)
    await store.save(pii_tracker(domain))
    assert list(await store.keys()) == [old.pseudonym(SENDER)]
    await store.close()
    rotated = make_store(db_url, domain, new)
    tracker = await rotated.retrieve(SENDER)
    assert tracker is not None and len(tracker.events) == 14
    assert list(await rotated.keys()) == [new.pseudonym(SENDER)]
    await rotated.close()


async def test_erasure_by_channel_id_and_by_pseudonym(db_url, domain, pseudonymizer) -> None:
    store = make_store(db_url, domain, pseudonymizer)
    await store.save(pii_tracker(domain, sender="a"))
    await store.save(pii_tracker(domain, sender="b"))
    linked: list[str] = []
    register_erasure_hook("test", lambda cid: linked.append(cid) or 1)
    try:
        report = store.delete_conversation("a")
        assert report.events == 14
        assert pseudonymizer.pseudonym("a") in linked
        report = store.delete_conversation(pseudonymizer.pseudonym("b"))
        assert report.events == 14 and report.linked["test"] == 1
    finally:
        unregister_erasure_hook("test")
    assert raw_rows(db_url) == []
    await store.close()


async def test_retention_deletes_idle_conversations(db_url, domain, pseudonymizer) -> None:
    store = make_store(db_url, domain, pseudonymizer)
    now = datetime.now(timezone.utc)
    await store.save(pii_tracker(domain, "old", (now - timedelta(days=31)).timestamp()))
    await store.save(pii_tracker(domain, "recent", (now - timedelta(days=29)).timestamp()))
    dry = store.delete_idle_conversations(30, now=now, dry_run=True)
    assert dry.conversations == (pseudonymizer.pseudonym("old"),) and dry.events == 0
    report = store.delete_idle_conversations(30, now=now)
    assert report.conversations == (pseudonymizer.pseudonym("old"),)
    assert report.events == 14
    assert list(await store.keys()) == [pseudonymizer.pseudonym("recent")]
    assert store.delete_idle_conversations(30, now=now).conversations == ()
    await store.close()


async def test_retention_runs_by_itself_while_the_server_is_up(
    sqlite_url, domain, pseudonymizer
) -> None:
    store = ScrubbingSQLTrackerStore(
        domain=domain,
        url=sqlite_url,
        pseudonymizer=pseudonymizer,
        retention_days=30,
        retention_interval_minutes=60,
        install_log_filter=False,
    )
    store.retention_first_delay_seconds = 0.0
    old = (datetime.now(timezone.utc) - timedelta(days=40)).timestamp()
    await store.save(pii_tracker(domain, "old", old))
    for _ in range(50):
        await asyncio.sleep(0.1)
        if not raw_rows(sqlite_url):
            break
    assert raw_rows(sqlite_url) == []
    await store.close()


def test_store_from_endpoint_config(sqlite_url, domain, monkeypatch) -> None:
    """endpoints.yml: ``type: bot.rasa_ext.stores.ScrubbingSQLTrackerStore``."""
    from rasa.core.tracker_store import TrackerStore
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setenv("KOERS_TRACKER_DB_URL", sqlite_url)
    monkeypatch.setenv("KOERS_PSEUDONYM_SECRET", SECRET)
    monkeypatch.setenv("KOERS_RETENTION_INTERVAL_MINUTES", "0")
    reset_pseudonymizer()
    try:
        config = EndpointConfig.from_dict({"type": "bot.rasa_ext.stores.ScrubbingSQLTrackerStore"})
        store = TrackerStore.create(config, domain)
        inner = getattr(store, "_tracker_store", store)
        assert isinstance(inner, ScrubbingSQLTrackerStore)
        assert str(inner.engine.url) == sqlite_url
        with_url = TrackerStore.create(
            EndpointConfig.from_dict(
                {
                    "type": "bot.rasa_ext.stores.ScrubbingSQLTrackerStore",
                    "url": sqlite_url.replace("tracker.db", "other.db"),
                }
            ),
            domain,
        )
        inner2 = getattr(with_url, "_tracker_store", with_url)
        assert str(inner2.engine.url).endswith("other.db")
    finally:
        reset_pseudonymizer()
        uninstall_log_privacy()  # the store installs the log filter for the whole process


async def test_cli_purge_and_erase(sqlite_url, domain, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KOERS_PSEUDONYM_SECRET", SECRET)
    monkeypatch.setenv("KOERS_PSEUDONYM_KEY_VERSION", "2")
    monkeypatch.setenv("KOERS_PSEUDONYM_SECRET_PREVIOUS", OLD_SECRET)
    reset_pseudonymizer()
    try:
        p = build_pseudonymizer(SECRET, version=2, previous_secret=OLD_SECRET)
        store = make_store(sqlite_url, domain, p)
        now = datetime.now(timezone.utc)
        await store.save(pii_tracker(domain, "old", (now - timedelta(days=45)).timestamp()))
        await store.save(pii_tracker(domain, "keep"))
        await store.save(pii_tracker(domain, "erase-me"))

        assert cli.main(["--url", sqlite_url, "purge", "--days", "30", "--dry-run"]) == 0
        assert "Proef: 1 gesprek" in capsys.readouterr().out
        assert cli.main(["--url", sqlite_url, "purge", "--days", "30"]) == 0
        out = capsys.readouterr().out
        assert "Verwijderd: 1 gesprek" in out and "14 gebeurtenissen" in out

        pseudo = p.pseudonym("erase-me")
        assert cli.main(["--url", sqlite_url, "erase", pseudo]) == 0
        assert f"Gesprek {pseudo} is verwijderd: 14 gebeurtenissen" in capsys.readouterr().out
        assert cli.main(["--url", sqlite_url, "erase", pseudo]) == 1
        assert "Niets gevonden" in capsys.readouterr().out
        assert cli.main(["--url", sqlite_url, "erase", "keep"]) == 0  # channel id: hashed first
        out = capsys.readouterr().out
        assert "keep" not in out.replace(p.pseudonym("keep"), "")
        assert raw_rows(sqlite_url) == []
        await store.close()
    finally:
        reset_pseudonymizer()


async def test_bad_input_never_fails_the_turn(db_url, domain, pseudonymizer, monkeypatch) -> None:
    from bot.privacy import scrubber

    store = make_store(db_url, domain, pseudonymizer)
    huge = ("Mijn collega Fatima El Amrani belt 06-41829375. " * 2100)[:100_000]
    garbage = bytes(range(256)).decode("latin-1") + "\x00\ud800 Fatima El Amrani"
    tracker = DialogueStateTracker("bad-input", domain.slots)
    for text in (huge, garbage, "[NAAM] [[EMAIL]] [Fatima El Amrani]", "Привет مرحبا 🙂 Fatima"):
        tracker.update(user(text))
    await store.save(tracker)

    def broken(*_args, **_kwargs):
        raise RuntimeError("scrubber bug")

    monkeypatch.setattr(scrubber, "find_patterns", broken)
    tracker.update(user("Fatima El Amrani, 06-41829375"))
    await store.save(tracker)  # must not raise
    rows = raw_rows(db_url)
    assert len(rows) == 5
    assert all(len(r) < 5000 for r in rows)
    assert "[AFGEKAPT]" in rows[0] and "[VERWIJDERD]" in rows[-1]
    assert leaked(rows) == []
    assert "\x00" not in "".join(rows)
    await store.close()
