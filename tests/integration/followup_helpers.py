"""Builders for follow-up tests: an adopted priority with evidence, actions, commitments."""

from app.core.extensions import db
from app.followup import actions as action_service
from app.models import ItemState, OrientationState
from tests.integration.moderation_helpers import make_item, make_orientation


def adopted_priority(process, *, title="Accès aux services de garde", items=None):
    if items is None:
        items = [make_item(process, "Plus de places en garderie.", state=ItemState.APPROVED)]
    return make_orientation(process, items, state=OrientationState.ADOPTED, title=title)


def make_action(orientation, actor, **fields):
    fields.setdefault("title_fr", "Ouvrir des haltes-garderies")
    action = action_service.create_action(orientation, actor, **fields)
    db.session.commit()
    return action
