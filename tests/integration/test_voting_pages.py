"""Voting pages through the test client: partners vote (and make every kind of mistake), facilitators prepare,
open, close, publish and count ballots. Never a 500."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    AuditLog,
    Ballot,
    BallotOption,
    BallotStatus,
    Cast,
    Eligibility,
    ProcessStatus,
    ResultsVisibility,
    Role,
    VoterRecord,
    VotingMethod,
    utcnow,
)
from tests.conftest import count_rows, csrf_token_from
from tests.integration.voting_helpers import RECEIPT, create_ballot, option_ids, post_vote, receipt_on_page

__all__ = ["create_ballot"]


def casts_of(ballot) -> list[Cast]:
    return db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot.id)).scalars().all()


# --- partners: lists -----------------------------------------------------------------------------------------


def test_partner_sees_the_ballots_they_are_eligible_for(client, auth, create_ballot, create_process, create_user):
    process = create_process()
    open_ballot = create_ballot(process, question="Quelles priorités pour 2025?")
    create_ballot(process, status=BallotStatus.DRAFT, question="Brouillon caché")
    someone = create_user()
    create_ballot(process, eligibility=Eligibility.LISTED, listed=[someone], question="Réservé à une liste")
    auth.login(Role.PARTNER)

    page = client.get(f"/p/{process.slug}/votes").get_data(as_text=True)
    assert "Quelles priorités pour 2025?" in page
    assert f"/ballots/{open_ballot.id}" in page
    assert "Brouillon caché" not in page and "Réservé à une liste" not in page
    assert "Quelles priorités pour 2025?" in client.get("/votes").get_data(as_text=True)


def test_votes_of_a_draft_process_are_not_found_for_partners(client, auth, create_ballot, create_process):
    process = create_process(ProcessStatus.DRAFT)
    ballot = create_ballot(process)
    auth.login(Role.PARTNER)
    assert client.get(f"/p/{process.slug}/votes").status_code == 404
    assert client.get(f"/ballots/{ballot.id}").status_code == 404


def test_empty_list_says_so(client, auth):
    auth.login(Role.PARTNER)
    assert "Aucun scrutin ne vous est ouvert pour l’instant." in client.get("/votes").get_data(as_text=True)


# --- partners: casting, per method ----------------------------------------------------------------------------


def test_approval_vote_is_recorded_with_a_receipt(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    a, b, _c = option_ids(ballot)
    user = auth.login(Role.PARTNER)

    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Cochez les options que vous approuvez (au plus 2)." in page
    assert f'<input type="checkbox" name="choice" value="{a}"' in page

    response = post_vote(client, ballot, [("choice", str(a)), ("choice", str(b))])
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre vote est enregistré." in page
    receipt = receipt_on_page(page)
    assert receipt and RECEIPT.fullmatch(receipt)
    [cast] = casts_of(ballot)
    assert cast.contents == {str(a): 1, str(b): 1} and cast.receipt == receipt
    assert cast.user_id is None and cast.pseudonym is not None
    record = db.session.execute(sa.select(VoterRecord).filter_by(ballot_id=ballot.id)).scalar_one()
    assert record.user_id == user.id and record.cast_count == 1
    # The receipt is shown once; the page then says the person has voted.
    again = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert receipt not in again and "Vous avez déjà voté" in again


def test_changing_the_vote_keeps_only_the_last_one(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, c = option_ids(ballot)
    auth.login(Role.PARTNER)
    post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "2"})
    first = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    post_vote(client, ballot, {f"rank-{c}": "1"})
    second = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))

    [cast] = casts_of(ballot)
    assert cast.contents == {str(c): 1}
    assert second != first and cast.receipt == second
    record = db.session.execute(sa.select(VoterRecord).filter_by(ballot_id=ballot.id)).scalar_one()
    assert record.cast_count == 2


def test_points_vote(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.POINTS)
    a, b, c = option_ids(ballot)
    auth.login(Role.PARTNER)
    assert "Répartissez au plus 10 points entre les options." in client.get(f"/ballots/{ballot.id}").get_data(
        as_text=True
    )
    assert post_vote(client, ballot, {f"points-{a}": "6", f"points-{b}": "4", f"points-{c}": ""}).status_code == 303
    assert casts_of(ballot)[0].contents == {str(a): 6, str(b): 4}


def test_majority_judgment_vote(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.MAJORITY_JUDGMENT)
    ids = option_ids(ballot)
    auth.login(Role.PARTNER)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert page.count('type="radio"') == 18 and "À rejeter" in page and "Assez bien" in page
    assert (
        post_vote(client, ballot, {f"grade-{i}": str(g) for i, g in zip(ids, (5, 0, 3), strict=True)}).status_code
        == 303
    )
    assert casts_of(ballot)[0].contents == {str(ids[0]): 5, str(ids[1]): 0, str(ids[2]): 3}


# --- partners: mistakes are shown next to the options, the ballot kept as filled -------------------------------


def test_points_over_budget_is_refused_and_the_ballot_kept(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.POINTS)
    a, b, c = option_ids(ballot)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, {f"points-{a}": "6", f"points-{b}": "5", f"points-{c}": "1"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "12 points sont attribués sur un budget de 10 points." in page
    assert "Votre bulletin n’a pas été enregistré." in page
    assert f'name="points-{a}" id="points-{a}" min="0"' in page
    assert 'value="6"' in page and 'value="5"' in page
    assert count_rows(Cast) == 0 and count_rows(VoterRecord) == 0


def test_points_over_the_maximum_per_option_points_at_the_option(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.POINTS)
    a, *_ = option_ids(ballot)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, {f"points-{a}": "7"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        f'<a href="#option-{a}">Littératie familiale reçoit 7 points; au plus 6 points par option sont permis.' in page
    )
    assert f'id="option-{a}-error"' in page


def test_duplicate_ranks_are_refused(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, c = option_ids(ballot)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "1", f"rank-{c}": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Le rang 1 est donné à la fois à Littératie familiale et à Transition scolaire." in page
    assert page.count('<option value="1" selected>') == 2 and page.count('<option value="2" selected>') == 1
    assert count_rows(Cast) == 0


def test_a_gap_in_ranks_is_refused(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, _c = option_ids(ballot)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "3"})
    assert response.status_code == 422
    assert "mais le rang 2 n’est pas utilisé" in response.get_data(as_text=True)


def test_missing_grade_is_refused(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.MAJORITY_JUDGMENT)
    a, b, c = option_ids(ballot)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, {f"grade-{a}": "4", f"grade-{c}": "2"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<a href="#option-{b}">Transition scolaire n’a pas de mention.</a>' in page
    assert f'id="grade-{a}-4" value="4" checked' in page
    assert count_rows(Cast) == 0


def test_too_many_approvals_are_refused(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, [("choice", str(i)) for i in option_ids(ballot)])
    assert response.status_code == 422
    assert "Au plus 2 options peuvent être choisies; 3 le sont." in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


@pytest.mark.parametrize(
    ("method", "tampered"),
    [
        (VotingMethod.APPROVAL, [("choice", "999999")]),
        (VotingMethod.APPROVAL, [("choice", "abc")]),
        (VotingMethod.APPROVAL, [("choice", "-1")]),
        (VotingMethod.RANKING, [("rank-999999", "1")]),
        (VotingMethod.RANKING, [("rank-abc", "1")]),
        (VotingMethod.POINTS, [("points-999999", "1")]),
        (VotingMethod.MAJORITY_JUDGMENT, [("grade-999999", "3")]),
    ],
)
def test_unknown_or_tampered_options_are_refused(client, auth, create_ballot, method, tampered):
    ballot = create_ballot(method=method)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, tampered)
    assert response.status_code == 422
    assert "Option inconnue" in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


def test_an_option_of_another_ballot_is_unknown_here(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    other = create_ballot(method=VotingMethod.RANKING)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, {f"rank-{option_ids(other)[0]}": "1"})
    assert response.status_code == 422 and count_rows(Cast) == 0


@pytest.mark.parametrize(
    ("method", "field", "value", "message"),
    [
        (VotingMethod.POINTS, "points", "3.5", "La valeur de Littératie familiale doit être un nombre entier."),
        (VotingMethod.POINTS, "points", "-2", "Les points de Littératie familiale ne peuvent pas être négatifs (-2)."),
        (VotingMethod.RANKING, "rank", "premier", "La valeur de Littératie familiale doit être un nombre entier."),
        (VotingMethod.RANKING, "rank", "0", "Le rang de Littératie familiale doit être 1 ou plus, et non 0."),
        (VotingMethod.MAJORITY_JUDGMENT, "grade", "9", "La mention de Littératie familiale doit être entre 0 et 5"),
        (VotingMethod.POINTS, "points", "9" * 40, "La valeur de Littératie familiale doit être un nombre entier."),
    ],
)
def test_malformed_values_are_refused_with_a_message(client, auth, create_ballot, method, field, value, message):
    ballot = create_ballot(method=method)
    ids = option_ids(ballot)
    auth.login(Role.PARTNER)
    data = {f"{field}-{ids[0]}": value}
    if method is VotingMethod.MAJORITY_JUDGMENT:
        data.update({f"grade-{i}": "2" for i in ids[1:]})
    response = post_vote(client, ballot, data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


def test_a_blank_ranking_is_a_valid_blank_ballot(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    auth.login(Role.PARTNER)
    assert post_vote(client, ballot, {}).status_code == 303
    assert casts_of(ballot)[0].contents == {}


def test_csrf_is_required(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    response = client.post(f"/ballots/{ballot.id}/vote", data={"choice": str(option_ids(ballot)[0])})
    assert response.status_code == 400 and count_rows(Cast) == 0


# --- partners: when voting is not possible ------------------------------------------------------------------


@pytest.mark.parametrize("status", [BallotStatus.CLOSED, BallotStatus.PUBLISHED])
def test_voting_on_a_closed_ballot_is_refused(client, auth, create_ballot, status):
    ballot = create_ballot(method=VotingMethod.APPROVAL, status=status)
    auth.login(Role.PARTNER)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert f'action="/ballots/{ballot.id}/vote"' not in page
    response = post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert response.status_code == 409
    assert "Le vote est fermé pour ce scrutin." in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


def test_voting_before_the_opening_time_is_refused(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    ballot.opens_at = utcnow() + timedelta(hours=2)
    db.session.commit()
    auth.login(Role.PARTNER)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Le vote commence le" in page and "Le vote n’a pas encore commencé." in page
    response = post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert response.status_code == 409 and count_rows(Cast) == 0


def test_a_ballot_past_its_closing_time_closes_itself_and_seals_the_casts(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    ballot.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Fermé" in page and "Le vote a fermé le" in page
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.OPEN  # a page (GET) writes nothing
    # The next action on the ballot stores the close and seals the casts: here a late vote, refused.
    assert post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))]).status_code == 409
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.CLOSED
    assert [c.pseudonym for c in casts_of(ballot)] == [None]
    closing = db.session.execute(sa.select(AuditLog).filter_by(action="ballot.close")).scalar_one()
    assert closing.actor_id is None and closing.details["automatic"] is True


def test_not_listed_partner_sees_the_ballot_but_cannot_vote(client, auth, create_ballot, create_user):
    listed = create_user()
    ballot = create_ballot(method=VotingMethod.APPROVAL, eligibility=Eligibility.LISTED, listed=[listed])
    auth.login(Role.PARTNER)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Vous ne figurez pas sur la liste des personnes votantes de ce scrutin." in page
    assert f'action="/ballots/{ballot.id}/vote"' not in page
    response = post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert response.status_code == 403
    assert "Vous ne figurez pas sur la liste des personnes votantes de ce scrutin." in response.get_data(as_text=True)
    assert count_rows(Cast) == 0


def test_listed_voter_can_vote(client, auth, create_ballot, create_user):
    listed = create_user()
    ballot = create_ballot(method=VotingMethod.APPROVAL, eligibility=Eligibility.LISTED, listed=[listed])
    auth.login(listed)
    assert post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))]).status_code == 303
    assert count_rows(Cast) == 1


def test_facilitators_do_not_vote_on_an_all_partners_ballot(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.FACILITATOR)
    response = post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert response.status_code == 403
    assert "Seuls les partenaires votent à ce scrutin." in response.get_data(as_text=True)


def test_one_per_organization_needs_an_organization(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL, eligibility=Eligibility.ONE_PER_ORGANIZATION)
    auth.login(Role.PARTNER)
    response = post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    assert response.status_code == 403
    assert "votre compte n’est rattaché à aucun organisme" in response.get_data(as_text=True)


def test_one_per_organization_the_last_member_counts(client, auth, create_ballot, create_user, create_organization):
    ballot = create_ballot(method=VotingMethod.APPROVAL, eligibility=Eligibility.ONE_PER_ORGANIZATION)
    a, b, _c = option_ids(ballot)
    organization = create_organization()
    first, second = create_user(organization=organization), create_user(organization=organization)
    auth.login(first)
    post_vote(client, ballot, [("choice", str(a))])
    auth.logout()
    auth.login(second)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Une personne de votre organisme a déjà voté." in page
    post_vote(client, ballot, [("choice", str(b))])

    [cast] = casts_of(ballot)
    assert cast.contents == {str(b): 1}
    assert count_rows(VoterRecord) == 2


def test_deactivated_partner_is_signed_out(client, auth, create_ballot, create_user):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    user = create_user()
    auth.login(user)
    token = csrf_token_from(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    user.deactivate()
    db.session.commit()
    response = client.post(
        f"/ballots/{ballot.id}/vote", data={"choice": str(option_ids(ballot)[0]), "csrf_token": token}
    )
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert count_rows(Cast) == 0


def test_unknown_ballot_is_not_found(client, auth):
    auth.login(Role.PARTNER)
    assert client.get("/ballots/987654").status_code == 404
    assert client.get("/ballots/987654/results").status_code == 404


def test_draft_ballot_is_hidden_from_partners_but_previewed_by_facilitators(client, auth, create_ballot):
    ballot = create_ballot(status=BallotStatus.DRAFT)
    auth.login(Role.PARTNER)
    assert client.get(f"/ballots/{ballot.id}").status_code == 404
    assert client.get(f"/ballots/{ballot.id}/receipts").status_code == 404
    auth.logout()
    auth.login(Role.FACILITATOR)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Littératie familiale" in page and "Pas encore ouvert." in page
    assert client.get(f"/ballots/{ballot.id}/results").status_code == 404


# --- results and receipts ----------------------------------------------------------------------------------


def test_results_after_close_are_hidden_until_published(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    response = client.get(f"/ballots/{ballot.id}/results")
    assert response.status_code == 403
    assert "une fois le vote fermé et les résultats publiés" in response.get_data(as_text=True)
    ballot.status = BallotStatus.CLOSED
    db.session.commit()
    assert client.get(f"/ballots/{ballot.id}/results").status_code == 403
    ballot.status = BallotStatus.PUBLISHED
    db.session.commit()
    assert client.get(f"/ballots/{ballot.id}/results").status_code == 200


def test_live_results_are_shown_to_voters_while_open(client, auth, create_ballot, create_user):
    """They move once 5 people have voted (then each time 5 more have), never with each vote."""
    ballot = create_ballot(method=VotingMethod.APPROVAL, results_visibility=ResultsVisibility.LIVE)
    a, *_ = option_ids(ballot)
    for n in range(5):
        auth.login(create_user())
        post_vote(client, ballot, [("choice", str(a))])
        page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
        assert "Résultats en direct" in page
        if n < 4:
            assert "Aucun bulletin n’a encore été compté." in page
            assert "Pas encore mis à jour : moins de 5 personnes ont voté." in page
        auth.logout()
    assert "Littératie familiale arrive en tête." in page and "Dernière mise à jour :" in page


def test_facilitators_always_see_results_but_not_who_voted_while_open(client, auth, create_ballot, create_user):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    voter = create_user(name="Gisèle Votante")
    auth.login(voter)
    post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))])
    auth.logout()
    auth.login(Role.FACILITATOR)
    assert client.get(f"/ballots/{ballot.id}/results").status_code == 200
    page = client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True)
    assert "Gisèle Votante" not in page
    assert "Les noms des personnes qui ont voté sont affichés une fois le vote fermé" in page


def test_not_eligible_partner_cannot_see_results_or_receipts(client, auth, create_ballot, create_user):
    ballot = create_ballot(
        method=VotingMethod.APPROVAL,
        status=BallotStatus.PUBLISHED,
        eligibility=Eligibility.LISTED,
        listed=[create_user()],
    )
    auth.login(Role.PARTNER)
    response = client.get(f"/ballots/{ballot.id}/results")
    assert response.status_code == 403
    assert "Les résultats de ce scrutin sont montrés aux personnes appelées à y voter." in response.get_data(
        as_text=True
    )
    assert client.get(f"/ballots/{ballot.id}/receipts").status_code == 403


def _vote_close_publish(client, auth, ballot, data, facilitator_role=Role.FACILITATOR):
    post_vote(client, ballot, data)
    receipt = receipt_on_page(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    auth.logout()
    facilitator = auth.login(facilitator_role)
    for action in ("close", "publish"):
        token_page = client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True)
        response = client.post(
            f"/manage/ballots/{ballot.id}/{action}", data={"csrf_token": csrf_token_from(token_page)}
        )
        assert response.status_code == 302
    auth.logout()
    return receipt, facilitator


def test_receipt_check_after_publication(client, auth, create_ballot, create_user, csrf):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, _c = option_ids(ballot)
    voter = create_user()
    auth.login(voter)
    receipt, _facilitator = _vote_close_publish(client, auth, ballot, {f"rank-{b}": "1", f"rank-{a}": "2"})
    auth.login(voter)

    page = client.get(f"/ballots/{ballot.id}/receipts").get_data(as_text=True)
    assert "1 bulletin compté" in page and receipt in page

    typed = receipt.lower().replace("-", " ")
    response = client.post(
        f"/ballots/{ballot.id}/receipts/check",
        data={"receipt": typed, "csrf_token": csrf(f"/ballots/{ballot.id}/receipts")},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Votre bulletin {receipt} a été compté tel que vous l’avez rempli :" in page
    assert "Transition scolaire : 1" in page and "Littératie familiale : 2" in page
    assert "Conciliation études-travail : non classée" in page

    response = client.post(
        f"/ballots/{ballot.id}/receipts/check",
        data={"receipt": "2222-2222-22", "csrf_token": csrf(f"/ballots/{ballot.id}/receipts")},
    )
    assert "Aucun bulletin compté ne porte le code 2222-2222-22." in response.get_data(as_text=True)

    response = client.post(
        f"/ballots/{ballot.id}/receipts/check",
        data={"receipt": "pas un code", "csrf_token": csrf(f"/ballots/{ballot.id}/receipts")},
    )
    assert response.status_code == 422
    assert "Un code de reçu compte 10 lettres et chiffres" in response.get_data(as_text=True)


def test_receipts_are_not_listed_before_publication(client, auth, create_ballot, csrf):
    ballot = create_ballot(method=VotingMethod.APPROVAL, status=BallotStatus.CLOSED)
    auth.login(Role.PARTNER)
    page = client.get(f"/ballots/{ballot.id}/receipts").get_data(as_text=True)
    assert "La liste des bulletins comptés est publiée avec les résultats" in page
    response = client.post(
        f"/ballots/{ballot.id}/receipts/check",
        data={"receipt": "2222-2222-22", "csrf_token": csrf(f"/ballots/{ballot.id}/receipts")},
    )
    assert response.status_code == 409


# --- facilitators: preparing a ballot -------------------------------------------------------------------------


def _ballot_form(**overrides) -> dict:
    data = {
        "question_fr": "Quelles priorités régionales retenir?",
        "question_en": "Which regional priorities?",
        "method": "points",
        "budget": "10",
        "max_per_option": "5",
        "eligibility": "all_partners",
        "results_visibility": "after_close",
        "secret": "y",
        "options-0-label_fr": "Littératie familiale",
        "options-0-label_en": "Family literacy",
        "options-1-label_fr": "Transition scolaire",
        "options-1-label_en": "School transitions",
        "options-2-label_fr": "",
        "options-3-label_fr": "",
        "closes_at": "2099-06-01T17:00",
    }
    data.update(overrides)
    return data


def test_facilitator_creates_a_ballot(client, auth, create_process, csrf):
    process = create_process()
    facilitator = auth.login(Role.FACILITATOR)
    url = f"/manage/processes/{process.id}/ballots/new"
    page = client.get(url).get_data(as_text=True)
    assert "Nouveau scrutin" in page and 'name="options-3-label_fr"' in page

    response = client.post(url, data={**_ballot_form(), "csrf_token": csrf(url)})
    assert response.status_code == 302
    ballot = db.session.execute(sa.select(Ballot).filter_by(process_id=process.id)).scalar_one()
    assert ballot.status is BallotStatus.DRAFT and ballot.method is VotingMethod.POINTS
    assert ballot.settings == {"budget": 10, "max_per_option": 5}
    assert [(o.position, o.label_fr, o.label_en) for o in ballot.options] == [
        (1, "Littératie familiale", "Family literacy"),
        (2, "Transition scolaire", "School transitions"),
    ]
    assert ballot.secret is True and ballot.created_by_id == facilitator.id
    # 17:00 in Montréal in June is 21:00 UTC.
    assert ballot.closes_at.hour == 21 and ballot.closes_at.tzinfo is not None
    assert response.headers["Location"] == f"/manage/ballots/{ballot.id}"
    assert "Scrutin enregistré." in client.get(response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"options-1-label_fr": "", "options-1-label_en": ""}, "Un scrutin doit compter au moins deux options."),
        ({"options-1-label_fr": "littératie familiale "}, "Les options 1 et 2 ont le même libellé"),
        (
            {"options-1-label_fr": "", "options-1-label_en": "Only English"},
            "L’option 2 n’a pas de libellé en français.",
        ),
        ({"budget": ""}, "Indiquez le nombre de points que chaque personne répartit (1 ou plus)."),
        ({"max_per_option": "11"}, "Le maximum par option doit être entre 1 et le budget (10)."),
        ({"opens_at": "2099-06-02T09:00"}, "L’heure de fermeture doit suivre l’heure d’ouverture."),
        (
            {"method": "approval", "max_choices": "3"},
            "Le nombre de choix doit être entre 1 et le nombre d’options (2).",
        ),
        ({"question_fr": ""}, "Ce champ est requis."),
        ({"method": "plurality"}, "est pas un choix valide."),
        ({"quorum_percent": "150"}, "Le nombre doit être compris entre 1 et 100."),
        ({"closes_at": "demain"}, "est pas une date/heure valide."),
    ],
)
def test_ballot_form_refuses_bad_input(client, auth, create_process, csrf, overrides, message):
    process = create_process()
    auth.login(Role.FACILITATOR)
    url = f"/manage/processes/{process.id}/ballots/new"
    response = client.post(url, data={**_ballot_form(**overrides), "csrf_token": csrf(url)})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count_rows(Ballot) == 0


def test_more_option_rows_without_saving(client, auth, create_process, csrf):
    process = create_process()
    auth.login(Role.FACILITATOR)
    url = f"/manage/processes/{process.id}/ballots/new"
    response = client.post(url, data={**_ballot_form(), "more_rows": "1", "csrf_token": csrf(url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="options-6-label_fr"' in page and 'value="Littératie familiale"' in page
    assert count_rows(Ballot) == 0


def test_editing_a_draft_keeps_option_ids_and_ignores_tampered_ones(client, auth, create_ballot, csrf):
    ballot = create_ballot(status=BallotStatus.DRAFT, method=VotingMethod.RANKING)
    other = create_ballot(status=BallotStatus.DRAFT)
    other_option = other.options[0]
    a, b, c = option_ids(ballot)
    auth.login(Role.FACILITATOR)
    url = f"/manage/ballots/{ballot.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Littératie familiale"' in page
    data = _ballot_form(method="ranking")
    data.update(
        {
            "options-0-option_id": str(b),
            "options-0-label_fr": "Transition scolaire (révisée)",
            "options-1-option_id": str(other_option.id),
            "options-1-label_fr": "Nouvelle option",
            "options-2-option_id": "pas-un-nombre",
            "options-2-label_fr": "Encore une",
        }
    )
    response = client.post(url, data={**data, "csrf_token": csrf(url)})
    assert response.status_code == 302
    db.session.expire_all()
    labels = [(o.id, o.label_fr) for o in db.session.get(Ballot, ballot.id).options]
    assert labels[0] == (b, "Transition scolaire (révisée)")
    assert [label for _id, label in labels[1:]] == ["Nouvelle option", "Encore une"]
    assert {a, c}.isdisjoint({i for i, _label in labels})
    assert db.session.get(BallotOption, other_option.id).ballot_id == other.id
    assert db.session.get(BallotOption, other_option.id).label_fr == "Littératie familiale"


def test_an_open_ballot_cannot_be_edited(client, auth, create_ballot, csrf):
    ballot = create_ballot()
    auth.login(Role.FACILITATOR)
    response = client.get(f"/manage/ballots/{ballot.id}/edit")
    assert response.status_code == 302
    assert "Seul un scrutin en brouillon peut être modifié." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_listed_voters_are_saved(client, auth, create_process, create_user, csrf):
    process = create_process()
    voter = create_user(name="Inscrite Unique")
    auth.login(Role.FACILITATOR)
    url = f"/manage/processes/{process.id}/ballots/new"
    assert "Inscrite Unique" in client.get(url).get_data(as_text=True)
    data = {**_ballot_form(eligibility="listed"), "listed_user_ids": str(voter.id), "csrf_token": csrf(url)}
    assert client.post(url, data=data).status_code == 302
    ballot = db.session.execute(sa.select(Ballot)).scalar_one()
    assert [u.id for u in ballot.listed_voters] == [voter.id]


def _post_action(client, ballot, action):
    token = csrf_token_from(client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True))
    response = client.post(f"/manage/ballots/{ballot.id}/{action}", data={"csrf_token": token})
    return response, client.get(response.headers["Location"]).get_data(as_text=True)


def test_lifecycle_open_close_publish(client, auth, create_ballot):
    ballot = create_ballot(status=BallotStatus.DRAFT)
    auth.login(Role.FACILITATOR)
    _response, page = _post_action(client, ballot, "publish")
    assert "Les résultats peuvent être publiés une fois le scrutin fermé" in page
    _response, page = _post_action(client, ballot, "open")
    assert "Le scrutin est ouvert" in page
    _response, page = _post_action(client, ballot, "open")
    assert "Ce scrutin n’est plus un brouillon." in page
    _response, page = _post_action(client, ballot, "close")
    assert "Le vote est fermé; les bulletins sont scellés" in page
    _response, page = _post_action(client, ballot, "close")
    assert "Ce changement n’est pas possible à partir de l’état actuel du scrutin." in page
    _response, page = _post_action(client, ballot, "publish")
    assert "Les résultats et la liste des bulletins comptés sont publiés" in page
    db.session.expire_all()
    ballot = db.session.get(Ballot, ballot.id)
    assert ballot.status is BallotStatus.PUBLISHED
    assert ballot.opened_at <= ballot.closed_at <= ballot.published_at
    actions = db.session.execute(sa.select(AuditLog.action).where(AuditLog.action.like("ballot.%"))).scalars().all()
    assert actions == ["ballot.open", "ballot.close", "ballot.publish"]


def test_opening_needs_two_options_and_an_active_process(client, auth, create_ballot, create_process):
    lonely = create_ballot(status=BallotStatus.DRAFT, options=["Une seule"])
    auth.login(Role.FACILITATOR)
    _response, page = _post_action(client, lonely, "open")
    assert "Un scrutin doit compter au moins deux options." in page
    drafty = create_ballot(create_process(ProcessStatus.DRAFT), status=BallotStatus.DRAFT)
    _response, page = _post_action(client, drafty, "open")
    assert "Un scrutin ne peut être ouvert que dans une démarche active." in page
    db.session.expire_all()
    assert db.session.get(Ballot, lonely.id).status is BallotStatus.DRAFT


def test_delete_a_draft_but_not_an_open_ballot(client, auth, create_ballot):
    draft = create_ballot(status=BallotStatus.DRAFT)
    running = create_ballot()
    draft_id, running_id = draft.id, running.id
    auth.login(Role.FACILITATOR)
    _response, page = _post_action(client, running, "delete")
    assert "Seul un scrutin en brouillon peut être supprimé." in page
    _response, page = _post_action(client, draft, "delete")
    assert "Brouillon de scrutin supprimé." in page
    db.session.expire_all()
    assert db.session.get(Ballot, draft_id) is None and db.session.get(Ballot, running_id) is not None


def test_adopting_options(client, auth, create_ballot, csrf):
    ballot = create_ballot(status=BallotStatus.CLOSED)
    a, b, _c = option_ids(ballot)
    auth.login(Role.FACILITATOR)
    url = f"/manage/ballots/{ballot.id}/adopt"
    response = client.post(
        url, data={"option_ids": [str(a), str(b)], "csrf_token": csrf(f"/manage/ballots/{ballot.id}")}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [o.adopted for o in db.session.get(Ballot, ballot.id).options] == [True, True, False]
    client.post(url, data={"option_ids": [str(b)], "csrf_token": csrf(f"/manage/ballots/{ballot.id}")})
    db.session.expire_all()
    assert [o.adopted for o in db.session.get(Ballot, ballot.id).options] == [False, True, False]
    response = client.post(url, data={"option_ids": ["424242"], "csrf_token": csrf(f"/manage/ballots/{ballot.id}")})
    assert "Choisissez parmi les options de ce scrutin." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    response = client.post(url, data={"option_ids": ["x"], "csrf_token": csrf(f"/manage/ballots/{ballot.id}")})
    assert response.status_code == 302


def test_adopting_before_closing_is_refused(client, auth, create_ballot, csrf):
    ballot = create_ballot()
    auth.login(Role.FACILITATOR)
    response = client.post(
        f"/manage/ballots/{ballot.id}/adopt",
        data={"option_ids": [str(option_ids(ballot)[0])], "csrf_token": csrf(f"/manage/ballots/{ballot.id}")},
    )
    assert "Les options peuvent être adoptées une fois le vote fermé." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert not any(o.adopted for o in ballot.options)


def test_exports_wait_for_the_close(client, auth, create_ballot):
    ballot = create_ballot()
    auth.login(Role.FACILITATOR)
    response = client.get(f"/manage/ballots/{ballot.id}/export/ballots.csv")
    assert response.status_code == 409
    assert "Les bulletins peuvent être exportés une fois le vote fermé." in response.get_data(as_text=True)
    assert client.get(f"/manage/ballots/{ballot.id}/export/results.csv").status_code == 409


def test_partners_cannot_reach_facilitator_pages(client, auth, create_ballot):
    ballot = create_ballot()
    auth.login(Role.PARTNER)
    for url in (
        f"/manage/ballots/{ballot.id}",
        f"/manage/ballots/{ballot.id}/paper",
        f"/manage/ballots/{ballot.id}/export/ballots.csv",
        "/manage/ballots",
    ):
        assert client.get(url).status_code == 403


def test_pages_in_english(client, auth, create_ballot, csrf):
    ballot = create_ballot(method=VotingMethod.MAJORITY_JUDGMENT)
    auth.login(Role.PARTNER)
    client.post("/language", data={"locale": "en", "next": "/", "csrf_token": csrf("/")})
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "Which priorities should we keep?" in page and "Littératie familiale (EN)" in page
    assert "Give every option a grade" in page and "Fairly good" in page


@pytest.mark.parametrize(
    "tampered",
    [
        {"options-999999-label_fr": "Très loin"},
        {"listed_user_ids": "abc", "eligibility": "listed"},
        {"listed_user_ids": "987654", "eligibility": "listed"},
        {"eligibility": "everyone"},
        {"results_visibility": "never"},
        {"options-0-option_id": "1e9"},
        {"max_choices": "-1", "method": "approval"},
        {"budget": "abc"},
        {"question_fr": "Q" * 400},
        {"options-0-label_fr": "L" * 400},
    ],
)
def test_tampered_ballot_forms_never_fail(client, auth, create_process, csrf, tampered):
    process = create_process()
    auth.login(Role.FACILITATOR)
    url = f"/manage/processes/{process.id}/ballots/new"
    response = client.post(url, data={**_ballot_form(), **tampered, "csrf_token": csrf(url)})
    assert response.status_code in (302, 422)
    if response.status_code == 302:
        ballot = db.session.execute(sa.select(Ballot)).scalar_one()
        assert ballot.listed_voters == [] and len(ballot.options) >= 2


REPLACED = (
    "Une personne de votre organisme a voté après vous : son bulletin a remplacé le vôtre, qui n’est plus compté. "
    "Votre code de reçu ne compte plus; seul le dernier vote de l’organisme compte."
)


def test_one_per_organization_your_page_says_a_colleague_replaced_your_ballot(
    client, auth, create_ballot, create_user, create_organization, csrf
):
    ballot = create_ballot(method=VotingMethod.APPROVAL, eligibility=Eligibility.ONE_PER_ORGANIZATION)
    a, b, _c = option_ids(ballot)
    organization = create_organization()
    first, second = create_user(organization=organization), create_user(organization=organization)
    auth.login(first)
    post_vote(client, ballot, [("choice", str(a))])
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    first_receipt = receipt_on_page(page)
    assert first_receipt and REPLACED not in page
    auth.logout()
    auth.login(second)
    post_vote(client, ballot, [("choice", str(b))])
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert REPLACED not in page  # the colleague whose ballot counts
    auth.logout()

    auth.login(first)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert REPLACED in page
    assert "Vous avez déjà voté" not in page
    auth.logout()

    facilitator = auth.login(Role.FACILITATOR)
    for action in ("close", "publish"):
        token_page = client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True)
        client.post(f"/manage/ballots/{ballot.id}/{action}", data={"csrf_token": csrf_token_from(token_page)})
    auth.logout()
    assert facilitator
    auth.login(first)
    response = client.post(
        f"/ballots/{ballot.id}/receipts/check",
        data={"receipt": first_receipt, "csrf_token": csrf(f"/ballots/{ballot.id}/receipts")},
    )
    page = response.get_data(as_text=True)
    assert f"Aucun bulletin compté ne porte le code {first_receipt}." in page
    assert REPLACED in page
