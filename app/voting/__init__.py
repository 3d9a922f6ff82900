"""Voting: ballots and their rules (ballots.py), casting a vote (casting.py), the count (tally.py, results.py),
what is disclosed (disclosure.py), paper ballots and exports; views by audience in ``views/``."""

from flask import Blueprint, Flask
from sqlalchemy.orm import Session

from app.core.database import listen_once
from app.voting import ballots

bp = Blueprint("voting", __name__)


def register(app: Flask) -> None:
    """Voting's events, wired by ``create_app`` (never by importing): a committed close rewrites the ballot
    tables' storage; a rolled-back one forgets it."""
    listen_once(Session, "after_commit", ballots._rewrite_after_commit)
    listen_once(Session, "after_soft_rollback", ballots._forget_rewrite)


from app.voting import views  # noqa: E402, F401
