"""The dashboard's pages as plain data: tables of published figures (pure functions).

Each page is built from the counted cells of the chosen municipalities and weeks; every
number comes from :mod:`bot.trends.suppression`, so the HTML page, its charts and its CSV
export show exactly the same (suppressed) figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.conversation.barriers import BARRIERS
from bot.scan.questions import DIRECTIONS, STRENGTH_LABELS
from bot.scan.scoring import DIRECTION_LABELS
from bot.trends import events as ev
from bot.trends.suppression import (
    HIDDEN,
    BudgetBand,
    CellKey,
    Figure,
    figure_for,
    group_sums,
    rate_per_hundred,
    total_of,
)

OVERVIEW_EVENTS: tuple[str, ...] = (
    ev.CONVERSATION_STARTED,
    ev.SCAN_COMPLETED,
    ev.PREPARATION_SHEET_MADE,
    ev.VOUCHER_ISSUED,
    ev.VOUCHER_REDEEMED,
    ev.COACH_BOOKED,
    ev.COACH_CANCELLED,
)

BARRIER_LABELS: Mapping[str, str] = {
    "tijd": "Geen tijd",
    "leidinggevende": "Spannend om met leidinggevende te bespreken",
    "geld": "Kosten",
    "leeftijd": "Leeftijd",
    "onbekend_aanbod": "Weet niet wat er is",
    "motivatie": "Weet nog niet wat ik wil",
    "prive": "Privésituatie",
}
TOP_INTENTS = 10

#: The pages of the dashboard: slug -> Dutch title.
PAGES: Mapping[str, str] = {
    "overzicht": "Overzicht",
    "richtingen": "Loopbaanrichtingen",
    "drempels": "Drempels en zorgen",
    "sterktes": "Sterke punten",
    "kwaliteit": "Kwaliteit van de bot",
}


def category_label(event_type: str, category: str) -> str:
    """Dutch label of a category key (unknown keys are shown readably, never raw text)."""
    if category == ev.NO_CATEGORY:
        return "Zonder categorie"
    if event_type == ev.SCAN_COMPLETED and category in DIRECTION_LABELS:
        return DIRECTION_LABELS[category].split(":")[0]
    if event_type == ev.SCAN_STRENGTH and category in STRENGTH_LABELS:
        return STRENGTH_LABELS[category]
    if event_type == ev.BARRIER_RAISED and category in BARRIER_LABELS:
        return BARRIER_LABELS[category]
    return category.replace("_", " ").replace("/", ": ").capitalize()


@dataclass(frozen=True)
class Table:
    """One accessible table; ``chart`` says which column a bar chart shows."""

    slug: str
    caption: str
    row_header: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, tuple[Figure | str, ...]], ...]
    total: tuple[Figure | str, ...] | None = None
    chart_column: int | None = 0
    note: str = ""


@dataclass(frozen=True)
class Page:
    slug: str
    title: str
    tables: tuple[Table, ...]
    facts: tuple[tuple[str, str], ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Selection:
    """The cells a page may use: the role's municipalities and the chosen weeks."""

    municipalities: tuple[str, ...]
    weeks: tuple[str, ...]

    def contains(self, cell: CellKey) -> bool:
        return cell.municipality in self.municipalities and cell.week in self.weeks


def _in(selection: Selection, cells: Mapping[CellKey, int]) -> dict[CellKey, int]:
    return {cell: count for cell, count in cells.items() if selection.contains(cell)}


def _by_week_and_type(
    cells: Mapping[CellKey, int], k: int, event_types: Sequence[str]
) -> dict[tuple[str, str], Figure]:
    wanted = set(event_types)
    return group_sums(
        cells, k, lambda cell: (cell.week, cell.event_type) if cell.event_type in wanted else None
    )


def _figure(cell: Figure | str) -> Figure:
    """A weekly table's cell as a figure (they hold only figures; text counts as hidden)."""
    return cell if isinstance(cell, Figure) else HIDDEN


