"""The response selector runs only where its answer is read: messages with the faq intent.

For those it is Rasa's own ``ResponseSelector.process`` on the same message object, so the
selection is the same; the conversation tests check the FAQ answers on the trained model.
"""

from __future__ import annotations

import pytest
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.training_data.message import Message

from bot.rasa_ext.nlu import FaqResponseSelector


def message(intent: str | None) -> Message:
    data = {"text": "wat is een meeloopstage?"}
    if intent is not None:
        data["intent"] = {"name": intent, "confidence": 0.9}
    return Message(data=data)


@pytest.fixture
def selected(monkeypatch: pytest.MonkeyPatch) -> list[Message]:
    """The messages Rasa's own process() was given."""
    given: list[Message] = []

    def rasa_process(self: ResponseSelector, messages: list[Message]) -> list[Message]:
        given.extend(messages)
        for each in messages:
            each.set("response_selector", {"faq": {"response": {"responses": [{"text": "x"}]}}})
        return messages

    monkeypatch.setattr(ResponseSelector, "process", rasa_process)
    return given


def selector(retrieval_intent: str | None) -> FaqResponseSelector:
    component = object.__new__(FaqResponseSelector)  # no model needed to route messages
    component.retrieval_intent = retrieval_intent
    return component


def test_only_faq_messages_reach_the_selector(selected: list[Message]) -> None:
    faq, scan, odd = message("faq"), message("request_scan"), message(None)
    assert selector("faq").process([faq, scan, odd]) == [faq, scan, odd]
    assert selected == [faq]
    assert faq.get("response_selector") and scan.get("response_selector") is None


def test_no_faq_message_means_no_selector_run(selected: list[Message]) -> None:
    selector("faq").process([message("greet")])
    assert selected == []


def test_without_a_retrieval_intent_every_message_is_selected(selected: list[Message]) -> None:
    messages = [message("greet"), message("faq")]
    selector(None).process(messages)
    assert selected == messages
