"""Shared fixtures: one app per session, a rolled-back transaction per test, factories and sign-in helpers.

The database is SQLite (a temporary file) unless TEST_DATABASE_URL names another, e.g. PostgreSQL.
"""

import os
import re
import tempfile
import uuid
from collections.abc import Callable
from email.message import EmailMessage
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_sqlalchemy.session import Session as FlaskSession

from app import create_app
from app.core.extensions import db, limiter
from app.models import (
    Choice,
    ChoiceKind,
    Organization,
    Phase,
    PhaseKind,
    Process,
    ProcessStatus,
    Question,
    QuestionType,
    Role,
    Sector,
    Survey,
    SurveyPage,
    SurveyStatus,
    Territory,
    User,
)
from tests.allowed_skips import is_allowed
from tests.support.clients import IsolatedClient, finish_responses, forget_responses

DEFAULT_PASSWORD = "correct horse battery staple"
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


# --- CI runs every test it has ------------------------------------------------------------------------------
# In CI (CI=true; .ci/run exports it) a skipped test fails, unless tests/allowed_skips.py lists its reason.

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
SKIP_POLICY = "CI runs every test: remove what makes it skip, or list its reason in tests/allowed_skips.py"


def _skip_message(report) -> str:
    longrepr = report.longrepr
    message = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)
    return message.removeprefix("Skipped: ")


def _refused_skip(report) -> str | None:
    """The message of a skip that CI does not accept, else None."""
    if not IN_CI or not report.skipped or hasattr(report, "wasxfail"):
        return None
    message = _skip_message(report)
    return None if is_allowed(report.nodeid, message) else message


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A test skipped in CI for a reason not listed becomes a failure (in the process that ran it, xdist or not)."""
    report = yield
    message = _refused_skip(report)
    if message is not None:
        report.outcome = "failed"
        report.longrepr = f"skipped in CI ({message}): {SKIP_POLICY}"
    return report


_refused_collection_skips: list[str] = []


def pytest_collectreport(report):
    """A whole file skipped while it was collected (``pytest.importorskip``, ``pytest.skip(allow_module_level=True)``).

    Recorded where the session is reported (xdist forwards the skips its workers collected), and it fails the run."""
    message = _refused_skip(report)
    if message is not None:
        _refused_collection_skips.append(f"{report.nodeid}: skipped in CI ({message})")


def pytest_terminal_summary(terminalreporter):
    if _refused_collection_skips:
        terminalreporter.section("skipped in CI", red=True)
        for line in _refused_collection_skips:
            terminalreporter.line(line)
        terminalreporter.line(SKIP_POLICY)


def pytest_sessionfinish(session):
    if (
        _refused_collection_skips
        and not hasattr(session.config, "workerinput")
        and session.exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.NO_TESTS_COLLECTED)
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def database_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        return _worker_database(url, worker) if worker else url
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='concerto-test-')) / 'test.db'}"


def _worker_database(url: str, worker: str) -> str:
    """Parallel test workers (pytest -n) each get their own PostgreSQL database, created on first use."""
    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name})
            if exists.first() is None:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture
def fresh_database(app, tmp_path):
    """A factory of brand-new, empty databases of the same kind as the test database (dropped afterwards)."""
    url = sa.engine.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    created: list[str] = []
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT") if url.get_backend_name() == "postgresql" else None

    def make() -> str:
        name = f"concerto_fresh_{uuid.uuid4().hex[:10]}"
        if admin is None:
            return f"sqlite:///{tmp_path / (name + '.db')}"
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return url.set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as connection:
            for name in created:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def is_postgres(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql")


class MailOutbox:
    """What was handed to the mail server (``smtplib.SMTP`` replaced by a recorder, ``MAIL_SERVER`` set)."""

    def __init__(self) -> None:
        self._sent: list[EmailMessage] = []
        self.events: list[str] = []

    def record(self, message: EmailMessage) -> None:
        self._sent.append(message)
        self.events.append("sent")

    @property
    def messages(self) -> list[EmailMessage]:
        finish_responses()
        return list(self._sent)

    def links(self, pattern: str = r"https?://\S+") -> list[str]:
        return [link for message in self.messages for link in re.findall(pattern, message.get_content())]


@pytest.fixture
def mail_outbox(app, monkeypatch) -> MailOutbox:
    outbox = MailOutbox()

    class RecordingSMTP:
        def __init__(self, host, port=0, timeout=None):
            self.host = host

        def __enter__(self):
            return self

        def __exit__(self, *_exc):
            return False

        def starttls(self):
            pass

        def login(self, _user, _password):
            pass

        def send_message(self, message):
            outbox.record(message)

        def quit(self):
            pass

    monkeypatch.setattr("smtplib.SMTP", RecordingSMTP)
    monkeypatch.setitem(app.config, "MAIL_SERVER", "smtp.example.test")
    return outbox


@pytest.fixture(scope="session")
def app():
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url()})
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


class BoundSession(FlaskSession):
    """Every query goes through the test's connection, inside its outer transaction."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        return self.bind


