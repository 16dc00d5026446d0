"""The outbox sender (bot/notify/sender.py) against real SMTP servers (aiosmtpd).

Two sender processes on one database deliver every message exactly once (SQLite and
PostgreSQL); a failing server gets exponential backoff with jitter and, after the last try,
one log line without personal data; a stalled server only delays the mail.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.engine import run_in_transaction
from bot.notify import outbox
from bot.notify.messages import MailContent
from bot.notify.models import OutboxMessage
from bot.notify.sender import run_sender, send_round
from bot.notify.smtp import RetryPolicy, SmtpConfig, deliver_pending
from tests.ledger.support import BACKENDS
from tests.ledger.test_notify_calendar import make_booking
from tests.smtp_support import Mailbox, mailbox_env, running_mailbox

pytest_plugins = ["tests.ledger.support"]

ROOT = Path(__file__).resolve().parents[2]
ADDRESS = "anna@coach.example"


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with running_mailbox(Mailbox()) as running:
        yield running


@pytest.fixture
def refusing_mailbox() -> Iterator[tuple[Mailbox, int]]:
    with running_mailbox(Mailbox(reply="451 4.3.0 Try again later")) as running:
        yield running


def queue(sessions: sessionmaker, count: int, prefix: str = "Afspraak") -> None:
    with sessions() as session:
        for number in range(count):
            mail = MailContent(f"{prefix} {number}", "Wanneer: morgen\n")
            run_in_transaction(
                session,
                lambda s, m=mail: outbox.enqueue(s, to_address=ADDRESS, mail=m, now=utcnow()),
            )


def statuses(sessions: sessionmaker) -> list[str]:
    with sessions() as session:
        return [m.status for m in session.execute(select(OutboxMessage)).scalars()]


def smtp_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "KOERS_DATABASE_URL": database_url,
        **mailbox_env(port),
        **extra,
    }


def test_backoff_doubles_with_jitter_up_to_the_cap() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=30, max_seconds=3600)
    assert policy.delay(1, rand=lambda: 0.0) == timedelta(seconds=15)
    assert policy.delay(1, rand=lambda: 1.0) == timedelta(seconds=30)
    assert policy.delay(3, rand=lambda: 1.0) == timedelta(seconds=120)
    assert policy.delay(30, rand=lambda: 1.0) == timedelta(seconds=3600)  # capped
    assert len({policy.delay(4) for _ in range(20)}) > 1  # jitter: not all the same


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_two_sender_processes_deliver_each_message_once(
    database_url: str, sessions: sessionmaker, mailbox: tuple[Mailbox, int], tmp_path: Path
) -> None:
    box, port = mailbox
    box.delay = 0.1  # slow enough that both senders are busy at the same time
    env = smtp_env(database_url, port)
    logs = [tmp_path / f"sender{n}.log" for n in (1, 2)]
    senders = []
    for log in logs:
        with log.open("w") as out:
            senders.append(
                subprocess.Popen(
                    [sys.executable, "-m", "bot.notify.sender"],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        deadline = time.monotonic() + 60
        while not all("outbox sender started" in log.read_text() for log in logs):
            assert all(p.poll() is None for p in senders), [log.read_text() for log in logs]
            assert time.monotonic() < deadline, [log.read_text() for log in logs]
            time.sleep(0.1)
        queue(sessions, 40)
        while statuses(sessions).count("sent") < 40:
            assert time.monotonic() < deadline, (statuses(sessions), logs[0].read_text())
            time.sleep(0.2)
        time.sleep(2.5)  # a duplicate would arrive within the next poll
    finally:
        for process in senders:
            process.terminate()
        for process in senders:
            process.wait(timeout=20)
    subjects = box.subjects()
    assert sorted(subjects) == sorted(f"Afspraak {n}" for n in range(40))  # each exactly once
    assert statuses(sessions) == ["sent"] * 40
    # both processes really took part: each logs what it sent per round
    sent = [sum(int(m) for m in re.findall(r"outbox: (\d+) sent", log.read_text())) for log in logs]
    assert sum(sent) == 40 and min(sent) > 0, sent


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_racing_claims_give_each_message_to_one_sender(
    database_url: str, sessions: sessionmaker
) -> None:
    """The claim itself, without SMTP: two threads claim the same 60 ids at the same time."""
    queue(sessions, 60)
    with sessions() as session:
        ids = outbox.pending_ids(session, limit=100)
    barrier = threading.Barrier(2)
    won: list[list[int]] = [[], []]

    def claimer(index: int) -> None:
        with sessions() as session:
            barrier.wait()
            for message_id in ids if index == 0 else reversed(ids):
                if outbox.claim(session, message_id, utcnow()) is not None:
                    won[index].append(message_id)

    threads = [threading.Thread(target=claimer, args=(n,)) for n in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(won[0] + won[1]) == sorted(ids)  # every id once, none twice
    assert statuses(sessions) == ["sending"] * 60


async def test_a_refusing_server_gets_backoff_then_one_log_line_without_personal_data(
    seeded: sessionmaker,
    caplog: pytest.LogCaptureFixture,
    refusing_mailbox: tuple[Mailbox, int],
) -> None:
    box, port = refusing_mailbox
    config = SmtpConfig(
        host="127.0.0.1", port=port, sender="koers@example.org", security="none", timeout_seconds=5
    )
    policy = RetryPolicy(max_attempts=3, base_seconds=60, max_seconds=3600)
    queue(seeded, 1, prefix="Afspraak met Anna")
    now = utcnow()
    clock: list[datetime] = [now]
    with seeded() as session, caplog.at_level(logging.INFO, logger="bot.notify"):
        for attempt, step in ((1, 60), (2, 120)):
            report = await deliver_pending(session, config, clock=lambda: clock[0], policy=policy)
            assert (report.failed, report.given_up) == (1, 0)
            stored = session.execute(select(OutboxMessage)).scalar_one()
            session.refresh(stored)
            wait = stored.next_attempt_at - clock[0]
            assert stored.status == "pending" and stored.attempts == attempt
            assert timedelta(seconds=step / 2) <= wait <= timedelta(seconds=step), wait
            # not due yet: nothing is tried
            early = await deliver_pending(session, config, clock=lambda: clock[0], policy=policy)
            assert (early.sent, early.failed) == (0, 0)
            clock[0] = stored.next_attempt_at + timedelta(seconds=1)
        report = await deliver_pending(session, config, clock=lambda: clock[0], policy=policy)
        assert (report.failed, report.given_up) == (1, 1)
        stored = session.execute(select(OutboxMessage)).scalar_one()
        session.refresh(stored)
        assert stored.status == "failed" and stored.attempts == 3
        assert stored.next_attempt_at is None
        # given up: never tried again
        clock[0] += timedelta(days=1)
        later = await deliver_pending(session, config, clock=lambda: clock[0], policy=policy)
        assert (later.sent, later.failed) == (0, 0)
    assert box.messages == []
    [gave_up] = [r for r in caplog.records if "given up" in r.getMessage()]
    assert gave_up.levelno == logging.ERROR and "3 tries" in gave_up.getMessage()
    for record in [r for r in caplog.records if r.name.startswith("bot.")]:
        text = record.getMessage()
        assert "@" not in text and "Anna" not in text and "Afspraak" not in text, text


async def test_a_stalled_server_only_delays_the_mail(
    database_url: str,
    seeded: sessionmaker,
    mailbox: tuple[Mailbox, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    box, port = mailbox
    box.stalled = True
    for name, value in smtp_env(database_url, port, KOERS_SMTP_TIMEOUT_SECONDS="30").items():
        monkeypatch.setenv(name, value)
    settings = load_settings()
    queue(seeded, 1)
    stop = asyncio.Event()
    sender = asyncio.create_task(run_sender(seeded, settings, stop))
    try:
        await asyncio.sleep(2)
        assert box.messages == [] and statuses(seeded) == ["sending"]  # claimed, waiting
        # no transaction stays open while the server stalls: a booking goes through now
        started = time.monotonic()
        await asyncio.to_thread(make_booking, seeded)
        assert time.monotonic() - started < 2
        box.release.set()
        for _ in range(100):
            if statuses(seeded) == ["sent", "sent"]:  # and the booking's mail after it
                break
            await asyncio.sleep(0.1)
        assert statuses(seeded)[0] == "sent" and box.subjects()[0] == "Afspraak 0"
    finally:
        stop.set()
        await asyncio.wait_for(sender, 10)
    # one more round finds nothing to do
    assert (await send_round(seeded, settings)).sent == 0
