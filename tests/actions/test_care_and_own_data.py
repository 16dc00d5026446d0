"""Care routes (refer, never a career tip), the own-data overview, opting back in."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import privacy
from actions.privacy import ActionOptInTrends, ActionShowMyData, ActionWhatIRemember
from bot.privacy.my_data import ALREADY_COUNTING, OPT_IN_DONE, ConversationData, my_data_text

ROOT = Path(__file__).resolve().parents[2]
CARE_INTENTS = {
    "health_concern": "utter_care_health",
    "feel_unsafe": "utter_care_unsafe",
    "reorganisation": "utter_care_reorganisation",
}


def load(path: str) -> dict:
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def examples(path: str) -> dict[str, list[str]]:
    found = {}
    for block in load(path)["nlu"]:
        lines = block["examples"].splitlines()
        found[block["intent"]] = [line[2:].strip() for line in lines if line.startswith("- ")]
    return found


def care_text(response: str) -> str:
    return load("domain.yml")["responses"][response][0]["text"]


@pytest.mark.parametrize("intent", sorted(CARE_INTENTS))
def test_each_care_intent_has_25_distinct_examples(intent: str) -> None:
    found = examples("data/nlu/care.yml")[intent]
    assert len(found) >= 25
    assert len({e.lower() for e in found}) == len(found)


def test_care_examples_are_not_also_training_other_intents() -> None:
    care = {e.lower() for values in examples("data/nlu/care.yml").values() for e in values}
    others = {
        e.lower()
        for path in ("data/nlu/barriers.yml", "data/nlu/privacy.yml", "data/nlu/basics.yml")
        for values in examples(path).values()
        for e in values
    }
    assert not care & others


#: The rule's step per care intent: the response, or the action that gives it (health: the
#: company-doctor answer and no word-for-word repeat, actions/care.py).
CARE_STEPS = {**CARE_INTENTS, "health_concern": "action_care_health"}


@pytest.mark.parametrize(("intent", "response"), sorted(CARE_STEPS.items()))
def test_a_rule_answers_each_care_intent_with_its_response(intent: str, response: str) -> None:
    rules = load("data/rules/basics.yml")["rules"]
    steps = [r["steps"] for r in rules if r["steps"][0].get("intent") == intent]
    assert steps == [[{"intent": intent}, {"action": response}]]
    assert intent in load("domain.yml")["intents"]


@pytest.mark.parametrize("response", sorted(CARE_INTENTS.values()))
def test_care_answers_give_no_career_tip(response: str) -> None:
    text = care_text(response).lower()
    assert "tip:" not in text
    assert "talentscan" not in text
    assert "voucher" not in text


def test_health_answer_names_bedrijfsarts_huisarts_and_vertrouwenspersoon() -> None:
    text = care_text("utter_care_health")
    for who in ("bedrijfsarts", "arbodienst", "huisarts", "vertrouwenspersoon", "P&O"):
        assert who in text


def test_unsafe_answer_names_the_vertrouwenspersoon_first() -> None:
    text = care_text("utter_care_unsafe")
    assert text.index("vertrouwenspersoon") < text.index("P&O")
    assert "112" in text


def test_reorganisation_answer_sends_to_po_or_and_vakbond_without_promises() -> None:
    response = load("domain.yml")["responses"]["utter_care_reorganisation"][0]
    for who in ("P&O", "OR", "vakbond", "van werk naar werk"):
        assert who in response["text"]
    assert "Ik weet niet wat er met jouw baan gebeurt" in response["text"]
    assert not any(ch.isdigit() for ch in response["text"]), "no invented CAO figures"
    assert "/prepare_conversation" in [b["payload"] for b in response["buttons"]]


async def test_overview_lists_what_this_conversation_holds(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    events = [{"event": "user", "text": "hoi"}, {"event": "user", "text": "wat bewaar je"}]
    slots = {
        "scan_q01": 4,
        "scan_q02": 2,
        "scan_status": "completed",
        "scan_direction": "verbreden",
        "prep_goal": "meer projecten",
        "coach_booking_code": "ABCD-1234",
    }
    tracker = make_tracker(text="wat bewaar je van mij", slots=slots, events=events)
    assert await ActionShowMyData().run(dispatcher, tracker, domain) == []
    text = dispatcher.messages[0]["text"]
    assert "2 berichten" in text
    assert "talentscan en je uitslag" in text
    assert "1 antwoord voor de voorbereiding" in text
    assert "afspraak met de coach" in text
    assert "wis mijn gegevens" in text
    assert "Je telt mee" in text
    assert "meer projecten" not in text, "the overview never repeats what was typed"


async def test_overview_of_an_empty_conversation_says_nothing_is_held(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    await ActionShowMyData().run(dispatcher, make_tracker(slots={"trends_opt_out": True}), domain)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("Ik bewaar nu niets van jou.")
    assert "Je telt niet mee" in text
    assert "weer meetellen" in text


async def test_overview_shows_the_verified_employees_voucher(
    make_tracker, domain, monkeypatch
) -> None:
    async def issued(tracker: object) -> str:
        return "issued"

    monkeypatch.setattr(privacy, "own_voucher_status", issued)
    dispatcher = CollectingDispatcher()
    await ActionShowMyData().run(dispatcher, make_tracker(), domain)
    text = dispatcher.messages[0]["text"]
    assert "voucher, nog niet gebruikt" in text
    assert "blijft bestaan" in text


async def test_anonymous_employee_has_no_voucher_lookup(make_tracker) -> None:
    assert await privacy.own_voucher_status(make_tracker()) is None


def test_partial_scan_is_counted() -> None:
    text = my_data_text(ConversationData(messages=5, scan_answers=3))
    assert "3 antwoorden uit de talentscan (nog niet af)" in text


async def test_opt_in_after_opt_out_counts_again(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="ik wil toch weer meetellen", slots={"trends_opt_out": True})
    events = await ActionOptInTrends().run(dispatcher, tracker, domain)
    assert events == [SlotSet("trends_opt_out", False)]
    assert dispatcher.messages[0]["text"] == OPT_IN_DONE
    assert "niet meer mee" not in OPT_IN_DONE


async def test_opt_in_without_opt_out_changes_nothing(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionOptInTrends().run(dispatcher, make_tracker(), domain)
    assert events == []
    assert dispatcher.messages[0]["text"] == ALREADY_COUNTING


def test_opt_in_rule_uses_the_action_not_the_opt_out_text() -> None:
    rules = load("data/rules/basics.yml")["rules"]
    steps = next(r["steps"] for r in rules if r["steps"][0].get("intent") == "opt_in_trends")
    assert steps == [{"intent": "opt_in_trends"}, {"action": "action_opt_in_trends"}]


async def test_after_erasure_koers_remembers_nothing(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="weet je nog hoe ik heet?", events=[{"event": "user"}])
    await ActionWhatIRemember().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("Nee.")
    assert "gewist gesprek is echt weg" in text


async def test_with_scan_answers_koers_says_what_it_still_holds(make_tracker, domain) -> None:
    dispatcher = CollectingDispatcher()
    tracker = make_tracker(text="weet je nog hoe ik heet?", slots={"scan_q01": 3})
    await ActionWhatIRemember().run(dispatcher, tracker, domain)
    text = dispatcher.messages[0]["text"]
    assert text.startswith("Nee, je naam weet ik niet.")
    assert "wat bewaar je van mij" in text


@pytest.mark.parametrize(
    ("intent", "minimum"), [("ask_my_data", 25), ("opt_in_trends", 25), ("ask_remember_me", 25)]
)
def test_privacy_intents_have_enough_examples(intent: str, minimum: int) -> None:
    assert len(examples("data/nlu/privacy.yml")[intent]) >= minimum


async def test_care_again_is_short_and_the_company_doctor_question_is_answered(
    make_tracker,
) -> None:
    """Walkthrough 2026-12-04b, Els: the same block four times; "moet dat via mijn teamleider?"
    never answered."""
    from actions.care import CARE_AGAIN, CARE_HEALTH_OPENING, COMPANY_DOCTOR, ActionCareHealth

    said_before = [{"event": "bot", "text": f"{CARE_HEALTH_OPENING} Goed dat je het zegt."}]
    cases = [
        ("ik ben zo moe", [], None),
        ("ik ben zo moe", said_before, CARE_AGAIN),
        (
            "hoe kom ik bij de bedrijfsarts? moet dat via mijn teamleider?",
            said_before,
            COMPANY_DOCTOR,
        ),
    ]
    for text, events, expected in cases:
        dispatcher = CollectingDispatcher()
        tracker = make_tracker(text, "health_concern", events=events)
        await ActionCareHealth().run(dispatcher, tracker, {})
        (message,) = dispatcher.messages
        if expected is None:
            assert message["response"] == "utter_care_health"
        else:
            assert message["text"] == expected
    assert "teamleider niet nodig" in COMPANY_DOCTOR and "tip" not in CARE_AGAIN.lower()
