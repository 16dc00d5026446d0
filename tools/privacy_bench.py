"""Scrubbing cost per message: median and p95 in milliseconds.

    python -m tools.privacy_bench [--rounds 3] [--data tests/data/pii_eval.jsonl] [--events]

Runs :func:`bot.privacy.scrubber.scrub_text` (and with ``--events`` the whole
:func:`bot.privacy.scrubber.scrub_event` on a user event with parse data) over every message
of the evaluation set, after one warm-up call that loads the spaCy model. Target: median
<= 15 ms per message on one CPU core.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bot.privacy.scrubber import scrub_event, scrub_text
from tools.privacy_evaluate import DEFAULT_DATA

TARGET_MEDIAN_MS = 15.0


def _percentile(values: Sequence[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def measure(func: Callable[[Any], Any], inputs: Sequence[Any], rounds: int) -> list[float]:
    """Milliseconds per call of ``func`` for every input, ``rounds`` times."""
    timings = []
    for _ in range(rounds):
        for item in inputs:
            start = time.perf_counter()
            func(item)
            timings.append((time.perf_counter() - start) * 1000)
    return timings


def user_event(text: str) -> dict[str, Any]:
    """A user event as Rasa serialises it, with an entity on the first word."""
    first = text.split(" ")[0]
    return {
        "event": "user",
        "timestamp": time.time(),
        "text": text,
        "parse_data": {
            "intent": {"name": "inform", "confidence": 0.91},
            "entities": [
                {
                    "entity": "onderwerp",
                    "start": 0,
                    "end": len(first),
                    "value": first,
                    "extractor": "DIETClassifier",
                }
            ],
            "text": text,
            "message_id": "5f1c0a1f0e6b4f8c9d7e6a5b4c3d2e1f",
            "metadata": {},
            "intent_ranking": [{"name": "inform", "confidence": 0.91}],
        },
        "input_channel": "rest",
        "message_id": "5f1c0a1f0e6b4f8c9d7e6a5b4c3d2e1f",
        "metadata": {"model_id": "abc", "user_name": "Fatima El Amrani"},
    }


def summary(timings: Sequence[float]) -> dict[str, float]:
    return {
        "n": len(timings),
        "median_ms": statistics.median(timings),
        "p95_ms": _percentile(timings, 95),
        "max_ms": max(timings),
        "mean_ms": statistics.fmean(timings),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--events", action="store_true", help="also time whole user events")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    texts = [
        json.loads(line)["text"]
        for line in args.data.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    load_start = time.perf_counter()
    scrub_text("Opwarmen: het model laden.")
    load_ms = (time.perf_counter() - load_start) * 1000

    results = {"load_ms": load_ms, "scrub_text": summary(measure(scrub_text, texts, args.rounds))}
    long_text = " ".join(texts)[:2000]
    results["scrub_text_2000_chars"] = summary(measure(scrub_text, [long_text], 20))
    if args.events:
        events = [user_event(t) for t in texts]
        results["scrub_event"] = summary(measure(scrub_event, events, args.rounds))

    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(
            f"Scrubbing cost, {len(texts)} messages x {args.rounds} rounds "
            f"(model load {load_ms:.0f} ms, not counted)"
        )
        for name, s in results.items():
            if isinstance(s, dict):
                print(
                    f"{name:<24} median {s['median_ms']:6.2f} ms   p95 {s['p95_ms']:6.2f} ms"
                    f"   max {s['max_ms']:6.2f} ms   (n={s['n']})"
                )
        median = results["scrub_text"]["median_ms"]
        verdict = "met" if median <= TARGET_MEDIAN_MS else "NOT met"
        print(f"target median <= {TARGET_MEDIAN_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
