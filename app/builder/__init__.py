"""The questionnaire builder (facilitators): surveys, pages, questions, imports, distribution, paper version."""

from flask import Blueprint

bp = Blueprint("builder", __name__)

from app.builder import reminder_views, routes  # noqa: E402, F401
