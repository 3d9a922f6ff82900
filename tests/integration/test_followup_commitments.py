"""Partner commitments: declared for one's own organization, moderated (personal information detected), public once
approved; "Ma contribution"; another organization's commitment is a 404; the facilitators' matrix and its XLSX."""

import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Commitment, ItemSource, ItemState, ModerationItem, Role
from app.moderation import decisions
from tests.conftest import count_rows, csrf_token_from
from tests.integration.followup_helpers import adopted_priority, make_action


def _declare(client, process, priority, **fields):
    url = f"/p/{process.slug}/ma-contribution"
    page = client.get(url).get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "orientation_id": str(priority.id), "kind": "funding", **fields}
    return client.post(url, data=data)


def test_a_partner_declares_a_commitment_that_waits_for_moderation(
    client, auth, create_process, create_organization, create_user
):
    process = create_process()
    priority = adopted_priority(process)
    organization = create_organization("Ville de Sherbrooke")
    partner = auth.login(create_user(Role.PARTNER, organization=organization))
    response = _declare(
        client, process, priority, text="Nous financerons deux haltes-garderies.", amount="5 000 $", hours="120"
    )
    assert response.status_code == 302
    commitment = db.session.scalars(sa.select(Commitment)).one()
    assert (commitment.organization_id, commitment.author_id, commitment.amount, commitment.hours) == (
        organization.id,
        partner.id,
        5000,
        120,
    )
    item = commitment.item
    assert (item.source, item.state, item.text) == (ItemSource.COMMITMENT, ItemState.PENDING, commitment.text)
    page = client.get(f"/p/{process.slug}/ma-contribution").get_data(as_text=True)
    assert "Nous financerons deux haltes-garderies." in page
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "Nous financerons" not in public and "Ville de Sherbrooke" not in public


def test_personal_information_is_detected_and_never_public_before_redaction(
    client, auth, create_process, create_organization, create_user
):
    process = create_process()
    priority = adopted_priority(process)
    auth.login(create_user(Role.PARTNER, organization=create_organization("Carrefour jeunesse")))
    _declare(client, process, priority, text="Contactez Julie Tremblay au 819-555-0142 pour les locaux.", kind="space")
    item = db.session.scalars(sa.select(ModerationItem).where(ModerationItem.source == ItemSource.COMMITMENT)).one()
    assert item.flagged and any(span["kind"] == "phone" for span in item.pii_spans)
    with pytest.raises(decisions.RedactionRequired):  # refused before writing anything
        decisions.approve(item, create_user(Role.FACILITATOR), item.version)
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "819-555-0142" not in public and "Julie Tremblay" not in public
    # The facilitator sees it in the queue, redacts what was detected and approves: the public reads the redacted text.
    auth.logout()
    facilitator = auth.login(Role.FACILITATOR)
    queue = client.get("/moderation/items?state=pending").get_data(as_text=True)
    assert "Partner commitment" in queue or "Engagement d’un partenaire" in queue
    assert client.get(f"/moderation/items/{item.id}").status_code == 200
    from app.moderation import redaction

    db.session.expire_all()
    item = db.session.get(ModerationItem, item.id)
    redaction.redact_detected(item, facilitator, item.version)
    decisions.approve(item, facilitator, item.version)
    db.session.commit()
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "Carrefour jeunesse" in public and "pour les locaux." in public
    assert "819-555-0142" not in public


def test_once_approved_the_redacted_commitment_is_public(
    client, auth, create_process, create_organization, create_user
):
    process = create_process()
    priority = adopted_priority(process)
    auth.login(create_user(Role.PARTNER, organization=create_organization("Cégep de Granby")))
    _declare(client, process, priority, text="Des locaux le samedi.", kind="space")
    item = db.session.scalars(sa.select(ModerationItem).where(ModerationItem.source == ItemSource.COMMITMENT)).one()
    decisions.approve(item, create_user(Role.FACILITATOR), item.version)
    db.session.commit()
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "Cégep de Granby" in public and "Des locaux le samedi." in public


def test_changing_the_text_sends_it_back_to_moderation(client, auth, create_process, create_organization, create_user):
    process = create_process()
    priority = adopted_priority(process)
    auth.login(create_user(Role.PARTNER, organization=create_organization("Cégep de Granby")))
    _declare(client, process, priority, text="Des locaux le samedi.", kind="space")
    commitment = db.session.scalars(sa.select(Commitment)).one()
    decisions.approve(commitment.item, create_user(Role.FACILITATOR), commitment.item.version)
    db.session.commit()
    url = f"/commitments/{commitment.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Des locaux le samedi." in page
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page),
            "orientation_id": str(priority.id),
            "kind": "space",
            "text": "Des locaux le dimanche.",
        },
    )
    assert response.status_code == 302
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "Des locaux le dimanche." not in public and "Des locaux le samedi." not in public
    assert count_rows(ModerationItem) == 3  # the evidence item, the approved text kept as history, the new one


