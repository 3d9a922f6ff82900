"""Events are wired by ``create_app``, one ``register(app)`` per feature, never by importing a module: a command
or a script that imports a feature's domain code without building the app gets no hidden receivers, and an app
gets every receiver whatever was imported before. Each check runs in a fresh interpreter."""

import json
import textwrap

from tests.unit.test_startup import run_python

WIRING = """
import json
import sqlalchemy as sa
from sqlalchemy.orm import Session
from app.compliance import privacy
from app.core import database, mail
from app.core.signals import response_completed
from app.models import BallotOption
from app.models import surveys
from app.moderation.items import on_response_completed
from app.orientations.ballot_links import follow_adoption
from app.respond import structure
from app.results.summary import on_response_completed as count_completed
from app.voting import ballots
from app.web import boundary
import app.auth.session, app.moderation.personal_data  # modules that hold data sections

SESSION_EVENTS = {
    "mail sent after commit": ("after_commit", mail._release_on_commit),
    "mail dropped on rollback": ("after_soft_rollback", mail._drop_on_rollback),
    "mail dropped when the transaction ends": ("after_transaction_end", mail._drop_uncommitted),
    "ballot storage rewritten after commit": ("after_commit", ballots._rewrite_after_commit),
    "ballot rewrite forgotten on rollback": ("after_soft_rollback", ballots._forget_rewrite),
    "cached survey objects refused": ("before_attach", structure._refuse_cached_objects),
    "structure keys renewed": ("before_flush", surveys.renew_structure_keys),
    "boundary notes flushes": ("before_flush", boundary._note_flush),
    "boundary notes statements": ("do_orm_execute", boundary._note_statement),
}

def wired(engine=None):
    state = {
        "moderation items on completion": on_response_completed in [r() for r in response_completed.receivers.values()],
        "orientation adopted with its option": sa.event.contains(BallotOption.adopted, "set", follow_adoption),
        "results summary on completion": count_completed in [r() for r in response_completed.receivers.values()],
        "data sections": sorted(privacy._SECTIONS),
    }
    state.update({name: sa.event.contains(Session, event, fn) for name, (event, fn) in SESSION_EVENTS.items()})
    if engine is not None:
        state["sqlite foreign keys on connect"] = sa.event.contains(engine, "connect", database._on_connect)
        state["sqlite BEGIN"] = sa.event.contains(engine, "begin", database._on_begin)
    return state

def counts():
    return {event: len(getattr(Session().dispatch, event)) for event, _fn in SESSION_EVENTS.values()}

before = wired()
from app import create_app
from app.core.extensions import db
app = create_app("testing")
with app.app_context():
    first = wired(db.engine)
once = counts()
database.register(app)  # registering again adds nothing
other = create_app("testing")  # a second app wires nothing twice
with other.app_context():
    second = wired(db.engine)
print(json.dumps({"imported": before, "app": first, "other": second, "once": once, "twice": counts(),
                  "receivers": len(response_completed.receivers)}))
"""


def test_importing_a_feature_wires_nothing_and_create_app_wires_each_event_once():
    result = json.loads(run_python(textwrap.dedent(WIRING)).strip().splitlines()[-1])
    imported, app = result["imported"], result["app"]
    assert imported.pop("data sections") == ["account", "activity"]
    assert app.pop("data sections") == [
        "account",
        "activity",
        "comments",
        "commitments",
        "contributions",
        "progress_updates",
        "sign_in_sessions",
    ]
    assert set(imported.values()) == {False}, imported
    assert set(app.values()) == {True}, app
    assert len(app) == 14
    assert result["other"]["sqlite foreign keys on connect"] and result["other"]["sqlite BEGIN"]
    assert result["twice"] == result["once"]
    assert result["receivers"] == 2
