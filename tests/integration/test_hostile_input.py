"""Hostile strings posted into every text field of the foundation forms: no 500, stored exactly, displayed escaped."""

import pytest

from app.core.extensions import db
from app.models import Organization, Process, Role, Territory
from tests.support.hostile import HOSTILE_STRINGS, NUL_STRING


def _short(value: str, limit: int) -> str:
    return value[:limit]


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_organization_names_are_stored_exactly_and_escaped(client, auth, csrf, value):
    auth.login(Role.ADMIN)
    name = _short(value, 200)
    url = "/admin/organizations/new"
    response = client.post(url, data={"name": name, "sector": "other", "territory_id": "0", "csrf_token": csrf(url)})
    assert response.status_code in (200, 302)
    stored = db.session.execute(db.select(Organization.name)).scalars().all()
    if name.strip():
        assert stored == [name]
    page = client.get("/admin/organizations").get_data(as_text=True)
    assert "<script>alert" not in page and "<img src=x" not in page


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_process_texts(client, auth, csrf, value):
    auth.login(Role.ADMIN)
    url = "/manage/processes/new"
    data = {
        "slug": "hostile",
        "title_fr": _short(value, 200),
        "title_en": _short(value, 200),
        "purpose_fr": value,
        "purpose_en": value,
        "csrf_token": csrf(url),
    }
    response = client.post(url, data=data)
    assert response.status_code in (200, 302)
    process = db.session.execute(db.select(Process)).scalar_one_or_none()
    if process is not None:
        assert process.purpose_fr == value and process.title_fr == _short(value, 200)
        page = client.get(f"/p/{process.slug}").get_data(as_text=True)
        assert "<script>alert" not in page


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=range(len(HOSTILE_STRINGS)))
def test_hostile_account_names_and_territories(client, auth, csrf, value):
    user = auth.login(Role.ADMIN)
    response = client.post(
        "/account", data={"name": _short(value, 120), "locale": "fr_CA", "csrf_token": csrf("/account")}
    )
    assert response.status_code in (200, 302)
    url = "/admin/territories/new"
    response = client.post(url, data={"code": "T1", "name": _short(value, 120), "csrf_token": csrf(url)})
    assert response.status_code in (200, 302)
    db.session.refresh(user)
    if _short(value, 120).strip():
        assert user.name == _short(value, 120).strip()
        assert db.session.execute(db.select(Territory.name)).scalar_one() == _short(value, 120).strip()


def test_nul_characters_are_refused_with_a_message(client, auth, csrf):
    auth.login(Role.ADMIN)
    url = "/admin/organizations/new"
    response = client.post(
        url, data={"name": NUL_STRING, "sector": "other", "territory_id": "0", "csrf_token": csrf(url)}
    )
    assert response.status_code == 400
    assert "caractère NUL invisible" in response.get_data(as_text=True)
    assert db.session.execute(db.select(Organization)).first() is None
    assert client.get("/admin/users?q=a%00b").status_code == 400


def test_over_long_input_is_refused_with_a_message(client, auth, csrf):
    auth.login(Role.ADMIN)
    url = "/admin/organizations/new"
    response = client.post(
        url, data={"name": "x" * 201, "sector": "other", "territory_id": "0", "csrf_token": csrf(url)}
    )
    assert response.status_code == 200
    assert "200" in response.get_data(as_text=True)
    assert db.session.execute(db.select(Organization)).first() is None


def test_request_body_over_the_limit_is_a_413_page(app, client, auth, csrf, monkeypatch):
    auth.login(Role.ADMIN)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    url = "/admin/organizations/new"
    response = client.post(url, data={"name": "x" * 5000, "sector": "other", "territory_id": "0", "csrf_token": "t"})
    assert response.status_code == 413
    assert "trop volumineux" in response.get_data(as_text=True)
