"""Where training time goes: train once (from scratch, or with Rasa's cache) and print the
wall time of every graph component that trained.

``python -m tools.bench.train_profile [--config config.yml] [--out DIR] [--nlu-only]
[--cached] [--json FILE]``

From scratch (the default) means an empty Rasa cache in a temporary directory, as on a fresh
clone. ``--cached`` keeps the cache of the previous ``--cached`` run in ``var/train-cache``,
to measure what a data-only change costs. The timings come from Rasa's own ``LoggingHook``
("Starting/Finished training component"), so nothing in Rasa is patched for this.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bot.config import PROJECT_ROOT

_START = re.compile(r"Starting to train component '(?P<name>[^']+)'")
_END = re.compile(r"Finished training component '(?P<name>[^']+)'")
_CACHED = re.compile(r"Restored component '(?P<name>[^']+)' from cache")


@dataclass
class ComponentClock(logging.Handler):
    """Collects the start and end of every trained component from Rasa's log records."""

    started: dict[str, list[float]] = field(default_factory=dict)
    seconds: list[tuple[str, float]] = field(default_factory=list)
    cached: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        logging.Handler.__init__(self, level=logging.INFO)

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if match := _START.search(message):
            self.started.setdefault(match["name"], []).append(record.created)
        elif match := _END.search(message):
            begun = self.started.get(match["name"]) or [record.created]
            self.seconds.append((match["name"], record.created - begun.pop(0)))
        elif match := _CACHED.search(message):
            self.cached.append(match["name"])

    # logging.Handler wants these hashable; a dataclass with eq is not.
    __hash__ = object.__hash__


def profile(config: Path, out: Path, *, nlu_only: bool, cached: bool) -> dict[str, object]:
    cache_dir = (
        PROJECT_ROOT / "var" / "train-cache"
        if cached
        else Path(tempfile.mkdtemp(prefix="koers-train-cache-"))
    )
    cache_dir.mkdir(parents=True, exist_ok=True)
    os.environ["RASA_CACHE_DIRECTORY"] = str(cache_dir)
    # Imported after the cache directory is set: Rasa reads it when the cache is created.
    from rasa.model_training import train, train_nlu
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.WARNING)
    configure_structlog(logging.WARNING)
    clock = ComponentClock()
    hooks_logger = logging.getLogger("rasa.engine.training.hooks")
    hooks_logger.setLevel(logging.INFO)
    hooks_logger.propagate = False
    hooks_logger.addHandler(clock)
    started = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    if nlu_only:
        train_nlu(
            config=str(config),
            nlu_data=str(PROJECT_ROOT / "data"),
            output=str(out),
            domain=str(PROJECT_ROOT / "domain.yml"),
            fixed_model_name="profile-nlu",
        )
    else:
        train(
            domain=str(PROJECT_ROOT / "domain.yml"),
            config=str(config),
            training_files=[str(PROJECT_ROOT / "data")],
            output=str(out),
            fixed_model_name="profile",
        )
    total = time.perf_counter() - started
    return {
        "config": str(config),
        "from_scratch": not cached,
        "nlu_only": nlu_only,
        "total_s": round(total, 1),
        "components": [(name, round(s, 1)) for name, s in clock.seconds],
        "restored_from_cache": clock.cached,
    }


def heldout_scores(model: Path) -> dict[str, float]:
    """The trained model on tests/data/nlu_holdout.yml, scored as the held-out test scores it."""
    import asyncio

    from rasa.core.agent import Agent

    from tests.conversation.test_nlu_holdout import holdout_examples, macro_f1

    agent = Agent.load(str(model))

    async def parse_all() -> list[tuple[str, dict]]:
        return [(label, await agent.parse_message(text)) for text, label in holdout_examples()]

    intent_pairs, faq_pairs = [], []
    for label, parsed in asyncio.run(parse_all()):
        intent = parsed["intent"]["name"]
        intent_pairs.append((label.split("/")[0], intent))
        if label.startswith("faq/") and intent == "faq":
            selected = parsed["response_selector"]["faq"]["response"]
            faq_pairs.append((label, selected["intent_response_key"]))
    return {
        "intent_macro_f1": round(macro_f1(intent_pairs), 3),
        "faq_accuracy": round(sum(g == p for g, p in faq_pairs) / max(len(faq_pairs), 1), 3),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=PROJECT_ROOT / "config.yml")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "var" / "train-profile")
    parser.add_argument("--nlu-only", action="store_true")
    parser.add_argument("--cached", action="store_true")
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--no-heldout", action="store_true", help="skip scoring the model on the held-out set"
    )
    args = parser.parse_args(argv)
    result = profile(args.config, args.out, nlu_only=args.nlu_only, cached=args.cached)
    if not args.no_heldout:
        model = args.out / ("profile-nlu.tar.gz" if args.nlu_only else "profile.tar.gz")
        result.update(heldout_scores(model))
        print(
            f"held-out intent macro-F1 {result['intent_macro_f1']:.3f}, "
            f"FAQ answer accuracy {result['faq_accuracy']:.3f}"
        )
    print(
        f"\ntraining {'NLU ' if args.nlu_only else ''}with {args.config.name}: "
        f"{result['total_s']} s ({'cached' if args.cached else 'from scratch'})"
    )
    for name, seconds in sorted(result["components"], key=lambda item: -item[1]):  # type: ignore[index]
        print(f"  {seconds:7.1f} s  {name}")
    if result["restored_from_cache"]:
        print(f"  restored from cache: {', '.join(result['restored_from_cache'])}")  # type: ignore[arg-type]
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
