"""Moderation queue, themes, suggestions, orientations, partner contributions and comments."""

from flask import Blueprint

from app.core.signals import response_completed
from app.moderation.items import on_response_completed

bp = Blueprint("moderation", __name__)

response_completed.connect(on_response_completed)

from app.moderation import ballots, personal_data, routes  # noqa: E402, F401
