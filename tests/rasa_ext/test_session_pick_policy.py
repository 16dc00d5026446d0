"""The policy that reads a typed pick against the workshop sessions just shown."""

from __future__ import annotations

from datetime import timedelta

from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.clock import LOCAL_TZ, utcnow
from bot.ledger import signup_chat as chat
from bot.ledger.preferences import MONTH_NAMES
from bot.rasa_ext.policy import (
    asks_if_that_is_all,
    last_reply_action,
    reads_as_about,
    reads_as_pick,
)

SESSION = chat.ShownSession(48, utcnow() + timedelta(days=30), "presenteren", "Limburg", "X")
SHOWN = {"shown": [48], "offers": [SESSION.to_slot()]}


def tracker(text: str, reply: str = "action_find_sessions", *extra) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(
        "t",
        [
            ActionExecuted("action_listen"),
            UserUttered("jezelf presenteren in limburg", {"name": "ask_workshops"}),
            ActionExecuted(reply),
            SlotSet(chat.QUERY_SLOT, SHOWN),
            *extra,
            ActionExecuted("action_listen"),
            UserUttered(text, {"name": "start_scan", "confidence": 0.9}),
        ],
    )


def test_a_pick_right_after_the_list_is_taken_whatever_nlu_said() -> None:
    assert last_reply_action(tracker("ja die")) == "action_find_sessions"
    local = SESSION.starts_at.astimezone(LOCAL_TZ)
    said = f"ok dan doe ik die van {local.day} {MONTH_NAMES[local.month - 1]} maar"
    assert reads_as_pick(tracker(said))
    assert reads_as_pick(tracker("ja die"))


def test_no_pick_after_another_reply_in_a_form_or_for_other_words() -> None:
    assert not reads_as_pick(tracker("ja die", "action_scan_start"))
    assert not reads_as_pick(tracker("ik wil de scan doen"))
    assert not reads_as_pick(tracker("/start_scan"))
    in_form = tracker("ja die", "action_find_sessions", ActiveLoop("scan_form"))
    assert not reads_as_pick(in_form)


def test_a_question_about_what_a_shown_workshop_is_is_no_pick_but_an_about() -> None:
    """Walkthrough 2026-12-04: "wat is nummer 5 precies" got the coach facts, "wat leer je daar
    dan?" the privacy question."""
    for text in ("wat is nummer 1 precies", "maar wat leer je daar dan?", "waar gaat die over?"):
        assert reads_as_about(tracker(text)), text
        assert not reads_as_pick(tracker(text)), text
    assert not reads_as_about(tracker("wat leer je daar?", "action_scan_start"))  # no list
    assert not reads_as_about(tracker("wat is nummer 1 precies", "x", ActiveLoop("scan_form")))
    # a workshop named by its theme needs no list
    assert reads_as_about(tracker("wat leer je bij de workshop over geld?", "action_scan_start"))
    assert not reads_as_about(tracker("wat leer je bij een coach?", "action_scan_start"))


def test_alleen_die_ene_after_a_list_asks_for_the_rest() -> None:
    """Walkthrough 2026-12-04, Sandra T8: "alleen die ene?" got the scan-result answer."""
    for text in ("alleen die ene?", "is dat alles?", "zijn er niet meer?", "maar 1 datum?"):
        assert asks_if_that_is_all(tracker(text)), text
        assert not reads_as_pick(tracker(text)), text
    assert not asks_if_that_is_all(tracker("alleen die ene?", "action_scan_start"))
    assert not asks_if_that_is_all(tracker("ja die"))
