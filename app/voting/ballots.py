"""Ballots: drafting, opening, closing and publishing, who may vote, and casting a vote.

No request object here: views parse the form, call these functions and commit once. Every function only
``flush()``-es; errors are :class:`VotingError` subclasses whose ``message`` is a translatable string (and
``field`` the form field at fault, when there is one).

How casts are stored so that a secret ballot stays secret is described in :mod:`app.models.voting`; this
module is the only writer of :class:`~app.models.Cast` and :class:`~app.models.VoterRecord` rows for online
votes. Casting relies on the unique constraints (ballot, pseudonym) and (ballot, user) with
``INSERT … ON CONFLICT DO UPDATE`` (SQLite and PostgreSQL), so two sessions of one voter, or two members of
one organization under "one ballot per organization", casting at the same moment end with exactly one
counted cast: the last one. The ballot row is read ``FOR SHARE`` while casting and locked ``FOR UPDATE``
while closing (and while taking a live snapshot), so that no cast can slip in between the closing and the
erasing of the pseudonyms.

Receipt codes are derived from a random token, HMAC-SHA256(SECRET_KEY, token): the voter's session cookie
carries the token to the page that shows the code once, and the cookie, which Flask signs but does not
encrypt, does not tell the code to whoever reads it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context
from flask_babel import lazy_gettext as _l
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from app.compliance import audit
from app.core.deferred import after_response
from app.core.errors import DomainError
from app.core.extensions import db
from app.core.text import comparison_key
from app.models import (
    Ballot,
    BallotEligibility,
    BallotOption,
    BallotStatus,
    Cast,
    CastSource,
    Eligibility,
    IllegalTransition,
    ItemState,
    ModerationItem,
    OptionSource,
    Orientation,
    OrientationEvidence,
    OrientationState,
    Process,
    ProcessStatus,
    ResultsVisibility,
    Role,
    User,
    VoterRecord,
    VotingMethod,
    utcnow,
)
from app.models.moderation import PUBLISHED_ORIENTATION_STATES
from app.models.voting import new_cast_id
from app.voting.disclosure import THRESHOLD, generalize, live_update_due
from app.voting.tally import (
    DEFAULT_GRADES,
    BallotError,
    validate_approval,
    validate_grades,
    validate_points,
    validate_ranking,
)
from app.web.i18n import current_language, localized

logger = logging.getLogger(__name__)

# Receipt codes: 10 characters of a 32-letter alphabet without 0/O, 1/I (50 bits), shown as XXXX-XXXX-XX.
RECEIPT_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
RECEIPT_LENGTH = 10
MIN_GROUP_SIZE = THRESHOLD
MAX_OPTIONS = 50
MAX_LABEL_LENGTH = 300
CAST_ATTEMPTS = 5


class VotingError(DomainError):
    """A refused voting action; ``message`` is shown to the person, next to ``field`` when given."""

    def __init__(self, message: Any, field: str | None = None, code: str = "refused") -> None:
        super().__init__(message, field)
        self.code = code


class NotEligible(VotingError):
    pass


class NotAcceptingCasts(VotingError):
    pass


@dataclass(frozen=True)
class ChoiceError:
    """A problem with a ballot being cast: the option at fault (its id) or None for the whole ballot."""

    option_id: int | None
    message: Any
    code: str = "invalid"


class InvalidBallot(VotingError):
    def __init__(self, errors: list[ChoiceError]) -> None:
        super().__init__(_l("The ballot has errors; nothing was recorded."), code="invalid_ballot")
        self.errors = errors


# --- drafting ---------------------------------------------------------------------------------------------


@dataclass
class OptionInput:
    label_fr: str
    label_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    option_id: int | None = None
    orientation_id: int | None = None  # an option that puts this orientation to the vote


@dataclass
class BallotDraft:
    """Everything a facilitator sets on a draft ballot."""

    question_fr: str
    method: VotingMethod
    options: list[OptionInput]
    question_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    max_choices: int | None = None
    budget: int | None = None
    max_per_option: int | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    eligibility: Eligibility = Eligibility.ALL_PARTNERS
    listed_user_ids: list[int] = field(default_factory=list)
    quorum_percent: int | None = None
    results_visibility: ResultsVisibility = ResultsVisibility.AFTER_CLOSE
    secret: bool = True
    # Orientations ready for a vote that become options (after the typed ones): title as label, statement as
    # description, linked to the orientation and so to its evidence.
    orientation_ids: list[int] = field(default_factory=list)


def normalize_label(label: str) -> str:
    """How option names are compared (and matched with CSV headers): NFC, trimmed, case-folded."""
    return unicodedata.normalize("NFC", label.strip()).casefold()


def _clean(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


def save_draft(actor: User, process: Process, ballot: Ballot | None, draft: BallotDraft) -> Ballot:
    """Create (``ballot`` None) or update a draft ballot of ``process``; raises :class:`VotingError`."""
    if ballot is not None and not ballot.is_draft:
        raise VotingError(_l("Only a draft ballot can be changed."))
    options = [o for o in draft.options if _clean(o.label_fr) or _clean(o.label_en)]
    options += orientation_options(process, draft.orientation_ids, ballot)
    _check_draft(draft, options)
    creating = ballot is None
    if ballot is None:
        ballot = Ballot(process=process, created_by=actor, status=BallotStatus.DRAFT)
        db.session.add(ballot)
    ballot.question_fr = _clean(draft.question_fr)
    ballot.question_en = _clean(draft.question_en)
    ballot.description_fr = (draft.description_fr or "").strip()
    ballot.description_en = (draft.description_en or "").strip()
    ballot.method = draft.method
    ballot.settings = _settings(draft)
    ballot.opens_at = draft.opens_at
    ballot.closes_at = draft.closes_at
    ballot.eligibility = draft.eligibility
    ballot.quorum_percent = draft.quorum_percent
    ballot.results_visibility = draft.results_visibility
    ballot.secret = draft.secret
    _sync_options(ballot, options)
    db.session.flush()
    _sync_listed_voters(ballot, draft.listed_user_ids if draft.eligibility is Eligibility.LISTED else [])
    db.session.flush()
    audit.record(
        actor,
        "ballot.create" if creating else "ballot.update",
        ballot,
        method=ballot.method.value,
        options=len(ballot.options),
    )
    return ballot


def ready_orientations(process: Process, ballot: Ballot | None = None) -> list[Orientation]:
    """The orientations of the process ready for a vote that are not options of ``ballot`` yet."""
    query = sa.select(Orientation).where(
        Orientation.process_id == process.id, Orientation.state == OrientationState.READY_FOR_VOTE
    )
    if ballot is not None and ballot.id is not None:
        query = query.where(
            Orientation.id.not_in(
                sa.select(BallotOption.orientation_id).where(
                    BallotOption.ballot_id == ballot.id, BallotOption.orientation_id.is_not(None)
                )
            )
        )
    return list(db.session.scalars(query.order_by(Orientation.id)))


def orientation_options(process: Process, orientation_ids: Iterable[int], ballot: Ballot | None) -> list[OptionInput]:
    wanted = {int(i) for i in orientation_ids}
    if not wanted:
        return []
    ready = {o.id: o for o in ready_orientations(process, ballot)}
    if not wanted <= set(ready):
        raise VotingError(_l("Choose orientations of this process that are ready for a vote."), "orientation_ids")
    return [
        OptionInput(
            label_fr=ready[i].title_fr,
            label_en=ready[i].title_en,
            description_fr=ready[i].statement_fr,
            description_en=ready[i].statement_en,
            orientation_id=i,
        )
        for i in sorted(wanted)
    ]


def option_evidence(ballot: Ballot) -> dict[int, tuple[int, int]]:
    """Option id -> (orientation id, approved evidence items) for the options that put a published orientation
    to the vote: what the voting page links to, so partners vote knowing what each option rests on. A ballot whose
    options put no orientation to the vote (the page shows its options anyway) needs no query."""
    if not any(option.orientation_id is not None for option in ballot.options):
        return {}
    rows = db.session.execute(
        sa.select(BallotOption.id, Orientation.id, sa.func.count(ModerationItem.id))
        .join(Orientation, Orientation.id == BallotOption.orientation_id)
        .outerjoin(OrientationEvidence, OrientationEvidence.orientation_id == Orientation.id)
        .outerjoin(
            ModerationItem,
            sa.and_(ModerationItem.id == OrientationEvidence.item_id, ModerationItem.state == ItemState.APPROVED),
        )
        .where(BallotOption.ballot_id == ballot.id, Orientation.state.in_(PUBLISHED_ORIENTATION_STATES))
        .group_by(BallotOption.id, Orientation.id)
    )
    return {option_id: (orientation_id, count) for option_id, orientation_id, count in rows}


def same_label(options: Iterable[BallotOption | OptionInput], label_fr: str, label_en: str = "") -> str | None:
    """The label among ``options`` that ``label_fr`` or ``label_en`` repeats (case and accents aside), else None."""
    keys = {comparison_key(label) for label in (label_fr, label_en) if _clean(label)}
    for option in options:
        for label in (option.label_fr, option.label_en):
            if _clean(label) and comparison_key(label) in keys:
                return _clean(label)
    return None


def _check_draft(draft: BallotDraft, options: list[OptionInput]) -> None:
    if not _clean(draft.question_fr):
        raise VotingError(_l("Write the question in French."), "question_fr")
    if len(options) < 2:
        raise VotingError(_l("A ballot needs at least two options."), "options")
    if len(options) > MAX_OPTIONS:
        raise VotingError(_l("A ballot can have at most %(num)d options.", num=MAX_OPTIONS), "options")
    for number, option in enumerate(options, start=1):
        if not _clean(option.label_fr):
            raise VotingError(_l("Option %(number)d has no French label.", number=number), "options")
        if len(_clean(option.label_fr)) > MAX_LABEL_LENGTH or len(_clean(option.label_en)) > MAX_LABEL_LENGTH:
            raise VotingError(
                _l(
                    "The label of option %(number)d is longer than %(max)d characters.",
                    number=number,
                    max=MAX_LABEL_LENGTH,
                ),
                "options",
            )
    for language in ("fr", "en"):
        seen: dict[str, int] = {}
        for number, option in enumerate(options, start=1):
            label = _clean(getattr(option, f"label_{language}"))
            if not label:
                continue
            key = comparison_key(label)
            if key in seen:
                raise VotingError(
                    _l(
                        "Options %(first)d and %(second)d have the same label “%(label)s”: each option needs its "
                        "own label (in each language).",
                        first=seen[key],
                        second=number,
                        label=label,
                    ),
                    "options",
                )
            seen[key] = number
    n = len(options)
    if draft.method is VotingMethod.APPROVAL and draft.max_choices is not None and not 1 <= draft.max_choices <= n:
        raise VotingError(
            _l("The number of choices must be between 1 and the number of options (%(num)d).", num=n), "max_choices"
        )
    if draft.method is VotingMethod.POINTS:
        if draft.budget is None or draft.budget < 1:
            raise VotingError(_l("Give the number of points each voter spreads (1 or more)."), "budget")
        if draft.max_per_option is not None and not 1 <= draft.max_per_option <= draft.budget:
            raise VotingError(
                _l("The maximum per option must be between 1 and the budget (%(num)d).", num=draft.budget),
                "max_per_option",
            )
    if draft.opens_at and draft.closes_at and draft.closes_at <= draft.opens_at:
        raise VotingError(_l("The closing time must come after the opening time."), "closes_at")
    if draft.quorum_percent is not None and not 1 <= draft.quorum_percent <= 100:
        raise VotingError(_l("The quorum is a percentage between 1 and 100."), "quorum_percent")


def _settings(draft: BallotDraft) -> dict[str, int]:
    if draft.method is VotingMethod.APPROVAL:
        return {"max_choices": draft.max_choices} if draft.max_choices is not None else {}
    if draft.method is VotingMethod.POINTS:
        settings = {"budget": draft.budget}
        if draft.max_per_option is not None:
            settings["max_per_option"] = draft.max_per_option
        return settings
    if draft.method is VotingMethod.MAJORITY_JUDGMENT:
        return {"grades": DEFAULT_GRADES}
    return {}


def _sync_options(ballot: Ballot, options: list[OptionInput]) -> None:
    existing = {o.id: o for o in ballot.options if o.id is not None}
    kept: list[BallotOption] = []
    for position, data in enumerate(options, start=1):
        option = existing.pop(data.option_id, None) if data.option_id is not None else None
        if option is None:
            option = BallotOption(source=OptionSource.TYPED)
            if data.orientation_id is not None:
                option.source, option.orientation_id = OptionSource.ORIENTATION, data.orientation_id
            ballot.options.append(option)
        option.position = position
        option.label_fr = _clean(data.label_fr)
        option.label_en = _clean(data.label_en)
        option.description_fr = (data.description_fr or "").strip()
        option.description_en = (data.description_en or "").strip()
        kept.append(option)
    for option in existing.values():
        ballot.options.remove(option)
    ballot.options.sort(key=lambda o: o.position)


def _sync_listed_voters(ballot: Ballot, user_ids: Iterable[int]) -> None:
    wanted = set(
        db.session.execute(sa.select(User.id).where(User.id.in_(set(user_ids)), User.active.is_(True))).scalars()
    )
    current = set(
        db.session.execute(sa.select(BallotEligibility.user_id).where(BallotEligibility.ballot_id == ballot.id))
        .scalars()
        .all()
    )
    if current - wanted:
        db.session.execute(
            sa.delete(BallotEligibility).where(
                BallotEligibility.ballot_id == ballot.id, BallotEligibility.user_id.in_(current - wanted)
            )
        )
    for user_id in sorted(wanted - current):
        db.session.add(BallotEligibility(ballot_id=ballot.id, user_id=user_id))
    db.session.expire(ballot, ["listed_voters"])


def delete_draft(actor: User, ballot: Ballot) -> None:
    if not ballot.is_draft:
        raise VotingError(_l("Only a draft ballot can be deleted."))
    audit.record(actor, "ballot.delete", ballot, question=ballot.question_fr)
    db.session.delete(ballot)
    db.session.flush()


# --- lifecycle ------------------------------------------------------------------------------------------


def open_ballot(actor: User, ballot: Ballot, now: datetime | None = None) -> None:
    now = now or utcnow()
    if not ballot.is_draft:
        raise VotingError(_l("This ballot is not a draft any more."))
    if len(ballot.options) < 2:
        raise VotingError(_l("A ballot needs at least two options."))
    if ballot.process.status is not ProcessStatus.ACTIVE:
        raise VotingError(_l("Ballots can only be opened in an active process."))
    if ballot.closes_at is not None and ballot.closes_at <= now:
        raise VotingError(_l("The closing time is already past: change it before opening the ballot."))
    if ballot.eligibility is Eligibility.LISTED and not any(u.active for u in ballot.listed_voters):
        raise VotingError(_l("Choose at least one voter before opening the ballot."))
    ballot.open(now)
    db.session.flush()
    audit.record(actor, "ballot.open", ballot)
    logger.info("Ballot %s opened by user %s", ballot.id, actor.id)


def close_ballot(actor: User | None, ballot: Ballot, now: datetime | None = None) -> None:
    """Close the vote and seal the casts (see :mod:`app.models.voting`). ``actor`` None: closing time reached."""
    now = now or utcnow()
    db.session.refresh(ballot, with_for_update=True)
    if not ballot.is_open:
        raise IllegalTransition(ballot.status, BallotStatus.CLOSED)
    ballot.close(now)
    db.session.flush()
    sealed = seal_casts(ballot)
    rewrite_storage_after_commit()
    audit.record(actor, "ballot.close", ballot, automatic=actor is None, casts=sealed)
    logger.info("Ballot %s closed (%s casts sealed)", ballot.id, sealed)


def close_if_due(ballot: Ballot, now: datetime | None = None) -> bool:
    """Close an open ballot whose closing time has passed, as of that time, and seal its casts; True when this call
    closed it. Writes (flushes): the next write on the ballot does it, or ``flask close-due-ballots``; until then,
    pages see it closed through :func:`as_seen`."""
    now = now or utcnow()
    if not ballot.is_due_to_close(now):
        return False
    try:
        close_ballot(None, ballot, ballot.closes_at)
    except IllegalTransition:  # closed meanwhile by someone else
        return False
    return True


def as_seen(ballot: Ballot, now: datetime | None = None) -> Ballot:
    """``ballot`` as everyone sees it at ``now``, without writing anything: past its closing time, an open ballot is
    closed (closed at its closing time, without live results), as :func:`close_if_due` will store it.

    For reading only (GET requests write nothing): the state is set as if it had been loaded so, never flushed.
    Its casts are still as cast until the close is stored (pseudonyms, exact groups): what is shown of them reads
    them as sealing leaves them (:func:`app.voting.results.iter_casts`), so pages, exports and results are the same
    before and after the close is stored.
    """
    if ballot.is_due_to_close(now or utcnow()):
        set_committed_value(ballot, "status", BallotStatus.CLOSED)
        set_committed_value(ballot, "closed_at", ballot.closes_at)
        set_committed_value(ballot, "live_snapshot", None)
    return ballot


def close_due_ballots(now: datetime | None = None) -> list[int]:
    """Close and seal every open ballot past its closing time (``flask close-due-ballots``); their ids. Flushes."""
    now = now or utcnow()
    due = db.session.scalars(
        sa.select(Ballot)
        .where(Ballot.status == BallotStatus.OPEN, Ballot.closes_at.is_not(None), Ballot.closes_at <= now)
        .order_by(Ballot.id)
    ).all()
    return [ballot.id for ballot in due if close_if_due(ballot, now)]


def publish_results(actor: User, ballot: Ballot, now: datetime | None = None) -> None:
    if ballot.status is not BallotStatus.CLOSED:
        raise VotingError(_l("Results can be published once the ballot is closed, and only once."))
    ballot.publish(now)
    db.session.flush()
    rewrite_storage_after_commit()  # again: a transaction older than the close may have kept old rows then
    audit.record(actor, "ballot.publish", ballot)


def seal_casts(ballot: Ballot) -> int:
    """Erase the pseudonyms and the live snapshot, write the casts again in a random order with new random
    ids, and generalize the sector and territory of the online casts by the rule of
    :mod:`app.voting.disclosure` (every combination left holds at least MIN_GROUP_SIZE casts)."""
    rows = db.session.execute(
        sa.select(Cast.contents, Cast.receipt, Cast.source, Cast.sector, Cast.territory_id, Cast.user_id).where(
            Cast.ballot_id == ballot.id
        )
    ).all()
    online = Counter((row.sector, row.territory_id) for row in rows if row.source is CastSource.ONLINE)
    groups = generalize(online, MIN_GROUP_SIZE)
    db.session.execute(sa.delete(Cast).where(Cast.ballot_id == ballot.id).execution_options(synchronize_session=False))
    ballot.live_snapshot = None
    order = list(range(len(rows)))
    secrets.SystemRandom().shuffle(order)
    if order:
        db.session.execute(
            sa.insert(Cast),
            [
                {
                    "id": new_cast_id(),
                    "ballot_id": ballot.id,
                    "contents": rows[i].contents,
                    "receipt": rows[i].receipt,
                    "source": rows[i].source,
                    "sector": groups.get((rows[i].sector, rows[i].territory_id), (None, None))[0],
                    "territory_id": groups.get((rows[i].sector, rows[i].territory_id), (None, None))[1],
                    "pseudonym": None,
                    "user_id": None if ballot.secret else rows[i].user_id,
                }
                for i in order
            ],
        )
    db.session.flush()
    return len(rows)


# --- the database's own files -----------------------------------------------------------------------------

#: Tables whose old row versions could link a voter to a cast (``ballots``: old live snapshots).
REWRITTEN_TABLES = ("ballot_casts", "ballots")
_REWRITE_FLAG = "concerto.voting.rewrite_storage"
REWRITE_LOCK_TIMEOUT = "5s"
#: How long the rewrite waits for the transactions older than the close to end (seconds, polled every 0.2 s).
REWRITE_WAIT_SECONDS = 30.0

# Client sessions (of any database of the server: PostgreSQL keeps old row versions for any of them) whose
# transaction, or snapshot, began before the close committed: VACUUM cannot drop an old version one of them may
# still read, so the rewrite waits for them to end.
_OLDER_TRANSACTIONS = sa.text(
    """
    SELECT count(*) FROM pg_stat_activity
    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()
      AND ((backend_xid IS NOT NULL AND age(backend_xid) >= age(xid(CAST(:closed AS xid8))))
           OR (backend_xmin IS NOT NULL AND age(backend_xmin) >= age(xid(CAST(:closed AS xid8)))))
    """
)


def rewrite_storage_after_commit() -> None:
    """Ask for :func:`rewrite_storage` once the current transaction is committed (nothing if it rolls back): after
    the response in a request (the facilitator does not wait for it), at once in a command. PostgreSQL only."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.info[_REWRITE_FLAG] = db.session.scalar(sa.text("SELECT CAST(pg_current_xact_id() AS text)"))


