"""Server-rendered, accessible SVG bar charts.

Each chart is an ``<svg role="img">`` labelled by its ``<title>`` (and described by a ``<desc>`` listing the
values), with horizontal bars whose value is written beside them. Bars have a black outline and a hatched
pattern, so the chart reads the same in black and white; it needs no JavaScript. Pages always show the same
numbers in a table next to the chart (screen-reader users and anyone printing in grey get them there too).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 110
BAR_HEIGHT = 22
GAP = 10
TOP = 8
LABEL_CHARS = 34
_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class Bar:
    label: str
    value: float  # the bar's length, relative to the largest value (or to ``maximum``)
    text: str  # the value as written beside the bar, e.g. "12 (40 %)"


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, maximum: float | None = None) -> Markup:
    """A horizontal bar chart. ``chart_id`` must be unique on the page (it prefixes the ids inside the SVG)."""
    base = _ID.sub("-", chart_id)
    title_id, desc_id, pattern_id = f"{base}-title", f"{base}-desc", f"{base}-hatch"
    top = max([maximum or 0.0, *(max(bar.value, 0.0) for bar in bars)])
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP * 2 + max(len(bars), 1) * (BAR_HEIGHT + GAP) - GAP
    description = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {WIDTH} {height}"'
        f' width="100%" preserveAspectRatio="xMinYMin meet"'
        f' aria-labelledby="{title_id} {desc_id}" focusable="false">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        "<defs>"
        f'<pattern id="{pattern_id}" width="6" height="6" patternUnits="userSpaceOnUse"'
        ' patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#dfe7f3"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#1d4f91" stroke-width="3"/>'
        "</pattern></defs>",
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2
        length = area * max(bar.value, 0.0) / top if top else 0.0
        parts.append('<g class="bar">')
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" dominant-baseline="middle"'
            f' class="chart-label">{escape(_short(bar.label))}</text>'
        )
        # The axis line keeps an empty bar visible as "zero".
        parts.append(
            f'<line x1="{LABEL_WIDTH}" y1="{y}" x2="{LABEL_WIDTH}" y2="{y + BAR_HEIGHT}"'
            ' stroke="#000" stroke-width="1"/>'
        )
        if length > 0:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}"'
                f' fill="url(#{pattern_id})" stroke="#000" stroke-width="1.5"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" dominant-baseline="middle"'
            f' class="chart-value">{escape(bar.text)}</text>'
        )
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every piece of text above is escaped
