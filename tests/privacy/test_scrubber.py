"""The scrubber on text, values and events, including bad input and failing closed."""

from __future__ import annotations

import random
import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.privacy import scrubber
from bot.privacy.scrubber import (
    REMOVED,
    TRUNCATED_MARK,
    ScrubConfig,
    normalise,
    scrub_event,
    scrub_text,
    scrub_text_safe,
    scrub_value,
)

CONFIG = ScrubConfig(max_chars=2000)
PII_TEXT = "Mijn collega Fatima El Amrani, 06-12345678, f.elamrani@zaanstad.nl, BSN 111222333"


def test_scrub_text_replaces_with_typed_placeholders() -> None:
    result = scrub_text(PII_TEXT, CONFIG)
    assert result.text == "Mijn collega [NAAM], [TELEFOON], [EMAIL], BSN [BSN]"
    assert result.counts() == {"NAAM": 1, "TELEFOON": 1, "EMAIL": 1, "BSN": 1}
    assert not result.truncated and not result.failed


def test_scrubbing_is_idempotent() -> None:
    once = scrub_text(PII_TEXT, CONFIG).text
    assert scrub_text(once, CONFIG).text == once


def test_text_that_looks_like_a_placeholder() -> None:
    assert scrub_text("Wat betekent [NAAM] en [EMAIL]?", CONFIG).text == (
        "Wat betekent [NAAM] en [EMAIL]?"
    )
    # a look-alike with a real name inside is scrubbed like any text
    assert "Fatima" not in scrub_text("[mevrouw Fatima Boukhris]", CONFIG).text


def test_nested_placeholders() -> None:
    text = "[NAAM jan.jansen@zaanstad.nl] [[EMAIL]] [[NAAM] Fatima El Amrani]"
    result = scrub_text(text, CONFIG).text
    assert "jan.jansen" not in result and "Fatima" not in result and "Amrani" not in result
    assert "[[EMAIL]]" in result


def test_100k_characters_are_truncated_fast() -> None:
    text = ("Mijn collega Fatima El Amrani belt 06-12345678. " * 2100)[:100_000]
    start = time.perf_counter()
    result = scrub_text_safe(text, CONFIG)
    assert time.perf_counter() - start < 5
    assert result.truncated
    assert len(result.text) <= CONFIG.max_chars + len(TRUNCATED_MARK) + 1
    assert result.text.endswith(TRUNCATED_MARK)
    assert "Fatima" not in result.text and "12345678" not in result.text


def test_truncation_never_leaves_half_a_number() -> None:
    text = "x" * 1990 + " 0612345678 en meer"
    result = scrub_text(text, CONFIG)
    assert "06123" not in result.text


def test_binary_garbage() -> None:
    rng = random.Random(7)
    blob = bytes(rng.randrange(256) for _ in range(5000))
    result = scrub_text_safe(blob, CONFIG)
    assert not result.failed
    assert "\x00" not in result.text
    assert all(ch in "\n\t" or ch.isprintable() or ch == "\ufffd" for ch in result.text)


def test_control_and_invisible_characters_are_removed() -> None:
    text = "06\u200b1234\u20065678 en \x00\x07Fatima\u202e El Amrani\ud800"
    clean = normalise(text)
    assert "\u200b" not in clean and "\x00" not in clean and "\ud800" not in clean
    result = scrub_text(text, CONFIG).text
    assert "5678" not in result


def test_fullwidth_digits_are_normalised_and_caught() -> None:
    assert scrub_text("Bel ０６－１２３４５６７８", CONFIG).text == "Bel [TELEFOON]"


def test_mixed_scripts() -> None:
    text = "Привет! مرحبا 你好 Mijn collega Fatima El Amrani 🙂 ٠٦١٢٣٤٥٦٧٨ ok"
    result = scrub_text_safe(text, CONFIG)
    assert not result.failed
    assert "Fatima" not in result.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=300), st.binary(max_size=300)))
def test_never_raises_on_arbitrary_input(value) -> None:
    result = scrub_text_safe(value, CONFIG)
    assert isinstance(result.text, str)
    assert not result.failed


