"""The outbox sender: coach e-mail goes out after the booking, never inside it.

A booking (or cancellation) only writes its coach e-mail to the ``outbox`` table, in the
booking's own transaction, and the employee gets the booking code at once. This process,
``python -m bot.notify.sender``, delivers the outbox: every ``KOERS_OUTBOX_POLL_SECONDS`` it
sends what is due over SMTP, puts a failed message back with exponential backoff and jitter
(``KOERS_OUTBOX_RETRY_SECONDS`` doubled per try, at most an hour) and gives up after
``KOERS_OUTBOX_MAX_ATTEMPTS`` tries (status ``failed``, visible in ``cli outbox``). A slow or
dead mail server therefore only delays mail, never a booking.

``make run``, ``make scale`` and the server-backed tests start one; any number may run,
because every message is claimed with one conditional UPDATE before it is sent
(:func:`bot.notify.outbox.claim`). Without ``KOERS_SMTP_HOST`` it idles and the messages wait
in the outbox. ``--once`` sends one round and exits (cron, or by hand).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import utcnow
from bot.config import Settings, load_settings
from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.notify import outbox
from bot.notify.smtp import DeliveryReport, RetryPolicy, deliver_pending, retry_policy, smtp_config

logger = logging.getLogger(__name__)

#: Messages per round; a full round is followed by the next one at once.
BATCH = 20


async def send_round(
    factory: sessionmaker,
    settings: Settings,
    *,
    policy: RetryPolicy | None = None,
    clock: Callable[[], datetime] = utcnow,
    stop: asyncio.Event | None = None,
) -> DeliveryReport:
    """One pass over the outbox: release claims of dead senders, then send what is due."""
    config = smtp_config(settings)
    if config is None:
        return DeliveryReport()
    session: Session = factory()
    try:
        await asyncio.to_thread(
            run_in_transaction, session, outbox.release_stale_claims, now=clock()
        )
        return await deliver_pending(
            session,
            config,
            limit=BATCH,
            clock=clock,
            policy=policy or retry_policy(settings),
            stop=stop,
        )
    finally:
        await asyncio.to_thread(session.close)


async def run_sender(
    factory: sessionmaker, settings: Settings, stop: asyncio.Event | None = None
) -> None:
    """Sends rounds until ``stop`` is set; a failing round (database away) is logged and retried."""
    stop = stop or asyncio.Event()
    if smtp_config(settings) is None:
        logger.info("outbox sender idle: no KOERS_SMTP_HOST, e-mail waits in the outbox")
    poll = max(0.2, float(settings.outbox_poll_seconds))
    while not stop.is_set():
        report = DeliveryReport()
        try:
            report = await send_round(factory, settings, stop=stop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # keep running; the next round tries again
            logger.warning("outbox round failed: %s", type(exc).__name__)
        if report.sent or report.failed:
            logger.info("outbox: %d sent, %d failed", report.sent, report.failed)
        if report.sent + report.failed >= BATCH:
            continue  # more may be waiting
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), poll)


async def _main(once: bool) -> None:
    settings = load_settings()
    await asyncio.to_thread(migrate, settings.database_url)
    engine = make_engine(settings.database_url)
    factory = make_session_factory(engine)
    try:
        if once:
            report = await send_round(factory, settings)
            print(f"sent {report.sent}, failed {report.failed}, given up {report.given_up}")
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        logger.info("outbox sender started (every %ss)", settings.outbox_poll_seconds)
        await run_sender(factory, settings, stop)
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot.notify.sender", description=__doc__)
    parser.add_argument("--once", action="store_true", help="send one round and exit")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_main(args.once))


if __name__ == "__main__":
    main()
