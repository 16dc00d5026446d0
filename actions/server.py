"""The Koers action server: rasa_sdk's server, but it trusts nobody (``python -m actions.server``).

``rasa run actions`` listens on every interface and runs any action for anyone who can reach
port 5055, with whatever tracker and metadata they send: an attacker could mint vouchers
(docs/security.md). This entry point starts the same rasa_sdk app with three changes:

* it binds to ``KOERS_ACTION_HOST`` (default ``127.0.0.1``), not to every interface;
* every request except ``GET /health`` must carry ``KOERS_ACTION_SECRET`` in the
  :data:`~bot.action_secret.ACTION_SECRET_HEADER` header, checked before any action runs or
  is listed; otherwise 401 JSON and a log line without personal data;
* it refuses to start without ``KOERS_ACTION_SECRET`` (32+ characters) and
  ``KOERS_IDENTITY_SECRET`` (the actions verify signed identity claims with it).

No CORS (only the Rasa server calls it, never a browser), no access log (it would hold client
addresses), and errors never echo the request body (rasa_sdk's own handler does).

Name detection is ready before the first call: the spaCy NER pipeline that scrubs the
preparation sheet's answers (:func:`bot.privacy.names.get_nlp`: one pipeline, only ``ner``
and the ``tok2vec`` it listens to, TensorFlow kept out) is loaded and run once before the
server listens (:func:`preload_name_detection`), so the first employee does not wait for it
and the action server's memory is what it will stay (``make soak`` shows start and end).

Options are rasa_sdk's (``--port``, ``--actions``, ``--ssl-certificate``, ``--ssl-keyfile``,
``--auto-reload``, ``-v``/``--debug``); ``--cors`` is accepted and ignored.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.action_secret import (
    ACTION_SECRET_HEADER,
    ActionSecretConfigError,
    check_action_secret,
    secret_matches,
)
from bot.channels.identity import IdentityConfigError, check_identity_secret
from bot.config import Settings, load_settings

logger = logging.getLogger("actions.server")

ACTIONS_PACKAGE = "actions"
#: Paths anyone may call: a health check runs no action and tells nothing.
OPEN_PATHS = frozenset({"/health"})
EXIT_CONFIG_ERROR = 2


def check_secrets(settings: Settings) -> str:
    """The action secret; raises when either secret is missing or too short."""
    secret = check_action_secret(settings.action_secret)
    check_identity_secret(settings.identity_secret)
    return secret


def refusal(request: Request, expected: str) -> HTTPResponse | None:
    """401 for a call without the right secret header; None lets the call through."""
    if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
        return None
    given = request.headers.get(ACTION_SECRET_HEADER)
    if secret_matches(given, expected):
        return None
    # No address, header value or body: only which route and which of the two cases.
    logger.warning(
        "Refused an action server call to %s %s: %s secret header",
        request.method,
        request.path,
        "no" if not given else "a wrong",
    )
    return response.json({"error": "unauthorized"}, status=401)


def preload_name_detection(settings: Settings) -> bool:
    """Load the NER pipeline and run it once; False (and a log line) when it cannot load,
    then it is tried again at first use, as before."""
    # Imported here, not at the top: only a starting server loads spaCy (tests and tools that
    # import this module do not pay for it).
    from bot.privacy.names import find_names, get_nlp, stopwords

    started = time.monotonic()
    try:
        get_nlp(settings.spacy_model)
        stopwords()
        find_names("Ik heb vandaag met Petra de Vries gesproken.")  # first run allocates too
    except (OSError, ImportError) as exc:
        logger.warning(
            "Name detection not preloaded (%s): it loads at the first sheet", type(exc).__name__
        )
        return False
    logger.info(
        "Name detection ready (%s) in %.1f s", settings.spacy_model, time.monotonic() - started
    )
    return True


def build_app(
    settings: Settings,
    package: str = ACTIONS_PACKAGE,
    *,
    auto_reload: bool = False,
    preload: bool = True,
) -> Sanic:
    """rasa_sdk's app with the secret check in front of every route but /health; with
    ``preload``, name detection is loaded before the server listens."""
    expected = check_secrets(settings)
    app = create_app(package, cors_origins=None, auto_reload=auto_reload)

    if preload:

        @app.before_server_start
        async def load_name_detection(app: Sanic, _loop: object = None) -> None:
            await asyncio.to_thread(preload_name_detection, settings)  # the loop stays free

    @app.on_request
    async def require_secret(request: Request) -> HTTPResponse | None:
        return refusal(request, expected)

    async def without_echo(request: Request, exception: Exception) -> HTTPResponse:
        if isinstance(exception, SanicException):
            status = getattr(exception, "status_code", 500) or 500
            return response.json({"error": str(exception.__class__.__name__)}, status=status)
        logger.error("Action server error on %s: %s", request.path, type(exception).__name__)
        return response.json({"error": "internal error"}, status=500)

    app.error_handler.add(Exception, without_echo)
    return app


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = create_argument_parser()
    parser.description = "Starts the Koers action server (a secret header on every call)."
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Start the server; exit code 2 (with the reason on stderr) when a secret is missing."""
    args = parse_arguments(argv)
    settings = load_settings()
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    try:
        app = build_app(settings, args.actions or ACTIONS_PACKAGE, auto_reload=args.auto_reload)
    except (ActionSecretConfigError, IdentityConfigError) as missing:
        print(f"The action server did not start: {missing}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    protocol = "https" if ssl_context else "http"
    logger.info(
        "Action server on %s://%s:%s (calls need the %s header)",
        protocol,
        settings.action_host,
        args.port,
        ACTION_SECRET_HEADER,
    )
    app.run(
        settings.action_host,
        args.port,
        ssl=ssl_context,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
