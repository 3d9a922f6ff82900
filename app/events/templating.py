"""What the templates of other features call to show events: the public timeline (process page), people met
(participation dashboard, report) and the ideas per event (report)."""

from flask import Flask

from app.events import figures
from app.events.audiences import audience_label
from app.events.forms import scope_label
from app.events.kinds import kind_label
from app.events.views.public import process_timeline


def register(app: Flask) -> None:
    app.jinja_env.globals.update(
        event_timeline=process_timeline,
        event_kind_label=kind_label,
        event_scope_label=scope_label,
        audience_label=audience_label,
        people_met_figures=figures.people_met,
        event_ideas=figures.ideas_by_event,
    )
