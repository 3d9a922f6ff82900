"""What the voting views (voters and facilitators) share: the ballot of the URL, closed when its time is up, an
error page with its own message, and the helpers of the voting templates."""

from __future__ import annotations

from typing import Any

from flask import abort, make_response, render_template, request
from flask_babel import format_decimal, format_percent, get_timezone
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.core.extensions import db
from app.models import Ballot, utcnow
from app.voting import ballots as domain
from app.voting import bp
from app.web.boundary import SAFE_METHODS
from app.web.error_pages import ERROR_TEXTS

NOT_NOW_TITLE = _l("Not possible now")


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"percent": _percent, "now_utc": utcnow, "timezone_name": str(get_timezone())}


def megabytes(size: int) -> str:
    return format_decimal(size / (1024 * 1024), "#,##0.#")


def _percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def refuse(status: int, message: Any):
    """An error page with a specific message (and the status code)."""
    title = ERROR_TEXTS[status][0] if status in ERROR_TEXTS else NOT_NOW_TITLE
    return render_template("errors/error.html", status=status, title=title, message=message), status


def refused(status: int, message: Any):
    """Stop the view with :func:`refuse`'s page."""
    abort(make_response(refuse(status, message)))


def load_ballot(ballot_id: int) -> Ballot:
    """The ballot, if the current user may see it (404 otherwise). When its time is up it is closed: as seen by a
    GET (nothing written), or stored and sealed by a POST, in the action's transaction."""
    ballot = db.get_or_404(Ballot, ballot_id)
    if not domain.is_visible_to(ballot, current_user):
        abort(404)
    if request.method in SAFE_METHODS:
        return domain.as_seen(ballot)
    domain.close_if_due(ballot)
    return ballot