def _weekly_table(
    slug: str,
    caption: str,
    cells: Mapping[CellKey, int],
    k: int,
    selection: Selection,
    event_types: Sequence[str],
) -> Table:
    sums = _by_week_and_type(cells, k, event_types)
    rows = []
    for week in selection.weeks:
        rows.append((week, tuple(figure_for(sums, (week, kind)) for kind in event_types)))
    totals = tuple(total_of(row[1][index] for row in rows) for index in range(len(event_types)))
    return Table(
        slug=slug,
        caption=caption,
        row_header="Week",
        columns=tuple(ev.EVENT_LABELS[kind] for kind in event_types),
        rows=tuple(rows),
        total=totals,
    )


def _municipality_table(
    cells: Mapping[CellKey, int],
    k: int,
    selection: Selection,
    names: Mapping[str, str],
) -> Table:
    wanted = set(OVERVIEW_EVENTS)
    sums = group_sums(
        cells,
        k,
        lambda cell: (cell.municipality, cell.event_type) if cell.event_type in wanted else None,
    )
    rows = tuple(
        (
            municipality_label(code, names),
            tuple(figure_for(sums, (code, kind)) for kind in OVERVIEW_EVENTS),
        )
        for code in selection.municipalities
    )
    totals = tuple(total_of(row[1][i] for row in rows) for i in range(len(OVERVIEW_EVENTS)))
    return Table(
        slug="per-gemeente",
        caption="Per gemeente, over de hele periode",
        row_header="Gemeente",
        columns=tuple(ev.EVENT_LABELS[kind] for kind in OVERVIEW_EVENTS),
        rows=rows,
        total=totals,
    )


def municipality_label(code: str, names: Mapping[str, str]) -> str:
    if code == ev.UNKNOWN_MUNICIPALITY:
        return "Gemeente onbekend"
    name = names.get(code)
    return f"{name} ({code})" if name else code


@dataclass(frozen=True)
class BudgetLine:
    municipality: str
    band: BudgetBand


def euro(cents: int) -> str:
    whole = f"{cents // 100:,}".replace(",", ".")
    return f"€ {whole}"


def _budget_table(budgets: Sequence[BudgetLine], names: Mapping[str, str]) -> Table:
    rows = []
    for line in budgets:
        band = line.band
        left = (
            euro(band.low_cents)
            if band.low_cents == band.high_cents
            else f"{euro(band.low_cents)} – {euro(band.high_cents)}"
        )
        rows.append((municipality_label(line.municipality, names), (euro(band.total_cents), left)))
    return Table(
        slug="budget",
        caption="Voucherbudget van dit programmajaar",
        row_header="Gemeente",
        columns=("Budget", "Nog over"),
        rows=tuple(rows),
        chart_column=None,
        note=(
            "Wat er over is, staat er als bandbreedte. Zo kun je niet terugrekenen "
            "hoeveel vouchers er precies in een week zijn uitgegeven."
        ),
    )


def overview_page(
    cells: Mapping[CellKey, int],
    k: int,
    selection: Selection,
    names: Mapping[str, str],
    budgets: Sequence[BudgetLine] = (),
) -> Page:
    chosen = _in(selection, cells)
    tables = [_weekly_table("per-week", "Per week", chosen, k, selection, OVERVIEW_EVENTS)]
    if len(selection.municipalities) > 1:
        tables.append(_municipality_table(chosen, k, selection, names))
    if budgets:
        tables.append(_budget_table(budgets, names))
    return Page("overzicht", PAGES["overzicht"], tuple(tables))


def _category_table(
    slug: str,
    caption: str,
    cells: Mapping[CellKey, int],
    k: int,
    event_type: str,
    known: Sequence[str],
    limit: int | None = None,
) -> Table:
    sums = group_sums(
        cells, k, lambda cell: cell.category if cell.event_type == event_type else None
    )
    categories = list(dict.fromkeys([*known, *sorted(sums)]))
    ordered = sorted(
        categories, key=lambda key: (-figure_for(sums, key).value, category_label(event_type, key))
    )
    if limit is not None:
        ordered = [key for key in ordered if not figure_for(sums, key).hidden][:limit]
    rows = tuple((category_label(event_type, key), (figure_for(sums, key),)) for key in ordered)
    return Table(
        slug=slug,
        caption=caption,
        row_header="Categorie",
        columns=(ev.EVENT_LABELS[event_type],),
        rows=rows,
        total=(total_of(row[1][0] for row in rows if isinstance(row[1][0], Figure)),),
    )


