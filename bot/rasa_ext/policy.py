"""A dialogue policy for one thing NLU cannot know: a message that picks from the list just shown.

After a list of workshop sessions, "ok dan doe ik die van 24 maart maar" reads to NLU like
the start of the scan, "ja die" like a yes to nothing, "die in Venlo" like a new question.
Which one it is depends on the list on the screen, and only the tracker has that (the
``signup_query`` slot keeps the sessions shown). This policy reads the message against that
list with the pure :func:`bot.ledger.signup_chat.read_pick` and, when it is a pick (one
session, several, or a clear pick of none), predicts ``action_signup_start`` for sure, with a
priority above the RulePolicy; the action reads the same message the same way and asks the
question, or "Bedoel je … of …?". Otherwise it predicts nothing and the rules decide.

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


def reads_as_pick(tracker: DialogueStateTracker) -> bool:
    """The latest message picks from the list of sessions the bot just showed."""
    if tracker.active_loop_name or tracker.latest_action_name != ACTION_LISTEN_NAME:
        return False
    text = str(tracker.latest_message.text or "") if tracker.latest_message else ""
    if not text or text.startswith("/"):
        return False
    if last_reply_action(tracker) not in chat.LIST_ACTIONS:
        return False
    stored = tracker.get_slot(chat.QUERY_SLOT)
    shown = chat.shown_from_slot(stored)
    page = chat.page_from_slot(stored)
    return chat.read_pick(text, shown, utcnow(), page=page).kind is not chat.PickKind.NONE


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
        if PICK_ACTION in domain.action_names_or_texts and reads_as_pick(tracker):
            probabilities[domain.index_for_action(PICK_ACTION)] = 1.0
        return self._prediction(probabilities)
