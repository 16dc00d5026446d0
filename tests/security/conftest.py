"""The attack suite runs against the real servers (docs/security.md: threat, defence, test).

The Rasa server, action server and web app come from the same fixtures as the conversation
tests, so an attack meets exactly what `make run` starts.
"""

from tests.conversation.conftest import chat, koers_servers  # noqa: F401  (fixtures)
