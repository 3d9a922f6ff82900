"""The per-survey summary of the unfiltered results (models: app/models/results.py).

Why: the unfiltered results page of a survey with 100,000 responses read every answer (2.5 million rows) on each
view. The summary holds what that page needs as answer counts per stored value (a few thousand rows), so the page
reads those instead.

- **Maintained on completion**: :func:`on_response_completed` (a receiver of ``response_completed``, in the
  respondent's transaction) adds the response's answers to its survey's summary, when the survey has one. It
  locks the summary's header row first, so completions and a rebuild of one survey take their turn.
- **Checked on every read**: the header holds the fingerprint of the complete responses it counts (their number
  and the sum of their ids); :func:`read` compares it with the live one (an index-only scan) in the same
  request. Whatever else changes the complete responses (a purge, an erasure, rows inserted by a command or a
  restore) makes them differ: the page then computes its figures from the answers, as a filtered page does, and
  :func:`rebuild` runs after the response. Deleting responses (app/retention.py, app/privacy_requests.py) also
  drops the summary at once (:func:`forget`): no count of a deleted response is kept.
- **Rebuilt without blocking respondents**: :func:`rebuild` reads the fingerprint, then the counts, and only then
  locks the header to write them; a completion that commits meanwhile leaves the fingerprints different for good
  (see its docstring), so a summary is never used with counts that do not match it.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import has_request_context
from sqlalchemy.dialects import postgresql, sqlite

from app.core import database
from app.core.deferred import after_response
from app.core.extensions import db
from app.models import Answer, Response, ResponseStatus, ResultCount, ResultSummary, Survey, utcnow
from app.questions.summaries import ValueCount

VALUES, ANSWERED = "values", "answered"
COUNT_FIELDS = (  # the columns of a ResultCount that make a ValueCount, in its order
    "question_id",
    "row_id",
    "choice_id",
    "territory_id",
    "is_other",
    "number_value",
    "date_value",
    "answers",
    "ranked",
    "rank_sum",
    "firsts",
)
_MICRO = Decimal("0.000001")


def fingerprint(survey_id: int) -> tuple[int, int]:
    """(number, sum of the ids) of the survey's complete responses, read now."""
    count, total = db.session.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Response.id), 0)).where(
            Response.survey_id == survey_id, Response.status == ResponseStatus.COMPLETE
        )
    ).one()
    return int(count), int(total)


def read(survey: Survey, live: tuple[int, int]) -> tuple[list[ValueCount], dict[int, int]] | None:
    """The answer counts and respondents per question of the survey's summary, or ``None`` when it has none or it
    does not count the complete responses of ``live`` (their fingerprint): a rebuild then runs after the
    response."""
    counts = ResultCount.__table__.c  # plain rows: ORM objects for a few thousand rows took 150 ms
    found = db.session.execute(
        sa.select(ResultSummary.responses, ResultSummary.id_sum, counts.kind, *(counts[n] for n in COUNT_FIELDS))
        .select_from(ResultSummary)
        .outerjoin(ResultCount, ResultCount.survey_id == ResultSummary.survey_id)
        .where(ResultSummary.survey_id == survey.id)
    ).all()
    if not found or (found[0].responses, found[0].id_sum) != live:
        if has_request_context():  # never in a command's transaction
            after_response(rebuild, survey.id)
        return None
    rows, answered = [], {}
    for row in found:
        if row.kind == ANSWERED:
            answered[row.question_id] = row.answers
        elif row.kind == VALUES:
            rows.append(ValueCount(*(row[3 + i] for i in range(len(COUNT_FIELDS)))))
    return rows, answered


def rebuild(survey_id: int) -> None:
    """Count the survey's complete responses again into its summary (work done after a results page).

    In this order, so that a summary is never used with counts that do not match its fingerprint: the fingerprint,
    then the counts (the long read, no lock held), then the header (its row lock makes completions of the survey
    wait), then the rows. A response completed between the first two is in the counts but not in the fingerprint;
    one completed after the counts, before the header, is in neither: either way the stored fingerprint differs
    from the live one from then on, and the summary is not used. A completion after the header waits for this
    transaction, then adds to its rows.
    """
    from app.results import aggregate
    from app.results.filters import ResultFilters

    survey = db.session.get(Survey, survey_id)
    if survey is None:
        return
    responses, id_sum = fingerprint(survey_id)
    aggregate.analytic_settings()
    rows, answered = aggregate.answer_counts(survey, ResultFilters())
    _write_header(survey_id, responses, id_sum)
    db.session.execute(sa.delete(ResultCount).where(ResultCount.survey_id == survey_id))
    values = _count_rows(survey_id, rows, answered)
    for start in range(0, len(values), 5000):
        db.session.execute(sa.insert(ResultCount), values[start : start + 5000])