def _rewrite_after_commit(session: sa.orm.Session) -> None:
    closed = session.info.pop(_REWRITE_FLAG, None)
    if closed:
        after_response(rewrite_storage, session.get_bind(), closed_by=closed)


def _forget_rewrite(session: sa.orm.Session, previous_transaction: sa.orm.SessionTransaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_REWRITE_FLAG, None)


def rewrite_storage(
    bind: sa.Engine | sa.Connection, *, closed_by: str | None = None, wait: float = REWRITE_WAIT_SECONDS
) -> bool:
    """PostgreSQL: rewrite :data:`REWRITTEN_TABLES` into new files (``VACUUM FULL``, which rebuilds their
    indexes too), so that the old versions of rewritten rows — dead tuples that kept the pseudonyms, the exact
    groups and, in their ``xmin``, the transaction of each vote — leave the database's pages. Runs outside any
    transaction, on a connection of its own, after the close is committed; True when it ran with nothing older
    than the close (``closed_by``, its transaction id) still open, so that no old version can have stayed.

    VACUUM keeps the old versions that a transaction started before the close may still read (a long backup, or
    any transaction of the same server, whatever its database): it waits up to ``wait`` seconds for them to end,
    and runs anyway after that (a warning is logged; :func:`publish_results` runs it again).
    Not on SQLite (``secure_delete`` overwrites deleted content there), nor when the session works inside a
    transaction its caller holds (``bind`` is a connection): the old rows are still visible to that transaction.
    It needs the database user to own the tables, as the user who runs the migrations does; otherwise PostgreSQL
    skips them and the warning is logged.
    """
    if bind.dialect.name != "postgresql" or isinstance(bind, sa.Connection):
        return False
    warnings: list[str] = []

    def keep(notice: Any) -> None:
        warnings.append(notice.message_primary or "")

    try:
        with bind.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            clear = closed_by is None or _wait_for_older_transactions(connection, closed_by, wait)
            if not clear:
                warnings.append("transactions older than the close were still open: old row versions may remain")
            driver = connection.connection.dbapi_connection
            driver.add_notice_handler(keep)
            try:
                connection.exec_driver_sql(f"SET lock_timeout = '{REWRITE_LOCK_TIMEOUT}'")
                connection.exec_driver_sql(f"VACUUM FULL {', '.join(REWRITTEN_TABLES)}")
            finally:
                driver.remove_notice_handler(keep)
                connection.exec_driver_sql("RESET lock_timeout")
    except sa.exc.DBAPIError as error:
        logger.warning("Ballot tables not rewritten after a close: %s", error.orig or error)
        return False
    for warning in warnings:
        logger.warning("Ballot tables: %s", warning)
    return not warnings


