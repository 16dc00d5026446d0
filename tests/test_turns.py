"""Telling an answer from an interruption inside a form (``bot.conversation.turns``), pure."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.turns import (
    CORRECTIONS,
    ESCAPES,
    FORM_TURNS,
    INTERRUPTING_INTENTS,
    INTERRUPTION_CONFIDENCE,
    NEW_REQUESTS,
    PAUSED_LINES,
    SIDE_ANSWERS,
    Turn,
    TurnKind,
    classify_turn,
)

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
BOOKING_FORMS = ("coach_form", "booking_cancel_form", "booking_reschedule_form")


def turn(
    form: str,
    text: str,
    intent: str | None,
    confidence: float = 0.95,
    answer_understood: bool | None = None,
) -> Turn:
    return classify_turn(
        form=form,
        intent=intent,
        confidence=confidence,
        text=text,
        answer_understood=answer_understood,
    )


def rule_intents_per_form() -> dict[str, set[str]]:
    """Intents that a rule answers while a form runs ("tijdens <flow> - <topic>")."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text(encoding="utf-8")).get("rules") or []:
            loops = [c["active_loop"] for c in rule.get("condition") or [] if "active_loop" in c]
            for step in rule["steps"]:
                if loops and loops[0] and "intent" in step:
                    found[loops[0]].add(step["intent"])
    return found


def test_every_form_of_the_domain_has_turn_rules() -> None:
    assert set(FORM_TURNS) == set(DOMAIN["forms"])


def test_the_catalogue_holds_only_domain_intents() -> None:
    intents = {i if isinstance(i, str) else next(iter(i)) for i in DOMAIN["intents"]}
    assert set(INTERRUPTING_INTENTS) <= intents
    for turns in FORM_TURNS.values():
        assert set(turns.interrupts) <= set(INTERRUPTING_INTENTS)


@pytest.mark.parametrize("form", sorted(FORM_TURNS))
@pytest.mark.parametrize("intent", ["greet", "affirm", "deny", "thank", "answer_scale"])
def test_small_talk_and_answers_never_interrupt_typed_text(form: str, intent: str) -> None:
    assert not turn(form, "ja hoor dat is goed", intent, 1.0).interrupts


@pytest.mark.parametrize("form", sorted(FORM_TURNS))
def test_stop_is_a_way_out_in_every_form(form: str) -> None:
    assert turn(form, "stop", "stop", answer_understood=False) == Turn(TurnKind.ESCAPE, "stop")


@pytest.mark.parametrize("form", ["scan_form", "prepare_form"])
def test_back_is_a_correction_where_there_is_a_previous_question(form: str) -> None:
    assert turn(form, "terug", "go_back").kind is TurnKind.CORRECTION


@pytest.mark.parametrize("form", BOOKING_FORMS)
def test_back_is_no_interruption_in_the_booking_forms(form: str) -> None:
    assert turn(form, "terug", "go_back", answer_understood=False).kind is TurnKind.UNCLEAR


@pytest.mark.parametrize("form", ["scan_form", "prepare_form", *BOOKING_FORMS])
def test_a_privacy_question_is_a_side_question(form: str) -> None:
    got = turn(form, "wie kan lezen wat ik hier typ?", "ask_privacy", answer_understood=False)
    assert got == Turn(TurnKind.SIDE_QUESTION, "ask_privacy")


@pytest.mark.parametrize("form", ["scan_form", "prepare_form", *BOOKING_FORMS])
def test_asking_for_a_voucher_is_a_new_request(form: str) -> None:
    got = turn(form, "kan ik een voucher krijgen?", "request_voucher", answer_understood=False)
    assert got.kind is TurnKind.NEW_REQUEST


@pytest.mark.parametrize("form", sorted(FORM_TURNS))
def test_the_threshold_itself_interrupts_and_just_below_does_not(form: str) -> None:
    threshold = INTERRUPTION_CONFIDENCE
    assert turn(form, "stop", "stop", threshold, answer_understood=False).interrupts
    below = turn(form, "stop", "stop", threshold - 0.001, answer_understood=False)
    assert not below.interrupts


