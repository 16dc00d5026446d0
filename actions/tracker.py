"""Reading the tracker, the same way in every action module.

The latest message's text, intent and confidence, the active form and the question it asks,
and :func:`turn_in_form`: the one adapter the form validation actions call to learn whether
the employee answered or interrupted (the decision itself is ``bot.conversation.turns``).
"""

from __future__ import annotations

from rasa_sdk import Tracker

from bot.conversation.turns import Turn, classify_turn

REQUESTED_SLOT = "requested_slot"
#: Actions Rasa runs between a message and the form without answering anything itself.
_BEFORE_THE_FORM = frozenset({"action_listen", "action_extract_slots"})


def latest_text(tracker: Tracker) -> str:
    """The text of the latest message without surrounding whitespace ("" when there is none).

    Stripped for every caller: the preparation stores the text as the answer and looks at its
    first and last character ("/stop", "…?"); the booking and scan parsers ignore whitespace.
    """
    return str(tracker.latest_message.get("text") or "").strip()


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    """The name and confidence of the intent NLU gave the latest message."""
    intent = tracker.latest_message.get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


NLU_FALLBACK = "nlu_fallback"


def best_guess(tracker: Tracker) -> tuple[str | None, float]:
    """The latest intent, or NLU's best real candidate when it fell back (unsure or a tie).

    A form judges a question typed as its answer by what NLU thought it most likely was
    ("wordt dit antwoord ook bewaard?" may be a tie of privacy and my-data); the fallback's
    own confidence is its threshold, which says nothing about the message.
    """
    intent, confidence = latest_intent(tracker)
    if intent != NLU_FALLBACK:
        return intent, confidence
    for ranked in tracker.latest_message.get("intent_ranking") or []:
        name = ranked.get("name") if isinstance(ranked, dict) else None
        if isinstance(name, str) and name != NLU_FALLBACK:
            return name, float(ranked.get("confidence") or 0.0)
    return intent, confidence


def active_form(tracker: Tracker) -> str | None:
    """The name of the form (loop) that is running, or None."""
    return tracker.active_loop_name


def requested_slot(tracker: Tracker) -> str | None:
    """The slot whose question the form asked last, or None."""
    return tracker.get_slot(REQUESTED_SLOT)


def turn_in_form(tracker: Tracker, form: str, *, answer_understood: bool | None = None) -> Turn:
    """What the latest message is inside ``form``: an answer, unclear, or an interruption.

    ``form`` comes from the validation action (``self.form_name()``), not from the tracker:
    an action always judges by the rules of the form it validates.
    ``answer_understood``: see :func:`bot.conversation.turns.classify_turn`.
    """
    intent, confidence = best_guess(tracker)
    return classify_turn(
        form=form,
        intent=intent,
        confidence=confidence,
        text=latest_text(tracker),
        answer_understood=answer_understood,
    )


def answering_open_question(tracker: Tracker, form: str) -> bool:
    """True when the latest message answers the question ``form`` has open.

    False when the form is being activated (no form or another one is active) or comes back
    after another action ran in this turn: then there is no fresh message for it to judge.
    """
    if active_form(tracker) != form or not requested_slot(tracker):
        return False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return True
        name = event.get("name")
        if event.get("event") == "action" and name != form and name not in _BEFORE_THE_FORM:
            return False
    return True
