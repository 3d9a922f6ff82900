import logging
from datetime import timedelta

from app.core.extensions import db
from app.models import AccountToken, AuditLog, Role, TokenPurpose, User, utcnow
from tests.conftest import DEFAULT_PASSWORD, count_rows, csrf_token_from

WRONG_CREDENTIALS = "Adresse courriel ou mot de passe incorrect."


def _login(client, csrf, email, password, **environ):
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf()},
        **({"environ_base": environ} if environ else {}),
    )


def test_login_page_is_french(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<h1>Connexion</h1>" in page
    assert 'for="email"' in page and 'id="email"' in page


def test_login_succeeds_and_records_the_time(client, csrf, create_user):
    user = create_user(Role.FACILITATOR)
    response = _login(client, csrf, user.email.upper(), DEFAULT_PASSWORD)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert "Connecté en tant que" in client.get("/").get_data(as_text=True)


def test_unknown_email_and_wrong_password_get_the_same_message(client, csrf, create_user):
    user = create_user()
    wrong_password = _login(client, csrf, user.email, "not the password")
    unknown = _login(client, csrf, "nobody@example.org", "whatever")
    for response in (wrong_password, unknown):
        assert response.status_code == 200
        assert WRONG_CREDENTIALS in response.get_data(as_text=True)
    # The form keeps what was typed (the e-mail), never the password.
    assert 'value="nobody@example.org"' in unknown.get_data(as_text=True)
    assert 'value="whatever"' not in unknown.get_data(as_text=True)


def test_login_is_rate_limited_per_ip(client, csrf, create_user):
    user = create_user()
    for _ in range(10):
        assert _login(client, csrf, user.email, "wrong").status_code == 200
    response = _login(client, csrf, user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)


def test_login_is_rate_limited_per_account_across_ips(client, csrf, create_user):
    user = create_user()
    for n in range(10):
        assert _login(client, csrf, user.email, "wrong", REMOTE_ADDR=f"10.0.0.{n}").status_code == 200
    assert _login(client, csrf, user.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.0.1.1").status_code == 429
    # Another account from a fresh address is not affected.
    other = create_user()
    assert _login(client, csrf, other.email, DEFAULT_PASSWORD, REMOTE_ADDR="10.0.2.1").status_code == 302


def test_deactivated_user_cannot_sign_in(client, csrf, create_user):
    user = create_user(active=False)
    response = _login(client, csrf, user.email, DEFAULT_PASSWORD)
    assert WRONG_CREDENTIALS in response.get_data(as_text=True)


def test_deactivation_ends_existing_sessions(client, auth, create_user):
    admin_user = create_user(Role.ADMIN)
    user = auth.login(Role.FACILITATOR)
    assert client.get("/").status_code == 200
    user.deactivate()
    db.session.commit()
    assert admin_user.active
    response = client.get("/admin/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_logout_needs_post_and_ends_the_session(client, auth, csrf):
    auth.login(Role.ADMIN)
    assert client.get("/logout").status_code == 405
    client.post("/logout", data={"csrf_token": csrf("/")})
    assert client.get("/admin/").status_code == 302


def test_next_parameter_cannot_redirect_off_site(client, csrf, create_user):
    user = create_user()
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": csrf()},
    )
    assert response.headers["Location"] == "/"
    auth_next = client.post("/logout", data={"csrf_token": csrf("/")})
    assert auth_next.status_code == 302


def test_invitation_flow_from_admin_to_first_sign_in(client, auth, csrf, mail_outbox, create_organization):
    admin = auth.login(Role.ADMIN)
    org = create_organization()
    response = client.post(
        "/admin/users/invite",
        data={
            "email": "Nouvelle.Partenaire@Example.org",
            "name": "Nouvelle Partenaire",
            "role": "partner",
            "organization_id": str(org.id),
            "locale": "fr_CA",
            "csrf_token": csrf("/admin/users/invite"),
        },
    )
    assert response.status_code == 302
    invited = db.session.execute(db.select(User).filter_by(email="nouvelle.partenaire@example.org")).scalar_one()
    assert invited.password_hash is None and invited.organization_id == org.id
    assert {a.action for a in db.session.execute(db.select(AuditLog).filter_by(actor_id=admin.id)).scalars()} >= {
        "user.create",
        "user.invite",
    }
    (message,) = mail_outbox.messages
    assert message["To"] == "nouvelle.partenaire@example.org" and message["Subject"] == "Invitation à Concerto"
    (link,) = mail_outbox.links(r"http://localhost(/account/invitation/[\w-]+)")
    token_rows = db.session.execute(db.select(AccountToken).filter_by(user_id=invited.id)).scalars().all()
    assert len(token_rows) == 1 and link.rsplit("/", 1)[1] not in token_rows[0].token_hash

    auth.logout()
    page = client.get(link)
    assert page.status_code == 200 and "Nouvelle Partenaire" in page.get_data(as_text=True)
    mismatch = client.post(
        link, data={"password": "a-long-password", "confirm": "another-one", "csrf_token": csrf(link)}
    )
    assert "Les deux mots de passe ne correspondent pas." in mismatch.get_data(as_text=True)
    done = client.post(
        link, data={"password": "a-long-password", "confirm": "a-long-password", "csrf_token": csrf(link)}
    )
    assert done.status_code == 302
    db.session.refresh(invited)
    assert invited.check_password("a-long-password")

    # The link is single-use.
    auth.logout()
    reused = client.get(link)
    assert reused.status_code == 410
    assert "déjà été utilisé" in reused.get_data(as_text=True)


def test_expired_and_invalid_invitation_links_change_nothing(client, csrf, create_user):
    user = create_user(password=None)
    token, clear = AccountToken.issue(user, TokenPurpose.INVITATION, timedelta(days=1))
    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.add(token)
    db.session.commit()
    url = f"/account/invitation/{clear}"
    expired = client.get(url)
    assert expired.status_code == 410 and "expiré" in expired.get_data(as_text=True)
    posted = client.post(url, data={"password": "a-long-password", "confirm": "a-long-password", "csrf_token": csrf()})
    assert posted.status_code == 410
    db.session.refresh(user)
    assert user.password_hash is None
    assert client.get("/account/invitation/nope").status_code == 404


def test_password_reset_flow(client, csrf, mail_outbox, create_user):
    user = create_user()
    response = client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf("/password/forgot")})
    assert response.status_code == 302
    (link,) = mail_outbox.links(r"http://localhost(/password/reset/[\w-]+)")
    done = client.post(link, data={"password": "brand-new-pass", "confirm": "brand-new-pass", "csrf_token": csrf(link)})
    assert done.status_code == 302
    db.session.refresh(user)
    assert user.check_password("brand-new-pass") and not user.check_password(DEFAULT_PASSWORD)