def _wait_for_older_transactions(connection: sa.Connection, closed_by: str, wait: float) -> bool:
    """True once no client transaction older than ``closed_by`` is open; False if some still are after ``wait``."""
    deadline = time.monotonic() + wait
    while connection.scalar(_OLDER_TRANSACTIONS, {"closed": closed_by}):
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.2)
    return True


# --- live results -----------------------------------------------------------------------------------------


def _new_live_voters(ballot: Ballot, snapshot: Mapping[str, Any]) -> int:
    """Voters who have voted (or changed their vote) since ``snapshot``: people, or organizations for one
    ballot per organization, plus paper ballots imported since."""
    if ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION:
        counted = sa.func.count(sa.distinct(VoterRecord.organization_id))
    else:
        counted = sa.func.count()
    query = sa.select(counted).select_from(VoterRecord).where(VoterRecord.ballot_id == ballot.id)
    if snapshot.get("watermark"):
        query = query.where(VoterRecord.last_cast_at > datetime.fromisoformat(snapshot["watermark"]))
    paper = db.session.scalar(
        sa.select(sa.func.count()).select_from(Cast).where(Cast.ballot_id == ballot.id, Cast.source == CastSource.PAPER)
    )
    return (db.session.scalar(query) or 0) + (paper or 0) - int(snapshot.get("paper", 0))


