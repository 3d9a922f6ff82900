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
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import aliased

from app.core import database
from app.core.extensions import db
from app.models import Answer, ItemState, ModerationItem, Question, Response, Survey, Territory
from app.questions import question_type
from app.questions.choices import OTHER_KEY
from app.questions.summaries import Category, Figure, Figures, QuestionResult, ValueCount, fold, share
from app.results import summary
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
    scope: Scope | None = None  # the responses counted (a cross-tabulation of the same page reuses it)

    @property
    def hidden(self) -> bool:
        return 0 < self.total < self.min_count


# --- which responses --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The responses a page counts: those the filters keep. On PostgreSQL a filtered page reads their ids once
    (:func:`scope`) and every later statement takes them as an array: the planner then knows how few they are and
    reads their answers through the (response, question) index, instead of hashing all the answers of the
    survey against a subquery it cannot estimate."""

    survey: Survey
    filters: ResultFilters
    zone: tzinfo = UTC
    ids: tuple[int, ...] | None = None

    @cached_property
    def ids_text(self) -> str:
        """The ids as PostgreSQL's text of an array, made once: psycopg took 15 ms to send a list of 10,000 ints,
        for each statement."""
        return "{" + ",".join(map(str, self.ids or ())) + "}"

    def holds(self, column: Any) -> sa.ColumnElement[bool]:
        """``column`` (a response id) is one of the responses counted."""
        if self.ids is not None:
            return column == sa.any_(
                sa.cast(sa.bindparam("response_ids", self.ids_text, type_=sa.Text), ARRAY(sa.Integer))
            )
        return column.in_(filtered_responses(self.survey, self.filters, self.zone))

    def answers(self, columns: Sequence[Any]) -> sa.Select:
        """SELECT ``columns`` FROM the answers of the responses counted."""
        if self.ids is not None:
            return sa.select(*columns).select_from(Answer).where(self.holds(Answer.response_id))
        return (
            sa.select(*columns)
            .select_from(Answer)
            .join(Response, Response.id == Answer.response_id)
            .where(*response_conditions(self.survey.id, self.filters, self.zone))
        )

    def responses(self) -> sa.Select:
        """SELECT ``Response`` rows (id only) of the responses counted, for a join."""
        if self.ids is not None:
            return sa.select(Response.id).where(self.holds(Response.id))
        return filtered_responses(self.survey, self.filters, self.zone)


def scope(survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> tuple[Scope, int]:
    """The responses counted, and their number (one statement)."""
    if filters.is_filtered and database.is_postgres():
        ids = tuple(db.session.execute(filtered_responses(survey, filters, zone)).scalars())
        return Scope(survey, filters, zone, ids), len(ids)
    return Scope(survey, filters, zone), count_responses(survey, filters, zone)


def filtered_responses(survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> sa.Select:
    """SELECT of the ids of the responses the filters keep."""
    return sa.select(Response.id).where(*response_conditions(survey.id, filters, zone))


# --- the queries ------------------------------------------------------------------------------------------


def count_responses(survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Response).where(*response_conditions(survey.id, filters, zone))
    )


def analytic_settings() -> None:
    """For the statements of this transaction that read every answer (PostgreSQL): no JIT compilation (it cost
    0.4-1.7 s per statement on 2.5 million answers, more than it saved) and memory enough to hash the groups."""
    if database.is_postgres():
        settings = (sa.func.set_config("jit", "off", True), sa.func.set_config("work_mem", "64MB", True))
        db.session.execute(sa.select(*settings))


def answer_counts(
    survey: Survey, filters: ResultFilters, zone: tzinfo = UTC, *, within: Scope | None = None
) -> tuple[list[ValueCount], dict[int, int]]:
    """One pass over the answers of the filtered responses: the answers per combination of stored values (every
    figure of the page is folded from them, app/questions/summaries.py), and the respondents per question.

    Most types store one row per answer: their respondents are the sum of their counts. Multiple choice, ranking
    and matrix store several: their (question, response) pairs are grouped in a second pass, which PostgreSQL
    hashes, where count(DISTINCT …) over every answer took 7 s on 2.5 million answers."""
    within = within or Scope(survey, filters, zone)
    several = sorted({q.id for q in survey.questions if question_type(q).several_rows})
    if within.ids is not None:
        return _answer_counts_of_few(within, several)
    rows = [summary.value_count(row) for row in db.session.execute(summary.grouped(within.answers([]))).all()]
    answered = _single_answered(rows, several)
    if set(several) & {row.question_id for row in rows}:
        pairs = (
            within.answers([Answer.question_id, Answer.response_id])
            .where(Answer.question_id.in_(several))
            .group_by(Answer.question_id, Answer.response_id)
            .subquery("pairs")
        )
        query = sa.select(pairs.c.question_id, sa.func.count()).group_by(pairs.c.question_id)
        answered.update(db.session.execute(query).all())
    return rows, answered


def _single_answered(rows: list[ValueCount], several: list[int]) -> dict[int, int]:
    answered: dict[int, int] = {}
    for row in rows:
        if row.question_id not in several:
            answered[row.question_id] = answered.get(row.question_id, 0) + row.answers
    return answered


def _answer_counts_of_few(within: Scope, several: list[int]) -> tuple[list[ValueCount], dict[int, int]]:
    """:func:`answer_counts` for the ids of a filtered page, in one statement: their answers are read once (a CTE
    that PostgreSQL materializes, since both parts read it), then grouped by value and by (question, response).
    At 100,000 responses unfiltered, the same statement took 5.4 s where the two passes took 3.9 s together."""
    read = within.answers([*summary.GROUP_COLUMNS, Answer.rank, Answer.response_id]).cte("counted")
    grouped = [getattr(read.c, column.key) for column in summary.GROUP_COLUMNS]
    values = sa.select(
        sa.literal(0).label("part"),
        *grouped,
        sa.func.count().label("answers"),
        sa.func.count(read.c.rank).label("ranked"),
        sa.func.coalesce(sa.func.sum(read.c.rank), 0).label("rank_sum"),
        sa.func.count(sa.case((read.c.rank == 1, 1))).label("firsts"),
    ).group_by(*grouped)
    pairs = (
        sa.select(read.c.question_id, read.c.response_id)
        .where(read.c.question_id.in_(several or [-1]))
        .group_by(read.c.question_id, read.c.response_id)
        .subquery("pairs")
    )
    none = [sa.null()] * (len(grouped) - 1)
    respondents = sa.select(
        sa.literal(1), pairs.c.question_id, *none, sa.func.count(), sa.literal(0), sa.literal(0), sa.literal(0)
    ).group_by(pairs.c.question_id)
    rows, answered = [], {}
    for row in db.session.execute(sa.union_all(values, respondents)).all():
        if row.part == 0:
            rows.append(summary.value_count(row))
        else:
            answered[row.question_id] = row.answers
    answered.update(_single_answered(rows, several))
    return rows, answered


def medians(ids: list[int], survey: Survey, filters: ResultFilters, zone: tzinfo = UTC) -> dict[int, float]:
    """The median of the numbers answered to each question of ``ids`` (one query, by dialect)."""
    if not ids:
        return {}
    rows = (
        Scope(survey, filters, zone)
        .answers([Answer.question_id])
        .where(Answer.question_id.in_(ids), Answer.number_value.is_not(None))
    )
    return database.medians(Answer.number_value, rows, group=Answer.question_id)


def _other_texts(ids: list[int], within: Scope) -> dict[int, list[str]]:
    """The latest "other, please specify" texts of each question (at most OTHER_TEXTS_LIMIT each), in one
    statement: per question, its "other" answers newest first (a partial index holds them), as far as the
    first OTHER_TEXTS_LIMIT of responses counted."""
    if not ids:
        return {}
    latest = [
        within.answers([Answer.question_id, Answer.id, Answer.text_value])
        .where(Answer.question_id == question_id, Answer.is_other)  # as the partial index says it (not IS TRUE)
        .order_by(Answer.id.desc())
        .limit(OTHER_TEXTS_LIMIT)
        .subquery()
        for question_id in ids
    ]
    query = sa.union_all(*(sa.select(part) for part in latest)).subquery()
    result: dict[int, list[str]] = defaultdict(list)
    for question_id, _id, text in db.session.execute(sa.select(query).order_by(query.c.question_id, query.c.id.desc())):
        result[question_id].append(text or "")
    return result


def _approved(ids: list[int], within: Scope) -> dict[int, int]:
    """Approved moderation items per open text question, from the filtered responses."""
    query = (
        sa.select(ModerationItem.question_id, sa.func.count())
        .where(
            ModerationItem.question_id.in_(ids),
            ModerationItem.state == ItemState.APPROVED,
            within.holds(ModerationItem.response_id),
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
    analytic_settings()
    live = summary.fingerprint(survey.id) if not filters.is_filtered else None
    if live is not None:
        within, total = Scope(survey, filters, zone), live[0]
    else:
        within, total = scope(survey, filters, zone)
    results = SurveyResults(survey, filters, total, min_count, [], within)
    if total == 0 or results.hidden:
        results.questions = [
            QuestionResult(q, 0, total, hidden=results.hidden, qtype=question_type(q)) for q in questions
        ]
        return results

    def ids(figure: Figure) -> list[int]:
        return [q.id for q in questions if figure in question_type(q).figures]

    # The unfiltered figures come from the survey's summary when it counts the same responses (app/results/summary.py).
    counted = summary.read(survey, live) if live is not None else None
    rows, answered = counted if counted is not None else answer_counts(survey, filters, zone, within=within)
    figures = Figures(min_count, territories, fmt_number)
    fold(figures, questions, rows, question_type)
    with_other = [qid for qid in ids(Figure.OTHER_TEXTS) if any(r.is_other for r in figures.categories.get(qid, []))]
    figures.other_texts = _other_texts(with_other, within)
    if ids(Figure.APPROVED_TEXTS):
        figures.approved = _approved(ids(Figure.APPROVED_TEXTS), within)

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
    within: Scope | None = None,
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
        .where(*_counted(within or Scope(survey, filters, zone)))
        .cte("pairs")
    )
    # One statement: the cells, the row and column totals and the total, each counting respondents once.
    respondents = sa.func.count(sa.distinct(pairs.c.response_id))
    none = sa.null()
    parts = sa.union_all(
        sa.select(sa.literal(0).label("part"), pairs.c.row_key, pairs.c.column_key, respondents).group_by(
            pairs.c.row_key, pairs.c.column_key
        ),
        sa.select(sa.literal(1), pairs.c.row_key, none, respondents).group_by(pairs.c.row_key),
        sa.select(sa.literal(2), none, pairs.c.column_key, respondents).group_by(pairs.c.column_key),
        sa.select(sa.literal(3), none, none, respondents),
    )
    cells: dict[tuple[Any, Any], int] = {}
    row_totals: dict[Any, int] = {}
    column_totals: dict[Any, int] = {}
    total = 0
    for part, row, column, count in db.session.execute(parts):
        if part == 0:
            cells[(row, column)] = count
        elif part == 1:
            row_totals[row] = count
        elif part == 2:
            column_totals[column] = count
        else:
            total = count or 0
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


def _counted(within: Scope) -> list[sa.ColumnElement[bool]]:
    if within.ids is not None:
        return [within.holds(Response.id)]
    return response_conditions(within.survey.id, within.filters, within.zone)


def crosstab_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.ordered_questions() if question_type(q).crossable]
