"""Real concurrency on PostgreSQL: two facilitators decide on the same item at the same moment; one wins."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import AuditLog, ItemSource, ItemState, ModerationItem, Process, RejectReason, Role, User
from app.moderation import decisions


@pytest.mark.postgres_only
@pytest.mark.committed
def test_two_simultaneous_decisions_one_wins_the_other_is_told(app):
    process = Process(slug="concurrence", title_fr="Concurrence", title_en="Concurrency")
    people = [User(email=f"facilitator{n}@example.org", name=f"F{n}", role=Role.FACILITATOR) for n in range(2)]
    item = ModerationItem(process=process, source=ItemSource.ANSWER, text="Plus de haltes-garderies")
    db.session.add_all([process, item, *people])
    db.session.commit()
    item_id, user_ids = item.id, [p.id for p in people]
    both_loaded = threading.Barrier(2)

    def decide(n: int) -> str:
        with app.app_context():
            try:
                actor = db.session.get(User, user_ids[n])
                loaded = db.session.get(ModerationItem, item_id)
                seen = loaded.version
                both_loaded.wait(timeout=10)
                if n == 0:
                    decisions.approve(loaded, actor, seen)
                else:
                    decisions.reject(loaded, actor, seen, RejectReason.OFF_TOPIC)
                db.session.commit()
                return "done"
            except decisions.StaleDecision:
                db.session.rollback()
                return "stale"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(decide, range(2)))

    assert sorted(outcomes) == ["done", "stale"]
    db.session.expire_all()
    final = db.session.get(ModerationItem, item_id)
    winner = outcomes.index("done")
    assert final.state is (ItemState.APPROVED if winner == 0 else ItemState.REJECTED)
    assert final.version == 2 and final.decided_by_id == user_ids[winner]
    audits = db.session.scalar(
        sa.select(sa.func.count()).select_from(AuditLog).where(AuditLog.object_type == "moderation_items")
    )
    assert audits == 1
