"""TypingNormaliser gives the classifier a tidied copy; InputGuard gives actions the typed text."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_ext.nlu import ORIGINAL_TEXT_KEY, InputGuard, TypingNormaliser


def trained_normaliser(tmp_path: Path, examples: list[str]) -> TypingNormaliser:
    storage = LocalModelStorage(tmp_path)
    resource = Resource("train_TypingNormaliser0")
    context = ExecutionContext(GraphSchema({}), "test")
    normaliser = TypingNormaliser.create({}, storage, resource, context)
    normaliser.train(TrainingData([Message(data={TEXT: text}) for text in examples]))
    return TypingNormaliser.load({}, storage, resource, context)


def guard() -> InputGuard:
    return InputGuard()


def test_the_classifier_reads_the_tidied_text_and_actions_the_typed_text(tmp_path: Path) -> None:
    normaliser = trained_normaliser(tmp_path, ["ik wil de scan doen"])
    message = Message(data={TEXT: "IK WIL DE SCNA DOEN!!!!"})
    normaliser.process([message])
    assert message.get(TEXT) == "ik wil de scan doen!"
    guard().process([message])
    assert message.get(TEXT) == "IK WIL DE SCNA DOEN!!!!"
    assert message.get(ORIGINAL_TEXT_KEY) is None


def test_a_word_of_the_training_data_is_not_corrected(tmp_path: Path) -> None:
    # "scans" is one edit from "scan", but the training data used it, so it stays
    normaliser = trained_normaliser(tmp_path, ["hoeveel scans zijn er"])
    message = Message(data={TEXT: "hoeveel scans heb ik gedaan"})
    normaliser.process([message])
    assert message.get(TEXT) == "hoeveel scans heb ik gedaan"
    assert message.get(ORIGINAL_TEXT_KEY) is None


def test_entities_found_in_the_tidied_text_point_into_the_typed_text(tmp_path: Path) -> None:
    normaliser = trained_normaliser(tmp_path, ["coach in utrecht"])
    message = Message(data={TEXT: "OK IK WIL EEN COATCH IN UTRECHT!!!"})
    normaliser.process([message])
    tidy = message.get(TEXT)
    assert tidy == "ik wil een coach in utrecht!"
    start = tidy.index("utrecht")
    message.set(
        ENTITIES,
        [
            {"entity": "region", "value": "Utrecht", "start": start, "end": start + 7},
            {"entity": "thing", "value": "coach", "start": 11, "end": 16},
        ],
    )
    guard().process([message])
    entities = message.get(ENTITIES)
    typed = message.get(TEXT)
    # the region is anchored in the typed text; "coach" was never typed ("COATCH"), so it goes
    assert [e["entity"] for e in entities] == ["region"]
    assert typed[entities[0]["start"] : entities[0]["end"]] == "UTRECHT"


def test_training_examples_with_entities_keep_their_offsets(tmp_path: Path) -> None:
    normaliser = trained_normaliser(tmp_path, ["coach"])
    annotated = Message(
        data={
            TEXT: "ok ik wil een coach in Drenthe",
            ENTITIES: [{"entity": "region", "value": "Drenthe", "start": 23, "end": 30}],
        }
    )
    plain = Message(data={TEXT: "ok ik wil een coach spreken"})
    normaliser.process_training_data(TrainingData([annotated, plain]))
    assert annotated.get(TEXT) == "ok ik wil een coach in Drenthe"
    assert plain.get(TEXT) == "ik wil een coach spreken"
    assert plain.get(ORIGINAL_TEXT_KEY) is None


def test_a_button_payload_is_left_as_sent(tmp_path: Path) -> None:
    normaliser = trained_normaliser(tmp_path, ["ja"])
    message = Message(data={TEXT: "/affirm"})
    normaliser.process([message])
    assert message.get(TEXT) == "/affirm"