def test_fail_closed_when_a_detector_raises(monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("detector bug: Fatima El Amrani")

    monkeypatch.setattr(scrubber, "find_patterns", broken)
    result = scrub_text_safe(PII_TEXT, CONFIG)
    assert result.failed and result.text == REMOVED
    assert scrub_value({"a": PII_TEXT}, CONFIG) == {"a": REMOVED}
    event = {
        "event": "user",
        "timestamp": 1.0,
        "text": PII_TEXT,
        "parse_data": {"text": PII_TEXT, "intent": {"name": "inform"}, "entities": []},
    }
    stored = scrub_event(event, None, CONFIG)
    assert stored["text"] == REMOVED
    assert stored["parse_data"]["text"] == REMOVED
    assert "Fatima" not in str(stored)


def test_fail_closed_when_the_event_walk_raises(monkeypatch) -> None:
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(scrubber, "_scrub_event", broken)
    event = {
        "event": "user",
        "timestamp": 1.0,
        "text": PII_TEXT,
        "input_channel": "rest",
        "parse_data": {"text": PII_TEXT, "intent": {"name": "inform"}},
        "metadata": {"user": "Fatima"},
    }
    stored = scrub_event(event, None, CONFIG)
    assert stored["text"] == REMOVED and stored["metadata"] == {}
    assert stored["parse_data"]["intent"]["name"] == "inform"
    assert "Fatima" not in str(stored)


def test_scrub_value_recurses_and_keeps_scalars() -> None:
    value = {
        "lijst": ["Mijn collega Fatima El Amrani", 3, 2.5, True, None],
        "bsn_als_getal": 111222333,
        "jaar": 2019,
        "diep": {"x": {"y": "bel 06-12345678"}},
    }
    out = scrub_value(value, CONFIG)
    assert out["lijst"] == ["Mijn collega [NAAM]", 3, 2.5, True, None]
    assert out["bsn_als_getal"] == "[BSN]" and out["jaar"] == 2019
    assert out["diep"]["x"]["y"] == "bel [TELEFOON]"


def test_scrub_value_depth_limit_and_unknown_objects() -> None:
    deep: list = []
    node = deep
    for _ in range(100):
        node.append([])
        node = node[0]
    assert REMOVED in str(scrub_value(deep, CONFIG))
    assert scrub_value(object(), CONFIG) == REMOVED


def test_user_event_entities_follow_the_scrubbed_text() -> None:
    text = "Mijn leidinggevende Fatima El Amrani wil naar Burgerzaken"
    event = {
        "event": "user",
        "timestamp": 1.0,
        "text": text,
        "input_channel": "rest",
        "message_id": "abc",
        "parse_data": {
            "text": text,
            "intent": {"name": "inform", "confidence": 0.9},
            "intent_ranking": [{"name": "inform", "confidence": 0.9}],
            "entities": [
                {"entity": "PERSON", "start": 20, "end": 36, "value": "Fatima El Amrani"},
                {"entity": "afdeling", "start": 46, "end": 57, "value": "Burgerzaken"},
            ],
        },
        "metadata": {"model_id": "m1", "aadObjectId": "secret-id", "koers_gemeente": "Zaanstad"},
    }
    out = scrub_event(event, lambda v: "h_" + str(len(v)), CONFIG)
    assert out["text"] == "Mijn leidinggevende [NAAM] wil naar Burgerzaken"
    ents = out["parse_data"]["entities"]
    assert ents[0]["value"] == "[NAAM]"
    assert out["text"][ents[0]["start"] : ents[0]["end"]] == "[NAAM]"
    assert ents[1]["value"] == "Burgerzaken"
    assert out["text"][ents[1]["start"] : ents[1]["end"]] == "Burgerzaken"
    assert out["parse_data"]["intent"]["name"] == "inform"
    assert out["metadata"] == {"model_id": "m1", "koers_gemeente": "Zaanstad"}
    assert out["message_id"] == "h_3"


def test_slot_and_bot_events() -> None:
    slot = scrub_event(
        {"event": "slot", "timestamp": 1.0, "name": "naam", "value": "Jan"}, None, CONFIG
    )
    assert slot["value"] == "[NAAM]"
    wish = scrub_event(
        {
            "event": "slot",
            "timestamp": 1.0,
            "name": "wens",
            "value": ["weg bij Fatima El Amrani", "Jeugdzorg"],
        },
        None,
        CONFIG,
    )
    assert wish["value"] == ["weg bij [NAAM]", "Jeugdzorg"]
    assert (
        scrub_event({"event": "slot", "name": "trends_opt_out", "value": True}, None, CONFIG)[
            "value"
        ]
        is True
    )
    bot = scrub_event(
        {
            "event": "bot",
            "timestamp": 1.0,
            "text": "Dus Fatima El Amrani?",
            "data": {"buttons": [{"title": "Ja, Fatima", "payload": "/affirm"}]},
            "metadata": {"utter_action": "utter_check"},
        },
        None,
        CONFIG,
    )
    assert bot["text"] == "Dus [NAAM]?"
    assert bot["data"]["buttons"] == [{"title": "Ja, [NAAM]", "payload": "/affirm"}]
    assert bot["metadata"] == {"utter_action": "utter_check"}


def test_rasa_events_survive_scrubbing() -> None:
    """Scrubbed events must still deserialise, or the next turn fails."""
    from rasa.shared.core.events import Event

    events = [
        {
            "event": "user",
            "timestamp": 1.0,
            "text": PII_TEXT,
            "parse_data": {
                "text": PII_TEXT,
                "intent": {"name": "inform", "confidence": 1.0},
                "entities": [],
            },
        },
        {"event": "slot", "timestamp": 2.0, "name": "naam", "value": "Fatima"},
        {"event": "bot", "timestamp": 3.0, "text": PII_TEXT, "data": {}},
        {"event": "action", "timestamp": 4.0, "name": "utter_x", "action_text": PII_TEXT},
    ]
    for event in events:
        for stored in (scrub_event(event, None, CONFIG), scrubber.redacted_event(event)):
            assert Event.from_parameters(stored) is not None
            assert "Fatima" not in str(stored)


# -- the findings cache (bot/privacy/scrubber.py FindingsCache)


def test_cached_scrub_gives_the_same_result_and_keeps_no_text() -> None:
    first = scrub_text_safe(PII_TEXT, CONFIG)
    assert len(scrubber.FINDINGS_CACHE) == 1 and scrubber.FINDINGS_CACHE.misses == 1
    second = scrub_text_safe(PII_TEXT, CONFIG)
    assert scrubber.FINDINGS_CACHE.hits == 1
    assert second == first and "Fatima" not in second.text
    stored = repr(list(scrubber.FINDINGS_CACHE._entries.items()))
    assert "Fatima" not in stored and "Amrani" not in stored


def test_cache_keeps_configs_apart() -> None:
    text = "Gisteren sprak ik met Jeroen over mijn werk."
    with_ner = scrub_text_safe(text, CONFIG)
    rules_only = scrub_text_safe(text, scrubber.ScrubConfig(use_ner=False))
    assert len(scrubber.FINDINGS_CACHE) == 2
    assert scrub_text_safe(text, CONFIG) == with_ner
    assert scrub_text_safe(text, scrubber.ScrubConfig(use_ner=False)) == rules_only


def test_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    cache = scrubber.FindingsCache(max_entries=3)
    config = scrubber.ScrubConfig(use_ner=False)
    keys = [cache.key(f"tekst {n}", config) for n in range(4)]
    for key in keys[:3]:
        cache.put(key, ())
    assert cache.get(keys[0]) == ()  # now the most recently used
    cache.put(keys[3], ())
    assert len(cache) == 3
    assert cache.get(keys[1]) is None  # the oldest unused entry went
    assert cache.get(keys[0]) == () and cache.get(keys[3]) == ()


def test_digest_keys_differ_per_process() -> None:
    config = scrubber.ScrubConfig(use_ner=False)
    one, other = scrubber.FindingsCache(), scrubber.FindingsCache()
    assert one.key("Jan de Vries", config) != other.key("Jan de Vries", config)
    assert one.key("Jan de Vries", config) == one.key("Jan de Vries", config)
