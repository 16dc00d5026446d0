"""bot.rasa_ext.patches.model_load gives the same predictions as Rasa's own loading, faster and
smaller.

Both ways load the trained model in their own process and answer every held-out text: intent
ranking, entities, FAQ answer and TED's next-action probabilities must match.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, trained_model

TOLERANCE = 1e-5


def load_and_probe(mode: str, model: Path, out: Path) -> dict:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "PYTHONWARNINGS": "ignore"}
    subprocess.run(
        [sys.executable, "-m", "tests.conversation.model_load_probe", mode, str(model), str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        timeout=600,
    )
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
def both_loads(tmp_path_factory) -> tuple[dict, dict]:
    model = trained_model()
    work = tmp_path_factory.mktemp("model-load")
    return (
        load_and_probe("rasa", model, work / "rasa.json"),
        load_and_probe("koers", model, work / "koers.json"),
    )


def test_predictions_are_the_same(both_loads) -> None:
    rasa, koers = both_loads
    assert len(koers["results"]) == len(rasa["results"]) > 100
    for ours, theirs in zip(koers["results"], rasa["results"], strict=True):
        text = theirs["text"]
        assert [n for n, _ in ours["ranking"]] == [n for n, _ in theirs["ranking"]], text
        for (_, mine), (_, expected) in zip(ours["ranking"], theirs["ranking"], strict=True):
            assert mine == pytest.approx(expected, abs=TOLERANCE), text
        assert ours["entities"] == theirs["entities"], text
        assert ours["faq"][0] == theirs["faq"][0], text
        if theirs["faq"][1] is not None:
            assert ours["faq"][1] == pytest.approx(theirs["faq"][1], abs=TOLERANCE), text
        assert ours["policy"] == theirs["policy"], text
        assert ours["probabilities"] == pytest.approx(theirs["probabilities"], abs=TOLERANCE)


def test_loading_is_faster_and_smaller(both_loads) -> None:
    rasa, koers = both_loads
    print(
        f"load {rasa['load_seconds']:.0f} s -> {koers['load_seconds']:.0f} s, "
        f"resident {rasa['resident_mb']} MB -> {koers['resident_mb']} MB"
    )
    assert koers["load_seconds"] < rasa["load_seconds"]
    assert koers["resident_mb"] < rasa["resident_mb"]
