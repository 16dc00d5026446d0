"""The trained model on the held-out Dutch test set (tests/data/nlu_holdout.yml).

These phrasings are never used for training. `make nlu-report` gives the full per-intent
report and confusion matrix; this test guards against regressions.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import aiohttp
import pytest
import yaml

from .conftest import AUTH_TOKEN, KoersServers

HOLDOUT = Path(__file__).resolve().parents[1] / "data" / "nlu_holdout.yml"
TRAINING_DATA = Path(__file__).resolve().parents[2] / "data" / "nlu"
#: The held-out set grew on 2026-12-02 with 54 phrasings from the walkthroughs (typos,
#: shouting, "ok …" openings, jargon): harder by design. Measured then: the earlier model
#: 0.817 and the retrained one 0.824 on the grown set; on the earlier 256 examples 0.916 before
#: and 0.897 after (issue 16 is to win that back). The floor sits just under today's figure.
#: 2026-12-03 (second round, 363 examples): the morning's model 0.789, the retrained 0.834;
#: on the 321 examples both sets share 0.832 before and 0.839 after.
MIN_INTENT_MACRO_F1 = 0.80
MIN_FAQ_ACCURACY = 0.90


def holdout_examples() -> list[tuple[str, str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    data = load_data(str(HOLDOUT))
    return [
        (m.get("text"), m.get("intent_response_key") or m.get("intent"))
        for m in data.intent_examples
    ]


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    true_positive, predicted, actual = Counter(), Counter(), Counter()
    for gold, guess in pairs:
        actual[gold] += 1
        predicted[guess] += 1
        if gold == guess:
            true_positive[gold] += 1
    scores = []
    for label in actual:
        precision = true_positive[label] / predicted[label] if predicted[label] else 0.0
        recall = true_positive[label] / actual[label]
        total = precision + recall
        scores.append(2 * precision * recall / total if total else 0.0)
    return sum(scores) / len(scores)


def test_the_held_out_set_holds_no_training_example() -> None:
    """A copied training example would make the held-out score say nothing about new wording."""
    from rasa.shared.nlu.training_data.loading import load_data

    trained = {m.get("text").strip().lower() for m in load_data(str(TRAINING_DATA)).intent_examples}
    copies = [text for text, _ in holdout_examples() if text.strip().lower() in trained]
    assert copies == []


def test_no_comment_inside_an_example_block() -> None:
    """A "# ..." line inside ``examples: |`` is no YAML comment: Rasa skips it with a warning
    that `rasa data validate --fail-on-warnings` lets through (seen on 2026-12-03)."""
    files = [*sorted(TRAINING_DATA.glob("*.yml")), HOLDOUT]
    found = [
        f"{path.name}: {item.get('intent')}: {line.strip()}"
        for path in files
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", [])
        for line in str(item.get("examples", "")).splitlines()
        if line.strip() and not line.lstrip().startswith("- ")
    ]
    assert found == []


@pytest.mark.server
async def test_intent_macro_f1_on_unseen_phrasings(koers_servers: KoersServers) -> None:
    intent_pairs, faq_pairs = [], []
    url = f"{koers_servers.rasa_url}/model/parse?token={AUTH_TOKEN}"
    async with aiohttp.ClientSession() as session:
        for text, label in holdout_examples():
            async with session.post(url, json={"text": text}) as response:
                parsed = await response.json()
            intent = parsed["intent"]["name"]
            intent_pairs.append((label.split("/")[0], intent))
            if label.startswith("faq/") and intent == "faq":
                selected = parsed["response_selector"]["faq"]["response"]
                faq_pairs.append((label, selected["intent_response_key"]))
    score = macro_f1(intent_pairs)
    faq_accuracy = sum(gold == guess for gold, guess in faq_pairs) / len(faq_pairs)
    print(f"held-out intent macro-F1 {score:.3f}, FAQ answer accuracy {faq_accuracy:.3f}")
    assert score >= MIN_INTENT_MACRO_F1
    assert faq_accuracy >= MIN_FAQ_ACCURACY
