"""Retention (Quebec's Law 25): responses are deleted once their survey's retention period has passed (requests
of a person to see or erase their data: app/compliance/privacy_requests.py). No request objects here; the caller
commits."""

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.compliance import audit
from app.core.extensions import db
from app.models import Response, Survey, User


@dataclass(frozen=True)
class PurgePlan:
    survey: Survey
    cutoff: datetime
    expired: int


def purge_date(survey: Survey, response: Response) -> datetime | None:
    """When this response will be deleted, or None when the survey keeps responses without limit."""
    if survey.retention_days is None:
        return None
    return (response.submitted_at or response.started_at) + timedelta(days=survey.retention_days)


@dataclass(frozen=True)
class PurgeNotice:
    """What facilitators are told about when a survey's stored responses will be deleted."""

    days: int | None  # the retention period; None: kept without limit
    first: datetime | None = None  # when the oldest stored response will be deleted
    last: datetime | None = None  # when the most recent one will
    overdue: bool = False  # some responses are already past the period (deleted by the next purge-expired)


def purge_notice(survey: Survey, now: datetime) -> PurgeNotice:
    """When the survey's stored responses will be deleted (one MIN/MAX query), for the facilitators' pages."""
    if survey.retention_days is None:
        return PurgeNotice(None)
    moment = sa.func.coalesce(Response.submitted_at, Response.started_at)
    oldest, newest = db.session.execute(
        sa.select(sa.func.min(moment), sa.func.max(moment)).where(Response.survey_id == survey.id)
    ).one()
    if oldest is None:
        return PurgeNotice(survey.retention_days)
    period = timedelta(days=survey.retention_days)
    return PurgeNotice(survey.retention_days, oldest + period, newest + period, overdue=oldest + period <= now)


def _expired(survey: Survey, cutoff: datetime):
    moment = sa.func.coalesce(Response.submitted_at, Response.started_at)
    return sa.and_(Response.survey_id == survey.id, moment < cutoff)


def plan_purge(now: datetime) -> list[PurgePlan]:
    """Surveys with a retention period and how many of their responses are past it."""
    plans = []
    for survey in db.session.execute(db.select(Survey).where(Survey.retention_days.is_not(None))).scalars():
        cutoff = now - timedelta(days=survey.retention_days)
        expired = db.session.scalar(db.select(sa.func.count(Response.id)).where(_expired(survey, cutoff)))
        plans.append(PurgePlan(survey, cutoff, expired))
    return plans


def purge_expired(now: datetime, actor: User | None = None) -> int:
    """Delete every response past its survey's retention period (answers, contacts and items go with it)."""
    deleted = 0
    for plan in plan_purge(now):
        if not plan.expired:
            continue
        result = db.session.execute(
            sa.delete(Response).where(_expired(plan.survey, plan.cutoff)).execution_options(synchronize_session=False)
        )
        deleted += result.rowcount
        audit.record(
            actor, "responses.purge_expired", plan.survey, deleted=result.rowcount, cutoff=plan.cutoff.isoformat()
        )
    return deleted
