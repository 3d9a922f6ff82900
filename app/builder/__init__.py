"""The questionnaire builder (facilitators): surveys, pages, questions, imports, distribution, paper version; its
views are in ``views/``, one module per job."""

from flask import Blueprint

bp = Blueprint("builder", __name__)

from app.builder import views  # noqa: E402, F401
