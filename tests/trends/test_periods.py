"""Months and quarters on the dashboard: which week belongs where, how weeks roll up, and
why a month or quarter figure never gives a small week away (also by differencing)."""

from __future__ import annotations

import itertools
from collections import defaultdict
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.trends import events as ev
from bot.trends import periods as pe
from bot.trends.suppression import (
    CellKey,
    Figure,
    effective_threshold,
    fresh_group,
    month_blocks,
    period_cells,
    quarter_figure,
    remainder_is_safe,
)
from bot.trends.views import PAGES, Selection, build_page, csv_rows
from bot.trends.weeks import week_of

# --- Which period a week belongs to ---------------------------------------------------------


@pytest.mark.parametrize(
    ("week", "month", "quarter"),
    [
        ("2026-W53", "2026-12", "2026-K4"),  # Mon 28 Dec 2026 .. Sun 3 Jan 2027, Thu 31 Dec
        ("2027-W01", "2027-01", "2027-K1"),  # Mon 4 Jan 2027
        ("2025-W01", "2025-01", "2025-K1"),  # Mon 30 Dec 2024, Thu 2 Jan 2025
        ("2020-W53", "2020-12", "2020-K4"),  # Thu 31 Dec 2020
        ("2021-W01", "2021-01", "2021-K1"),
        ("2026-W14", "2026-04", "2026-K2"),  # Mon 30 Mar, Thu 2 Apr 2026
        ("2026-W13", "2026-03", "2026-K1"),  # Mon 23 Mar, Thu 26 Mar 2026
        ("2026-W40", "2026-10", "2026-K4"),  # Mon 28 Sep, Thu 1 Oct 2026
    ],
)
def test_a_week_belongs_to_the_month_and_quarter_of_its_thursday(
    week: str, month: str, quarter: str
) -> None:
    assert pe.month_of(week) == month
    assert pe.quarter_of(week) == quarter
    assert week in pe.weeks_in_month(month)
    assert week in pe.weeks_in_quarter(quarter)


def test_year_boundary_weeks() -> None:
    assert pe.weeks_in_month("2026-12")[-1] == "2026-W53"
    assert pe.weeks_in_month("2027-01")[0] == "2027-W01"
    assert pe.weeks_in_quarter("2026-K4") == tuple(f"2026-W{n:02d}" for n in range(40, 54))
    assert pe.weeks_in_quarter("2027-K1")[0] == "2027-W01"
    assert pe.weeks_in_month("2025-01")[0] == "2025-W01"  # though its Monday is in 2024
    assert pe.weeks_in_month("2024-12")[-1] == "2024-W52"


def test_every_week_is_in_exactly_one_month_and_quarter() -> None:
    """2019..2030: months partition the weeks, three months make a quarter, nothing straddles."""
    day, last = date(2019, 1, 7), date(2030, 12, 23)
    all_weeks = []
    while day <= last:
        all_weeks.append(week_of(day))
        day += timedelta(days=7)
    months = sorted({pe.month_of(week) for week in all_weeks})
    in_months = [week for month in months for week in pe.weeks_in_month(month)]
    assert sorted(in_months) == sorted(set(in_months))  # no week twice
    assert set(all_weeks) <= set(in_months)
    for month in months:
        assert 4 <= len(pe.weeks_in_month(month)) <= 5
        assert all(pe.month_of(week) == month for week in pe.weeks_in_month(month))
    for quarter in sorted({pe.quarter_of(week) for week in all_weeks}):
        weeks = pe.weeks_in_quarter(quarter)
        assert 12 <= len(weeks) <= 14
        assert weeks == tuple(sorted(weeks))
        assert {pe.quarter_of_month(month) for month in pe.months_of_quarter(quarter)} == {quarter}
        assert all(pe.quarter_of(week) == quarter for week in weeks)


