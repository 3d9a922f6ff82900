"""Results of a survey, question by question, computed by SQL aggregation (GROUP BY in the database).

The responses counted are those that the filters keep (:mod:`app.results.filters`). The number of queries is
constant: one query per *kind* of figure for all the questions of the survey (answered counts, choice counts,
number statistics, medians, distributions, "other" texts, dates, approved texts), never one per response.

Medians: ``percentile_cont`` on PostgreSQL; on SQLite, which has no such function, the middle rows found with
``row_number()`` over the values sorted per question (one query as well). The code path is chosen by dialect.

Small counts: a group of fewer than ``min_count`` responses (the filtered responses, or the answers to one
question) has its figures hidden, so that nobody can be recognized in a small group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app import database
from app.extensions import db
from app.i18n import localized
from app.models import (
    Answer,
    ItemState,
    ModerationItem,
    Question,
    QuestionType,
    Response,
    Survey,
    Territory,
)
from app.models.surveys import TEXT_TYPES
from app.results.filters import ResultFilters, response_conditions
from app.results.formatting import fmt_number

DEFAULT_MIN_COUNT = 5
OTHER_TEXTS_LIMIT = 10
NUMERIC_BINS = 10
DEFAULT_SCALE = 5

CHOICE_KINDS = frozenset({QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE})
CATEGORY_TYPES = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING, QuestionType.MATRIX}
) | {QuestionType.TERRITORY}
NUMBER_TYPES = frozenset({QuestionType.RATING, QuestionType.NUMERIC, QuestionType.YES_NO})
MEDIAN_TYPES = frozenset({QuestionType.RATING, QuestionType.NUMERIC})
# Questions that can be crossed with one another.
CROSSTAB_TYPES = frozenset(
    {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE, QuestionType.YES_NO, QuestionType.TERRITORY}
)
SHOWN_TYPES = frozenset(QuestionType) - {QuestionType.NOTE, QuestionType.EMAIL}
OTHER_KEY = 0  # the category of "other, please specify" answers in a cross-tabulation


# --- results ----------------------------------------------------------------------------------------------


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
    question: Question
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

    @property
    def kind(self) -> str:
        return self.question.type.value

    @property
    def label(self) -> str:
        return localized(self.question, "label")


@dataclass
class SurveyResults:
    survey: Survey
    filters: ResultFilters
    total: int  # responses the figures are based on
    min_count: int
    questions: list[QuestionResult]

    @property
    def hidden(self) -> bool:
        return 0 < self.total < self.min_count


# --- helpers ----------------------------------------------------------------------------------------------


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _share(count: int, base: int) -> float | None:
    return count / base if base else None


def filtered_responses(survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> sa.Select:
    """SELECT of the ids of the responses the filters keep."""
    return sa.select(Response.id).where(*response_conditions(survey.id, filters, zone))


def _answers(columns: Sequence[Any], survey: Survey, filters: ResultFilters, zone: tzinfo) -> sa.Select:
    """SELECT ``columns`` FROM answers JOIN the filtered responses."""
    return (
        sa.select(*columns)
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .where(*response_conditions(survey.id, filters, zone))
    )


# The question types stored as several Answer rows per response.
SEVERAL_ROWS = frozenset({QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING, QuestionType.MATRIX})


# --- the queries ------------------------------------------------------------------------------------------


def count_responses(survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(*response_conditions(survey.id, filters, zone))
    )


def _answered(survey: Survey, filters: ResultFilters, zone: tzinfo) -> dict[int, int]:
    """Responses with an answer, per question. Most types store one row per answer: a plain count. Multiple
    choice, ranking and matrix store several: their (question, response) pairs are grouped first, which
    PostgreSQL hashes, where count(DISTINCT …) over every answer took 7 s on 2.5 million answers."""
    several = [q.id for q in survey.questions if q.type in SEVERAL_ROWS]
    single = _answers([Answer.question_id, sa.func.count()], survey, filters, zone)
    if several:
        single = single.where(Answer.question_id.not_in(several))
    answered = dict(db.session.execute(single.group_by(Answer.question_id)).all())
    if several:
        pairs = (
            _answers([Answer.question_id, Answer.response_id], survey, filters, zone)
            .where(Answer.question_id.in_(several))
            .group_by(Answer.question_id, Answer.response_id)
            .subquery("pairs")
        )
        query = sa.select(pairs.c.question_id, sa.func.count()).group_by(pairs.c.question_id)
        answered.update(db.session.execute(query).all())
    return answered


def _categories(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo) -> list[Any]:
    """Counts per (question, matrix row, choice, territory, other), with the average rank and first places."""
    query = _answers(
        [
            Answer.question_id,
            Answer.row_id,
            Answer.choice_id,
            Answer.territory_id,
            Answer.is_other,
            sa.func.count(),
            sa.func.avg(Answer.rank),
            sa.func.sum(sa.case((Answer.rank == 1, 1), else_=0)),
        ],
        survey,
        filters,
        zone,
    ).where(Answer.question_id.in_(ids))
    query = query.group_by(Answer.question_id, Answer.row_id, Answer.choice_id, Answer.territory_id, Answer.is_other)
    return db.session.execute(query).all()


def _number_stats(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo) -> dict[int, tuple]:
    query = (
        _answers(
            [
                Answer.question_id,
                sa.func.count(Answer.number_value),
                sa.func.avg(Answer.number_value),
                sa.func.min(Answer.number_value),
                sa.func.max(Answer.number_value),
            ],
            survey,
            filters,
            zone,
        )
        .where(Answer.question_id.in_(ids), Answer.number_value.is_not(None))
        .group_by(Answer.question_id)
    )
    return {row[0]: tuple(row[1:]) for row in db.session.execute(query)}


def _value_counts(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo) -> dict[int, dict]:
    """Counts per distinct number, for scales and yes/no questions."""
    query = (
        _answers([Answer.question_id, Answer.number_value, sa.func.count()], survey, filters, zone)
        .where(Answer.question_id.in_(ids), Answer.number_value.is_not(None))
        .group_by(Answer.question_id, Answer.number_value)
    )
    result: dict[int, dict] = defaultdict(dict)
    for question_id, value, count in db.session.execute(query):
        result[question_id][Decimal(value)] = count
    return result


def medians(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> dict[int, float]:
    """The median of the numbers answered to each question of ``ids`` (one query, by dialect)."""
    if not ids:
        return {}
    rows = _answers([Answer.question_id], survey, filters, zone).where(
        Answer.question_id.in_(ids), Answer.number_value.is_not(None)
    )
    return database.medians(Answer.number_value, rows, group=Answer.question_id)


def _bins(minimum: float, maximum: float, integers: bool) -> list[float]:
    """Lower edges of the bins of a histogram from ``minimum`` to ``maximum``."""
    if integers and maximum - minimum < NUMERIC_BINS:
        return [minimum + i for i in range(int(maximum - minimum) + 1)]
    if maximum == minimum:
        return [minimum]
    width = (maximum - minimum) / NUMERIC_BINS
    return [minimum + i * width for i in range(NUMERIC_BINS)]


def _histograms(
    edges: Mapping[int, list[float]], survey: Survey, filters: ResultFilters, zone: tzinfo
) -> dict[int, dict[int, int]]:
    """Counts per bin for numeric questions (bin = the highest edge not above the value), in one query."""
    if not edges:
        return {}
    whens = []
    for question_id, lows in edges.items():
        for index in range(len(lows) - 1, 0, -1):
            whens.append(
                (
                    sa.and_(Answer.question_id == question_id, Answer.number_value >= Decimal(str(lows[index]))),
                    index,
                )
            )
    bucket = sa.case(*whens, else_=0) if whens else sa.literal(0)
    query = (
        _answers([Answer.question_id, bucket.label("bucket"), sa.func.count()], survey, filters, zone)
        .where(Answer.question_id.in_(list(edges)), Answer.number_value.is_not(None))
        .group_by(Answer.question_id, sa.text("bucket"))
    )
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for question_id, index, count in db.session.execute(query):
        result[question_id][int(index)] = count
    return result


def _other_texts(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo) -> dict[int, list[str]]:
    """The latest "other, please specify" texts of each question (at most OTHER_TEXTS_LIMIT each, one query)."""
    if not ids:
        return {}
    numbered = (
        _answers(
            [
                Answer.question_id.label("question_id"),
                Answer.text_value.label("text"),
                sa.func.row_number().over(partition_by=Answer.question_id, order_by=Answer.id.desc()).label("position"),
            ],
            survey,
            filters,
            zone,
        )
        .where(Answer.question_id.in_(ids), Answer.is_other.is_(True))
        .subquery()
    )
    query = (
        sa.select(numbered.c.question_id, numbered.c.text)
        .where(numbered.c.position <= OTHER_TEXTS_LIMIT)
        .order_by(numbered.c.question_id, numbered.c.position)
    )
    result: dict[int, list[str]] = defaultdict(list)
    for question_id, text in db.session.execute(query):
        result[question_id].append(text or "")
    return result


def _month(column: Any) -> Any:
    if database.is_postgres():
        return sa.func.to_char(column, "YYYY-MM")
    return sa.func.strftime("%Y-%m", column)


def _dates(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo) -> tuple[dict, dict]:
    """Earliest and latest date per question, and counts per month."""
    bounds = {
        question_id: (low, high)
        for question_id, low, high in db.session.execute(
            _answers(
                [Answer.question_id, sa.func.min(Answer.date_value), sa.func.max(Answer.date_value)],
                survey,
                filters,
                zone,
            )
            .where(Answer.question_id.in_(ids), Answer.date_value.is_not(None))
            .group_by(Answer.question_id)
        )
    }
    month = _month(Answer.date_value).label("month")
    months: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for question_id, value, count in db.session.execute(
        _answers([Answer.question_id, month, sa.func.count()], survey, filters, zone)
        .where(Answer.question_id.in_(ids), Answer.date_value.is_not(None))
        .group_by(Answer.question_id, sa.text("month"))
        .order_by(Answer.question_id, sa.text("month"))
    ):
        months[question_id].append((value, count))
    return bounds, months


def _approved(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo) -> dict[int, int]:
    """Approved moderation items per open text question, from the filtered responses."""
    query = (
        sa.select(ModerationItem.question_id, sa.func.count())
        .where(
            ModerationItem.question_id.in_(ids),
            ModerationItem.state == ItemState.APPROVED,
            ModerationItem.response_id.in_(filtered_responses(survey, filters, zone)),
        )
        .group_by(ModerationItem.question_id)
    )
    return dict(db.session.execute(query).all())


def _month_label(value: Any) -> str:
    """ "2024-05" as "mai 2024" / "May 2024"."""
    try:
        year, month = (int(part) for part in str(value).split("-")[:2])
        return format_date(date(year, month, 1), "LLLL yyyy")
    except (TypeError, ValueError):
        return str(value)


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


# --- assembling -------------------------------------------------------------------------------------------


def survey_results(
    survey: Survey,
    filters: ResultFilters,
    territories: Mapping[int, Territory],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    zone: tzinfo = UTC,
) -> SurveyResults:
    """Every question's figures on the responses that ``filters`` keep (``territories``: id -> Territory, for
    territory questions)."""
    questions = [q for q in survey.ordered_questions() if q.type in SHOWN_TYPES]
    total = count_responses(survey, filters, zone)
    results = SurveyResults(survey, filters, total, min_count, [])
    if total == 0 or results.hidden:
        results.questions = [QuestionResult(q, 0, total, hidden=results.hidden) for q in questions]
        return results

    def ids(types: frozenset[QuestionType]) -> list[int]:
        return [q.id for q in questions if q.type in types]

    answered = _answered(survey, filters, zone)
    categories = _categories(ids(CATEGORY_TYPES), survey, filters, zone) if ids(CATEGORY_TYPES) else []
    stats = _number_stats(ids(NUMBER_TYPES), survey, filters, zone) if ids(NUMBER_TYPES) else {}
    counts = (
        _value_counts(ids(frozenset({QuestionType.RATING, QuestionType.YES_NO})), survey, filters, zone)
        if ids(frozenset({QuestionType.RATING, QuestionType.YES_NO}))
        else {}
    )
    middle = medians(ids(MEDIAN_TYPES), survey, filters, zone)
    edges: dict[int, list[float]] = {}
    single_values: set[int] = set()  # numeric questions whose bins are single whole numbers
    for question in questions:
        if question.type is QuestionType.NUMERIC and question.id in stats:
            low, high = _float(stats[question.id][2]), _float(stats[question.id][3])
            integers = not question.setting("decimal") and float(low).is_integer() and float(high).is_integer()
            edges[question.id] = _bins(low, high, integers)
            if integers and high - low < NUMERIC_BINS:
                single_values.add(question.id)
    histograms = _histograms(edges, survey, filters, zone)
    by_question: dict[int, list[Any]] = defaultdict(list)
    for row in categories:
        by_question[row[0]].append(row)
    with_other = [q for q in ids(CHOICE_KINDS) if any(r.is_other for r in by_question.get(q, []))]
    others = _other_texts(with_other, survey, filters, zone)
    date_ids = ids(frozenset({QuestionType.DATE}))
    bounds, months = _dates(date_ids, survey, filters, zone) if date_ids else ({}, {})
    text_ids = ids(TEXT_TYPES)
    approved = _approved(text_ids, survey, filters, zone) if text_ids else {}

    for question in questions:
        count = answered.get(question.id, 0)
        result = QuestionResult(question, count, total - count)
        results.questions.append(result)
        if 0 < count < min_count:
            result.hidden = True
            continue
        kind = question.type
        rows = by_question.get(question.id, [])
        if kind in CHOICE_KINDS:
            chosen = {r.choice_id: r[5] for r in rows if r.choice_id is not None}
            result.rows = [
                Row(localized(c, "label"), chosen.get(c.id, 0), _share(chosen.get(c.id, 0), count))
                for c in question.choices
            ]
            result.other_count = sum(r[5] for r in rows if r.is_other)
            if question.setting("other") or result.other_count:
                result.rows.append(Row(_("Other"), result.other_count, _share(result.other_count, count)))
            result.other_texts = others.get(question.id, [])
        elif kind is QuestionType.TERRITORY:
            chosen = {r.territory_id: r[5] for r in rows if r.territory_id is not None}
            listed = sorted(territories.values(), key=lambda t: t.name)
            result.rows = [Row(t.name, chosen.get(t.id, 0), _share(chosen.get(t.id, 0), count)) for t in listed]
        elif kind is QuestionType.RANKING:
            ranked = {r.choice_id: r for r in rows if r.choice_id is not None}
            for choice in question.choices:
                row = ranked.get(choice.id)
                firsts = int(row[7] or 0) if row else 0
                result.ranking.append(
                    RankRow(
                        localized(choice, "label"),
                        _float(row[6]) if row else None,
                        firsts,
                        row[5] if row else 0,
                        _share(firsts, count),
                    )
                )
            result.ranking.sort(key=lambda r: (r.average is None, r.average or 0))
        elif kind is QuestionType.MATRIX:
            for matrix_row in question.rows:
                cells = {r.choice_id: r[5] for r in rows if r.row_id == matrix_row.id and r.choice_id is not None}
                row_answered = sum(cells.values())
                result.matrix.append(
                    MatrixRow(
                        localized(matrix_row, "label"),
                        row_answered,
                        [
                            Row(localized(c, "label"), cells.get(c.id, 0), _share(cells.get(c.id, 0), row_answered))
                            for c in question.choices
                        ],
                        hidden=0 < row_answered < min_count,
                    )
                )
        elif kind in NUMBER_TYPES:
            number_count, mean, low, high = stats.get(question.id, (0, None, None, None))
            if kind is QuestionType.YES_NO:
                values = counts.get(question.id, {})
                yes, no = values.get(Decimal(1), 0), values.get(Decimal(0), 0)
                result.rows = [Row(_("Yes"), yes, _share(yes, count)), Row(_("No"), no, _share(no, count))]
                continue
            result.stats = NumberStats(number_count, _float(mean), middle.get(question.id), _float(low), _float(high))
            if kind is QuestionType.RATING:
                values = counts.get(question.id, {})
                scale = int(question.setting("scale") or DEFAULT_SCALE)
                points = sorted({*range(1, scale + 1), *(int(v) for v in values)})
                result.rows = [
                    Row(str(point), values.get(Decimal(point), 0), _share(values.get(Decimal(point), 0), count))
                    for point in points
                ]
            elif question.id in edges:
                lows = edges[question.id]
                bins = histograms.get(question.id, {})
                for index, edge in enumerate(lows):
                    if question.id in single_values or len(lows) == 1:
                        text = fmt_number(edge)
                    else:
                        upper = lows[index + 1] if index + 1 < len(lows) else _float(high)
                        text = _("%(low)s to %(high)s", low=fmt_number(edge), high=fmt_number(upper))
                    result.rows.append(Row(text, bins.get(index, 0), _share(bins.get(index, 0), count)))
        elif kind is QuestionType.DATE:
            low, high = bounds.get(question.id, (None, None))
            result.earliest, result.latest = _as_date(low), _as_date(high)
            result.rows = [Row(_month_label(month), n, _share(n, count)) for month, n in months.get(question.id, [])]
        elif kind in TEXT_TYPES:
            result.approved_texts = approved.get(question.id, 0)
    return results


# --- cross-tabulation -------------------------------------------------------------------------------------


@dataclass
class Category:
    key: Any
    label: str


@dataclass
class CrossTab:
    row_question: Question
    column_question: Question
    rows: list[Category]
    columns: list[Category]
    cells: dict[tuple[Any, Any], int]
    row_totals: dict[Any, int]
    column_totals: dict[Any, int]
    total: int  # respondents who answered both questions
    min_count: int

    @property
    def hidden(self) -> bool:
        return 0 < self.total < self.min_count

    def row_hidden(self, key: Any) -> bool:
        return self.hidden or 0 < self.row_totals.get(key, 0) < self.min_count

    def column_hidden(self, key: Any) -> bool:
        return self.hidden or 0 < self.column_totals.get(key, 0) < self.min_count

    def cell_hidden(self, row: Any, column: Any) -> bool:
        return self.row_hidden(row) or self.column_hidden(column)

    def count(self, row: Any, column: Any) -> int:
        return self.cells.get((row, column), 0)

    def row_percent(self, row: Any, column: Any) -> float | None:
        return _share(self.count(row, column), self.row_totals.get(row, 0))

    def column_percent(self, row: Any, column: Any) -> float | None:
        return _share(self.count(row, column), self.column_totals.get(column, 0))


def categories_of(question: Question, territories: Mapping[int, Territory]) -> list[Category]:
    if question.type is QuestionType.YES_NO:
        return [Category(1, _("Yes")), Category(0, _("No"))]
    if question.type is QuestionType.TERRITORY:
        return [Category(t.id, t.name) for t in sorted(territories.values(), key=lambda t: t.name)]
    categories = [Category(c.id, localized(c, "label")) for c in question.choices]
    if question.setting("other"):
        categories.append(Category(OTHER_KEY, _("Other")))
    return categories


def _category_column(question: Question, answer: Any) -> Any:
    if question.type is QuestionType.YES_NO:
        return sa.cast(answer.number_value, sa.Integer)
    if question.type is QuestionType.TERRITORY:
        return answer.territory_id
    return sa.func.coalesce(answer.choice_id, OTHER_KEY)


def crosstab(
    survey: Survey,
    filters: ResultFilters,
    row_question: Question,
    column_question: Question,
    territories: Mapping[int, Territory],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    zone: tzinfo = UTC,
) -> CrossTab:
    """Respondents per pair of answers to two categorical questions (a respondent counts once per pair, so a
    multiple choice question's rows or columns may add up to more than the total)."""
    first, second = aliased(Answer), aliased(Answer)
    row_key = _category_column(row_question, first).label("row_key")
    column_key = _category_column(column_question, second).label("column_key")
    pairs = (
        sa.select(Response.id.label("response_id"), row_key, column_key)
        .select_from(Response)
        .join(first, sa.and_(first.response_id == Response.id, first.question_id == row_question.id))
        .join(second, sa.and_(second.response_id == Response.id, second.question_id == column_question.id))
        .where(*response_conditions(survey.id, filters, zone))
        .subquery()
    )
    respondents = sa.func.count(sa.distinct(pairs.c.response_id))
    cells = {
        (r, c): n
        for r, c, n in db.session.execute(
            sa.select(pairs.c.row_key, pairs.c.column_key, respondents).group_by(pairs.c.row_key, pairs.c.column_key)
        )
    }
    row_totals = dict(db.session.execute(sa.select(pairs.c.row_key, respondents).group_by(pairs.c.row_key)).all())
    column_totals = dict(
        db.session.execute(sa.select(pairs.c.column_key, respondents).group_by(pairs.c.column_key)).all()
    )
    total = db.session.scalar(sa.select(respondents)) or 0
    return CrossTab(
        row_question,
        column_question,
        categories_of(row_question, territories),
        categories_of(column_question, territories),
        cells,
        row_totals,
        column_totals,
        total,
        min_count,
    )


def crosstab_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.ordered_questions() if q.type in CROSSTAB_TYPES]
