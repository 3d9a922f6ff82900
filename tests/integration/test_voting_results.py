"""Results on small known data: exact numbers, plain-language explanations, turnout, quorum, agreement across
groups (small groups, and groups that would single them out, counted only in the totals), and what closing does
to the stored casts."""

from collections import Counter

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    BallotStatus,
    Cast,
    Eligibility,
    ResultsVisibility,
    Role,
    Sector,
    VoterRecord,
    VotingMethod,
)
from app.voting import ballots as domain
from app.voting.results import compute_results
from tests.integration.voting_helpers import create_ballot, option_ids

__all__ = ["create_ballot"]

ABC = ["Alpha", "Bravo", "Charlie"]
REST = "Autres groupes et personnes sans organisme, ensemble"


@pytest.fixture(autouse=True)
def _request(app):
    """Results are computed in the person's language: within a request (French by default)."""
    with app.test_request_context():
        yield


@pytest.fixture
def create_facilitator(create_user):
    return create_user(Role.FACILITATOR)


@pytest.fixture
def voters(create_user, create_organization, create_territory):
    """12 partners: 5 from schools of territory T1, 5 from community groups of T2, 2 from health in T1."""
    t1, t2 = create_territory(name="Coaticook"), create_territory(name="Sherbrooke")
    school = create_organization(name="École A", sector=Sector.SCHOOL, territory=t1)
    community = create_organization(name="Maison B", sector=Sector.COMMUNITY, territory=t2)
    health = create_organization(name="CLSC C", sector=Sector.HEALTH, territory=t1)
    people = [create_user(organization=school, password=None) for _ in range(5)]
    people += [create_user(organization=community, password=None) for _ in range(5)]
    people += [create_user(organization=health, password=None) for _ in range(2)]
    return people


def cast_all(ballot, pairs):
    """pairs: (user, {option label: value})."""
    ids = {o.label_fr: o.id for o in ballot.options}
    receipts = []
    for user, choice in pairs:
        receipts.append(domain.cast_vote(ballot, user, {ids[label]: value for label, value in choice.items()}))
        db.session.commit()
    return receipts