@pytest.fixture(autouse=True)
def _limiter_state():
    """Flask-Limiter keeps its storage and settings on the one ``limiter`` object, not per app: a test that creates
    another app (production config, a second server on Redis) would leave the suite's app counting its limits
    there. Put them back after each test."""
    saved = {name: value.copy() if isinstance(value, dict | list) else value for name, value in vars(limiter).items()}
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Each test runs in a transaction rolled back at the end; the app's commits become savepoints.

    Tests marked ``committed`` (real concurrency: several threads, several connections) commit for real
    instead, and every table is emptied after them. Tests marked ``postgres_only`` are skipped, with the
    reason shown, when the suite runs on SQLite; tests marked ``sqlite_only``, when it runs on PostgreSQL.
    """
    if request.node.get_closest_marker("postgres_only") and not is_postgres(app):
        pytest.skip("needs PostgreSQL: set TEST_DATABASE_URL (make test does in CI)")
    if request.node.get_closest_marker("sqlite_only") and is_postgres(app):
        pytest.skip("about SQLite: runs in the SQLite pass of make test")
    ctx = app.app_context()
    ctx.push()
    if request.node.get_closest_marker("committed"):
        limiter.reset()
        try:
            yield
        finally:
            forget_responses()
            db.session.remove()
            with db.engine.begin() as connection:
                for table in reversed(db.metadata.sorted_tables):
                    connection.execute(table.delete())
            ctx.pop()
        return
    connection = db.engine.connect()
    outer = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": BoundSession}
    )
    limiter.reset()
    try:
        yield
    finally:
        forget_responses()
        db.session.remove()
        db.session = original
        if outer.is_active:
            outer.rollback()
        connection.close()
        ctx.pop()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


@pytest.fixture
def csrf(client) -> Callable[[str], str]:
    """The CSRF token of the client's session, read from a page like a browser would."""

    def get(url: str = "/login") -> str:
        return csrf_token_from(client.get(url).get_data(as_text=True))

    return get


@pytest.fixture
def create_territory():
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, code: str | None = None, population_target: int | None = None) -> Territory:
        n = next(counter)
        territory = Territory(code=code or f"T{n}", name=name or f"Territoire {n}", population_target=population_target)
        db.session.add(territory)
        db.session.commit()
        return territory

    return make


@pytest.fixture
def create_organization(create_territory):
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, sector: Sector = Sector.COMMUNITY, territory: Territory | None = None):
        org = Organization(name=name or f"Organisme {next(counter)}", sector=sector, territory=territory)
        db.session.add(org)
        db.session.commit()
        return org

    return make


@pytest.fixture
def create_user():
    counter = iter(range(1, 10_000))

    def make(
        role: Role | str = Role.PARTNER,
        *,
        email: str | None = None,
        name: str | None = None,
        password: str | None = DEFAULT_PASSWORD,
        active: bool = True,
        organization: Organization | None = None,
        locale: str = "fr_CA",
    ) -> User:
        role = Role(role)
        n = next(counter)
        user = User(
            email=email or f"{role.value}{n}@example.org",
            name=name or f"{role.value.title()} {n}",
            role=role,
            organization=organization,
            locale=locale,
            active=active,
        )
        if password is not None:
            user.set_password(password)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def create_process(create_territory):
    counter = iter(range(1, 10_000))

    def make(
        status: ProcessStatus = ProcessStatus.ACTIVE,
        *,
        slug: str | None = None,
        phases: dict[PhaseKind, tuple] | None = None,
        territories: list[Territory] | None = None,
    ) -> Process:
        n = next(counter)
        process = Process(
            slug=slug or f"demarche-{n}",
            title_fr=f"Démarche {n}",
            title_en=f"Process {n}",
            purpose_fr="Définir ensemble nos priorités.",
            purpose_en="Set our priorities together.",
            status=status,
            territories=territories or [],
        )
        for kind, (starts_on, ends_on) in (phases or {}).items():
            process.phases.append(Phase(kind=kind, starts_on=starts_on, ends_on=ends_on))
        db.session.add(process)
        db.session.commit()
        return process

    return make


