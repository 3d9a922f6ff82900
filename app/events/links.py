"""Tying a paper questionnaire or invitation links to the event where they were used (the survey filled in at a
workshop). The survey's pages offer the events of its process; a value that names no event of that process ties
nothing."""

import sqlalchemy as sa
from flask_babel import format_date
from flask_babel import gettext as _

from app.core.extensions import db
from app.models import Event
from app.web.fields import choices
from app.web.i18n import localized


def event_choices(process_id: int) -> list:
    """The select options: none, then the process's events, latest first."""
    events = db.session.scalars(
        sa.select(Event).where(Event.process_id == process_id).order_by(Event.starts_at.desc(), Event.id.desc())
    ).all()
    return choices(
        [("", _("— None —")), *((str(e.id), f"{localized(e, 'title')} — {format_date(e.starts_at)}") for e in events)]
    )


def event_id_in(process_id: int, value: str | None) -> int | None:
    """The id of the event of ``process_id`` that ``value`` (a form value) names, else None."""
    try:
        event_id = int(value or "")
    except ValueError:
        return None
    return db.session.scalar(sa.select(Event.id).where(Event.id == event_id, Event.process_id == process_id))
