"""The action server registers every action of the package, as `make run` starts it.

A base class without a name (the form turn-taking base once was one) crashes the action server
at start; this builds the same registry the server builds.
"""

from __future__ import annotations

from rasa_sdk.executor import ActionExecutor


def test_the_action_server_registers_the_actions_package() -> None:
    executor = ActionExecutor()
    executor.register_package("actions")
    names = set(executor.actions)
    assert {"validate_scan_form", "validate_prepare_form", "validate_coach_form"} <= names
    assert {"action_coach_facts", "action_show_my_data"} <= names
