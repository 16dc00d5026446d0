"""Admin commands for retention and erasure of stored conversations.

    python -m bot.privacy.cli purge [--days N] [--url URL] [--dry-run]
    python -m bot.privacy.cli erase CONVERSATION_ID [--url URL]

``purge`` deletes every conversation whose last message is more than N days old (default
``KOERS_RETENTION_DAYS``, 30). ``erase`` deletes one conversation completely, by its
pseudonymous id (``k1_...``); a channel id is hashed first, under the current and the previous
key. Both also run the erasure hooks for linked data (``KOERS_ERASURE_HOOKS``) and print what
they did. The database is ``--url`` or ``KOERS_TRACKER_DB_URL``. Exit code 0 on success,
1 when ``erase`` found nothing, 2 on an error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

import sqlalchemy as sa

from bot.config import load_settings
from bot.privacy.logging import install_log_privacy
from bot.privacy.pseudonym import PseudonymConfigError, get_pseudonymizer
from bot.privacy.retention import ErasureReport, PurgeReport, erase, load_hooks, purge_idle


def _linked(linked: dict[str, int]) -> str:
    if not linked:
        return ""
    parts = ", ".join(f"{count} via {name}" for name, count in linked.items())
    return f" Gekoppelde gegevens verwijderd: {parts}."


def format_purge(report: PurgeReport) -> str:
    when = report.cutoff.strftime("%Y-%m-%d %H:%M UTC")
    n = len(report.conversations)
    if report.dry_run:
        return (
            f"Proef: {n} gesprek(ken) zijn langer dan {report.days} dagen niet gebruikt "
            f"(laatste bericht voor {when}). Er is niets verwijderd."
        )
    if not n:
        return f"Niets te verwijderen: geen gesprekken ouder dan {report.days} dagen ({when})."
    return (
        f"Verwijderd: {n} gesprek(ken) die langer dan {report.days} dagen niet gebruikt "
        f"zijn (laatste bericht voor {when}), samen {report.events} gebeurtenissen."
        + _linked(report.linked)
    )


def format_erasure(conversation_id: str, report: ErasureReport) -> str:
    if not report.events and not any(report.linked.values()):
        return f"Niets gevonden voor gesprek {conversation_id}. Er is niets verwijderd."
    return f"Gesprek {conversation_id} is verwijderd: {report.events} gebeurtenissen." + _linked(
        report.linked
    )


def main(argv: Sequence[str] | None = None) -> int:
    install_log_privacy()
    settings = load_settings()
    parser = argparse.ArgumentParser(prog="python -m bot.privacy.cli", description=__doc__)
    parser.add_argument("--url", default=settings.tracker_db_url, help="tracker database URL")
    sub = parser.add_subparsers(dest="command", required=True)
    purge = sub.add_parser("purge", help="delete conversations idle for more than N days")
    purge.add_argument("--days", type=int, default=settings.retention_days)
    purge.add_argument("--dry-run", action="store_true", help="only count, delete nothing")
    erase_cmd = sub.add_parser("erase", help="delete one conversation and its linked data")
    erase_cmd.add_argument("conversation_id")
    args = parser.parse_args(argv)

    engine = sa.create_engine(args.url)
    try:
        hooks = load_hooks(settings.erasure_hooks)
        if args.command == "purge":
            report = purge_idle(engine, args.days, hooks=hooks, dry_run=args.dry_run)
            print(format_purge(report))
            return 0
        pseudonymizer = get_pseudonymizer()
        cid = args.conversation_id.strip()
        ids = [cid] if pseudonymizer.is_pseudonym(cid) else [*pseudonymizer.candidates(cid), cid]
        result = erase(engine, ids, hooks)
        shown = cid if pseudonymizer.is_pseudonym(cid) else ids[0]
        print(format_erasure(shown, result))
        return 0 if result.events or any(result.linked.values()) else 1
    except (ValueError, PseudonymConfigError, sa.exc.SQLAlchemyError) as exc:
        print(f"Fout: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
