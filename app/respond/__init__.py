"""The respondent journey: landing, pages, resume, invitations, preview and paper entry."""

from flask import Blueprint, Flask
from sqlalchemy.orm import Session

from app.core.database import listen_once
from app.models.surveys import renew_structure_keys
from app.respond import structure

bp = Blueprint("respond", __name__)


def register(app: Flask) -> None:
    """The respondent pages' structure cache, wired by ``create_app`` (never by importing): any flush that changes
    a survey's structure renews its key, and a cached (shared, read-only) survey object never joins a session."""
    listen_once(Session, "before_flush", renew_structure_keys)
    listen_once(Session, "before_attach", structure._refuse_cached_objects)


from app.respond.views import paper, preview, public  # noqa: E402, F401
