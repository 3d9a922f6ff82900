"""The survey a respondent page reads, loaded once per process and structure key.

Every respondent request needs the whole survey: its pages, questions and choices, its process and the
process's territories. Loading them takes four queries and about a hundred ORM objects, half of a page's
server time. They change seldom, and every change gives the survey a new ``Survey.structure_key``
(``renew_structure_keys`` in app/models/surveys.py), so each process keeps the surveys it loaded, keyed by
(survey id, structure key), and a request checks the key with one indexed query. No server has to tell
another anything: a change made through any server shows on every server's next request.

The cached objects are detached from every session and shared by the threads of a process, so they are
read-only, and loaded entirely (every relationship a page reads is filled in before caching). Attaching one
to a session, e.g. ``Response(survey=survey)``, raises :class:`FrozenStructureError`: code that writes refers
to the structure by ids (``Response(survey_id=survey.id)``).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.core.extensions import db
from app.models import Process, Survey
from app.models.surveys import SURVEY_PAGES_LOADED

_FROZEN = "_concerto_cached_structure"
_EXTENSION = "concerto.survey_structures"


class FrozenStructureError(RuntimeError):
    """A cached survey object was about to join a session (see the module docstring)."""


def _refuse_cached_objects(_session: Session, instance: object) -> None:
    if getattr(instance, _FROZEN, False):
        raise FrozenStructureError(
            f"{instance!r} is a shared, read-only survey object of the respondent pages' cache: refer to it by id"
        )


class StructureCache:
    """At most ``size`` surveys, the least recently used dropped first; one per process (per app)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._surveys: OrderedDict[tuple[int, str], Survey] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, survey_id: int, key: str) -> Survey:
        with self._lock:
            survey = self._surveys.get((survey_id, key))
            if survey is not None:
                self._surveys.move_to_end((survey_id, key))
                return survey
        survey = load_survey(survey_id)  # outside the lock: two threads may load the same survey once each
        if self.size <= 0:
            return survey
        with self._lock:
            for stale in [k for k in self._surveys if k[0] == survey_id]:
                del self._surveys[stale]
            self._surveys[(survey_id, key)] = survey
            while len(self._surveys) > self.size:
                self._surveys.popitem(last=False)
        return survey

    def __len__(self) -> int:
        return len(self._surveys)


def _cache() -> StructureCache:
    cache = current_app.extensions.get(_EXTENSION)
    if cache is None:
        cache = current_app.extensions.setdefault(
            _EXTENSION, StructureCache(current_app.config["RESPOND_STRUCTURE_CACHE_SIZE"])
        )
    return cache


def survey_where(*criteria: sa.ColumnElement[bool]) -> Survey | None:
    """The survey matching ``criteria`` (e.g. ``Survey.slug == slug``), whole and read-only, or ``None``."""
    row = db.session.execute(sa.select(Survey.id, Survey.structure_key).where(*criteria)).first()
    if row is None:
        return None
    return _cache().get(row.id, row.structure_key)


def load_survey(survey_id: int) -> Survey:
    """Four queries, in a session of their own on the request's connection (so that no object of the request's
    session is taken away from it); the objects are filled in, detached and marked read-only."""
    with Session(bind=db.session.connection()) as loader:
        survey = loader.execute(
            sa.select(Survey)
            .options(
                SURVEY_PAGES_LOADED,
                joinedload(Survey.process).selectinload(Process.territories),
            )
            .filter_by(id=survey_id)
        ).scalar_one()
        questions = [q for page in survey.pages for q in page.questions]
        # Every question is on a page of its survey: the relationships back up the tree are the objects at hand.
        set_committed_value(survey, "questions", questions)
        for page in survey.pages:
            set_committed_value(page, "survey", survey)
            for question in page.questions:
                set_committed_value(question, "page", page)
                set_committed_value(question, "survey", survey)
                for choice in question.all_choices:
                    set_committed_value(choice, "question", question)
        objects = [survey, *survey.pages, *questions, *(c for q in questions for c in q.all_choices)]
        objects += [survey.process, *survey.process.territories]
    # Closing the loader detached every object.
    for instance in objects:
        setattr(instance, _FROZEN, True)
    return survey
