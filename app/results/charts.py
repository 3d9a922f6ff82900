"""Server-rendered, accessible SVG bar charts.

Each chart is an ``<svg role="img">`` labelled by its ``<title>`` (and described by a ``<desc>`` listing the
values), with horizontal bars whose value is written beside them. Bars have a black outline and a hatched
pattern, so the chart reads the same in black and white; it needs no JavaScript. Pages always show the same
numbers in a table next to the chart (screen-reader users and anyone printing in grey get them there too).
A long label is never cut: it wraps onto as many lines as it needs, and its bar's row grows to hold them.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 110
BAR_HEIGHT = 22
GAP = 10
TOP = 8
LABEL_CHARS = 34  # characters per line of a label
LINE_HEIGHT = 16
_ID = re.compile(r"[^A-Za-z0-9_-]")


@dataclass
class Bar:
    label: str
    value: float  # the bar's length, relative to the largest value (or to ``maximum``)
    text: str  # the value as written beside the bar, e.g. "12 (40 %)"


def _lines(label: str, limit: int = LABEL_CHARS) -> list[str]:
    """The label on lines of at most ``limit`` characters, every word kept (a longer word is broken)."""
    return textwrap.wrap(" ".join(str(label).split()), limit) or [""]


def _label(lines: list[str], middle: float) -> str:
    x = LABEL_WIDTH - 8
    if len(lines) == 1:
        return (
            f'<text x="{x}" y="{middle:.1f}" text-anchor="end" dominant-baseline="middle"'
            f' class="chart-label">{escape(lines[0])}</text>'
        )
    first = middle - (len(lines) - 1) * LINE_HEIGHT / 2
    spans = "".join(
        f'<tspan x="{x}" y="{first + n * LINE_HEIGHT:.1f}">{escape(line)}</tspan>' for n, line in enumerate(lines)
    )
    return f'<text text-anchor="end" dominant-baseline="middle" class="chart-label">{spans}</text>'


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], *, maximum: float | None = None) -> Markup:
    """A horizontal bar chart. ``chart_id`` must be unique on the page (it prefixes the ids inside the SVG)."""
    base = _ID.sub("-", chart_id)
    title_id, desc_id, pattern_id = f"{base}-title", f"{base}-desc", f"{base}-hatch"
    top = max([maximum or 0.0, *(max(bar.value, 0.0) for bar in bars)])
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    labels = [_lines(bar.label) for bar in bars]
    rows = [max(BAR_HEIGHT, len(lines) * LINE_HEIGHT) for lines in labels]
    height = TOP * 2 + (sum(rows) + GAP * (len(rows) - 1) if rows else BAR_HEIGHT)
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
    row_top = TOP
    for bar, lines, row in zip(bars, labels, rows, strict=True):
        y = row_top + (row - BAR_HEIGHT) / 2
        row_top += row + GAP
        middle = y + BAR_HEIGHT / 2
        length = area * max(bar.value, 0.0) / top if top else 0.0
        parts.append('<g class="bar">')
        parts.append(_label(lines, middle))
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