def directions_page(cells: Mapping[CellKey, int], k: int, selection: Selection) -> Page:
    chosen = _in(selection, cells)
    table = _category_table(
        "richtingen", "Voorgestelde richting na de scan", chosen, k, ev.SCAN_COMPLETED, DIRECTIONS
    )
    return Page("richtingen", PAGES["richtingen"], (table,))


def strengths_page(cells: Mapping[CellKey, int], k: int, selection: Selection) -> Page:
    chosen = _in(selection, cells)
    table = _category_table(
        "sterktes",
        "Sterke punten in de top 3 van de scan",
        chosen,
        k,
        ev.SCAN_STRENGTH,
        tuple(STRENGTH_LABELS),
    )
    return Page("sterktes", PAGES["sterktes"], (table,))


def barriers_page(cells: Mapping[CellKey, int], k: int, selection: Selection) -> Page:
    chosen = _in(selection, cells)
    return Page(
        "drempels",
        PAGES["drempels"],
        (
            _category_table(
                "drempels", "Wat mensen tegenhoudt", chosen, k, ev.BARRIER_RAISED, BARRIERS
            ),
            _category_table("zorgen", "Zorgen over het werk", chosen, k, ev.WORRY_RAISED, ()),
        ),
    )


def quality_page(cells: Mapping[CellKey, int], k: int, selection: Selection) -> Page:
    chosen = _in(selection, cells)
    kinds = (ev.CONVERSATION_STARTED, ev.FALLBACK, ev.OUT_OF_SCOPE)
    weekly = _weekly_table("kwaliteit-per-week", "Per week", chosen, k, selection, kinds)
    rate_rows = tuple(
        (week, (*figures, rate_per_hundred(_figure(figures[1]), _figure(figures[0])) or "–"))
        for week, figures in weekly.rows
    )
    total = weekly.total or (HIDDEN, HIDDEN, HIDDEN)
    overall = rate_per_hundred(total[1], total[0])  # type: ignore[arg-type]
    weekly = Table(
        slug=weekly.slug,
        caption="Niet begrepen berichten per week",
        row_header="Week",
        columns=(*weekly.columns, "Niet begrepen per 100 gesprekken"),
        rows=rate_rows,
        total=(*total, overall or "–"),
        chart_column=1,
    )
    intents = _category_table(
        "intenties",
        f"Vragen die het vaakst niet begrepen werden (top {TOP_INTENTS})",
        chosen,
        k,
        ev.FALLBACK,
        (),
        limit=TOP_INTENTS,
    )
    intents = Table(
        slug=intents.slug,
        caption=intents.caption,
        row_header="Wat de bot dacht (intentie)",
        columns=intents.columns,
        rows=intents.rows,
        total=None,
        note="Alleen de naam van de intentie wordt geteld, nooit de tekst van een bericht.",
    )
    facts = (("Niet begrepen per 100 gesprekken", overall or "– (te weinig gegevens)"),)
    return Page("kwaliteit", PAGES["kwaliteit"], (weekly, intents), facts)


def build_page(
    slug: str,
    cells: Mapping[CellKey, int],
    k: int,
    selection: Selection,
    names: Mapping[str, str],
    budgets: Sequence[BudgetLine] = (),
) -> Page:
    if slug == "overzicht":
        return overview_page(cells, k, selection, names, budgets)
    if slug == "richtingen":
        return directions_page(cells, k, selection)
    if slug == "sterktes":
        return strengths_page(cells, k, selection)
    if slug == "drempels":
        return barriers_page(cells, k, selection)
    if slug == "kwaliteit":
        return quality_page(cells, k, selection)
    raise KeyError(slug)


def display(value: Figure | str, k: int) -> str:
    return value.display(k) if isinstance(value, Figure) else value


def csv_rows(page: Page, k: int) -> list[list[str]]:
    """The page as CSV rows (same suppressed figures as on screen), one block per table."""
    out: list[list[str]] = []
    for table in page.tables:
        out.append([table.caption])
        out.append([table.row_header, *table.columns])
        for label, values in table.rows:
            out.append([label, *(display(value, k) for value in values)])
        if table.total is not None:
            out.append(["Totaal", *(display(value, k) for value in table.total)])
        out.append([])
    return out
