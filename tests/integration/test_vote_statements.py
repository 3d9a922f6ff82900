"""What a vote costs the database (issue 19, the assembly's vote: 100 partners pressing "Voter" in the same second
through one server). Each statement is a round trip paid by every voter of the wave; the figures of the wave are in
bench/bench_load.py (phase *assembly*) and docs/BENCHMARKS.md."""

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Cast, Organization, Role, Sector, VoterRecord
from tests.conftest import csrf_token_from
from tests.integration.voting_helpers import create_ballot, option_ids, post_vote

__all__ = ["create_ballot"]

pytestmark = pytest.mark.postgres_only


def test_a_vote_runs_eight_statements_and_its_receipt_page_six_on_postgresql(
    client, auth, create_ballot, create_user, count_queries
):
    """The voter, the ballot, its process and options, the ballot again FOR SHARE, the voter's organization, the cast
    and the voter record: the cast continues the request's transaction instead of reading everything again."""
    organization = Organization(name="Maison de la famille", sector=Sector.COMMUNITY)
    db.session.add(organization)
    db.session.commit()
    ballot = create_ballot(options=["A", "B", "C", "D", "E"])
    ids = option_ids(ballot)
    voter = create_user(Role.PARTNER, organization=organization)
    auth.login(voter)
    first = {f"rank-{option}": str(rank) for rank, option in enumerate(reversed(ids), start=1)}
    post_vote(client, ballot, first)  # a first vote, replaced by the one counted below
    second = {f"rank-{option}": str(rank) for rank, option in enumerate(ids, start=1)}
    token = csrf_token_from(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))

    with count_queries() as counted:
        response = client.post(f"/ballots/{ballot.id}/vote", data={**second, "csrf_token": token})

    assert response.status_code == 303
    assert counted.count == 8, "\n".join(counted.statements)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cast).filter_by(ballot_id=ballot.id)) == 1
    record = db.session.scalar(sa.select(VoterRecord).filter_by(ballot_id=ballot.id))
    assert record.cast_count == 2
    with count_queries() as counted:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "receipt-code" in page
    # The receipt page: the voter, the ballot, its process, the voter's record, the receipt among the casts, the
    # options (their evidence is not looked up when no option puts an orientation to the vote).
    assert counted.count == 6, "\n".join(counted.statements)
    assert db.session.scalar(sa.select(Cast.contents).filter_by(ballot_id=ballot.id)) == {
        str(option): rank for rank, option in enumerate(ids, start=1)
    }
