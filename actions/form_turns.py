"""One turn-taking mechanism for every form: the base class of each form's validation action.

RulePolicy predicts the active form first unless the form rejected, and this validation never
rejects a message it classified: so every message inside a form reaches :meth:`run`, which
asks ``bot.conversation.turns`` what it is and then:

* answer (or unclear): the form's own slot methods read it, as before;
* side question: the answer from ``SIDE_ANSWERS``, then the same question again (the open slot
  stays empty, so the form asks it in the same turn);
* escape: the form's pause text, the form ends early (``requested_slot`` None) and Koers
  listens (``FollowupAction("action_listen")``, so the form's "done" rule does not run);
* new request: the same early end with one line on how to resume, then the other flow starts
  (its start action runs here, its form or action follows through ``FollowupAction``);
* correction: the form's go-back action, or, for forms without one, the message as an answer.

Actions named in the tables are found by name among the project's actions, so this module
imports none of them (they import this one).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from abc import ABC, abstractmethod
from functools import cache

from rasa_sdk import Action, FormValidationAction, Tracker, utils
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.tracker import (
    REQUESTED_SLOT,
    answering_open_question,
    requested_slot,
    turn_in_form,
)
from bot.conversation.turns import (
    CORRECTIONS,
    ESCAPES,
    NEW_REQUESTS,
    PAUSED_LINES,
    SIDE_ANSWERS,
    Turn,
    TurnKind,
)

#: The slot that remembers which form waits for the employee to come back.
PAUSED_FORM = "paused_form"
ACTION_LISTEN = "action_listen"


def _subclasses(cls: type) -> list[type]:
    found: list[type] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


@cache
def _project_actions() -> dict[str, Action]:
    """Every action of the ``actions`` package by name, loaded the way the action server does."""
    package = importlib.import_module("actions")
    for module in pkgutil.iter_modules(package.__path__):
        if module.name != "server":  # the server imports the actions, it defines none
            importlib.import_module(f"actions.{module.name}")
    found: dict[str, Action] = {}
    for cls in _subclasses(Action):
        if inspect.isabstract(cls) or not cls.__module__.startswith("actions."):
            continue
        try:
            action = cls()
            found.setdefault(action.name(), action)
        except (NotImplementedError, TypeError):
            continue
    return found


def find_action(name: str) -> Action | None:
    """The project's action called ``name``, or None."""
    return _project_actions().get(name)


async def run_step(
    name: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
) -> list[EventType]:
    """Say a response or run an action by name, here, inside the validation action."""
    if name.startswith("utter_"):
        dispatcher.utter_message(response=name)
        return []
    action = find_action(name)
    if action is None:
        raise LookupError(f"no action named {name}")
    return list(await action.run(dispatcher, tracker, domain))


def _filled(events: list[EventType], slot: str | None, before: dict[str, object]) -> bool:
    """The form's slot methods read something: the asked slot, or another one they changed.

    "avond" at the list of times is no choice, but it is an answer: the times are looked up
    again for the evening (``coach_when`` set), and the form must not take it for "stop".
    A slot set again to the value it had is no answer: "waar is die locatie. in apeldoorn?"
    fills ``region`` from the entity with the province already chosen, and is a question.
    """
    return slot is not None and any(
        e.get("event") == "slot"
        and e.get("name") != REQUESTED_SLOT
        and e.get("value") is not None
        and (e.get("name") == slot or e.get("value") != before.get(str(e.get("name"))))
        for e in events
    )


def _without_form_control(events: list[EventType]) -> list[EventType]:
    """A start action's events without the ones that would end the running form."""
    return [
        e
        for e in events
        if not (e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT)
        and e.get("event") not in ("followup", "active_loop")
    ]


