"""k-anonymity rules: unit tests and hypothesis properties over every page and filter."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.trends import events as ev
from bot.trends.suppression import (
    MINIMUM_THRESHOLD,
    CellKey,
    Figure,
    budget_band,
    effective_threshold,
    group_sums,
    shown_cells,
)
from bot.trends.views import PAGES, Selection, build_page, csv_rows

MUNICIPALITIES = ("GM0001", "GM0002", "GM0003")
WEEKS = ("2026-W01", "2026-W02", "2026-W03", "2026-W04")
EVENT_CATEGORIES = {
    ev.CONVERSATION_STARTED: (ev.NO_CATEGORY,),
    ev.SCAN_COMPLETED: ("verdiepen", "verbreden", "buiten"),
    ev.SCAN_STRENGTH: ("contact", "digitaal"),
    ev.BARRIER_RAISED: ("tijd", "geld"),
    ev.WORRY_RAISED: ("reorganisatie",),
    ev.PREPARATION_SHEET_MADE: (ev.NO_CATEGORY,),
    ev.VOUCHER_ISSUED: (ev.NO_CATEGORY,),
    ev.VOUCHER_REDEEMED: (ev.NO_CATEGORY,),
    ev.COACH_BOOKED: (ev.NO_CATEGORY,),
    ev.FALLBACK: ("faq/evc", "request_coach"),
    ev.OUT_OF_SCOPE: (ev.NO_CATEGORY,),
}
ALL_KEYS = [
    CellKey(m, w, kind, category)
    for m in MUNICIPALITIES
    for w in WEEKS
    for kind, categories in EVENT_CATEGORIES.items()
    for category in categories
]

cells_strategy = st.dictionaries(
    st.sampled_from(ALL_KEYS), st.integers(min_value=0, max_value=14), max_size=60
)
thresholds = st.integers(min_value=-2, max_value=8)


def selections() -> list[Selection]:
    """Every filter a user can set here: any non-empty municipality subset, any week range."""
    found = []
    for size in range(1, len(MUNICIPALITIES) + 1):
        for municipalities in combinations(MUNICIPALITIES, size):
            for first in range(len(WEEKS)):
                for last in range(first, len(WEEKS)):
                    found.append(Selection(municipalities, WEEKS[first : last + 1]))
    return found


SELECTIONS = selections()


def publish_everything(cells: dict[CellKey, int], k: int) -> list[list[list[str]]]:
    """Everything a coordinator could ever see: every page under every filter (as CSV)."""
    return [
        csv_rows(build_page(slug, cells, k, selection, {}), k)
        for slug in PAGES
        for selection in SELECTIONS
    ]


def numbers(rows: list[list[str]]) -> list[int]:
    return [int(value) for row in rows for value in row if value.isdigit()]


def test_threshold_is_never_below_three() -> None:
    assert effective_threshold(None) == 5
    assert effective_threshold(1) == MINIMUM_THRESHOLD
    assert effective_threshold(0) == MINIMUM_THRESHOLD
    assert effective_threshold(7) == 7


def test_small_cells_show_as_less_than_k_and_stay_out_of_totals() -> None:
    cells = {
        CellKey("GM0001", "2026-W01", ev.CONVERSATION_STARTED, ev.NO_CATEGORY): 5,
        CellKey("GM0002", "2026-W01", ev.CONVERSATION_STARTED, ev.NO_CATEGORY): 2,
    }
    page = build_page("overzicht", cells, 5, Selection(("GM0001", "GM0002"), ("2026-W01",)), {})
    weekly, per_municipality = page.tables
    assert weekly.rows[0][1][0] == Figure(5)  # 5 + 2 would give the 2 away against GM0001
    assert per_municipality.rows[1][1][0].display(5) == "< 5"
    assert per_municipality.total[0] == Figure(5)


def test_zero_is_shown_like_a_small_number() -> None:
    page = build_page("richtingen", {}, 5, Selection(("GM0001",), WEEKS), {})
    assert all(values[0].display(5) == "< 5" for _label, values in page.tables[0].rows)


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, k=thresholds)
def test_every_shown_cell_holds_at_least_k(cells: dict[CellKey, int], k: int) -> None:
    threshold = effective_threshold(k)
    assert all(count >= threshold for count in shown_cells(cells, k).values())
    for rows in publish_everything(cells, k):
        assert all(value >= threshold for value in numbers(rows) if value > 0)


@settings(max_examples=40, deadline=None)
@given(
    cells=cells_strategy,
    k=thresholds,
    changes=st.dictionaries(
        st.sampled_from(ALL_KEYS), st.integers(min_value=0, max_value=20), max_size=30
    ),
)
def test_hidden_cells_influence_nothing_anywhere(
    cells: dict[CellKey, int], k: int, changes: dict[CellKey, int]
) -> None:
    """Change every hidden cell to any other value below k: no page, under no filter, moves.

    So no hidden cell can be recovered from totals, other cells, or by comparing two filter
    settings (period A vs A + 1 week, one municipality vs all): they are not in the output.
    """
    threshold = effective_threshold(k)
    altered = dict(cells)
    for key, value in changes.items():
        if altered.get(key, 0) < threshold:
            altered[key] = value % threshold  # stays hidden, any other small value
    assert publish_everything(altered, k) == publish_everything(cells, k)


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, k=thresholds)
def test_differencing_two_filters_reveals_no_small_group(cells: dict[CellKey, int], k: int) -> None:
    """For nested filters (a longer period, more municipalities) every figure grows by 0 or
    by at least k: the difference is itself made of shown cells only."""
    threshold = effective_threshold(k)
    pages = {
        selection: build_page("overzicht", cells, k, selection, {}) for selection in SELECTIONS
    }
    for small in SELECTIONS:
        for big in SELECTIONS:
            nested = set(small.municipalities) <= set(big.municipalities) and set(
                small.weeks
            ) <= set(big.weeks)
            if small == big or not nested:
                continue
            small_total = pages[small].tables[0].total
            big_total = pages[big].tables[0].total
            for before, after in zip(small_total, big_total, strict=True):
                difference = after.value - before.value
                assert difference == 0 or difference >= threshold


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, k=thresholds)
def test_totals_add_up_to_the_rows_shown(cells: dict[CellKey, int], k: int) -> None:
    for slug in ("overzicht", "richtingen", "drempels", "sterktes"):
        page = build_page(slug, cells, k, Selection(MUNICIPALITIES, WEEKS), {})
        for table in page.tables:
            if table.total is None:
                continue
            for index, total in enumerate(table.total):
                if not isinstance(total, Figure):
                    continue
                column = [values[index] for _label, values in table.rows]
                assert total.value == sum(figure.value for figure in column)


@given(cells=cells_strategy, k=thresholds)
def test_group_sums_only_use_shown_cells(cells: dict[CellKey, int], k: int) -> None:
    sums = group_sums(cells, k, lambda cell: cell.event_type)
    shown = shown_cells(cells, k)
    for kind, figure in sums.items():
        assert figure.value == sum(v for c, v in shown.items() if c.event_type == kind)


@given(
    budget_vouchers=st.integers(min_value=0, max_value=60),
    used=st.integers(min_value=0, max_value=60),
    k=thresholds,
)
def test_budget_band_hides_the_exact_voucher_count(budget_vouchers: int, used: int, k: int) -> None:
    value = 37_500
    used = min(used, budget_vouchers)
    threshold = effective_threshold(k)
    band = budget_band(budget_vouchers * value, used * value, value, k)
    left = (budget_vouchers - used) * value
    assert band.low_cents <= left <= band.high_cents
    # every voucher count in the same band of k gives the same answer
    start = (used // threshold) * threshold
    for other in range(start, min(start + threshold, budget_vouchers + 1)):
        assert budget_band(budget_vouchers * value, other * value, value, k) == band
