"""People met, counted honestly: per territory and per audience group, the people met at events (the sum of the
declared attendance, with the number of events), the survey respondents (complete responses) and the partners
active; and per event, the ideas collected and those that became evidence of an adopted orientation. All by SQL
aggregation.

Attendance figures are declared counts: a person who came to two workshops is counted twice. The pages say so.
Events count once they have started (``starts_at`` before now). Partners active: distinct accounts that proposed,
commented an orientation or voted in the process (app/participation/figures.py counts the same acts by sector).
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.core.queries import by_first_column
from app.events.audiences import AUDIENCES, PARTNER_PREFIX
from app.models import (
    Ballot,
    Comment,
    Contribution,
    Event,
    EventAttendance,
    EventScope,
    ModerationItem,
    Organization,
    Orientation,
    OrientationEvidence,
    OrientationState,
    Territory,
    User,
    VoterRecord,
    utcnow,
)
from app.participation.figures import territory_participation


@dataclass(frozen=True)
class PeopleMetRow:
    key: str  # a territory id, "regional", "virtual", "unspecified", or an audience key
    name: str | None  # the territory's name (None for the other keys)
    events: int
    people_met: int
    respondents: int | None  # complete survey responses (None where it does not apply)
    partners_active: int | None


@dataclass(frozen=True)
class PeopleMet:
    events: int
    people_met: int
    respondents: int
    partners_active: int
    by_territory: list[PeopleMetRow]
    by_audience: list[PeopleMetRow]


@dataclass(frozen=True)
class EventIdeas:
    event: Event
    ideas: int
    adopted_evidence: int  # ideas that are evidence of an adopted orientation


def _place():
    """Where an event counts: its territory id, or its scope ('regional', 'virtual')."""
    return sa.case(
        (Event.scope == EventScope.TERRITORY, sa.cast(Event.territory_id, sa.String)), else_=Event.scope
    ).label("place")


def _past(process_id: int, now: datetime):
    return sa.and_(Event.process_id == process_id, Event.starts_at <= now)


def _partner_acts(process_id: int) -> sa.Subquery:
    """(user_id) of every act of a partner in the process: a contribution, a comment, a vote."""
    return sa.union(
        sa.select(Contribution.author_id.label("user_id")).where(
            Contribution.process_id == process_id, Contribution.author_id.is_not(None)
        ),
        sa.select(Comment.author_id.label("user_id"))
        .join(Orientation, Orientation.id == Comment.orientation_id)
        .where(Orientation.process_id == process_id, Comment.author_id.is_not(None)),
        sa.select(VoterRecord.user_id.label("user_id"))
        .join(Ballot, Ballot.id == VoterRecord.ballot_id)
        .where(Ballot.process_id == process_id, VoterRecord.user_id.is_not(None)),
    ).subquery("acts")


def people_met(process_id: int, now: datetime | None = None) -> PeopleMet:
    now = now or utcnow()
    place = _place()
    by_place = {
        key: (events, total or 0)
        for key, events, total in db.session.execute(
            sa.select(place, sa.func.count(sa.distinct(Event.id)), sa.func.sum(EventAttendance.count))
            .select_from(Event)
            .outerjoin(EventAttendance, EventAttendance.event_id == Event.id)
            .where(_past(process_id, now))
            .group_by(place)
        ).all()
    }
    by_group = {
        audience: (events, total or 0)
        for audience, events, total in db.session.execute(
            sa.select(
                EventAttendance.audience, sa.func.count(sa.distinct(Event.id)), sa.func.sum(EventAttendance.count)
            )
            .join(Event, Event.id == EventAttendance.event_id)
            .where(_past(process_id, now), EventAttendance.count > 0)
            .group_by(EventAttendance.audience)
        ).all()
    }
    events_total, people_total = db.session.execute(
        sa.select(sa.func.count(sa.distinct(Event.id)), sa.func.coalesce(sa.func.sum(EventAttendance.count), 0))
        .select_from(Event)
        .outerjoin(EventAttendance, EventAttendance.event_id == Event.id)
        .where(_past(process_id, now))
    ).one()

    acts = _partner_acts(process_id)
    partner_rows = db.session.execute(
        sa.select(Organization.territory_id, Organization.sector, sa.func.count(sa.distinct(User.id)))
        .select_from(acts)
        .join(User, User.id == acts.c.user_id)
        .outerjoin(Organization, Organization.id == User.organization_id)
        .group_by(Organization.territory_id, Organization.sector)
    ).all()
    partners_by_territory: dict[int | None, int] = {}
    partners_by_sector: dict[str, int] = {}
    for territory_id, sector, count in partner_rows:
        partners_by_territory[territory_id] = partners_by_territory.get(territory_id, 0) + count
        if sector is not None:
            partners_by_sector[sector.value] = partners_by_sector.get(sector.value, 0) + count
    partners_total = db.session.scalar(sa.select(sa.func.count(sa.distinct(acts.c.user_id)))) or 0

    responses = {figure.territory_id: figure.responses for figure in territory_participation(process_id)}
    territory_ids = {tid for tid in responses if tid is not None}
    territory_ids |= {int(key) for key in by_place if key and key.isdigit()}
    territory_ids |= {tid for tid in partners_by_territory if tid is not None}
    names = dict(
        db.session.execute(sa.select(Territory.id, Territory.name).where(Territory.id.in_(territory_ids))).all()
    )
    rows = []
    for tid in sorted(territory_ids, key=lambda t: names[t]):
        events, total = by_place.get(str(tid), (0, 0))
        rows.append(
            PeopleMetRow(str(tid), names[tid], events, total, responses.get(tid, 0), partners_by_territory.get(tid, 0))
        )
    for scope in (EventScope.REGIONAL.value, EventScope.VIRTUAL.value):
        if scope in by_place:
            events, total = by_place[scope]
            rows.append(PeopleMetRow(scope, None, events, total, None, None))
    if responses.get(None) or partners_by_territory.get(None):
        rows.append(PeopleMetRow("unspecified", None, 0, 0, responses.get(None, 0), partners_by_territory.get(None, 0)))

    audiences = []
    for audience in AUDIENCES:
        events, total = by_group.get(audience, (0, 0))
        partners = (
            partners_by_sector.get(audience.removeprefix(PARTNER_PREFIX))
            if audience.startswith(PARTNER_PREFIX)
            else None
        )
        if events or partners:
            audiences.append(PeopleMetRow(audience, None, events, total, None, partners))
    return PeopleMet(
        events=events_total,
        people_met=people_total,
        respondents=sum(responses.values()),
        partners_active=partners_total,
        by_territory=rows,
        by_audience=audiences,
    )


def ideas_by_event(process_id: int) -> list[EventIdeas]:
    """Every event of the process in date order with its number of ideas and of ideas that are evidence of an
    adopted orientation."""
    adopted = (
        sa.select(OrientationEvidence.item_id)
        .join(Orientation, Orientation.id == OrientationEvidence.orientation_id)
        .where(Orientation.state == OrientationState.ADOPTED)
    )
    counts = by_first_column(
        sa.select(
            ModerationItem.event_id,
            sa.func.count(ModerationItem.id),
            sa.func.count(ModerationItem.id).filter(ModerationItem.id.in_(adopted)),
        )
        .where(ModerationItem.process_id == process_id, ModerationItem.event_id.is_not(None))
        .group_by(ModerationItem.event_id)
    )
    events = db.session.scalars(
        sa.select(Event)
        .where(Event.process_id == process_id)
        .options(selectinload(Event.attendance), selectinload(Event.territory))
        .order_by(Event.starts_at, Event.id)
    ).all()
    return [EventIdeas(event, *counts.get(event.id, (0, 0))) for event in events]