def test_parsing_and_naming_periods() -> None:
    assert pe.parse_month(" 2026-3 ") == "2026-03"
    assert pe.parse_month("2026-13") is None and pe.parse_month("2018-05") is None
    assert pe.parse_month("maart") is None and pe.parse_month(None) is None
    assert pe.parse_quarter("2026-q3") == pe.parse_quarter("2026K3") == "2026-K3"
    assert pe.parse_quarter("2026-K5") is None and pe.parse_quarter("2026-K3'--") is None
    assert pe.label(pe.KIND_MONTH, "2026-03") == "maart 2026"
    assert pe.label(pe.KIND_QUARTER, "2026-K3") == "3e kwartaal 2026"
    assert pe.label(pe.KIND_WEEK, "2026-W07") == "2026-W07"
    assert pe.looks_like("2026-W07") == pe.KIND_WEEK
    assert pe.looks_like("2026-03") == pe.KIND_MONTH
    assert pe.looks_like("2026-K1") == pe.KIND_QUARTER
    assert pe.looks_like("gisteren") == pe.KIND_WEEK  # then refused as a bad week
    assert pe.periods_between(pe.KIND_MONTH, "2026-11", "2027-02") == (
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    )
    assert pe.periods_between(pe.KIND_QUARTER, "2026-K4", "2027-K1") == ("2026-K4", "2027-K1")
    assert pe.periods_between(pe.KIND_QUARTER, "2027-K1", "2026-K4") == ()


@pytest.mark.parametrize(
    ("now_week", "month", "quarter"),
    [
        ("2026-W49", "2026-11", "2026-K3"),
        ("2027-W01", "2026-12", "2026-K4"),  # the first week of 2027: 2026 is over
        ("2026-W53", "2026-11", "2026-K3"),  # 2026-W53 is still December, still K4
        ("2026-W40", "2026-09", "2026-K3"),  # the first week of K4
        ("2026-W39", "2026-08", "2026-K2"),  # the last week of K3: K3 is not over yet
    ],
)
def test_last_completed_period(now_week: str, month: str, quarter: str) -> None:
    assert pe.last_completed(pe.KIND_MONTH, now_week) == month
    assert pe.last_completed(pe.KIND_QUARTER, now_week) == quarter
    assert all(week < now_week for week in pe.weeks_in_quarter(quarter))
    assert now_week in pe.weeks_in_quarter(pe.running_period(pe.KIND_QUARTER, now_week))


# --- Roll-up --------------------------------------------------------------------------------

K = 5
QUARTER = "2026-K3"
MONTHS = pe.months_of_quarter(QUARTER)
WEEKS = pe.weeks_in_quarter(QUARTER)


def _cells(counts: dict[str, int], municipality: str = "GM0001") -> dict[CellKey, int]:
    return {
        CellKey(municipality, week, ev.CONVERSATION_STARTED, ev.NO_CATEGORY): count
        for week, count in counts.items()
    }


def _figure(cells: dict[CellKey, int], kind: str, period: str) -> int:
    return sum(count for cell, count in period_cells(cells, K, kind).items() if cell.week == period)


def test_big_weeks_roll_up_exactly() -> None:
    counts = {week: 5 + index for index, week in enumerate(WEEKS)}
    cells = _cells(counts)
    months = [_figure(cells, pe.KIND_MONTH, month) for month in MONTHS]
    for month, figure in zip(MONTHS, months, strict=True):
        assert figure == sum(counts[week] for week in pe.weeks_in_month(month))
    assert _figure(cells, pe.KIND_QUARTER, QUARTER) == sum(months) == sum(counts.values())


def test_small_weeks_add_up_in_a_month_and_a_quarter() -> None:
    """A pilot: 1 to 3 a week. Every week is "< 5"; months and the quarter show figures."""
    counts = {week: 1 + index % 3 for index, week in enumerate(WEEKS)}
    cells = _cells(counts)
    assert period_cells(cells, K, pe.KIND_WEEK) == {}
    for month in MONTHS:
        raw = sum(counts[week] for week in pe.weeks_in_month(month))
        assert _figure(cells, pe.KIND_MONTH, month) == raw  # 4 or 5 hidden weeks, 7 to 10
    assert _figure(cells, pe.KIND_QUARTER, QUARTER) == sum(counts.values())


