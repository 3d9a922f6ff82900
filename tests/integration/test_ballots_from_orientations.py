"""Issue 15: a facilitator builds a ballot straight from the orientations ready for a vote; no two options share a
label (case and accents aside); partners see what each option rests on."""

import re

import sqlalchemy as sa

from app.core.extensions import db
from app.models import Ballot, BallotOption, BallotStatus, ItemState, OptionSource, OrientationState, Role
from tests.conftest import csrf_token_from
from tests.integration.moderation_helpers import make_item, make_orientation
from tests.integration.voting_helpers import make_ballot

BALLOT_FIELDS = {
    "question_fr": "Quelles priorités retenir?",
    "method": "approval",
    "eligibility": "all_partners",
    "results_visibility": "after_close",
    "secret": "y",
}


def _ready(process, title, statement, items=()):
    orientation = make_orientation(process, items, state=OrientationState.READY_FOR_VOTE, title=title)
    orientation.statement_fr = statement
    orientation.title_en = ""
    db.session.commit()
    return orientation


def _new_ballot(client, process, **data):
    url = f"/manage/processes/{process.id}/ballots/new"
    html = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(html), **BALLOT_FIELDS, **data})


def test_a_ballot_built_from_the_orientations_ready_for_a_vote(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    literacy = _ready(process, "Littératie familiale", "Lire avec les tout-petits.")
    transport = _ready(process, "Transport scolaire", "Des trajets plus courts.")
    make_orientation(process, title="Encore en brouillon")
    html = client.get(f"/manage/processes/{process.id}/ballots/new").get_data(as_text=True)
    assert "Orientations prêtes pour le vote" in html
    assert f'name="orientation_ids" type="checkbox" value="{literacy.id}"' in html
    assert f'value="{transport.id}"' in html and "Encore en brouillon" not in html
    # No typed option: the two orientations are the options.
    response = _new_ballot(client, process, orientation_ids=[str(literacy.id), str(transport.id)])
    assert response.status_code == 302, response.get_data(as_text=True)
    ballot = db.session.scalar(sa.select(Ballot).where(Ballot.process_id == process.id))
    options = [(o.label_fr, o.description_fr, o.source, o.orientation_id) for o in ballot.options]
    assert options == [
        ("Littératie familiale", "Lire avec les tout-petits.", OptionSource.ORIENTATION, literacy.id),
        ("Transport scolaire", "Des trajets plus courts.", OptionSource.ORIENTATION, transport.id),
    ]
    # Editing the draft keeps them, and offers no orientation twice.
    edit = client.get(f"/manage/ballots/{ballot.id}/edit").get_data(as_text=True)
    assert f'name="orientation_ids" type="checkbox" value="{literacy.id}"' not in edit


def test_two_options_with_the_same_label_are_refused_whatever_case_and_accents(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    literacy = _ready(process, "Littératie familiale", "Lire avec les tout-petits.")
    typed = {"options-0-label_fr": "LITTERATIE familiale", "options-1-label_fr": "Autre chose"}
    response = _new_ballot(client, process, orientation_ids=[str(literacy.id)], **typed)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "ont le même libellé" in page and 'value="LITTERATIE familiale"' in page
    typed = {"options-0-label_fr": "Éducation", "options-1-label_fr": "education"}
    assert _new_ballot(client, process, **typed).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Ballot)) == 0


def test_an_orientation_whose_title_is_already_an_option_is_refused(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    ballot = make_ballot(process, status=BallotStatus.DRAFT, options=["Littératie familiale", "Autre"])
    orientation = _ready(process, "LITTÉRATIE FAMILIALE", "Lire.")
    url = f"/moderation/orientations/{orientation.id}"
    html = client.get(url).get_data(as_text=True)
    page = client.post(
        f"{url}/ballot", data={"csrf_token": csrf_token_from(html), "ballot": ballot.id}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Une option de ce scrutin porte déjà ce libellé : « Littératie familiale »." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BallotOption)) == 2


def test_partners_see_what_each_option_rests_on(client, auth, create_process):
    process = create_process()
    texts = ("Lire le soir", "Des livres", "Une bibliothèque")
    items = [make_item(process, t, state=ItemState.APPROVED) for t in texts]
    literacy = _ready(process, "Littératie familiale", "Lire avec les tout-petits.", items)
    ballot = make_ballot(process, status=BallotStatus.OPEN, options=["Garder l’offre actuelle"])
    ballot.options.append(
        BallotOption(
            position=2, label_fr=literacy.title_fr, source=OptionSource.ORIENTATION, orientation_id=literacy.id
        )
    )
    db.session.commit()
    auth.login(Role.PARTNER)
    html = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    link = re.search(rf'<a href="/orientations/{literacy.id}"[^>]*>([^<]*)</a>', html)
    assert link is not None and link.group(1) == "L’orientation et ce sur quoi elle repose (3 éléments de preuve)"
    assert html.count('href="/orientations/') == 1  # the typed option has no orientation
    assert client.get(f"/orientations/{literacy.id}").status_code == 200


def test_the_orientation_page_names_the_ballots_it_is_an_option_of(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    literacy = _ready(process, "Littératie familiale", "Lire avec les tout-petits.")
    chosen = make_ballot(process, status=BallotStatus.DRAFT, options=["Transport", "Garde"])
    other = make_ballot(process, status=BallotStatus.DRAFT, question="Un autre scrutin")
    page = client.get(f"/moderation/orientations/{literacy.id}").get_data(as_text=True)
    assert "Option des scrutins" not in page
    added = client.post(
        f"/moderation/orientations/{literacy.id}/ballot",
        data={"csrf_token": csrf_token_from(page), "ballot": chosen.id},
        follow_redirects=True,
    )
    assert "L’orientation est maintenant une option du scrutin." in added.get_data(as_text=True)
    page = client.get(f"/moderation/orientations/{literacy.id}").get_data(as_text=True)
    (listed,) = re.findall(r"<p>Option des scrutins :(.*?)</p>", page)
    assert f"/manage/ballots/{chosen.id}" in listed and f"/manage/ballots/{other.id}" not in listed
