"""Free-text answers of the booking conversation (pure functions)."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.clock import LOCAL_TZ
from bot.ledger.preferences import (
    MODE_ANY,
    WhenPreference,
    describe_preference,
    format_moment,
    matches_preference,
    normalize_region,
    parse_mode,
    parse_when,
    parse_yes_no,
    pick_offer,
)


@pytest.mark.parametrize(
    "text, region",
    [
        ("Utrecht", "Utrecht"),
        ("friesland", "Fryslân"),
        ("FRYSLÂN", "Fryslân"),
        ("noord holland", "Noord-Holland"),
        ("Zuid-Holland graag", "Zuid-Holland"),
        ("brabant", "Noord-Brabant"),
        ("ik werk in Amersfoort", "Utrecht"),
        ("gelderlnd", "Gelderland"),
        ("in de provincie Groningen", "Groningen"),
        ("Maastricht", "Limburg"),
    ],
)
def test_regions_are_understood(text: str, region: str) -> None:
    assert normalize_region(text) == region


@pytest.mark.parametrize("text", ["Wallonië", "de randstad", "weet ik niet", "", "Berlijn"])
def test_unknown_regions_are_none(text: str) -> None:
    assert normalize_region(text) is None


@pytest.mark.parametrize(
    "text, mode",
    [
        ("Online", "online"),
        ("videobellen is prima", "online"),
        ("liever op locatie", "on_location"),
        ("in het echt", "on_location"),
        ("niet online", "on_location"),
        ("Maakt niet uit", MODE_ANY),
        ("online of op locatie", MODE_ANY),
        ("hmm", None),
    ],
)
def test_mode(text: str, mode: str | None) -> None:
    assert parse_mode(text) == mode


@pytest.mark.parametrize(
    "text, days, parts",
    [
        ("dinsdag of donderdag", {1, 3}, set()),
        ("donderdagmiddag", {3}, {"middag"}),
        ("maandagmorgen", {0}, {"ochtend"}),
        ("'s ochtends", set(), {"ochtend"}),
        ("voor de middag", set(), {"ochtend"}),
        ("doordeweeks na het werk", {0, 1, 2, 3, 4}, {"avond"}),
        ("Middag", set(), {"middag"}),
        ("maakt niet uit", set(), set()),
        ("zo snel mogelijk", set(), set()),
    ],
)
def test_when(text: str, days: set[int], parts: set[str]) -> None:
    preference = parse_when(text)
    assert preference is not None
    assert preference.weekdays == frozenset(days) and preference.parts == frozenset(parts)


def test_when_without_days_or_parts_is_none() -> None:
    assert parse_when("weet ik veel") is None


def test_preference_round_trips_through_a_slot() -> None:
    preference = WhenPreference(frozenset({1}), frozenset({"middag"}))
    assert WhenPreference.from_dict(preference.to_dict()) == preference
    assert WhenPreference.from_dict("rubbish") == WhenPreference()
    assert describe_preference(preference) == "op dinsdag, in de middag"


def test_matches_preference_uses_dutch_local_time() -> None:
    tuesday_afternoon = datetime(2025, 3, 4, 14, 0, tzinfo=LOCAL_TZ)
    assert matches_preference(tuesday_afternoon, WhenPreference(frozenset({1}), frozenset()))
    assert not matches_preference(tuesday_afternoon, WhenPreference(parts=frozenset({"ochtend"})))
    assert format_moment(tuesday_afternoon) == "dinsdag 4 maart om 14:00"


STARTS = [
    datetime(2025, 3, 4, 10, 0, tzinfo=LOCAL_TZ),
    datetime(2025, 3, 4, 14, 0, tzinfo=LOCAL_TZ),
    datetime(2025, 3, 6, 10, 0, tzinfo=LOCAL_TZ),
]


@pytest.mark.parametrize(
    "text, index",
    [
        ("2", 1),
        ("optie 3", 2),
        ("de eerste", 0),
        ("de laatste graag", 2),
        ("donderdag", 2),
        ("dinsdag 14:00", 1),
        ("dinsdag 14 uur", 1),
        ("6 maart", 2),
        ("dinsdag", None),  # two on Tuesday: ask again
        ("7", None),
        ("geen idee", None),
    ],
)
def test_pick_offer(text: str, index: int | None) -> None:
    assert pick_offer(text, STARTS) == index


@pytest.mark.parametrize(
    "text, intent, answer",
    [
        ("ja", None, True),
        ("Ja graag", None, True),
        ("nee hoor", None, False),
        ("liever niet", None, False),
        ("misschien", None, None),
        ("whatever", "affirm", True),
        ("whatever", "deny", False),
    ],
)
def test_yes_no(text: str, intent: str | None, answer: bool | None) -> None:
    assert parse_yes_no(text, intent) is answer
