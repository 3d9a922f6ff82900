"""Storing responses: start, one page of answers, completion. Everything flushes, nothing commits: the view
commits once per page (one transaction), or rolls back when one of the errors below is raised.

Idempotency: every submitted form carries a key (:mod:`app.respond.tokens`) recorded as a ``SubmissionKey`` in the
same transaction as what it stored. The key is inserted first, so that a duplicate, concurrent or later, fails on
the primary key (``IntegrityError``: the caller rolls back and treats the request as a replay); a view that must
know before validating finds it with :func:`find_submission`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.extensions import db
from app.core.signals import response_completed
from app.models import (
    Anonymity,
    Answer,
    Invitation,
    Question,
    Response,
    ResponseChannel,
    ResponseStatus,
    SubmissionKey,
    Survey,
    Territory,
    User,
)
from app.questions import question_type
from app.questions.base import ReadLookup, StoreLookup
from app.questions.fields import OTHER_SUFFIX, other_code
from app.respond import engine
from app.respond.paper_source import PaperSource
from app.respond.tokens import claim_hash, digest, resume_token_for

logger = logging.getLogger(__name__)


class RespondError(DomainError):
    """A submission that cannot be stored; the view rolls back and explains."""


class ResponseAlreadyComplete(RespondError):
    pass


class ResponseIncomplete(RespondError):
    """Required questions are still unanswered (``questions``, in order)."""

    def __init__(self, questions: list[Question]) -> None:
        super().__init__(_l("Some required questions are not answered yet."))
        self.questions = questions


# ----------------------------------------------------------------------------------------------------- keys


def find_submission(key: str) -> SubmissionKey | None:
    return db.session.get(SubmissionKey, digest(key))


def record_submission(response: Response, key: str) -> None:
    """Raises ``IntegrityError`` at once when the key was recorded before (the caller rolls back).

    Only the key's digest is stored: a start key would give the resume token to whoever also holds the secret key.
    """
    db.session.execute(sa.insert(SubmissionKey).values(key=digest(key), response_id=response.id))


# ---------------------------------------------------------------------------------------------------- start


def start_response(
    survey: Survey,
    *,
    start_key: str,
    secret: str | bytes,
    locale: str,
    channel: ResponseChannel = ResponseChannel.WEB,
    invitation: Invitation | None = None,
    entered_by: User | None = None,
    paper: PaperSource | None = None,
) -> tuple[Response, str]:
    """Create an in-progress response; return it with its resume token.

    An invitation's attributes and link are kept only when the survey is not anonymous (confidential surveys
    drop the link at completion). A start through an invitation records no submission key: the invitation's
    claim, made in the same transaction, recognizes a replay (see :func:`claim_invitation`), and a key row
    written with the claim would tie the response to it.
    """
    token = resume_token_for(start_key, secret)
    response = Response(
        survey_id=survey.id,
        survey_version=survey.version,
        channel=channel,
        locale=locale,
        current_page=0,
        resume_token_hash=digest(token),
        attributes={},
        entered_by_id=entered_by.id if entered_by is not None else None,
    )
    if paper is not None:
        response.paper_source, response.paper_filled_on = paper.label, paper.filled_on
        response.paper_territory_id = paper.territory_id
    if invitation is not None and survey.anonymity is not Anonymity.ANONYMOUS:
        response.invitation_id = invitation.id
        response.attributes = dict(invitation.attributes or {})
    db.session.add(response)
    db.session.flush()
    if invitation is None:
        record_submission(response, start_key)
    return response, token


def find_response_by_token(token: str) -> Response | None:
    return db.session.execute(sa.select(Response).filter_by(resume_token_hash=digest(token))).scalar_one_or_none()


def reissue_resume_token(response: Response, start_key: str, secret: str | bytes) -> str:
    """A new resume token for an existing response (an invitation link opened again in another browser)."""
    token = resume_token_for(start_key, secret)
    response.resume_token_hash = digest(token)
    db.session.flush()
    return token


def claim_invitation(invitation: Invitation, resume_token: str, *, now: datetime) -> bool:
    """Use the invitation up for the response of ``resume_token``; ``False`` if someone claimed it first.

    A conditional UPDATE: of concurrent requests with one link, exactly one wins (the others wait for its commit
    on PostgreSQL, then find the claim taken). The invitation is used from this moment and keeps only the day:
    the completion writes nothing to it, so that no row of a completed response shares a transaction with it.
    """
    result = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.claim_hash.is_(None), Invitation.used_at.is_(None))
        .values(claim_hash=claim_hash(resume_token), used_at=start_of_day(now))
    )
    if result.rowcount == 1:
        db.session.expire(invitation, ["claim_hash", "used_at"])
        return True
    return False


def start_of_day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def invitation_of_token(token_digest: str) -> Invitation | None:
    """The invitation opened by a link's digest: the first link, or the one its reminder carried."""
    return db.session.execute(
        sa.select(Invitation).where(
            sa.or_(Invitation.token_hash == token_digest, Invitation.reminder_token_hash == token_digest)
        )
    ).scalar_one_or_none()


