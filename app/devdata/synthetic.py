"""Synthetic responses for any survey: the demo (``seed-demo --responses N``), the benchmarks and the tests.

Plausible rather than random (each question's type makes its answers: ``synthetic_value`` in app/questions/):
choices follow skewed weights, numbers stay inside their ranges, ratings lean to one side, free texts are French
(or English) sentences from a small bank, a share of responses is left in progress
(answering the first questions only), territories are spread unevenly, dates are spread over the consultation.
Display conditions are respected (answers to hidden questions are not stored), as the respondent side would.

Written with bulk inserts (Core ``insert()`` with lists of dicts, in chunks): no ORM object per row. Deterministic:
the same ``seed``, survey and starting count give the same rows.

Moderation items: completed responses' open texts and "other" texts become pending items, created in bulk too
(as :func:`app.moderation.items.items_from_response` would one by one). Their personal-information scan is done
once per distinct text (the bank is small), so the queue shows what the detector would flag.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    Answer,
    ItemSource,
    ItemState,
    ModerationItem,
    Question,
    Response,
    ResponseChannel,
    ResponseStatus,
    Survey,
    Territory,
)
from app.moderation import pii
from app.moderation.items import language_of, spans_as_json
from app.questions import question_type
from app.questions.base import StoreLookup
from app.questions.fields import OTHER_SUFFIX, other_code
from app.respond import engine
from app.respond.storage import EMPTY_ANSWER

CHUNK = 2_000  # responses per round of inserts


@dataclass(frozen=True)
class Generated:
    """What :func:`generate_responses` wrote."""

    responses: int
    complete: int
    answers: int
    moderation_items: int


def top_up(
    survey: Survey,
    target: int,
    *,
    seed: int = 0,
    start: datetime,
    end: datetime,
    territory_weights: Mapping[int, float] | None = None,
    moderation_items: bool = True,
) -> Generated:
    """Add synthetic responses until ``survey`` has ``target`` responses (none when it already has as many)."""
    existing = db.session.scalar(sa.select(sa.func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    return generate_responses(
        survey,
        max(0, target - existing),
        seed=seed,
        offset=existing,
        start=start,
        end=end,
        territory_weights=territory_weights,
        moderation_items=moderation_items,
    )


def generate_responses(
    survey: Survey,
    count: int,
    *,
    seed: int = 0,
    offset: int = 0,
    start: datetime,
    end: datetime,
    in_progress_share: float = 0.15,
    territory_weights: Mapping[int, float] | None = None,
    moderation_items: bool = True,
    chunk_size: int = CHUNK,
) -> Generated:
    """Insert ``count`` synthetic responses to ``survey`` started between ``start`` and ``end`` (aware datetimes).

    ``territory_weights`` maps territory ids to relative weights (default: every territory, uneven weights drawn
    from the seed). ``offset`` makes a top-up differ from the first batch while staying deterministic. Flushes
    through the session's connection; the caller commits.
    """
    if count <= 0:
        return Generated(0, 0, 0, 0)
    rng = random.Random(f"{seed}:{survey.id}:{offset}")  # noqa: S311 - synthetic data, not security
    plan = _Plan(survey, rng, territory_weights, start, end, in_progress_share)
    done = Generated(0, 0, 0, 0)
    for first in range(0, count, chunk_size):
        n = min(chunk_size, count - first)
        done = _sum(done, _write_chunk(plan, n, moderation_items))
    return done


def _sum(a: Generated, b: Generated) -> Generated:
    return Generated(*(x + y for x, y in zip(_fields(a), _fields(b), strict=True)))


def _fields(g: Generated) -> tuple[int, int, int, int]:
    return (g.responses, g.complete, g.answers, g.moderation_items)


# ------------------------------------------------------------------------------------------------------- plan


class _Plan:
    """Everything about the survey computed once: questions in order, choice ids, weights."""

    def __init__(
        self,
        survey: Survey,
        rng: random.Random,
        territory_weights: Mapping[int, float] | None,
        start: datetime,
        end: datetime,
        in_progress_share: float,
    ) -> None:
        if start.tzinfo is None or end.tzinfo is None or end <= start:
            raise ValueError("start and end must be aware datetimes, start before end")
        self.survey = survey
        self.rng = rng
        self.start, self.span = start, (end - start).total_seconds()
        self.in_progress_share = in_progress_share
        questions = [q for q in survey.ordered_questions() if question_type(q).stores_answers]
        self.page_of = {q.code: index for index, page in enumerate(survey.pages) for q in page.questions}
        self.options = {q.id: [(c.code, c.id) for c in q.choices] for q in questions}
        self.rows = {q.id: [(c.code, c.id) for c in q.rows] for q in questions}
        self.others = {q.id: other_code(q) for q in questions if q.setting("other")}
        self.questions = [_Question(q) for q in questions]  # plain attributes: no ORM access in the loops
        self.conditional = any(q.relevant for q in questions) or any(p.relevant for p in survey.pages)
        # Skewed preferences: each question has its favourite options.
        self.weights = {q.id: [rng.random() ** 2 + 0.05 for _ in self.options[q.id]] for q in self.questions}
        self.open_ids = {q.id for q in questions if question_type(q).moderated(q)}
        if territory_weights is None:
            ids = list(db.session.scalars(sa.select(Territory.id).order_by(Territory.id)))
            territory_weights = {tid: rng.random() ** 1.5 + 0.1 for tid in ids}
        self.territory_ids = list(territory_weights)
        self.territory_w = list(territory_weights.values())
        codes = dict(db.session.execute(sa.select(Territory.id, Territory.code)).all()) if self.territory_ids else {}
        self.territory_code = {tid: codes.get(tid) for tid in self.territory_ids}
        self.territory_by_code = {code: tid for tid, code in self.territory_code.items()}
        self.lookups = {  # what each question's type turns values into Answer columns with
            q.id: StoreLookup(
                options={c.code: c.id for c in q.choices},
                rows={c.code: c.id for c in q.rows},
                other=self.others.get(q.id),
                territory_ids=self.territory_by_code,
            )
            for q in questions
        }

    # ------------------------------------------------------------------------------------------------ values

    def values(self, english: bool) -> dict[str, Any]:
        """One respondent's answers, as engine values (codes), every question answered or skipped."""
        rng = self.rng
        values: dict[str, Any] = {}
        for q in self.questions:
            if not q.required and rng.random() < q.qtype.skip_share:
                continue
            value = q.qtype.synthetic_value(q, self, english, values)
            if value is not None:
                values[q.code] = value
        return values

    # ------------------------------------------------------------------------------------------------- rows

    def answer_rows(self, response_id: int, values: Mapping[str, Any]) -> list[dict[str, Any]]:
        rows = []
        for q in self.questions:
            value = values.get(q.code)
            if value is None:
                continue
            for fields in q.qtype.answer_rows(value, values.get(q.code + OTHER_SUFFIX), self.lookups[q.id]):
                rows.append({**EMPTY_ANSWER, "response_id": response_id, "question_id": q.id, **fields})
        return rows


