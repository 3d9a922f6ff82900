"""The events of the demo process: a year like the reference network's, so the dashboard shows figures of that
shape (12 parent workshops, about 230 parents across the nine territories; two exchange days, about 175 actors;
a 32-partner ideation on professions in demand; four virtual meetings, about 50 actors; an 80-partner assembly),
one coming meeting, and a few ideas of the first workshop in the moderation queue. Idempotent: nothing is added to
a process that has events."""

from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.models import Event, EventAttendance, EventScope, Process, Territory

# (days from the seeding day, kind, territory code or scope, title fr, title en, {audience: count})
WORKSHOPS = [
    (-28, "SHE", 28),
    (-27, "HYA", 20),
    (-26, "MEM", 21),
    (-25, "COA", 16),
    (-24, "SHE", 25),
    (-23, "GRA", 17),
    (-22, "BMI", 18),
    (-21, "HSF", 15),
    (-20, "VSF", 16),
    (-19, "SOU", 13),
    (-18, "HYA", 19),
    (-17, "SHE", 22),
]
OTHER_EVENTS = [
    (
        -15,
        "public_meeting",
        "HYA",
        "Journée d’échanges collectifs en Haute-Yamaska",
        "Day of collective exchanges in La Haute-Yamaska",
        {"partners_community": 40, "partners_school": 25, "partners_municipal": 10, "others": 15},
    ),
    (
        -14,
        "public_meeting",
        "BMI",
        "Journée d’échanges collectifs à Brome-Missisquoi",
        "Day of collective exchanges in Brome-Missisquoi",
        {"partners_community": 35, "partners_school": 25, "partners_health": 10, "others": 15},
    ),
    (
        -12,
        "focus_group",
        EventScope.REGIONAL,
        "Idéation : les professions en demande",
        "Ideation: professions in demand",
        {"employers": 14, "partners_school": 10, "partners_government": 8},
    ),
    (
        -11,
        "virtual_meeting",
        EventScope.VIRTUAL,
        "Rencontre virtuelle 1",
        "Virtual meeting 1",
        {"partners_community": 13},
    ),
    (-9, "virtual_meeting", EventScope.VIRTUAL, "Rencontre virtuelle 2", "Virtual meeting 2", {"partners_school": 12}),
    (-7, "virtual_meeting", EventScope.VIRTUAL, "Rencontre virtuelle 3", "Virtual meeting 3", {"employers": 14}),
    (-6, "virtual_meeting", EventScope.VIRTUAL, "Rencontre virtuelle 4", "Virtual meeting 4", {"others": 11}),
    (
        -4,
        "assembly",
        EventScope.REGIONAL,
        "Assemblée annuelle : validation des priorités régionales",
        "Annual assembly: validating the regional priorities",
        {
            "partners_school": 20,
            "partners_community": 30,
            "partners_municipal": 12,
            "partners_health": 8,
            "partners_government": 5,
            "partners_employer": 5,
        },
    ),
    (
        14,
        "virtual_meeting",
        EventScope.VIRTUAL,
        "Rencontre virtuelle : premières orientations",
        "Virtual meeting: first orientations",
        {},
    ),
]
FIRST_WORKSHOP_IDEAS = [
    "Un service de navette vers les activités familiales le samedi",
    "Des ateliers de lecture parent-enfant à la bibliothèque",
    "Plus de places en halte-garderie pendant les rencontres",
]


def _at(today: date, days: int, hour: int) -> datetime:
    return datetime.combine(today + timedelta(days=days), time(hour), tzinfo=UTC)


def seed_events(process: Process, today: date) -> int:
    """The demo events of ``process`` (none if it has events already); returns how many were added."""
    if db.session.scalar(sa.select(Event.id).where(Event.process_id == process.id).limit(1)) is not None:
        return 0
    territories = {t.code: t for t in db.session.scalars(sa.select(Territory))}
    consultation = next((p for p in process.phases if p.kind.value == "consultation"), None)
    specs = [
        (
            days,
            "workshop",
            code,
            f"Atelier des parents — {territories[code].name}",
            f"Parents' workshop — {territories[code].name}",
            {"parents": parents},
        )
        for days, code, parents in WORKSHOPS
        if code in territories
    ] + OTHER_EVENTS
    events = []
    for days, kind, where, title_fr, title_en, counts in specs:
        territory = None if isinstance(where, EventScope) else territories.get(where)
        event = Event(
            process_id=process.id,
            kind=kind,
            title_fr=title_fr,
            title_en=title_en,
            starts_at=_at(today, days, 23 if kind == "workshop" else 14),
            scope=EventScope.TERRITORY if territory else EventScope(where),
            territory_id=territory.id if territory else None,
            phase_id=consultation.id if consultation and days <= 30 else None,
            attendance=[EventAttendance(audience=a, count=c) for a, c in counts.items()],
        )
        db.session.add(event)
        events.append(event)
    db.session.flush()
    from app.events.ideas import Idea, add_ideas

    add_ideas(events[0], [Idea(text, group="Table 1", audience="parents") for text in FIRST_WORKSHOP_IDEAS])
    return len(events)