@pytest.fixture
def create_survey(create_process):
    """A survey from a compact spec, e.g.::

        create_survey(pages=[{"questions": [
            {"code": "age", "type": "single_choice", "required": True, "choices": ["0-2", "3-5"]},
            {"code": "why", "type": "long_text", "relevant": "${age} = '3-5'", "settings": {"open": True}},
        ]}])

    Choices and matrix rows are codes, or (code, label_fr, label_en) tuples.
    """
    counter = iter(range(1, 10_000))

    def make(pages: list[dict] | None = None, *, process: Process | None = None, **fields) -> Survey:
        n = next(counter)
        survey = Survey(
            process=process or create_process(),
            slug=fields.pop("slug", f"questionnaire-{n}"),
            title_fr=fields.pop("title_fr", f"Questionnaire {n}"),
            title_en=fields.pop("title_en", f"Survey {n}"),
            status=fields.pop("status", SurveyStatus.OPEN),
            **fields,
        )
        for page_position, page_spec in enumerate(pages or [{"questions": []}]):
            page_spec = dict(page_spec)
            question_specs = page_spec.pop("questions", [])
            page = SurveyPage(position=page_position, **page_spec)
            survey.pages.append(page)
            for position, spec in enumerate(question_specs):
                spec = dict(spec)
                choice_specs, row_specs = spec.pop("choices", []), spec.pop("rows", [])
                question = Question(
                    survey=survey,
                    position=position,
                    code=spec.pop("code"),
                    type=QuestionType(spec.pop("type")),
                    label_fr=spec.pop("label_fr", "Question"),
                    label_en=spec.pop("label_en", "Question"),
                    settings=spec.pop("settings", {}),
                    **spec,
                )
                for kind, specs in ((ChoiceKind.OPTION, choice_specs), (ChoiceKind.ROW, row_specs)):
                    for choice_position, choice in enumerate(specs):
                        code, label_fr, label_en = choice if isinstance(choice, tuple) else (choice, choice, choice)
                        question.all_choices.append(
                            Choice(kind=kind, position=choice_position, code=code, label_fr=label_fr, label_en=label_en)
                        )
                page.questions.append(question)
        db.session.add(survey)
        db.session.commit()
        return survey

    return make


class QueryCounter:
    """Counts the SQL statements the app runs, to catch N+1 queries (a page's count must not grow with data)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.statements: list[str] = []

    def _record(self, _conn, _cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    def __enter__(self) -> "QueryCounter":
        self.statements = []
        sa.event.listen(self.engine, "before_cursor_execute", self._record)
        return self

    def __exit__(self, *_exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._record)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app) -> Callable[[], QueryCounter]:
    """``with count_queries() as counted: client.get(url)`` then ``counted.count``."""
    return lambda: QueryCounter(db.engine)


class AuthActions:
    def __init__(self, client, create_user) -> None:
        self.client = client
        self.create_user = create_user

    def login(self, user_or_role: User | Role | str, password: str = DEFAULT_PASSWORD) -> User:
        user = user_or_role if isinstance(user_or_role, User) else self.create_user(Role(user_or_role))
        token = csrf_token_from(self.client.get("/login").get_data(as_text=True))
        response = self.client.post("/login", data={"email": user.email, "password": password, "csrf_token": token})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return user

    def logout(self) -> None:
        token = csrf_token_from(self.client.get("/").get_data(as_text=True))
        self.client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client, create_user) -> AuthActions:
    return AuthActions(client, create_user)


def count_rows(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
