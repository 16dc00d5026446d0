"""The speed-ups in bot/rasa_ext/patches keep Rasa's behaviour: the action response check with
one compiled validator, kept-alive action calls, event classes by type name."""

from __future__ import annotations

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.rasa_ext.patches import action_results, install_all

GOOD = {
    "events": [
        {"event": "slot", "name": "scan_q01", "value": 4, "timestamp": None},
        {"event": "active_loop", "name": "scan_form"},
        {"event": "followup", "name": "action_listen"},
    ],
    "responses": [{"text": "Vraag 2 van 14.", "buttons": [{"title": "1", "payload": "1"}]}],
}
BAD = [
    {"events": [{"event": "slot"}], "responses": []},  # a slot event without a name
    {"events": [{"event": "no_such_event"}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
]


def test_accepts_what_rasa_accepts() -> None:
    assert action_results.validate_action_result(None, GOOD) is True
    jsonschema.validate(GOOD, RemoteAction.action_response_format_spec())


@pytest.mark.parametrize("result", BAD)
def test_rejects_what_rasa_rejects_with_the_same_error(result) -> None:
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(result, RemoteAction.action_response_format_spec())
    with pytest.raises(jsonschema.ValidationError) as ours:
        action_results.validate_action_result(None, result)
    assert ours.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_install_all_replaces_rasas_check() -> None:
    install_all()
    assert RemoteAction._validate_action_result is action_results.validate_action_result
    action = RemoteAction("action_scan_result", None)
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(jsonschema.ValidationError):
        action._validate_action_result(BAD[0])


def test_the_schema_is_checked_and_compiled_once() -> None:
    assert action_results.response_validator() is action_results.response_validator()


# -- kept-alive action calls (bot/rasa_ext/patches/action_calls.py), against a real aiohttp server

from aiohttp import web  # noqa: E402
from rasa.utils.endpoints import ClientResponseError, EndpointConfig  # noqa: E402

from bot.rasa_ext.patches import action_calls  # noqa: E402


def test_fast_json_matches_json() -> None:
    import json

    value = {
        "text": 'Één vraag / twee? \u2028 "quote"',
        "n": [1, 2.5, None, True],
        "emoji": "🙂",
        "big": 2**70,
        "nested": {"a": {"b": []}},
    }
    assert json.loads(action_calls.fast_json_dumps(value)) == value


def test_fast_json_falls_back_for_what_ujson_refuses(monkeypatch) -> None:
    import json

    def refuses(*_args, **_kwargs):
        raise OverflowError("too big for ujson")

    monkeypatch.setattr(action_calls.ujson, "dumps", refuses)
    value = {"tekst": "hoi", "n": 2**70}
    assert action_calls.fast_json_dumps(value) == json.dumps(value)


async def _action_server(aiohttp_server, seen: list):
    async def webhook(request: web.Request) -> web.Response:
        seen.append(
            (
                request.transport.get_extra_info("peername"),
                request.query.get("token"),
                await request.json(),
            )
        )
        if (await request.json()).get("next_action") == "reject":
            return web.json_response({"error": "nee", "action_name": "reject"}, status=400)
        return web.json_response({"events": [], "responses": [{"text": "hoi"}]})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    return await aiohttp_server(app)


async def test_calls_share_one_connection_and_keep_rasas_semantics(aiohttp_server) -> None:
    seen: list = []
    server = await _action_server(aiohttp_server, seen)
    endpoint = EndpointConfig(
        url=str(server.make_url("/webhook")), token="geheim", enable_selective_domain=True
    )
    twin = action_calls.pooled(endpoint)
    assert action_calls.pooled(endpoint) is twin and action_calls.pooled(twin) is twin
    assert twin.kwargs == {"enable_selective_domain": True}
    for text in ("één", "twee", "drie"):
        answer = await twin.request(json={"next_action": "x", "text": text}, method="post")
        assert answer == {"events": [], "responses": [{"text": "hoi"}]}
    assert [body["text"] for _, _, body in seen] == ["één", "twee", "drie"]
    assert {token for _, token, _ in seen} == {"geheim"}
    assert len({peer for peer, _, _ in seen}) == 1  # one kept-alive connection
    with pytest.raises(ClientResponseError) as rejected:  # a form rejecting a slot
        await twin.request(json={"next_action": "reject"}, method="post")
    assert rejected.value.status == 400
    await action_calls.close_pooled(endpoint)
    await twin.request(json={"next_action": "x", "text": "na sluiten"}, method="post")
    await action_calls.close_pooled(endpoint)


async def test_remote_actions_use_the_pooled_endpoint() -> None:
    install_all()
    endpoint = EndpointConfig(url="http://127.0.0.1:9/webhook")
    action = RemoteAction("action_scan_result", endpoint)
    assert action.action_endpoint is action_calls.pooled(endpoint)
    assert RemoteAction("action_scan_result", None).action_endpoint is None


# -- event classes by type name (bot/rasa_ext/patches/event_types.py)

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity  # noqa: E402
from rasa.shared.utils.common import all_subclasses  # noqa: E402

from bot.rasa_ext.patches import event_types  # noqa: E402


def _rasa_walk(type_name: str, default=None):
    """Rasa 3.6's lookup, run on the same classes (the reference the mapping must match)."""
    for cls in all_subclasses(Event):
        if cls.type_name == type_name:
            return cls
    if type_name == "topic":
        return None
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def test_every_event_name_finds_the_class_rasa_finds() -> None:
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "active_loop", "session_started"} <= names
    for name in names:
        assert event_types.resolve_by_type(name) is _rasa_walk(name)


def test_unknown_names_behave_as_in_rasa() -> None:
    assert event_types.resolve_by_type("topic") is None
    assert event_types.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        event_types.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found() -> None:
    class KoersProbeEvent(SlotSet):
        type_name = "koers_probe_event"

    assert event_types.resolve_by_type("koers_probe_event") is KoersProbeEvent
    assert Event.resolve_by_type("slot") is SlotSet


def test_installed_for_events_read_back_from_a_tracker() -> None:
    install_all()
    assert Event.resolve_by_type is event_types.resolve_by_type
    events = [
        ActionExecuted("action_listen"),
        UserUttered("hoi", {"name": "greet"}),
        SlotSet("scan_q01", 4),
        ActionExecuted("utter_greet"),
    ]
    tracker = DialogueStateTracker.from_events("employee-1", events)
    state = tracker.current_state(event_verbosity=EventVerbosity.ALL)
    again = DialogueStateTracker.from_dict("employee-1", state["events"], Domain.empty().slots)
    assert list(again.events) == events
    assert Event.from_parameters({"event": "topic"}) is None
