"""The real application in real processes: gunicorn and the ``flask`` command with a production environment, a
database of its own, and a browser-like HTTP client. Nothing here pushes an application context: the test process
reads the database through SQLAlchemy Core only."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

import httpx
import redis
import sqlalchemy as sa

from tests.conftest import csrf_token_from

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_URI = "redis://127.0.0.1:6379/15"
BOOT_TIMEOUT = 120.0  # seconds for gunicorn's workers to import the app on two busy cores
CLI_TIMEOUT = 300.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_answers(uri: str = REDIS_URI) -> bool:
    client = redis.Redis.from_url(uri, socket_connect_timeout=1, socket_timeout=1)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def delete_redis_keys(prefix: str, uri: str = REDIS_URI) -> None:
    client = redis.Redis.from_url(uri, socket_connect_timeout=1, socket_timeout=1)
    try:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
    except redis.RedisError:
        pass
    finally:
        client.close()


# ---------------------------------------------------------------------------------------------------- databases


@dataclass
class Database:
    """A database created for the live tier (PostgreSQL on TEST_DATABASE_URL's server, else an SQLite file),
    and the test process's own engine on it (Core reads only)."""

    url: str
    engine: sa.Engine
    _admin: sa.Engine | None = None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def name(self) -> str:
        return sa.make_url(self.url).database or ""

    def scalar(self, query, **params):
        with self.engine.connect() as connection:
            return connection.execute(sa.text(query) if isinstance(query, str) else query, params).scalar()

    def rows(self, query, **params) -> list:
        with self.engine.connect() as connection:
            return list(connection.execute(sa.text(query) if isinstance(query, str) else query, params))

    def count(self, table: str, where: str = "", **params) -> int:
        return self.scalar(f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else ""), **params)  # noqa: S608

    def terminate_connections(self) -> int:
        """Kill every server process connected to this database (the app's pooled connections included)."""
        assert self._admin is not None, "PostgreSQL only"
        with self._admin.connect() as connection:
            killed = connection.execute(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            ).scalar()
        self.engine.dispose()
        return killed

    def drop(self) -> None:
        self.engine.dispose()
        if self._admin is not None:
            with self._admin.connect() as connection:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            self._admin.dispose()


def create_database(folder: Path, label: str = "live", server: str | None = None) -> Database:
    """A brand-new empty database: on the PostgreSQL server of ``server`` (a URL of any database there), else of
    TEST_DATABASE_URL when it is set (dropped by :meth:`Database.drop`), otherwise an SQLite file in ``folder``."""
    base = server or os.environ.get("TEST_DATABASE_URL")
    if not base:
        url = f"sqlite:///{folder / f'concerto-{label}-{uuid.uuid4().hex[:8]}.db'}"
        return Database(url, sa.create_engine(url, poolclass=sa.pool.NullPool))
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
    name = f"concerto_{label}_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.make_url(base).set(database=name).render_as_string(hide_password=False)
    return Database(url, sa.create_engine(url, pool_pre_ping=True), admin)


# ---------------------------------------------------------------------------------------------------- processes


def production_env(database_url: str, *, ratelimit_uri: str, key_prefix: str, **extra: str) -> dict[str, str]:
    """What an operator sets for ``CONCERTO_CONFIG=production`` (README "Production"), over plain HTTP."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONCERTO_", "FLASK_", "GUNICORN_"))}
    env.pop("TEST_DATABASE_URL", None)
    env.update(
        {
            "CONCERTO_CONFIG": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "DATABASE_URL": database_url,
            "SESSION_COOKIE_SECURE": "false",
            "PREFERRED_URL_SCHEME": "http",
            # Commands build no request-bound links but production requires it; each server sets its own address.
            "PUBLIC_URL": "http://127.0.0.1",
            "RATELIMIT_STORAGE_URI": ratelimit_uri,
            "RATELIMIT_KEY_PREFIX": key_prefix,
            # A test signs in a dozen times a minute from one address; the limits themselves stay on.
            "LOGIN_RATE_LIMIT": "100/minute",
            "PYTHONPATH": str(ROOT),
            "PYTHONDONTWRITEBYTECODE": "1",
        }
    )
    env.update(extra)
    return env


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """``flask --app wsgi <args>`` in its own process, as an operator runs it."""
    return subprocess.run(
        [str(BIN / "flask"), "--app", "wsgi", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def flask_ok(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    done = flask(env, *args)
    assert done.returncode == 0, f"flask {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    return done


@dataclass
class Gunicorn:
    """``gunicorn --config gunicorn.conf.py wsgi:app`` on a free port, its output in ``log``."""

    env: dict[str, str]
    log: Path
    workers: int = 2
    threads: int = 2
    url: str = ""
    process: subprocess.Popen | None = None
    _log_handle: object = field(default=None, repr=False)

    def start(self) -> Gunicorn:
        return self.launch().wait_ready()

    def launch(self) -> Gunicorn:
        """Start the server without waiting for it (its workers import the app meanwhile)."""
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **self.env,
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_WORKERS": str(self.workers),
            "GUNICORN_THREADS": str(self.threads),
            "PUBLIC_URL": self.url,
        }
        self._log_handle = self.log.open("a", encoding="utf-8")
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--no-control-socket", "wsgi:app"],
            env=env,
            cwd=ROOT,
            stdout=self._log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as one by stop()
        )
        return self

    def wait_ready(self) -> Gunicorn:
        """Until a worker answers /healthz (any status: a failing dependency is for the tests to judge)."""
        deadline = time.monotonic() + BOOT_TIMEOUT
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                httpx.get(f"{self.url}/healthz", timeout=BOOT_TIMEOUT)
                return self
            except httpx.TransportError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not start:\n{self.log_text()[-4000:]}")

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Quick shutdown (SIGINT); after a few seconds the whole process group is killed (a test server has
        nothing left to write: every request committed before it answered)."""
        self.signal_stop()
        if self.process is not None:
            try:
                self.process.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if self._log_handle is not None:
            self._log_handle.close()
            self._log_handle = None

    def signal_stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)


