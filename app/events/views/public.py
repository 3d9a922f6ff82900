"""What the public sees of events: the timeline of past and coming events on the process page, with attendance."""

from flask import Flask

from app.events.audiences import audience_label
from app.events.forms import scope_label
from app.events.kinds import kind_label
from app.events.timeline import timeline
from app.models import Process, utcnow


def process_timeline(process: Process):
    """The events of ``process`` for its public page (templates/events/_timeline.html)."""
    return timeline(process, utcnow())


def register_template_helpers(app: Flask) -> None:
    app.jinja_env.globals.update(
        event_timeline=process_timeline,
        event_kind_label=kind_label,
        event_scope_label=scope_label,
        audience_label=audience_label,
    )