class TurnTakingFormValidation(FormValidationAction, ABC):
    """Classifies the latest message before the form's slot methods see it (see module doc).

    Abstract, so that the action server's scan of Action subclasses skips it.
    """

    @abstractmethod
    def name(self) -> str: ...

    #: True when a message the form's parser reads wins over an interruption (booking: "ja",
    #: "maandag"); the slot methods then run first and leave the slot empty when they cannot.
    answer_first: bool = False

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """rasa_sdk's validation, without judging empty values the employee did not give.

        rasa_sdk validates every slot set since the last other event, so a start action that
        clears the form's slots (a new request) had each ``validate_<slot>`` say "didn't
        understand" about a None nobody typed: six complaints before the first question. Only
        the question that was asked, and answered in this message, may be judged empty.
        """
        required = await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain)
        asked = (
            requested_slot(tracker) if answering_open_question(tracker, self.form_name()) else None
        )
        slots: dict[str, object] = {}
        for name, value in tracker.slots_to_validate().items():
            if name not in required:
                continue
            slots[name] = value
            method = getattr(self, f"validate_{name.replace('-', '_')}", None)
            if method is None or (value is None and name != asked):
                continue
            output = await utils.call_potential_coroutine(
                method(value, dispatcher, tracker, domain)
            )
            if isinstance(output, dict):
                slots.update(output)
                tracker.slots.update(output)
        return [SlotSet(name, value) for name, value in slots.items()]

    def answer_understood(self, tracker: Tracker) -> bool | None:
        """Whether the form's parser reads an answer in the message; None: free text."""
        return None

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = self.form_name()
        if not answering_open_question(tracker, form):
            return await super().run(dispatcher, tracker, domain)
        turn = turn_in_form(tracker, form, answer_understood=self.answer_understood(tracker))
        if not turn.interrupts:
            return await super().run(dispatcher, tracker, domain)
        if turn.kind is TurnKind.CORRECTION and form not in CORRECTIONS:
            return await super().run(dispatcher, tracker, domain)
        if self.answer_first:
            said = list(dispatcher.messages)
            before = dict(tracker.current_slot_values())
            events = await super().run(dispatcher, tracker, domain)
            if _filled(events, requested_slot(tracker), before):
                return events
            dispatcher.messages[:] = said  # the slot method's re-ask makes way for the answer
        return await self.interrupted(turn, dispatcher, tracker, domain)

    async def interrupted(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """What Koers does with an interruption; the one policy for every form."""
        form = self.form_name()
        keep_asking: list[EventType] = [SlotSet(requested_slot(tracker), None)]
        if turn.kind is TurnKind.SIDE_QUESTION:
            events: list[EventType] = []
            for step in SIDE_ANSWERS[turn.intent or ""]:
                events += await run_step(step, dispatcher, tracker, domain)
            return [*_without_form_control(events), *keep_asking]
        if turn.kind is TurnKind.CORRECTION:
            events = await run_step(CORRECTIONS[form], dispatcher, tracker, domain)
            # A go-back may name the question to ask next ("bij vraag 3 wil ik iets toevoegen"
            # asks question 3 again while its answer stays): keep that one control event.
            ask_next = [
                e
                for e in events
                if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT and e.get("value")
            ]
            return [*keep_asking, *_without_form_control(events), *ask_next[-1:]]
        if turn.kind is TurnKind.ESCAPE:
            events = await run_step(ESCAPES[form], dispatcher, tracker, domain)
            return [*self._end(events), FollowupAction(ACTION_LISTEN)]
        return await self._switch(turn, dispatcher, tracker, domain)

    async def _switch(
        self, turn: Turn, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        form = self.form_name()
        switch = NEW_REQUESTS.get(turn.intent or "")
        if switch is None:  # a button of a flow without a switch: the form just asks again
            return [SlotSet(requested_slot(tracker), None)]
        if switch.follow == form:  # "scan opnieuw", "verder met de scan" inside the scan
            started = (
                await run_step(switch.start, dispatcher, tracker, domain) if switch.start else []
            )
            return [*_without_form_control(started), SlotSet(requested_slot(tracker), None)]
        dispatcher.utter_message(text=PAUSED_LINES[form])
        started = await run_step(switch.start, dispatcher, tracker, domain) if switch.start else []
        refused = next((e for e in started if e.get("event") == "followup"), None)
        follow = FollowupAction(switch.follow or ACTION_LISTEN) if refused is None else refused
        return [*self._end(started), follow]  # a start action's own follow-up: it said no

    def _end(self, events: list[EventType]) -> list[EventType]:
        """End this form early and remember it waits (FormAction.is_done: requested_slot None)."""
        kept = [
            e for e in events if not (e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT)
        ]
        return [*kept, SlotSet(PAUSED_FORM, self.form_name()), SlotSet(REQUESTED_SLOT, None)]
