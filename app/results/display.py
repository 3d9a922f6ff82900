"""From computed results to charts: each question's type says what its chart shows (app/questions/), this module
draws it (the templates show the same numbers in tables)."""

from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup

from app.questions.summaries import MatrixRow, QuestionResult, Row
from app.results.charts import Bar, bar_chart
from app.results.formatting import fmt_number, fmt_percent


def _count_text(row: Row) -> str:
    return f"{row.count} ({fmt_percent(row.percent)})" if row.percent is not None else str(row.count)


def rows_chart(chart_id: str, title: str, rows: list[Row]) -> Markup:
    return bar_chart(chart_id, title, [Bar(row.label, row.count, _count_text(row)) for row in rows])


class ChartDrawer:
    """What a question type draws its chart with (its ``chart`` method, app/questions/base.py)."""

    @staticmethod
    def rows(chart_id: str, title: str, rows: list[Row]) -> Markup:
        """A bar per row of a distribution, its count and percentage written beside it."""
        return rows_chart(chart_id, title, rows)

    @staticmethod
    def bars(chart_id: str, title: str, bars: Iterable[tuple[str, float, str]]) -> Markup:
        """A bar per (label, value, text written beside it)."""
        return bar_chart(chart_id, title, [Bar(label, value, text) for label, value, text in bars])


DRAW = ChartDrawer()


def question_chart(result: QuestionResult, prefix: str = "chart") -> Markup | None:
    """The chart of one question, or None when it has none (texts, hidden figures, no answers)."""
    if result.hidden or not result.answered:
        return None
    return result.qtype.chart(result, f"{prefix}-q{result.question.id}", DRAW)


def matrix_row_chart(result: QuestionResult, index: int, row: MatrixRow, prefix: str = "chart") -> Markup | None:
    return result.qtype.row_chart(result, index, row, f"{prefix}-q{result.question.id}-r{index}", DRAW)


def average_text(value: float | None) -> str:
    return fmt_number(value, 2)
