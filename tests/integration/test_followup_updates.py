"""Progress updates by an action's lead (moderated, public once approved, with their measurement), and the reminders
to the leads of actions with no news for N days (e-mails sent after the commit)."""

from datetime import date, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    CollectiveAction,
    ItemSource,
    ItemState,
    Measurement,
    ModerationItem,
    ProgressUpdate,
    Role,
    utcnow,
)
from app.moderation import decisions
from tests.conftest import count_rows, csrf_token_from
from tests.integration.followup_helpers import adopted_priority, make_action


def _lead_setup(create_process, create_organization, create_user, **action_fields):
    process = create_process()
    organization = create_organization("Maison de la famille de Coaticook")
    lead = create_user(Role.PARTNER, organization=organization, email="lead@example.org")
    facilitator = create_user(Role.FACILITATOR)
    action = make_action(adopted_priority(process), facilitator, lead_organization_id=organization.id, **action_fields)
    return process, action, lead, facilitator


def _post(client, action, **fields):
    url = f"/actions/{action.id}/updates/new"
    page = client.get(url).get_data(as_text=True)
    return client.post(url, data={"csrf_token": csrf_token_from(page), **fields})


def test_the_lead_posts_an_update_with_a_measurement_public_once_approved(
    client, auth, create_process, create_organization, create_user
):
    from app.followup import actions

    process, action, lead, facilitator = _lead_setup(create_process, create_organization, create_user)
    indicator = actions.add_indicator(action, facilitator, action.version, name_fr="Places créées", unit="places")
    db.session.commit()
    auth.login(lead)
    today = date.today().isoformat()
    response = _post(
        client,
        action,
        posted_on=today,
        text="Deux haltes ouvertes à Coaticook.",
        indicator_id=str(indicator.id),
        value="24",
    )
    assert response.status_code == 302
    update = db.session.scalars(sa.select(ProgressUpdate)).one()
    assert (update.item.source, update.item.state) == (ItemSource.PROGRESS_UPDATE, ItemState.PENDING)
    assert db.session.scalars(sa.select(Measurement.update_id)).one() == update.id
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "Deux haltes ouvertes" not in public
    assert "24\u00a0places" not in public  # the measurement waits with its update
    decisions.approve(update.item, facilitator, update.item.version)
    db.session.commit()
    public = client.get(f"/p/{process.slug}/vous-avez-dit").get_data(as_text=True)
    assert "Deux haltes ouvertes à Coaticook." in public
    assert "24\u00a0places" in public


def test_only_the_lead_organization_may_post(client, auth, create_process, create_organization, create_user):
    _process, action, _lead, _facilitator = _lead_setup(create_process, create_organization, create_user)
    auth.login(create_user(Role.PARTNER, organization=create_organization("Autre")))
    assert client.get(f"/actions/{action.id}/updates/new").status_code == 404
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.post(
        f"/actions/{action.id}/updates/new", data={"csrf_token": token, "posted_on": "2026-01-01", "text": "Intrus."}
    )
    assert response.status_code == 404
    assert count_rows(ProgressUpdate) == 0