def test_a_remainder_that_would_pin_its_weeks_stays_hidden() -> None:
    """Two hidden weeks of 4 with k = 5: publishing 8 would tell that both were 4."""
    weeks = pe.weeks_in_month(MONTHS[0])
    counts = {weeks[0]: 4, weeks[1]: 4, **{week: 9 for week in weeks[2:]}}
    blocks = month_blocks(counts, weeks, K)
    assert blocks.hidden_weeks == 2 and blocks.hidden_total == 8
    assert blocks.remainder == 0 and blocks.figure == 9 * (len(weeks) - 2)
    assert not remainder_is_safe(8, [fresh_group(2, K)], K)
    assert remainder_is_safe(8, [fresh_group(3, K)], K)  # 0 + 4 + 4 or 4 + 4 + 0: unknown
    assert not remainder_is_safe(4, [fresh_group(9, K)], K)  # below k is never shown


def test_month_and_quarter_cells_are_never_below_k() -> None:
    counts = {WEEKS[0]: 3, WEEKS[5]: 1, WEEKS[9]: 2}  # six in the quarter, spread thin
    cells = _cells(counts)
    assert all(figure == 0 for figure in (_figure(cells, pe.KIND_MONTH, month) for month in MONTHS))
    assert _figure(cells, pe.KIND_QUARTER, QUARTER) == 6
    page = build_page(
        "overzicht", cells, K, Selection(("GM0001",), (QUARTER,), pe.KIND_QUARTER), {}
    )
    assert page.tables[0].rows[0] == ("3e kwartaal 2026", page.tables[0].rows[0][1])
    assert page.tables[0].rows[0][1][0] == Figure(6)
    month_page = build_page(
        "overzicht", cells, K, Selection(("GM0001",), MONTHS, pe.KIND_MONTH), {}
    )
    assert [row[1][0].display(K) for row in month_page.tables[0].rows] == ["< 5"] * 3


# --- Nobody can learn about one small week, whatever they compare ---------------------------


def _exhaustive_views(sizes: tuple[int, ...], k: int, top: int) -> dict[tuple, list[tuple]]:
    """Every assignment of 0..top to the weeks of a small calendar, grouped by everything a
    coordinator sees: each week (or "hidden"), each month figure and the quarter figure."""
    threshold = effective_threshold(k)
    months, number = [], 0
    for size in sizes:
        months.append([f"w{number + index}" for index in range(size)])
        number += size
    weeks = [week for month in months for week in month]
    views: dict[tuple, list[tuple]] = defaultdict(list)
    for values in itertools.product(range(top + 1), repeat=len(weeks)):
        counts = dict(zip(weeks, values, strict=True))
        shown = tuple(value if value >= threshold else None for value in values)
        views[(shown, quarter_figure(counts, months, k))].append(values)
    return views


@pytest.mark.parametrize(
    ("sizes", "k", "top"),
    [
        ((2, 2, 1), 3, 4),
        ((3, 1, 1), 3, 3),
        ((2, 2, 2), 3, 3),
        ((3, 3), 3, 3),
        ((4, 1), 3, 3),
        ((3, 2), 5, 5),
    ],
)
def test_no_combination_of_views_narrows_a_hidden_week(
    sizes: tuple[int, ...], k: int, top: int
) -> None:
    """Brute force: for every possible set of weekly counts, every hidden week could still
    hold any value from 0 to k - 1 given all weeks, months and the quarter together."""
    threshold = effective_threshold(k)
    views = _exhaustive_views(sizes, k, top)
    published_remainders = 0
    for (shown, figures), assignments in views.items():
        if figures[-1] > sum(figures[:-1]) or any(
            figure > 0 for figure in figures[:-1]
        ):  # something beyond the shown weeks was published
            published_remainders += 1
        for index, value in enumerate(shown):
            if value is None:
                assert {values[index] for values in assignments} == set(range(threshold)), (
                    shown,
                    figures,
                    index,
                )
    assert published_remainders > 0  # the rule does publish: not a wall of "< k"


def test_the_brute_force_catches_a_naive_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    """Publishing every remainder of at least k does leak (so the check above can fail)."""
    from bot.trends import suppression

    monkeypatch.setattr(
        suppression,
        "remainder_is_safe",
        lambda total, groups, k: total >= effective_threshold(k),
    )
    suppression._withheld_month.cache_clear()
    try:
        views = _exhaustive_views((2, 2, 1), 3, 4)
        leaks = [
            (view, index)
            for view, assignments in views.items()
            for index, value in enumerate(view[0])
            if value is None and {values[index] for values in assignments} != {0, 1, 2}
        ]
        assert leaks
    finally:
        monkeypatch.undo()
        suppression._withheld_month.cache_clear()


