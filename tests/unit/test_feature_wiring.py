"""Events are wired by ``create_app``, one ``register(app)`` per feature, never by importing a module: a command
or a script that imports a feature's domain code without building the app gets no hidden receivers, and an app
gets every receiver whatever was imported before. Each check runs in a fresh interpreter."""

import json
import textwrap

from tests.unit.test_startup import run_python

WIRING = """
import json
import sqlalchemy as sa
from app.core.signals import response_completed
from app.models import BallotOption
from app.moderation.items import on_response_completed
from app.orientations.ballot_links import follow_adoption

def wired():
    return {
        "moderation items on completion": on_response_completed in [r() for r in response_completed.receivers.values()],
        "orientation adopted with its option": sa.event.contains(BallotOption.adopted, "set", follow_adoption),
    }

before = wired()
from app import create_app
create_app("testing")
create_app("testing")  # a second app wires nothing twice
print(json.dumps({"imported": before, "app": wired(),
                  "receivers": len(response_completed.receivers)}))
"""


def test_importing_a_feature_wires_nothing_and_create_app_wires_each_event_once():
    result = json.loads(run_python(textwrap.dedent(WIRING)).strip().splitlines()[-1])
    assert result["imported"] == {"moderation items on completion": False, "orientation adopted with its option": False}
    assert result["app"] == {"moderation items on completion": True, "orientation adopted with its option": True}
    assert result["receivers"] == 1
