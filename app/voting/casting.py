"""Casting a vote as a transaction of its own: started again when the database asks to (SQLite busy, a PostgreSQL
deadlock), and, on SQLite, casts of one process taking turns on a process-wide lock. The rules of a cast are
app/voting/ballots.py; this module only runs one in its transaction, for the voting view and the benchmark."""

from __future__ import annotations

import random
import threading
import time
from contextlib import nullcontext
from datetime import datetime

import sqlalchemy as sa

from app.core.extensions import db
from app.models import Ballot, User
from app.voting import ballots

CAST_ATTEMPTS = 5
_SQLITE_WRITER = threading.Lock()


def commit_cast(ballot: Ballot, voter: User, ballot_choices: dict[int, int], now: datetime) -> ballots.Receipt:
    """Cast and commit, as one transaction of its own.

    The transaction starts again, a few times, when the database asks to: SQLite when two writers meet
    ("database is locked"), PostgreSQL on a deadlock. On SQLite, casts of this process also take turns on a
    lock, so that they queue instead of sleeping in SQLite's busy handler, and what this request read so far is
    rolled back first (the cast's first statement must be the one that takes the write lock). On PostgreSQL the
    first attempt continues the request's transaction, which has only read (at READ COMMITTED each statement
    sees what is committed, and the cast reads the ballot again ``FOR SHARE``): the voter, the ballot's process
    and options already read are not read a second time. The objects are not expired by the commit: what the
    request shows next (the redirect to the receipt) uses the ids it holds, without reading them back.
    Used by the voting view (``voting.cast_vote``, which manages its own transaction) and by
    bench/bench_voting.py.
    """
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    for turn in range(1, CAST_ATTEMPTS + 1):
        if sqlite or turn > 1:
            db.session.rollback()
        try:
            with _SQLITE_WRITER if sqlite else nullcontext():
                receipt = ballots.cast_vote(ballot, voter, ballot_choices, now)
                _commit_keeping_state()
        except sa.exc.OperationalError as error:
            db.session.rollback()
            if turn == CAST_ATTEMPTS or not ballots.is_transient(error):
                raise
            time.sleep(random.uniform(0.01, 0.05) * turn)  # noqa: S311 - jitter, not a secret
            continue
        return receipt
    raise AssertionError("unreachable")


def _commit_keeping_state() -> None:
    """Commit without expiring the session's objects (they hold what this transaction just read and wrote)."""
    session = db.session()
    expire = session.expire_on_commit
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire
