"""Moderation: the queue of free-text items (answers, contributions, comments), decisions, redaction and detection
of personal information. Themes and orientations built from approved items are app/orientations/."""

from flask import Blueprint, Flask

from app.compliance.privacy import data_section
from app.core.signals import response_completed
from app.moderation import personal_data
from app.moderation.items import on_response_completed

bp = Blueprint("moderation", __name__)


def register(app: Flask) -> None:
    """Moderation's events, wired by ``create_app`` (never by importing): a completed response's free-text
    answers become items of the queue; a partner's contributions and comments are in their personal-data
    download."""
    response_completed.connect(on_response_completed)  # blinker keeps one connection per receiver
    data_section("contributions")(personal_data.contributions)
    data_section("comments")(personal_data.comments)


from app.moderation import routes  # noqa: E402, F401  (views on bp)