def test_the_reset_e_mail_is_in_the_language_of_the_account(client, csrf, mail_outbox, create_user):
    french, english = create_user(), create_user()
    english.locale = "en"
    db.session.commit()
    for user in (french, english):
        client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf("/password/forgot")})
    subjects = [(message["To"], message["Subject"]) for message in mail_outbox.messages]
    assert subjects == [
        (french.email, "Concerto : réinitialisez votre mot de passe"),
        (english.email, "Concerto: reset your password"),
    ]


def test_password_reset_for_unknown_address_reveals_nothing(client, csrf, caplog, mail_outbox):
    before = count_rows(AccountToken)
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/password/forgot",
            data={"email": "personne@example.org", "csrf_token": csrf("/password/forgot")},
            follow_redirects=True,
        )
        assert mail_outbox.messages == []
    assert "Si un compte utilise cette adresse" in response.get_data(as_text=True)
    assert count_rows(AccountToken) == before
    assert "personne@example.org" not in caplog.text


def test_account_page_updates_name_and_language(client, auth, csrf):
    user = auth.login(Role.PARTNER)
    response = client.post("/account", data={"name": "Nouveau Nom", "locale": "en", "csrf_token": csrf("/account")})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Nouveau Nom" and user.locale == "en"
    assert "My account" in client.get("/account").get_data(as_text=True)


def test_change_password_needs_the_current_one_and_ends_other_sessions(app, client, auth, csrf):
    user = auth.login(Role.PARTNER)
    other_device = app.test_client()
    token = csrf_token_from(other_device.get("/login").get_data(as_text=True))
    other_device.post("/login", data={"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token})
    assert other_device.get("/account").status_code == 200

    data = {"pw-current": "wrong", "pw-password": "new-password-1", "pw-confirm": "new-password-1"}
    wrong = client.post("/account/password", data={**data, "csrf_token": csrf("/account")})
    assert wrong.status_code == 400 and "Le mot de passe actuel est incorrect." in wrong.get_data(as_text=True)
    ok = client.post("/account/password", data={**data, "pw-current": DEFAULT_PASSWORD, "csrf_token": csrf("/account")})
    assert ok.status_code == 302
    db.session.refresh(user)
    assert user.check_password("new-password-1")
    assert client.get("/account").status_code == 200  # this device stays signed in
    assert other_device.get("/account").status_code == 302  # the other one is signed out


def test_download_my_data(client, auth, create_organization):
    org = create_organization(name="Maison de la famille")
    user = auth.login(auth.create_user(Role.PARTNER, organization=org, name="Chloé"))
    response = client.get("/account/data")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["account"]["email"] == user.email and data["account"]["organization"] == "Maison de la famille"
    assert data["account"]["name"] == "Chloé"


def test_download_my_data_includes_contributions_and_comments(client, auth, create_process):
    from app.models.moderation import Contribution

    user = auth.login(Role.PARTNER)
    process = create_process()
    db.session.add(Contribution(process=process, author_id=user.id, title="Transport", description="Plus d’autobus"))
    db.session.commit()
    data = client.get("/account/data").get_json()
    assert data["contributions"][0]["title"] == "Transport" and data["comments"] == []
