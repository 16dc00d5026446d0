"""``python -m tools.conversations print FILE [--url …]``: a conversation file as a transcript.

Sends the turns to a running Koers (``make run``) and prints "Jij: … / Koers: …" with the
buttons and ✓/✗ per expectation. Exit code 1 when an expectation fails.
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from pathlib import Path

from bot.channels.identity import conversation_key
from tools.conversations.client import RestKoers, TurnResult, run_conversation
from tools.conversations.scripted import ConversationFileError, failed, format_turn, load

DEFAULT_URL = "http://localhost:5005"
DEFAULT_WEB_URL = "http://localhost:8080"


class DemoTokenError(RuntimeError):
    """The web app gave no demo token, so a file with ``identity:`` cannot be sent."""


def demo_metadata(web_url: str) -> Callable[[Mapping[str, str]], dict[str, str]]:
    """Identity metadata from the demo page's token (the fixed demo employee of `make run`)."""

    def metadata(_identity: Mapping[str, str]) -> dict[str, str]:
        try:
            with urllib.request.urlopen(f"{web_url}/widget/demo-token", timeout=10) as response:
                return {"widget_token": json.loads(response.read())["token"]}
        except (urllib.error.URLError, OSError, KeyError, ValueError) as error:
            raise DemoTokenError(
                f"no demo token from {web_url}/widget/demo-token ({error}): files with "
                "identity: need the web app of `make run` (--web-url)"
            ) from error

    return metadata


def files(paths: list[str], every: bool) -> list[Path]:
    found: list[Path] = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            if not every:
                raise SystemExit(f"{path} is a directory: add --all to print every file in it")
            found.extend(sorted(path.glob("*.yml")))
        else:
            found.append(path)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.conversations")
    commands = parser.add_subparsers(dest="command", required=True)
    printer = commands.add_parser("print", help="send a conversation file and print the transcript")
    printer.add_argument("paths", nargs="+", help="conversation files (or a directory with --all)")
    printer.add_argument("--all", action="store_true", help="every *.yml in a directory")
    printer.add_argument("--url", default=DEFAULT_URL, help=f"Rasa server (default {DEFAULT_URL})")
    printer.add_argument(
        "--token", help="Rasa auth token (KOERS_RASA_AUTH_TOKEN): needed to check form/slots"
    )
    printer.add_argument(
        "--web-url",
        default=DEFAULT_WEB_URL,
        help="web app for the demo token that files with identity: use",
    )
    args = parser.parse_args(argv)
    failures = 0
    for path in files(args.paths, args.all):
        try:
            conversation = load(path)
        except (ConversationFileError, OSError) as error:
            print(f"✗ {error}")
            failures += 1
            continue
        print(f"=== {path}: {conversation.title}")
        if conversation.persona:
            print(f"    persona: {conversation.persona}")
        koers = RestKoers(
            args.url,
            args.token,
            # tracker id: a pseudonym (KOERS_PSEUDONYM_SECRET, set by scripts/env.sh)
            conversation_id=lambda sender: conversation_key("rest", sender),
            metadata=demo_metadata(args.web_url),
        )

        def show(result: TurnResult) -> None:
            print("\n".join(format_turn(result.turn, result.replies, result.checks)))

        try:
            results = run_conversation(conversation, koers, show)
        except DemoTokenError as error:
            print(f"✗ {error}\n")
            failures += 1
            continue
        except (urllib.error.URLError, OSError) as error:
            print(f"✗ cannot reach Koers at {args.url} ({error}); is `make run` running?")
            return 2
        bad = sum(bool(failed(result.checks)) for result in results)
        print(f"--- {'OK' if not bad else f'{bad} turn(s) failed'}\n")
        failures += bool(bad)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