MUNICIPALITIES = ("GM0001", "GM0002")
SERIES = (
    (ev.CONVERSATION_STARTED, ev.NO_CATEGORY),
    (ev.SCAN_COMPLETED, "verbreden"),
    (ev.WORKSHOP_ATTENDED, "talenten/limburg"),
    (ev.OPPORTUNITY_SAVED, "meeloopstage"),
)
ALL_KEYS = [
    CellKey(municipality, week, kind, category)
    for municipality in MUNICIPALITIES
    for week in WEEKS
    for kind, category in SERIES
]
cells_strategy = st.dictionaries(
    st.sampled_from(ALL_KEYS), st.integers(min_value=0, max_value=8), max_size=90
)


def _by_period(published: dict[CellKey, int]) -> dict[tuple[str, str, str, str], int]:
    return {(c.municipality, c.week, c.event_type, c.category): n for c, n in published.items()}


@settings(max_examples=60, deadline=None)
@given(cells=cells_strategy, k=st.integers(min_value=3, max_value=6))
def test_periods_differ_from_each_other_by_zero_or_at_least_k(
    cells: dict[CellKey, int], k: int
) -> None:
    """A quarter minus its months, a month minus its weeks, one municipality against all:
    every figure and every difference is 0 or at least k."""
    threshold = effective_threshold(k)
    weekly = _by_period(period_cells(cells, k, pe.KIND_WEEK))
    monthly = _by_period(period_cells(cells, k, pe.KIND_MONTH))
    quarterly = _by_period(period_cells(cells, k, pe.KIND_QUARTER))
    for figure in (*weekly.values(), *monthly.values(), *quarterly.values()):
        assert figure >= threshold
    for municipality in MUNICIPALITIES:
        for kind, category in SERIES:
            months = []
            for month in MONTHS:
                weeks = sum(
                    weekly.get((municipality, week, kind, category), 0)
                    for week in pe.weeks_in_month(month)
                )
                figure = monthly.get((municipality, month, kind, category), 0)
                assert figure - weeks == 0 or figure - weeks >= threshold
                months.append(figure)
            quarter = quarterly.get((municipality, QUARTER, kind, category), 0)
            assert quarter - sum(months) == 0 or quarter - sum(months) >= threshold
            raw = sum(
                count
                for cell, count in cells.items()
                if (cell.municipality, cell.event_type, cell.category)
                == (municipality, kind, category)
            )
            assert sum(months) <= quarter <= raw


def _numbers(rows: list[list[str]]) -> list[int]:
    return [int(value) for row in rows for value in row if value.isdigit()]


@settings(max_examples=25, deadline=None)
@given(cells=cells_strategy)
def test_every_page_in_months_and_quarters_shows_only_groups_of_k(
    cells: dict[CellKey, int],
) -> None:
    selections = [
        Selection(municipalities, periods, kind)
        for municipalities in (MUNICIPALITIES[:1], MUNICIPALITIES)
        for kind, periods in (
            (pe.KIND_MONTH, MONTHS),
            (pe.KIND_MONTH, MONTHS[1:2]),
            (pe.KIND_QUARTER, (QUARTER,)),
        )
    ]
    for slug in PAGES:
        for selection in selections:
            rows = csv_rows(build_page(slug, cells, K, selection, {}), K)
            assert all(value >= K for value in _numbers(rows) if value > 0), (slug, selection)


# --- The funnel -----------------------------------------------------------------------------


