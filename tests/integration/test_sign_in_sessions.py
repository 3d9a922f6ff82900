"""Signing out ends something on the server: an old session cookie or "keep me signed in" cookie replayed after a
sign-out opens nothing; "sign out everywhere" ends every device; a password change voids older reset links; and
whether an address has an account does not change the work a sign-in or a reset request does."""

import hashlib
from collections import Counter

import pytest

from app.core.extensions import db
from app.models import AccountToken, AuditLog, Role, TokenPurpose
from tests.conftest import DEFAULT_PASSWORD, csrf_token_from

SESSION = "session"
REMEMBER = "remember_token"


def _sign_in(client, user, *, remember: bool = False, password: str = DEFAULT_PASSWORD):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    data = {"email": user.email, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return response


def _signed_in(client) -> bool:
    return client.get("/account").status_code == 200


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, name
    return cookie.value


def _client_with(app, **cookies):
    fresh = app.test_client()
    for name, value in cookies.items():
        fresh.set_cookie(name, value)
    return fresh


def _post(client, url: str, page: str = "/account"):
    return client.post(url, data={"csrf_token": csrf_token_from(client.get(page).get_data(as_text=True))})


def test_the_old_session_cookie_opens_nothing_after_sign_out(app, client, create_user):
    _sign_in(client, create_user())
    old_session = _cookie(client, SESSION)
    assert _signed_in(_client_with(app, session=old_session))  # the cookie alone works while signed in
    _post(client, "/logout")
    assert not _signed_in(client)
    assert not _signed_in(_client_with(app, session=old_session))


def test_the_old_remember_cookie_opens_nothing_after_sign_out(app, client, create_user):
    _sign_in(client, create_user(), remember=True)
    old_remember = _cookie(client, REMEMBER)
    assert _signed_in(_client_with(app, remember_token=old_remember))  # a new browser session, kept signed in
    response = _post(client, "/logout")
    assert f"{REMEMBER}=;" in " ".join(response.headers.getlist("Set-Cookie"))  # the browser forgets it too
    assert not _signed_in(_client_with(app, remember_token=old_remember))


def test_sign_out_forgets_everything_the_session_held_but_the_language(client, create_user):
    _sign_in(client, create_user())
    with client.session_transaction() as session:
        session["locale"] = "en"
        session["vote_receipt"] = "ABCD-EFGH"
    _post(client, "/logout")
    with client.session_transaction() as session:
        assert "vote_receipt" not in session and "_user_id" not in session
        assert session.get("locale") == "en"


def test_sign_out_on_one_device_keeps_the_other_signed_in(app, client, create_user):
    user = create_user()
    laptop = app.test_client()
    _sign_in(client, user)
    _sign_in(laptop, user)
    _post(client, "/logout")
    assert _signed_in(laptop)
    sessions = laptop.get("/account/data").get_json()["sign_in_sessions"]
    assert len(sessions) == 2 and sum(1 for s in sessions if s["signed_out_at"]) == 1
    assert all(set(s) == {"signed_in_at", "expires_at", "signed_out_at"} for s in sessions)  # no key, no hash


def test_sign_out_everywhere_ends_every_session_and_remember_cookie(app, client, create_user):
    user = create_user()
    phone, laptop = app.test_client(), app.test_client()
    _sign_in(phone, user, remember=True)
    _sign_in(laptop, user, remember=True)
    _sign_in(client, user)
    cookies = [(_cookie(c, SESSION), _cookie(c, REMEMBER)) for c in (phone, laptop)]
    page = client.get("/account").get_data(as_text=True)
    assert "Se déconnecter de tous les appareils" in page
    response = _post(client, "/logout/everywhere")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "Vous êtes déconnecté de tous vos appareils." in client.get("/").get_data(as_text=True)
    assert not any(_signed_in(c) for c in (client, phone, laptop))
    for old_session, old_remember in cookies:
        assert not _signed_in(_client_with(app, session=old_session))
        assert not _signed_in(_client_with(app, remember_token=old_remember))
    actions = db.session.execute(db.select(AuditLog.action).filter_by(actor_id=user.id)).scalars().all()
    assert "user.sign_out_everywhere" in actions
    _sign_in(client, user)  # and one can sign in again
    assert _signed_in(client)


def test_a_reset_link_issued_before_a_password_change_no_longer_works(client, csrf, create_user, mail_outbox):
    user = create_user()
    client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf("/password/forgot")})
    (link,) = mail_outbox.links(r"http://localhost(/password/reset/[\w-]+)")
    # The person remembers the password after all, signs in and changes it.
    _sign_in(client, user)
    data = {"pw-current": DEFAULT_PASSWORD, "pw-password": "changed-password-1", "pw-confirm": "changed-password-1"}
    assert client.post("/account/password", data={**data, "csrf_token": csrf("/account")}).status_code == 302
    _post(client, "/logout")
    # Whoever finds the old e-mail cannot use it to take the account.
    assert client.get(link).status_code == 410
    posted = client.post(link, data={"password": "attacker-pass-1", "confirm": "attacker-pass-1", "csrf_token": csrf()})
    assert posted.status_code == 410
    db.session.refresh(user)
    assert user.check_password("changed-password-1")