def refresh_live_snapshot(ballot: Ballot, now: datetime | None = None) -> bool:
    """Update the live results of an open ballot when at least MIN_GROUP_SIZE voters have voted since the last
    update (:func:`app.voting.disclosure.live_update_due`): otherwise the change of the figures would tell
    what the last few voted. True when it did; flushes only.

    The snapshot holds the contents of the casts (in a canonical order, without receipts or groups), how many
    were online and on paper, and a watermark: the latest ``last_cast_at`` of the voters counted in it (a stored
    time rather than a clock reading, so the clocks of several app servers need not agree). The ballot row is locked
    ``FOR UPDATE`` (casts hold it ``FOR SHARE``), so every committed cast is either in the snapshot or counted
    as new for the next one."""
    if not ballot.is_open or not live_update_due(_new_live_voters(ballot, ballot.live_snapshot or {})):
        return False
    db.session.refresh(ballot, with_for_update=True)
    snapshot = ballot.live_snapshot or {}
    if not ballot.is_open or not live_update_due(_new_live_voters(ballot, snapshot)):
        return False
    casts = db.session.execute(sa.select(Cast.contents, Cast.source).where(Cast.ballot_id == ballot.id)).all()
    watermark = db.session.scalar(
        sa.select(sa.func.max(VoterRecord.last_cast_at)).where(VoterRecord.ballot_id == ballot.id)
    )
    ballot.live_snapshot = {
        "contents": sorted((dict(c.contents or {}) for c in casts), key=lambda c: json.dumps(c, sort_keys=True)),
        "online": sum(1 for c in casts if c.source is CastSource.ONLINE),
        "paper": sum(1 for c in casts if c.source is CastSource.PAPER),
        "watermark": watermark.isoformat() if watermark else None,
        "updated_at": (now or utcnow()).isoformat(),
    }
    db.session.flush()
    return True


