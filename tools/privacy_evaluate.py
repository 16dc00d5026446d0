"""Precision and recall of the scrubber per type of personal data, against a labelled set.

    python -m tools.privacy_evaluate [--data tests/data/pii_eval.jsonl] [--split all|dev|test]
                                   [--conll PATH] [--errors] [--json]

How it counts (span level):

* A labelled span is **found** (recall) when every non-space character of it is covered by
  findings of the same type: catching "Fatima" but not "El Amrani" is a miss.
* A finding is **correct** (precision) when it overlaps a labelled span of the same type.
* ``overall`` pools all types; ``any type`` ignores the type (what matters for privacy: is the
  text gone?). The baseline is plain spaCy NER (PERSON/PER entities) for names; it has no
  detector for the other types.

The labelled set is ``tests/data/pii_eval.jsonl``: one JSON object per line with ``id``,
``split`` (dev/test), ``text`` and ``spans`` (``type``, ``start``, ``end``, ``text``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import PROJECT_ROOT
from bot.privacy.names import baseline_person_spans
from bot.privacy.scrubber import ScrubConfig, default_config, find_pii, normalise

DEFAULT_DATA = PROJECT_ROOT / "tests" / "data" / "pii_eval.jsonl"
DEFAULT_CONLL = PROJECT_ROOT.parent / "shared" / "corpora" / "conll2002_ned" / "ned.testb.utf8"
TARGET_RECALL = {
    "EMAIL": 0.98,
    "TELEFOON": 0.98,
    "BSN": 0.98,
    "IBAN": 0.98,
    "POSTCODE": 0.98,
    "NAAM": 0.90,
}
TARGET_PRECISION_OVERALL = 0.90

Span = tuple[str, int, int]  # type, start, end


@dataclass(frozen=True)
class Example:
    id: str
    split: str
    text: str
    spans: tuple[Span, ...]


@dataclass
class TypeScore:
    gold: int = 0
    found: int = 0
    predicted: int = 0
    correct: int = 0

    @property
    def recall(self) -> float | None:
        return self.found / self.gold if self.gold else None

    @property
    def precision(self) -> float | None:
        return self.correct / self.predicted if self.predicted else None


@dataclass
class Report:
    system: str
    per_type: dict[str, TypeScore] = field(default_factory=dict)
    overall: TypeScore = field(default_factory=TypeScore)
    any_type: TypeScore = field(default_factory=TypeScore)
    messages_without_pii: int = 0
    false_alarm_messages: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def score(s: TypeScore) -> dict[str, Any]:
            return {
                "gold": s.gold,
                "predicted": s.predicted,
                "recall": s.recall,
                "precision": s.precision,
            }

        return {
            "system": self.system,
            "per_type": {k: score(v) for k, v in sorted(self.per_type.items())},
            "overall": score(self.overall),
            "any_type": score(self.any_type),
            "messages_without_pii": self.messages_without_pii,
            "false_alarm_messages": self.false_alarm_messages,
        }


def load_examples(path: Path = DEFAULT_DATA, split: str = "all") -> list[Example]:
    """The labelled messages; offsets are checked against the span text."""
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        spans = []
        for s in row["spans"]:
            if row["text"][s["start"] : s["end"]] != s["text"]:
                raise ValueError(f"{row['id']}: span {s['text']!r} does not match its offsets")
            spans.append((s["type"], s["start"], s["end"]))
        if split in {"all", row["split"]}:
            examples.append(Example(row["id"], row["split"], row["text"], tuple(spans)))
    return examples


def _covered(text: str, span: Span, predicted: Sequence[Span], same_type: bool) -> bool:
    kind, start, end = span
    covered = [False] * (end - start)
    for pkind, ps, pe in predicted:
        if same_type and pkind != kind:
            continue
        for i in range(max(ps, start), min(pe, end)):
            covered[i - start] = True
    return all(c or text[start + i].isspace() for i, c in enumerate(covered))


def _overlaps(pred: Span, gold: Iterable[Span], same_type: bool) -> bool:
    pkind, ps, pe = pred
    return any(ps < ge and gs < pe and (not same_type or gk == pkind) for gk, gs, ge in gold)


def score(
    system: str,
    examples: Sequence[Example],
    predict: Callable[[str], list[Span]],
    types: Iterable[str] | None = None,
    keep_errors: bool = False,
) -> Report:
    """Score ``predict`` on ``examples``; ``types`` limits which gold types count."""
    wanted = set(types) if types is not None else None
    report = Report(system)
    for ex in examples:
        gold = [s for s in ex.spans if wanted is None or s[0] in wanted]
        predicted = [p for p in predict(ex.text) if wanted is None or p[0] in wanted]
        if not ex.spans:
            report.messages_without_pii += 1
            if predicted:
                report.false_alarm_messages += 1
        for g in gold:
            ts = report.per_type.setdefault(g[0], TypeScore())
            ts.gold += 1
            report.overall.gold += 1
            report.any_type.gold += 1
            hit = _covered(ex.text, g, predicted, same_type=True)
            ts.found += hit
            report.overall.found += hit
            report.any_type.found += _covered(ex.text, g, predicted, same_type=False)
            if keep_errors and not hit:
                report.errors.append(
                    {
                        "id": ex.id,
                        "kind": "missed",
                        "type": g[0],
                        "span": ex.text[g[1] : g[2]],
                        "text": ex.text,
                    }
                )
        for p in predicted:
            ts = report.per_type.setdefault(p[0], TypeScore())
            ts.predicted += 1
            report.overall.predicted += 1
            report.any_type.predicted += 1
            ok = _overlaps(p, gold, same_type=True)
            ts.correct += ok
            report.overall.correct += ok
            report.any_type.correct += _overlaps(p, ex.spans, same_type=False)
            if keep_errors and not ok:
                report.errors.append(
                    {
                        "id": ex.id,
                        "kind": "false",
                        "type": p[0],
                        "span": ex.text[p[1] : p[2]],
                        "text": ex.text,
                    }
                )
    return report


def koers_predict(text: str) -> list[Span]:
    """Koers's scrubber findings, in the coordinates of ``text`` (eval texts are normalised)."""
    cfg = default_config()
    config = ScrubConfig(10**6, cfg.employee_number_pattern, True, cfg.spacy_model)
    clean = normalise(text)
    if clean != text:
        raise ValueError("evaluation texts must already be normalised")
    return [(f.kind.value, f.start, f.end) for f in find_pii(clean, config)]


