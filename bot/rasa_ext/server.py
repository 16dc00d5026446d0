"""The one way Koers starts Rasa: install every patch, then hand over to Rasa's own command line.

::

    python -m bot.rasa_ext.server run --model models/koers.tar.gz --credentials credentials.yml \
        --endpoints endpoints.yml [every other ``rasa run`` option]
    python -m bot.rasa_ext.server shell --model models/koers.tar.gz --endpoints endpoints.yml
    python -m bot.rasa_ext.server test core --model models/koers.tar.gz --stories tests/stories

Everything after the script name goes to Rasa unchanged, so every Rasa option keeps working.
The patches (:func:`bot.rasa_ext.patches.install_all`) are installed before Rasa reads its
configuration or loads the model: the action timeout, the Dutch fallback and the speed-ups do
not depend on which channels ``credentials.yml`` names. Only the commands that load a model
are accepted; ``rasa train`` and ``rasa data`` need no patches and run as plain ``rasa``.
Sanic's extra workers (``SANIC_WORKERS``) are forked from this process and keep the patches.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from rasa.__main__ import main as rasa_main

from bot.rasa_ext.patches import install_all

#: The Rasa commands that load a model, so the patches matter.
COMMANDS = ("run", "shell", "test")
USAGE = (
    "usage: python -m bot.rasa_ext.server {" + ",".join(COMMANDS) + "} [rasa options]\n"
    "Installs Koers's patches of Rasa internals, then runs the rasa command."
)


def main(argv: Sequence[str] | None = None) -> None:
    """Install the patches, then run ``rasa <argv>`` in this process (Rasa's exit code)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] not in COMMANDS:
        print(USAGE, file=sys.stderr)
        raise SystemExit(2)
    install_all()
    sys.argv = ["rasa", *arguments]  # Rasa's command line reads sys.argv
    rasa_main()


if __name__ == "__main__":
    main()
