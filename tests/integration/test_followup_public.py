"""The public follow-up page ("Vous avez dit… nous avons fait", and its English twin): the chain of each adopted
priority, and nothing personal or unapproved on it, ever. The consultation report shows actions and the matrix."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.followup import actions, commitments, updates
from app.models import (
    BallotStatus,
    Cast,
    CastSource,
    ItemSource,
    ItemState,
    OrientationState,
    RejectReason,
    Role,
    Theme,
    item_themes,
)
from app.moderation import decisions
from tests.integration.followup_helpers import adopted_priority
from tests.integration.moderation_helpers import make_item, make_orientation
from tests.integration.voting_helpers import make_ballot

SECRET_NAME = "Ginette Secrète-Lavoie"
SECRET_EMAIL = "ginette.secrete@example.org"


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def chain(create_process, create_organization, create_user, create_territory):
    """A process with one adopted priority and everything around it, approved or not."""
    process = create_process()
    territory = create_territory("Coaticook")
    answer = make_item(process, "Plus de places en garderie.", state=ItemState.APPROVED, territory=territory)
    contribution = make_item(process, "Des haltes.", state=ItemState.APPROVED, source=ItemSource.CONTRIBUTION)
    redacted = make_item(
        process,
        "Appelez Julie Tremblay au 819-555-0142.",
        state=ItemState.APPROVED,
        redacted="Appelez [nom] au [téléphone].",
    )
    pending = make_item(process, "Texte en attente de modération.")
    theme = Theme(process_id=process.id, name_fr="Petite enfance", name_en="Early childhood")
    db.session.add(theme)
    db.session.flush()
    db.session.execute(sa.insert(item_themes), [{"item_id": i.id, "theme_id": theme.id} for i in (answer, redacted)])
    priority = make_orientation(
        process,
        [answer, contribution, redacted, pending],
        state=OrientationState.ADOPTED,
        title="Accès aux services de garde",
    )
    draft = make_orientation(process, [answer], state=OrientationState.DRAFT, title="Brouillon à ne pas montrer")
    ballot = make_ballot(process, status=BallotStatus.PUBLISHED, options=["Garde", "Lecture", "Emploi"])
    first, second, third = ballot.options
    for number, order in enumerate([(first, second, third), (first, third, second), (second, first, third)]):
        contents = {option.key: rank for rank, option in enumerate(order, start=1)}
        db.session.add(Cast(ballot_id=ballot.id, contents=contents, receipt=f"P-{number:04d}", source=CastSource.PAPER))
    first.orientation_id = priority.id
    first.adopted = True
    db.session.commit()

    facilitator = create_user(Role.FACILITATOR, name="Félix Animateur")
    lead_org = create_organization("Maison de la famille de Coaticook")
    lead = create_user(Role.PARTNER, organization=lead_org, name=SECRET_NAME, email=SECRET_EMAIL)
    action = actions.create_action(
        priority,
        facilitator,
        title_fr="Haltes-garderies dans les bibliothèques",
        title_en="Drop-in daycare in libraries",
        desired_change_fr="Plus de parents aux activités d’éveil.",
        desired_change_en="More parents at early-learning activities.",
        lead_organization_id=lead_org.id,
        status="in_progress",
    )
    indicator = actions.add_indicator(
        action,
        facilitator,
        action.version,
        name_fr="Places créées",
        name_en="Places created",
        unit="places",
        baseline="10",
        target="100",
    )
    actions.record_measurement(indicator, facilitator, measured_on=date(2026, 3, 1), value="40")
    approved_update = updates.post_update(
        action, lead, text="Deux haltes ouvertes.", posted_on=date(2026, 3, 2), today=date(2026, 3, 2)
    )
    decisions.approve(approved_update.item, facilitator, approved_update.item.version)
    updates.post_update(
        action,
        lead,
        text="Mise à jour pas encore approuvée.",
        posted_on=date(2026, 3, 5),
        today=date(2026, 3, 5),
        indicator_id=indicator.id,
        value="77",
    )
    city = create_organization("Ville de Sherbrooke")
    city_partner = create_user(Role.PARTNER, organization=city, name="Partenaire Ville", email="ville@example.org")
    public_commitment = commitments.declare(
        process,
        city_partner,
        commitments.CommitmentFields(
            orientation_id=priority.id, kind="funding", text="Financer deux haltes.", amount="5000"
        ),
    )
    decisions.approve(public_commitment.item, facilitator, public_commitment.item.version)
    waiting_org = create_organization("Organisme en attente")
    commitments.declare(
        process,
        create_user(Role.PARTNER, organization=waiting_org),
        commitments.CommitmentFields(orientation_id=priority.id, kind="space", text="Engagement pas encore lu."),
    )
    rejected_org = create_organization("Organisme refusé")
    rejected = commitments.declare(
        process,
        create_user(Role.PARTNER, organization=rejected_org),
        commitments.CommitmentFields(orientation_id=priority.id, kind="other", text="Engagement refusé."),
    )
    decisions.reject(rejected.item, facilitator, rejected.item.version, RejectReason.OFF_TOPIC)
    db.session.commit()
    return {"process": process, "priority": priority, "draft": draft, "indicator": indicator}


def test_the_chain_of_an_adopted_priority_in_one_place(client, chain):
    response = client.get(f"/p/{chain['process'].slug}/vous-avez-dit")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    text = _text(html)
    assert 'lang="fr-CA"' in html
    assert "Accès aux services de garde" in text
    # What people said: approved evidence counted by source (the pending item is not counted), its themes.
    assert re.search(r"3 \w+", text)
    assert "Surveys : 2" in text or "Questionnaires : 2" in text
    assert "Partner contributions : 1" in text or "Contributions des partenaires : 1" in text
    assert "Petite enfance (2)" in text
    # The vote, the action with its status and indicator (a chart and its table), the organizations committed.
    assert "3 ballots counted" in text or "3 bulletins comptés" in text
    assert "Haltes-garderies dans les bibliothèques" in text
    assert "Plus de parents aux activités d’éveil." in text
    assert "Maison de la famille de Coaticook" in text
    assert len(re.findall(r'<svg[^>]*role="img"', html)) == 1
    assert "10\u00a0places" in html and "40\u00a0places" in html and "100\u00a0places" in html
    assert "Deux haltes ouvertes." in text
    assert "Ville de Sherbrooke" in text and "Financer deux haltes." in text


def test_nothing_personal_or_unapproved_is_ever_shown(client, chain):
    for path in ("vous-avez-dit", "you-said"):
        html = client.get(f"/p/{chain['process'].slug}/{path}").get_data(as_text=True)
        for secret in (
            SECRET_NAME,
            SECRET_EMAIL,
            "Félix Animateur",
            "Partenaire Ville",
            "ville@example.org",
            "Julie Tremblay",
            "819-555-0142",
            "Texte en attente de modération.",
            "Mise à jour pas encore approuvée.",
            "77\u00a0places",
            "Engagement pas encore lu.",
            "Organisme en attente",
            "Engagement refusé.",
            "Organisme refusé",
            "Brouillon à ne pas montrer",
        ):
            assert secret not in html, (path, secret)


def test_the_english_twin(client, chain):
    response = client.get(f"/p/{chain['process'].slug}/you-said")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'lang="en"' in html
    assert "You said… we did" in html
    assert "Drop-in daycare in libraries" in html and "More parents at early-learning activities." in html
    assert "Places created" in html
    assert f'href="/p/{chain["process"].slug}/vous-avez-dit"' in html
    # The twin does not change the visitor's language for the rest of the site.
    assert 'lang="fr-CA"' in client.get(f"/p/{chain['process'].slug}").get_data(as_text=True)


def test_a_draft_process_has_no_public_follow_up(client, create_process):
    from app.models import ProcessStatus

    process = create_process(ProcessStatus.DRAFT)
    assert client.get(f"/p/{process.slug}/vous-avez-dit").status_code == 404
    assert client.get(f"/p/{process.slug}/you-said").status_code == 404


def test_the_report_shows_the_actions_status_and_the_matrix(client, auth, chain):
    auth.login(Role.FACILITATOR)
    html = client.get(f"/processes/{chain['process'].id}/report").get_data(as_text=True)
    start = html.index('id="followup"')
    section = _text(html[start:])
    assert "Haltes-garderies dans les bibliothèques" in section
    assert "In progress" in section or "En cours" in section
    assert "Ville de Sherbrooke" in section
    assert re.search(r"(Funding|Financement) \(5\D?000\D\$\)", section)
    # The report's matrix holds approved commitments only: the pending one (space) and the rejected one are not in it.
    for absent in ("awaiting moderation", "en attente de modération", "Space", "Espace", "Other", "Autre"):
        assert absent not in section


def test_the_demo_has_adopted_priorities_with_actions_updates_and_commitments(app, client, auth):
    from app.devdata.demo import PROCESS_SLUG
    from app.models import ActionStatus, CollectiveAction, Commitment, Measurement, Orientation, ProgressUpdate
    from tests.conftest import count_rows

    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [count_rows(m) for m in (Orientation, CollectiveAction, Commitment, ProgressUpdate, Measurement)]
    assert counts == [2, 3, 10, 3, 4]
    assert "nothing new" in runner.invoke(args=["seed-demo"]).output
    assert [count_rows(m) for m in (Orientation, CollectiveAction, Commitment, ProgressUpdate, Measurement)] == counts
    statuses = set(db.session.scalars(sa.select(CollectiveAction.status)))
    assert statuses == {ActionStatus.IN_PROGRESS, ActionStatus.PLANNED}
    organizations = db.session.scalar(sa.select(sa.func.count(sa.distinct(Commitment.organization_id))))
    assert organizations >= 8

    html = client.get(f"/p/{PROCESS_SLUG}/vous-avez-dit").get_data(as_text=True)
    text = _text(html)
    assert "Trousses de lecture à la naissance" in text and "Label employeur conciliant" in text
    assert "25 ballots counted" in text or "25 bulletins comptés" in text
    assert "Fondation pour la persévérance scolaire" in text
    assert "Deux conseillers d’orientation" not in text  # the commitment still waiting in the queue
    assert "Deux nouvelles bibliothèques" not in text  # the update not approved yet
    assert len(re.findall(r'<svg[^>]*role="img"', html)) == 4


def test_the_public_page_and_the_matrix_run_a_constant_number_of_queries(
    client, auth, count_queries, create_process, create_organization, create_user
):
    from app.followup import actions as action_service

    process = create_process()
    priority = adopted_priority(process)
    facilitator = create_user(Role.FACILITATOR)

    def add(n: int) -> None:
        for i in range(n):
            organization = create_organization()
            partner = create_user(Role.PARTNER, organization=organization)
            action = action_service.create_action(
                priority, facilitator, title_fr=f"Action {i}", lead_organization_id=organization.id
            )
            indicator = action_service.add_indicator(
                action, facilitator, action.version, name_fr="Places", unit="places"
            )
            action_service.record_measurement(indicator, facilitator, measured_on=date(2026, 1, 1), value="3")
            update = updates.post_update(
                action, partner, text="Du nouveau.", posted_on=date(2026, 1, 2), today=date(2026, 1, 2)
            )
            decisions.approve(update.item, facilitator, update.item.version)
            commitment = commitments.declare(
                process, partner, commitments.CommitmentFields(orientation_id=priority.id, kind="funding", text="Oui.")
            )
            decisions.approve(commitment.item, facilitator, commitment.item.version)
        db.session.commit()

    def queries(url: str) -> int:
        with count_queries() as counted:
            assert client.get(url).status_code == 200
        return counted.count

    auth.login(facilitator)
    urls = [f"/p/{process.slug}/vous-avez-dit", f"/followup/processes/{process.id}/matrix"]
    add(1)
    few = [queries(url) for url in urls]
    add(6)
    many = [queries(url) for url in urls]
    assert many == few