def test_a_reset_link_still_works_when_nothing_changed(client, csrf, create_user, mail_outbox):
    user = create_user()
    client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf("/password/forgot")})
    (link,) = mail_outbox.links(r"http://localhost(/password/reset/[\w-]+)")
    response = client.post(link, data={"password": "brand-new-pass", "confirm": "brand-new-pass", "csrf_token": csrf()})
    assert response.status_code == 302 and _signed_in(client)


# Account enumeration by timing: the expensive password derivation runs once per attempt, whoever asks.


@pytest.fixture
def derivations(monkeypatch):
    calls: Counter = Counter()
    for name in ("scrypt", "pbkdf2_hmac"):
        original = getattr(hashlib, name)

        def counting(*args, _original=original, _name=name, **kwargs):
            parameters = kwargs.get("n") or (args[3] if _name == "pbkdf2_hmac" and len(args) > 3 else None)
            calls[(_name, parameters)] += 1
            return _original(*args, **kwargs)

        monkeypatch.setattr(hashlib, name, counting)
    return calls


def test_sign_in_derives_one_password_hash_whether_or_not_the_account_exists(client, csrf, create_user, derivations):
    known = create_user()
    inactive = create_user(active=False)
    invited = create_user(password=None)
    attempts = {
        "wrong password": known.email,
        "unknown address": "nobody@example.org",
        "inactive account": inactive.email,
        "no password yet": invited.email,
    }
    seen = {}
    for case, email in attempts.items():
        token = csrf()
        derivations.clear()
        response = client.post("/login", data={"email": email, "password": "not the password", "csrf_token": token})
        assert response.status_code == 200, case
        seen[case] = dict(derivations)
    expected = seen["wrong password"]
    assert sum(expected.values()) == 1
    assert all(counts == expected for counts in seen.values()), seen


def test_a_reset_request_does_the_same_work_for_known_and_unknown_addresses(
    client, csrf, create_user, count_queries, mail_outbox
):
    user = create_user()
    work = {}
    for case, email in {"known": user.email, "unknown": "nobody@example.org"}.items():
        token = csrf("/password/forgot")
        with count_queries() as counted:
            response = client.post("/password/forgot", data={"email": email, "csrf_token": token})
        assert response.status_code == 302
        work[case] = counted.statements
    assert work["known"] == work["unknown"]
    # The reset link is looked up, written and sent once the response has left.
    assert [m["To"] for m in mail_outbox.messages] == [user.email]
    assert db.session.execute(db.select(AccountToken).filter_by(purpose=TokenPurpose.PASSWORD_RESET)).first()


def test_changing_the_password_keeps_this_device_signed_in_and_ends_the_others(app, client, csrf, create_user):
    user = create_user(Role.PARTNER)
    other = app.test_client()
    _sign_in(client, user, remember=True)
    _sign_in(other, user, remember=True)
    old_remember = _cookie(client, REMEMBER)
    data = {"pw-current": DEFAULT_PASSWORD, "pw-password": "new-password-1", "pw-confirm": "new-password-1"}
    assert client.post("/account/password", data={**data, "csrf_token": csrf("/account")}).status_code == 302
    assert _signed_in(client) and not _signed_in(other)
    assert not _signed_in(_client_with(app, remember_token=old_remember))
    assert _signed_in(_client_with(app, remember_token=_cookie(client, REMEMBER)))


def test_the_stand_in_hash_costs_what_a_real_scrypt_hash_costs(derivations):
    from werkzeug.security import check_password_hash, generate_password_hash

    from app.auth.accounts import _dummy_hash

    real = generate_password_hash("a real password", method="scrypt")
    derivations.clear()
    assert not check_password_hash(real, "a guess")
    real_work = dict(derivations)
    derivations.clear()
    assert not check_password_hash(_dummy_hash("scrypt"), "a guess")
    assert dict(derivations) == real_work == {("scrypt", 2**15): 1}
