"""NLU components: a normaliser that gives the classifier a tidied copy of how employees type,
and a guard that sends odd messages (empty, emoji only, markup, too long, another
language) to the fallback, so the bot answers them kindly instead of guessing an intent.

It runs last in the pipeline, after the FallbackClassifier. It also keeps entity values
canonical before Rasa's slot mappings see them (a barrier category, a province, a code of
the right shape; anything else is removed), so an entity guess such as ``barrier = "Gerrit"``
never puts the employee's words into a slot that is stored as it is
(:mod:`bot.privacy.canonical`).

TypingNormaliser runs first (before SpacyNLP): the tokenizer, featurizers and classifiers read
the tidied text (:mod:`bot.conversation.normalise`), and InputGuard puts the employee's own
text back, so actions that read ``latest_message["text"]`` get what was typed.
"""

from __future__ import annotations

import json
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.conversation.guards import guard_intent
from bot.conversation.normalise import normalise_for_nlu, vocabulary
from bot.conversation.odd_input import classify_odd_input
from bot.privacy.canonical import CANONICAL_ENTITIES, normalise_entity_value

FALLBACK_INTENT = "nlu_fallback"
ERASURE_INTENT = "request_erasure"
ODD_INPUT_KEY = "odd_input"
# The employee's own text while the pipeline reads the tidied copy (not in the parse output).
ORIGINAL_TEXT_KEY = "koers_original_text"
VOCABULARY_FILE = "vocabulary.json"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class TypingNormaliser(GraphComponent):
    """Shouting, stretched words, product-word typos and "ok"/"nou" openings tidied for NLU.

    Trainable only to learn the words of the training data, which are never "corrected".
    """

    def __init__(
        self, model_storage: ModelStorage, resource: Resource, known: frozenset[str]
    ) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self._known = known

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TypingNormaliser:
        return cls(model_storage, resource, frozenset())

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> TypingNormaliser:
        try:
            with model_storage.read_from(resource) as directory:
                words = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            words = []
        return cls(model_storage, resource, frozenset(str(word) for word in words))

    def train(self, training_data: TrainingData) -> Resource:
        known = vocabulary(str(m.get(TEXT) or "") for m in training_data.training_examples)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(
                json.dumps(sorted(known), ensure_ascii=False), encoding="utf-8"
            )
        self._known = known
        return self._resource

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            # entity offsets point into the text as written: those examples stay as they are
            if message.get(ENTITIES):
                continue
            self._tidy(message, keep_original=False)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._tidy(message)
        return messages

    def _tidy(self, message: Message, keep_original: bool = True) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str):
            return
        tidy = normalise_for_nlu(text, self._known)
        if tidy != text:
            if keep_original:
                message.set(ORIGINAL_TEXT_KEY, text)
            message.set(TEXT, tidy)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> InputGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            tidied = message.get(TEXT)
            restore_original_text(message)
            canonical_entities(message)
            text = message.get(TEXT)
            if isinstance(text, str) and text.lstrip().startswith("/"):
                continue
            reason = classify_odd_input(text)
            if reason is None:
                guard_erasure(message, tidied)
                continue
            message.set(
                INTENT,
                {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
            message.set(ODD_INPUT_KEY, reason.value, add_to_output=True)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    """Rasa's ResponseSelector, run only on messages the classifier gave its retrieval intent.

    Koers reads the selected answer only when the intent is ``faq`` (the ``action_answer_faq`` rule
    and a form's side answer), yet Rasa's selector runs its model on every message: about a
    fifth of the NLU time of a turn (README, "Performance"). Training is Rasa's own; for a
    ``faq`` message the selection is the same (tests/rasa_ext/test_faq_selector.py).
    """

    def process(self, messages: list[Message]) -> list[Message]:
        if not self.retrieval_intent:
            return super().process(messages)
        asked = [message for message in messages if self._has_retrieval_intent(message)]
        if asked:
            super().process(asked)
        return messages

    def _has_retrieval_intent(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        return isinstance(intent, dict) and intent.get(INTENT_NAME_KEY) == self.retrieval_intent


#: Set in the parse output when the erasure guard replaced NLU's intent (for the logs/tests).
ERASURE_GUARD_KEY = "koers_erasure_guard"
#: Set when any word guard replaced NLU's intent: NLU's intent and the rule that decided.
WORD_GUARD_KEY = "koers_word_guard"


def guard_erasure(message: Message, tidied: Any = None) -> None:
    """NLU's intent corrected where the words decide (:mod:`bot.conversation.guards`).

    "wis mijn gegevns dan maar" read as goodbye becomes the erasure request; "ik wil niks
    wissen" a no; "zien coördinatoren dat ik het ben?" the privacy question instead of
    switching counting off. The tidied copy (typos corrected) is read first, then the typed
    text; Koers asks before it erases anything.
    """
    intent = message.get(INTENT) or {}
    name = intent.get(INTENT_NAME_KEY) if isinstance(intent, dict) else None
    texts = [t for t in (tidied, message.get(TEXT)) if isinstance(t, str)]
    guarded = next((g for g in (guard_intent(text, name) for text in texts) if g), None)
    if guarded is None or guarded.intent == name:
        return
    message.set(
        INTENT,
        {INTENT_NAME_KEY: guarded.intent, PREDICTED_CONFIDENCE_KEY: 1.0},
        add_to_output=True,
    )
    message.set(
        WORD_GUARD_KEY, {"nlu": name or FALLBACK_INTENT, "rule": guarded.rule}, add_to_output=True
    )
    if guarded.intent == ERASURE_INTENT:
        message.set(ERASURE_GUARD_KEY, name or FALLBACK_INTENT, add_to_output=True)


def restore_original_text(message: Message) -> None:
    """The employee's own text back after TypingNormaliser; entities re-anchored in it.

    An entity whose words are not in the original text (a corrected typo) is left out rather
    than pointing at the wrong characters.
    """
    original = message.get(ORIGINAL_TEXT_KEY)
    if not isinstance(original, str):
        return
    tidy = str(message.get(TEXT) or "")
    message.set(TEXT, original)
    message.data.pop(ORIGINAL_TEXT_KEY, None)
    entities = message.get(ENTITIES)
    if not entities:
        return
    lowered = original.lower()
    anchored = []
    for entity in entities:
        start, end = entity.get(ENTITY_ATTRIBUTE_START), entity.get(ENTITY_ATTRIBUTE_END)
        if not isinstance(start, int) or not isinstance(end, int):
            anchored.append(entity)
            continue
        found = lowered.find(tidy[start:end].lower()) if end > start else -1
        if found < 0:
            continue
        anchored.append(
            {**entity, ENTITY_ATTRIBUTE_START: found, ENTITY_ATTRIBUTE_END: found + end - start}
        )
    message.set(ENTITIES, anchored, add_to_output=True)


def canonical_entities(message: Message) -> None:
    """Entities of the domain with their canonical value; the others are left out."""
    entities = message.get(ENTITIES)
    if not entities:
        return
    kept = []
    for entity in entities:
        kind = entity.get(ENTITY_ATTRIBUTE_TYPE) if isinstance(entity, dict) else None
        if kind not in CANONICAL_ENTITIES:
            kept.append(entity)
            continue
        value = normalise_entity_value(str(kind), entity.get(ENTITY_ATTRIBUTE_VALUE))
        if value is not None:
            kept.append({**entity, ENTITY_ATTRIBUTE_VALUE: value})
    if len(kept) != len(entities) or kept != entities:
        message.set(ENTITIES, kept, add_to_output=True)