def test_the_scan_reads_a_short_answer_even_when_nlu_saw_an_interruption() -> None:
    assert turn("scan_form", "ja hoor", "stop", answer_understood=True).kind is TurnKind.ANSWER
    long_one = turn(
        "scan_form", "ik wil niet meetellen in de cijfers", "opt_out_trends", answer_understood=True
    )
    assert long_one.kind is TurnKind.SIDE_QUESTION


def test_the_scan_takes_one_loose_word_only_as_a_clear_command() -> None:
    assert turn("scan_form", "privacy", "ask_privacy", answer_understood=False).interrupts
    assert turn("scan_form", "banaan", "out_of_scope", answer_understood=False).kind is (
        TurnKind.UNCLEAR
    )
    assert turn("scan_form", "dit is banaan", "out_of_scope", answer_understood=False).interrupts


@pytest.mark.parametrize("form", BOOKING_FORMS)
def test_a_booking_answer_the_form_could_read_always_wins(form: str) -> None:
    got = turn(form, "online graag, maar wie kan dit lezen", "ask_privacy", 1.0, True)
    assert got.kind is TurnKind.ANSWER


def test_preparation_takes_a_statement_about_a_flow_as_the_answer() -> None:
    text = "ik wil graag een coach en meer verantwoordelijkheid"
    assert turn("prepare_form", text, "request_coach", 0.99).kind is TurnKind.ANSWER
    assert turn("prepare_form", "kan ik een coach krijgen?", "request_coach").interrupts


def test_preparation_takes_only_short_commands() -> None:
    assert turn("prepare_form", "ik wil even stoppen", "stop").interrupts  # 4 words
    assert not turn("prepare_form", "ik wil stoppen met overwerk", "stop").interrupts  # 5


@pytest.mark.parametrize(
    ("form", "text", "intent", "interrupts"),
    [
        ("prepare_form", "/request_voucher", "request_voucher", True),
        ("prepare_form", "/greet", "greet", True),
        ("prepare_form", "/answer_scale", "answer_scale", False),
        ("practice_form", "/answer_scale", "answer_scale", True),
        ("practice_form", "/greet", None, True),
        ("scan_form", "/check_voucher_status", "check_voucher_status", False),
        ("coach_form", "/faq", "faq", True),
    ],
)
def test_a_button_interrupts_where_the_form_takes_buttons_as_commands(
    form: str, text: str, intent: str | None, interrupts: bool
) -> None:
    assert turn(form, text, intent, 0.0 if form == "prepare_form" else 1.0).interrupts is (
        interrupts
    )


def test_free_text_that_interrupts_nothing_is_the_answer() -> None:
    assert turn("practice_form", "Nee hoor, ik wil groeien hier", "deny").kind is TurnKind.ANSWER


@given(
    form=st.sampled_from(sorted(FORM_TURNS)),
    intent=st.one_of(st.none(), st.sampled_from(sorted(INTERRUPTING_INTENTS))),
    confidence=st.floats(min_value=0.0, max_value=1.0),
    text=st.text(max_size=60),
    understood=st.sampled_from([None, True, False]),
)
def test_an_interruption_always_names_an_interrupting_intent_of_its_kind(
    form: str, intent: str | None, confidence: float, text: str, understood: bool | None
) -> None:
    got = turn(form, text, intent, confidence, understood)
    if not got.interrupts:
        assert got.kind in (TurnKind.ANSWER, TurnKind.UNCLEAR)
        assert (got.kind is TurnKind.UNCLEAR) == (understood is False)
        return
    if got.by_words:  # read from the words: a go-back, or a side question that has an answer
        assert (
            (got.kind, got.intent) == (TurnKind.CORRECTION, "go_back")
            and form in CORRECTIONS
            or (got.kind is TurnKind.SIDE_QUESTION and got.intent in SIDE_ANSWERS)
        )
        return
    assert understood is not True or FORM_TURNS[form].answer_wins_up_to_words is not None
    if not text.strip().startswith("/"):
        assert confidence >= INTERRUPTION_CONFIDENCE
        assert got.kind is INTERRUPTING_INTENTS[str(got.intent)]


