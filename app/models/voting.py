"""Ballots on priorities, their options, and how casts are stored so that a secret ballot stays secret.

Voting secrecy
--------------
Who has voted and what was voted live in two tables that share nothing but the ballot:

- :class:`VoterRecord` (``ballot_voters``) says *who* has voted: the user, their organization, when they first
  and last cast, how many times. It never refers to a cast.
- :class:`Cast` (``ballot_casts``) holds *what* was voted: the contents, a receipt code, the source (online or
  paper), and the voter's organization sector and territory (for the breakdown by group, shown only for
  groups of at least five ballots). Its primary key is random (uuid4) so that the order of the rows cannot be
  matched with the order of the voter records, and it has **no timestamp** (times could be matched with
  ``VoterRecord.last_cast_at``). On SQLite the table is ``WITHOUT ROWID``, so not even the hidden row id
  keeps the insertion order.

While a ballot is open a voter may change their vote, so the last cast must be found again: each online
cast carries a ``pseudonym`` = HMAC-SHA256(SECRET_KEY, "<ballot id>:<voter key>"), the voter key being the
user (or, for one ballot per organization, the organization, so that the last cast by any member counts).
The pair (ballot, pseudonym) is unique; a new cast replaces the contents and the receipt of the old one.
During the vote, someone holding both the database *and* the SECRET_KEY could recompute pseudonyms; nobody
else can. When the ballot closes (:meth:`app.voting.ballots.close_ballot`):

1. every pseudonym is set to NULL,
2. the casts are deleted and written again in a random order with new random ids (so that PostgreSQL's
   physical row order, which follows the order of the writes, no longer follows the order of the votes),
3. the sector and territory of the online casts are generalized by the rule of
   :mod:`app.voting.disclosure` (territory dropped, then sector, then the smallest group merged into the
   rest) until every (sector, territory) combination left — the one without either included — holds at
   least five casts, so that a voter who is the only one of their sector in their territory cannot be
   recognized by those two columns,
4. once that is committed, PostgreSQL rewrites the ``ballot_casts`` and ``ballots`` tables into new files
   (``VACUUM FULL``): the old versions of the rows (dead tuples, which kept the pseudonyms, the exact
   sectors and territories, and the transaction id of each vote — also the ``xmin`` of the voter's row in
   ``ballot_voters``) leave the database's pages. SQLite overwrites deleted content (``secure_delete``).

From then on nobody — not even someone with the database and the SECRET_KEY — can link a person to the
contents of their ballot. What remains linkable is what every secret ballot reveals: the published results,
which :mod:`app.voting.disclosure` keeps from telling what fewer than five voters voted. Copies of the
database taken while the vote was open (backups, write-ahead logs) still hold the pseudonyms: protect and
expire them.

While the vote is open, ``Ballot.live_snapshot`` holds the live results shown to voters (when the ballot
shows them) and facilitators: the contents of the casts counted at the last update (no receipt, no group, in
a canonical order), taken only once five more voters have voted (see :func:`app.voting.ballots.
refresh_live_snapshot`); it is erased at the close.

A ballot that is *not* secret (a show of hands, chosen explicitly) stores the voter's user id on the cast,
and facilitators see who voted what.
"""

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, enum_column, utcnow
from app.models.columns import at_least, not_empty
from app.models.lifecycle import Lifecycle
from app.models.people import Organization, Sector, Territory, User
from app.models.processes import Process

__all__ = [
    "Ballot",
    "BallotEligibility",
    "BallotOption",
    "BallotStatus",
    "Cast",
    "CastSource",
    "Eligibility",
    "OptionSource",
    "PaperImport",
    "ResultsVisibility",
    "VoterRecord",
    "VotingMethod",
]

# Majority judgment's default scale. The same number as app.voting.tally.DEFAULT_GRADES: the models import nothing
# from the features, and the tally imports no model (tests/unit/test_voting_pure.py checks that they agree).
DEFAULT_GRADES = 6


class VotingMethod(enum.StrEnum):
    APPROVAL = "approval"
    POINTS = "points"
    RANKING = "ranking"
    MAJORITY_JUDGMENT = "majority-judgment"

    @property
    def tally_method(self) -> str:
        """The method name of :func:`app.voting.tally.tally` (a ranking is counted with Schulze)."""
        return "schulze" if self is VotingMethod.RANKING else self.value


class BallotStatus(Lifecycle):
    """No way back: closing erases what would allow a vote to be changed."""

    DRAFT = "draft", "open"
    OPEN = "open", "closed"
    CLOSED = "closed", "published"
    PUBLISHED = "published"


