"""Dutch times and dates in booking answers (bot.ledger.when and the preference built on it)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.clock import LOCAL_TZ
from bot.ledger import preferences
from bot.ledger.booking import OFFER_ELSEWHERE_ONLINE, OFFER_LATER, SlotOffer
from bot.ledger.preferences import (
    PART_AFTERNOON,
    PART_EVENING,
    WhenPreference,
    describe_preference,
    format_date,
    format_day,
    matches_preference,
    parse_when,
    pick_offer,
    refine_when,
)
from bot.ledger.texts import alternative_note
from bot.ledger.when import is_public_holiday, read_when, time_asked

# Wednesday 2 December 2026, noon in Amsterdam.
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=LOCAL_TZ)
TOMORROW = date(2026, 12, 3)


def local(day: int, hour: int, minute: int = 0, month: int = 12) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TZ)


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [
        ("ik wil een coach in Apeldoorn, online, na 4 uur", 16 * 60, None),
        ("heb je niks na 16:00?", 16 * 60, None),
        ("na half 5", 16 * 60 + 30, None),
        ("pas na vieren", 16 * 60, None),
        ("liefst na mijn werk", 16 * 60, None),
        ("eind van de middag", 15 * 60, None),
        ("voor 10 uur", None, 10 * 60),
        ("tussen 2 en 4", 14 * 60, 16 * 60),
        ("ik ga voor 3", None, None),  # a list number, not a time
        ("dinsdag", None, None),
    ],
)
def test_time_windows(text: str, after: int | None, before: int | None) -> None:
    words = read_when(text, NOW)
    assert (words.after_minutes, words.before_minutes) == (after, before)


@pytest.mark.parametrize(
    ("text", "dates", "not_dates"),
    [
        ("morgen kan niet", set(), {TOMORROW}),
        ("niet morgen zei ik toch. donderdag?", set(), {TOMORROW}),
        ("morgen lukt me niet", set(), {TOMORROW}),
        ("kan het morgen?", {TOMORROW}, set()),
        ("heb je ook iets op maandag 7 december?", {date(2026, 12, 7)}, set()),
        ("op 14-12 graag", {date(2026, 12, 14)}, set()),
        ("1 december", {date(2027, 12, 1)}, set()),  # already past: next year
        ("s morgens graag", set(), set()),  # the morning, not tomorrow
        ("goedemorgen", set(), set()),
    ],
)
def test_dates(text: str, dates: set[date], not_dates: set[date]) -> None:
    words = read_when(text, NOW)
    assert words.dates == frozenset(dates) and words.not_dates == frozenset(not_dates)


def test_next_week_and_later_weeks() -> None:
    assert read_when("volgende week mag ook", NOW).from_date == date(2026, 12, 7)
    assert read_when("over twee weken", NOW).from_date == date(2026, 12, 14)
    assert read_when("iets later graag", NOW).later
    assert not read_when("ik kom later wel terug", NOW).later
    assert read_when("heb je niks om 16:00 of later?", NOW).after_minutes == 16 * 60
    assert read_when("andere dag graag", NOW).other_day


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("die van 3 uur bij Noor", 15 * 60),
        ("om 15:00", 15 * 60),
        ("half 4", 15 * 60 + 30),
        ("10 uur", 10 * 60),
        ("4 dan maar", None),
        ("om 10 uur of om 11 uur", None),
    ],
)
def test_time_asked(text: str, minutes: int | None) -> None:
    assert time_asked(text.lower()) == minutes


def test_the_first_message_gives_the_time_window() -> None:
    preference = parse_when(
        "ik wil een coach in Apeldoorn, online, na 4 uur, liefst volgende week", NOW
    )
    assert preference is not None
    assert preference.after_minutes == 16 * 60 and preference.from_date == date(2026, 12, 7)
    assert not matches_preference(local(7, 15), preference)
    assert matches_preference(local(7, 16, 30), preference)
    assert not matches_preference(local(4, 16, 30), preference)  # this week
    assert "om 16:00 of later" in describe_preference(preference)


def test_a_weekday_that_does_not_work() -> None:
    preference = parse_when("maandag kan ik niet", NOW)
    assert preference is not None and preference.weekdays == frozenset({1, 2, 3, 4})


SHOWN = [local(3, 9, 30), local(3, 11), local(4, 13, 30)]


@pytest.mark.parametrize(
    ("text", "check"),
    [
        ("liever donderdag", lambda p: p.weekdays == frozenset({3})),
        ("heb je niks na 16:00?", lambda p: p.after_minutes == 960 and not p.parts),
        ("avond", lambda p: p.parts == frozenset({PART_EVENING})),
        ("volgende week mag ook", lambda p: p.from_date == date(2026, 12, 7)),
        ("iets later", lambda p: p.after_minutes == 9 * 60 + 31),
        (
            "andere dag graag",
            lambda p: p.not_dates == frozenset({date(2026, 12, 3), date(2026, 12, 4)}),
        ),
        (
            "niet morgen zei ik toch. donderdag?",
            lambda p: TOMORROW in p.not_dates and p.weekdays == frozenset({3}),
        ),
    ],
)
def test_refining_the_offered_times(text: str, check) -> None:
    current = WhenPreference(parts=frozenset({PART_AFTERNOON}))
    refined = refine_when(text, current, NOW, SHOWN)
    assert refined is not None and check(refined)


@pytest.mark.parametrize(
    "text", ["ok", "ja", "hmm", "wat kost dat", "4", "laat maar dan. ik kom later wel terug"]
)
def test_no_new_wish_is_no_refinement(text: str) -> None:
    assert refine_when(text, WhenPreference(), NOW, SHOWN) is None


def test_picking_by_coach_and_hour_and_loose_number() -> None:
    starts = [local(7, 9, 30), local(7, 11), local(7, 13, 30), local(7, 15), local(8, 10)]
    names = ["Anna Voorbeeld", "Anna Voorbeeld", "Noor Fantasie", "Noor Fantasie", "Bram V"]
    assert pick_offer("die van 3 uur bij Noor", starts, names) == 3
    assert pick_offer("die bij Bram", starts, names) == 4
    assert pick_offer("4 dan maar", starts, names) == 3
    assert pick_offer("doe maar 2", starts, names) == 1
    assert pick_offer("die bij Anna", starts, names) is None  # two of hers: ask
    assert pick_offer("over twee weken liever", starts, names) is None  # not "the second"
    assert pick_offer("de tweede", starts, names) == 1


def test_no_time_on_a_dutch_public_holiday(monkeypatch: pytest.MonkeyPatch) -> None:
    # tests.ledger.support switches holidays off for its relative fixture dates: not here.
    monkeypatch.setattr(preferences, "is_public_holiday", is_public_holiday)
    christmas = local(25, 10)
    assert is_public_holiday(christmas) and is_public_holiday(local(27, 10, month=4))
    assert not is_public_holiday(local(24, 10))
    assert not matches_preference(christmas, WhenPreference())


def test_dutch_formatting_with_babel() -> None:
    assert format_day(local(10, 16, 30)) == "donderdag 10 december"
    assert format_date(local(10, 16, 30)) == "10 december 2026"


def offer(starts: datetime, kind: str) -> SlotOffer:
    return SlotOffer(1, "Floor Bedacht", starts, starts + timedelta(hours=1), "online", kind)


def test_alternatives_say_only_what_is_true_of_them() -> None:
    afternoon = WhenPreference(parts=frozenset({PART_AFTERNOON}), weekdays=frozenset({2}))
    # Thursday afternoon: the time of day fits, the day does not.
    assert alternative_note(offer(local(3, 14), OFFER_LATER), afternoon) == " (andere dag)"
    # A morning is never called "later" when the afternoon was asked (walkthrough 3, T11).
    assert alternative_note(offer(local(9, 9, 30), OFFER_LATER), afternoon) == " (ander tijdstip)"
    assert alternative_note(offer(local(3, 9), OFFER_LATER), afternoon) == " (andere dag en tijd)"
    elsewhere = offer(local(3, 9), OFFER_ELSEWHERE_ONLINE)
    assert "andere provincie" in alternative_note(elsewhere, afternoon)


any_preference = st.builds(
    WhenPreference,
    weekdays=st.frozensets(st.integers(0, 6)),
    parts=st.frozensets(st.sampled_from(["ochtend", "middag", "avond"])),
    after_minutes=st.none() | st.integers(0, 24 * 60 - 1),
    before_minutes=st.none() | st.integers(0, 24 * 60 - 1),
    dates=st.frozensets(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=3),
    not_dates=st.frozensets(st.dates(date(2026, 1, 1), date(2028, 12, 31)), max_size=3),
    from_date=st.none() | st.dates(date(2026, 1, 1), date(2028, 12, 31)),
)


@given(any_preference)
def test_a_preference_survives_the_tracker(preference: WhenPreference) -> None:
    assert WhenPreference.from_dict(preference.to_dict()) == preference


@given(st.integers(8, 23), st.sampled_from([0, 15, 30, 45]))
def test_after_a_clock_time(hour: int, minute: int) -> None:
    words = read_when(f"heb je iets na {hour}:{minute:02d}?", NOW)
    assert words.after_minutes == hour * 60 + minute


@given(
    any_preference,
    st.sampled_from(
        ["liever donderdag", "avond", "andere dag", "na 4 uur", "iets later", "volgende week"]
    ),
)
def test_a_ruled_out_day_stays_ruled_out(preference: WhenPreference, text: str) -> None:
    refined = refine_when(text, preference, NOW, SHOWN) or preference
    assert preference.not_dates <= refined.not_dates


@given(st.dates(date(2026, 12, 3), date(2027, 12, 31)))
def test_a_ruled_out_day_is_never_offered(day: date) -> None:
    preference = WhenPreference(not_dates=frozenset({day}))
    for hour in (9, 14, 19):
        assert not matches_preference(
            datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_TZ), preference
        )


def test_one_clock_time_is_never_an_empty_window() -> None:
    """Walkthrough of 2026-12-02: "tussen 16:30 en 16:30 niets vrij"."""
    now = datetime(2026, 12, 2, 10, tzinfo=LOCAL_TZ)
    text = "ik zei toch na mijn werk. 's ochtends kan ik niet. na half 5 's middags"
    words = read_when(text, now)
    assert words.after_minutes == 16 * 60 + 30 and words.before_minutes is None
