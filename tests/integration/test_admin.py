from app.core.extensions import db
from app.models import AuditLog, Organization, Role, Territory, User
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
    unknown = client.post(f"{page}/role", data={"role": "owner", "csrf_token": csrf(page)}, follow_redirects=True)
    assert "Choisissez l’un des rôles proposés." in unknown.get_data(as_text=True)
    db.session.refresh(user)
    assert user.role is Role.FACILITATOR


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
        url, data={"code": "SOU", "name": " Les Sources ", "population_target": "80", "csrf_token": csrf(url)}
    )
    assert ok.status_code == 302
    assert db.session.execute(db.select(Territory.population_target).filter_by(code="SOU")).scalar_one() == 80
    assert count_rows(Territory) == 1 and db.session.scalar(db.select(Territory.name)) == "Les Sources"
    twice = client.post(url, data={"code": "SOU", "name": "Autre", "csrf_token": csrf(url)})
    assert twice.status_code == 200 and "Un territoire porte déjà ce code." in twice.get_data(as_text=True)


def test_audit_log_page_lists_entries(client, auth, csrf, create_user):
    auth.login(Role.ADMIN)
    user = create_user()
    page = f"/admin/users/{user.id}"
    client.post(f"{page}/deactivate", data={"csrf_token": csrf(page)})
    assert "user.deactivate" in client.get("/admin/audit").get_data(as_text=True)
