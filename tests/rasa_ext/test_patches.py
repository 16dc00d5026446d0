"""bot/rasa_ext/patches: one door for every patch of Rasa internals.

The fingerprints fail loudly when a Rasa upgrade changes a function a patch replaces; the
version guard refuses another Rasa before anything is patched; installing twice changes
nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import rasa

from bot.rasa_ext import patches
from bot.rasa_ext.patches import (
    PATCH_MODULES,
    RASA_VERSION,
    check_rasa_version,
    every_target,
    install_all,
    rasa_original,
    turn_profile,
)
from bot.rasa_ext.patches.target import source_sha256

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_TARGETS = {
    "rasa.core.actions.action.RemoteAction.run",
    "rasa.core.actions.action.RemoteAction.__init__",
    "rasa.core.actions.action.RemoteAction._validate_action_result",
    "rasa.utils.tensorflow.models.RasaModel.load",
    "rasa.shared.core.events.Event.resolve_by_type",
    "rasa.core.tracker_store.FailSafeTrackerStore.on_tracker_store_error",
    "rasa.core.tracker_store.FailSafeTrackerStore.on_tracker_store_retrieve_error",
    "rasa.engine.runner.dask.DaskGraphRunner.__init__",
    "rasa.core.processor.MessageProcessor.handle_message",
    "rasa.core.processor.MessageProcessor.fetch_tracker_and_update_session",
    "rasa.core.processor.MessageProcessor.save_tracker",
    "rasa.core.processor.MessageProcessor.run_action_extract_slots",
    "rasa.core.processor.MessageProcessor._run_action",
}


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """``code`` in a fresh interpreter (nothing patched yet), from the project root."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "PYTHONWARNINGS": "ignore",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def python_outcome(code: str) -> dict:
    """Run ``code`` as :func:`run_python` does; the JSON object on its last printed line."""
    result = run_python(code)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_patch_names_what_it_replaces() -> None:
    assert all(module.TARGETS for module in PATCH_MODULES)
    assert {str(target) for target in every_target()} == EXPECTED_TARGETS


@pytest.mark.parametrize("target", every_target(), ids=str)
def test_the_patched_rasa_function_is_the_one_the_patch_was_written_for(target) -> None:
    """A new Rasa release that changed this function fails here: check the patch against the
    new code, then record the new fingerprint (``source_sha256`` of the original)."""
    assert rasa.__version__ == RASA_VERSION
    assert source_sha256(rasa_original(target)) == target.source_sha256, (
        f"Rasa's {target} changed: check {target.owner}.{target.attribute}'s patch in "
        "bot/rasa_ext/patches against the new source before updating its fingerprint"
    )


def test_install_all_replaces_every_target_once() -> None:
    """Every speed-up's target; the turn profile's only with KOERS_TURN_PROFILE (below)."""
    install_all()
    installed = {target: target.current() for target in every_target()}
    profiled = set(turn_profile.TARGETS)
    assert all(installed[t] is not rasa_original(t) for t in installed if t not in profiled)
    assert all(installed[t] is rasa_original(t) for t in profiled)
    install_all()
    assert {target: target.current() for target in every_target()} == installed
    assert patches.is_installed()


@pytest.mark.parametrize("attribute", ["run", "__init__"])
def test_the_wrapping_patches_wrap_rasas_own_function_directly(attribute: str) -> None:
    """However often install_all runs, RemoteAction's wrappers call Rasa's own function (a
    second install would have wrapped the first wrapper)."""
    install_all()
    install_all()
    [target] = [t for t in every_target() if t.owner == "RemoteAction" and t.attribute == attribute]
    wrapper = target.current()
    assert rasa_original(target) in [cell.cell_contents for cell in wrapper.__closure__]


def test_another_rasa_version_is_refused_by_name() -> None:
    with pytest.raises(RuntimeError, match=r"Rasa 3\.7\.0 is installed") as refused:
        check_rasa_version("3.7.0")
    assert RASA_VERSION in str(refused.value)
    check_rasa_version(RASA_VERSION)


def test_install_all_on_another_rasa_patches_nothing() -> None:
    outcome = python_outcome(
        "import json, rasa\n"
        "rasa.__version__ = '3.7.0'\n"
        "from bot.rasa_ext import patches\n"
        "before = {str(t): t.current() for t in patches.every_target()}\n"
        "try:\n"
        "    patches.install_all()\n"
        "    error = None\n"
        "except RuntimeError as exc:\n"
        "    error = str(exc)\n"
        "after = {str(t): t.current() for t in patches.every_target()}\n"
        "print(json.dumps({'error': error, 'unchanged': before == after,\n"
        "                  'installed': patches.is_installed()}))\n"
    )
    assert outcome["unchanged"] is True and outcome["installed"] is False
    assert "3.7.0" in outcome["error"] and RASA_VERSION in outcome["error"]


def test_the_turn_profile_times_only_when_asked(tmp_path: Path) -> None:
    """With KOERS_TURN_PROFILE set, each of its targets gets a timer (and a turn writes the
    totals there); without it, Rasa's functions stay as they are (the test above)."""
    profile_file = tmp_path / "turns.json"
    outcome = python_outcome(
        "import json, os\n"
        f"os.environ['KOERS_TURN_PROFILE'] = {str(profile_file)!r}\n"
        "from bot.rasa_ext import patches\n"
        "from bot.rasa_ext.patches import turn_profile\n"
        "patches.install_all()\n"
        "replaced = [t.current() is not patches.rasa_original(t) for t in turn_profile.TARGETS]\n"
        "turn_profile._profile.add('graph: DIETClassifier', 0.25)\n"
        "turn_profile._profile.turn_done(0.5)\n"
        "print(json.dumps({'replaced': replaced}))\n"
    )
    assert outcome["replaced"] == [True] * len(turn_profile.TARGETS)
    written = json.loads(profile_file.read_text())
    assert written["turns"] == 1
    assert written["seconds"] == {"graph: DIETClassifier": 0.25, "turn": 0.5}
