"""A ballot past its closing time is closed for everyone at once, and no page (GET) writes to close it: results,
receipts and exports read its casts as sealing will leave them, so that what anyone sees is the same before and
after the close is stored, by the next action on the ballot or by ``flask close-due-ballots``."""

import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.models import AuditLog, Ballot, BallotStatus, Cast, Role, Sector, VotingMethod, utcnow
from app.voting import ballots as domain
from app.voting.paper_ballots import import_paper_ballots
from tests.integration.voting_helpers import create_ballot

__all__ = ["create_ballot"]

ABC = ["Alpha", "Bravo", "Charlie"]
TOKEN = re.compile(r'name="csrf_token" (type="hidden" )?value="[^"]+"')


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub("", response.get_data(as_text=True))


def _cast(ballot: Ballot, user, label: str) -> None:
    option = next(o for o in ballot.options if o.label_fr == label)
    domain.cast_vote(ballot, user, {option.id: 1})
    db.session.commit()


def test_results_receipts_and_exports_are_the_same_before_and_after_the_close_is_stored(
    app, client, auth, create_ballot, create_user, create_organization, create_territory
):
    """5 school partners (Coaticook), 5 community partners (Sherbrooke), 2 health partners (Coaticook) and 3 paper
    ballots. Sealing groups the online casts alone: the 2 health ballots join the rest, and so does one group of 5,
    so that the rest is not a group of 2. Read as cast, with the paper ballots already in the rest, both groups of 5
    would be shown: a page drawn before the close is stored must not show more than one drawn after it."""
    t1, t2 = create_territory(name="Coaticook"), create_territory(name="Sherbrooke")
    school = create_organization(sector=Sector.SCHOOL, territory=t1)
    community = create_organization(sector=Sector.COMMUNITY, territory=t2)
    health = create_organization(sector=Sector.HEALTH, territory=t1)
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    facilitator = create_user(Role.FACILITATOR)
    for organization, label in ((school, "Alpha"), (community, "Bravo")):
        for _ in range(5):
            _cast(ballot, create_user(organization=organization), label)
    for _ in range(2):
        _cast(ballot, create_user(organization=health), "Charlie")
    import_paper_ballots(facilitator, ballot, b"Alpha,Bravo,Charlie\n1,0,0\n0,1,0\n0,0,1\n", "assemblee.csv")
    ballot.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    closes_at = ballot.closes_at

    auth.login(facilitator)
    urls = [
        f"/ballots/{ballot.id}/results",
        f"/ballots/{ballot.id}/receipts",
        f"/manage/ballots/{ballot.id}",
        f"/manage/ballots/{ballot.id}/export/results.csv",
        f"/manage/ballots/{ballot.id}/export/ballots.csv",
    ]
    before = {url: _page(client, url) for url in urls}
    assert "Accord entre les groupes" in before[urls[0]] and "Fermé" in before[urls[2]]
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.OPEN  # the pages stored nothing

    result = app.test_cli_runner().invoke(args=["close-due-ballots"])
    assert result.exit_code == 0 and "Closed 1 ballot(s)" in result.output, result.output
    db.session.expire_all()
    stored = db.session.get(Ballot, ballot.id)
    assert stored.status is BallotStatus.CLOSED and stored.closed_at == closes_at
    assert db.session.scalar(sa.select(sa.func.count()).where(Cast.pseudonym.is_not(None))) == 0
    after = {url: _page(client, url) for url in urls}
    for url in urls:
        assert after[url] == before[url], url


def test_close_due_ballots_closes_only_the_ballots_past_their_time(app, create_ballot):
    due = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    later = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    unbounded = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    due.closes_at = utcnow() - timedelta(seconds=1)
    later.closes_at = utcnow() + timedelta(hours=1)
    db.session.commit()

    runner = app.test_cli_runner()
    assert "Closed 1 ballot(s)" in runner.invoke(args=["close-due-ballots"]).output
    assert "Closed 0 ballot(s)" in runner.invoke(args=["close-due-ballots"]).output
    db.session.expire_all()
    assert [db.session.get(Ballot, b.id).status for b in (due, later, unbounded)] == [
        BallotStatus.CLOSED,
        BallotStatus.OPEN,
        BallotStatus.OPEN,
    ]
    closing = db.session.execute(sa.select(AuditLog).filter_by(action="ballot.close")).scalar_one()
    assert closing.object_id == str(due.id) and closing.actor_id is None and closing.details["automatic"] is True