def response_of_invitation(invitation: Invitation) -> Response | None:
    """The latest response linked to the invitation: identified surveys, and confidential ones while in progress."""
    return db.session.execute(
        sa.select(Response).filter_by(invitation_id=invitation.id).order_by(Response.id.desc()).limit(1)
    ).scalar_one_or_none()


def claimed_by(invitation: Invitation, resume_token: str | None) -> bool:
    return bool(resume_token) and invitation.claim_hash == claim_hash(resume_token)


# --------------------------------------------------------------------------------------------------- values


# What an Answer row holds for its question (see app/models/surveys.py), read back by load_values and the exports.
STORED_ANSWER_COLUMNS = (
    Answer.question_id,
    Answer.choice_id,
    Answer.row_id,
    Answer.text_value,
    Answer.number_value,
    Answer.date_value,
    Answer.rank,
    Answer.is_other,
    Answer.territory_id,
)


def load_values(response: Response, survey: Survey) -> dict[str, Any]:
    """The stored answers of ``response`` as engine values (see :mod:`app.respond.engine`); each question's type
    reads its rows back."""
    rows = db.session.execute(
        sa.select(*STORED_ANSWER_COLUMNS).where(Answer.response_id == response.id).order_by(Answer.id)
    ).all()
    questions = {q.id: q for q in survey.questions}
    territory_codes = {t.id: t.code for t in survey.process.territories}
    unknown = {row.territory_id for row in rows if row.territory_id is not None} - territory_codes.keys()
    if unknown:  # a process without territories offers every territory of the region
        territory_codes |= dict(
            db.session.execute(sa.select(Territory.id, Territory.code).where(Territory.id.in_(unknown))).all()
        )
    lookup = ReadLookup({c.id: c for q in survey.questions for c in q.all_choices}, territory_codes)
    by_question: dict[int, list[Any]] = {}
    for row in rows:
        if row.question_id in questions:
            by_question.setdefault(row.question_id, []).append(row)
    values: dict[str, Any] = {}
    for question_id, answered in by_question.items():
        question = questions[question_id]
        values.update(question_type(question).read_value(question, answered, lookup))
    email = email_question(survey)
    if email is not None:
        value = question_type(email).load_apart(response)
        if value is not None:
            values[email.code] = value
    return values


def email_question(survey: Survey) -> Question | None:
    """The question whose answer is kept apart from the answers (its type is ``stored_apart``: the e-mail of an
    identified survey), when the survey asks it."""
    return next(
        (q for q in survey.ordered_questions() if question_type(q).stored_apart and question_type(q).asked(survey)),
        None,
    )


# ----------------------------------------------------------------------------------------------------- save


