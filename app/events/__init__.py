"""Events of a process: workshops, interviews, focus groups, assemblies, public and virtual meetings; their
attendance ("people met"), the ideas noted there (they enter the moderation queue) and the live room.

Views by audience in ``views/``: ``facilitator`` (recording events and their ideas), ``public`` (the timeline on
the process page), ``live`` (the live room: facilitator controls, projector, phones); ``templating`` gives other
features' templates what they show of events (timeline, people met, ideas per event). :func:`register` wires the
blueprint and the template helpers; importing this package does nothing else.
"""

from flask import Blueprint, Flask

bp = Blueprint("events", __name__)


def register(app: Flask) -> None:
    from app.events import templating
    from app.events.views import facilitator, live  # noqa: F401  (their routes join the blueprint)

    app.register_blueprint(bp)
    templating.register(app)
