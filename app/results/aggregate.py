"""Results of a survey, question by question, computed by SQL aggregation (GROUP BY in the database).

The responses counted are those that the filters keep (:mod:`app.results.filters`). The number of queries is
constant: one query per *kind* of figure (answered counts, choice counts, number statistics, medians, distributions,
"other" texts, dates, approved texts: :class:`app.questions.summaries.Figure`) for all the questions whose type asks
for it, never one per response or per question; each question's type then makes its result from those figures
(its ``summarize`` method, app/questions/base.py).

Medians: ``percentile_cont`` on PostgreSQL; on SQLite, which has no such function, the middle rows found with
``row_number()`` over the values sorted per question (one query as well). The code path is chosen by dialect.

Small counts: a group of fewer than ``min_count`` responses (the filtered responses, or the answers to one
question) has its figures hidden, so that nobody can be recognized in a small group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, tzinfo
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core import database
from app.core.extensions import db
from app.models import Answer, ItemState, ModerationItem, Question, Response, Survey, Territory
from app.questions import question_type
from app.questions.choices import OTHER_KEY
from app.questions.summaries import Category, Figure, Figures, QuestionResult, share
from app.results.filters import ResultFilters, response_conditions
from app.results.formatting import fmt_number

DEFAULT_MIN_COUNT = 5
OTHER_TEXTS_LIMIT = 10

__all__ = [
    "OTHER_KEY",
    "CrossTab",
    "SurveyResults",
    "count_responses",
    "crosstab",
    "crosstab_questions",
    "filtered_responses",
    "medians",
    "survey_results",
]


# --- results ----------------------------------------------------------------------------------------------


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


# --- the queries ------------------------------------------------------------------------------------------


def count_responses(survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(*response_conditions(survey.id, filters, zone))
    )


def _answered(survey: Survey, filters: ResultFilters, zone: tzinfo) -> dict[int, int]:
    """Responses with an answer, per question. Most types store one row per answer: a plain count. Multiple
    choice, ranking and matrix store several: their (question, response) pairs are grouped first, which
    PostgreSQL hashes, where count(DISTINCT …) over every answer took 7 s on 2.5 million answers."""
    several = [q.id for q in survey.questions if question_type(q).several_rows]
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
            sa.func.count().label("answers"),
            sa.func.avg(Answer.rank).label("average_rank"),
            sa.func.sum(sa.case((Answer.rank == 1, 1), else_=0)).label("firsts"),
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
    territory questions). Each pass runs once for the questions whose type asks for it; each type then makes its
    question's result from them."""
    questions = [q for q in survey.ordered_questions() if question_type(q).stores_answers]
    total = count_responses(survey, filters, zone)
    results = SurveyResults(survey, filters, total, min_count, [])
    if total == 0 or results.hidden:
        results.questions = [
            QuestionResult(q, 0, total, hidden=results.hidden, qtype=question_type(q)) for q in questions
        ]
        return results

    def ids(figure: Figure) -> list[int]:
        return [q.id for q in questions if figure in question_type(q).figures]

    answered = _answered(survey, filters, zone)
    figures = Figures(min_count, territories, fmt_number)
    if ids(Figure.CATEGORIES):
        for row in _categories(ids(Figure.CATEGORIES), survey, filters, zone):
            figures.categories.setdefault(row.question_id, []).append(row)
    if ids(Figure.NUMBER_STATS):
        figures.stats = _number_stats(ids(Figure.NUMBER_STATS), survey, filters, zone)
    if ids(Figure.VALUE_COUNTS):
        figures.counts = _value_counts(ids(Figure.VALUE_COUNTS), survey, filters, zone)
    figures.medians = medians(ids(Figure.MEDIANS), survey, filters, zone)
    for question in questions:
        if Figure.HISTOGRAM in question_type(question).figures and question.id in figures.stats:
            figures.bins[question.id] = question_type(question).histogram_edges(question, figures.stats[question.id])
    figures.histograms = _histograms(
        {qid: lows for qid, (lows, _single) in figures.bins.items()}, survey, filters, zone
    )
    with_other = [qid for qid in ids(Figure.OTHER_TEXTS) if any(r.is_other for r in figures.categories.get(qid, []))]
    figures.other_texts = _other_texts(with_other, survey, filters, zone)
    if ids(Figure.DATES):
        figures.date_bounds, figures.months = _dates(ids(Figure.DATES), survey, filters, zone)
    if ids(Figure.APPROVED_TEXTS):
        figures.approved = _approved(ids(Figure.APPROVED_TEXTS), survey, filters, zone)

    for question in questions:
        qtype = question_type(question)
        count = answered.get(question.id, 0)
        result = QuestionResult(question, count, total - count, qtype=qtype)
        results.questions.append(result)
        if 0 < count < min_count:
            result.hidden = True
            continue
        qtype.summarize(question, result, figures)
    return results


# --- cross-tabulation -------------------------------------------------------------------------------------


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
    # Rows, columns or a whole table of fewer than ``min_count`` respondents are masked (for anyone but the
    # facilitators, who read them with a warning: ``mask_small`` False). Ballot figures follow their own rule,
    # app/voting/disclosure.py.
    mask_small: bool = True

    @property
    def small(self) -> bool:
        return 0 < self.total < self.min_count

    def row_small(self, key: Any) -> bool:
        return 0 < self.row_totals.get(key, 0) < self.min_count

    def column_small(self, key: Any) -> bool:
        return 0 < self.column_totals.get(key, 0) < self.min_count

    @property
    def hidden(self) -> bool:
        return self.mask_small and self.small

    def row_hidden(self, key: Any) -> bool:
        return self.mask_small and (self.small or self.row_small(key))

    def column_hidden(self, key: Any) -> bool:
        return self.mask_small and (self.small or self.column_small(key))

    def cell_hidden(self, row: Any, column: Any) -> bool:
        return self.row_hidden(row) or self.column_hidden(column)

    def count(self, row: Any, column: Any) -> int:
        return self.cells.get((row, column), 0)

    def row_percent(self, row: Any, column: Any) -> float | None:
        return share(self.count(row, column), self.row_totals.get(row, 0))

    def column_percent(self, row: Any, column: Any) -> float | None:
        return share(self.count(row, column), self.column_totals.get(column, 0))


def crosstab(
    survey: Survey,
    filters: ResultFilters,
    row_question: Question,
    column_question: Question,
    territories: Mapping[int, Territory],
    *,
    min_count: int = DEFAULT_MIN_COUNT,
    zone: tzinfo = UTC,
    mask_small: bool = True,
) -> CrossTab:
    """Respondents per pair of answers to two categorical questions (a respondent counts once per pair, so a
    multiple choice question's rows or columns may add up to more than the total). ``mask_small``: see
    :class:`CrossTab`."""
    first, second = aliased(Answer), aliased(Answer)
    row_key = question_type(row_question).category_column(row_question, first).label("row_key")
    column_key = question_type(column_question).category_column(column_question, second).label("column_key")
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
        question_type(row_question).categories(row_question, territories),
        question_type(column_question).categories(column_question, territories),
        cells,
        row_totals,
        column_totals,
        total,
        min_count,
        mask_small,
    )


def crosstab_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.ordered_questions() if question_type(q).crossable]