def save_answers(
    response: Response,
    survey: Survey,
    questions: Iterable[Question],
    values: Mapping[str, Any],
    *,
    territories: Sequence[Territory] = (),
) -> None:
    """Replace the answers of ``response`` to ``questions`` (a page) with ``values`` (visible answers only)."""
    questions = list(questions)
    ids = [q.id for q in questions if question_type(q).stores_answers]
    if ids:
        db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(ids)))
    territory_ids = {t.code: t.id for t in territories}
    rows = []
    for question in questions:
        value = values.get(question.code)
        qtype = question_type(question)
        if qtype.stored_apart:
            if question is email_question(survey):
                qtype.save_apart(response, value)
            continue
        if value is None or not qtype.stores_answers:
            continue
        for fields in answer_rows(question, value, values.get(question.code + OTHER_SUFFIX), territory_ids):
            rows.append({**EMPTY_ANSWER, "response_id": response.id, "question_id": question.id, **fields})
    if rows:  # one INSERT of plain rows: no Answer object is needed afterwards
        db.session.execute(sa.insert(Answer.__table__), rows)


# Every stored-answer column but the ids, empty: the rows of one INSERT must all name the same columns.
EMPTY_ANSWER: dict[str, Any] = {
    "choice_id": None,
    "row_id": None,
    "text_value": None,
    "number_value": None,
    "date_value": None,
    "rank": None,
    "is_other": False,
    "territory_id": None,
}


def store_lookup(question: Question, territory_ids: Mapping[str, int]) -> StoreLookup:
    """What the question's type needs to turn a value into Answer columns."""
    return StoreLookup(
        options={c.code: c.id for c in question.choices},
        rows={r.code: r.id for r in question.rows},
        other=other_code(question) if question.setting("other") else None,
        territory_ids=territory_ids,
    )


def answer_rows(
    question: Question, value: Any, other_text: str | None, territory_ids: Mapping[str, int]
) -> list[dict[str, Any]]:
    """The Answer columns for one question's value (the normalized storage of app/models/surveys.py), as its type
    writes them."""
    return question_type(question).answer_rows(value, other_text, store_lookup(question, territory_ids))


# ------------------------------------------------------------------------------------------------- complete


def complete_response(
    response: Response,
    survey: Survey,
    values: Mapping[str, Any],
    *,
    now: datetime,
    require_answers: bool = True,
) -> None:
    """Mark the response complete: required answers present, answers to now-hidden questions discarded, resume
    token cleared, link to its invitation dropped (confidential surveys), ``response_completed`` sent (receivers
    run in this transaction). The invitation itself was used up when the response started.

    Raises :class:`ResponseIncomplete` (nothing changed) or :class:`ResponseAlreadyComplete` (the caller rolls
    back).
    """
    seen = engine.visibility(survey, values)
    if require_answers:
        missing = engine.missing_required(survey, values, seen)
        if missing:
            raise ResponseIncomplete(missing)
    hidden = [q.id for q in survey.questions if q.code not in seen.questions and question_type(q).stores_answers]
    if hidden:
        db.session.execute(sa.delete(Answer).where(Answer.response_id == response.id, Answer.question_id.in_(hidden)))
    email = email_question(survey)
    if email is not None and email.code not in seen.questions:
        question_type(email).save_apart(response, None)

    completed: dict[str, Any] = {"status": ResponseStatus.COMPLETE, "submitted_at": now, "resume_token_hash": None}
    if survey.anonymity is Anonymity.CONFIDENTIAL:
        completed["invitation_id"] = None  # the attributes stay; nothing leads from the answers to the link
    done = db.session.execute(
        sa.update(Response)
        .where(Response.id == response.id, Response.status == ResponseStatus.IN_PROGRESS)
        .values(**completed)
    )
    if done.rowcount != 1:
        raise ResponseAlreadyComplete()
    db.session.expire(response, ["status", "submitted_at", "resume_token_hash", "invitation_id"])
    response_completed.send(response=response)
