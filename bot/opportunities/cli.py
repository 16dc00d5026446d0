"""Opportunity catalogue commands: ``python -m bot.opportunities.cli COMMAND``.

  import FILE        import regions, municipalities and listings (.yml/.yaml, .csv) or a
                     JSON feed file (.json, stored with source "feed"); upsert by source and id
  demo               load the fictional demo catalogue (safe to run again: it upserts)
  list [--municipality GM9901]
                     show the listings an employee of that municipality may see now

Every command migrates first. The database is KOERS_DATABASE_URL or --database-url.
Nothing is written when a file has a problem; every problem is listed.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.clock import utcnow
from bot.config import load_settings
from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.ledger.importer import ImportProblem
from bot.opportunities.catalog import SOURCE_FEED, SOURCE_IMPORT, TYPE_LABELS
from bot.opportunities.importer import (
    OpportunityReport,
    apply_batch,
    load_demo_opportunities,
    read_file,
)
from bot.opportunities.service import visible_opportunities


def _print_report(report: OpportunityReport, out: TextIO) -> None:
    parts = ", ".join(f"{count} {name}" for name, count in report.as_dict().items())
    print(f"Opportunities: {parts}.", file=out)


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.opportunities.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--database-url", help="default: KOERS_DATABASE_URL")
    commands = parser.add_subparsers(dest="command", required=True)
    importer = commands.add_parser("import")
    importer.add_argument("file", type=Path)
    commands.add_parser("demo")
    listing = commands.add_parser("list")
    listing.add_argument("--municipality", default=None)
    args = parser.parse_args(argv)

    url = args.database_url or load_settings().database_url
    migrate(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    now = utcnow()
    try:
        if args.command == "import":
            source = SOURCE_FEED if args.file.suffix.lower() == ".json" else SOURCE_IMPORT
            try:
                batch = read_file(args.file, now=now, source=source)
                report = run_in_transaction(
                    session, apply_batch, batch=batch, now=now, actor="cli:opportunities"
                )
            except (ImportProblem, OSError) as problem:
                details = problem.problems if isinstance(problem, ImportProblem) else [str(problem)]
                print("Nothing imported. Problems:", file=out)
                for line in details:
                    print(f"  - {line}", file=out)
                return 1
            _print_report(report, out)
        elif args.command == "demo":
            _print_report(run_in_transaction(session, load_demo_opportunities, now=now), out)
        else:
            items = visible_opportunities(session, args.municipality, now)
            if not items:
                print("No visible opportunities.", file=out)
            for item in items:
                print(
                    f"#{item.id} [{TYPE_LABELS[item.kind]}] {item.title} — "
                    f"{item.municipality_name} ({item.province})",
                    file=out,
                )
    finally:
        session.close()
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
