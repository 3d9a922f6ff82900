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
