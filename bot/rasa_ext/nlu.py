"""NLU component that sends odd messages (empty, emoji only, markup, too long, another
language) to the fallback, so the bot answers them kindly instead of guessing an intent.

It runs last in the pipeline, after the FallbackClassifier. It also keeps entity values
canonical before Rasa's slot mappings see them (a barrier category, a province, a code of
the right shape; anything else is removed), so an entity guess such as ``barrier = "Gerrit"``
never puts the employee's words into a slot that is stored as it is
(:mod:`bot.privacy.canonical`).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.conversation.odd_input import classify_odd_input
from bot.privacy.canonical import CANONICAL_ENTITIES, normalise_entity_value

FALLBACK_INTENT = "nlu_fallback"
ODD_INPUT_KEY = "odd_input"


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
            canonical_entities(message)
            text = message.get(TEXT)
            if isinstance(text, str) and text.lstrip().startswith("/"):
                continue
            reason = classify_odd_input(text)
            if reason is None:
                continue
            message.set(
                INTENT,
                {INTENT_NAME_KEY: FALLBACK_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0},
                add_to_output=True,
            )
            message.set(ODD_INPUT_KEY, reason.value, add_to_output=True)
        return messages


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
