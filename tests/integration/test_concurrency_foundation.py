"""Real concurrency on PostgreSQL: an account token redeemed by many requests at once is used exactly once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from app.auth.accounts import TokenError, redeem_token
from app.core.extensions import db
from app.models import AccountToken, AuditLog, Role, TokenPurpose, User


@pytest.mark.postgres_only
@pytest.mark.committed
def test_invitation_token_redeemed_by_20_concurrent_requests_is_used_once(app):
    user = User(email="concurrent@example.org", name="Concurrent", role=Role.PARTNER)
    db.session.add(user)
    token, clear = AccountToken.issue(user, TokenPurpose.INVITATION, timedelta(days=1))
    db.session.add(token)
    db.session.commit()

    def attempt(n: int) -> bool:
        with app.app_context():
            try:
                redeem_token(clear, TokenPurpose.INVITATION, f"password-number-{n:02d}")
                db.session.commit()
                return True
            except TokenError:
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(attempt, range(20)))

    assert outcomes.count(True) == 1
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(AuditLog).filter_by(action="user.accept_invitation"))
        == 1
    )
