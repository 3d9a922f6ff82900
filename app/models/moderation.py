"""Moderation and consolidation: free-text items, themes, partner contributions, comments and draft orientations.

- :class:`ModerationItem` is one piece of free text waiting for (or past) a facilitator's decision: an open
  answer, an "other, please specify" text, a partner contribution or a comment on an orientation. ``text`` is the
  original, never altered; ``redacted_text`` is what partners see (NULL until the item is redacted or approved as
  is). ``version`` is the optimistic-locking counter: a decision taken on a stale version is refused.
- :class:`Theme` tags items (many to many); a merged theme points to the theme that absorbed it.
- :class:`Orientation` is a draft strategic orientation with its evidence (:class:`OrientationEvidence`, links to
  items that are never deleted by merge or split) and its revisions (:class:`OrientationRevision`).
"""

import enum
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from app.core.text import comparison_key
from app.models.base import Base, JSONDocument, UTCDateTime, enum_column, utcnow
from app.models.columns import Revision, at_least, link_table
from app.models.events import Event
from app.models.lifecycle import Lifecycle
from app.models.people import Organization, Territory, User
from app.models.processes import Process
from app.models.surveys import Answer, Question, Response, Survey

__all__ = [
    "Comment",
    "Contribution",
    "ItemSource",
    "ItemState",
    "ModerationItem",
    "Orientation",
    "OrientationEvidence",
    "OrientationRevision",
    "OrientationState",
    "RejectReason",
    "Theme",
    "item_themes",
]


class ItemSource(enum.StrEnum):
    ANSWER = "answer"  # an answer to an open text question
    OTHER_ANSWER = "other_answer"  # an "other, please specify" text
    CONTRIBUTION = "contribution"  # a partner's proposal
    COMMENT = "comment"  # a partner's comment on an orientation
    COMMITMENT = "commitment"  # a partner organization's commitment (app/followup)
    PROGRESS_UPDATE = "progress_update"  # an action lead's progress update (app/followup)
    EVENT = "event"  # an idea noted at an event (workshop, focus group, assembly...)


class ItemState(Lifecycle):
    PENDING = "pending", "approved", "rejected", "needs_redaction"
    APPROVED = "approved", "pending"
    REJECTED = "rejected", "pending"
    NEEDS_REDACTION = "needs_redaction", "approved", "rejected", "pending"


class RejectReason(enum.StrEnum):
    OFF_TOPIC = "off_topic"
    OFFENSIVE = "offensive"
    PERSONAL_INFORMATION = "personal_information"
    SPAM = "spam"
    DUPLICATE = "duplicate"


class OrientationState(Lifecycle):
    DRAFT = "draft", "in_review", "set_aside"
    IN_REVIEW = "in_review", "draft", "ready_for_vote", "set_aside"
    READY_FOR_VOTE = "ready_for_vote", "in_review", "adopted", "set_aside"
    ADOPTED = "adopted", "ready_for_vote"
    SET_ASIDE = "set_aside", "draft"


ORIENTATION_TRANSITIONS = OrientationState.transitions()
# States in which partners (and the public page) see an orientation.
PUBLISHED_ORIENTATION_STATES = (
    OrientationState.IN_REVIEW,
    OrientationState.READY_FOR_VOTE,
    OrientationState.ADOPTED,
)


item_themes = link_table("item_themes", ("item_id", "moderation_items"), ("theme_id", "themes"), index_second=True)


class Contribution(Base):
    """A partner's proposal of priority, on behalf of their organization."""

    __tablename__ = "contributions"

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(sa.Text)
    description: Mapped[str] = mapped_column(sa.Text)
    why_it_matters: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    process: Mapped[Process] = relationship()
    author: Mapped[User | None] = relationship()
    organization: Mapped[Organization | None] = relationship()


