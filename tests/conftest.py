"""Shared fixtures: the real domain, and trackers built from it for action tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parent.parent
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


#: test files (or folders) whose module- or package-scoped fixtures start servers or load a
#: model: under pytest-xdist their tests stay on one worker, so that work is done once
#: (``--dist loadgroup`` in scripts/test.sh); every other test goes to whichever worker is free
EXPENSIVE_SETUP = (
    "tests/faults/",
    "tests/conversation/test_privacy_conversation.py",
    "tests/conversation/test_model_load.py",
    "tests/conversation/test_mail_after_booking.py",
    "tests/channels/teams/test_teams_server.py",
    "tests/security/test_bookings.py",
    "tests/privacy/test_evaluation.py",
)


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath)).relative_to(ROOT).as_posix()
        for prefix in EXPENSIVE_SETUP:
            if path.startswith(prefix):
                item.add_marker(pytest.mark.xdist_group(name=prefix))
                break


@pytest.fixture(autouse=True)
def _fresh_findings_cache():
    """Each test scrubs with an empty findings cache (tests that break a detector need it)."""
    from bot.privacy.scrubber import FINDINGS_CACHE

    FINDINGS_CACHE.clear()
    yield


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    """The project's domain.yml as the action server receives it."""
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml")).as_dict()


@pytest.fixture(scope="session")
def make_tracker(domain: dict[str, Any]):
    """Build a rasa_sdk Tracker with every domain slot at its initial value."""

    def build(
        text: str = "",
        intent: str | None = None,
        confidence: float = 0.95,
        slots: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        events: list[dict[str, Any]] | None = None,
        active_loop: str | None = None,
        extra_message: dict[str, Any] | None = None,
    ) -> Tracker:
        all_slots = {name: spec.get("initial_value") for name, spec in domain["slots"].items()}
        all_slots["requested_slot"] = None
        unknown = set(slots or {}) - set(all_slots)
        assert not unknown, f"slots not in the domain: {unknown}"
        all_slots.update(slots or {})
        latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence} if intent else {},
            "entities": entities or [],
            **(extra_message or {}),
        }
        return Tracker(
            sender_id="test",
            slots=all_slots,
            latest_message=latest_message,
            events=events or [],
            paused=False,
            followup_action=None,
            active_loop={"name": active_loop} if active_loop else {},
            latest_action_name="action_listen",
        )

    return build


@pytest.fixture(scope="session")
def artefacts_dir() -> Path:
    """Where browser tests save screenshots (git-ignored; CI keeps them as artefacts)."""
    from tests.browser_support import ARTEFACTS_DIR

    ARTEFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTEFACTS_DIR


@pytest.fixture(scope="session")
def chromium_browser():
    """One headless Chromium (the system browser, driven by Playwright) per test session.

    Fails rather than skips in CI: a missing browser must not silently drop the browser tests.
    """
    from tests.browser_support import AXE_SCRIPT, CHROMIUM_ARGS, chromium_path

    executable = chromium_path()
    if executable is None or not AXE_SCRIPT.exists():
        message = "Chromium (/usr/bin/chromium) or axe-core (npm ci) is missing; run make setup"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
