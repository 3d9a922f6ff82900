"""Concerted planning processes (démarches) and their phases."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UTCDateTime, enum_column, utcnow
from app.models.columns import at_least, dates_ordered, link_table, not_empty
from app.models.lifecycle import IllegalTransition, Lifecycle
from app.models.people import Territory

__all__ = [
    "IllegalTransition",
    "ParticipationTarget",
    "Phase",
    "PhaseKind",
    "Process",
    "ProcessStatus",
    "process_territories",
]


class ProcessStatus(Lifecycle):
    DRAFT = "draft", "active"
    ACTIVE = "active", "completed", "draft"
    COMPLETED = "completed", "archived", "active"
    ARCHIVED = "archived", "completed"


class PhaseKind(enum.StrEnum):
    """What a phase is for, when it matters to the app (partners contribute during consultation and synthesis);
    optional: a phase is named by its facilitators."""

    CONSULTATION = "consultation"
    SYNTHESIS = "synthesis"
    VALIDATION = "validation"
    LAUNCH = "launch"


# The names a phase of a kind gets when none is given (French, English): the four phases of before, as data.
DEFAULT_PHASE_NAMES = {
    PhaseKind.CONSULTATION: ("Consultation", "Consultation"),
    PhaseKind.SYNTHESIS: ("Synthèse", "Synthesis"),
    PhaseKind.VALIDATION: ("Validation (vote)", "Validation (vote)"),
    PhaseKind.LAUNCH: ("Lancement", "Launch"),
}


process_territories = link_table("process_territories", ("process_id", "processes"), ("territory_id", "territories"))


class Process(Base):
    __tablename__ = "processes"
    __table_args__ = (not_empty("slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_fr: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200))
    purpose_fr: Mapped[str] = mapped_column(sa.Text, default="")
    purpose_en: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[ProcessStatus] = mapped_column(
        enum_column(ProcessStatus, "status"), default=ProcessStatus.DRAFT, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    phases: Mapped[list["Phase"]] = relationship(
        back_populates="process", cascade="all, delete-orphan", order_by="(Phase.position, Phase.starts_on)"
    )
    territories: Mapped[list[Territory]] = relationship(secondary=process_territories, order_by=Territory.name)

    @property
    def is_public(self) -> bool:
        return self.status is not ProcessStatus.DRAFT

    def move_to(self, target: ProcessStatus) -> None:
        self.status.check_move(target)
        self.status = target

    def phase(self, kind: PhaseKind) -> "Phase | None":
        return next((p for p in self.phases if p.kind is kind), None)

    def current_phase(self, today: date) -> "Phase | None":
        return next((p for p in self.phases if p.starts_on <= today <= p.ends_on), None)

    def __repr__(self) -> str:
        return f"<Process {self.slug}>"


class Phase(Base):
    """One step of a process, named by its facilitators, in the order of the list they edit (by dates)."""

    __tablename__ = "phases"
    __table_args__ = (dates_ordered("starts_on", "ends_on", optional=False),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name_fr: Mapped[str] = mapped_column(sa.String(120), default="")
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    kind: Mapped[PhaseKind | None] = mapped_column(enum_column(PhaseKind, "kind"))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")

    process: Mapped[Process] = relationship(back_populates="phases")

    def __init__(self, **kwargs) -> None:
        kind = kwargs.get("kind")
        if kind is not None and not kwargs.get("name_fr"):
            kwargs["name_fr"], default_en = DEFAULT_PHASE_NAMES[PhaseKind(kind)]
            kwargs.setdefault("name_en", default_en)
        super().__init__(**kwargs)

    def status_on(self, today: date) -> str:
        """'past', 'current' or 'upcoming' relative to ``today``."""
        if today > self.ends_on:
            return "past"
        if today < self.starts_on:
            return "upcoming"
        return "current"


class ParticipationTarget(Base):
    """How many complete responses the facilitators aim for in a territory, for one process."""

    __tablename__ = "participation_targets"
    __table_args__ = (
        sa.UniqueConstraint("process_id", "territory_id"),
        at_least("target", 0, "target_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    territory_id: Mapped[int] = mapped_column(sa.ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    target: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    process: Mapped[Process] = relationship()
    territory: Mapped[Territory] = relationship()