class _Question:
    """The attributes of a question the generator reads, copied once from the ORM object."""

    __slots__ = ("code", "id", "qtype", "required", "settings", "type")

    def __init__(self, question: Question) -> None:
        self.id, self.code, self.type = question.id, question.code, question.type
        self.qtype = question_type(question)
        self.required, self.settings = question.required, dict(question.settings or {})

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.get(key, default)


# ------------------------------------------------------------------------------------------------------ write


def _write_chunk(plan: _Plan, n: int, moderation_items: bool) -> Generated:
    rng, survey = plan.rng, plan.survey
    responses, all_values = [], []
    for _ in range(n):
        english = rng.random() < 0.15
        values = plan.values(english)
        if plan.conditional:
            seen = engine.visibility(survey, values).questions
            values = {k: v for k, v in values.items() if k.split(OTHER_SUFFIX)[0] in seen}
        complete = rng.random() >= plan.in_progress_share
        current_page = len(survey.pages) - 1 if survey.pages else 0
        if not complete:  # stopped somewhere: only the questions before that point are answered
            stop = rng.randrange(len(plan.questions)) if plan.questions else 0
            kept = {q.code for q in plan.questions[:stop]}
            values = {k: v for k, v in values.items() if k.split(OTHER_SUFFIX)[0] in kept}
            current_page = plan.page_of.get(plan.questions[stop].code, 0) if plan.questions else 0
        # Responses come more often in the second half of the consultation (reminders, workshops).
        started = plan.start + timedelta(seconds=plan.span * rng.random() ** 0.7)
        minutes = min(90.0, rng.lognormvariate(2.1, 0.5))  # median about 8 minutes
        submitted = started + timedelta(minutes=minutes) if complete else None
        responses.append(
            {
                "survey_id": survey.id,
                "survey_version": survey.version,
                "status": ResponseStatus.COMPLETE if complete else ResponseStatus.IN_PROGRESS,
                "channel": ResponseChannel.PAPER if rng.random() < 0.04 else ResponseChannel.WEB,
                "locale": "en" if english else "fr_CA",
                "started_at": started,
                "submitted_at": submitted,
                "current_page": current_page,
                "resume_token_hash": None,
                "attributes": {},
                "invitation_id": None,
                "entered_by_id": None,
            }
        )
        all_values.append(values)
    table = Response.__table__
    ids = list(
        db.session.execute(sa.insert(table).returning(table.c.id, sort_by_parameter_order=True), responses).scalars()
    )
    answers = []
    for response_id, values in zip(ids, all_values, strict=True):
        answers.extend(plan.answer_rows(response_id, values))
    if answers:
        _insert_answers(answers)
    complete_ids = [rid for rid, r in zip(ids, responses, strict=True) if r["status"] is ResponseStatus.COMPLETE]
    items = _moderation_items(plan, responses, ids, complete_ids) if moderation_items and complete_ids else 0
    return Generated(n, len(complete_ids), len(answers), items)


