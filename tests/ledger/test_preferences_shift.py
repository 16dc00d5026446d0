"""A shift of the booked day in words: "kan het een dag later?" (walkthrough of 2026-12-04)."""

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
