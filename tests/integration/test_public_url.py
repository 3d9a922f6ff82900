"""Host-header poisoning: every link sent or shown for use outside the app is built from PUBLIC_URL, never from the
Host header a client chose, and in production a request for another host is refused (400)."""

import csv
import io
import re

import pytest
from werkzeug.datastructures import Headers

from app import create_app
from app.core.extensions import db
from app.models import Role
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from
from tests.integration.respond_helpers import Respondent

PUBLIC = "https://concerto.example.org"
EVIL = "evil.example"


@pytest.fixture(autouse=True)
def public_url(app, monkeypatch):
    monkeypatch.setitem(app.config, "PUBLIC_URL", PUBLIC)


@pytest.fixture
def forged(app, monkeypatch):
    """A client whose every request says ``Host: evil.example`` (cookies still go to the test host)."""

    class ForgedHostClient(app.test_client_class):
        def open(self, *args, **kwargs):
            if args and not isinstance(args[0], str):
                return super().open(*args, **kwargs)
            headers = Headers(kwargs.pop("headers", None))
            headers["Host"] = EVIL
            return super().open(*args, headers=headers, **kwargs)

    monkeypatch.setattr(app, "test_client_class", ForgedHostClient)
    return app.test_client()


@pytest.fixture
def survey(create_survey):
    return create_survey(
        [
            {"questions": [{"code": "q1", "type": "short_text"}]},
            {"questions": [{"code": "q2", "type": "short_text"}]},
        ],
        slug="sondage-public",
    )


def _login(client, user):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _assert_public(links: list[str], path_prefix: str) -> None:
    assert links, "no link found"
    for link in links:
        assert link.startswith(PUBLIC + path_prefix), link
        assert EVIL not in link


def test_a_forged_host_does_not_poison_the_password_reset_link(forged, create_user, mail_outbox):
    user = create_user()
    token = csrf_token_from(forged.get("/password/forgot").get_data(as_text=True))
    forged.post("/password/forgot", data={"email": user.email, "csrf_token": token})
    messages = mail_outbox.messages
    assert len(messages) == 1
    assert EVIL not in messages[0].get_content()
    _assert_public(mail_outbox.links(), "/password/reset/")


def test_a_forged_host_does_not_poison_an_account_invitation(forged, create_user, mail_outbox):
    _login(forged, create_user(Role.ADMIN))
    token = csrf_token_from(forged.get("/admin/users/invite").get_data(as_text=True))
    response = forged.post(
        "/admin/users/invite",
        data={
            "email": "invitee@example.org",
            "name": "Invitee",
            "role": "partner",
            "organization_id": "0",
            "locale": "en",
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    _assert_public(mail_outbox.links(), "/account/invitation/")


def test_a_forged_host_does_not_poison_survey_invitations(forged, create_user, survey, mail_outbox):
    _login(forged, create_user(Role.FACILITATOR))
    url = f"/surveys/{survey.id}/distribute"
    token = csrf_token_from(forged.get(url).get_data(as_text=True))
    page = forged.post(
        f"/surveys/{survey.id}/invitations",
        data={"emails": "parent@example.org", "send": "y", "output": "page", "csrf_token": token},
    ).get_data(as_text=True)
    _assert_public(re.findall(r"https?://[^\s<\"]+/i/[\w-]+", page), "/i/")
    _assert_public(mail_outbox.links(), "/i/")
    csv_text = forged.post(
        f"/surveys/{survey.id}/invitations", data={"count": "2", "output": "csv", "csrf_token": token}
    ).get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))[1:]
    _assert_public([row[0] for row in rows], "/i/")


def test_a_forged_host_does_not_poison_the_resume_link(forged, survey):
    parent = Respondent(forged)
    parent.start("/s/sondage-public")
    parent.send({"q_q1": "bonjour"})
    _assert_public(re.findall(r'href="(https?://[^"]+/r/[^"]+)"', parent.html), "/r/")
    parent.send({"q_q2": "plus tard"}, action="later")
    _assert_public(re.findall(r"https?://[^\s<\"]+/r/[\w-]+", parent.html), "/r/")


def test_a_forged_host_does_not_poison_public_links_qr_codes_and_flyers(forged, create_user, survey, monkeypatch):
    import app.builder.views.distribution as distribution_views

    _login(forged, create_user(Role.FACILITATOR))
    encoded = []
    for name in ("qr_svg", "qr_png"):
        original = getattr(distribution_views, name)
        monkeypatch.setattr(distribution_views, name, lambda url, *a, _f=original: encoded.append(url) or _f(url, *a))
    assert forged.get(f"/surveys/{survey.id}/qr.svg").status_code == 200
    assert forged.get(f"/surveys/{survey.id}/qr.png").status_code == 200
    assert encoded == [f"{PUBLIC}/s/sondage-public"] * 2
    for page in ("distribute", "flyer", "print"):
        html = forged.get(f"/surveys/{survey.id}/{page}").get_data(as_text=True)
        assert f"{PUBLIC}/s/sondage-public" in html, page
        assert EVIL not in html, page


# Production: PUBLIC_URL is required, and other hosts are refused.


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    return {"SECRET_KEY": "s" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'prod.db'}"}


def test_production_refuses_to_start_without_public_url(production_env):
    with pytest.raises(RuntimeError, match="PUBLIC_URL"):
        create_app("production", {**production_env, "PUBLIC_URL": ""})
    for wrong in ("concerto.example.org", "ftp://concerto.example.org", "https://concerto.example.org/?x=1"):
        with pytest.raises(RuntimeError, match="PUBLIC_URL"):
            create_app("production", {**production_env, "PUBLIC_URL": wrong})


def test_production_refuses_requests_for_another_host(production_env):
    production = create_app("production", {**production_env, "PUBLIC_URL": PUBLIC})
    try:
        client = production.test_client()
        good = client.get("/login", base_url=PUBLIC)
        assert good.status_code == 200
        for host in (EVIL, "concerto.example.org.evil.example", "10.0.0.11:8000"):
            refused = client.get("/login", base_url=PUBLIC, headers={"Host": host})
            assert refused.status_code == 400, host
            assert "Cette adresse ne correspond pas à ce site." in refused.get_data(as_text=True)
        forgot = client.post("/password/forgot", base_url=PUBLIC, headers={"Host": EVIL}, data={"email": "a@b.c"})
        assert forgot.status_code == 400
        # A load balancer may probe an app server by its own address: /healthz answers whatever the Host.
        health = client.get("/healthz", base_url="http://10.0.0.11:8000")
        assert health.status_code == 200 and health.get_json()["database"] == "ok"
    finally:
        with production.app_context():
            db.engine.dispose()
