"""Real concurrency on PostgreSQL: one invitation token, 20 people (or double taps) at once, one response."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Anonymity, Answer, Invitation, Response, ResponseStatus
from app.models.people import hash_token
from tests.integration.respond_helpers import Respondent

TOKEN = "jeton-partage-par-20-personnes"
THREADS = 20


@pytest.mark.postgres_only
@pytest.mark.committed
@pytest.mark.parametrize("anonymity", [Anonymity.CONFIDENTIAL, Anonymity.ANONYMOUS], ids=lambda a: a.value)
def test_one_invitation_token_used_by_20_concurrent_requests_yields_one_response(app, create_survey, anonymity):
    survey = create_survey(
        [{"questions": [{"code": "avis", "type": "short_text", "required": True}]}],
        slug="simultane",
        anonymity=anonymity,
    )
    db.session.add(Invitation(survey=survey, token_hash=hash_token(TOKEN), attributes={"territory": "SHE"}))
    db.session.commit()
    # Each person opens the link first (one after the other), then all press Start and send the page at once.
    respondents = []
    for _ in range(THREADS):
        respondent = Respondent(app.test_client())
        respondent.get(f"/i/{TOKEN}")
        respondents.append(respondent)
    barrier = threading.Barrier(THREADS)

    def attempt(n: int) -> int:
        respondent = respondents[n]
        barrier.wait(timeout=120)
        response = respondent.press_start()
        if 'class="survey-form"' in respondent.html:
            response = respondent.send({"q_avis": f"Réponse {n}"})
        return response.status_code

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        statuses = list(pool.map(attempt, range(THREADS)))

    assert 500 not in statuses
    db.session.expire_all()
    responses = db.session.execute(sa.select(Response)).scalars().all()
    assert len(responses) == 1
    assert responses[0].status is ResponseStatus.COMPLETE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Answer)) == 1
    invitation = db.session.execute(sa.select(Invitation)).scalar_one()
    assert invitation.used_at is not None
    assert responses[0].invitation_id is None  # complete: neither mode keeps the link
    confidential = anonymity is Anonymity.CONFIDENTIAL
    assert responses[0].attributes == ({"territory": "SHE"} if confidential else {})
