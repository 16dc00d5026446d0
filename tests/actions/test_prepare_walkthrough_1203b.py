"""Walkthrough 2026-12-03b (annual review, Marieke): adding to an answer, question 5 typed,
practice that follows the worry, a sheet without filler, and no restart after the sheet."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.prepare import (
    ASK_ACTIONS,
    ActionPrepareKeepSheet,
    ActionPreparePause,
    ActionPrepareStart,
    ValidatePracticeForm,
    ValidatePrepareForm,
    reactions_for,
)
from bot.preparation import texts

STRENGTHS = (
    "Ik denk dat ik goed ben met mensen aan de balie, ook als ze boos zijn. "
    "En ik werk heel nauwkeurig."
)
ANSWERED = {
    "prep_kind": "jaargesprek",
    "prep_goal": "Ik wil meer afwisseling in mijn werk.",
    "prep_strengths": STRENGTHS,
    "prep_develop": "Ik wil graag een cursus digitale vaardigheden doen.",
    "prep_ask": ["Budget voor een opleiding", "Andere of nieuwe taken"],
    "prep_worry": "Mijn leidinggevende heeft het altijd heel druk.",
    "prep_when": "donderdag 10 december 2026",
}
LINK = "http://localhost:8080/voorbereiding/abcDEF123"
SHEET_EVENT = {
    "event": "bot",
    "text": texts.SHEET_READY.format(html_url=LINK, pdf_url=LINK + ".pdf", expires_on="x"),
}


def said(dispatcher: CollectingDispatcher) -> list[str]:
    return [m.get("text") or m.get("response") or "" for m in dispatcher.messages]


async def run_prepare(make_tracker: Any, domain: dict[str, Any], text: str, **kw: Any):
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text=text,
        active_loop="prepare_form",
        slots={**ANSWERED, **kw.get("slots", {})},
        intent=kw.get("intent", "inform"),
        confidence=kw.get("confidence", 0.9),
        events=kw.get("events"),
    )
    events = await ValidatePrepareForm().run(dispatcher, tracker, domain)
    return events, said(dispatcher)


async def test_wanting_to_add_keeps_the_answer_and_asks_what_to_add(make_tracker, domain) -> None:
    """Turn 9-10: the strengths were replaced by the addition, silently."""
    text = "Wacht even, voordat ik dat kies. Bij vraag 3 wil ik nog iets toevoegen, mag dat?"
    events, _ = await run_prepare(
        make_tracker, domain, text, slots={"requested_slot": "prep_private"}
    )
    assert SlotSet("requested_slot", "prep_strengths") in events
    assert not any(e.get("name") == "prep_strengths" for e in events)  # the answer stays
    dispatcher = CollectingDispatcher()
    asking = make_tracker(slots={**ANSWERED, "requested_slot": "prep_strengths"})
    await ASK_ACTIONS["prep_strengths"]().run(dispatcher, asking, domain)
    assert said(dispatcher) == [texts.ADD_WHAT.format(number=3, current=STRENGTHS)]


async def test_the_next_message_is_added_and_koers_says_so(make_tracker, domain) -> None:
    text = "Ik wil er nog bij zetten dat ik nieuwe collega's vaak inwerk."
    events, messages = await run_prepare(
        make_tracker, domain, text, slots={"requested_slot": "prep_strengths"}
    )
    added = f"{STRENGTHS} Dat ik nieuwe collega's vaak inwerk."
    assert SlotSet("prep_strengths", added) in events
    assert messages == [texts.ADDED_NOW.format(current=added)]
    assert SlotSet("requested_slot", "prep_strengths") not in events  # on to where we were


async def test_nothing_to_add_after_all_keeps_the_answer(make_tracker, domain) -> None:
    events, messages = await run_prepare(
        make_tracker,
        domain,
        "nee hoor, het klopt al zo",
        slots={"requested_slot": "prep_strengths"},
    )
    assert SlotSet("prep_strengths", STRENGTHS) in events
    assert messages == [texts.ADD_NOTHING]


async def test_a_correction_stores_only_the_part_after_the_colon(make_tracker, domain) -> None:
    """Walkthrough 2026-12-03, turn 45: the whole correction became the strengths."""
    text = (
        "oh sorry, dat was mijn antwoord op vraag 3, bij vraag 2 bedoel ik: "
        "afspreken dat ik kan doorgroeien"
    )
    slots = {"requested_slot": "prep_strengths", "prep_strengths": None}
    slots["prep_goal"] = "ik ben goed in lastige klanten rustig krijgen"
    events, messages = await run_prepare(make_tracker, domain, text, slots=slots)
    assert SlotSet("prep_goal", "afspreken dat ik kan doorgroeien") in events
    assert SlotSet("prep_strengths", "ik ben goed in lastige klanten rustig krijgen") in events
    assert texts.MOVED.format(number=3) in messages


async def test_the_new_text_in_the_change_request_is_used(make_tracker, domain) -> None:
    """Turn 12: "Het moet zijn: ..." was ignored and question 3 was asked again."""
    text = (
        "Nee dit klopt niet helemaal. Bij mijn sterke punten is het eerste weg. Het moet zijn: "
        "goed met mensen aan de balie, nauwkeurig, en nieuwe collega's inwerken."
    )
    events, _ = await run_prepare(
        make_tracker, domain, text, slots={"requested_slot": "prep_review", "prep_private": False}
    )
    new = "goed met mensen aan de balie, nauwkeurig, en nieuwe collega's inwerken."
    assert SlotSet("prep_strengths", new) in events


async def test_question_5_typed_with_kan_dat_allebei_is_stored(make_tracker, domain) -> None:
    """Turn 6: a lecture on digitalisation, nothing stored."""
    text = (
        "Oké fijn, dat stelt me gerust. Ik wil eigenlijk twee dingen vragen: andere of nieuwe "
        "taken, en budget voor die cursus digitale vaardigheden. Kan dat allebei?"
    )
    events, messages = await run_prepare(
        make_tracker,
        domain,
        text,
        intent="faq",
        confidence=0.93,
        slots={"requested_slot": "prep_ask", "prep_ask": None},
    )
    assert SlotSet("prep_ask", ["Budget voor een opleiding", "Andere of nieuwe taken"]) in events
    assert not any("digitalisering" in m.lower() for m in messages)


async def test_a_real_question_at_question_5_is_still_a_side_question(make_tracker, domain) -> None:
    events, _ = await run_prepare(
        make_tracker,
        domain,
        "wat is een EVC-traject eigenlijk?",
        intent="faq",
        confidence=0.93,
        slots={"requested_slot": "prep_ask", "prep_ask": None},
    )
    assert not any(e.get("name") == "prep_ask" and e.get("value") for e in events)


async def test_the_busy_manager_worry_gets_a_fitting_tip(make_tracker, domain) -> None:
    """Turn 8: "begin klein, doe de talentscan" did not fit."""
    text = (
        "Mijn leidinggevende heeft het altijd heel druk. Als ik iets vraag zegt hij vaak 'daar "
        "komen we later op terug' en dan gebeurt er niks."
    )
    events, messages = await run_prepare(
        make_tracker,
        domain,
        text,
        intent="express_worry",
        slots={"requested_slot": "prep_worry", "prep_worry": None},
    )
    assert SlotSet("prep_worry", text) in events
    assert "Wanneer komen we erop terug?" in messages[0] and "talentscan" not in messages[0]


async def test_a_goal_is_stored_without_filler(make_tracker, domain) -> None:
    text = "Ik wil meer afwisseling in mijn werk. Ik weet niet of dat een beetje duidelijk is."
    events, _ = await run_prepare(
        make_tracker, domain, text, slots={"requested_slot": "prep_goal", "prep_goal": None}
    )
    assert SlotSet("prep_goal", "Ik wil meer afwisseling in mijn werk.") in events


# -- practice


def practice_tracker(make_tracker: Any, text: str = "", events: list | None = None, **slots):
    return make_tracker(
        text=text,
        intent="inform",
        active_loop="practice_form",
        slots={**ANSWERED, "requested_slot": "practice_answer_1", **slots},
        events=events,
    )


def test_the_worry_about_the_busy_manager_is_practised_first(make_tracker) -> None:
    worry = "hij zegt vaak 'daar komen we later op terug' en dan gebeurt er niks"
    first, _ = reactions_for(practice_tracker(make_tracker, prep_worry=worry))
    assert first.key == "druk_later"


def test_nog_een_keer_brings_other_reactions(make_tracker) -> None:
    first_time = reactions_for(practice_tracker(make_tracker))
    intro = texts.PRACTICE_INTRO.format(party="leidinggevende")
    history = [
        {"event": "bot", "text": intro},
        *(
            {"event": "bot", "text": texts.PRACTICE_ROLE.format(party="x", line=r.manager_says)}
            for r in first_time
        ),
        {"event": "user", "text": "Ik wil het gesprek nog een keer oefenen"},
        {"event": "bot", "text": intro},
    ]
    again = reactions_for(practice_tracker(make_tracker, events=history))
    assert not {r.key for r in again} & {r.key for r in first_time}


async def test_a_request_to_practise_a_line_is_not_an_answer(make_tracker, domain) -> None:
    """Turn 22: the request was stored as the practice answer and the sheet was made."""
    text = (
        "Die ook al gehad. Kun je niet zeggen: 'Ik heb het nu even heel druk, daar komen we "
        "later op terug'? Daar ben ik echt bang voor."
    )
    dispatcher = CollectingDispatcher()
    tracker = practice_tracker(make_tracker, text, requested_slot="practice_answer_2")
    events = await ValidatePracticeForm().get_extraction_events(dispatcher, tracker, domain)
    assert events == [SlotSet("practice_answer_2", None)]
    assert said(dispatcher) == [texts.PRACTICE_THIS_ONE]
    assert reactions_for(tracker)[1].key == "druk_later"  # asked now, in this round


async def test_sla_over_with_a_reason_skips(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = practice_tracker(make_tracker, "sla over, die heb ik al gedaan")
    events = await ValidatePracticeForm().get_extraction_events(dispatcher, tracker, domain)
    assert events == [SlotSet("practice_answer_1", "__overgeslagen__")]


async def test_after_the_sheet_what_to_say_starts_practising_that(make_tracker, domain) -> None:
    """Turn 23: the preparation started over and the answers were wiped."""
    text = (
        "wat kan ik zeggen als mijn leidinggevende zegt dat hij het te druk heeft en dat we er "
        "later op terugkomen?"
    )
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text=text, slots={**ANSWERED, "prep_review": "maken"})
    events = await ActionPrepareStart().run(dispatcher, tracker, domain)
    assert events[-1] == FollowupAction("practice_form")
    assert not any(e.get("name") == "prep_goal" for e in events)


# -- after the sheet


async def test_gesprek_voorbereiden_after_the_sheet_wipes_nothing(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="gesprek voorbereiden",
        slots={**ANSWERED, "prep_review": "maken"},
        events=[SHEET_EVENT],
    )
    events = await ActionPrepareStart().run(dispatcher, tracker, domain)
    assert events == [SlotSet("prep_review", None)]
    assert LINK in said(dispatcher)[0]


async def test_nee_laat_maar_after_the_sheet_points_to_it(make_tracker, domain) -> None:
    """Turn 24: "Ik wil niet opnieuw beginnen" wiped the answers and started the scan."""
    for action in (ActionPreparePause(), ActionPrepareKeepSheet()):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(
            text="Nee laat maar. Ik wil niet opnieuw beginnen.",
            slots={**ANSWERED, "prep_review": None},
            events=[SHEET_EVENT],
        )
        await action.run(dispatcher, tracker, domain)
        where = texts.SHEET_LINK.format(html_url=LINK)
        assert said(dispatcher) == [texts.KEEP_SHEET.format(where=where)]


async def test_after_the_sheet_from_the_stored_conversation_points_up_the_chat(
    make_tracker, domain
) -> None:
    """Against the servers the stored message holds "[URL]" (the scrubber took the address
    out): Koers says where the link was and how to get a new one, and starts nothing."""
    stored = {**SHEET_EVENT, "text": SHEET_EVENT["text"].replace(LINK, "[URL]")}
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(
        text="Nee laat maar, ik wil niet opnieuw beginnen.",
        slots={**ANSWERED, "prep_review": None},
        events=[stored],
    )
    await ActionPrepareKeepSheet().run(dispatcher, tracker, domain)
    assert said(dispatcher) == [texts.KEEP_SHEET.format(where=texts.SHEET_LINK_ABOVE)]


async def test_opnieuw_beginnen_at_the_check_starts_a_new_one(make_tracker, domain) -> None:
    events, messages = await run_prepare(
        make_tracker,
        domain,
        "opnieuw beginnen",
        slots={"requested_slot": "prep_review", "prep_private": False},
    )
    assert SlotSet("prep_goal", None) in events and messages == [texts.RESTARTED]
    events, messages = await run_prepare(
        make_tracker,
        domain,
        "ik wil niet opnieuw beginnen",
        slots={"requested_slot": "prep_review", "prep_private": False},
    )
    assert SlotSet("prep_goal", None) not in events
