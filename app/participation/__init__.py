"""Participation dashboard per process (facilitators): responses per day, per survey, per territory against
targets, completion, time to complete, partner activity by sector."""

from flask import Blueprint

bp = Blueprint("participation", __name__)

from app.participation import routes  # noqa: E402, F401
