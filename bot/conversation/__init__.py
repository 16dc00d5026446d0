"""How Koers takes turns with the employee, for every form and outside them (no Rasa imports).

- ``turns.py``: what a message inside a form is (answer, correction, way out, side question,
  new request, unclear). The one catalogue of interrupting intents, how each form admits
  them, and the confidence threshold. The form validation actions ask it through
  ``actions/tracker.py`` (``turn_in_form``).
- ``odd_input.py``: messages that are no normal Dutch chat message (empty, emoji, markup, very
  long, another language); used by the NLU guard (``bot/rasa_ext/nlu.py``) and the fallback.
- ``fallback.py``: the kind answers when Koers did not understand, and for out-of-scope
  questions (``actions/fallback.py``).
- ``barriers.py``: the tips for what holds an employee back and for worries
  (``actions/support.py``, inside the preparation form), and the barrier categories the
  trends count.

Where the answers to interruptions live: ``turns.py`` only decides that a message is no
answer. The validation action then returns no slot, the form rejects, and a rule in
``data/rules/`` (``scan.yml``, ``prepare.yml``, ``ledger.yml``) answers: one rule per form and
intent, named "tijdens <flow> - <topic>" (59 of them), each of the shape "intent X while form
F runs -> answer -> form F again" (or stop the form, for the ways out). An intent that
interrupts a form without such a rule is left to the general rules and the policies; the
booking forms and practising have those gaps today (``tests/test_turns.py`` lists them). The
conversation issue (16) replaces the per-intent rules by one mechanism built on ``turns.py``;
until then a change to an intent in ``turns.py`` needs the matching rule, and a retrain.
"""
