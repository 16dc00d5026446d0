"""A shift of the booked day in words ("kan het een dag later?") and yes after "laat maar"."""

from __future__ import annotations

from datetime import date

import pytest

from bot.ledger.preferences import shifted_day

THURSDAY = date(2026, 12, 10)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("kan het een dag later?", date(2026, 12, 11)),
        ("liever twee dagen eerder", date(2026, 12, 8)),
        ("een week later", date(2026, 12, 17)),
        ("2 dagen later", date(2026, 12, 14)),  # Saturday: on to Monday
        ("kan het niet gewoon later op de dag", None),
    ],
)
def test_a_shift_of_the_booked_day(text: str, expected: date | None) -> None:
    assert shifted_day(text, THURSDAY) == expected


def test_laat_maar_then_yes_is_yes() -> None:
    """Walkthrough 2026-12-04b, Fatima T24: "laat maar. ja verzetten" kept the old date."""
    from bot.ledger.preferences import parse_yes_no

    assert parse_yes_no("laat maar. ja verzetten") is True
    assert parse_yes_no("laat maar") is False
    assert parse_yes_no("laat maar, nee toch niet") is False


def test_working_until_a_time_means_free_after_it() -> None:
    """Walkthrough 2026-12-04b, Ricardo: "ik werk tot half 5" was read as before 16:30."""
    from datetime import datetime, timezone

    from bot.ledger.when import read_when

    now = datetime(2026, 12, 4, 12, tzinfo=timezone.utc)
    words = read_when("en ik werk tot half 5. vrijdag avond dan?", now)
    assert (words.after_minutes, words.before_minutes) == (16 * 60 + 30, None)
    assert read_when("tot 4 uur", now).before_minutes == 16 * 60
