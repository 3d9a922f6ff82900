from datetime import date

from app.core.extensions import db
from app.models import AuditLog, Organization, PhaseKind, Process, ProcessStatus, Role, Territory, User
from tests.conftest import count_rows


def _audit_actions(obj_type: str, obj_id) -> list[str]:
    rows = db.session.execute(
        db.select(AuditLog.action).filter_by(object_type=obj_type, object_id=str(obj_id)).order_by(AuditLog.id)
    ).scalars()
    return list(rows)


def test_invite_with_an_existing_email_keeps_the_form(client, auth, csrf, create_user):
    auth.login(Role.ADMIN)
    taken = create_user(email="pris@example.org")
    response = client.post(
        "/admin/users/invite",
        data={
            "email": "PRIS@example.org",
            "name": "Quelqu'un",
            "role": "partner",
            "organization_id": "0",
            "locale": "en",
            "csrf_token": csrf("/admin/users/invite"),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Un compte utilise déjà cette adresse courriel." in page
    assert 'value="Quelqu&#39;un"' in page
    assert count_rows(User) == 2 and taken.active


def test_change_role_and_deactivate_are_audited(client, auth, csrf, create_user):
    auth.login(Role.ADMIN)
    user = create_user(Role.PARTNER)
    page = f"/admin/users/{user.id}"
    client.post(f"{page}/role", data={"role": "facilitator", "csrf_token": csrf(page)})
    client.post(f"{page}/deactivate", data={"csrf_token": csrf(page)})
    db.session.refresh(user)
    assert user.role is Role.FACILITATOR and not user.active
    assert _audit_actions("users", user.id) == ["user.change_role", "user.deactivate"]
    client.post(f"{page}/reactivate", data={"csrf_token": csrf(page)})
    db.session.refresh(user)
    assert user.active


def test_admin_cannot_lock_themselves_out(client, auth, csrf):
    admin = auth.login(Role.ADMIN)
    page = f"/admin/users/{admin.id}"
    demoted = client.post(f"{page}/role", data={"role": "partner", "csrf_token": csrf(page)}, follow_redirects=True)
    assert "Vous ne pouvez pas retirer votre propre rôle" in demoted.get_data(as_text=True)
    client.post(f"{page}/deactivate", data={"csrf_token": csrf(page)})
    db.session.refresh(admin)
    assert admin.role is Role.ADMIN and admin.active


def test_user_list_filters_by_role_and_search(client, auth, create_user):
    auth.login(Role.ADMIN)
    create_user(Role.PARTNER, name="Zoé Tremblay")
    create_user(Role.FACILITATOR, name="Marc Gagnon")
    page = client.get("/admin/users?role=partner").get_data(as_text=True)
    assert "Zoé Tremblay" in page and "Marc Gagnon" not in page
    page = client.get("/admin/users?q=gagnon").get_data(as_text=True)
    assert "Marc Gagnon" in page and "Zoé Tremblay" not in page


def test_organization_create_edit_and_duplicate_name(client, auth, csrf, create_territory):
    auth.login(Role.ADMIN)
    territory = create_territory(name="Coaticook")
    url = "/admin/organizations/new"
    data = {"name": "Maison de la famille", "sector": "community", "territory_id": str(territory.id)}
    assert client.post(url, data={**data, "csrf_token": csrf(url)}).status_code == 302
    org = db.session.execute(db.select(Organization).filter_by(name="Maison de la famille")).scalar_one()
    assert org.territory_id == territory.id
    duplicate = client.post(url, data={**data, "sector": "school", "csrf_token": csrf(url)})
    assert "Un organisme porte déjà ce nom." in duplicate.get_data(as_text=True)
    assert count_rows(Organization) == 1
    edit = f"/admin/organizations/{org.id}/edit"
    client.post(edit, data={**data, "sector": "employer", "territory_id": "0", "csrf_token": csrf(edit)})
    db.session.refresh(org)
    assert org.sector.value == "employer" and org.territory_id is None
    assert _audit_actions("organizations", org.id) == ["organization.save", "organization.save"]


def test_unknown_sector_is_refused(client, auth, csrf):
    auth.login(Role.ADMIN)
    url = "/admin/organizations/new"
    response = client.post(url, data={"name": "X", "sector": "bank", "territory_id": "0", "csrf_token": csrf(url)})
    assert response.status_code == 200 and count_rows(Organization) == 0


def test_territory_target_and_validation(client, auth, csrf):
    auth.login(Role.ADMIN)
    url = "/admin/territories/new"
    bad = client.post(
        url, data={"code": "a b", "name": "Les Sources", "population_target": "-3", "csrf_token": csrf(url)}
    )
    page = bad.get_data(as_text=True)
    assert "Lettres, chiffres, traits d’union et soulignés seulement." in page
    assert 'value="Les Sources"' in page
    assert count_rows(Territory) == 0
    ok = client.post(
        url, data={"code": "SOU", "name": "Les Sources", "population_target": "80", "csrf_token": csrf(url)}
    )
    assert ok.status_code == 302
    assert db.session.execute(db.select(Territory.population_target).filter_by(code="SOU")).scalar_one() == 80


def _process_data(**overrides):
    data = {
        "slug": "plan-2025",
        "title_fr": "Plan 2025",
        "title_en": "Plan 2025",
        "purpose_fr": "Mieux faire ensemble.",
        "purpose_en": "Do better together.",
        "consultation-starts_on": "2025-01-10",
        "consultation-ends_on": "2025-02-10",
        "validation-starts_on": "2025-04-01",
        "validation-ends_on": "2025-04-02",
    }
    data.update(overrides)
    return data


def test_process_create_with_phases_and_territories(client, auth, csrf, create_territory):
    auth.login(Role.ADMIN)
    a, b = create_territory(name="Sherbrooke"), create_territory(name="Les Sources")
    url = "/admin/processes/new"
    response = client.post(url, data={**_process_data(territory_ids=[str(a.id), str(b.id)]), "csrf_token": csrf(url)})
    assert response.status_code == 302
    process = db.session.execute(db.select(Process).filter_by(slug="plan-2025")).scalar_one()
    assert {p.kind for p in process.phases} == {PhaseKind.CONSULTATION, PhaseKind.VALIDATION}
    assert process.phase(PhaseKind.CONSULTATION).starts_on == date(2025, 1, 10)
    assert sorted(t.name for t in process.territories) == ["Les Sources", "Sherbrooke"]
    assert process.status is ProcessStatus.DRAFT
    assert _audit_actions("processes", process.id) == ["process.save"]

    # Removing the dates of a phase removes the phase.
    edit = f"/admin/processes/{process.id}/edit"
    data = _process_data(**{"validation-starts_on": "", "validation-ends_on": ""})
    client.post(edit, data={**data, "csrf_token": csrf(edit)})
    db.session.expire_all()
    assert [p.kind for p in process.phases] == [PhaseKind.CONSULTATION]


def test_process_refuses_bad_phase_dates_and_slug(client, auth, csrf, create_process):
    auth.login(Role.ADMIN)
    create_process(slug="plan-2025")
    url = "/admin/processes/new"
    data = _process_data(**{"consultation-ends_on": "2025-01-01", "launch-starts_on": "2025-06-01"})
    page = client.post(url, data={**data, "csrf_token": csrf(url)}).get_data(as_text=True)
    assert "La date de fin ne doit pas précéder la date de début." in page
    assert "Indiquez les deux dates, ou aucune pour omettre cette phase." in page
    assert 'value="Mieux faire ensemble."' not in page and "Mieux faire ensemble." in page
    page = client.post(url, data={**_process_data(), "csrf_token": csrf(url)}).get_data(as_text=True)
    assert "Une autre démarche utilise déjà cette adresse." in page
    page = client.post(url, data={**_process_data(slug="Pas Bon!"), "csrf_token": csrf(url)}).get_data(as_text=True)
    assert "Lettres minuscules, chiffres et traits d’union seulement" in page
    assert count_rows(Process) == 1


def test_process_status_transitions(client, auth, csrf, create_process):
    auth.login(Role.ADMIN)
    process = create_process(ProcessStatus.DRAFT)
    page = f"/admin/processes/{process.id}"
    illegal = client.post(
        f"{page}/status", data={"status": "archived", "csrf_token": csrf(page)}, follow_redirects=True
    )
    assert "Ce changement de statut n’est pas permis" in illegal.get_data(as_text=True)
    client.post(f"{page}/status", data={"status": "active", "csrf_token": csrf(page)})
    db.session.refresh(process)
    assert process.status is ProcessStatus.ACTIVE
    assert _audit_actions("processes", process.id) == ["process.change_status"]


def test_audit_log_page_lists_entries(client, auth, csrf, create_user):
    auth.login(Role.ADMIN)
    user = create_user()
    page = f"/admin/users/{user.id}"
    client.post(f"{page}/deactivate", data={"csrf_token": csrf(page)})
    assert "user.deactivate" in client.get("/admin/audit").get_data(as_text=True)