def baseline_predict(text: str) -> list[Span]:
    """Plain nl_core_news_sm NER persons."""
    return [("NAAM", s, e) for s, e in baseline_person_spans(text)]


def load_conll(path: Path, limit: int | None = None) -> list[Example]:
    """CoNLL-2002 sentences joined with spaces (words normalised), PER spans as NAAM."""
    examples: list[Example] = []
    words: list[tuple[str, str]] = []

    def flush() -> None:
        if not words:
            return
        text, spans, pos, current = "", [], 0, None
        for word, tag in words:
            if text:
                text += " "
                pos += 1
            start, end = pos, pos + len(word)
            text += word
            pos = end
            if tag in {"B-PER", "I-PER"} and current and tag == "I-PER":
                current[2] = end
            elif tag.endswith("-PER"):
                if current:
                    spans.append(tuple(current))
                current = ["NAAM", start, end]
            elif current:
                spans.append(tuple(current))
                current = None
        if current:
            spans.append(tuple(current))
        examples.append(Example(f"conll{len(examples)}", "test", text, tuple(spans)))
        words.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            flush()
            continue
        if parts[0] == "-DOCSTART-":
            continue
        words.append((normalise(parts[0]) or "_", parts[-1]))
        if limit and len(examples) >= limit:
            break
    flush()
    return examples[:limit] if limit else examples


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def format_reports(reports: Sequence[Report], title: str) -> str:
    lines = [title, ""]
    types = sorted({t for r in reports for t in r.per_type})
    header = f"{'type':<18}" + "".join(
        f"{r.system + ' P':>16}{r.system + ' R':>16}{'n':>6}" for r in reports
    )
    lines.append(header)
    for t in [*types, "overall", "any type"]:
        row = f"{t:<18}"
        for r in reports:
            s = {"overall": r.overall, "any type": r.any_type}.get(t) or r.per_type.get(t)
            s = s or TypeScore()
            row += f"{_fmt(s.precision):>16}{_fmt(s.recall):>16}{s.gold:>6}"
        lines.append(row)
    for r in reports:
        if r.messages_without_pii:
            lines.append(
                f"{r.system}: {r.false_alarm_messages} of {r.messages_without_pii} messages "
                "without personal data had a finding"
            )
    return "\n".join(lines)


