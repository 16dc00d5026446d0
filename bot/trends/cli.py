"""Commands for the trend dashboard.

python -m bot.trends.cli create-account NAME --role programme|municipal [--municipality GM0363]
                                      (asks for the password; or --password-stdin)
python -m bot.trends.cli disable NAME | enable NAME | set-password NAME
python -m bot.trends.cli accounts     list accounts (never passwords)
python -m bot.trends.cli purge [--weeks N]   aggregate events older than the horizon, delete them
python -m bot.trends.cli demo         fictional trend data and two demo accounts on a fresh
                                      database; prints the demo log-ins (kept in var/)
python -m bot.trends.cli session-key  print a new key for KOERS_DASHBOARD_SESSION_KEY
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO

from cryptography.fernet import Fernet
from sqlalchemy.orm import sessionmaker

from bot.clock import utcnow
from bot.config import VAR_DIR, load_settings
from bot.db.engine import make_engine, make_session_factory, migrate, run_in_transaction
from bot.trends import accounts, store
from bot.trends.demo import seed_demo

DEMO_CREDENTIALS_FILE = VAR_DIR / "dashboard-demo-logins.txt"


def _sessions(url: str) -> sessionmaker:
    migrate(url)
    return make_session_factory(make_engine(url))


def _run(factory: sessionmaker, work: Callable[..., Any], /, **kwargs: Any) -> Any:
    session = factory()
    try:
        return run_in_transaction(session, work, **kwargs)
    finally:
        session.close()


def _read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\n")
    first = getpass.getpass("Wachtwoord (minstens 12 tekens): ")
    if getpass.getpass("Nog een keer: ") != first:
        raise accounts.AccountError("De wachtwoorden zijn niet gelijk.")
    return first


def write_demo_credentials(passwords: dict[str, str], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        for name, password in passwords.items():
            handle.write(f"{name} {password}\n")


def demo(factory: sessionmaker, out: TextIO, credentials_file: Path, base_url: str) -> None:
    passwords = _run(factory, seed_demo, now=utcnow())
    if passwords:
        write_demo_credentials(passwords, credentials_file)
        out.write("Demo trend data and demo dashboard accounts loaded (fictional).\n")
    if credentials_file.exists():
        out.write(f"Dashboard: {base_url}/dashboard/  (demo log-ins, from {credentials_file}):\n")
        for line in credentials_file.read_text(encoding="utf-8").splitlines():
            name, _, password = line.partition(" ")
            out.write(f"  gebruikersnaam {name}  wachtwoord {password}\n")
    elif passwords is None:
        out.write("The database already has dashboard accounts: no demo log-ins created.\n")


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, stdin: TextIO = sys.stdin
) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.trends.cli",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-account")
    create.add_argument("username")
    create.add_argument("--role", required=True, choices=("programme", "municipal"))
    create.add_argument("--municipality")
    create.add_argument("--password-stdin", action="store_true")
    for name in ("disable", "enable"):
        commands.add_parser(name).add_argument("username")
    change = commands.add_parser("set-password")
    change.add_argument("username")
    change.add_argument("--password-stdin", action="store_true")
    commands.add_parser("accounts")
    purge = commands.add_parser("purge")
    purge.add_argument("--weeks", type=int, default=None)
    commands.add_parser("demo")
    commands.add_parser("session-key")
    args = parser.parse_args(argv)

    if args.command == "session-key":
        out.write(Fernet.generate_key().decode() + "\n")
        return 0
    settings = load_settings()
    factory = _sessions(settings.database_url)
    try:
        if args.command == "create-account":
            password = _read_password(args.password_stdin, stdin)
            made = _run(
                factory,
                accounts.create_account,
                username=args.username,
                password=password,
                role=args.role,
                municipality=args.municipality,
                now=utcnow(),
            )
            out.write(
                f"Account {made.username} made ({made.role}"
                f"{', ' + made.municipality if made.municipality else ''}).\n"
            )
        elif args.command in ("disable", "enable"):
            changed = _run(
                factory,
                accounts.set_active,
                username=args.username,
                active=args.command == "enable",
            )
            out.write(f"Account {changed.username} {args.command}d.\n")
        elif args.command == "set-password":
            password = _read_password(args.password_stdin, stdin)
            changed = _run(
                factory, accounts.set_password, username=args.username, password=password
            )
            out.write(f"New password set for {changed.username}; old sessions ended.\n")
        elif args.command == "accounts":
            for account in _run(factory, accounts.list_accounts):
                state = "active" if account.active else "disabled"
                out.write(
                    f"{account.username}\t{account.role}\t{account.municipality or '-'}\t"
                    f"{state}\n"
                )
        elif args.command == "purge":
            weeks = args.weeks if args.weeks is not None else settings.trends_retention_weeks
            moved = _run(factory, store.aggregate_old_events, retention_weeks=weeks)
            out.write(f"{moved} trend events older than {weeks} weeks aggregated and deleted.\n")
        elif args.command == "demo":
            demo(factory, out, DEMO_CREDENTIALS_FILE, settings.public_base_url)
    except accounts.AccountError as refused:
        out.write(f"{refused}\n")
        return 2
    finally:
        factory.kw["bind"].dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