# --- eligibility ----------------------------------------------------------------------------------------


def eligibility_problem(ballot: Ballot, user: User) -> Any | None:
    """Why ``user`` may not vote on ``ballot`` (a translatable message), or None when they may."""
    if not user.active:
        return _l("Your account is deactivated.")
    if ballot.eligibility is Eligibility.LISTED:
        listed = db.session.get(BallotEligibility, (ballot.id, user.id))
        return None if listed else _l("You are not on the list of voters of this ballot.")
    if user.role is not Role.PARTNER:
        return _l("Only partners vote on this ballot.")
    if ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION and user.organization_id is None:
        return _l("This ballot counts one vote per organization, and your account is not attached to an organization.")
    return None


def is_eligible(ballot: Ballot, user: User) -> bool:
    return eligibility_problem(ballot, user) is None


def is_visible_to(ballot: Ballot, user: User) -> bool:
    """Facilitators see every ballot; others see ballots that are not drafts, in public processes."""
    if user.has_role(Role.FACILITATOR):
        return True
    return not ballot.is_draft and ballot.process.is_public


def results_visible_to(ballot: Ballot, user: User) -> bool:
    if user.has_role(Role.FACILITATOR):
        return True
    if ballot.is_draft or not is_eligible(ballot, user):
        return False
    if ballot.results_visibility is ResultsVisibility.LIVE:
        return True
    return ballot.is_published


