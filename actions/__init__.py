"""The Koers action server (``python -m actions.server``, see :mod:`actions.server`).

Importing the package is how rasa_sdk loads the actions, so this is where the action server's logs
get the same privacy filter as the Rasa server: no user text at INFO and above.
"""

from bot.privacy.logging import install_log_privacy

install_log_privacy()
