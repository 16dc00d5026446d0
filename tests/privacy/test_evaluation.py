"""The labelled PII set is sound, and the scrubber meets the issue's targets on it."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bot.privacy.detectors import elfproef, iban_valid
from tools.privacy_bench import measure, summary
from tools.privacy_evaluate import (
    DEFAULT_DATA,
    baseline_predict,
    check_targets,
    koers_predict,
    load_examples,
    score,
)


@pytest.fixture(scope="module")
def examples():
    return load_examples(DEFAULT_DATA)


def test_the_set_is_big_and_varied_enough(examples) -> None:
    assert len(examples) >= 300
    assert sum(1 for e in examples if not e.spans) >= 100
    counts = Counter(kind for e in examples for kind, _, _ in e.spans)
    for kind in ("EMAIL", "TELEFOON", "BSN", "IBAN", "POSTCODE"):
        assert counts[kind] >= 40, kind
    assert counts["NAAM"] >= 150
    assert len({e.id for e in examples}) == len(examples)


def test_numbers_in_the_set_are_valid(examples) -> None:
    for e in examples:
        for kind, start, end in e.spans:
            value = e.text[start:end]
            if kind == "BSN":
                assert elfproef(value), (e.id, value)
            if kind == "IBAN":
                assert iban_valid(value), (e.id, value)


def test_no_pii_messages_use_career_words(examples) -> None:
    career = re.compile(
        r"Burgerzaken|Werk en Inkomen|DIV|Jeugdzorg|KCC|Wmo|P&O|Buitendienst|"
        r"Publiekszaken|schaal|loopbaan|functie|opleiding|gemeente",
        re.IGNORECASE,
    )
    clean = [e for e in examples if not e.spans]
    assert sum(1 for e in clean if career.search(e.text)) >= 60


def test_targets_are_met(examples) -> None:
    report = score("koers", examples, koers_predict)
    assert check_targets(report) == []
    assert report.false_alarm_messages <= 0.05 * report.messages_without_pii


def test_koers_beats_the_plain_ner_baseline_on_names(examples) -> None:
    koers = score("koers", examples, koers_predict, types={"NAAM"})
    base = score("spacy", examples, baseline_predict, types={"NAAM"})
    assert koers.per_type["NAAM"].recall > base.per_type["NAAM"].recall
    assert koers.overall.precision > base.overall.precision


def test_speed_target(examples) -> None:
    from bot.privacy.scrubber import scrub_text

    texts = [e.text for e in examples[:200]]
    scrub_text("opwarmen")
    assert summary(measure(scrub_text, texts, 1))["median_ms"] <= 15.0


def test_evaluate_command_prints_both_systems(capsys) -> None:
    from tools import privacy_evaluate as evaluate

    assert evaluate.main(["--split", "holdout"]) == 0
    out = capsys.readouterr().out
    assert "koers P" in out and "spacy R" in out and "targets: all met" in out


def test_conll_reader_and_scoring(tmp_path) -> None:
    from tools.privacy_evaluate import load_conll

    sample = tmp_path / "ned.sample"
    sample.write_text(
        "-DOCSTART- -DOCSTART- O\n\nIk Pron O\nsprak V O\nmet Prep O\nJan N B-PER\n"
        "de Art I-PER\nVries N I-PER\nin Prep O\nUtrecht N B-LOC\n. Punc O\n\n"
        "Geen Pron O\nnamen N O\n. Punc O\n",
        encoding="utf-8",
    )
    examples = load_conll(sample)
    assert [e.text for e in examples] == [
        "Ik sprak met Jan de Vries in Utrecht .",
        "Geen namen .",
    ]
    assert examples[0].spans == (("NAAM", 13, 25),)
    report = score("koers", examples, lambda t: [p for p in koers_predict(t) if p[0] == "NAAM"])
    assert report.per_type["NAAM"].recall == 1.0


def test_bench_command(capsys) -> None:
    from tools import privacy_bench as bench

    assert bench.main(["--rounds", "1"]) == 0
    assert "median" in capsys.readouterr().out
