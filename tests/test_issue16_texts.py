"""The FAQ answers for questions that got a wrong stock answer, and the new code texts."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.conversation import barriers
from bot.privacy import my_data
from bot.privacy.my_data import ConversationData
from tests.test_readability import (
    ENGLISH,
    MAX_AVG_SENTENCE_WORDS,
    MAX_SENTENCE_WORDS,
    sentences,
    words,
)

ROOT = Path(__file__).resolve().parent.parent
NEW_FAQ = (
    "manager_permission",
    "manager_sees_booking",
    "frustration",
    "grow_with_mbo",
    "external_course",
    "voucher_for_colleague",
    "work_to_work",
)


def faq_examples() -> dict[str, list[str]]:
    data = yaml.safe_load((ROOT / "data/nlu/faq.yml").read_text(encoding="utf-8"))
    return {
        block["intent"]: [ln[2:] for ln in block["examples"].splitlines() if ln.startswith("- ")]
        for block in data["nlu"]
    }


def faq_answer(key: str) -> str:
    data = yaml.safe_load((ROOT / "data/responses/faq.yml").read_text(encoding="utf-8"))
    return data["responses"][f"utter_faq/{key}"][0]["text"]


@pytest.mark.parametrize("key", NEW_FAQ)
def test_each_new_faq_has_examples_and_an_answer(key: str) -> None:
    assert len(faq_examples()[f"faq/{key}"]) >= 12
    assert faq_answer(key).strip()


def test_no_example_trains_two_faq_answers() -> None:
    seen: dict[str, str] = {}
    for intent, values in faq_examples().items():
        for value in values:
            assert value.lower() not in seen, f"{value!r} in {intent} and {seen[value.lower()]}"
            seen[value.lower()] = intent


def test_the_walkthrough_questions_train_the_right_answer() -> None:
    found = faq_examples()
    assert "wat een onzin dit" in found["faq/frustration"]
    assert "ziet mijn baas dat ik een coach heb geboekt?" in found["faq/manager_sees_booking"]
    assert "wat is van werk naar werk?" in found["faq/work_to_work"]
    assert "kan ik een voucher voor een collega aanvragen?" in found["faq/voucher_for_colleague"]


def test_frustration_is_not_answered_with_the_cost() -> None:
    text = faq_answer("frustration").lower()
    assert "kost" not in text and "gratis" not in text
    assert "mens" in text


def test_permission_and_booking_answers_are_honest_about_work_time() -> None:
    assert "werktijd" in faq_answer("manager_permission")
    assert faq_answer("manager_sees_booking").startswith("Nee")
    assert "werktijd" in faq_answer("manager_sees_booking")


def test_rights_answers_refer_and_invent_no_cao_figures() -> None:
    for key in ("work_to_work", "external_course"):
        text = faq_answer(key)
        assert "P&O" in text
    assert not any(ch.isdigit() for ch in faq_answer("work_to_work"))
    assert "volksuniversiteit" in faq_answer("external_course")
    assert "persoonlijk" in faq_answer("voucher_for_colleague")


def code_texts() -> dict[str, str]:
    full = ConversationData(
        messages=4,
        scan_completed=True,
        preparation_answers=2,
        has_booking=True,
        voucher_status="issued",
    )
    found = {
        "my_data.full": my_data.my_data_text(full),
        "my_data.empty": my_data.my_data_text(ConversationData(counts_in_trends=False)),
        "my_data.remember": my_data.remember_text(ConversationData()),
        "my_data.remember_scan": my_data.remember_text(ConversationData(scan_answers=2)),
        "my_data.opt_in": my_data.OPT_IN_DONE,
        "my_data.already": my_data.ALREADY_COUNTING,
        "barriers.money_voucher": barriers.MONEY_WITH_VOUCHER,
        "barriers.generic_after": barriers.GENERIC_AFTER_SCAN,
        "barriers.generic_in": barriers.GENERIC_IN_SCAN,
        "barriers.worry_after": barriers.WORRY_AFTER_SCAN,
        "barriers.worry_in": barriers.WORRY_IN_SCAN,
    }
    for key, value in {**barriers.AFTER_SCAN_ANSWERS}.items():
        found[f"barriers.after.{key}"] = value
    for key, value in {**barriers.IN_SCAN_ANSWERS}.items():
        found[f"barriers.in.{key}"] = value
    return found


@pytest.mark.parametrize(("name", "text"), sorted(code_texts().items()))
def test_new_code_texts_are_plain_dutch(name: str, text: str) -> None:
    found = sentences(text)
    assert found, name
    assert max(len(words(s)) for s in found) <= MAX_SENTENCE_WORDS, name
    assert sum(len(words(s)) for s in found) / len(found) <= MAX_AVG_SENTENCE_WORDS, name
    assert not {w for s in found for w in words(s)} & ENGLISH, name


def test_context_variants_really_change_the_scan_tip() -> None:
    assert barriers.WORRY_AFTER_SCAN != barriers.WORRY_ANSWER
    assert barriers.WORRY_IN_SCAN != barriers.WORRY_ANSWER


def test_the_data_overview_counts_in_dutch() -> None:
    """Walkthrough of 2026-12-02: "1 berichten", "1 antwoorden"."""
    one = my_data.my_data_text(ConversationData(messages=1, preparation_answers=1))
    assert "1 bericht van jou" in one and "1 antwoord voor" in one
    more = my_data.my_data_text(ConversationData(messages=3, scan_answers=2))
    assert "3 berichten van jou" in more and "2 antwoorden uit" in more
