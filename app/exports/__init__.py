"""Exports of responses (CSV, XLSX, JSON) and of the questionnaire's codebook (facilitators)."""

from flask import Blueprint

bp = Blueprint("exports", __name__)

from app.exports import routes  # noqa: E402, F401
