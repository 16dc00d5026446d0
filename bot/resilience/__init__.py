"""Koers keeps talking when a part is down: a polite Dutch answer instead of silence.

Rasa 3.6 logs a failed custom action and says nothing; a failing lock store or database makes
the REST channel answer with an empty list. :func:`install` (called when the channels are
imported by the Rasa server) adds a timeout and a Dutch fallback to every custom action call;
:func:`bot.resilience.channel.guard_failures` turns any other failure of a turn into a Dutch
answer and one clear log line.
"""

from bot.resilience.actions import install

__all__ = ["install"]
