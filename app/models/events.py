"""Events of a process: workshops, interviews, focus groups, assemblies, public and virtual meetings.

- :class:`Event` is one meeting: its kind (a built-in key of app/events/kinds.py or one of the process's own
  :class:`EventKind` rows), bilingual title, start, where it happened (a territory, the whole region or online),
  the phase it belongs to, its host organizations, a public summary and its attendance.
- :class:`EventAttendance` is the declared number of people of one audience group at an event: counts only, no
  names. The same person may be counted at two events; the pages say so.
- What was said at an event becomes moderation items (``ModerationItem.event_id``, source ``event``); a paper
  response or an invitation can name the event it came from (``Response.event_id``, ``Invitation.event_id``).

What points back here: moderation_items.event_id, responses.event_id, invitations.event_id.
"""

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import link_table, not_empty
from app.models.people import Organization, Territory, User
from app.models.processes import Phase, Process

__all__ = [
    "MAX_ATTENDANCE",
    "Event",
    "EventAttendance",
    "EventKind",
    "EventScope",
    "LiveRoom",
    "RoomMode",
    "event_hosts",
]

MAX_ATTENDANCE = 100_000  # a count above this is a typing mistake (the largest assembly is a few hundred)


class EventScope(enum.StrEnum):
    TERRITORY = "territory"  # in one territory of the region
    REGIONAL = "regional"  # for the whole region
    VIRTUAL = "virtual"  # online


event_hosts = link_table("event_hosts", ("event_id", "events"), ("organization_id", "organizations"), index_second=True)


class EventKind(Base):
    """A kind of event a process's facilitators added to the built-in ones (e.g. "Kiosque", "Café-rencontre")."""

    __tablename__ = "event_kinds"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "key"),
        not_empty("key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(40))
    label_fr: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120), default="")


class Event(Base):
    __tablename__ = "events"
    __table_args__ = (
        sa.Index("ix_events_process_starts", "process_id", "starts_at"),
        sa.CheckConstraint("(scope = 'territory') = (territory_id IS NOT NULL)", "territory_when_local"),
        not_empty("kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(sa.String(40))
    title_fr: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scope: Mapped[EventScope] = mapped_column(enum_column(EventScope, "scope"), default=EventScope.TERRITORY)
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id", ondelete="RESTRICT"), index=True)
    phase_id: Mapped[int | None] = mapped_column(sa.ForeignKey("phases.id", ondelete="SET NULL"), index=True)
    summary_fr: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    process: Mapped[Process] = relationship()
    territory: Mapped[Territory | None] = relationship()
    phase: Mapped[Phase | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    hosts: Mapped[list[Organization]] = relationship(secondary=event_hosts, order_by=Organization.name)
    attendance: Mapped[list["EventAttendance"]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventAttendance.audience"
    )

    @property
    def people_met(self) -> int:
        return sum(row.count for row in self.attendance)

    def count_of(self, audience: str) -> int | None:
        return next((row.count for row in self.attendance if row.audience == audience), None)

    def __repr__(self) -> str:
        return f"<Event {self.id} {self.kind}>"


class EventAttendance(Base):
    """How many people of one audience group (app/events/audiences.py) came to an event, as declared."""

    __tablename__ = "event_attendance"
    __table_args__ = (
        sa.CheckConstraint(f"count >= 0 AND count <= {MAX_ATTENDANCE}", "count_in_range"),
        not_empty("audience"),
    )

    event_id: Mapped[int] = mapped_column(sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    audience: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    count: Mapped[int]

    event: Mapped[Event] = relationship(back_populates="attendance")


class RoomMode(enum.StrEnum):
    PARTNERS = "partners"  # partners sign in and vote as usual: one vote per person (or organization)
    DEVICE = "device"  # anonymous, one vote per phone (a cookie): for a public workshop


class LiveRoom(Base):
    """A ballot opened "in the room": a projector page /live/<code> (QR code, short code, turnout, then the results
    when the facilitator reveals them) and phones that join with the code. A room ends when the facilitator ends it
    or at ``expires_at``; its code then says so."""

    __tablename__ = "live_rooms"
    __table_args__ = (sa.CheckConstraint("expires_at > opened_at", "expires_after_opening"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    mode: Mapped[RoomMode] = mapped_column(enum_column(RoomMode, "mode"), default=RoomMode.PARTNERS)
    opened_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    event: Mapped[Event | None] = relationship()

    def is_live(self, now: datetime) -> bool:
        return self.ended_at is None and now < self.expires_at

    def __repr__(self) -> str:
        return f"<LiveRoom {self.code}>"
