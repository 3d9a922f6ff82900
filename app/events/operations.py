"""Creating, editing and deleting the events of a process. Services flush, never commit; a refusal raises
:class:`EventError` naming the field."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.extensions import db
from app.events.audiences import AUDIENCES
from app.events.kinds import kinds_of
from app.events.phases import phases_of
from app.models import (
    MAX_ATTENDANCE,
    Event,
    EventAttendance,
    EventScope,
    ModerationItem,
    Organization,
    Process,
    Territory,
    User,
)


class EventError(DomainError):
    """An event refused: ``message`` next to ``field``."""


@dataclass
class EventData:
    kind: str
    title_fr: str
    starts_at: datetime  # aware
    title_en: str = ""
    scope: EventScope = EventScope.TERRITORY
    territory_id: int | None = None
    phase_id: int | None = None
    host_ids: Iterable[int] = ()
    attendance: Mapping[str, int | None] = field(default_factory=dict)
    summary_fr: str = ""
    summary_en: str = ""


def save_event(process: Process, data: EventData, user: User | None, event: Event | None = None) -> Event:
    """A new event of ``process`` (``event`` None) or ``event`` changed to ``data``."""
    if data.kind not in dict(kinds_of(process)):
        raise EventError(_l("Choose a kind of event from the list."), "kind")
    if not data.title_fr.strip():
        raise EventError(_l("Give the event a title in French."), "title_fr")
    if data.starts_at.tzinfo is None:
        raise ValueError("starts_at must be aware")
    scope = EventScope(data.scope)
    territory = None
    if scope is EventScope.TERRITORY:
        territory = db.session.get(Territory, data.territory_id) if data.territory_id else None
        if territory is None:
            raise EventError(_l("Choose the territory where the event takes place."), "territory_id")
    if data.phase_id and data.phase_id not in {phase.id for phase in phases_of(process)}:
        raise EventError(_l("Choose a phase of this process."), "phase_id")
    host_ids = set(data.host_ids)
    hosts = db.session.scalars(sa.select(Organization).where(Organization.id.in_(host_ids))).all() if host_ids else []
    if len(hosts) != len(host_ids):
        raise EventError(_l("Choose the host organizations from the list."), "host_ids")
    counts = {}
    for audience, count in data.attendance.items():
        if audience not in AUDIENCES:
            raise EventError(_l("Unknown audience group."), None)
        if count is None:
            continue
        if not isinstance(count, int) or not 0 <= count <= MAX_ATTENDANCE:
            raise EventError(_l("Enter a whole number from 0 to %(max)s.", max=MAX_ATTENDANCE), f"count_{audience}")
        counts[audience] = count

    if event is None:
        event = Event(process_id=process.id, created_by_id=user.id if user is not None else None)
        db.session.add(event)
    event.kind = data.kind
    event.title_fr = data.title_fr.strip()
    event.title_en = data.title_en.strip()
    event.starts_at = data.starts_at
    event.scope = scope
    event.territory_id = territory.id if territory is not None else None
    event.phase_id = data.phase_id or None
    event.hosts = list(hosts)
    event.summary_fr = data.summary_fr.strip()
    event.summary_en = data.summary_en.strip()
    existing = {row.audience: row for row in event.attendance}
    for audience, row in existing.items():
        if audience not in counts:
            event.attendance.remove(row)
    for audience, count in counts.items():
        if audience in existing:
            existing[audience].count = count
        else:
            event.attendance.append(EventAttendance(audience=audience, count=count))
    db.session.flush()
    return event


def idea_count(event: Event) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(ModerationItem.event_id == event.id)) or 0


def delete_event(event: Event) -> None:
    """Delete an event; refused once ideas noted there are in the moderation queue (they are evidence)."""
    if idea_count(event):
        raise EventError(_l("This event has ideas in the moderation queue: it stays, so their source is kept."))
    db.session.delete(event)
    db.session.flush()