def voter_record(ballot: Ballot, user: User) -> VoterRecord | None:
    query = sa.select(VoterRecord).filter_by(ballot_id=ballot.id, user_id=user.id)
    return db.session.execute(query).scalar_one_or_none()


def organization_has_voted(ballot: Ballot, organization_id: int | None) -> bool:
    if organization_id is None:
        return False
    found = db.session.execute(
        sa.select(VoterRecord.id).filter_by(ballot_id=ballot.id, organization_id=organization_id).limit(1)
    ).first()
    return found is not None


def replaced_by_colleague(ballot: Ballot, user: User) -> bool:
    """One ballot per organization: True when ``user`` voted and a member of the same organization voted after
    them, so their ballot is no longer the one counted (from who-voted-when alone, never from the casts)."""
    if ballot.eligibility is not Eligibility.ONE_PER_ORGANIZATION or user.organization_id is None:
        return False
    mine = voter_record(ballot, user)
    if mine is None or mine.organization_id is None:
        return False
    later = db.session.execute(
        sa.select(VoterRecord.id)
        .where(
            VoterRecord.ballot_id == ballot.id,
            VoterRecord.organization_id == mine.organization_id,
            VoterRecord.user_id != user.id,
            VoterRecord.last_cast_at > mine.last_cast_at,
        )
        .limit(1)
    ).first()
    return later is not None


# --- casting ----------------------------------------------------------------------------------------------


def message_language() -> str:
    """The language of option names in messages: the request's, or French outside a request."""
    return current_language() if has_request_context() else "fr"


def option_names(ballot: Ballot, language: str | None = None) -> dict[int, str]:
    """Option id -> label in ``language`` (default: :func:`message_language`), for messages."""
    language = language or message_language()
    return {o.id: localized(o, "label", language) for o in ballot.options}


def check_choices(ballot: Ballot, choices: Mapping[int, Any]) -> list[ChoiceError]:
    """Validate one online ballot: ``choices`` maps option ids to ints (approval: 1 = approved, 0 = not;
    points; rank, 1 = first; grade, 0 = reject .. grades - 1). Absent options: not approved, 0 points, not
    ranked, no grade (refused: every option must be graded)."""
    names = option_names(ballot)
    errors = [
        ChoiceError(None, _l("Unknown option: %(option)s.", option=str(option_id)), "unknown_option")
        for option_id in choices
        if option_id not in names
    ]
    known = {names[k]: v for k, v in choices.items() if k in names}
    by_name = {name: option_id for option_id, name in names.items()}
    ordered = list(names.values())
    if ballot.method is VotingMethod.APPROVAL:
        bad = [name for name, v in known.items() if v not in (0, 1) or isinstance(v, bool)]
        for name in bad:
            errors.append(ChoiceError(by_name[name], _l("%(option)s: choose it or not.", option=name), "not_approval"))
        problems = validate_approval(ordered, [n for n, v in known.items() if v == 1], ballot.max_choices)
    elif ballot.method is VotingMethod.POINTS:
        problems = validate_points(ordered, known, ballot.budget, ballot.max_per_option)
    elif ballot.method is VotingMethod.RANKING:
        problems = validate_ranking(ordered, known)
    else:
        problems = validate_grades(ordered, known, ballot.grades, require_all=True)
    errors.extend(_choice_error(problem, by_name) for problem in problems)
    return errors