def test_a_partner_cannot_touch_another_organizations_commitment(
    client, auth, create_process, create_organization, create_user
):
    process = create_process()
    priority = adopted_priority(process)
    other = create_user(Role.PARTNER, organization=create_organization("Autre organisme"))
    auth.login(other)
    _declare(client, process, priority, text="Notre engagement.")
    theirs = db.session.scalars(sa.select(Commitment)).one()
    auth.logout()
    auth.login(create_user(Role.PARTNER, organization=create_organization("Mon organisme")))
    token = csrf_token_from(client.get(f"/p/{process.slug}/ma-contribution").get_data(as_text=True))
    assert client.get(f"/commitments/{theirs.id}/edit").status_code == 404
    data = {"csrf_token": token, "orientation_id": str(priority.id), "kind": "other", "text": "Volé."}
    assert client.post(f"/commitments/{theirs.id}/edit", data=data).status_code == 404
    assert client.post(f"/commitments/{theirs.id}/withdraw", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Commitment, theirs.id).text == "Notre engagement."
    assert "Notre engagement." not in client.get(f"/p/{process.slug}/ma-contribution").get_data(as_text=True)


def test_bad_input_is_refused_on_its_field_and_kept(client, auth, create_process, create_organization, create_user):
    process = create_process()
    priority = adopted_priority(process)
    auth.login(create_user(Role.PARTNER, organization=create_organization()))
    response = _declare(
        client, process, priority, text="Texte gardé.", amount="beaucoup", starts_on="2026-05-01", ends_on="2026-04-01"
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'href="#amount"' in html and "Texte gardé." in html
    assert count_rows(Commitment) == 0
    response = _declare(client, process, priority, text="Texte gardé.", starts_on="2026-05-01", ends_on="2026-04-01")
    assert response.status_code == 400 and 'href="#ends_on"' in response.get_data(as_text=True)
    assert count_rows(Commitment) == 0


def test_withdrawing_removes_the_commitment_and_its_pending_item(
    client, auth, create_process, create_organization, create_user
):
    process = create_process()
    priority = adopted_priority(process)
    auth.login(create_user(Role.PARTNER, organization=create_organization()))
    _declare(client, process, priority, text="Peut-être.")
    commitment = db.session.scalars(sa.select(Commitment)).one()
    token = csrf_token_from(client.get(f"/p/{process.slug}/ma-contribution").get_data(as_text=True))
    assert client.post(f"/commitments/{commitment.id}/withdraw", data={"csrf_token": token}).status_code == 302
    assert count_rows(Commitment) == 0
    assert db.session.scalar(sa.select(sa.func.count()).where(ModerationItem.source == ItemSource.COMMITMENT)) == 0


def test_the_matrix_shows_who_does_what_and_the_gaps(client, auth, create_process, create_organization, create_user):
    process = create_process()
    childcare = adopted_priority(process, title="Accès aux services de garde")
    reading = adopted_priority(process, title="Éveil à la lecture")
    auth.login(create_user(Role.PARTNER, organization=create_organization("Ville de Sherbrooke")))
    _declare(client, process, childcare, text="Financement.", amount="5000")
    auth.logout()
    auth.login(Role.FACILITATOR)
    page = client.get(f"/followup/processes/{process.id}/matrix").get_data(as_text=True)
    assert "Ville de Sherbrooke" in page and "Éveil à la lecture" in page
    assert "No one committed" in page or "Personne ne s’est engagé" in page
    assert reading.title_fr in page


def test_the_matrix_xlsx_is_formula_safe(client, auth, create_process, create_organization, create_user):
    process = create_process()
    priority = adopted_priority(process, title='=HYPERLINK("http://evil")')
    auth.login(create_user(Role.PARTNER, organization=create_organization("@Organisme+")))
    _declare(client, process, priority, text="=1+1", kind="expertise")
    auth.logout()
    auth.login(Role.FACILITATOR)
    response = client.get(f"/followup/processes/{process.id}/matrix.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert '\'=HYPERLINK("http://evil")' in values
    assert "'@Organisme+" in values
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f"
            assert not (isinstance(cell.value, str) and cell.value[:1] in "=+-@")


def test_a_partner_without_organization_is_told_so(client, auth, create_process):
    process = create_process()
    adopted_priority(process)
    auth.login(Role.PARTNER)
    page = client.get(f"/p/{process.slug}/ma-contribution")
    assert page.status_code == 200
    assert "not linked to an organization" in page.get_data(
        as_text=True
    ) or "n’est lié à aucun organisme" in page.get_data(as_text=True)


def test_a_commitment_to_an_action_must_be_of_that_priority(
    client, auth, create_process, create_organization, create_user
):
    process = create_process()
    childcare = adopted_priority(process)
    reading = adopted_priority(process, title="Éveil à la lecture")
    action = make_action(reading, create_user(Role.FACILITATOR))
    auth.login(create_user(Role.PARTNER, organization=create_organization()))
    response = _declare(client, process, childcare, text="Aide.", action_id=str(action.id))
    assert response.status_code == 400 and 'href="#action_id"' in response.get_data(as_text=True)
    assert count_rows(Commitment) == 0


def test_a_partners_commitments_are_in_their_personal_data_download(
    client, auth, create_process, create_organization, create_user
):
    import json

    process = create_process()
    priority = adopted_priority(process)
    auth.login(create_user(Role.PARTNER, organization=create_organization("Cégep de Granby")))
    _declare(client, process, priority, text="Des locaux le samedi.", kind="space")
    data = json.loads(client.get("/account/data").get_data(as_text=True))
    assert [(c["organization"], c["kind"], c["text"]) for c in data["commitments"]] == [
        ("Cégep de Granby", "space", "Des locaux le samedi.")
    ]
    assert data["progress_updates"] == []
