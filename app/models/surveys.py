"""Questionnaires and their responses.

Answers are normalized, one row per value, so that results are SQL aggregations:
- choice questions: one row per chosen option (``choice_id``); an "other, please specify" text is a row with
  ``is_other`` set and the text in ``text_value``;
- matrix questions: one row per answered row (``row_id``) with the chosen scale option (``choice_id``);
- ranking questions: one row per ranked option with ``rank`` (1 = first);
- numbers and ratings in ``number_value``, dates in ``date_value``, texts in ``text_value``;
- yes/no questions: ``number_value`` 1 (yes) or 0 (no);
- territory questions: one row with ``territory_id``;
- e-mail questions (identified surveys only): never an answer row, a ``RespondentContact``;
- a note has no answer. Answers to questions hidden by display conditions are never stored.

Each question type (app/questions/) writes and reads back its own rows.
"""

import enum
import secrets
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload, validates

from app.models.base import Base, JSONDocument, UTCDateTime, enum_column, utcnow
from app.models.columns import at_least, dates_ordered, positive
from app.models.lifecycle import Lifecycle
from app.models.people import Territory
from app.models.processes import Process

__all__ = [
    "Anonymity",
    "Answer",
    "Choice",
    "ChoiceKind",
    "Invitation",
    "Question",
    "QuestionType",
    "RespondentContact",
    "Response",
    "ResponseChannel",
    "ResponseStatus",
    "SubmissionKey",
    "Survey",
    "SurveyPage",
    "SurveyStatus",
]


class SurveyStatus(Lifecycle):
    DRAFT = "draft", "open"
    OPEN = "open", "closed"
    CLOSED = "closed", "open", "archived"
    ARCHIVED = "archived", "closed"


class Anonymity(enum.StrEnum):
    ANONYMOUS = "anonymous"  # no link between a response and anyone
    CONFIDENTIAL = "confidential"  # invitation attributes kept with the response, never an address
    IDENTIFIED = "identified"  # the respondent's e-mail is asked (stored apart from answers)


class QuestionType(enum.StrEnum):
    """The keys of the built-in question types (app/questions/). ``Question.type`` holds a key: one of these, or the
    key of a type registered by app.questions.registry (read back as a plain ``str``)."""

    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"
    YES_NO = "yes_no"
    RATING = "rating"
    NUMERIC = "numeric"
    DATE = "date"
    RANKING = "ranking"
    MATRIX = "matrix"
    TERRITORY = "territory"
    EMAIL = "email"
    NOTE = "note"  # a text-only block, no answer

    @property
    def is_answerable(self) -> bool:
        """Whether the type has an answer (what the application asks of a type goes through its class: see
        app.questions.question_type)."""
        # The types import the models: the registry is looked up when asked, not when this module loads.
        from app.questions.registry import question_type

        return question_type(self).answerable


def type_key(value: str) -> str:
    """A question type key as the models hold it: the built-in type's :class:`QuestionType` member, else the key."""
    try:
        return QuestionType(value)
    except ValueError:
        return str(value)


