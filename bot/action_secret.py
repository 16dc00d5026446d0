"""The header secret between the Rasa server and the action server (docs/security.md).

The action server runs actions that spend budgets and book coaches, so it must only accept
calls from the Rasa server. Both processes get ``KOERS_ACTION_SECRET``; the Rasa server sends
it in :data:`ACTION_SECRET_HEADER` on every call (``endpoints.yml`` ``headers:``, and
:mod:`bot.rasa_ext.patches.action_calls` adds it when an endpoints file forgot it), and the action
server (:mod:`actions.server`) refuses every call without it before any action runs.

Nothing here imports Rasa: both servers use it.
"""

from __future__ import annotations

import hmac

ACTION_SECRET_HEADER = "X-Koers-Action-Secret"
MIN_ACTION_SECRET_CHARS = 32


class ActionSecretConfigError(RuntimeError):
    """``KOERS_ACTION_SECRET`` is missing or too short (fail at start-up, not per call)."""


def check_action_secret(secret: str) -> str:
    """``secret`` if it is long enough to be a real secret; else a start-up error."""
    if not isinstance(secret, str) or len(secret.strip()) < MIN_ACTION_SECRET_CHARS:
        raise ActionSecretConfigError(
            f"KOERS_ACTION_SECRET must be set to at least {MIN_ACTION_SECRET_CHARS} random "
            "characters, the same in the Rasa server and the action server (for example: "
            "python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    return secret.strip()


def secret_matches(given: object, expected: str) -> bool:
    """Constant-time comparison, so the answer time does not tell how much was right."""
    if not isinstance(given, str) or not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
