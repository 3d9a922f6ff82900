"""The respondent journey: landing, pages, resume, invitations, preview and paper entry."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from app.respond.views import paper, preview, public  # noqa: E402, F401