def _choice_error(problem: BallotError, by_name: Mapping[str, int]) -> ChoiceError:
    return ChoiceError(by_name.get(problem.option) if problem.option else None, problem.message, problem.code)


def ballot_contents(ballot: Ballot, choices: Mapping[int, int]) -> dict[str, int]:
    """The stored form of valid ``choices``: {option id (str): int}, without the "nothing" values (not
    approved, 0 points)."""
    contents = {str(k): int(v) for k, v in choices.items()}
    if ballot.method in (VotingMethod.APPROVAL, VotingMethod.POINTS):
        contents = {k: v for k, v in contents.items() if v}
    return dict(sorted(contents.items(), key=lambda item: int(item[0])))


def voter_key(ballot: Ballot, voter: User) -> str:
    if ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION:
        return f"organization-{voter.organization_id}"
    return f"user-{voter.id}"


def make_pseudonym(ballot_id: int, key: str, secret_key: str | bytes | None = None) -> str:
    """HMAC-SHA256(SECRET_KEY, "<ballot id>:<voter key>"), hex."""
    secret = secret_key if secret_key is not None else current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, f"{ballot_id}:{key}".encode(), hashlib.sha256).hexdigest()


class Receipt(str):
    """A receipt code of an online cast (the string, XXXX-XXXX-XX) with the random token it is derived from:
    the voter's session carries the token, never the code."""

    token: str

    def __new__(cls, code: str, token: str) -> Receipt:
        receipt = super().__new__(cls, code)
        receipt.token = token
        return receipt