# ------------------------------------------------------------------------------------------------------ browser

KEY = re.compile(r'name="submission_key" value="([^"]+)"')
START_KEY = re.compile(r'name="start_key" type="hidden" value="([^"]+)"')
PAGE_ACTION = re.compile(r'<form method="post" action="([^"]+)" class="survey-form"')
START_ACTION = re.compile(r'<form method="post" action="([^"]+)">\s*<input id="start_key"')
STATE = re.compile(r'name="state" value="([^"]+)"')
RESUME = re.compile(r'<a href="[^"]*(/r/[^"]+)">')


class Browser:
    """A browser without JavaScript over real HTTP: one cookie jar, follows redirects, reads each form's CSRF token
    (and a respondent page's hidden fields) from the page it got, like a person's browser would."""

    def __init__(self, base_url: str, language: str | None = None) -> None:
        headers = {"Accept-Language": language} if language else {}
        self.http = httpx.Client(base_url=base_url, follow_redirects=True, timeout=60.0, headers=headers)
        self.response: httpx.Response | None = None
        self.last_post: tuple[str, dict] | None = None

    @property
    def html(self) -> str:
        return self.response.text if self.response is not None else ""

    @property
    def path(self) -> str:
        return self.response.url.path

    def get(self, path: str, **kwargs) -> httpx.Response:
        self.response = self.http.get(path, **kwargs)
        return self.response

    def post(self, path: str, data: dict | list | None = None, *, token_from: str | None = None, **kwargs):
        """POST a form with the CSRF token of the current page (or of ``token_from``, fetched first)."""
        if token_from is not None:
            self.get(token_from)
        fields = _form_fields(data or {})
        fields.setdefault("csrf_token", [csrf_token_from(self.html)])
        self.last_post = (path, fields)
        self.response = self.http.post(path, data=fields, **kwargs)
        return self.response

    def replay(self) -> httpx.Response:
        """The last POST sent again, unchanged: a double click, or a reload after a network error."""
        path, fields = self.last_post
        self.response = self.http.post(path, data=fields)
        return self.response

    def sign_in(self, email: str, password: str) -> httpx.Response:
        return self.post("/login", {"email": email, "password": password}, token_from="/login")

    def sign_out(self) -> httpx.Response:
        return self.post("/logout", token_from="/")

    # Respondent pages
    def press_start(self) -> httpx.Response:
        action = unescape(START_ACTION.search(self.html).group(1))
        return self.post(action, {"start_key": START_KEY.search(self.html).group(1)})

    def send_page(self, answers: list[tuple[str, str]] | dict, action: str = "next") -> httpx.Response:
        data = [("submission_key", KEY.search(self.html).group(1)), ("action", action)]
        state = STATE.search(self.html)
        if state:
            data.append(("state", unescape(state.group(1))))
        pairs = list(answers.items()) if isinstance(answers, dict) else list(answers)
        return self.post(unescape(PAGE_ACTION.search(self.html).group(1)), data + pairs)

    @property
    def resume_path(self) -> str:
        return unescape(RESUME.search(self.html).group(1))

    def close(self) -> None:
        self.http.close()


def _form_fields(data: dict | list) -> dict[str, list[str]]:
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    fields: dict[str, list[str]] = {}
    for name, value in pairs:
        fields.setdefault(name, []).append(value)
    return fields
