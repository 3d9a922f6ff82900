"""Orientations ready for the vote become ballot options; adopting the option adopts the orientation."""

import sqlalchemy as sa

from app.core.extensions import db
from app.models import BallotOption, BallotStatus, OptionSource, OrientationState, Role
from app.voting import ballots as voting
from tests.conftest import csrf_token_from
from tests.integration.moderation_helpers import make_orientation
from tests.integration.voting_helpers import make_ballot


def test_a_ready_orientation_becomes_an_option_and_is_adopted_with_it(client, auth, create_process):
    facilitator = auth.login(Role.FACILITATOR)
    process = create_process()
    ballot = make_ballot(process, status=BallotStatus.DRAFT)
    draft = make_orientation(process, title="Encore en brouillon")
    ready = make_orientation(process, state=OrientationState.READY_FOR_VOTE, title="Haltes-garderies rurales")
    url = f"/moderation/orientations/{ready.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Mettre au vote dans le scrutin en préparation" in html
    page = client.post(
        f"{url}/ballot", data={"csrf_token": csrf_token_from(html), "ballot": ballot.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "L’orientation est maintenant une option du scrutin." in page
    again = client.post(
        f"{url}/ballot", data={"csrf_token": csrf_token_from(html), "ballot": ballot.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cette orientation est déjà une option de ce scrutin." in again
    refused = client.post(
        f"/moderation/orientations/{draft.id}/ballot",
        data={"csrf_token": csrf_token_from(html), "ballot": ballot.id},
        follow_redirects=True,
    )
    assert "Seule une orientation prête pour le vote" in refused.get_data(as_text=True)
    option = db.session.scalar(sa.select(BallotOption).where(BallotOption.orientation_id == ready.id))
    assert option.source is OptionSource.ORIENTATION and option.label_fr == "Haltes-garderies rurales"
    assert option.position == 4

    ballot.status = BallotStatus.CLOSED
    db.session.commit()
    voting.adopt_options(facilitator, ballot, [option.id])
    db.session.commit()
    db.session.expire_all()
    assert ready.state is OrientationState.ADOPTED
    voting.adopt_options(facilitator, ballot, [])
    db.session.commit()
    db.session.expire_all()
    assert ready.state is OrientationState.READY_FOR_VOTE
