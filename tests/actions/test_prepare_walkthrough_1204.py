"""Walkthrough 2026-12-04 (Marieke, annual review): "Donderdag de 12e" on a Saturday."""

from __future__ import annotations

from datetime import date

from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prepare import ValidatePrepareForm, when_events
from bot.preparation import texts

FRIDAY = date(2026, 12, 4)


def test_a_weekday_and_date_that_disagree_are_asked_back_with_both_days() -> None:
    dispatcher = CollectingDispatcher()
    events = when_events(dispatcher, "Donderdag de 12e", FRIDAY)
    assert events == [SlotSet("prep_when", None)]  # nothing taken silently
    (message,) = dispatcher.messages
    assert message["text"].startswith("12 december is een zaterdag, geen donderdag.")
    assert [b["title"] for b in message["buttons"]] == [
        "donderdag 10 december",
        "donderdag 17 december",
    ]
    # the button's payload is read back as that day
    dispatcher = CollectingDispatcher()
    events = when_events(dispatcher, message["buttons"][1]["payload"], FRIDAY)
    assert SlotSet("prep_date", "2026-12-17") in events and not dispatcher.messages


def test_a_matching_weekday_is_taken() -> None:
    dispatcher = CollectingDispatcher()
    events = when_events(dispatcher, "donderdag de 10e", FRIDAY)
    assert SlotSet("prep_when", "donderdag 10 december 2026") in events


WORRY = (
    "Ik ben bang dat mijn teamleider denkt dat ik weg wil als ik zeg dat ik minder balie wil. "
    "En we zitten krap in de bezetting, dus ik voel me ook een beetje schuldig. "
    "Dat wil ik trouwens niet op het blad hebben hoor."
)


async def test_the_worry_with_trouwens_in_it_is_the_answer_and_stays_off_the_sheet(
    make_tracker, domain
) -> None:
    """Turn 8: the answer was thrown away, a job-loss text came, and question 6 came back."""
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=WORRY,
        intent="express_worry",
        confidence=0.97,
        active_loop="prepare_form",
        slots={"prep_kind": "jaargesprek", "requested_slot": "prep_worry"},
    )
    events = await ValidatePrepareForm().run(dispatcher, tracker, domain)
    assert SlotSet("prep_worry", WORRY) in events
    assert SlotSet("prep_private", False) in events  # heard: not asked again
    text = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "functie" not in text and "blijven groeien" in text
    assert texts.WORRY_OFF_SHEET in text


async def test_a_fear_for_the_job_itself_still_gets_the_honest_answer(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="ik ben bang dat mijn functie verdwijnt",
        intent="express_worry",
        confidence=0.97,
        active_loop="prepare_form",
        slots={"prep_kind": "jaargesprek", "requested_slot": "prep_worry"},
    )
    events = await ValidatePrepareForm().run(dispatcher, tracker, domain)
    assert SlotSet("prep_worry", "ik ben bang dat mijn functie verdwijnt") in events
    assert "functie" in " ".join(m.get("text") or "" for m in dispatcher.messages)


async def test_a_fear_for_the_mortgage_is_no_course_cost(make_tracker, domain) -> None:
    """Ayse, T11: the money fear got "Ontwikkelen hoeft jou geen geld te kosten"."""
    text = (
        "ik ben gewoon bang dat ik straks op straat sta en we de hypotheek niet meer kunnen betalen"
    )
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        intent="express_worry",
        confidence=0.95,
        entities=[{"entity": "barrier", "value": "geld"}],
        active_loop="prepare_form",
        slots={"prep_kind": "reorganisatie", "requested_slot": "prep_worry"},
    )
    events = await ValidatePrepareForm().run(dispatcher, tracker, domain)
    said = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert SlotSet("prep_worry", text) in events
    assert "P&O" in said and "vakbond" in said and "geen geld te kosten" not in said
