"""Results of a survey: SQL aggregation per question, filters, cross-tabulation, accessible SVG charts."""

from flask import Blueprint

from app.core.signals import response_completed
from app.results.summary import on_response_completed

bp = Blueprint("results", __name__)
response_completed.connect(on_response_completed)

from app.results import routes  # noqa: E402, F401