def check_targets(report: Report) -> list[str]:
    """Targets from the issue that are not met (empty list: all met)."""
    failures = []
    for kind, target in TARGET_RECALL.items():
        recall = report.per_type.get(kind, TypeScore()).recall
        if recall is None or recall < target:
            failures.append(f"recall {kind} {_fmt(recall)} < {target}")
    precision = report.overall.precision
    if precision is None or precision < TARGET_PRECISION_OVERALL:
        failures.append(f"overall precision {_fmt(precision)} < {TARGET_PRECISION_OVERALL}")
    return failures


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--split", choices=["all", "dev", "test", "holdout"], default="all")
    parser.add_argument(
        "--conll",
        nargs="?",
        const=DEFAULT_CONLL,
        type=Path,
        default=None,
        help="also score names on CoNLL-2002 (default: ned.testb)",
    )
    parser.add_argument("--conll-limit", type=int, default=None)
    parser.add_argument("--errors", action="store_true", help="list misses and false alarms")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    examples = load_examples(args.data, args.split)
    koers = score("koers", examples, koers_predict, keep_errors=args.errors)
    baseline = score("spacy", examples, baseline_predict, types={"NAAM"})
    result: dict[str, Any] = {"koers": koers.as_dict(), "baseline": baseline.as_dict()}
    out = [
        format_reports(
            [koers, baseline],
            f"Koers PII evaluation: {args.data.name}, split {args.split}, "
            f"{len(examples)} messages",
        )
    ]
    for split in ("dev", "test", "holdout"):
        if args.split == "all":
            part = [e for e in examples if e.split == split]
            sub = score("koers", part, koers_predict)
            out.append(
                f"{split}: overall P {_fmt(sub.overall.precision)} "
                f"R {_fmt(sub.overall.recall)}; NAAM R "
                f"{_fmt(sub.per_type.get('NAAM', TypeScore()).recall)} "
                f"({len(part)} messages)"
            )
    failures = check_targets(koers)
    out.append("targets: all met" if not failures else "targets NOT met: " + "; ".join(failures))
    if args.conll:
        conll = load_conll(args.conll, args.conll_limit)
        c_koers = score("koers", conll, lambda t: [p for p in koers_predict(t) if p[0] == "NAAM"])
        c_base = score("spacy", conll, baseline_predict)
        out.append("")
        title = f"Names on CoNLL-2002 {args.conll.name} ({len(conll)} sentences)"
        out.append(format_reports([c_koers, c_base], title))
        result["conll"] = {"koers": c_koers.as_dict(), "baseline": c_base.as_dict()}
    if args.errors:
        out.append("")
        for err in koers.errors:
            out.append(
                f"{err['id']} {err['kind']:<6} {err['type']:<16} {err['span']!r:<30} "
                f"| {err['text']}"
            )
    print(json.dumps(result, indent=2) if args.json else "\n".join(out))
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
