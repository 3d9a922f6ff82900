import pytest
import sqlalchemy as sa

from app import create_app
from app.core.extensions import db


def test_healthz_answers_ok_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise sa.exc.OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "error"
    assert response.get_json()["database"] == "down"


def test_healthz_reports_redis_when_configured(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    assert client.get("/healthz").get_json()["redis"] == "ok"


def test_healthz_stays_up_when_redis_is_down(app, client, monkeypatch):
    """Rate limits fall back to memory without Redis: the app itself is healthy (README "Running several servers")."""
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "down"}


def test_healthz_strict_answers_503_when_redis_is_down(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATELIMIT_STORAGE_URI", "redis://127.0.0.1:1/0")
    monkeypatch.setitem(app.config, "HEALTHZ_STRICT", True)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "ok", "redis": "down"}


def test_not_found_page_is_in_french_by_default(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert 'lang="fr-CA"' in page
    assert "Page introuvable" in page


def test_not_found_page_follows_the_chosen_language(client, csrf):
    client.post("/language", data={"locale": "en", "csrf_token": csrf("/")})
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_post_without_csrf_token_is_a_400_page_not_a_crash(client):
    response = client.post("/login", data={"email": "a@example.org", "password": "x"})
    assert response.status_code == 400
    assert "Rechargez la page" in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "HttpOnly" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]


def test_production_refuses_to_start_without_secret_key_and_database(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    with pytest.raises(RuntimeError, match=r"SECRET_KEY.*DATABASE_URL"):
        create_app("production")


def test_production_starts_with_real_settings(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    app = create_app("production", {"SECRET_KEY": "x" * 40, "PUBLIC_URL": "https://concerto.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_passwords_are_hashed_with_scrypt_outside_tests(tmp_path):
    dev = create_app("development", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}"})
    from app.models import Role, User

    with dev.app_context():
        user = User(email="a@example.org", name="A", role=Role.PARTNER)
        user.set_password("long-enough-pw")
    assert user.password_hash.startswith("scrypt:") and user.check_password("long-enough-pw")
