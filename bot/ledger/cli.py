"""Ledger commands: ``python -m bot.ledger.cli COMMAND``.

  init              migrate; on a fresh database load the demo data (KOERS_LOAD_DEMO_DATA)
  import FILE       import municipalities, providers, coaches, slots, workshops and
                    "Tap de toekomst" events with their sessions (.csv/.yml)
  demo              load the fictional demo data set (only on a fresh database, or --force)
  outbox            show e-mails waiting in the outbox (--all for sent ones too, --send)
  purge-emails      delete employee e-mail addresses past their date
  expire-vouchers   mark vouchers past their expiry as expired, and free the vouchers of
                    waiting-list places of workshop sessions that have started
  provider-key NAME create a provider if needed and print a new API key (shown once)

Every command migrates first. The database is KOERS_DATABASE_URL or --database-url.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from sqlalchemy.orm import Session

from bot.clock import LOCAL_TZ, utcnow
from bot.config import load_settings
from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.ledger.booking import purge_emails
from bot.ledger.importer import (
    ImportProblem,
    ImportReport,
    apply_batch,
    is_empty,
    load_demo,
    read_file,
)
from bot.ledger.providers import issue_api_key
from bot.ledger.signups import purge_signup_emails, release_past_waiting_lists
from bot.ledger.vouchers import expire_due
from bot.notify import outbox
from bot.notify.models import OUTBOX_FAILED, OUTBOX_PENDING, OUTBOX_SENDING
from bot.notify.smtp import deliver_pending, smtp_config
from bot.opportunities.importer import load_demo_opportunities


def load_all_demo(session: Session, *, now: datetime) -> dict[str, int]:
    """The fictional demo set of ``make run``: municipalities, coaches, slots, workshop evenings
    and the opportunities in the region (``bot/opportunities/demo_opportunities.yml``)."""
    counts = load_demo(session, now=now).as_dict()
    opportunities = load_demo_opportunities(session, now=now, actor="demo")
    counts["opportunities"] = opportunities.created + opportunities.updated
    return counts


def _load_demo_if_empty(session: Session) -> dict[str, int] | None:
    if not is_empty(session):
        return None
    return load_all_demo(session, now=utcnow())


def init_database(url: str, *, demo: bool) -> dict[str, int] | None:
    """For the run command: schema up to date, demo data on a fresh database if wanted."""
    migrate(url)
    if not demo:
        return None
    engine = make_engine(url)
    session = make_session_factory(engine)()
    try:
        return run_in_transaction(session, _load_demo_if_empty)
    finally:
        session.close()
        engine.dispose()


def _print_report(report: ImportReport | dict[str, int], out: TextIO) -> None:
    counts = report if isinstance(report, dict) else report.as_dict()
    parts = ", ".join(f"{count} {name}" for name, count in counts.items())
    print(f"Imported: {parts}.", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.ledger.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", help="default: KOERS_DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("init")
    importer = commands.add_parser("import")
    importer.add_argument("file", type=Path)
    demo = commands.add_parser("demo")
    demo.add_argument("--force", action="store_true", help="also on a database with data")
    show = commands.add_parser("outbox")
    show.add_argument("--all", action="store_true", help="sent messages too")
    show.add_argument("--limit", type=int, default=20)
    show.add_argument("--send", action="store_true", help="send pending mail over SMTP now")
    commands.add_parser("purge-emails")
    commands.add_parser("expire-vouchers")
    key = commands.add_parser("provider-key")
    key.add_argument("name")
    args = parser.parse_args(argv)

    settings = load_settings()
    url = args.database_url or settings.database_url
    if args.command == "init":
        demo_counts = init_database(url, demo=settings.load_demo_data)
        if demo_counts:
            _print_report(demo_counts, out)
        print("Database ready.", file=out)
        return 0
    migrate(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    now = utcnow()
    try:
        if args.command == "import":
            try:
                batch = read_file(args.file, now.astimezone(LOCAL_TZ).date())
                report = run_in_transaction(
                    session, apply_batch, batch=batch, now=now, actor="cli:import"
                )
            except (ImportProblem, OSError) as problem:
                details = problem.problems if isinstance(problem, ImportProblem) else [str(problem)]
                print("Nothing imported. Problems:", file=out)
                for line in details:
                    print(f"  - {line}", file=out)
                return 1
            _print_report(report, out)
        elif args.command == "demo":
            if not args.force and not is_empty(session):
                print("The database already has data; use --force to add the demo set.", file=out)
                return 1
            _print_report(run_in_transaction(session, load_all_demo, now=now), out)
        elif args.command == "outbox":
            if args.send:
                config = smtp_config(settings)
                if config is None:
                    print("No KOERS_SMTP_HOST set: messages stay in the outbox.", file=out)
                else:
                    delivery = asyncio.run(deliver_pending(session, config, limit=args.limit))
                    print(f"Sent {delivery.sent}, failed {delivery.failed}.", file=out)
            statuses = None if args.all else (OUTBOX_PENDING, OUTBOX_SENDING, OUTBOX_FAILED)
            messages = outbox.list_messages(session, statuses=statuses, limit=args.limit)
            if not messages:
                print("The outbox is empty.", file=out)
            for message in messages:
                print(
                    f"#{message.id} [{message.status}] {message.created_at:%Y-%m-%d %H:%M} "
                    f"UTC to {message.to_address}",
                    file=out,
                )
                print(f"Subject: {message.subject}", file=out)
                print(message.body.rstrip(), file=out)
                print("-" * 60, file=out)
        elif args.command == "purge-emails":
            purged = run_in_transaction(session, purge_emails, now=now, actor="cli")
            waiting = run_in_transaction(session, purge_signup_emails, now=now, actor="cli")
            print(
                f"Deleted {purged.bookings} e-mail addresses and {purged.messages} e-mails.",
                file=out,
            )
            if waiting:
                print(f"Deleted {waiting} e-mail addresses of waiting lists.", file=out)
        elif args.command == "expire-vouchers":
            count = run_in_transaction(session, expire_due, now=now, actor="cli")
            print(f"Marked {count} vouchers as expired.", file=out)
            freed = run_in_transaction(session, release_past_waiting_lists, now=now, actor="cli")
            if freed:
                print(f"Freed {freed} vouchers of waiting lists that have passed.", file=out)
        elif args.command == "provider-key":
            api_key = run_in_transaction(
                session, issue_api_key, name=args.name, now=now, actor="cli"
            )
            print(f"New API key for {args.name} (shown only now, store it safely):", file=out)
            print(api_key, file=out)
        return 0
    finally:
        session.close()
        engine.dispose()


if __name__ == "__main__":
    raise SystemExit(main())
