"""Every text Koers sends is plain Dutch at about B1 level, with no English leftovers.

Checked: all responses in domain.yml and data/responses, and the texts that custom actions
send (scan, fallback, barrier answers).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
import yaml

from bot.channels.teams import texts as teams_texts
from bot.channels.widget import texts as widget_texts
from bot.conversation import barriers, fallback
from bot.ledger import signup_chat
from bot.opportunities import chat as opportunity_chat
from bot.preparation import practice as prep_practice
from bot.preparation import questions as prep_questions
from bot.preparation import sheet as prep_sheet
from bot.preparation import texts as prep_texts
from bot.rasa_ext import texts as resilience_texts
from bot.scan import questions, scoring, texts

ROOT = Path(__file__).resolve().parent.parent
MAX_AVG_SENTENCE_WORDS = 15
MAX_SENTENCE_WORDS = 25
MIN_FLESCH_DOUMA_AVERAGE = 60
MIN_FLESCH_DOUMA_SINGLE = 20

# Words that are English and not also everyday Dutch ("help", "sorry" and "chat" are Dutch too).
ENGLISH = {
    "the",
    "and",
    "you",
    "your",
    "please",
    "click",
    "button",
    "yes",
    "no",
    "hello",
    "thanks",
    "welcome",
    "error",
    "okay",
    "cancel",
    "submit",
    "next",
    "back",
    "here",
    "what",
    "how",
    "our",
    "we're",
    "don't",
    "can't",
    "i'm",
    "with",
    "this",
    "that",
    "for",
}


def _response_texts(path: Path) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found: dict[str, str] = {}
    for name, variations in (data.get("responses") or {}).items():
        for index, variation in enumerate(variations):
            if variation.get("text"):
                found[f"{path.name}:{name}[{index}]"] = variation["text"]
            for button in variation.get("buttons") or []:
                found[f"{path.name}:{name}[{index}]:button:{button['title']}"] = button["title"]
    return found


def _code_texts() -> dict[str, str]:
    found: dict[str, str] = {}
    modules = (texts, fallback, resilience_texts, teams_texts, widget_texts, prep_texts)
    for module in (*modules, opportunity_chat, signup_chat):  # issue 17: the chat's texts
        for name, value in vars(module).items():
            if name.isupper() and isinstance(value, str):
                found[f"{module.__name__}.{name}"] = value
    for odd, value in fallback.ODD_INPUT_ANSWERS.items():
        found[f"fallback.{odd.value}"] = value
    for key, value in barriers.BARRIER_ANSWERS.items():
        found[f"barriers.{key}"] = value
    found["barriers.GENERIC_BARRIER"] = barriers.GENERIC_BARRIER
    found["barriers.WORRY_ANSWER"] = barriers.WORRY_ANSWER
    for question in questions.QUESTIONS:
        for attribute in ("text", "reason_high", "reason_low"):
            if getattr(question, attribute):
                found[f"{question.slot}.{attribute}"] = getattr(question, attribute)
    for key, value in scoring.DIRECTION_LABELS.items():
        found[f"scoring.{key}.label"] = value
    for key, value in scoring.DIRECTION_EXPLANATIONS.items():
        found[f"scoring.{key}.explanation"] = value
    for question in prep_questions.QUESTIONS:
        found[f"{question.slot}.text"] = question.text
    for key, label in {**prep_questions.KINDS, **prep_questions.ASKS}.items():
        found[f"preparation.label.{key}"] = label
    for button in (*prep_texts.REVIEW_BUTTONS, *prep_texts.AFTER_SHEET_BUTTONS):
        found[f"preparation.button.{button['title']}"] = button["title"]
    for key, reaction in prep_practice.REACTIONS.items():
        found[f"practice.{key}.manager"] = reaction.manager_says
        found[f"practice.{key}.answer"] = reaction.strong_answer
    for index, step in enumerate(prep_sheet.NEXT_STEPS):
        found[f"sheet.next_step.{index}"] = step
    for kind in (None, "reorganisatie"):
        found[f"sheet.opening.{kind}"] = prep_sheet.opening_sentence(kind, "iets")
    found["sheet.proposal"] = prep_sheet.proposal_text("werken met data", ["Tijd om te leren"])
    found["sheet.CALM_TIP"] = prep_sheet.CALM_TIP
    for steps in scoring.NEXT_STEPS.values():
        for step in steps:
            found[f"step.{step.title}"] = f"{step.title}. {step.explanation}"
    return found


def all_texts() -> dict[str, str]:
    found = _response_texts(ROOT / "domain.yml")
    for path in sorted((ROOT / "data").rglob("*.yml")):
        found.update(_response_texts(path))
    found.update(_code_texts())
    return found


TEXTS = all_texts()


def sentences(text: str) -> list[str]:
    plain = re.sub(r"[*_`]", "", text)
    parts = re.split(r"(?<=[.!?:])\s+|\n+", plain)
    return [p.strip(" -") for p in parts if re.search(r"[A-Za-zÀ-ÿ]", p)]


def words(sentence: str) -> list[str]:
    return re.findall(r"[\wÀ-ÿ'’]+[!?]?", sentence.lower())


def test_there_are_texts_to_check() -> None:
    assert len(TEXTS) > 60
    assert any(name.startswith("domain.yml:utter_welcome") for name in TEXTS)
    assert any(name.startswith("faq.yml:utter_faq/") for name in TEXTS), "FAQ answers missing"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_sentences_are_short(name: str) -> None:
    found = sentences(TEXTS[name])
    lengths = [len(words(s)) for s in found]
    assert max(lengths) <= MAX_SENTENCE_WORDS, f"long sentence in {name}: {found}"
    assert sum(lengths) / len(lengths) <= MAX_AVG_SENTENCE_WORDS, f"{name}: {lengths}"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_no_english_leftovers(name: str) -> None:
    leftovers = {w for s in sentences(TEXTS[name]) for w in words(s)} & ENGLISH
    assert not leftovers, f"English in {name}: {leftovers}"


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_informal_je_not_formal_u(name: str) -> None:
    assert not re.search(r"\b(u|uw|Uw)\b", TEXTS[name]), f"formal 'u' in {name}"


def test_flesch_douma_reading_ease_fits_b1() -> None:
    textstat.set_lang("nl")
    long_texts = {n: t for n, t in TEXTS.items() if len(words(t)) >= 12}
    scores = {name: textstat.flesch_reading_ease(text) for name, text in long_texts.items()}
    too_hard = {
        name: round(score) for name, score in scores.items() if score < MIN_FLESCH_DOUMA_SINGLE
    }
    assert not too_hard, f"too hard to read: {too_hard}"
    average = sum(scores.values()) / len(scores)
    assert average >= MIN_FLESCH_DOUMA_AVERAGE, f"average Flesch-Douma {average:.0f}"
