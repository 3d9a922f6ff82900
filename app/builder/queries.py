"""What the builder's pages read: the processes and their surveys, response counts, invitation figures, the
territories a survey offers and the next free question code. Reads only; the changes are in operations.py."""

from __future__ import annotations

from sqlalchemy.engine import Row

from app.core.extensions import db
from app.models import Invitation, Process, Response, ResponseStatus, Survey, Territory


def processes() -> list[Process]:
    """Every process, the newest first."""
    return db.session.execute(db.select(Process).order_by(Process.created_at.desc())).scalars().all()


def surveys_by_process(process_id: int | None = None) -> dict[int, list[Survey]]:
    """The surveys (of one process, or all), newest first, grouped by process id."""
    query = db.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if process_id:
        query = query.where(Survey.process_id == process_id)
    grouped: dict[int, list[Survey]] = {}
    for survey in db.session.execute(query).scalars():
        grouped.setdefault(survey.process_id, []).append(survey)
    return grouped


def complete_counts() -> dict[int, int]:
    """The number of complete responses of each survey that has any, by survey id."""
    return _count_responses(Response.survey_id, Response.status == ResponseStatus.COMPLETE)


def response_counts(survey: Survey) -> dict[ResponseStatus, int]:
    """The survey's responses, counted by status."""
    return _count_responses(Response.status, Response.survey_id == survey.id)


def _count_responses(key, condition) -> dict:
    query = db.select(key, db.func.count(Response.id)).where(condition).group_by(key)
    return dict(db.session.execute(query).all())


def invitation_figures(survey: Survey) -> Row:
    """(links created, links used, links e-mailed) of the survey."""
    return db.session.execute(
        db.select(
            db.func.count(Invitation.id),
            db.func.count(Invitation.used_at),
            db.func.count(Invitation.sent_at),
        ).where(Invitation.survey_id == survey.id)
    ).one()


def territories(survey: Survey) -> list[Territory]:
    """The territories of the survey's process, or every territory when the process names none."""
    if survey.process.territories:
        return survey.process.territories
    return db.session.execute(db.select(Territory).order_by(Territory.name)).scalars().all()


def next_code(survey: Survey) -> str:
    """The first code ``q<n>`` no question of the survey uses, from n = its number of questions + 1."""
    codes = {q.code for q in survey.questions}
    n = len(codes) + 1
    while f"q{n}" in codes:
        n += 1
    return f"q{n}"
