"""The dashboard's pages as plain data: tables of published figures (pure functions).

Each page is built from the counted weekly cells of the chosen municipalities and periods
(weeks, months or quarters); every number comes from :mod:`bot.trends.suppression`
(:func:`~bot.trends.suppression.period_cells` first turns weekly counts into the published
figures of the period kind), so the HTML page, its charts and its CSV export show exactly
the same (suppressed) figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.conversation.barriers import BARRIERS
from bot.ledger.catalog import REGIONS, WORKSHOP_THEMES
from bot.opportunities.catalog import TYPE_LABELS, TYPES
from bot.scan.questions import DIRECTIONS, STRENGTH_LABELS
from bot.scan.scoring import DIRECTION_LABELS
from bot.trends import events as ev
from bot.trends.periods import KIND_LABELS, KIND_WEEK
from bot.trends.periods import label as period_label
from bot.trends.suppression import (
    HIDDEN,
    BudgetBand,
    CellKey,
    Figure,
    figure_for,
    group_sums,
    period_cells,
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

#: The steps of the programme, in order: from a first conversation to a workshop or a
#: conversation with a coach.
FUNNEL_STEPS: tuple[str, ...] = (
    ev.CONVERSATION_STARTED,
    ev.SCAN_COMPLETED,
    ev.PREPARATION_SHEET_MADE,
    ev.VOUCHER_ISSUED,
    ev.WORKSHOP_ATTENDED,
    ev.COACH_CONVERSATION_HELD,
)
#: The last step: a workshop attended or a coach conversation held (the sum of both).
FUNNEL_LAST_STEP = "Workshop of coachgesprek gehad"
WORKSHOP_EVENTS: tuple[str, ...] = (ev.WORKSHOP_SIGNED_UP, ev.WORKSHOP_ATTENDED)
OPPORTUNITY_EVENTS: tuple[str, ...] = (ev.OPPORTUNITY_VIEWED, ev.OPPORTUNITY_SAVED)
WORKSHOP_RATE = "Bijgewoond per 100 inschrijvingen"
#: Province key (as in workshop categories) -> its official name.
REGION_LABELS: Mapping[str, str] = {ev.region_key(region): region for region in REGIONS}

#: The pages of the dashboard: slug -> Dutch title.
PAGES: Mapping[str, str] = {
    "overzicht": "Overzicht",
    "stappen": "Stappen in het programma",
    "aanbod": "Workshops en kansen",
    "richtingen": "Loopbaanrichtingen",
    "drempels": "Drempels en zorgen",
    "sterktes": "Sterke punten",
    "kwaliteit": "Kwaliteit van de bot",
}


#: Short names of the five workshop themes for tables and charts (the employee sees the
#: full titles of :data:`bot.ledger.catalog.WORKSHOP_THEMES`).
THEME_LABELS: Mapping[str, str] = {
    "talenten": "Talenten ontdekken",
    "gesprek": "Gesprek met je leidinggevende",
    "presenteren": "Jezelf presenteren",
    "financien": "Loopbaanstap en geld",
    "digitalisering": "Techniek en digitalisering",
}


def theme_label(key: str) -> str:
    return THEME_LABELS.get(key) or WORKSHOP_THEMES.get(key) or key.replace("_", " ").capitalize()


def region_label(key: str) -> str:
    return REGION_LABELS.get(key) or key.replace("_", " ").capitalize()


def split_workshop_category(category: str) -> tuple[str, str]:
    """``"talenten/limburg"`` -> (theme, region key); a malformed key keeps its whole self."""
    theme, _, region = category.partition("/")
    return theme, region or "onbekend"


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
    if event_type in WORKSHOP_EVENTS and "/" in category:
        theme, region = split_workshop_category(category)
        return f"{theme_label(theme)} – {region_label(region)}"
    if event_type in OPPORTUNITY_EVENTS and category in TYPE_LABELS:
        return TYPE_LABELS[category]
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
    """The cells a page may use: the role's municipalities and the chosen periods (weeks,
    months or quarters, see :mod:`bot.trends.periods`)."""

    municipalities: tuple[str, ...]
    periods: tuple[str, ...]
    kind: str = KIND_WEEK

    @property
    def weeks(self) -> tuple[str, ...]:
        """The periods (named for the weekly view this started as)."""
        return self.periods

    @property
    def period_header(self) -> str:
        return KIND_LABELS[self.kind]

    def contains(self, cell: CellKey) -> bool:
        return cell.municipality in self.municipalities and cell.week in self.periods


def _in(selection: Selection, cells: Mapping[CellKey, int]) -> dict[CellKey, int]:
    return {cell: count for cell, count in cells.items() if selection.contains(cell)}


def _by_period_and_type(
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
    sums = _by_period_and_type(cells, k, event_types)
    rows = []
    for period in selection.periods:
        rows.append(
            (
                period_label(selection.kind, period),
                tuple(figure_for(sums, (period, kind)) for kind in event_types),
            )
        )
    totals = tuple(total_of(row[1][index] for row in rows) for index in range(len(event_types)))
    return Table(
        slug=slug,
        caption=caption,
        row_header=selection.period_header,
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
    per = selection.period_header.lower()
    tables = [_weekly_table(f"per-{per}", f"Per {per}", chosen, k, selection, OVERVIEW_EVENTS)]
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
    per = selection.period_header.lower()
    weekly = _weekly_table(f"kwaliteit-per-{per}", f"Per {per}", chosen, k, selection, kinds)
    rate_rows = tuple(
        (week, (*figures, rate_per_hundred(_figure(figures[1]), _figure(figures[0])) or "–"))
        for week, figures in weekly.rows
    )
    total = weekly.total or (HIDDEN, HIDDEN, HIDDEN)
    overall = rate_per_hundred(total[1], total[0])  # type: ignore[arg-type]
    weekly = Table(
        slug=weekly.slug,
        caption=f"Niet begrepen berichten per {per}",
        row_header=selection.period_header,
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


def _step_figures(cells: Mapping[CellKey, int], k: int, key: Any) -> dict[Any, Figure]:
    wanted = set(FUNNEL_STEPS)
    return group_sums(cells, k, lambda cell: key(cell) if cell.event_type in wanted else None)


def _funnel_row(sums: Mapping[Any, Figure], group: Any) -> tuple[Figure, ...]:
    steps = tuple(figure_for(sums, (group, kind)) for kind in FUNNEL_STEPS)
    return (*steps, total_of(steps[-2:]))


def funnel_page(
    cells: Mapping[CellKey, int], k: int, selection: Selection, names: Mapping[str, str]
) -> Page:
    """From a first conversation to a workshop or a coach conversation, per municipality.

    Each step counts events of its own kind (not the same people followed through), so a
    later step can be larger than an earlier one; small groups stay out as everywhere.
    """
    chosen = _in(selection, cells)
    overall = _step_figures(chosen, k, lambda cell: (None, cell.event_type))
    figures = _funnel_row(overall, None)
    conversations = figures[0]
    labels = (*(ev.EVENT_LABELS[kind] for kind in FUNNEL_STEPS), FUNNEL_LAST_STEP)
    steps = Table(
        slug="stappen",
        caption="Van gesprek tot workshop of coachgesprek",
        row_header="Stap",
        columns=("Aantal", "Per 100 gesprekken"),
        rows=tuple(
            (name, (figure, rate_per_hundred(figure, conversations) or "–"))
            for name, figure in zip(labels, figures, strict=True)
        ),
        note=(
            "Elke stap telt hoe vaak die stap is gezet in deze periode. Het zijn niet "
            "dezelfde mensen die we volgen: een latere stap kan dus groter zijn."
        ),
    )
    tables = [steps]
    if len(selection.municipalities) > 1:
        sums = _step_figures(chosen, k, lambda cell: (cell.municipality, cell.event_type))
        rows = tuple(
            (municipality_label(code, names), _funnel_row(sums, code))
            for code in selection.municipalities
        )
        tables.append(
            Table(
                slug="stappen-per-gemeente",
                caption="Stappen per gemeente",
                row_header="Gemeente",
                columns=labels,
                rows=rows,
                total=tuple(total_of(row[1][i] for row in rows) for i in range(len(labels))),
                chart_column=None,
            )
        )
    return Page("stappen", PAGES["stappen"], tuple(tables))


def _two_kinds_table(
    slug: str,
    caption: str,
    row_header: str,
    cells: Mapping[CellKey, int],
    k: int,
    event_types: tuple[str, str],
    key: Any,
    known: Sequence[str],
    name: Any,
    rate_header: str,
    only_shown: bool = False,
    note: str = "",
) -> Table:
    """Rows of categories (grouped by ``key``) with one column per event type and a rate."""
    wanted = set(event_types)
    sums = group_sums(
        cells,
        k,
        lambda cell: (key(cell.category), cell.event_type) if cell.event_type in wanted else None,
    )
    groups = list(dict.fromkeys([*known, *sorted({group for group, _kind in sums})]))
    rows = []
    for group in groups:
        first, second = (figure_for(sums, (group, kind)) for kind in event_types)
        if only_shown and first.hidden and second.hidden:
            continue
        rows.append((name(group), (first, second, rate_per_hundred(second, first) or "–")))
    if only_shown:
        rows.sort(key=lambda row: (-_figure(row[1][0]).value, row[0]))
    first_total = total_of(_figure(row[1][0]) for row in rows)
    second_total = total_of(_figure(row[1][1]) for row in rows)
    return Table(
        slug=slug,
        caption=caption,
        row_header=row_header,
        columns=(
            *(ev.EVENT_LABELS[kind] for kind in event_types),
            rate_header,
        ),
        rows=tuple(rows),
        total=(first_total, second_total, rate_per_hundred(second_total, first_total) or "–"),
        note=note,
    )


def offer_page(cells: Mapping[CellKey, int], k: int, selection: Selection) -> Page:
    """Workshop uptake per theme and per region, and opportunities per type."""
    chosen = _in(selection, cells)
    themes = _two_kinds_table(
        "workshops-per-thema",
        "Workshops per thema",
        "Thema",
        chosen,
        k,
        (ev.WORKSHOP_SIGNED_UP, ev.WORKSHOP_ATTENDED),
        lambda category: split_workshop_category(category)[0],
        tuple(WORKSHOP_THEMES),
        theme_label,
        WORKSHOP_RATE,
    )
    regions = _two_kinds_table(
        "workshops-per-regio",
        "Workshops per regio (waar de workshop was)",
        "Regio",
        chosen,
        k,
        (ev.WORKSHOP_SIGNED_UP, ev.WORKSHOP_ATTENDED),
        lambda category: split_workshop_category(category)[1],
        tuple(REGION_LABELS),
        region_label,
        WORKSHOP_RATE,
    )
    combined = _two_kinds_table(
        "workshops-thema-regio",
        "Workshops per thema en regio",
        "Thema en regio",
        chosen,
        k,
        (ev.WORKSHOP_SIGNED_UP, ev.WORKSHOP_ATTENDED),
        lambda category: category,
        (),
        lambda category: category_label(ev.WORKSHOP_SIGNED_UP, category),
        WORKSHOP_RATE,
        only_shown=True,
        note="Alleen combinaties met een getal staan hier; de rest is kleiner dan k of leeg.",
    )
    opportunities = _two_kinds_table(
        "kansen",
        "Kansen in de regio per soort",
        "Soort kans",
        chosen,
        k,
        (ev.OPPORTUNITY_VIEWED, ev.OPPORTUNITY_SAVED),
        lambda category: category,
        TYPES,
        lambda key: TYPE_LABELS.get(key) or category_label(ev.OPPORTUNITY_VIEWED, key),
        "Bewaard per 100 keer bekeken",
        note=(
            "Bekeken: Koers liet de kans zien. Bewaard: iemand zette de kans op het "
            "voorbereidingsblad. Wie het was, weten we niet."
        ),
    )
    return Page("aanbod", PAGES["aanbod"], (themes, regions, combined, opportunities))


def build_page(
    slug: str,
    cells: Mapping[CellKey, int],
    k: int,
    selection: Selection,
    names: Mapping[str, str],
    budgets: Sequence[BudgetLine] = (),
) -> Page:
    """The page ``slug`` from weekly ``cells`` (all weeks of the selected periods)."""
    cells = period_cells(cells, k, selection.kind)
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
    if slug == "stappen":
        return funnel_page(cells, k, selection, names)
    if slug == "aanbod":
        return offer_page(cells, k, selection)
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