class Eligibility(enum.StrEnum):
    ALL_PARTNERS = "all_partners"
    LISTED = "listed"
    ONE_PER_ORGANIZATION = "one_per_organization"


class ResultsVisibility(enum.StrEnum):
    LIVE = "live"
    AFTER_CLOSE = "after_close"


class OptionSource(enum.StrEnum):
    TYPED = "typed"
    ORIENTATION = "orientation"


class CastSource(enum.StrEnum):
    ONLINE = "online"
    PAPER = "paper"


def new_cast_id() -> str:
    return uuid.uuid4().hex


class Ballot(Base):
    __tablename__ = "ballots"
    __table_args__ = (
        sa.CheckConstraint("opens_at IS NULL OR closes_at IS NULL OR closes_at > opens_at", "dates_ordered"),
        sa.CheckConstraint("quorum_percent IS NULL OR (quorum_percent >= 1 AND quorum_percent <= 100)", "quorum"),
        not_empty("question_fr", "question_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    process_id: Mapped[int] = mapped_column(sa.ForeignKey("processes.id", ondelete="CASCADE"), index=True)
    question_fr: Mapped[str] = mapped_column(sa.String(300))
    question_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    method: Mapped[VotingMethod] = mapped_column(enum_column(VotingMethod, "method"))
    # approval: max_choices; points: budget, max_per_option; majority judgment: grades.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[BallotStatus] = mapped_column(
        enum_column(BallotStatus, "status"), default=BallotStatus.DRAFT, index=True
    )
    eligibility: Mapped[Eligibility] = mapped_column(
        enum_column(Eligibility, "eligibility"), default=Eligibility.ALL_PARTNERS
    )
    quorum_percent: Mapped[int | None]
    results_visibility: Mapped[ResultsVisibility] = mapped_column(
        enum_column(ResultsVisibility, "results_visibility"), default=ResultsVisibility.AFTER_CLOSE
    )
    secret: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # While open: the live results at their last update (see the module docstring); None otherwise.
    live_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)

    process: Mapped[Process] = relationship()
    created_by: Mapped[User | None] = relationship()
    options: Mapped[list["BallotOption"]] = relationship(
        back_populates="ballot",
        cascade="all, delete-orphan",
        order_by="(BallotOption.position, BallotOption.id)",
    )
    listed_voters: Mapped[list[User]] = relationship(secondary="ballot_eligibility", order_by=User.name)

    # --- lifecycle ------------------------------------------------------------------------------------

    def move_to(self, target: BallotStatus, now: datetime | None = None) -> None:
        self.status.check_move(target)
        now = now or utcnow()
        self.status = target
        if target is BallotStatus.OPEN:
            self.opened_at = now
        elif target is BallotStatus.CLOSED:
            self.closed_at = now
        elif target is BallotStatus.PUBLISHED:
            self.published_at = now

    def open(self, now: datetime | None = None) -> None:
        self.move_to(BallotStatus.OPEN, now)

    def close(self, now: datetime | None = None) -> None:
        self.move_to(BallotStatus.CLOSED, now)

    def publish(self, now: datetime | None = None) -> None:
        self.move_to(BallotStatus.PUBLISHED, now)

    @property
    def is_draft(self) -> bool:
        return self.status is BallotStatus.DRAFT

    @property
    def is_open(self) -> bool:
        return self.status is BallotStatus.OPEN

    @property
    def is_over(self) -> bool:
        """Closed or published: no more online casts."""
        return self.status in (BallotStatus.CLOSED, BallotStatus.PUBLISHED)

    @property
    def is_published(self) -> bool:
        return self.status is BallotStatus.PUBLISHED

    def accepts_casts(self, now: datetime) -> bool:
        """Open, and within the voting window when one is set."""
        if not self.is_open:
            return False
        if self.opens_at is not None and now < self.opens_at:
            return False
        return not (self.closes_at is not None and now >= self.closes_at)

    def is_due_to_close(self, now: datetime) -> bool:
        return self.is_open and self.closes_at is not None and now >= self.closes_at

    # --- settings -------------------------------------------------------------------------------------

    @property
    def tally_method(self) -> str:
        return self.method.tally_method

    def setting(self, name: str) -> int | None:
        value = (self.settings or {}).get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def max_choices(self) -> int | None:
        return self.setting("max_choices") if self.method is VotingMethod.APPROVAL else None

    @property
    def budget(self) -> int | None:
        return self.setting("budget") if self.method is VotingMethod.POINTS else None

    @property
    def max_per_option(self) -> int | None:
        return self.setting("max_per_option") if self.method is VotingMethod.POINTS else None

    @property
    def grades(self) -> int:
        return self.setting("grades") or DEFAULT_GRADES

    def tally_settings(self) -> dict[str, int]:
        """Keyword arguments for :func:`app.voting.tally.tally` and the validators."""
        settings: dict[str, int] = {}
        if self.method is VotingMethod.MAJORITY_JUDGMENT:
            settings["grades"] = self.grades
        for name, value in (("max_choices", self.max_choices), ("budget", self.budget)):
            if value is not None:
                settings[name] = value
        if self.max_per_option is not None:
            settings["max_per_option"] = self.max_per_option
        return settings

    def __repr__(self) -> str:
        return f"<Ballot {self.id} {self.method} {self.status}>"


