"""Horizontal bar charts for the dashboard: the geometry here, the SVG in a template.

Pure Python, no JavaScript; ``bot/web/templates/bar_chart.html`` draws a :class:`BarChart`
as an inline SVG with ``role="img"``, a ``<title>`` and a ``<desc>``, beside a table with the
same figures. Hidden figures get no bar, only the text "< k", so a chart never shows more
than the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.trends.suppression import Figure

BAR_COLOUR = "#1d4f91"  # contrast 8.6:1 on white
TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#595959"  # 7:1 on white
ROW_HEIGHT = 26
LABEL_WIDTH = 250
BAR_WIDTH = 360
VALUE_WIDTH = 60
MAX_LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    """One row: its label, and a bar with its value or (hidden) only the text "< k"."""

    label: str
    top: int  # y of the row
    baseline: int  # y of the row's text
    length: float | None  # None: a hidden figure, no bar
    text: str  # the value beside the bar, or "< k"


@dataclass(frozen=True)
class BarChart:
    chart_id: str
    title: str
    description: str
    width: int
    height: int
    bars: tuple[Bar, ...]
    label_width: int = LABEL_WIDTH
    row_height: int = ROW_HEIGHT
    bar_colour: str = BAR_COLOUR
    text_colour: str = TEXT_COLOUR
    muted_colour: str = MUTED_COLOUR


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Figure]],
    k: int,
    description: str = "",
) -> BarChart:
    """The chart of ``rows``; bars are scaled to the largest shown figure."""
    safe_id = "".join(char for char in chart_id if char.isalnum() or char in "-_") or "chart"
    biggest = max((figure.value for _label, figure in rows), default=0) or 1
    shown = sum(1 for _label, figure in rows if not figure.hidden)
    bars = []
    for index, (label, figure) in enumerate(rows):
        top = 5 + index * ROW_HEIGHT
        baseline = round(top + ROW_HEIGHT / 2 + 5)
        if figure.hidden:
            bars.append(Bar(_short(label), top, baseline, None, figure.display(k)))
        else:
            length = max(2.0, BAR_WIDTH * figure.value / biggest)
            bars.append(Bar(_short(label), top, baseline, length, str(figure.value)))
    return BarChart(
        chart_id=safe_id,
        title=title,
        description=description
        or (
            f"Staafdiagram met {len(rows)} rijen, waarvan {shown} met een getal. "
            f"De tabel ernaast geeft dezelfde getallen."
        ),
        width=LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH,
        height=ROW_HEIGHT * max(len(rows), 1) + 10,
        bars=tuple(bars),
    )
