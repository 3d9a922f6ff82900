"""What the results of a question are made of: the records a question type fills in (its ``summarize`` method) from
the figures of the shared SQL passes of app/results/aggregate.py.

The passes run once per survey for every question whose type asks for them (``figures``), so the number of queries
stays constant whatever the number of responses or questions (tests/integration/test_query_counts.py).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from app.web.i18n import localized


class Figure(enum.StrEnum):
    """The shared passes of app/results/aggregate.py; a type lists those it reads in ``figures``."""

    CATEGORIES = "categories"  # answers per (choice, matrix row, territory, "other"), average rank, first places
    NUMBER_STATS = "number_stats"  # count, mean, lowest and highest number
    VALUE_COUNTS = "value_counts"  # answers per distinct number (scales, yes/no)
    MEDIANS = "medians"
    HISTOGRAM = "histogram"  # answers per bin; the bins come from the type's histogram_edges()
    OTHER_TEXTS = "other_texts"  # the latest "other, please specify" texts
    DATES = "dates"  # earliest and latest date, answers per month
    APPROVED_TEXTS = "approved_texts"  # approved moderation items


@dataclass
class Row:
    """One line of a distribution: a choice, a scale point, a territory, a range of numbers, a month."""

    label: str
    count: int
    percent: float | None = None  # 0..1, of the question's base


@dataclass
class NumberStats:
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None


@dataclass
class RankRow:
    label: str
    average: float | None  # average rank, 1 = first
    first: int  # number of respondents who put it first
    ranked: int  # number of respondents who ranked it
    first_percent: float | None = None


@dataclass
class MatrixRow:
    label: str
    answered: int
    cells: list[Row]
    hidden: bool = False


@dataclass
class QuestionResult:
    question: Any
    answered: int
    skipped: int
    hidden: bool = False  # fewer answers than the minimum: figures not shown
    rows: list[Row] = field(default_factory=list)
    stats: NumberStats | None = None
    ranking: list[RankRow] = field(default_factory=list)
    matrix: list[MatrixRow] = field(default_factory=list)
    other_count: int = 0
    other_texts: list[str] = field(default_factory=list)
    approved_texts: int = 0
    earliest: date | None = None
    latest: date | None = None
    qtype: Any = None  # the question's type (app.questions.base.BaseQuestionType)

    @property
    def kind(self) -> str:
        return str(self.question.type)

    @property
    def label(self) -> str:
        return localized(self.question, "label")


@dataclass
class Category:
    """A row or column of a cross-tabulation."""

    key: Any
    label: str


def share(count: int, base: int) -> float | None:
    return count / base if base else None


def as_float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass
class Figures:
    """The figures of the shared passes, by question id (only for the questions whose type asked for them)."""

    min_count: int
    territories: Mapping[int, Any]  # id -> Territory
    format_number: Callable[[float | None], str]  # a number as people read it in the current locale
    categories: dict[int, list[Any]] = field(default_factory=dict)  # rows of the CATEGORIES pass
    stats: dict[int, tuple] = field(default_factory=dict)  # (count, mean, lowest, highest)
    counts: dict[int, dict[Decimal, int]] = field(default_factory=dict)
    medians: dict[int, float] = field(default_factory=dict)
    bins: dict[int, tuple[list[float], bool]] = field(default_factory=dict)  # lower edges, one value per bin
    histograms: dict[int, dict[int, int]] = field(default_factory=dict)  # bin index -> answers
    other_texts: dict[int, list[str]] = field(default_factory=dict)
    date_bounds: dict[int, tuple[Any, Any]] = field(default_factory=dict)
    months: dict[int, list[tuple[str, int]]] = field(default_factory=dict)
    approved: dict[int, int] = field(default_factory=dict)


# --- the figures, folded from answer counts ---------------------------------------------------------------------


@dataclass(frozen=True)
class ValueCount:
    """Answers with one combination of stored values (a row of the results' one pass over the answers, or of the
    survey's summary, app/models/results.py). ``ranked``/``rank_sum``/``firsts``: answers with a rank, the sum of
    their ranks, those ranked first."""

    question_id: int
    row_id: int | None
    choice_id: int | None
    territory_id: int | None
    is_other: bool
    number_value: Any
    date_value: date | None
    answers: int
    ranked: int = 0
    rank_sum: int = 0
    firsts: int = 0


@dataclass
class CategoryCount:
    """A row of ``Figures.categories``: answers per (matrix row, choice, territory, "other") of a question."""

    question_id: int
    row_id: int | None
    choice_id: int | None
    territory_id: int | None
    is_other: bool
    answers: int = 0
    ranked: int = 0
    rank_sum: int = 0
    firsts: int = 0

    @property
    def average_rank(self) -> float | None:
        return self.rank_sum / self.ranked if self.ranked else None


def median(values: list[tuple[Decimal, int]]) -> float | None:
    """The median of the numbers given as (value, how many), sorted by value (the mean of the two middle ones for
    an even count, as PostgreSQL's percentile_cont(0.5))."""
    total = sum(n for _v, n in values)
    if not total:
        return None
    wanted = [(total - 1) // 2, total // 2]  # 0-based positions of the middle value(s)
    found: list[float] = []
    seen = 0
    for value, n in values:
        while wanted and wanted[0] < seen + n:
            found.append(float(value))
            wanted.pop(0)
        seen += n
    return sum(found) / len(found)


def fold(figures: Figures, questions: list[Any], rows: list[ValueCount], qtype: Callable[[Any], Any]) -> None:
    """Fill ``figures`` from the answer counts ``rows``, for each question as its type (``qtype(question)``) asks:
    categories, number statistics and medians, counts per value, histograms, dates and months."""
    by_question: dict[int, list[ValueCount]] = {}
    for row in rows:
        by_question.setdefault(row.question_id, []).append(row)
    for question in questions:
        kind = qtype(question)
        wanted = kind.figures
        found = by_question.get(question.id, [])
        if not found:
            continue
        if Figure.CATEGORIES in wanted:
            categories: dict[tuple, CategoryCount] = {}
            for row in found:
                key = (row.row_id, row.choice_id, row.territory_id, bool(row.is_other))
                category = categories.get(key)
                if category is None:
                    category = categories[key] = CategoryCount(question.id, *key)
                category.answers += row.answers
                category.ranked += row.ranked
                category.rank_sum += row.rank_sum
                category.firsts += row.firsts
            figures.categories[question.id] = list(categories.values())
        numbers: dict[Decimal, int] = {}
        for row in found:
            if row.number_value is not None:
                value = Decimal(row.number_value)
                numbers[value] = numbers.get(value, 0) + row.answers
        values = sorted(numbers.items())
        if values and Figure.NUMBER_STATS in wanted:
            count = sum(n for _v, n in values)
            mean = sum(v * n for v, n in values) / count
            figures.stats[question.id] = (count, mean, values[0][0], values[-1][0])
        if values and Figure.VALUE_COUNTS in wanted:
            figures.counts[question.id] = dict(values)
        if values and Figure.MEDIANS in wanted:
            figures.medians[question.id] = median(values)
        if values and Figure.HISTOGRAM in wanted and question.id in figures.stats:
            lows, single = kind.histogram_edges(question, figures.stats[question.id])
            figures.bins[question.id] = (lows, single)
            edges = [Decimal(str(low)) for low in lows]
            histogram: dict[int, int] = {}
            for value, n in values:
                index = next((i for i in range(len(edges) - 1, 0, -1) if value >= edges[i]), 0)
                histogram[index] = histogram.get(index, 0) + n
            figures.histograms[question.id] = histogram
        if Figure.DATES in wanted:
            days: dict[date, int] = {}
            for row in found:
                if row.date_value is not None:
                    days[row.date_value] = days.get(row.date_value, 0) + row.answers
            if days:
                figures.date_bounds[question.id] = (min(days), max(days))
                months: dict[str, int] = {}
                for day, n in days.items():
                    month = f"{day.year:04d}-{day.month:02d}"
                    months[month] = months.get(month, 0) + n
                figures.months[question.id] = sorted(months.items())