class BallotOption(Base):
    __tablename__ = "ballot_options"
    __table_args__ = (not_empty("label_fr", "label_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label_fr: Mapped[str] = mapped_column(sa.String(300))
    label_en: Mapped[str] = mapped_column(sa.String(300), default="")
    description_fr: Mapped[str] = mapped_column(sa.Text, default="")
    description_en: Mapped[str] = mapped_column(sa.Text, default="")
    source: Mapped[OptionSource] = mapped_column(enum_column(OptionSource, "source"), default=OptionSource.TYPED)
    adopted: Mapped[bool] = mapped_column(default=False)
    adopted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    adopted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The draft strategic orientation this option puts to the vote (source = orientation).
    orientation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("orientations.id", ondelete="SET NULL"), index=True
    )

    ballot: Mapped[Ballot] = relationship(back_populates="options")
    adopted_by: Mapped[User | None] = relationship()

    @property
    def key(self) -> str:
        """The option's name in tallies and in stored cast contents."""
        return str(self.id)

    def __repr__(self) -> str:
        return f"<BallotOption {self.id}>"


class BallotEligibility(Base):
    """The people called to vote when the ballot's eligibility is ``listed``."""

    __tablename__ = "ballot_eligibility"

    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class VoterRecord(Base):
    """Who has voted on a ballot (never what: nothing here refers to a cast)."""

    __tablename__ = "ballot_voters"
    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "user_id"),
        at_least("cast_count", 1),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organization_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organizations.id", ondelete="SET NULL"), index=True
    )
    first_cast_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_cast_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    cast_count: Mapped[int] = mapped_column(default=1)

    user: Mapped[User] = relationship()
    organization: Mapped[Organization | None] = relationship()


class Cast(Base):
    """What was voted: one counted ballot. See the module docstring for why there is no timestamp here."""

    __tablename__ = "ballot_casts"
    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "pseudonym"),
        sa.UniqueConstraint("ballot_id", "receipt"),
        sa.CheckConstraint("source = 'online' OR (pseudonym IS NULL AND user_id IS NULL)", "paper_is_anonymous"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_cast_id)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"))
    # {option id (str): int}: approval 1 per approved option, points, rank (1 = first), grade (0 = reject).
    contents: Mapped[dict[str, int]] = mapped_column(JSONDocument, default=dict)
    receipt: Mapped[str] = mapped_column(sa.String(16))
    source: Mapped[CastSource] = mapped_column(enum_column(CastSource, "source"), default=CastSource.ONLINE)
    sector: Mapped[Sector | None] = mapped_column(enum_column(Sector, "sector"))
    territory_id: Mapped[int | None] = mapped_column(sa.ForeignKey("territories.id", ondelete="SET NULL"))
    # Only while the ballot is open; NULL from closing on.
    pseudonym: Mapped[str | None] = mapped_column(sa.String(64))
    # Only for ballots that are not secret (a show of hands).
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    territory: Mapped[Territory | None] = relationship()
    user: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<Cast {self.receipt}>"


class PaperImport(Base):
    """One file of paper ballots imported into a ballot; the file's digest refuses a second import of it."""

    __tablename__ = "ballot_paper_imports"
    __table_args__ = (
        sa.UniqueConstraint("ballot_id", "file_sha256"),
        at_least("ballot_count", 0),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(sa.ForeignKey("ballots.id", ondelete="CASCADE"))
    file_sha256: Mapped[str] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    ballot_count: Mapped[int]
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    imported_by: Mapped[User | None] = relationship()
