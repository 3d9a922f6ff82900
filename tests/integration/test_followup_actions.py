"""Collective actions under adopted priorities: creation, versioned edits, refused bad input, concurrent edits,
indicators and measurements."""

import re

import sqlalchemy as sa

from app.core.extensions import db
from app.models import ActionRevision, ActionStatus, CollectiveAction, Measurement, OrientationState, Role
from tests.conftest import count_rows, csrf_token_from
from tests.integration.followup_helpers import adopted_priority, make_action
from tests.integration.moderation_helpers import make_orientation


def _form(page: str) -> dict:
    return {"csrf_token": csrf_token_from(page)}


def test_facilitator_creates_an_action_under_an_adopted_priority(client, auth, create_process, create_organization):
    facilitator = auth.login(Role.FACILITATOR)
    process = create_process()
    priority = adopted_priority(process)
    lead = create_organization("Maison de la famille")
    url = f"/followup/orientations/{priority.id}/actions/new"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            **_form(page),
            "title_fr": "Haltes-garderies dans les bibliothèques",
            "title_en": "Drop-in daycare in libraries",
            "desired_change_fr": "Plus de parents aux activités d’éveil.",
            "lead_organization_id": str(lead.id),
            "status": "in_progress",
            "starts_on": "2026-01-10",
            "ends_on": "2026-12-20",
        },
    )
    assert response.status_code == 302
    action = db.session.scalars(sa.select(CollectiveAction)).one()
    assert (action.title_en, action.status, action.lead_organization_id) == (
        "Drop-in daycare in libraries",
        ActionStatus.IN_PROGRESS,
        lead.id,
    )
    assert [r.number for r in action.revisions] == [1]
    assert action.revisions[0].author_id == facilitator.id
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Haltes-garderies dans les bibliothèques" in shown and "Maison de la famille" in shown


