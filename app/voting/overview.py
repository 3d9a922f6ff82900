"""What the voting pages list and count: the processes and ballots a person may see, a process's ballots and their
casts, who has voted, the paper imports of a ballot, the names beside an open (not secret) vote, the counted
ballots and the accounts a facilitator may list as voters. Reads only; the rules and changes are in ballots.py."""

from __future__ import annotations

import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    Ballot,
    BallotStatus,
    Cast,
    Organization,
    PaperImport,
    Process,
    ProcessStatus,
    Role,
    User,
    VoterRecord,
    utcnow,
)
from app.voting import ballots as domain
from app.voting.results import cast_cells


def visible_processes(user: User) -> list[Process]:
    """The processes, newest first; drafts only for facilitators."""
    query = sa.select(Process).order_by(Process.created_at.desc())
    if not user.has_role(Role.FACILITATOR):
        query = query.where(Process.status != ProcessStatus.DRAFT)
    return db.session.execute(query).scalars().all()


def ballots_of(processes: list[Process], user: User) -> list[tuple[Process, list[Ballot]]]:
    """Each process with the ballots (not drafts, newest first, as seen now) ``user`` may vote in, when it has any."""
    ids = [p.id for p in processes]
    if not ids:
        return []
    found = (
        db.session.execute(
            sa.select(Ballot)
            .where(Ballot.process_id.in_(ids), Ballot.status != BallotStatus.DRAFT)
            .order_by(Ballot.created_at.desc())
        )
        .scalars()
        .all()
    )
    now = utcnow()
    for ballot in found:
        domain.as_seen(ballot, now)
    grouped = []
    for process in processes:
        mine = [b for b in found if b.process_id == process.id and domain.is_eligible(b, user)]
        if mine:
            grouped.append((process, mine))
    return grouped


def show_of_hands(ballot: Ballot) -> list[tuple[str, list]]:
    """Who voted what in a vote that is not secret: each voter's name and the cells of their cast, by name."""
    rows = db.session.execute(
        sa.select(Cast.contents, User.name)
        .join(User, Cast.user_id == User.id)
        .where(Cast.ballot_id == ballot.id)
        .order_by(User.name)
    ).all()
    return [(name, cast_cells(ballot, contents)) for contents, name in rows]


def counted_ballots(ballot: Ballot) -> sa.Select:
    """The ballot's casts, by receipt code (for a page of the list of counted ballots)."""
    return sa.select(Cast).where(Cast.ballot_id == ballot.id).order_by(Cast.receipt)


def ballots_per_process() -> dict[int, int]:
    return dict(db.session.execute(sa.select(Ballot.process_id, sa.func.count()).group_by(Ballot.process_id)).all())


def process_ballots(process: Process) -> tuple[list[Ballot], dict[int, int]]:
    """The process's ballots, newest first and as seen now, and their number of casts by ballot id."""
    ballots = (
        db.session.execute(sa.select(Ballot).filter_by(process_id=process.id).order_by(Ballot.created_at.desc()))
        .scalars()
        .all()
    )
    now = utcnow()
    for ballot in ballots:
        domain.as_seen(ballot, now)
    casts = dict(
        db.session.execute(
            sa.select(Cast.ballot_id, sa.func.count())
            .where(Cast.ballot_id.in_([b.id for b in ballots]))
            .group_by(Cast.ballot_id)
        ).all()
    )
    return ballots, casts


def cast_count(ballot: Ballot) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Cast).where(Cast.ballot_id == ballot.id))


def voter_count(ballot: Ballot) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(VoterRecord).where(VoterRecord.ballot_id == ballot.id)
    )


def voter_names(ballot: Ballot) -> list | None:
    """(name, organization name) of who has voted, by name; None while a secret vote is open (a name appearing as
    the live results change would tell what that person voted). Never with times."""
    if ballot.secret and not ballot.is_over:
        return None
    return db.session.execute(
        sa.select(User.name, Organization.name)
        .select_from(VoterRecord)
        .join(User, VoterRecord.user_id == User.id)
        .outerjoin(Organization, VoterRecord.organization_id == Organization.id)
        .where(VoterRecord.ballot_id == ballot.id)
        .order_by(User.name)
    ).all()


def paper_imports(ballot: Ballot) -> list[PaperImport]:
    return (
        db.session.execute(sa.select(PaperImport).filter_by(ballot_id=ballot.id).order_by(PaperImport.imported_at))
        .scalars()
        .all()
    )


def active_accounts() -> list[tuple[int, str]]:
    """(id, "name — organization") of every active account, by name: who may be listed as a voter."""
    rows = db.session.execute(
        sa.select(User, Organization.name)
        .outerjoin(Organization, User.organization_id == Organization.id)
        .where(User.active.is_(True))
        .order_by(User.name)
    ).all()
    return [(user.id, f"{user.name} — {org_name}" if org_name else user.name) for user, org_name in rows]
