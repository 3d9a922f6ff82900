"""After the vote: collective actions under adopted priorities, their indicators and measurements, progress updates
by their leads, and partner organizations' commitments.

- :class:`CollectiveAction` (a *chantier*) belongs to an adopted orientation (a priority). ``version`` is the
  optimistic-locking counter: a save made on a stale version is refused ("changed since you opened it"). Every
  change (texts, status, dates, indicators) writes an :class:`ActionRevision` with a snapshot, like orientations.
- :class:`Indicator` (name, unit, baseline, target) and its dated :class:`Measurement` values. A measurement posted
  with a progress update is public only once the update is approved.
- :class:`ProgressUpdate` and :class:`Commitment` are partner texts: each points to the moderation item that holds
  its text (app/moderation's pipeline: personal information detected, redacted, approved). They are public only
  when that item is approved, and then only its redacted text.

What points here: nothing outside this module (orientations, organizations, users and moderation items are
referenced from these tables, never the other way).
"""

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import Revision, at_least, dates_ordered
from app.models.lifecycle import Lifecycle
from app.models.moderation import ItemState, ModerationItem, Orientation
from app.models.people import Organization, User
from app.models.processes import Process

__all__ = [
    "ActionRevision",
    "ActionStatus",
    "CollectiveAction",
    "Commitment",
    "CommitmentKind",
    "Indicator",
    "Measurement",
    "ProgressUpdate",
]


class ActionStatus(Lifecycle):
    PLANNED = "planned", "in_progress", "abandoned"
    IN_PROGRESS = "in_progress", "done", "abandoned", "planned"
    DONE = "done", "in_progress"
    ABANDONED = "abandoned", "planned", "in_progress"


class CommitmentKind(enum.StrEnum):
    LEAD = "lead"
    CO_LEAD = "co_lead"
    FUNDING = "funding"
    STAFF_TIME = "staff_time"
    SPACE = "space"
    COMMUNICATION = "communication"
    EXPERTISE = "expertise"
    OTHER = "other"


class PublishedThroughItem:
    """A partner text (``text``) whose moderation item (``item_id``) holds what the public reads: published once the
    item is approved, and then only the item's redacted text."""

    @declared_attr
    def item(cls) -> Mapped[ModerationItem | None]:
        return relationship(ModerationItem)

    @property
    def is_published(self) -> bool:
        return self.item is not None and self.item.state is ItemState.APPROVED

    @property
    def public_text(self) -> str | None:
        return self.item.public_text if self.item is not None else None


class CollectiveAction(Base):
    __tablename__ = "collective_actions"
    __table_args__ = (
        dates_ordered("starts_on", "ends_on"),
        sa.CheckConstraint("status != 'abandoned' OR abandon_reason != ''", "reason_when_abandoned"),
        at_least("version", 1),
        sa.Index("ix_collective_actions_process", "process_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"), index=True)
    title_fr: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    desired_change_fr: Mapped[str] = mapped_column(sa.Text, default="")
    desired_change_en: Mapped[str] = mapped_column(sa.Text, default="")
    lead_organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[ActionStatus] = mapped_column(enum_column(ActionStatus, "status"), default=ActionStatus.PLANNED)
    abandon_reason: Mapped[str] = mapped_column(sa.Text, default="")
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    process: Mapped[Process] = relationship()
    orientation: Mapped[Orientation] = relationship()
    lead_organization: Mapped[Organization | None] = relationship()
    created_by: Mapped[User | None] = relationship()
    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="Indicator.position"
    )
    revisions: Mapped[list["ActionRevision"]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionRevision.number"
    )

    def move_to(self, target: ActionStatus) -> None:
        if target is not self.status:
            self.status.check_move(target)
        self.status = target

    def __repr__(self) -> str:
        return f"<CollectiveAction {self.id} {self.status}>"


ACTION_TEXT_FIELDS = (
    "title_fr",
    "title_en",
    "description_fr",
    "description_en",
    "desired_change_fr",
    "desired_change_en",
    "abandon_reason",
)


class ActionRevision(Revision, Base):
    """A snapshot of an action after a change (number 1 is the creation)."""

    __tablename__ = "action_revisions"
    __table_args__ = (sa.UniqueConstraint("action_id", "number"),)

    action_id: Mapped[int] = mapped_column(sa.ForeignKey("collective_actions.id", ondelete="CASCADE"))

    action: Mapped[CollectiveAction] = relationship(back_populates="revisions")


class Indicator(Base):
    __tablename__ = "action_indicators"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("collective_actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_fr: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    unit: Mapped[str] = mapped_column(sa.String(40))
    baseline: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 6))
    target: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 6))

    action: Mapped[CollectiveAction] = relationship(back_populates="indicators")
    measurements: Mapped[list["Measurement"]] = relationship(
        back_populates="indicator", cascade="all, delete-orphan", order_by="(Measurement.measured_on, Measurement.id)"
    )


class ProgressUpdate(PublishedThroughItem, Base):
    """A dated update posted by the action's lead; public once its moderation item is approved."""

    __tablename__ = "progress_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(sa.ForeignKey("collective_actions.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    posted_on: Mapped[date] = mapped_column(sa.Date)
    text: Mapped[str] = mapped_column(sa.Text)  # the author's text; the public reads the approved item's
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderation_items.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[CollectiveAction] = relationship()
    author: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()


class Measurement(Base):
    __tablename__ = "indicator_measurements"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(sa.ForeignKey("action_indicators.id", ondelete="CASCADE"), index=True)
    measured_on: Mapped[date] = mapped_column(sa.Date)
    value: Mapped[Decimal] = mapped_column(sa.Numeric(20, 6))
    # Set when the value came with a progress update: public only once the update is approved.
    update_id: Mapped[int | None] = mapped_column(sa.ForeignKey("progress_updates.id", ondelete="CASCADE"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    indicator: Mapped[Indicator] = relationship(back_populates="measurements")
    update: Mapped[ProgressUpdate | None] = relationship()


class Commitment(PublishedThroughItem, Base):
    """What a partner organization declares it will contribute to a priority (optionally to one of its actions)."""

    __tablename__ = "commitments"
    __table_args__ = (
        dates_ordered("starts_on", "ends_on"),
        at_least("amount", 0, optional=True),
        at_least("hours", 0, optional=True),
        sa.Index("ix_commitments_process_organization", "process_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    organization_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id", ondelete="CASCADE"))
    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("collective_actions.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[CommitmentKind] = mapped_column(enum_column(CommitmentKind, "kind"))
    text: Mapped[str] = mapped_column(sa.Text)  # the partner's text; the public reads the approved item's
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    hours: Mapped[int | None]
    starts_on: Mapped[date | None] = mapped_column(sa.Date)
    ends_on: Mapped[date | None] = mapped_column(sa.Date)
    item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderation_items.id", ondelete="SET NULL"), unique=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    process: Mapped[Process] = relationship()
    organization: Mapped[Organization] = relationship()
    orientation: Mapped[Orientation] = relationship()
    action: Mapped[CollectiveAction | None] = relationship()
    author: Mapped[User | None] = relationship()