def test_funnel_per_municipality_follows_the_same_rules() -> None:
    """GM0001 has a big quarter, GM0002 a small one: its steps stay hidden and out of totals."""
    week = WEEKS[0]
    cells = {
        CellKey("GM0001", week, ev.CONVERSATION_STARTED, ev.NO_CATEGORY): 40,
        CellKey("GM0001", week, ev.SCAN_COMPLETED, "verbreden"): 12,
        CellKey("GM0001", week, ev.SCAN_COMPLETED, "verdiepen"): 8,
        CellKey("GM0001", week, ev.SCAN_COMPLETED, "buiten"): 2,  # hidden
        CellKey("GM0001", week, ev.PREPARATION_SHEET_MADE, ev.NO_CATEGORY): 9,
        CellKey("GM0001", week, ev.VOUCHER_ISSUED, ev.NO_CATEGORY): 6,
        CellKey("GM0001", week, ev.WORKSHOP_ATTENDED, "talenten/gelderland"): 5,
        CellKey("GM0001", week, ev.COACH_CONVERSATION_HELD, ev.NO_CATEGORY): 3,  # hidden
        CellKey("GM0002", week, ev.CONVERSATION_STARTED, ev.NO_CATEGORY): 4,
        CellKey("GM0002", week, ev.VOUCHER_ISSUED, ev.NO_CATEGORY): 1,
    }
    names = {"GM0001": "Gemeente Een", "GM0002": "Gemeente Twee"}
    page = build_page(
        "stappen", cells, K, Selection(MUNICIPALITIES, (QUARTER,), pe.KIND_QUARTER), names
    )
    steps, per_municipality = page.tables
    shown = {label: values[0].display(K) for label, values in steps.rows}
    assert shown == {
        "Gesprekken": "40",
        "Scans afgerond": "20",
        "Voorbereidingen gemaakt": "9",
        "Vouchers uitgegeven": "6",
        "Workshops bijgewoond": "5",
        "Coachgesprekken gehouden": "< 5",
        "Workshop of coachgesprek gehad": "5",
    }
    assert steps.rows[1][1][1] == "50,0"  # scans per 100 conversations
    one, two = per_municipality.rows
    assert one[0] == "Gemeente Een (GM0001)"
    assert [value.display(K) for value in two[1]] == ["< 5"] * 7
    assert [value.value for value in per_municipality.total] == [40, 20, 9, 6, 5, 0, 5]
    only_own = build_page(
        "stappen", cells, K, Selection(("GM0002",), (QUARTER,), pe.KIND_QUARTER), names
    )
    assert len(only_own.tables) == 1  # one municipality: no per-municipality table


def test_workshops_and_opportunities_per_theme_region_and_type() -> None:
    week = WEEKS[3]
    cells = {
        CellKey("GM0001", week, ev.WORKSHOP_SIGNED_UP, "talenten/gelderland"): 7,
        CellKey("GM0001", week, ev.WORKSHOP_SIGNED_UP, "talenten/limburg"): 5,
        CellKey("GM0001", week, ev.WORKSHOP_SIGNED_UP, "gesprek/gelderland"): 2,
        CellKey("GM0001", week, ev.WORKSHOP_ATTENDED, "talenten/gelderland"): 6,
        CellKey("GM0001", week, ev.OPPORTUNITY_VIEWED, "meeloopstage"): 20,
        CellKey("GM0001", week, ev.OPPORTUNITY_SAVED, "meeloopstage"): 5,
        CellKey("GM0001", week, ev.OPPORTUNITY_VIEWED, "vacature"): 3,
    }
    page = build_page("aanbod", cells, K, Selection(("GM0001",), MONTHS, pe.KIND_MONTH), {})
    themes, regions, combined, opportunities = page.tables
    by_theme = {
        label: [v if isinstance(v, str) else v.display(K) for v in values]
        for label, values in themes.rows
    }
    assert by_theme["Talenten ontdekken"] == ["12", "6", "50,0"]
    assert by_theme["Gesprek met je leidinggevende"][0] == "< 5"
    by_region = {label: values[0].display(K) for label, values in regions.rows}
    assert by_region["Gelderland"] == "7" and by_region["Limburg"] == "5"
    assert by_region["Fryslân"] == "< 5" and len(regions.rows) == 12
    assert [label for label, _values in combined.rows] == [
        "Talenten ontdekken – Gelderland",
        "Talenten ontdekken – Limburg",
    ]
    by_type = {label: values[:2] for label, values in opportunities.rows}
    assert [figure.display(K) for figure in by_type["Meeloopstage"]] == ["20", "5"]
    assert [figure.display(K) for figure in by_type["Vacature"]] == ["< 5", "< 5"]
    assert opportunities.total[0] == Figure(20)
