"""Who sees a process: a draft process exists only for facilitators and admins."""

from flask import abort
from flask_login import current_user

from app.core.extensions import db
from app.models import Process, Role


def get_visible_process_or_404(slug: str) -> Process:
    """A draft process exists only for facilitators and admins; others get a 404, not a 403."""
    process = db.one_or_404(db.select(Process).filter_by(slug=slug))
    if not process.is_public and not (current_user.is_authenticated and current_user.has_role(Role.FACILITATOR)):
        abort(404)
    return process