def test_approval_totals_and_a_tie_for_first(app, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    cast_all(
        ballot,
        [
            (voters[0], {"Alpha": 1, "Bravo": 1}),
            (voters[1], {"Alpha": 1}),
            (voters[2], {"Bravo": 1, "Charlie": 1}),
            (voters[3], {"Alpha": 1, "Charlie": 1}),
            (voters[4], {"Charlie": 1}),
        ],
    )
    results = compute_results(ballot)
    a, b, c = (str(i) for i in option_ids(ballot))
    assert results.counted == 5
    assert results.result.scores == {a: 3, b: 2, c: 3}
    assert results.result.ranking == [[a, c], [b]]
    assert [(place, tied, o.label_fr) for place, tied, o in results.ranking_rows] == [
        (1, True, "Alpha"),
        (1, True, "Charlie"),
        (3, False, "Bravo"),
    ]
    assert "Alpha et Charlie sont à égalité en première place." in results.explanations
    assert "Alpha et Charlie sont à égalité avec 3 chacune." in results.explanations
    assert any(line.startswith("Les égalités ne sont jamais tranchées au hasard") for line in results.explanations)


def test_points_totals(app, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.POINTS, options=ABC, settings={"budget": 10})
    cast_all(ballot, [(voters[0], {"Alpha": 7, "Bravo": 3}), (voters[1], {"Bravo": 10}), (voters[2], {"Charlie": 1})])
    results = compute_results(ballot)
    a, b, c = (str(i) for i in option_ids(ballot))
    assert results.result.scores == {a: 7, b: 13, c: 1}
    assert results.explanations[1] == "Bravo arrive en tête."


def test_ranking_cycle_schulze_tie_and_borda_beside_it(app, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.RANKING, options=ABC)
    abc = {"Alpha": 1, "Bravo": 2, "Charlie": 3}
    bca = {"Bravo": 1, "Charlie": 2, "Alpha": 3}
    cab = {"Charlie": 1, "Alpha": 2, "Bravo": 3}
    cast_all(ballot, list(zip(voters, [abc, abc, bca, bca, cab], strict=False)))
    results = compute_results(ballot)
    a, b, c = (str(i) for i in option_ids(ballot))
    d = results.result.details["pairwise"]
    assert (d[a][b], d[b][a], d[b][c], d[c][b], d[a][c], d[c][a]) == (3, 2, 4, 1, 2, 3)
    p = results.result.details["strongest_paths"]
    assert (p[a][b], p[b][a], p[b][c], p[c][b]) == (3, 3, 4, 3)
    assert results.result.ranking == [[a, b], [c]]
    assert results.borda.scores == {a: 5, b: 6, c: 4}
    assert results.explanations[1] == "Alpha et Bravo sont à égalité en première place."
    assert (
        "Alpha et Bravo sont à égalité : la chaîne la plus forte de Alpha vers Bravo (3 bulletins) est exactement "
        "aussi forte que celle de Bravo vers Alpha (3 bulletins)."
    ) in results.explanations
    assert (
        "Le décompte Borda placerait Bravo en tête. Les deux méthodes peuvent diverger; le résultat de ce scrutin "
        "est le classement Schulze."
    ) in results.explanations


def test_ranking_condorcet_winner_is_explained(app, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.RANKING, options=ABC)
    cast_all(
        ballot,
        [(v, {"Alpha": 1, "Bravo": 2}) for v in voters[:3]] + [(v, {"Bravo": 1, "Alpha": 2}) for v in voters[3:5]],
    )
    results = compute_results(ballot)
    assert results.explanations[1] == "Alpha arrive en tête."
    assert results.explanations[2].startswith("Alpha est préférée à chacune des autres options en face-à-face")


def test_majority_judgment_profiles_medians_and_tie_break_in_words(app, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.MAJORITY_JUDGMENT, options=ABC)
    grades_a, grades_b = [4, 4, 3, 5], [4, 4, 2, 4]
    cast_all(
        ballot,
        [(voters[i], {"Alpha": grades_a[i], "Bravo": grades_b[i], "Charlie": 0}) for i in range(4)],
    )
    results = compute_results(ballot)
    a, b, c = (str(i) for i in option_ids(ballot))
    assert results.result.details["profiles"][a] == [0, 0, 0, 1, 2, 1]
    assert results.result.scores == {a: 4, b: 4, c: 0}
    assert results.result.ranking == [[a], [b], [c]]
    assert (
        "Alpha et Bravo ont la même mention médiane, « Bien ». Après le retrait de 2 mentions médianes de chacune, "
        "Alpha obtient « Assez bien » et Bravo « Passable » : Alpha est donc classée plus haut."
    ) in results.explanations
    assert results.score_text(c) == "À rejeter"


def test_no_ballot_yet(app, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    results = compute_results(ballot)
    assert results.counted == 0 and results.result.winners == []
    assert results.explanations[-1] == "Aucun bulletin n’a encore été compté."


def test_turnout_and_quorum(app, create_ballot, voters, create_user):
    create_user(Role.FACILITATOR)  # not a voter of an all-partners ballot
    create_user(active=False)  # not eligible
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={}, quorum_percent=50)
    cast_all(ballot, [(v, {"Alpha": 1}) for v in voters[:5]])
    results = compute_results(ballot)
    assert (results.turnout.eligible, results.turnout.voters, results.turnout.counted) == (12, 5, 5)
    assert (results.quorum.required, results.quorum.reached) == (6, False)
    # The 2 health partners are too few to be shown; shown beside the two groups of 5, they would be told by
    # subtraction anyway, so one of these (the community one) is counted with them.
    by_sector = {row.label: (row.eligible, row.voters, row.rest) for row in results.turnout.by_sector}
    assert by_sector == {"Scolaire": (5, 5, False), REST: (7, 0, True)}
    by_territory = {row.label: (row.eligible, row.voters) for row in results.turnout.by_territory}
    assert by_territory == {"Coaticook": (5, 5), REST: (7, 0)}
    cast_all(ballot, [(voters[5], {"Bravo": 1})])
    assert compute_results(ballot).quorum.reached is True


def test_turnout_counts_organizations_for_one_ballot_per_organization(app, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, eligibility=Eligibility.ONE_PER_ORGANIZATION)
    cast_all(ballot, [(voters[0], {"Alpha": 1}), (voters[1], {"Bravo": 1}), (voters[5], {"Alpha": 1})])
    results = compute_results(ballot)
    assert (results.turnout.eligible, results.turnout.voters, results.counted) == (3, 2, 2)
    assert results.turnout.per_organization
    assert db.session.scalar(sa.select(sa.func.count()).select_from(VoterRecord)) == 3


def test_agreement_across_groups_after_the_close(
    app, create_ballot, voters, create_user, create_organization, create_facilitator
):
    """Groups of 5 schools (Coaticook), 5 community groups and 5 employers (Sherbrooke), 2 health partners
    (Coaticook). The 2 health ballots cannot be shown, nor left alone as "the rest": the smallest group joins
    them (community, first of the groups of 5 in order)."""
    employer = create_organization(name="Usine D", sector=Sector.EMPLOYER, territory=voters[5].organization.territory)
    employers = [create_user(organization=employer, password=None) for _ in range(5)]
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    pairs = [(v, {"Alpha": 1, "Bravo": 1}) for v in voters[:5]] + [(v, {"Bravo": 1}) for v in voters[5:10]]
    pairs += [(v, {"Charlie": 1}) for v in voters[10:]] + [(v, {"Alpha": 1}) for v in employers]
    cast_all(ballot, pairs)
    assert compute_results(ballot).agreements == []  # nothing by group while the vote is open
    domain.close_ballot(create_facilitator, ballot)
    db.session.commit()

    results = compute_results(ballot)
    by_sector = next(a for a in results.agreements if a.dimension == "sector")
    assert [(g.label, g.ballots) for g in by_sector.groups] == [("Employeur", 5), ("Scolaire", 5)]
    assert by_sector.rest == 7
    rows = {row.label: row for row in by_sector.rows}
    assert rows["Alpha"].values == [1.0, 1.0] and rows["Alpha"].level == "agree"
    assert rows["Bravo"].values == [0.0, 1.0] and rows["Bravo"].level == "diverge"
    assert rows["Bravo"].spread_shown == "100 points de pourcentage"
    by_territory = next(a for a in results.agreements if a.dimension == "territory")
    assert [(g.label, g.ballots) for g in by_territory.groups] == [("Coaticook", 5), ("Sherbrooke", 5)]
    assert by_territory.rest == 7


def test_results_page_shows_tables_and_explanations(client, auth, create_ballot, voters):
    ballot = create_ballot(method=VotingMethod.RANKING, options=ABC, results_visibility=ResultsVisibility.LIVE)
    cast_all(ballot, [(v, {"Alpha": 1, "Bravo": 2}) for v in voters[:6]])
    facilitator = auth.login(Role.FACILITATOR)
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "Comparaisons en face-à-face" in page and "Chaînes les plus fortes (Schulze)" in page
    assert '<th scope="row">1. Alpha</th>' in page and "<strong>6</strong>" in page
    assert "Alpha arrive en tête." in page
    assert "Participation par secteur" in page and REST in page
    assert "Accord entre les groupes" not in page  # live results: no breakdown by group
    domain.close_ballot(facilitator, ballot)
    db.session.commit()
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert "Accord entre les groupes" in page and "<strong>6</strong>" in page


def test_closing_seals_the_casts(app, create_ballot, voters, create_user):
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    pairs = [(v, {"Alpha": 1}) for v in voters[:5]] + [(v, {"Bravo": 1}) for v in voters[5:10]]
    pairs += [(v, {"Charlie": 1}) for v in voters[10:]]
    receipts = cast_all(ballot, pairs)
    before = db.session.execute(sa.select(Cast.id, Cast.pseudonym).filter_by(ballot_id=ballot.id)).all()
    assert all(pseudonym for _id, pseudonym in before)

    domain.close_ballot(create_user(Role.FACILITATOR), ballot)
    db.session.commit()

    after = db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot.id)).scalars().all()
    assert ballot.status is BallotStatus.CLOSED
    assert {c.pseudonym for c in after} == {None} and {c.user_id for c in after} == {None}
    assert not {c.id for c in after} & {row.id for row in before}
    assert sorted(c.receipt for c in after) == sorted(receipts)
    groups = Counter((c.sector, c.territory_id) for c in after)
    # The two health voters (a group of 2) lost their sector and territory, and so did the community voters,
    # lest the two be told apart from the others by subtraction; the schools kept theirs.
    assert groups == Counter({(None, None): 7, (Sector.SCHOOL, voters[0].organization.territory_id): 5})
    assert compute_results(ballot).result.scores == {
        str(i): 5 if n < 2 else 2 for n, i in enumerate(option_ids(ballot))
    }


def test_results_page_states_the_borda_convention_and_the_schulze_link_rule(client, auth, create_ballot, voters):
    # Issue 15: a partial ranking (Charlie left out) gets its Borda points by a stated rule.
    ballot = create_ballot(method=VotingMethod.RANKING, options=ABC, results_visibility=ResultsVisibility.LIVE)
    cast_all(ballot, [(v, {"Alpha": 1}) for v in voters[:5]])
    auth.login(Role.FACILITATOR)
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert (
        "Borda : avec n options, la première reçoit n − 1 points, la deuxième n − 2, et ainsi de suite; les options "
        "qu’un bulletin ne classe pas (ou met à égalité) se partagent également les points des places qu’elles "
        "occupent, de sorte que chaque bulletin distribue le même total." in page
    )
    assert "Force d’un lien (Schulze) : les votes gagnants" in page
