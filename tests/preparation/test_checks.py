"""Answer-shape checks: meeting dates, keyboard noise, requests typed into the form."""

from __future__ import annotations

from datetime import date

import pytest

from bot.preparation.checks import (
    IN_THE_PAST,
    NO_SUCH_DATE,
    NOT_A_DATE,
    OK,
    TOO_FAR,
    WRONG_WEEKDAY,
    check_meeting_date,
    format_day,
    is_noise,
    looks_like_request,
    parse_party,
    parse_private,
    prefill,
    sheet_days,
)

TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12 maart", date(2027, 3, 12)),
        ("op 15 december", date(2026, 12, 15)),
        ("volgende week dinsdag", date(2026, 12, 8)),
        ("dinsdag", date(2026, 12, 8)),
        ("aanstaande woensdag", date(2026, 12, 9)),
        ("morgen", date(2026, 12, 3)),
        ("over twee weken", date(2026, 12, 16)),
        ("3-4", date(2027, 4, 3)),
        ("15-12-2026", date(2026, 12, 15)),
        ("vandaag", TODAY),
        ("de 12e", date(2026, 12, 12)),
        ("zaterdag de 12de", date(2026, 12, 12)),
        ("de 1ste", date(2027, 1, 1)),
        ("donderdag 10 december", date(2026, 12, 10)),
    ],
)
def test_meeting_dates_are_read_in_dutch(text: str, expected: date) -> None:
    checked = check_meeting_date(text, TODAY)
    assert checked.status == OK and checked.day == expected


@pytest.mark.parametrize(
    ("text", "status"),
    [
        ("32 februari", NO_SUCH_DATE),
        ("31 april", NO_SUCH_DATE),
        ("29 februari", NO_SUCH_DATE),  # 2027 is no leap year
        ("30-02-2027", NO_SUCH_DATE),
        ("1 januari 2020", IN_THE_PAST),
        ("gisteren", IN_THE_PAST),
        ("12 maart 2029", TOO_FAR),
        ("ergens in het voorjaar", NOT_A_DATE),
        ("pannenkoek", NOT_A_DATE),
        ("", NOT_A_DATE),
    ],
)
def test_impossible_or_past_dates_are_refused(text: str, status: str) -> None:
    assert check_meeting_date(text, TODAY).status == status


@pytest.mark.parametrize("text", ["Donderdag de 12e", "donderdag 12 december", "do 12-12"])
def test_a_weekday_that_is_not_the_dates_weekday_is_asked_back(text: str) -> None:
    """12 December 2026 is a Saturday: neither day is taken (walkthrough of 2026-12-04)."""
    checked = check_meeting_date(text, TODAY)
    if text.startswith("do "):  # an abbreviated weekday is no weekday: the date alone counts
        assert checked.status == OK
        return
    assert checked.status == WRONG_WEEKDAY
    assert checked.day == date(2026, 12, 12) and checked.weekday == 3
    assert checked.nearby == (date(2026, 12, 10), date(2026, 12, 17))


@pytest.mark.parametrize("text", ["voor de 2e keer", "de 3e ronde", "het is mijn 1ste gesprek"])
def test_an_ordinal_that_is_no_day_is_not_a_date(text: str) -> None:
    assert check_meeting_date(text, TODAY).status == NOT_A_DATE


def test_dates_are_written_the_dutch_way() -> None:
    assert format_day(date(2026, 12, 8)) == "dinsdag 8 december 2026"


@pytest.mark.parametrize("text", ["asdfgh", "qwerty", "jjjjjj", "!!!", "123", "xkcd hjkl", ""])
def test_keyboard_noise_is_not_an_answer(text: str) -> None:
    assert is_noise(text)


@pytest.mark.parametrize(
    "text", ["plannen en luisteren", "ik ben goed in plannen", "Excel", "ok", "geduld, humor"]
)
def test_words_are_an_answer(text: str) -> None:
    assert not is_noise(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik wil eerst de talentscan doen",
        "wil doorgroeien. hoe pak ik dat aan?",
        "kan je me eerst een coach geven",
        "liever eerst een voucher aanvragen",
        "hoe vraag ik een cursus aan?",
    ],
)
def test_a_request_is_not_an_answer(text: str) -> None:
    assert looks_like_request(text)


@pytest.mark.parametrize(
    "text",
    [
        "ik wil graag een coach en meer verantwoordelijkheid",
        "ik wil afspreken dat ik een cursus mag volgen",
        "doorgroeien naar teamleider",
        "dat hij vraagt hoe het met mijn werk gaat",
    ],
)
def test_an_answer_is_not_a_request(text: str) -> None:
    assert not looks_like_request(text)


def test_the_first_message_fills_kind_date_and_party() -> None:
    found = prefill("ik heb volgende week dinsdag mijn jaargesprek met mijn leidinggevende", TODAY)
    assert found.kind == "jaargesprek"
    assert found.meeting.ok and found.meeting.day == date(2026, 12, 8)
    assert found.party == "leidinggevende"
    nothing = prefill("ik wil een gesprek voorbereiden", TODAY)
    assert nothing.kind is None and not nothing.meeting.ok and nothing.party is None


def test_the_party_is_named_as_said() -> None:
    assert parse_party("een gesprek met P&O over de reorganisatie") == "P&O-adviseur"
    assert parse_party("met hr") == "P&O-adviseur"
    assert parse_party("met mijn teamleider") == "leidinggevende"
    assert parse_party("met mijn coach") == "coach"
    assert parse_party("gewoon een gesprek") is None
    # a party ruled out is not the one (walkthrough 2026-12-04, conversation 6)
    assert parse_party("maar dan met P&O, niet met mijn leidinggevende") == "P&O-adviseur"
    assert parse_party("nee niet met mijn leidinggevende, met P&O. kan dat ook?") == "P&O-adviseur"
    assert parse_party("niet met mijn leidinggevende") is None


def test_the_private_choice() -> None:
    assert parse_private("Ja, zet ze erop") is True
    assert parse_private("Nee, alleen voor mij") is False
    assert parse_private("liever niet") is False
    assert parse_private("doe maar") is True
    assert parse_private("pannenkoek") is None


def test_the_sheet_lives_two_days_past_the_meeting_within_the_maximum() -> None:
    assert sheet_days(date(2026, 12, 8), TODAY, 7, 60) == 8
    assert sheet_days(TODAY, TODAY, 7, 60) == 2
    assert sheet_days(None, TODAY, 7, 60) == 7
    assert sheet_days(date(2027, 6, 1), TODAY, 7, 60) == 60
    assert sheet_days(None, TODAY, 7, 3) == 3


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ik wil even mijn gesprek kort voorbereiden", None),
        ("gewoon een gesprek los van alles", None),
        ("mijn R&O gesprek is morgen", "jaargesprek"),
        ("mijn functioneringsgesprek", "jaargesprek"),
        ("mijn pop-gesprek", "ontwikkelgesprek"),
        ("gesprek over de reorganisatie", "reorganisatie"),
        ("een gesprek tussendoor", "tussendoor"),
    ],
)
def test_only_a_clearly_named_kind_is_taken_from_the_first_message(
    text: str, kind: str | None
) -> None:
    assert prefill(text, TODAY).kind == kind