ANSWER_COLUMNS = ("response_id", "question_id", *EMPTY_ANSWER)


def _insert_answers(answers: list[dict[str, Any]]) -> None:
    """Core ``insert()`` with the list of rows; on PostgreSQL, ``COPY`` through the same connection (the same
    transaction), several times faster for millions of rows."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(sa.insert(Answer.__table__), answers)
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY answers ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
        for row in answers:
            copy.write_row(tuple(row[column] for column in ANSWER_COLUMNS))


_SCANNED: dict[tuple[str, str], list[dict[str, Any]]] = {}


def _moderation_items(plan: _Plan, responses: Sequence[dict], ids: Sequence[int], complete_ids: Sequence[int]) -> int:
    """Pending moderation items for the open and "other" texts of the chunk's completed responses."""
    if not plan.open_ids and not plan.others:
        return 0
    by_id = dict(zip(ids, responses, strict=True))
    rows = db.session.execute(
        sa.select(Answer.id, Answer.response_id, Answer.question_id, Answer.text_value, Answer.is_other)
        .where(
            Answer.response_id.between(complete_ids[0], complete_ids[-1]),
            Answer.text_value.is_not(None),
            sa.or_(Answer.is_other.is_(True), Answer.question_id.in_(plan.open_ids)),
        )
        .order_by(Answer.id)
    ).all()
    complete = set(complete_ids)
    territory_of = dict(
        db.session.execute(
            sa.select(Answer.response_id, Answer.territory_id).where(
                Answer.response_id.between(complete_ids[0], complete_ids[-1]), Answer.territory_id.is_not(None)
            )
        ).all()
    )
    items = []
    for row in rows:
        if row.response_id not in complete or not (row.text_value or "").strip():
            continue
        response = by_id[row.response_id]
        language = language_of(response["locale"])
        key = (language, row.text_value)
        if key not in _SCANNED:
            _SCANNED[key] = spans_as_json(pii.detect_many([row.text_value], language)[0])
        spans = _SCANNED[key]
        items.append(
            {
                "process_id": plan.survey.process_id,
                "source": ItemSource.OTHER_ANSWER if row.is_other else ItemSource.ANSWER,
                "survey_id": plan.survey.id,
                "question_id": row.question_id,
                "response_id": row.response_id,
                "answer_id": row.id,
                "territory_id": territory_of.get(row.response_id),
                "language": language,
                "text": row.text_value,
                "pii_spans": spans,
                "flagged": bool(spans),
                "state": ItemState.PENDING,
                "version": 1,
                "created_at": response["submitted_at"] or datetime.now(UTC),
            }
        )
    if items:
        db.session.execute(sa.insert(ModerationItem.__table__), items)
    return len(items)