class Orientation(Base):
    __tablename__ = "orientations"
    __table_args__ = (sa.Index("ix_orientations_process_state", "process_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    title_fr: Mapped[str] = mapped_column(sa.String(300))
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    statement_fr: Mapped[str] = mapped_column(sa.Text, default="")
    statement_en: Mapped[str] = mapped_column(sa.Text, default="")
    rationale_fr: Mapped[str] = mapped_column(sa.Text, default="")
    rationale_en: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[OrientationState] = mapped_column(
        enum_column(OrientationState, "state"), default=OrientationState.DRAFT
    )
    # Set when this orientation was merged into another (it is then set aside, its history kept).
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orientations.id", ondelete="SET NULL"))
    # Set on the orientations created by splitting another.
    split_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orientations.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    process: Mapped[Process] = relationship()
    created_by: Mapped[User | None] = relationship()
    merged_into: Mapped["Orientation | None"] = relationship(remote_side=[id], foreign_keys=[merged_into_id])
    split_from: Mapped["Orientation | None"] = relationship(remote_side=[id], foreign_keys=[split_from_id])
    revisions: Mapped[list["OrientationRevision"]] = relationship(
        back_populates="orientation", cascade="all, delete-orphan", order_by="OrientationRevision.number"
    )

    def move_to(self, target: OrientationState) -> None:
        self.state.check_move(target)
        self.state = target

    @property
    def is_published(self) -> bool:
        return self.state in PUBLISHED_ORIENTATION_STATES

    def snapshot(self) -> dict[str, str]:
        return {field: getattr(self, field) or "" for field in ORIENTATION_TEXT_FIELDS}

    def __repr__(self) -> str:
        return f"<Orientation {self.id} {self.state}>"


ORIENTATION_TEXT_FIELDS = ("title_fr", "title_en", "statement_fr", "statement_en", "rationale_fr", "rationale_en")


class OrientationRevision(Revision, Base):
    """A snapshot of an orientation's texts after an edit (number 1 is the creation)."""

    __tablename__ = "orientation_revisions"
    __table_args__ = (sa.UniqueConstraint("orientation_id", "number"),)

    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"))

    orientation: Mapped[Orientation] = relationship(back_populates="revisions")


class Comment(Base):
    """A partner's comment on an orientation in review (it enters the moderation queue)."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(sa.Text)
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    orientation: Mapped[Orientation] = relationship()
    author: Mapped[User | None] = relationship()


class Theme(Base):
    """A theme of a process. Its French name is unique among the process's active (not merged) themes, whatever
    its case and accents: ``name_key`` holds the compared form, set with the name, under a partial unique index."""

    __tablename__ = "themes"
    __table_args__ = (
        sa.Index(
            "uq_themes_process_name_key",
            "process_id",
            "name_key",
            unique=True,
            sqlite_where=sa.text("merged_into_id IS NULL"),
            postgresql_where=sa.text("merged_into_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    name_fr: Mapped[str] = mapped_column(sa.String(200))
    name_key: Mapped[str] = mapped_column(sa.String(200), default="")
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    merged_into_id: Mapped[int | None] = mapped_column(sa.ForeignKey("themes.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    process: Mapped[Process] = relationship()
    merged_into: Mapped["Theme | None"] = relationship(remote_side=[id])

    @validates("name_fr")
    def _keep_name_key(self, _key: str, value: str) -> str:
        self.name_key = comparison_key(value)
        return value


class ModerationItem(Base):
    __tablename__ = "moderation_items"
    __table_args__ = (
        sa.Index("ix_moderation_items_process_state", "process_id", "state"),
        sa.Index("ix_moderation_items_process_created", "process_id", "created_at"),
        at_least("version", 1),
        sa.CheckConstraint("reject_reason IS NULL OR state = 'rejected'", "reason_when_rejected"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"))
    source: Mapped[ItemSource] = mapped_column(enum_column(ItemSource, "source"))
    survey_id: Mapped[int | None] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int | None] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    response_id: Mapped[int | None] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("answers.id", ondelete="CASCADE"), unique=True)
    contribution_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("contributions.id", ondelete="CASCADE"), unique=True
    )
    comment_id: Mapped[int | None] = mapped_column(sa.ForeignKey("comments.id", ondelete="CASCADE"), unique=True)
    # An idea noted at an event: the event (never deleted while it has items) and its table or group, if any.
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="RESTRICT"), index=True)
    event_group: Mapped[str | None] = mapped_column(sa.String(80))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id", ondelete="SET NULL"), index=True)
    respondent_group: Mapped[str | None] = mapped_column(sa.String(80))
    language: Mapped[str] = mapped_column(sa.String(2), default="fr")
    text: Mapped[str] = mapped_column(sa.Text)  # the original, verbatim, never altered
    redacted_text: Mapped[str | None] = mapped_column(sa.Text)  # what partners see
    pii_spans: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    flagged: Mapped[bool] = mapped_column(default=False)
    state: Mapped[ItemState] = mapped_column(enum_column(ItemState, "state"), default=ItemState.PENDING)
    reject_reason: Mapped[RejectReason | None] = mapped_column(enum_column(RejectReason, "reject_reason"))
    duplicate_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("moderation_items.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    process: Mapped[Process] = relationship()
    survey: Mapped[Survey | None] = relationship()
    question: Mapped[Question | None] = relationship()
    response: Mapped[Response | None] = relationship()
    answer: Mapped[Answer | None] = relationship()
    contribution: Mapped[Contribution | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    event: Mapped[Event | None] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    territory: Mapped[Territory | None] = relationship()
    duplicate_of: Mapped["ModerationItem | None"] = relationship(remote_side=[id])
    themes: Mapped[list[Theme]] = relationship(secondary=item_themes, order_by=Theme.name_fr)

    def move_to(self, target: ItemState) -> None:
        self.state.check_move(target)
        self.state = target

    @property
    def public_text(self) -> str | None:
        """The text partners may read: only for approved items, and only the redacted (or cleared) version."""
        if self.state is not ItemState.APPROVED:
            return None
        return self.redacted_text

    def __repr__(self) -> str:
        return f"<ModerationItem {self.id} {self.source} {self.state}>"


# Text search in the queue (app/moderation/search.py), PostgreSQL only: French stemming after unaccent, on a GIN
# index of the texts. The configuration is set up before the table (migration 8d2f0c6b5a41 does the same);
# unaccent is a trusted extension, which the owner of the database may create.
TEXT_SEARCH_CONFIGURATION = "concerto_fr"
TEXT_SEARCH_SETUP = (
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'concerto_fr') THEN
            CREATE TEXT SEARCH CONFIGURATION concerto_fr (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION concerto_fr
                ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
        END IF;
    END $$""",
)


def text_document(column: Any) -> Any:
    """The indexed expression: a query must use the same one for PostgreSQL to use the index."""
    return sa.func.to_tsvector(sa.literal_column(f"'{TEXT_SEARCH_CONFIGURATION}'::regconfig"), column)


for _statement in TEXT_SEARCH_SETUP:
    sa.event.listen(ModerationItem.__table__, "before_create", sa.DDL(_statement).execute_if(dialect="postgresql"))
sa.Index(
    "ix_moderation_items_text_search",
    text_document(ModerationItem.__table__.c.text),
    postgresql_using="gin",
    _table=ModerationItem.__table__,
).ddl_if(dialect="postgresql")


class OrientationEvidence(Base):
    """An item supporting an orientation. Merge and split move or copy these links, never delete items."""

    __tablename__ = "orientation_evidence"
    __table_args__ = (sa.Index("ix_orientation_evidence_item", "item_id"),)

    orientation_id: Mapped[int] = mapped_column(sa.ForeignKey("orientations.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[int] = mapped_column(sa.ForeignKey("moderation_items.id", ondelete="CASCADE"), primary_key=True)
    chosen_as_quote: Mapped[bool] = mapped_column(default=False)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    orientation: Mapped[Orientation] = relationship()
    item: Mapped[ModerationItem] = relationship()