def test_no_action_under_an_orientation_that_is_not_adopted(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    orientation = make_orientation(create_process(), state=OrientationState.READY_FOR_VOTE)
    assert client.get(f"/followup/orientations/{orientation.id}/actions/new").status_code == 404


def test_end_before_start_is_refused_with_the_field_named_and_nothing_lost(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    priority = adopted_priority(create_process())
    url = f"/followup/orientations/{priority.id}/actions/new"
    page = client.get(url).get_data(as_text=True)
    response = client.post(
        url,
        data={
            **_form(page),
            "title_fr": "Titre tapé avec soin",
            "status": "planned",
            "starts_on": "2026-06-01",
            "ends_on": "2026-05-01",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert count_rows(CollectiveAction) == 0
    assert "The end date cannot be before the start date." in html or "La date de fin" in html
    assert 'href="#ends_on"' in html  # the error summary names the field
    assert 'value="Titre tapé avec soin"' in html


def test_abandoning_needs_a_reason(client, auth, create_process, create_user):
    facilitator = auth.login(Role.FACILITATOR)
    action = make_action(adopted_priority(create_process()), facilitator, status="in_progress")
    url = f"/followup/actions/{action.id}/edit"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    data = {**_form(page), "version": version, "title_fr": action.title_fr, "status": "abandoned"}
    refused = client.post(url, data=data)
    assert refused.status_code == 400
    assert 'href="#abandon_reason"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(CollectiveAction, action.id).status is ActionStatus.IN_PROGRESS
    done = client.post(url, data={**data, "abandon_reason": "Financement retiré."})
    assert done.status_code == 302
    db.session.expire_all()
    saved = db.session.get(CollectiveAction, action.id)
    assert (saved.status, saved.abandon_reason) == (ActionStatus.ABANDONED, "Financement retiré.")
    assert [r.snapshot["status"] for r in saved.revisions] == ["in_progress", "abandoned"]


def test_every_change_is_a_revision_with_its_difference(client, auth, create_process):
    facilitator = auth.login(Role.FACILITATOR)
    action = make_action(adopted_priority(create_process()), facilitator, description_fr="Première version.")
    url = f"/followup/actions/{action.id}/edit"
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = client.post(
        url,
        data={
            **_form(page),
            "version": version,
            "title_fr": action.title_fr,
            "status": "planned",
            "description_fr": "Deuxième version.",
            "note": "précision",
        },
    )
    assert response.status_code == 302
    assert count_rows(ActionRevision) == 2
    history = client.get(f"/followup/actions/{action.id}/history").get_data(as_text=True)
    assert "Deuxième version." in history and "Première version." in history and "précision" in history


def test_the_second_of_two_concurrent_saves_is_refused_and_nothing_is_lost(app, client, auth, create_process):
    facilitator = auth.login(Role.FACILITATOR)
    action = make_action(adopted_priority(create_process()), facilitator)
    url = f"/followup/actions/{action.id}/edit"
    first_page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', first_page).group(1)
    base = {**_form(first_page), "version": version, "status": "planned"}
    # Two facilitators opened the same version; the first saves.
    assert client.post(url, data={**base, "title_fr": "Titre de la première"}).status_code == 302
    second = client.post(url, data={**base, "title_fr": "Titre de la seconde", "description_fr": "Long texte tapé."})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "changed since you opened it" in html or "modifiée depuis que vous l’avez ouverte" in html
    assert 'value="Titre de la seconde"' in html and "Long texte tapé." in html  # what was typed is still there
    assert "Titre de la première" in html  # and the current version beside it
    db.session.expire_all()
    assert db.session.get(CollectiveAction, action.id).title_fr == "Titre de la première"
    assert count_rows(ActionRevision) == 2
    # Saving again now (the person has seen the current version) goes through.
    new_version = re.search(r'name="version" type="hidden" value="(\d+)"', html).group(1)
    assert new_version != version
    again = client.post(url, data={**base, "version": new_version, "title_fr": "Titre de la seconde"})
    assert again.status_code == 302


def test_indicators_and_measurements_in_the_unit(client, auth, create_process):
    facilitator = auth.login(Role.FACILITATOR)
    action = make_action(adopted_priority(create_process()), facilitator)
    page = client.get(f"/followup/actions/{action.id}").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    added = client.post(
        f"/followup/actions/{action.id}/indicators",
        data={
            **_form(page),
            "version": version,
            "name_fr": "Places créées",
            "unit": "places",
            "baseline": "0",
            "target": "120 places",
        },
    )
    assert added.status_code == 302
    db.session.expire_all()
    indicator = db.session.get(CollectiveAction, action.id).indicators[0]
    assert (indicator.unit, indicator.target) == ("places", 120)
    assert (
        db.session.get(CollectiveAction, action.id).revisions[-1].snapshot["indicators"][0]["name_fr"]
        == "Places créées"
    )
    page = client.get(f"/followup/actions/{action.id}").get_data(as_text=True)
    prefix = f"i{indicator.id}-"
    url = f"/followup/indicators/{indicator.id}/measurements"
    refused = client.post(url, data={**_form(page), prefix + "measured_on": "2026-03-01", prefix + "value": "40 km"})
    assert refused.status_code == 400
    assert "places" in refused.get_data(as_text=True) and 'value="40 km"' in refused.get_data(as_text=True)
    assert count_rows(Measurement) == 0
    done = client.post(url, data={**_form(page), prefix + "measured_on": "2026-03-01", prefix + "value": "40,5"})
    assert done.status_code == 302
    assert db.session.scalars(sa.select(Measurement.value)).one() == 40.5


def test_partners_cannot_reach_the_facilitator_pages(client, auth, create_process, create_user):
    facilitator = create_user(Role.FACILITATOR)
    action = make_action(adopted_priority(create_process()), facilitator)
    auth.login(Role.PARTNER)
    assert client.get(f"/followup/actions/{action.id}/edit").status_code == 403