def _write_header(survey_id: int, responses: int, id_sum: int) -> None:
    values = {"survey_id": survey_id, "responses": responses, "id_sum": id_sum, "built_at": utcnow()}
    insert = _insert(ResultSummary).values(**values)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[ResultSummary.survey_id],
            set_={"responses": responses, "id_sum": id_sum, "built_at": values["built_at"]},
        )
    )


def on_response_completed(_sender: Any = None, *, response: Response, **_extra: Any) -> None:
    """Receiver of :data:`app.signals.response_completed`: add the response to its survey's summary, if any."""
    added = db.session.execute(
        sa.update(ResultSummary)
        .where(ResultSummary.survey_id == response.survey_id)
        .values(responses=ResultSummary.responses + 1, id_sum=ResultSummary.id_sum + response.id)
    )
    if added.rowcount != 1:
        return
    rows = db.session.execute(grouped(sa.select().select_from(Answer).where(Answer.response_id == response.id))).all()
    counts = [value_count(row) for row in rows]
    answered = {}
    for row in counts:
        answered[row.question_id] = 1
    values = sorted(_count_rows(response.survey_id, counts, answered), key=lambda v: v["key"])
    if not values:
        return
    insert = _insert(ResultCount).values(values)
    added_columns = ("answers", "ranked", "rank_sum", "firsts")
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[ResultCount.survey_id, ResultCount.key],
            set_={name: getattr(ResultCount, name) + getattr(insert.excluded, name) for name in added_columns},
        )
    )


def forget(survey_ids: Iterable[int]) -> None:
    """Drop the summaries of these surveys (their responses are being deleted)."""
    ids = sorted(set(survey_ids))
    if ids:
        db.session.execute(sa.delete(ResultCount).where(ResultCount.survey_id.in_(ids)))
        db.session.execute(sa.delete(ResultSummary).where(ResultSummary.survey_id.in_(ids)))


# --- shared with app/results/aggregate.py ------------------------------------------------------------------------

GROUP_COLUMNS = (
    Answer.question_id,
    Answer.row_id,
    Answer.choice_id,
    Answer.territory_id,
    Answer.is_other,
    Answer.number_value,
    Answer.date_value,
)


def grouped(query: sa.Select) -> sa.Select:
    """``query`` (its FROM and WHERE) grouped by every stored value, with the answer counts."""
    return query.with_only_columns(
        *GROUP_COLUMNS,
        sa.func.count().label("answers"),
        sa.func.count(Answer.rank).label("ranked"),
        sa.func.coalesce(sa.func.sum(Answer.rank), 0).label("rank_sum"),
        sa.func.count(sa.case((Answer.rank == 1, 1))).label("firsts"),
    ).group_by(*GROUP_COLUMNS)


def value_count(row: Any) -> ValueCount:
    return ValueCount(
        row.question_id,
        row.row_id,
        row.choice_id,
        row.territory_id,
        bool(row.is_other),
        row.number_value,
        row.date_value,
        int(row.answers),
        int(row.ranked),
        int(row.rank_sum),
        int(row.firsts),
    )


def _key(row: ValueCount) -> str:
    number = "" if row.number_value is None else format(Decimal(row.number_value).quantize(_MICRO), "f")
    day = row.date_value.isoformat() if isinstance(row.date_value, date) else ""
    parts = (row.question_id, row.row_id, row.choice_id, row.territory_id, int(bool(row.is_other)), number, day)
    return "|".join("" if part is None else str(part) for part in parts)


def _count_rows(survey_id: int, rows: list[ValueCount], answered: dict[int, int]) -> list[dict[str, Any]]:
    values = [
        {
            "survey_id": survey_id,
            "key": _key(row),
            "kind": VALUES,
            "question_id": row.question_id,
            "row_id": row.row_id,
            "choice_id": row.choice_id,
            "territory_id": row.territory_id,
            "is_other": bool(row.is_other),
            "number_value": row.number_value,
            "date_value": row.date_value,
            "answers": row.answers,
            "ranked": row.ranked,
            "rank_sum": row.rank_sum,
            "firsts": row.firsts,
        }
        for row in rows
    ]
    values += [
        {
            "survey_id": survey_id,
            "key": f"{question_id}|answered",
            "kind": ANSWERED,
            "question_id": question_id,
            "row_id": None,
            "choice_id": None,
            "territory_id": None,
            "is_other": False,
            "number_value": None,
            "date_value": None,
            "answers": count,
            "ranked": 0,
            "rank_sum": 0,
            "firsts": 0,
        }
        for question_id, count in answered.items()
    ]
    return values


def _insert(model: type) -> Any:
    return (postgresql if database.is_postgres() else sqlite).insert(model)