def test_no_rule_answers_an_intent_while_a_form_runs() -> None:
    """One mechanism: the forms' validation (actions/form_turns.py), not a rule per form."""
    assert rule_intents_per_form() == {}


def _domain_names() -> set[str]:
    return set(DOMAIN["actions"]) | set(DOMAIN["responses"]) | set(DOMAIN["forms"])


def test_every_interruption_of_every_form_has_one_way_to_be_handled() -> None:
    for form, turns in FORM_TURNS.items():
        for intent in turns.interrupts:
            kind = INTERRUPTING_INTENTS[intent]
            handled = {
                TurnKind.SIDE_QUESTION: intent in SIDE_ANSWERS,
                TurnKind.NEW_REQUEST: intent in NEW_REQUESTS,
                TurnKind.ESCAPE: form in ESCAPES,
                # without a go-back action the message goes to the slot methods as an answer
                TurnKind.CORRECTION: True,
            }[kind]
            assert handled, (form, intent)


def test_every_name_in_the_tables_is_in_the_domain() -> None:
    names = {step for steps in SIDE_ANSWERS.values() for step in steps}
    names |= {n for s in NEW_REQUESTS.values() for n in (s.start, s.follow) if n}
    names |= set(ESCAPES.values()) | set(CORRECTIONS.values())
    assert names <= _domain_names(), sorted(names - _domain_names())


def test_every_form_says_how_it_waits_and_how_it_stops() -> None:
    assert set(PAUSED_LINES) == set(ESCAPES) == set(DOMAIN["forms"])
    for line in PAUSED_LINES.values():
        assert len(line) < 110  # one short line, B1


def test_one_threshold_for_every_form() -> None:
    for form in FORM_TURNS:
        assert turn(
            form, "stop", "stop", INTERRUPTION_CONFIDENCE, answer_understood=False
        ).interrupts
        low = INTERRUPTION_CONFIDENCE - 0.001
        assert not turn(form, "stop", "stop", low, answer_understood=False).interrupts


@pytest.mark.parametrize(
    "text",
    [
        "Ik merk dat ik hier eigenlijk geen zin meer in heb. Ik stop voorlopig met de scan.",
        "Nee, ik zei juist dat ik wil STOPPEN met de scan, niet verdergaan.",
    ],
)
def test_a_stop_said_in_a_sentence_leaves_the_scan(text: str) -> None:
    """Walkthrough 2026-12-04b, Peter T24-25: the scan went on, the protest became an answer."""
    turn = classify_turn(
        form="scan_form", intent="start_scan", confidence=0.9, text=text, answer_understood=True
    )
    assert turn.kind is TurnKind.ESCAPE


def test_stopping_with_something_else_is_an_answer() -> None:
    turn = classify_turn(
        form="prepare_form", intent="inform", confidence=0.9, text="ik wil stoppen met baliewerk"
    )
    assert turn.kind is TurnKind.ANSWER


def test_an_answer_with_an_example_stays_an_answer_in_the_scan() -> None:
    """Walkthrough 2026-12-04c, Jesse T27: the example paused the scan for the listings."""
    text = "ja lijkt me wel vet, bijv meelopen bij een andere afdeling"
    turn = classify_turn(
        form="scan_form",
        intent="find_opportunities",
        confidence=0.95,
        text=text,
        answer_understood=True,
    )
    assert turn.kind is TurnKind.ANSWER
    stop = classify_turn(
        form="scan_form", intent="stop", confidence=0.95, text="nee ik stop ermee",
        answer_understood=True,
    )  # fmt: skip
    assert stop.kind is TurnKind.ESCAPE
