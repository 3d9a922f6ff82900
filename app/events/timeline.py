"""The events of a process in date order, as the public process page and the report show them."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.models import Event, Process


@dataclass(frozen=True)
class Timeline:
    past: list[Event]
    coming: list[Event]

    @property
    def people_met(self) -> int:
        return sum(event.people_met for event in self.past)

    def __bool__(self) -> bool:
        return bool(self.past or self.coming)


def events_of(process: Process | int) -> list[Event]:
    process_id = process if isinstance(process, int) else process.id
    return list(
        db.session.scalars(
            sa.select(Event)
            .where(Event.process_id == process_id)
            .options(selectinload(Event.attendance), selectinload(Event.territory), selectinload(Event.hosts))
            .order_by(Event.starts_at, Event.id)
        )
    )


def timeline(process: Process | int, now: datetime) -> Timeline:
    events = events_of(process)
    return Timeline(
        past=[event for event in events if event.starts_at <= now],
        coming=[event for event in events if event.starts_at > now],
    )
