"""Fixtures of the chat-widget tests (socket level and browser), and browser tests last."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.widget_support import WidgetStack, running_widget_stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run every test that uses the browser after all others (stable order otherwise).

    The session-scoped ``chromium_browser`` keeps Playwright's sync event loop running in the
    main thread until the session ends; an async test after it cannot start its own loop
    ("Cannot run the event loop while another loop is running").
    """
    items.sort(key=lambda item: "chromium_browser" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def widget_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WidgetStack]:
    """Real Rasa + action server with widget secrets, a cuttable proxy, and the web app."""
    with running_widget_stack(tmp_path_factory.mktemp("widget")) as stack:
        yield stack