class QuestionTypeKey(sa.types.TypeDecorator):
    """``questions.type``: an open string (any registered key, see app.questions.registry), read back as
    :func:`type_key` gives it."""

    impl = sa.String(32)
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else str(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else type_key(value)


class ChoiceKind(enum.StrEnum):
    OPTION = "option"  # an answer option (for a matrix: a point of the shared scale)
    ROW = "row"  # a matrix row


class ResponseStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"


class ResponseChannel(enum.StrEnum):
    WEB = "web"
    PAPER = "paper"  # typed in by a facilitator from a paper questionnaire


def new_structure_key() -> str:
    return secrets.token_hex(16)


class Survey(Base):
    __tablename__ = "surveys"
    __table_args__ = (
        dates_ordered("opens_at", "closes_at", strict=True),
        positive("estimated_minutes", "duration_positive", optional=True),
        positive("retention_days", "retention_positive", optional=True),
        at_least("version", 1),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title_fr: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    intro_fr: Mapped[str] = mapped_column(sa.Text, default="")
    intro_en: Mapped[str] = mapped_column(sa.Text, default="")
    estimated_minutes: Mapped[int | None]
    # Privacy notice (Quebec's Law 25): purpose, who sees the answers, retention, contact.
    privacy_fr: Mapped[str] = mapped_column(sa.Text, default="")
    privacy_en: Mapped[str] = mapped_column(sa.Text, default="")
    retention_days: Mapped[int | None]
    contact_email: Mapped[str | None] = mapped_column(sa.String(254))
    anonymity: Mapped[Anonymity] = mapped_column(enum_column(Anonymity, "anonymity"), default=Anonymity.ANONYMOUS)
    status: Mapped[SurveyStatus] = mapped_column(
        enum_column(SurveyStatus, "status"), default=SurveyStatus.DRAFT, index=True
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Bumped by structural edits once responses exist; each response records the version it answered.
    version: Mapped[int] = mapped_column(default=1)
    template_key: Mapped[str | None] = mapped_column(sa.String(64))
    # Replaced by a new random value on every change to the survey, its pages, questions and choices, its
    # process or a territory (see renew_structure_keys below): what the respondent pages' cache of the
    # survey is checked against (app/respond/structure.py). Random rather than a counter, so that a key is
    # never seen twice, even when a database is rolled back or recreated under a running process.
    structure_key: Mapped[str] = mapped_column(sa.String(32), default=new_structure_key)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    process: Mapped[Process] = relationship()
    pages: Mapped[list["SurveyPage"]] = relationship(
        back_populates="survey", cascade="all, delete-orphan", order_by="SurveyPage.position"
    )
    # Every question of the survey, unordered across pages: use ordered_questions() for respondent order.
    questions: Mapped[list["Question"]] = relationship(back_populates="survey", cascade="all, delete-orphan")

    def move_to(self, target: SurveyStatus) -> None:
        self.status.check_move(target)
        self.status = target

    def is_accepting(self, now: datetime) -> bool:
        """Open, and within its dates when it has them."""
        if self.status is not SurveyStatus.OPEN:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return self.closes_at is None or now < self.closes_at

    def ordered_questions(self) -> list["Question"]:
        """Questions in the order a respondent meets them: by page, then by position on the page."""
        return [q for page in self.pages for q in page.questions]

    def question(self, code: str) -> "Question | None":
        return next((q for q in self.questions if q.code == code), None)

    def __repr__(self) -> str:
        return f"<Survey {self.slug}>"


class SurveyPage(Base):
    __tablename__ = "survey_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    title_fr: Mapped[str] = mapped_column(sa.String(200), default="")
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    intro_fr: Mapped[str] = mapped_column(sa.Text, default="")
    intro_en: Mapped[str] = mapped_column(sa.Text, default="")
    relevant: Mapped[str] = mapped_column(sa.Text, default="")  # display condition, XLSForm expression

    survey: Mapped[Survey] = relationship(back_populates="pages")
    questions: Mapped[list["Question"]] = relationship(
        back_populates="page", cascade="all, delete-orphan", order_by="Question.position"
    )


class Question(Base):
    __tablename__ = "questions"
    __table_args__ = (sa.UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("survey_pages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(64))  # the XLSForm `name`, referenced as ${code}
    type: Mapped[str] = mapped_column(QuestionTypeKey())  # a QuestionType, or a registered type's key
    label_fr: Mapped[str] = mapped_column(sa.Text, default="")
    label_en: Mapped[str] = mapped_column(sa.Text, default="")
    help_fr: Mapped[str] = mapped_column(sa.Text, default="")
    help_en: Mapped[str] = mapped_column(sa.Text, default="")
    required: Mapped[bool] = mapped_column(default=False)
    relevant: Mapped[str] = mapped_column(sa.Text, default="")  # display condition
    constraint: Mapped[str] = mapped_column(sa.Text, default="")  # validity condition on `.`
    constraint_message_fr: Mapped[str] = mapped_column(sa.Text, default="")
    constraint_message_en: Mapped[str] = mapped_column(sa.Text, default="")
    # Type-specific settings, e.g. min/max, min_selections/max_selections, max_length, display ("radios" |
    # "dropdown"), other (bool: "other, please specify"), scale (N) with low/high end labels, decimal (bool),
    # open (bool: free text goes to the moderation queue).
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)

    survey: Mapped[Survey] = relationship(back_populates="questions")
    page: Mapped[SurveyPage] = relationship(back_populates="questions")
    all_choices: Mapped[list["Choice"]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="Choice.position"
    )

    @property
    def choices(self) -> list["Choice"]:
        return [c for c in self.all_choices if c.kind is ChoiceKind.OPTION]

    @property
    def rows(self) -> list["Choice"]:
        return [c for c in self.all_choices if c.kind is ChoiceKind.ROW]

    @validates("type")
    def _type_key(self, _name: str, value: str) -> str:
        return type_key(value)

    def setting(self, key: str, default: Any = None) -> Any:
        return (self.settings or {}).get(key, default)

    def __repr__(self) -> str:
        return f"<Question {self.code} {self.type}>"


class Choice(Base):
    __tablename__ = "choices"
    __table_args__ = (sa.UniqueConstraint("question_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ChoiceKind] = mapped_column(enum_column(ChoiceKind, "kind"), default=ChoiceKind.OPTION)
    position: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(64))
    label_fr: Mapped[str] = mapped_column(sa.Text, default="")
    label_en: Mapped[str] = mapped_column(sa.Text, default="")

    question: Mapped[Question] = relationship(back_populates="all_choices")


class Invitation(Base):
    """A single-use link /i/<token> (only the token's SHA-256 digest is stored).

    Used up when a response starts with it (``claim_hash``, ``used_at``); the completion writes nothing here, so
    that no row of a completed response was written in the same transaction as its invitation.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)  # e.g. territory, group
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    # Kept for identified surveys only (suggested as the respondent's answer); anonymous and confidential surveys
    # use the address to send the link, then forget it (app/builder/invitations.py).
    email: Mapped[str | None] = mapped_column(sa.String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The day (00:00 UTC) a response was started with it: no time to match with the response's.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when a response is started with this invitation: a digest derived from that response's resume token
    # (app/respond/tokens.py), which lets the browser that started come back through the link and recognizes a
    # replayed Start. Neither the token nor the start key it derives from is stored, so the claim leads to no
    # response, even with the secret key.
    claim_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # A reminder (identified surveys only, where the address is kept): when it was sent, and the digest of the
    # second link it carried (the clear token of the first one is not kept); either link opens the invitation.
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminder_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)

    survey: Mapped[Survey] = relationship()


class Response(Base):
    __tablename__ = "responses"
    __table_args__ = (
        # With the id: the results page's fingerprint of a survey's complete responses is an index-only scan.
        sa.Index("ix_responses_survey_status", "survey_id", "status", "id"),
        sa.Index("ix_responses_survey_submitted", "survey_id", "submitted_at"),
        sa.CheckConstraint("submitted_at IS NULL OR status = 'complete'", "submitted_when_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(sa.ForeignKey("surveys.id", ondelete="CASCADE"))
    survey_version: Mapped[int]
    status: Mapped[ResponseStatus] = mapped_column(
        enum_column(ResponseStatus, "status"), default=ResponseStatus.IN_PROGRESS
    )
    channel: Mapped[ResponseChannel] = mapped_column(
        enum_column(ResponseChannel, "channel"), default=ResponseChannel.WEB
    )
    locale: Mapped[str] = mapped_column(sa.String(8), default="fr_CA")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Position of the page to show when the respondent comes back.
    current_page: Mapped[int] = mapped_column(default=0)
    # Digest of the resume token (link and cookie); cleared when the response is complete.
    resume_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    # Invitation attributes (territory, group…), kept only when the survey is not anonymous.
    attributes: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    # Identified surveys keep it; confidential ones only while the response is in progress (the same person may
    # continue on another device through the link); anonymous ones never.
    invitation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("invitations.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("events.id", ondelete="SET NULL"), index=True)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Where a paper questionnaire was filled in (typed at entry, all optional): the workshop or event as a label,
    # the day and the territory. Kept for every anonymity: it describes the session, not the person.
    paper_source: Mapped[str | None] = mapped_column(sa.String(200))
    paper_filled_on: Mapped[date | None] = mapped_column(sa.Date())
    paper_territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id", ondelete="SET NULL"))

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list["Answer"]] = relationship(back_populates="response", cascade="all, delete-orphan")


class Answer(Base):
    __tablename__ = "answers"
    __table_args__ = (
        sa.Index("ix_answers_question_choice", "question_id", "choice_id"),
        sa.Index("ix_answers_question_territory", "question_id", "territory_id"),
        sa.Index("ix_answers_response_question", "response_id", "question_id"),
        # The latest "other, please specify" texts of a question (results page), without reading its other answers.
        sa.Index(
            "ix_answers_question_other",
            "question_id",
            "id",
            postgresql_where=sa.text("is_other"),
            sqlite_where=sa.text("is_other"),
        ),
        sa.CheckConstraint(
            "choice_id IS NOT NULL OR text_value IS NOT NULL OR number_value IS NOT NULL OR date_value IS NOT NULL"
            " OR territory_id IS NOT NULL",
            "has_value",
        ),
        at_least("rank", 1, optional=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("questions.id", ondelete="CASCADE"))
    # NO ACTION (checked at the end of the statement): a choice with answers cannot be deleted on its own,
    # while deleting a whole survey cascades through both answers and choices.
    choice_id: Mapped[int | None] = mapped_column(sa.ForeignKey("choices.id"))
    row_id: Mapped[int | None] = mapped_column(sa.ForeignKey("choices.id"))
    text_value: Mapped[str | None] = mapped_column(sa.Text)
    number_value: Mapped[Decimal | None] = mapped_column(sa.Numeric(20, 6))
    date_value: Mapped[date | None]
    rank: Mapped[int | None]
    is_other: Mapped[bool] = mapped_column(default=False)
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id"))

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    choice: Mapped[Choice | None] = relationship(foreign_keys=[choice_id])
    row: Mapped[Choice | None] = relationship(foreign_keys=[row_id])
    territory: Mapped[Territory | None] = relationship()


class RespondentContact(Base):
    """The e-mail of an identified respondent, kept apart from the answers (deletable on request)."""

    __tablename__ = "respondent_contacts"

    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"), primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), index=True)


class SubmissionKey(Base):
    """One row per accepted page submission: a replayed or double-clicked POST finds its key and stores nothing.

    ``key`` holds the SHA-256 digest of the submitted key, never the key itself (app/respond/tokens.py).
    """

    __tablename__ = "submission_keys"

    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    response_id: Mapped[int] = mapped_column(sa.ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# A query option: a survey's pages, their questions and the questions' choices, three queries whatever their number.
SURVEY_PAGES_LOADED = selectinload(Survey.pages).selectinload(SurveyPage.questions).selectinload(Question.all_choices)


# ---------------------------------------------------------------------------------------------- structure keys


def _changed(session: Session, instance: object) -> bool:
    return instance not in session.dirty or session.is_modified(instance)


def _survey_id_of(instance: object) -> int | None:
    """The survey a page, question or choice belongs to, without a query (``None``: a survey not saved yet)."""
    if isinstance(instance, Survey):
        return instance.id
    if isinstance(instance, SurveyPage):
        return instance.survey_id or (instance.survey.id if instance.survey is not None else None)
    if isinstance(instance, Question):
        if instance.survey_id:
            return instance.survey_id
        parent = instance.page if instance.page is not None else instance.survey
        return _survey_id_of(parent) if parent is not None else None
    if isinstance(instance, Choice) and instance.question is not None:
        return _survey_id_of(instance.question)
    return None


def renew_structure_keys(session: Session, _flush_context, _instances) -> None:
    """A new ``Survey.structure_key`` for every survey whose structure this flush changes.

    All structure edits go through the ORM (there is no bulk UPDATE of these tables), so this one hook keeps
    the respondent pages' cache exact, whichever server made the change.
    """
    survey_ids: set[int] = set()
    process_ids: set[int] = set()
    question_ids: set[int] = set()
    every_survey = False
    for instance in [*session.new, *session.dirty, *session.deleted]:
        if isinstance(instance, (Survey, SurveyPage, Question, Choice)):
            if isinstance(instance, Survey) and instance in session.new:
                continue  # its key is new already
            if not _changed(session, instance):
                continue
            survey_id = _survey_id_of(instance)
            if survey_id is not None:
                survey_ids.add(survey_id)
            elif isinstance(instance, Choice) and instance.question_id is not None:
                question_ids.add(instance.question_id)
        elif isinstance(instance, Process) and instance.id is not None and _changed(session, instance):
            process_ids.add(instance.id)
        elif isinstance(instance, Territory) and instance.id is not None and instance not in session.new:
            every_survey = every_survey or _changed(session, instance)
    conditions = []
    if every_survey:
        conditions.append(sa.true())
    if survey_ids:
        conditions.append(Survey.id.in_(survey_ids))
    if process_ids:
        conditions.append(Survey.process_id.in_(process_ids))
    if question_ids:
        conditions.append(Survey.id.in_(sa.select(Question.survey_id).where(Question.id.in_(question_ids))))
    if conditions:
        # One new key for every survey concerned: the cache is keyed by (survey id, key), so sharing it is safe.
        session.execute(
            sa.update(Survey).where(sa.or_(*conditions)).values(structure_key=new_structure_key()),
            execution_options={"synchronize_session": False},
        )
