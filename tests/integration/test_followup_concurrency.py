"""Real concurrency on PostgreSQL: two facilitators save the same action at the same moment, from the same version;
one save goes through, the other is refused as stale (nothing half-saved, one revision more)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.followup import actions
from app.followup.errors import StaleEdit
from app.models import ActionRevision, CollectiveAction, Orientation, OrientationState, Process, Role, User


@pytest.mark.postgres_only
@pytest.mark.committed
def test_two_simultaneous_saves_one_wins_the_other_is_refused(app):
    process = Process(slug="concurrence-suivi", title_fr="Concurrence", title_en="Concurrency")
    priority = Orientation(process=process, title_fr="Priorité", state=OrientationState.ADOPTED)
    people = [User(email=f"facilitator{n}@example.org", name=f"F{n}", role=Role.FACILITATOR) for n in range(2)]
    db.session.add_all([process, priority, *people])
    db.session.flush()
    action = actions.create_action(priority, people[0], title_fr="Action")
    db.session.commit()
    action_id, user_ids = action.id, [p.id for p in people]
    both_loaded = threading.Barrier(2)

    def save(n: int) -> str:
        with app.app_context():
            try:
                actor = db.session.get(User, user_ids[n])
                loaded = db.session.get(CollectiveAction, action_id)
                seen = loaded.version
                both_loaded.wait(timeout=10)
                actions.update_action(loaded, actor, seen, title_fr=f"Titre {n}")
                db.session.commit()
                return "done"
            except StaleEdit:
                db.session.rollback()
                return "stale"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(save, range(2)))

    assert sorted(outcomes) == ["done", "stale"]
    db.session.expire_all()
    winner = outcomes.index("done")
    assert db.session.get(CollectiveAction, action_id).title_fr == f"Titre {winner}"
    revisions = db.session.scalars(sa.select(ActionRevision).where(ActionRevision.action_id == action_id)).all()
    assert [r.number for r in revisions] == [1, 2] and revisions[-1].author_id == user_ids[winner]
