"""A yes to the one thing offered (walkthrough 2026-12-04c, Yasmin T2: "ja graag!" got the menu)."""

from __future__ import annotations

from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.offers import ActionAffirmOffer, offered_intent

OFFER = {
    "event": "bot",
    "text": "Wil je de voucher nu? Klik dan op de knop.",
    "data": {"buttons": [{"title": "Vraag mijn voucher aan", "payload": "/request_voucher"}]},
}
MENU = {
    "event": "bot",
    "text": "Waar wil je mee beginnen?",
    "data": {
        "buttons": [
            {"title": "Doe de talentscan", "payload": "/start_scan"},
            {"title": "Wat kun jij?", "payload": "/ask_capabilities"},
        ]
    },
}


async def test_yes_to_the_one_offer_starts_it(make_tracker) -> None:
    tracker = make_tracker("ja graag!", "affirm", events=[OFFER, {"event": "user", "text": "ja"}])
    assert offered_intent(tracker) == "request_voucher"
    dispatcher = CollectingDispatcher()
    events = await ActionAffirmOffer().run(dispatcher, tracker, {})
    assert events == [FollowupAction("action_request_voucher")] and not dispatcher.messages


async def test_yes_to_several_choices_or_none_asks_what_next(make_tracker) -> None:
    for earlier in ([MENU], [], [{"event": "bot", "text": "Goed zo."}]):
        dispatcher = CollectingDispatcher()
        tracker = make_tracker("ja", "affirm", events=earlier)
        assert await ActionAffirmOffer().run(dispatcher, tracker, {}) == []
        assert dispatcher.messages[0]["response"] == "utter_what_next"
