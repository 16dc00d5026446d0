"""k-anonymity for the dashboard: pure functions, property-tested in tests/trends/.

The rule, in plain words: the smallest unit is a *cell*: the number of events of one type
and category, in one municipality, in one ISO week. A cell is shown only when it holds at
least ``k`` events (primary suppression). Every other figure on the dashboard (a week over
all municipalities, a category over a period, a total, a rate, a CSV row) is the sum of
*shown* cells only. Hidden cells are never added to anything (secondary suppression).

Why this is safe against recovery from totals, other cells and differencing: every published
number is a sum of disjoint cells that each hold at least k events, so the published numbers
do not depend on the hidden cells at all. Changing any hidden cell to any other value below
k changes no number anywhere, under any filter (tests/trends/test_suppression.py checks this
with hypothesis). Comparing "period A" with "period A plus one week", or one municipality
with the total, can therefore only reveal a difference made of shown cells: 0 or at least k.

The price: totals can be lower than the real totals, because small groups never count. The
dashboard says so on every page. A count of 0 is treated like any small count.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

DEFAULT_THRESHOLD = 5
MINIMUM_THRESHOLD = 3

G = TypeVar("G", bound=Hashable)


class CellKey(NamedTuple):
    """The finest grain that is ever counted."""

    municipality: str
    week: str
    event_type: str
    category: str


def effective_threshold(requested: int | None) -> int:
    """The threshold in force: the configured one, never below :data:`MINIMUM_THRESHOLD`."""
    if requested is None:
        return DEFAULT_THRESHOLD
    return max(MINIMUM_THRESHOLD, int(requested))


def shown_cells(cells: Mapping[CellKey, int], k: int) -> dict[CellKey, int]:
    """Primary suppression: only cells with at least k events (0 counts as small)."""
    threshold = effective_threshold(k)
    return {key: count for key, count in cells.items() if count >= threshold}


@dataclass(frozen=True)
class Figure:
    """A published number: the sum of shown cells, or hidden when there are none."""

    value: int

    @property
    def hidden(self) -> bool:
        return self.value == 0

    def display(self, k: int) -> str:
        return f"< {effective_threshold(k)}" if self.hidden else str(self.value)

    def csv(self, k: int) -> str:
        return self.display(k)


HIDDEN = Figure(0)


def group_sums(
    cells: Mapping[CellKey, int],
    k: int,
    key: Callable[[CellKey], G | None],
) -> dict[G, Figure]:
    """Sums of shown cells per group; ``key`` returns None for cells outside the view.

    Groups with no shown cells are absent: callers fill them in as :data:`HIDDEN`.
    """
    totals: dict[G, int] = {}
    for cell, count in shown_cells(cells, k).items():
        group = key(cell)
        if group is None:
            continue
        totals[group] = totals.get(group, 0) + count
    return {group: Figure(value) for group, value in totals.items()}


def figure_for(sums: Mapping[G, Figure], group: G) -> Figure:
    return sums.get(group, HIDDEN)


def total_of(figures: Iterable[Figure]) -> Figure:
    """A total of published figures (hidden ones add nothing, as they hold nothing)."""
    return Figure(sum(figure.value for figure in figures))


def rate_per_hundred(part: Figure, whole: Figure) -> str | None:
    """part per 100 of whole, both built from shown cells; None when either is hidden."""
    if part.hidden or whole.hidden:
        return None
    return f"{100 * part.value / whole.value:.1f}".replace(".", ",")


@dataclass(frozen=True)
class BudgetBand:
    """What is left of a voucher budget, as a range that hides the exact voucher count."""

    low_cents: int
    high_cents: int
    total_cents: int


def budget_band(total_cents: int, committed_cents: int, value_cents: int, k: int) -> BudgetBand:
    """The remaining budget with the number of vouchers behind it rounded into a band of k.

    The exact remaining budget would give the exact number of vouchers issued, and with the
    weekly voucher figures a hidden week could be worked out. So the number of vouchers used
    is only known to lie in [n0, n0 + k - 1] with n0 a multiple of k.
    """
    threshold = effective_threshold(k)
    if value_cents <= 0:
        return BudgetBand(total_cents, total_cents, total_cents)
    used = max(0, committed_cents) // value_cents
    band_start = (used // threshold) * threshold
    capacity = total_cents // value_cents
    band_end = min(band_start + threshold - 1, capacity)
    high = max(0, total_cents - band_start * value_cents)
    low = max(0, total_cents - band_end * value_cents)
    return BudgetBand(low, high, total_cents)
