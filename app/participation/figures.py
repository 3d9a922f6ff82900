"""Participation figures of a process, all computed by SQL aggregation (GROUP BY), never by loading responses.

- The territory of a response is its answer to a territory question (``Answer.territory_id``); failing that, the
  ``territory`` attribute (a territory code) of the invitation it came from; failing that, for a paper
  questionnaire, the territory where it was filled in; otherwise it is "not specified".
  This is the rule :func:`app.moderation.items.items_from_response` follows for moderation items.
- Progress against a territory's target counts **complete** responses.
- Time to complete = ``submitted_at - started_at`` of complete responses; the median is ``percentile_cont`` on
  PostgreSQL, an ORDER BY / OFFSET on SQLite.
- Days are local days (the app's time zone, ``BABEL_DEFAULT_TIMEZONE``).
- Partner activity by organization sector: contributions, comments on orientations, and voters (the voter roll
  :class:`app.models.VoterRecord`, never what anyone voted).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from app.core import database
from app.core.errors import DomainError
from app.core.extensions import db
from app.models import (
    Answer,
    Ballot,
    Comment,
    Contribution,
    Organization,
    Orientation,
    ParticipationTarget,
    Process,
    Question,
    QuestionType,
    Response,
    ResponseStatus,
    Sector,
    Survey,
    Territory,
    User,
    VoterRecord,
)

DEFAULT_TIMEZONE = "America/Toronto"


@dataclass(frozen=True)
class DayFigure:
    day: date
    started: int  # responses started that day (complete or not)
    completed: int  # responses submitted that day


@dataclass(frozen=True)
class SurveyFigure:
    survey_id: int
    title_fr: str
    title_en: str
    started: int
    complete: int
    median_seconds: float | None

    @property
    def in_progress(self) -> int:
        return self.started - self.complete

    @property
    def completion_rate(self) -> float | None:
        return self.complete / self.started if self.started else None


@dataclass(frozen=True)
class TerritoryFigure:
    territory_id: int | None  # None: "not specified"
    name: str | None
    responses: int  # complete responses
    started: int  # all responses, complete or not
    target: int | None
    percent: float | None  # responses / target × 100, None without a target

    @property
    def under_target(self) -> bool:
        return self.target is not None and self.responses < self.target


@dataclass(frozen=True)
class SectorFigure:
    sector: Sector
    organizations: int
    contributions: int
    comments: int
    voters: int


@dataclass(frozen=True)
class Totals:
    started: int
    complete: int
    median_seconds: float | None

    @property
    def completion_rate(self) -> float | None:
        return self.complete / self.started if self.started else None


# ----------------------------------------------------------------------------------------------------- helpers


def _survey_ids(process_id: int) -> sa.Select:
    return sa.select(Survey.id).where(Survey.process_id == process_id)


def _duration_seconds() -> sa.ColumnElement:
    if database.is_postgres():
        return sa.func.extract("epoch", Response.submitted_at - Response.started_at)
    return (sa.func.julianday(Response.submitted_at) - sa.func.julianday(Response.started_at)) * 86400.0


def _local_day(column: sa.ColumnElement, tz: str) -> sa.ColumnElement:
    if database.is_postgres():
        return sa.cast(sa.func.timezone(tz, column), sa.Date)
    # SQLite stores naive UTC: shift by the zone's current offset (DST changes within the range are ignored).
    offset = datetime.now(ZoneInfo(tz)).utcoffset()
    hours = int(offset.total_seconds() // 3600) if offset else 0
    return sa.func.date(column, f"{hours:+d} hours")


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def median_seconds(*conditions: sa.ColumnElement) -> float | None:
    """Median time to complete (seconds) of the complete responses matching ``conditions``."""
    return database.medians(_duration_seconds(), sa.select(Response.id).where(*_completed(), *conditions)).get(None)


def _completed() -> list[sa.ColumnElement[bool]]:
    return [Response.status == ResponseStatus.COMPLETE, Response.submitted_at.is_not(None)]


# ----------------------------------------------------------------------------------------------------- figures


def daily_responses(process_id: int, tz: str = DEFAULT_TIMEZONE) -> list[DayFigure]:
    """Responses started and completed per local day, in date order (days without any are left out)."""
    in_process = Response.survey_id.in_(_survey_ids(process_id))
    started_day = _local_day(Response.started_at, tz)
    started = db.session.execute(sa.select(started_day, sa.func.count()).where(in_process).group_by(started_day)).all()
    completed_day = _local_day(Response.submitted_at, tz)
    completed = db.session.execute(
        sa.select(completed_day, sa.func.count())
        .where(in_process, Response.status == ResponseStatus.COMPLETE, Response.submitted_at.is_not(None))
        .group_by(completed_day)
    ).all()
    days: dict[date, list[int]] = {}
    for day, count in started:
        days.setdefault(_as_date(day), [0, 0])[0] = count
    for day, count in completed:
        days.setdefault(_as_date(day), [0, 0])[1] = count
    return [DayFigure(day, *days[day]) for day in sorted(days)]


def survey_participation(process_id: int) -> list[SurveyFigure]:
    """Per survey of the process: responses started, complete, median time to complete."""
    complete = sa.func.count(Response.id).filter(Response.status == ResponseStatus.COMPLETE)
    rows = db.session.execute(
        sa.select(Survey.id, Survey.title_fr, Survey.title_en, sa.func.count(Response.id), complete)
        .outerjoin(Response, Response.survey_id == Survey.id)
        .where(Survey.process_id == process_id)
        .group_by(Survey.id, Survey.title_fr, Survey.title_en)
        .order_by(Survey.id)
    ).all()
    medians = _medians_by_survey(process_id)
    return [SurveyFigure(r[0], r[1], r[2], r[3], r[4], medians.get(r[0])) for r in rows]


def _medians_by_survey(process_id: int) -> dict[int, float]:
    rows = sa.select(Response.id).where(Response.survey_id.in_(_survey_ids(process_id)), *_completed())
    return database.medians(_duration_seconds(), rows, group=Response.survey_id)


def totals(process_id: int) -> Totals:
    in_process = Response.survey_id.in_(_survey_ids(process_id))
    started, complete = db.session.execute(
        sa.select(
            sa.func.count(Response.id), sa.func.count(Response.id).filter(Response.status == ResponseStatus.COMPLETE)
        ).where(in_process)
    ).one()
    return Totals(started, complete, median_seconds(in_process))


def response_territory(process_id: int) -> sa.Subquery:
    """(response_id, territory_id, status) of every response of the process; territory_id NULL when unknown."""
    territory_questions = sa.select(Question.id).where(
        Question.survey_id.in_(_survey_ids(process_id)), Question.type == QuestionType.TERRITORY
    )
    answered = (
        sa.select(Answer.response_id, sa.func.min(Answer.territory_id).label("territory_id"))
        .where(Answer.question_id.in_(territory_questions), Answer.territory_id.is_not(None))
        .group_by(Answer.response_id)
        .subquery("answered")
    )
    by_attribute = aliased(Territory, name="by_attribute")
    return (
        sa.select(
            Response.id.label("response_id"),
            sa.func.coalesce(answered.c.territory_id, by_attribute.id, Response.paper_territory_id).label(
                "territory_id"
            ),
            Response.status.label("status"),
        )
        .outerjoin(answered, answered.c.response_id == Response.id)
        .outerjoin(by_attribute, by_attribute.code == Response.attributes["territory"].as_string())
        .where(Response.survey_id.in_(_survey_ids(process_id)))
        .subquery("response_territory")
    )


def territory_participation(process_id: int) -> list[TerritoryFigure]:
    """Per territory of the process (and any territory with responses or a target): complete responses against
    the target, in name order; a last "not specified" row (``territory_id`` None) when some responses have no
    territory."""
    rt = response_territory(process_id)
    counts = {
        territory_id: (complete, started)
        for territory_id, complete, started in db.session.execute(
            sa.select(
                rt.c.territory_id,
                sa.func.count().filter(rt.c.status == ResponseStatus.COMPLETE),
                sa.func.count(),
            ).group_by(rt.c.territory_id)
        ).all()
    }
    targets = dict(
        db.session.execute(
            sa.select(ParticipationTarget.territory_id, ParticipationTarget.target).where(
                ParticipationTarget.process_id == process_id
            )
        ).all()
    )
    listed = set(db.session.scalars(sa.select(Territory.id).join(Process.territories).where(Process.id == process_id)))
    ids = listed | set(targets) | {tid for tid in counts if tid is not None}
    names = dict(db.session.execute(sa.select(Territory.id, Territory.name).where(Territory.id.in_(ids))).all())
    figures = [_territory_figure(tid, names[tid], counts, targets) for tid in sorted(ids, key=lambda t: names[t])]
    if None in counts:
        figures.append(_territory_figure(None, None, counts, {}))
    return figures


def _territory_figure(
    territory_id: int | None, name: str | None, counts: Mapping, targets: Mapping[int, int]
) -> TerritoryFigure:
    complete, started = counts.get(territory_id, (0, 0))
    target = targets.get(territory_id) if territory_id is not None else None
    percent = round(complete * 100.0 / target, 1) if target else None
    return TerritoryFigure(territory_id, name, complete, started, target, percent)


def _per_sector(count: Any, *joins: tuple[Any, Any], where: Any = None) -> dict[Sector, int]:
    """{sector: ``count``} over the organizations, or the rows reached through ``joins`` (table, on clause) that
    match ``where``."""
    query = sa.select(Organization.sector, count)
    for table, on in joins:
        query = query.join(table, on)
    if where is not None:
        query = query.where(where)
    return dict(db.session.execute(query.group_by(Organization.sector)).all())


def sector_activity(process_id: int) -> list[SectorFigure]:
    """Partner activity per organization sector: organizations, contributions, comments, voters (every sector)."""
    per_sector = [
        _per_sector(sa.func.count()),
        _per_sector(
            sa.func.count(Contribution.id),
            (Organization, Organization.id == Contribution.organization_id),
            where=Contribution.process_id == process_id,
        ),
        _per_sector(
            sa.func.count(Comment.id),
            (Orientation, Orientation.id == Comment.orientation_id),
            (User, User.id == Comment.author_id),
            (Organization, Organization.id == User.organization_id),
            where=Orientation.process_id == process_id,
        ),
        _per_sector(
            sa.func.count(sa.distinct(VoterRecord.user_id)),
            (Ballot, Ballot.id == VoterRecord.ballot_id),
            (Organization, Organization.id == VoterRecord.organization_id),
            where=Ballot.process_id == process_id,
        ),
    ]
    return [SectorFigure(sector, *(counts.get(sector, 0) for counts in per_sector)) for sector in Sector]


# ------------------------------------------------------------------------------------------------------ targets


TARGET_MESSAGE = _l("Enter a whole number from 0 to 1,000,000.")


class TargetError(DomainError):
    """A target that is not a whole number of responses (0 or more), for the territory ``territory_id``."""

    def __init__(self, territory_id: int) -> None:
        super().__init__(TARGET_MESSAGE, f"target_{territory_id}")
        self.territory_id = territory_id


def save_targets(process_id: int, targets: Mapping[int, int | None]) -> int:
    """Set (a number) or remove (None) the target of each territory; returns how many rows changed. Flushes."""
    existing = {
        t.territory_id: t
        for t in db.session.scalars(sa.select(ParticipationTarget).where(ParticipationTarget.process_id == process_id))
    }
    changed = 0
    for territory_id, value in targets.items():
        if value is not None and value < 0:
            raise TargetError(territory_id)
        row = existing.get(territory_id)
        if value is None:
            if row is not None:
                db.session.delete(row)
                changed += 1
        elif row is None:
            db.session.add(ParticipationTarget(process_id=process_id, territory_id=territory_id, target=value))
            changed += 1
        elif row.target != value:
            row.target = value
            changed += 1
    db.session.flush()
    return changed
