"""What the public sees of events: the timeline of past and coming events on the process page, with attendance
(templates/events/_timeline.html, included by the process page)."""

from app.events.timeline import Timeline, timeline
from app.models import Process, utcnow


def process_timeline(process: Process) -> Timeline:
    return timeline(process, utcnow())
