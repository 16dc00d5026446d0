"""A dialogue policy for what NLU cannot know: a message about the list just shown.

After a list of workshop sessions, "ok dan doe ik die van 24 maart maar" reads to NLU like
the start of the scan, "ja die" like a yes to nothing, "die in Venlo" like a new question.
Which one it is depends on the list on the screen, and only the tracker has that (the
``signup_query`` slot keeps the sessions shown). This policy reads the message against that
list with the pure :func:`bot.ledger.signup_chat.read_pick` and, when it is a pick (one
session, several, or a clear pick of none), predicts ``action_signup_start`` for sure, with a
priority above the RulePolicy; the action reads the same message the same way and asks the
question, or "Bedoel je … of …?". A question about what a shown workshop is ("wat is nummer 5
precies?") predicts ``action_describe_workshop`` the same way. Otherwise it predicts nothing and
the rules decide.

Only right after a list (the bot's last action before the message is one of
:data:`bot.ledger.signup_chat.LIST_ACTIONS`), never inside a form, never for a button payload.
Nothing is trained: the policy has no state.
"""

from __future__ import annotations

from typing import Any

from rasa.core.policies.policy import Policy, PolicyPrediction, SupportedData
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.clock import utcnow
from bot.ledger import signup_chat as chat

PICK_ACTION = "action_signup_start"
#: "wat is nummer 5 precies", "wat leer je daar?": what a workshop is about.
ABOUT_ACTION = "action_describe_workshop"
#: Above the RulePolicy (4): a pick from the list on the screen beats the rule of the intent
#: NLU guessed for the same words.
PRIORITY = 5
_NOT_A_REPLY = frozenset({ACTION_LISTEN_NAME, "action_extract_slots"})


def last_reply_action(tracker: DialogueStateTracker) -> str | None:
    """The bot's last action before the latest message (None when there is none)."""
    seen_message = False
    for event in reversed(tracker.applied_events()):
        if isinstance(event, UserUttered):
            if seen_message:
                return None
            seen_message = True
        elif seen_message and isinstance(event, ActionExecuted):
            if event.action_name not in _NOT_A_REPLY:
                return event.action_name
    return None


def _typed_outside_forms(tracker: DialogueStateTracker) -> str | None:
    """The latest typed message when no form runs and the bot waits for it, else None."""
    if tracker.active_loop_name or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return None
    text = str(tracker.latest_message.text or "") if tracker.latest_message else ""
    return text if text and not text.startswith("/") else None


def reads_as_pick(tracker: DialogueStateTracker) -> bool:
    """The latest message picks from the list of sessions the bot just showed."""
    text = _typed_outside_forms(tracker)
    if text is None or last_reply_action(tracker) not in chat.LIST_ACTIONS:
        return False
    stored = tracker.get_slot(chat.QUERY_SLOT)
    shown = chat.shown_from_slot(stored)
    page = chat.page_from_slot(stored)
    return chat.read_pick(text, shown, utcnow(), page=page).kind is not chat.PickKind.NONE


MORE_ACTION = "action_show_more"
FIND_ACTION = "action_find_sessions"
_WIDER_MAX_WORDS = 6


def widens_the_list(tracker: DialogueStateTracker) -> bool:
    """ "ook in andere provincies", "overal?" right after a list of sessions: the same search
    without its province (NLU reads the bare words as nothing)."""
    text = _typed_outside_forms(tracker)
    if text is None or last_reply_action(tracker) not in chat.LIST_ACTIONS:
        return False
    short = len(text.split()) <= _WIDER_MAX_WORDS
    return (
        short
        and chat.widens_region(text)
        and chat.shown_from_slot(tracker.get_slot(chat.QUERY_SLOT)) != []
    )


def asks_if_that_is_all(tracker: DialogueStateTracker) -> bool:
    """ "alleen die ene?" right after a list of sessions: the next page, or that there is none."""
    text = _typed_outside_forms(tracker)
    if text is None or last_reply_action(tracker) not in chat.LIST_ACTIONS:
        return False
    return chat.asks_if_that_is_all(text) and bool(
        chat.shown_from_slot(tracker.get_slot(chat.QUERY_SLOT))
    )


def reads_as_about(tracker: DialogueStateTracker) -> bool:
    """The latest message asks what a workshop is about: one of the list just shown, or a
    workshop named by its theme (:func:`bot.ledger.signup_chat.read_about`)."""
    text = _typed_outside_forms(tracker)
    if text is None:
        return False
    stored = tracker.get_slot(chat.QUERY_SLOT)
    after_list = last_reply_action(tracker) in chat.LIST_ACTIONS
    shown = chat.shown_from_slot(stored) if after_list else []
    page = chat.page_from_slot(stored) if after_list else []
    return chat.read_about(text, shown, page) is not None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, True)
class SessionPickPolicy(Policy):
    """Predicts ``action_signup_start`` for a typed pick from the sessions just shown."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"priority": PRIORITY}

    @staticmethod
    def supported_data() -> SupportedData:
        return SupportedData.ML_DATA

    def train(
        self, training_trackers: list[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource  # nothing to learn

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        actions = domain.action_names_or_texts
        if ABOUT_ACTION in actions and reads_as_about(tracker):
            probabilities[domain.index_for_action(ABOUT_ACTION)] = 1.0
        elif FIND_ACTION in actions and widens_the_list(tracker):
            probabilities[domain.index_for_action(FIND_ACTION)] = 1.0
        elif MORE_ACTION in actions and asks_if_that_is_all(tracker):
            probabilities[domain.index_for_action(MORE_ACTION)] = 1.0
        elif PICK_ACTION in actions and reads_as_pick(tracker):
            probabilities[domain.index_for_action(PICK_ACTION)] = 1.0
        return self._prediction(probabilities)
