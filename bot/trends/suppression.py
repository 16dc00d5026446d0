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

Months and quarters (:mod:`bot.trends.periods`). A pilot's weekly cells are mostly small,
so a month or quarter would show nothing if it only added up shown weeks. So per series
(one municipality, event type and category) the counts are split into **blocks**, one fixed
partition for all views: every shown week is a block; the hidden weeks of a month together
are a block (the *month remainder*) when it is publishable; the hidden weeks of a quarter
that are in no month block are a block (the *quarter remainder*) when it is publishable.
A week figure is its week block, a month figure the blocks inside the month, a quarter
figure all blocks inside the quarter; hidden remainders add nothing anywhere. So every
published number, and every difference between two published numbers (a quarter minus its
months, a month minus its weeks, all municipalities minus one), is a sum of blocks: 0 or at
least k, never one small week.

A remainder is publishable only when it holds at least k events *and* knowing it (with
everything else on the dashboard) still leaves every hidden week in it anywhere from 0 to
k - 1: two hidden weeks that add up to 8 with k = 5 would both have to be 4, so such a
remainder stays hidden (:func:`remainder_is_safe`). What an onlooker knows about months
whose remainder stayed hidden is taken into account for the quarter remainder.
tests/trends/test_periods.py checks this by trying every possible set of weekly counts
on small calendars: no published output narrows a hidden week below its full range.
Only completed months and quarters are shown (a remainder of a running period would change
every week and so give the new week away).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, TypeVar

from bot.trends.periods import (
    KIND_MONTH,
    KIND_QUARTER,
    KIND_WEEK,
    month_of,
    months_of_quarter,
    quarter_of,
    weeks_in_month,
)

DEFAULT_THRESHOLD = 5
MINIMUM_THRESHOLD = 3

G = TypeVar("G", bound=Hashable)


class CellKey(NamedTuple):
    """The finest grain that is ever counted (``week``); for a published month or quarter
    figure (:func:`period_cells`) ``week`` holds the period, e.g. ``2026-03`` or ``2026-K3``."""

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


# --- Months and quarters: blocks of hidden weeks --------------------------------------------


@dataclass(frozen=True)
class HiddenGroup:
    """Hidden weeks as an onlooker sees them: how many, and which totals they could hold
    given everything published (each hidden week holds 0 to k - 1)."""

    cells: int
    possible: frozenset[int]


def fresh_group(cells: int, k: int) -> HiddenGroup:
    """Hidden weeks about which nothing is known but "each is below k"."""
    high = effective_threshold(k) - 1
    return HiddenGroup(cells, frozenset(range(cells * high + 1)))


def _possible_sums(groups: Sequence[HiddenGroup]) -> set[int]:
    sums = {0}
    for group in groups:
        sums = {total + value for total in sums for value in group.possible}
    return sums


def remainder_is_safe(total: int, groups: Sequence[HiddenGroup], k: int) -> bool:
    """Whether publishing ``total``, the sum of the hidden weeks of ``groups``, is safe.

    Safe: at least k, and for every hidden week every value 0 .. k - 1 still agrees with the
    total and with what is known about each group, so nothing about one week is learnt.
    """
    threshold = effective_threshold(k)
    if total < threshold:
        return False
    high = threshold - 1
    for index, group in enumerate(groups):
        if group.cells == 0:
            continue
        others = _possible_sums([*groups[:index], *groups[index + 1 :]])
        for value in range(threshold):  # one hidden week of this group holds `value`
            if not any(
                0 <= own - value <= (group.cells - 1) * high and total - own in others
                for own in group.possible
            ):
                return False
    return True


@lru_cache(maxsize=256)
def _withheld_month(cells: int, k: int) -> HiddenGroup:
    """A month whose remainder was not published: the totals for which it would not be."""
    fresh = fresh_group(cells, k)
    return HiddenGroup(
        cells,
        frozenset(value for value in fresh.possible if not remainder_is_safe(value, [fresh], k)),
    )


@dataclass(frozen=True)
class MonthBlocks:
    shown_weeks: int  # the sum of this month's shown weeks
    remainder: int  # the month remainder when published, else 0
    hidden_weeks: int  # hidden weeks (also those holding 0)
    hidden_total: int  # what they hold together (never published unless ``remainder``)

    @property
    def figure(self) -> int:
        return self.shown_weeks + self.remainder


def month_blocks(counts: Mapping[str, int], weeks: Sequence[str], k: int) -> MonthBlocks:
    """The blocks of one series in one month; ``counts`` are week -> count."""
    threshold = effective_threshold(k)
    shown = [counts.get(week, 0) for week in weeks if counts.get(week, 0) >= threshold]
    hidden = [counts.get(week, 0) for week in weeks if counts.get(week, 0) < threshold]
    total = sum(hidden)
    safe = remainder_is_safe(total, [fresh_group(len(hidden), k)], k)
    return MonthBlocks(sum(shown), total if safe else 0, len(hidden), total)


def quarter_figure(
    counts: Mapping[str, int], months: Sequence[Sequence[str]], k: int
) -> tuple[int, ...]:
    """The published figures of one series in one quarter: one per month, then the quarter.

    The quarter adds its remainder: the hidden weeks of the months whose own remainder was
    withheld, published only when :func:`remainder_is_safe` with what those months give away.
    """
    blocks = [month_blocks(counts, weeks, k) for weeks in months]
    withheld = [block for block in blocks if block.remainder == 0 and block.hidden_weeks]
    total = sum(block.hidden_total for block in withheld)
    groups = [_withheld_month(block.hidden_weeks, k) for block in withheld]
    remainder = total if remainder_is_safe(total, groups, k) else 0
    figures = tuple(block.figure for block in blocks)
    return (*figures, sum(figures) + remainder)


def period_cells(cells: Mapping[CellKey, int], k: int, kind: str) -> dict[CellKey, int]:
    """The published figures per municipality, period, type and category (only non-zero).

    ``cells`` are weekly counts and must hold every week of the periods asked for (the
    store loads whole periods). For weeks this is :func:`shown_cells`.
    """
    if kind == KIND_WEEK:
        return shown_cells(cells, k)
    if kind not in (KIND_MONTH, KIND_QUARTER):
        raise ValueError(f"unknown period kind {kind!r}")
    series: dict[tuple[str, str, str, str], dict[str, int]] = {}
    for cell, count in cells.items():
        group = (cell.municipality, quarter_of(cell.week), cell.event_type, cell.category)
        series.setdefault(group, {})[cell.week] = count
    published: dict[CellKey, int] = {}
    for (municipality, quarter, event_type, category), counts in series.items():
        months = months_of_quarter(quarter)
        if kind == KIND_MONTH:
            present = {month_of(week) for week in counts}
            for month in months:
                if month in present:
                    figure = month_blocks(counts, weeks_in_month(month), k).figure
                    if figure:
                        published[CellKey(municipality, month, event_type, category)] = figure
            continue
        figure = quarter_figure(counts, [weeks_in_month(month) for month in months], k)[-1]
        if figure:
            published[CellKey(municipality, quarter, event_type, category)] = figure
    return published
