"""No log line holds a working link: the tokens of invitation, resume, account-invitation and password-reset links
are redacted in every log line (the app's, werkzeug's development server's, gunicorn's), and messages that could
not be sent are never written out with their address or their link."""

import logging
import threading
import urllib.error
import urllib.request

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.compliance.log_redaction import REDACTED, redact
from app.core.extensions import db
from app.core.mail import send_mail

SECRET = "Sx9-secret_TOKEN_value_1234567890"


def _token_rules(app):
    return [rule for rule in app.url_map.iter_rules() if any("token" in name for name in rule.arguments)]


def test_the_app_has_the_token_routes_we_know(app):
    assert {rule.rule for rule in _token_rules(app)} == {
        "/r/<token>",
        "/i/<token>",
        "/password/reset/<token>",
        "/account/invitation/<token>",
    }


def test_every_token_route_of_the_url_map_is_redacted(app):
    adapter = app.url_map.bind("concerto.example.org", url_scheme="https")
    for rule in _token_rules(app):
        values = dict.fromkeys(rule.arguments, SECRET)
        for path in (adapter.build(rule.endpoint, values), adapter.build(rule.endpoint, values, force_external=True)):
            for line in (f'GET {path} HTTP/1.1" 200', f"link: {path}\n", f"{path}?lang=en", f'href="{path}/"'):
                cleaned = redact(line)
                assert SECRET not in cleaned and REDACTED in cleaned, line


def test_redaction_leaves_other_paths_alone():
    for line in ("/s/besoins-parents/page/2", "/p/planification/vous-avez-dit", "/surveys/12/invitations", "/login"):
        assert redact(f'"GET {line} HTTP/1.1" 200') == f'"GET {line} HTTP/1.1" 200'


def test_the_apps_own_log_lines_are_redacted(caplog):
    logger = logging.getLogger("app.some_feature")
    with caplog.at_level(logging.INFO):
        logger.info("Opened %s", f"/r/{SECRET}")
        logger.warning("Link: https://concerto.example.org/password/reset/%s", SECRET)
        try:
            raise ValueError(f"bad token /i/{SECRET}")
        except ValueError:
            logger.exception("While serving /account/invitation/%s", SECRET)
    assert len(caplog.records) == 3
    assert SECRET not in caplog.text and REDACTED in caplog.text
    formatted = "\n".join(logging.Formatter().format(record) for record in caplog.records)
    assert SECRET not in formatted and "ValueError" in formatted


def test_a_message_without_mail_server_is_never_logged_with_its_address_or_link(app, caplog, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", None)
    body = f"Bonjour,\nVotre lien : https://concerto.example.org/password/reset/{SECRET}\n"
    with caplog.at_level(logging.DEBUG):
        send_mail("respondent@example.org", "Réinitialiser votre mot de passe", body)
        db.session.commit()
    assert "Réinitialiser votre mot de passe" in caplog.text  # the operator sees that something was not sent
    assert "respondent@example.org" not in caplog.text and SECRET not in caplog.text and "Bonjour" not in caplog.text


def test_in_development_messages_go_to_files_and_the_log_names_only_the_file(app, caplog, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "MAIL_SERVER", "")
    monkeypatch.setitem(app.config, "MAIL_OUTBOX_DIR", str(tmp_path / "outbox"))
    with caplog.at_level(logging.DEBUG):
        send_mail("respondent@example.org", "Invitation", f"https://concerto.example.org/i/{SECRET}")
        db.session.commit()
    files = list((tmp_path / "outbox").glob("*.eml"))
    assert len(files) == 1
    written = files[0].read_text(encoding="utf-8")
    assert "To: respondent@example.org" in written and SECRET in written
    assert "respondent@example.org" not in caplog.text and SECRET not in caplog.text
    assert files[0].name in caplog.text


@pytest.mark.committed
def test_the_development_server_log_is_redacted(tmp_path, caplog):
    dev = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'dev.db'}"})
    with dev.app_context():
        db.create_all()
    server = make_server("127.0.0.1", 0, dev, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with caplog.at_level(logging.INFO, logger="werkzeug"):
            for path in ("/r/", "/i/", "/password/reset/", "/account/invitation/"):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}{path}{SECRET}?x=1")
                except urllib.error.HTTPError as error:
                    error.close()
    finally:
        server.shutdown()
        server.server_close()
        with dev.app_context():
            db.engine.dispose()
    lines = [record.getMessage() for record in caplog.records if record.name == "werkzeug"]
    assert len(lines) == 4, lines
    assert all(REDACTED in line and SECRET not in line for line in lines), lines


def test_gunicorn_atoms_are_redacted_whatever_the_access_log_format():
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from app.web.gunicorn_logging import RedactingLogger

    logger = RedactingLogger(Config())
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/r/{SECRET}?lang=en",
        "PATH_INFO": f"/r/{SECRET}",
        "QUERY_STRING": "lang=en",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://concerto.example.org/i/{SECRET}",
        "REMOTE_ADDR": "203.0.113.9",
    }
    request = SimpleNamespace(
        headers=[("COOKIE", "session=abc; remember_token=def"), ("REFERER", environ["HTTP_REFERER"])]
    )
    response = SimpleNamespace(status="302 FOUND", headers=[("Location", f"/password/reset/{SECRET}")], sent=10)
    atoms = logger.atoms(response, request, environ, timedelta(milliseconds=5))
    assert SECRET not in repr(atoms)
    assert atoms["r"] == "GET /r/[redacted]?lang=en HTTP/1.1" and atoms["U"] == "/r/[redacted]"
    assert atoms["{cookie}i"] == REDACTED and "abc" not in repr(atoms)
    assert atoms["s"] == "302" and atoms["h"] == "203.0.113.9"
