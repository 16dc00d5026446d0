"""A small stand-in for Rasa's form loop, to test the ledger actions turn by turn.

Trackers are real ``rasa_sdk.Tracker`` objects built from the slots of domain.yml. Like
Rasa, a form turn runs the validation action (extraction + validation), then asks the first
empty required slot with its ``action_ask_*`` action; a form ends when all slots are filled
or validation sets ``requested_slot`` to None, and then the follow-up action of the rules runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]


def load_domain() -> dict[str, Any]:
    """The slots, forms, actions and intents of domain.yml, the assistant's own domain."""
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    domain: dict[str, Any] = {
        "slots": dict(data.get("slots") or {}),
        "forms": dict(data.get("forms") or {}),
        "actions": list(data.get("actions") or []),
        "intents": list(data.get("intents") or []),
    }
    domain["slots"].setdefault("requested_slot", {"type": "any", "mappings": []})
    return domain


class Conversation:
    def __init__(self, actions: dict[str, Action], metadata: dict[str, Any] | None = None):
        self.domain = load_domain()
        self.actions = actions
        self.metadata = metadata or {}
        self.slots: dict[str, Any] = {
            name: spec.get("initial_value") for name, spec in self.domain["slots"].items()
        }
        self.active_form: str | None = None
        self.latest: dict[str, Any] = {}
        self.rejected = False

    # -- Tracker building --------------------------------------------------------------

    def _tracker(self, candidates: dict[str, Any]) -> Tracker:
        events: list[dict[str, Any]] = [
            {"event": "slot", "name": "requested_slot", "value": self.slots["requested_slot"]},
            {"event": "user", "text": self.latest.get("text"), "parse_data": self.latest},
        ]
        if self.active_form:
            events.append({"event": "action", "name": self.active_form})
        events += [
            {"event": "slot", "name": key, "value": value} for key, value in candidates.items()
        ]
        return Tracker(
            "employee-1",
            dict(self.slots, **candidates),
            self.latest,
            events,
            False,
            None,
            {"name": self.active_form} if self.active_form else {},
            "action_listen",
        )

    async def run(self, name: str, candidates: dict[str, Any] | None = None) -> list[dict]:
        """Runs one action; applies its SlotSet events; returns the messages it sent."""
        dispatcher = CollectingDispatcher()
        events = await self.actions[name].run(
            dispatcher, self._tracker(candidates or {}), self.domain
        )
        self.last_events = events
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event["value"]
        return dispatcher.messages

    # -- Turns ------------------------------------------------------------------------

    def user(
        self,
        text: str,
        intent: str = "inform",
        entities: list[dict] | None = None,
        confidence: float = 0.95,
    ) -> None:
        self.latest = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "metadata": self.metadata,
        }

    def _entity_candidates(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for name, spec in self.domain["slots"].items():
            for mapping in spec.get("mappings") or []:
                if mapping.get("type") != "from_entity":
                    continue
                for entity in self.latest.get("entities") or []:
                    if entity.get("entity") == mapping.get("entity"):
                        found[name] = entity.get("value")
        return found

    async def start_form(self, form: str, start_action: str | None = None) -> list[dict]:
        """The rule ``intent -> start action -> form``: activation validates pre-set slots."""
        before = dict(self.slots)
        self.slots.update(self._entity_candidates())
        messages: list[dict] = []
        if start_action:
            messages += await self.run(start_action)
        self.active_form = form
        self.slots["requested_slot"] = None
        changed = {
            key: value
            for key, value in self.slots.items()
            if before.get(key) != value and value is not None
        }
        return messages + await self._validate_and_ask(changed)

    async def answer(
        self, text: str, intent: str = "inform", entities: list[dict] | None = None
    ) -> list[dict]:
        """One user message while the form is active."""
        assert self.active_form, "no active form"
        self.user(text, intent, entities)
        self.rejected = False
        return await self._validate_and_ask(self._entity_candidates())

    async def _validate_and_ask(self, candidates: dict[str, Any]) -> list[dict]:
        form = self.active_form
        messages = await self.run(f"validate_{form}", candidates)
        validated = [
            e
            for e in self.last_events
            if e.get("event") == "slot" and e["name"] != "requested_slot"
        ]
        ended = any(
            e.get("event") == "slot" and e["name"] == "requested_slot" and e["value"] is None
            for e in self.last_events
        )
        if self.slots["requested_slot"] and not candidates and not validated:
            self.rejected = True
            return messages
        if not ended:
            required = self.domain["forms"][form]["required_slots"]
            missing = next((slot for slot in required if self.slots.get(slot) is None), None)
            if missing:
                self.slots["requested_slot"] = missing
                return messages + await self.run(f"action_ask_{missing}")
        self.slots["requested_slot"] = None
        self.active_form = None
        return messages

    @property
    def form_active(self) -> bool:
        return self.active_form is not None


def texts(messages: list[dict]) -> str:
    return "\n".join(str(message.get("text") or "") for message in messages)


def button_payloads(messages: list[dict]) -> list[str]:
    return [button["payload"] for message in messages for button in message.get("buttons") or []]
