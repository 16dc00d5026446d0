"""Pure parsing of the coach wish (walkthrough 2026-12-03b, conversation 5)."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.coach import asks_to_cancel
from bot.clock import LOCAL_TZ
from bot.ledger import texts
from bot.ledger.booking import OFFER_ELSEWHERE_ONLINE, OFFER_LATER, SlotOffer
from bot.ledger.preferences import (
    WhenPreference,
    asks_other_provinces,
    parse_when,
    parse_yes_no,
    refine_when,
    restates_wish,
)
from bot.ledger.when import read_when

NOW = datetime(2026, 12, 3, 12, tzinfo=LOCAL_TZ)
AFTER_FOUR = WhenPreference(weekdays=frozenset(range(5)), after_minutes=16 * 60)
SHOWN = [datetime(2026, 12, 7, 13, 30, tzinfo=LOCAL_TZ), datetime(2026, 12, 7, 15, tzinfo=LOCAL_TZ)]


def test_na_vier_uur_doordeweeks_in_the_first_message() -> None:
    wish = parse_when(
        "kan dat online, na vier uur doordeweeks? overdag kan ik niet weg van mijn werk", NOW
    )
    assert wish == AFTER_FOUR


@pytest.mark.parametrize(
    ("text", "after", "before"),
    [("na vijf uur", 17 * 60, None), ("voor drie uur", None, 15 * 60), ("na een uur", None, None)],
)
def test_spelled_hours(text: str, after: int | None, before: int | None) -> None:
    words = read_when(text, NOW)
    assert (words.after_minutes, words.before_minutes) == (after, before)


def test_a_complaint_about_early_times_keeps_the_wish() -> None:
    assert refine_when("15:00 is nog steeds voor vier uur", AFTER_FOUR, NOW, SHOWN) is None


def test_niks_later_never_goes_below_the_wish() -> None:
    text = "nou die zijn allebei voor vieren. ik zei toch na vier uur. is er niks later?"
    assert refine_when(text, AFTER_FOUR, NOW, SHOWN) is None
    assert restates_wish(text, AFTER_FOUR, NOW)
    assert refine_when("is er niks later?", AFTER_FOUR, NOW, SHOWN) is None
    assert restates_wish("is er niks later?", AFTER_FOUR, NOW)
    assert not restates_wish("liever donderdag", AFTER_FOUR, NOW)


def test_other_provinces() -> None:
    assert asks_other_provinces("kan het ook met een coach uit een andere provincie?")
    assert asks_other_provinces(texts.ELSEWHERE_BUTTON)
    assert not asks_other_provinces("liever donderdag")


def test_yes_that_explains_or_asks_is_yes() -> None:
    assert parse_yes_no("ja graag, anders weet ik niet hoe ik inlog. en wie betaalt?") is True
    assert parse_yes_no("ja, liever niet") is None
    assert parse_yes_no("nee, ik weet niet hoe dat moet") is False


def test_nothing_fits_in_plain_words() -> None:
    assert (
        texts.nothing_fits(AFTER_FOUR, "Overijssel", "online")
        == "Na 16:00 is er in Overijssel de komende weken niets vrij."
    )


@pytest.mark.parametrize(
    "text",
    [
        "ik wil mijn afspraak afzeggen",
        "annuleer mijn coachgesprek",
        "kan ik G2XQM-TH7PC cancelen",
        "het gesprek met de coach gaat niet door",
        "ik kan niet komen",
        "ik kan toch niet naar de coach",
        "zeg mijn afspraak maar af",
        "ik zie af van het coachgesprek",
        "mijn afspraak mag weg",
        "schrap mijn afspraak",
        "ik wil mijn boeking intrekken",
        "afzegen",
        "anuleren afspraak",
        "ik wil niet meer naar de loopbaancoach",
        "hoe zeg ik mijn afspraak af?",
        "/cancel_booking",
    ],
)
def test_cancel_words(text: str) -> None:
    assert asks_to_cancel(text)


@pytest.mark.parametrize(
    "text",
    [
        "dus gaat de afspraak van donderdag nu van mijn voucher af of niet? snap het niet meer",
        "staat mijn afspraak nog?",
        "betaal ik de coach met de voucher",
    ],
)
def test_no_cancel_words(text: str) -> None:
    assert not asks_to_cancel(text)


def _offer(slot_id: int, hour: int, kind: str) -> SlotOffer:
    start = datetime(2026, 12, 14 + slot_id, hour, tzinfo=LOCAL_TZ)
    return SlotOffer(slot_id, "Coach", start, start.replace(hour=hour + 1), "online", kind)


def test_a_list_with_a_later_week_offers_the_other_provinces_button() -> None:
    offers = [_offer(1, 17, OFFER_LATER), _offer(2, 19, OFFER_ELSEWHERE_ONLINE)]
    text, buttons = texts.offers_message(offers, "Overijssel", AFTER_FOUR, "online")
    assert text.startswith("Na 16:00 is er in Overijssel de komende weken niets vrij.")
    assert buttons[-1]["payload"] == texts.ELSEWHERE_BUTTON
    _, on_location = texts.offers_message(offers, "Overijssel", AFTER_FOUR, "on_location")
    assert texts.ELSEWHERE_BUTTON not in [button["payload"] for button in on_location]


def test_only_other_provinces_says_so_without_a_button() -> None:
    offers = [_offer(1, 19, OFFER_ELSEWHERE_ONLINE)]
    text, buttons = texts.offers_message(offers, "Overijssel", AFTER_FOUR, "online")
    assert "Online kan het wel bij een coach uit een andere provincie" in text
    assert [button["payload"] for button in buttons] == ["1"]


def test_the_minute_after_a_shown_time_never_reaches_the_employee() -> None:
    """Walkthrough of 2026-12-03 (third round): "Na 16:01, op dinsdag … niets vrij"."""
    from dataclasses import replace

    from bot.ledger.preferences import WhenPreference, describe_preference
    from bot.ledger.texts import describe_wish

    wish = replace(WhenPreference(), after_minutes=16 * 60 + 1, weekdays=frozenset({1}))
    assert "16:01" not in describe_preference(wish) + describe_wish(wish)
    assert "na 16:00" in describe_wish(wish) and "na 16:00" in describe_preference(wish)


def test_a_weekday_ruled_out_stays_out_when_another_day_is_asked() -> None:
    """ "na 4 uur, niet op vrijdag", then "heb je niks op dinsdag?": Friday is still out, also
    for the nearest other times (walkthrough 2026-12-03c, conversation 2)."""
    from bot.ledger.preferences import any_day, day_fits, only_exclusions

    wish = parse_when("maakt niet uit. liefst na 4 uur, niet op vrijdag", NOW)
    assert wish is not None and 4 in wish.not_weekdays
    tuesday = refine_when("wat een gedoe. heb je niks op dinsdag?", wish, NOW, SHOWN)
    assert tuesday is not None and tuesday.weekdays == {1}
    friday = datetime(2026, 12, 11, 19, tzinfo=LOCAL_TZ)
    for relaxed in (tuesday, any_day(tuesday), only_exclusions(tuesday)):
        assert not day_fits(friday, relaxed)
    assert WhenPreference.from_dict(tuesday.to_dict()) == tuesday
    # named again without "niet", Friday is back
    again = refine_when("vrijdag dan toch maar", tuesday, NOW, SHOWN)
    assert again is not None and day_fits(friday, again)
    # a date on a ruled-out weekday, named on purpose, counts
    dated = refine_when("doe maar vrijdag 11 december", tuesday, NOW, SHOWN)
    assert dated is not None and day_fits(friday, dated)


def test_a_correction_in_the_same_message_is_the_wish() -> None:
    """ "zijn er ook tijden op woensdag? of nee, donderdag" got Wednesday (2026-12-04)."""
    refined = refine_when(
        "zijn er ook tijden op woensdag? of nee, donderdag", AFTER_FOUR, NOW, SHOWN
    )
    assert refined is not None and refined.weekdays == {3}
