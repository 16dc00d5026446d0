"""Validate action server responses with one compiled JSON schema validator.

Rasa 3.6 checks every action server response with ``jsonschema.validate(result, spec)``. That
call first validates the (large, unchanging) events schema itself against the JSON Schema
2020-12 meta-schema and builds a new validator: about 40 ms of CPU per custom action call on
this machine, half of the Rasa server's time under load. Here the schema is checked once and
the validator is reused (about 1 ms per call). Errors are the same: the best matching
:class:`jsonschema.ValidationError` with Rasa's hint appended.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from bot.rasa_ext.patches.target import PatchedFunction

logger = logging.getLogger(__name__)
RASA_HINT = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid. For more information about the format visit {docs}/custom-actions"
)
TARGETS = (
    PatchedFunction(
        "rasa.core.actions.action",
        "RemoteAction",
        "_validate_action_result",
        "f8cdb4be6812396167ced74161b2ccd65c5ea676ad86d7d359d8c322d9d8dc42",
    ),
)


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator for Rasa's action response schema, checked and built once."""
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)
    return validator_class(spec)


def validate_action_result(_action: Any, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result``: True, or raise ValidationError."""
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += RASA_HINT.format(docs=DOCS_BASE_URL)
    raise error


def install() -> None:
    """Use :func:`validate_action_result` for every custom action call (once: ``install_all``)."""
    from rasa.core.actions.action import RemoteAction

    response_validator()  # check the schema now, at start-up, not in the first turn
    RemoteAction._validate_action_result = validate_action_result
    logger.debug("Action server responses are checked with a compiled schema validator")


__all__ = ["TARGETS", "ValidationError", "install", "response_validator", "validate_action_result"]
