"""Results of a survey: SQL aggregation per question, filters, cross-tabulation, accessible SVG charts."""

from flask import Blueprint, Flask

from app.core.signals import response_completed
from app.results.summary import on_response_completed

bp = Blueprint("results", __name__)


def register(app: Flask) -> None:
    """Results' events, wired by ``create_app`` (never by importing): a completed response is added to its
    survey's summary of the unfiltered results (app/results/summary.py)."""
    response_completed.connect(on_response_completed)  # blinker keeps one connection per receiver


from app.results import routes  # noqa: E402, F401