def test_a_value_that_is_not_a_number_in_the_unit_is_refused(
    client, auth, create_process, create_organization, create_user
):
    from app.followup import actions

    _process, action, lead, facilitator = _lead_setup(create_process, create_organization, create_user)
    indicator = actions.add_indicator(action, facilitator, action.version, name_fr="Taux", unit="%")
    db.session.commit()
    auth.login(lead)
    response = _post(
        client,
        action,
        posted_on=date.today().isoformat(),
        text="Texte gardé.",
        indicator_id=str(indicator.id),
        value="beaucoup",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and 'href="#value"' in html and "Texte gardé." in html
    assert count_rows(ProgressUpdate) == 0 and count_rows(Measurement) == 0
    future = _post(client, action, posted_on=(date.today() + timedelta(days=3)).isoformat(), text="Plus tard.")
    assert future.status_code == 400 and 'href="#posted_on"' in future.get_data(as_text=True)


def test_stale_actions_are_listed_and_their_leads_reminded_after_the_commit(
    app, client, auth, create_process, create_organization, create_user, mail_outbox, monkeypatch
):
    process, action, _lead, facilitator = _lead_setup(create_process, create_organization, create_user)
    fresh = make_action(action.orientation, facilitator, title_fr="Action récente")
    db.session.execute(
        sa.update(CollectiveAction)
        .where(CollectiveAction.id == action.id)
        .values(created_at=utcnow() - timedelta(days=60))
    )
    db.session.commit()
    monkeypatch.setitem(app.config, "FOLLOWUP_REMINDER_DAYS", 30)
    auth.login(facilitator)
    page = client.get(f"/followup/processes/{process.id}").get_data(as_text=True)
    assert f'name="action" value="{action.id}"' in page
    assert f'name="action" value="{fresh.id}"' not in page
    token = csrf_token_from(page)
    response = client.post(
        f"/followup/processes/{process.id}/reminders", data={"csrf_token": token, "action": str(action.id)}
    )
    assert response.status_code == 302
    messages = mail_outbox.messages
    assert [m["To"] for m in messages] == ["lead@example.org"]
    assert f"/actions/{action.id}/updates/new" in messages[0].get_content()
    # A second click the same day sends nothing more.
    client.post(f"/followup/processes/{process.id}/reminders", data={"csrf_token": token, "action": str(action.id)})
    assert len(mail_outbox.messages) == 1


def test_a_reminder_whose_transaction_fails_sends_nothing(
    app, create_process, create_organization, create_user, mail_outbox
):
    from app.followup import updates

    _process, action, _lead, facilitator = _lead_setup(create_process, create_organization, create_user)
    stale = [updates.StaleAction(action, None, date.today())]
    with app.test_request_context():
        updates.remind(stale, facilitator, utcnow())
        db.session.rollback()
    assert mail_outbox.messages == []


def test_an_update_posted_resets_the_reminder_clock(create_process, create_organization, create_user):
    from app.followup import updates

    process, action, lead, _facilitator = _lead_setup(create_process, create_organization, create_user)
    today = date.today()
    db.session.execute(
        sa.update(CollectiveAction)
        .where(CollectiveAction.id == action.id)
        .values(created_at=utcnow() - timedelta(days=90))
    )
    assert [s.action.id for s in updates.stale_actions(process.id, 30, today)] == [action.id]
    with db.session.no_autoflush:
        updates.post_update(action, lead, text="Du nouveau.", posted_on=today - timedelta(days=2), today=today)
    assert updates.stale_actions(process.id, 30, today) == []
    assert db.session.scalar(sa.select(sa.func.count()).where(ModerationItem.source == ItemSource.PROGRESS_UPDATE)) == 1


def test_the_overview_lists_the_updates_waiting_for_a_decision(
    client, auth, create_process, create_organization, create_user
):
    from app.followup import updates

    process, action, lead, facilitator = _lead_setup(create_process, create_organization, create_user)
    other_process = create_process()
    other_action = make_action(adopted_priority(other_process), facilitator, lead_organization_id=lead.organization_id)
    today = date.today()
    waiting = updates.post_update(action, lead, text="Une halte ouverte.", posted_on=today, today=today)
    approved = updates.post_update(action, lead, text="Deux haltes ouvertes.", posted_on=today, today=today)
    elsewhere = updates.post_update(other_action, lead, text="Ailleurs.", posted_on=today, today=today)
    decisions.approve(approved.item, facilitator, approved.item.version)
    db.session.commit()
    assert [u.id for u in updates.pending_updates(process.id)] == [waiting.id]
    assert [u.id for u in updates.pending_updates(other_process.id)] == [elsewhere.id]
    auth.login(facilitator)
    page = client.get(f"/followup/processes/{process.id}").get_data(as_text=True)
    section = page[page.index("Mises à jour à approuver") :]
    assert f"/moderation/items/{waiting.item_id}" in section and f"/moderation/items/{approved.item_id}" not in section
