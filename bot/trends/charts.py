"""Server-side SVG bar charts (pure Python, no JavaScript), accessible by construction.

Each chart has ``role="img"`` with a ``<title>`` and a ``<desc>`` and sits beside a table with
the same figures. Hidden figures get no bar, only the text "< k", so a chart never shows more
than the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.trends.suppression import Figure

BAR_COLOUR = "#1d4f91"  # contrast 8.6:1 on white
TEXT_COLOUR = "#1a1a1a"
MUTED_COLOUR = "#595959"  # 7:1 on white
ROW_HEIGHT = 26
LABEL_WIDTH = 250
BAR_WIDTH = 360
VALUE_WIDTH = 60
MAX_LABEL_CHARS = 34


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[tuple[str, Figure]],
    k: int,
    description: str = "",
) -> str:
    """A horizontal bar chart as an inline SVG string (already escaped)."""
    safe_id = "".join(char for char in chart_id if char.isalnum() or char in "-_") or "chart"
    biggest = max((figure.value for _label, figure in rows), default=0) or 1
    height = ROW_HEIGHT * max(len(rows), 1) + 10
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    shown = sum(1 for _label, figure in rows if not figure.hidden)
    desc = description or (
        f"Staafdiagram met {len(rows)} rijen, waarvan {shown} met een getal. "
        f"De tabel ernaast geeft dezelfde getallen."
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" '
        f'viewBox="0 0 {width} {height}" aria-labelledby="{safe_id}-title {safe_id}-desc" '
        f'class="chart" focusable="false">',
        f'<title id="{safe_id}-title">{escape(title)}</title>',
        f'<desc id="{safe_id}-desc">{escape(desc)}</desc>',
    ]
    for index, (label, figure) in enumerate(rows):
        y = 5 + index * ROW_HEIGHT
        middle = y + ROW_HEIGHT / 2 + 5
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end" '
            f'font-size="13" fill="{TEXT_COLOUR}">{escape(_short(label))}</text>'
        )
        if figure.hidden:
            parts.append(
                f'<text x="{LABEL_WIDTH + 4}" y="{middle:.0f}" font-size="13" '
                f'fill="{MUTED_COLOUR}">{escape(figure.display(k))}</text>'
            )
            continue
        length = max(2.0, BAR_WIDTH * figure.value / biggest)
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{length:.1f}" '
            f'height="{ROW_HEIGHT - 8}" fill="{BAR_COLOUR}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.0f}" font-size="13" '
            f'fill="{TEXT_COLOUR}">{figure.value}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
