"""How Koers takes turns with the employee, for every form and outside them (no Rasa imports).

- ``turns.py``: what a message inside a form is (answer, correction, way out, side question,
  new request, unclear). The one catalogue of interrupting intents, how each form admits
  them, and the confidence threshold. The form validation actions ask it through
  ``actions/tracker.py`` (``turn_in_form``).
- ``odd_input.py``: messages that are no normal Dutch chat message (empty, emoji, markup, very
  long, another language); used by the NLU guard (``bot/rasa_ext/nlu.py``) and the fallback.
- ``guards.py``: word-level corrections of NLU's intent where a wrong guess costs trust: a
  negated request ("ik wil niks wissen") is a no, a question about the counts never changes
  the counting setting, an erase request or "stop. ..." interrupts every form; used by the
  NLU guard (``bot/rasa_ext/nlu.py``) and :func:`turns.classify_turn`.
- ``fallback.py``: the kind answers when Koers did not understand, and for out-of-scope
  questions (``actions/fallback.py``).
- ``barriers.py``: the tips for what holds an employee back and for worries
  (``actions/support.py``, inside the preparation form), and the barrier categories the
  trends count.

Where the answers to interruptions live: ``turns.py`` decides what a message is and holds
the one table of what follows (side answers, the flow each new request starts, each form's
pause and go-back). ``actions/form_turns.py::TurnTakingFormValidation``, the base of every
form's validation action, applies it before the form's slot methods: a side question is
answered and the same question asked again, a way out pauses and ends the form, a new request
ends it and starts the other flow (``FollowupAction``). No rule per form and intent: the forms
never reject, so RulePolicy always runs the active form (issue 16). Adding an interrupting
intent is one line in ``turns.py``.
"""
