"""Speed-ups for Rasa 3.6 internals that the benchmark (``make bench``) showed to be slow.

:func:`install` is called when the Rasa server imports Koers's channels
(``bot/channels/rest.py``), before the model is loaded. Every change keeps Rasa's behaviour
and is covered by tests (``tests/test_tuning.py``, ``tests/conversation/test_model_load.py``);
the before and after figures are in the README ("Performance").

* :mod:`bot.rasa_ext.tuning.model_load`: models are loaded for prediction without Rasa's one-step
  training, which took most of the start-up time and kept optimizer copies of every weight;
* :mod:`bot.rasa_ext.tuning.action_results`: the action server's answer is checked with one compiled
  JSON schema validator instead of re-checking the schema on every call;
* :mod:`bot.rasa_ext.tuning.action_calls`: action calls share kept-alive connections and encode the
  tracker with ujson;
* :mod:`bot.rasa_ext.tuning.event_types`: events read back from the tracker store find their class in a
  mapping instead of walking all event classes each time.
"""

from bot.rasa_ext.tuning import action_calls, action_results, event_types, model_load


def install() -> None:
    """Install every speed-up (idempotent)."""
    model_load.install()
    action_results.install()
    action_calls.install()
    event_types.install()


__all__ = ["install"]
