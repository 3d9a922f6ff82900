"""From computed results to charts: the bars of each question (the templates show the same numbers in tables)."""

from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup

from app.results.aggregate import MatrixRow, QuestionResult, Row
from app.results.charts import Bar, bar_chart
from app.results.formatting import fmt_number, fmt_percent


def _count_text(row: Row) -> str:
    return f"{row.count} ({fmt_percent(row.percent)})" if row.percent is not None else str(row.count)


def rows_chart(chart_id: str, title: str, rows: list[Row]) -> Markup:
    return bar_chart(chart_id, title, [Bar(row.label, row.count, _count_text(row)) for row in rows])


def question_chart(result: QuestionResult, prefix: str = "chart") -> Markup | None:
    """The chart of one question, or None when it has none (texts, hidden figures, no answers)."""
    if result.hidden or not result.answered:
        return None
    chart_id = f"{prefix}-q{result.question.id}"
    if result.ranking:
        bars = [Bar(r.label, r.first, _("%(num)d first", num=r.first)) for r in result.ranking]
        return bar_chart(chart_id, _("%(question)s — first places", question=result.label), bars)
    if result.rows:
        return rows_chart(chart_id, result.label, result.rows)
    return None


def matrix_row_chart(result: QuestionResult, index: int, row: MatrixRow, prefix: str = "chart") -> Markup | None:
    if row.hidden or not row.answered:
        return None
    return rows_chart(f"{prefix}-q{result.question.id}-r{index}", f"{result.label} — {row.label}", row.cells)


def average_text(value: float | None) -> str:
    return fmt_number(value, 2)