def receipt_code(token: str, secret_key: str | bytes | None = None) -> str:
    """The receipt code derived from ``token``: HMAC-SHA256(SECRET_KEY, "receipt:" + token), its first 50 bits
    written with :data:`RECEIPT_ALPHABET`, XXXX-XXXX-XX."""
    secret = secret_key if secret_key is not None else current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    digest = hmac.new(secret, f"receipt:{token}".encode(), hashlib.sha256).digest()
    bits = int.from_bytes(digest[:8], "big") >> (64 - 5 * RECEIPT_LENGTH)
    raw = "".join(RECEIPT_ALPHABET[(bits >> (5 * (RECEIPT_LENGTH - 1 - i))) & 31] for i in range(RECEIPT_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def new_cast_receipt() -> Receipt:
    """A receipt for an online cast: a random token (128 bits) and the code derived from it."""
    token = secrets.token_urlsafe(16)
    return Receipt(receipt_code(token), token)


def receipt_for_token(ballot: Ballot, token: Any) -> str | None:
    """The receipt code of ``token`` when it is the receipt of a cast counted in ``ballot`` (None otherwise:
    a forged token, a vote replaced since from another session, a SECRET_KEY changed meanwhile)."""
    if not isinstance(token, str) or not token or len(token) > 64:
        return None
    code = receipt_code(token)
    found = db.session.scalar(sa.select(Cast.id).where(Cast.ballot_id == ballot.id, Cast.receipt == code).limit(1))
    return code if found is not None else None


def new_receipt() -> str:
    """A random receipt code, XXXX-XXXX-XX (50 bits), for a paper ballot."""
    raw = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normalize_receipt(code: str) -> str | None:
    """The canonical form of a typed receipt (case, spaces and dashes do not matter), or None."""
    raw = re.sub(r"[\s\-–—_.]", "", code or "").upper()
    if len(raw) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in raw):
        return None
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _insert_for_dialect():
    name = db.session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def cast_vote(ballot: Ballot, voter: User, choices: Mapping[int, Any], now: datetime | None = None) -> Receipt:
    """Record ``voter``'s ballot (replacing their earlier one) and return the receipt code (with its token).

    Raises :class:`NotAcceptingCasts`, :class:`NotEligible` or :class:`InvalidBallot`. Flushes only. Best
    called at the start of a transaction: on SQLite its first statement takes the write lock.
    """
    now = now or utcnow()
    _lock_for_cast(ballot, now)
    problem = eligibility_problem(ballot, voter)
    if problem is not None:
        raise NotEligible(problem, code="not_eligible")
    errors = check_choices(ballot, choices)
    if errors:
        raise InvalidBallot(errors)
    organization = voter.organization
    values = {
        "ballot_id": ballot.id,
        "contents": ballot_contents(ballot, choices),
        "source": CastSource.ONLINE,
        "sector": organization.sector if organization else None,
        "territory_id": organization.territory_id if organization else None,
        "pseudonym": make_pseudonym(ballot.id, voter_key(ballot, voter)),
        "user_id": None if ballot.secret else voter.id,
    }
    insert = _insert_for_dialect()
    for attempt in range(1, CAST_ATTEMPTS + 1):
        receipt = new_cast_receipt()
        cast = insert(Cast).values(id=new_cast_id(), receipt=str(receipt), **values)
        cast = cast.on_conflict_do_update(
            index_elements=["ballot_id", "pseudonym"],
            set_={
                "contents": cast.excluded.contents,
                "receipt": cast.excluded.receipt,
                "sector": cast.excluded.sector,
                "territory_id": cast.excluded.territory_id,
                "user_id": cast.excluded.user_id,
            },
        )
        record = insert(VoterRecord).values(
            ballot_id=ballot.id,
            user_id=voter.id,
            organization_id=voter.organization_id,
            first_cast_at=now,
            last_cast_at=now,
            cast_count=1,
        )
        record = record.on_conflict_do_update(
            index_elements=["ballot_id", "user_id"],
            set_={
                "organization_id": record.excluded.organization_id,
                "last_cast_at": record.excluded.last_cast_at,
                "cast_count": VoterRecord.__table__.c.cast_count + 1,
            },
        )
        try:
            with db.session.begin_nested():
                db.session.execute(cast)
                db.session.execute(record)
        except sa.exc.IntegrityError:  # a receipt drawn twice in one ballot (about 1 in 10^15): draw again
            if attempt == CAST_ATTEMPTS:
                raise
            continue
        return receipt
    raise AssertionError("unreachable")


def _lock_for_cast(ballot: Ballot, now: datetime) -> None:
    """Lock the ballot's row for a cast, read it again, and refuse the cast unless the ballot accepts casts ``now``.

    SQLite has one writer at a time: the write lock is taken with the first statement, so that voters casting
    together wait their turn instead of failing ("database is locked"). Call this at the start of a transaction,
    before anything is read (see the voting view).
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(
            sa.update(Ballot)
            .where(Ballot.id == sa.inspect(ballot).identity[0])
            .values(status=Ballot.status)
            .execution_options(synchronize_session=False)
        )
    # Its columns only, FOR SHARE (a close waits for the casts in flight, and no cast slips in after a close); its
    # options, which cannot change once it is open, stay as loaded.
    columns = [attribute.key for attribute in sa.inspect(Ballot).column_attrs]
    db.session.refresh(ballot, attribute_names=columns, with_for_update={"read": True})
    if not ballot.accepts_casts(now):
        raise NotAcceptingCasts(closed_message(ballot, now), code="not_open")


TRANSIENT_ERRORS = ("database is locked", "deadlock detected", "could not serialize access")


def is_transient(error: sa.exc.OperationalError) -> bool:
    """True for a database error that goes away when the whole transaction is tried again."""
    return any(text in str(error.orig or error) for text in TRANSIENT_ERRORS)


def closed_message(ballot: Ballot, now: datetime) -> Any:
    if ballot.is_draft:
        return _l("This ballot is not open yet.")
    if ballot.is_open and ballot.opens_at is not None and now < ballot.opens_at:
        return _l("Voting has not started yet.")
    return _l("Voting is closed on this ballot.")


# --- after the vote -------------------------------------------------------------------------------------


def find_receipt(ballot: Ballot, code: str) -> Cast | None:
    """The counted cast with this receipt code, once the results are published."""
    receipt = normalize_receipt(code)
    if receipt is None or not ballot.is_published:
        return None
    return db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot.id, receipt=receipt)).scalar_one_or_none()


def adopt_options(actor: User, ballot: Ballot, option_ids: Iterable[int], now: datetime | None = None) -> list[int]:
    """Mark exactly ``option_ids`` as adopted (the others not); returns the ids adopted now."""
    if not ballot.is_over:
        raise VotingError(_l("Options can be adopted once the vote is closed."))
    now = now or utcnow()
    wanted = set(option_ids)
    unknown = wanted - {o.id for o in ballot.options}
    if unknown:
        raise VotingError(_l("Choose among the options of this ballot."), "option_ids")
    newly = []
    for option in ballot.options:
        if option.id in wanted and not option.adopted:
            option.adopted, option.adopted_at, option.adopted_by = True, now, actor
            newly.append(option.id)
        elif option.id not in wanted and option.adopted:
            option.adopted, option.adopted_at, option.adopted_by = False, None, None
    db.session.flush()
    audit.record(actor, "ballot.adopt", ballot, adopted=sorted(wanted))
    return newly


def cast_room_vote(ballot: Ballot, device_key: str, choices: Mapping[int, Any], now: datetime | None = None) -> Receipt:
    """Record the anonymous vote of one phone in a live room (app/events/live.py), replacing that phone's earlier
    one. Nobody is named: no voter record, the cast's pseudonym is derived from the phone's random key and erased
    at the close like every other. Raises :class:`NotAcceptingCasts` or :class:`InvalidBallot`; flushes only."""
    now = now or utcnow()
    _lock_for_cast(ballot, now)
    errors = check_choices(ballot, choices)
    if errors:
        raise InvalidBallot(errors)
    insert = _insert_for_dialect()
    for attempt in range(1, CAST_ATTEMPTS + 1):
        receipt = new_cast_receipt()
        cast = insert(Cast).values(
            id=new_cast_id(),
            receipt=str(receipt),
            ballot_id=ballot.id,
            contents=ballot_contents(ballot, choices),
            source=CastSource.ONLINE,
            pseudonym=make_pseudonym(ballot.id, f"room-device-{device_key}"),
        )
        cast = cast.on_conflict_do_update(
            index_elements=["ballot_id", "pseudonym"],
            set_={"contents": cast.excluded.contents, "receipt": cast.excluded.receipt},
        )
        try:
            with db.session.begin_nested():
                db.session.execute(cast)
        except sa.exc.IntegrityError:  # a receipt drawn twice in one ballot: draw again
            if attempt == CAST_ATTEMPTS:
                raise
            continue
        return receipt
    raise AssertionError("unreachable")
