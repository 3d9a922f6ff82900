"""The real server: gunicorn with gunicorn.conf.py and the production configuration, asked for every kind of
token link; its access log and error log must not hold a single token. A password-reset request made to it is
carried out after the response, and without a mail server the log names the message, never its address or link."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from app import create_app
from app.core.extensions import db
from app.models import AccountToken, Role, User

ROOT = Path(__file__).resolve().parents[2]
PUBLIC_HOST = "concerto.example.org"
TOKENS = {
    "/r/": "Resume-token_AAAAAAAAAAAAAAAAAAAA",
    "/i/": "Invitation-token_BBBBBBBBBBBBBBBBBB",
    "/password/reset/": "Reset-token_CCCCCCCCCCCCCCCCCCCCC",
    "/account/invitation/": "Account-token_DDDDDDDDDDDDDDDDDDD",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _open(url: str, *, host: str = PUBLIC_HOST, data: bytes | None = None, headers: dict | None = None):
    request = urllib.request.Request(url, data=data, headers={"Host": host, **(headers or {})})  # noqa: S310
    try:
        return urllib.request.urlopen(request, timeout=30)  # noqa: S310 - a local server
    except urllib.error.HTTPError as error:
        return error


def _request(url: str, *, host: str = PUBLIC_HOST, data: bytes | None = None, referer: str | None = None) -> int:
    with _open(url, host=host, data=data, headers={"Referer": referer} if referer else None) as response:
        return response.status


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None


def _ask_for_a_reset_link(base: str, email: str) -> int:
    with _open(f"{base}/password/forgot") as page:
        html = page.read().decode()
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    body = urllib.parse.urlencode({"email": email, "csrf_token": token}).encode()
    request = urllib.request.Request(  # noqa: S310 - a local server
        f"{base}/password/forgot", data=body, headers={"Host": PUBLIC_HOST, "Cookie": cookie}
    )
    try:
        with urllib.request.build_opener(_NoRedirect).open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code


def _reset_tokens(schema_app) -> int:
    with schema_app.app_context():
        count = db.session.query(AccountToken).count()
        db.session.remove()
        return count


def _wait_until_up(base: str, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError("gunicorn stopped")
        try:
            if _request(f"{base}/healthz") == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("gunicorn did not answer in time")


@pytest.mark.committed  # db.session must reach the server's database file, not the test's transaction
def test_gunicorn_logs_hold_no_token(tmp_path):
    database = f"sqlite:///{tmp_path / 'live.db'}"
    schema_app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database})
    with schema_app.app_context():
        db.create_all()
        db.session.add(User(email="oubli@example.org", name="Oubli", role=Role.PARTNER))
        db.session.commit()
        db.session.remove()
    port = _free_port()
    access_log, error_log = tmp_path / "access.log", tmp_path / "error.log"
    env = {
        **os.environ,
        "CONCERTO_CONFIG": "production",
        "SECRET_KEY": "k" * 48,
        "DATABASE_URL": database,
        "PUBLIC_URL": f"https://{PUBLIC_HOST}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": str(access_log),
    }
    env.pop("TEST_DATABASE_URL", None)
    with open(error_log, "w") as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"],
            cwd=ROOT,
            env=env,
            stdout=errors,
            stderr=subprocess.STDOUT,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            _wait_until_up(base, process, time.monotonic() + 120)
            for prefix, token in TOKENS.items():
                assert _request(f"{base}{prefix}{token}") in {200, 302, 404, 410}
                assert _request(f"{base}{prefix}{token}?lang=en", host="evil.example") == 400
            # A POST without its CSRF token, to a link that does not exist: refused, and logged without the token.
            assert _request(f"{base}/i/{TOKENS['/i/']}", data=b"start_key=x") in {400, 404}
            resume_page = f"https://{PUBLIC_HOST}/r/{TOKENS['/r/']}"
            assert _request(f"{base}/static/css/concerto.css", referer=resume_page) == 200
            assert _ask_for_a_reset_link(base, "oubli@example.org") == 302
            deadline = time.monotonic() + 30
            while _reset_tokens(schema_app) == 0 and time.monotonic() < deadline:
                time.sleep(0.2)
            assert _reset_tokens(schema_app) == 1
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=60)
    with schema_app.app_context():
        db.engine.dispose()
    access, errors_written = access_log.read_text(), error_log.read_text()
    assert access.count("[redacted]") >= 9, access
    for token in TOKENS.values():
        assert token not in access + errors_written
    assert "was not sent" in errors_written  # the reset e-mail, by subject only
    assert "oubli@example.org" not in errors_written and "/password/reset/" not in errors_written
