"""Real-browser journeys: the app served on a free local port with its own SQLite database seeded with the demo,
driven by Playwright in Debian's Chromium (never a downloaded browser), with axe-core accessibility checks."""

import os
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from app import create_app
from app.core.extensions import db
from app.devdata.demo import seed_demo
from app.web.i18n import local_today

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The committed pictures are refreshed only on request (`CONCERTO_SCREENSHOTS=1 make test-e2e`); other runs still take
# them, into a temporary folder, so a plain test run leaves the work tree clean.
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}


def pytest_collection_modifyitems(items):
    # A browser that moves on while a static file is still streaming drops the connection; the live server's
    # thread then lets go of the open file, and the ResourceWarning it raises is noise, not a failure of the app.
    for item in items:
        if item.path.parent == Path(__file__).parent:
            item.add_marker(pytest.mark.filterwarnings("ignore::ResourceWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"))


@pytest.fixture(autouse=True)
def _transaction():
    """Overrides the per-test database transaction: the live server has its own database."""
    yield


@dataclass
class LiveServer:
    url: str
    app: object
    logins: dict[str, tuple[str, str]]  # role -> (email, password)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    database = tmp_path_factory.mktemp("e2e") / "e2e.db"
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "RATELIMIT_ENABLED": False, "WTF_CSRF_TIME_LIMIT": None},
    )
    with app.app_context():
        db.create_all()
        report = seed_demo(local_today())
        db.session.commit()
    logins = {}
    for role, email, password in report.new_logins:
        logins.setdefault(role, (email, password))
        logins.setdefault(email, (email, password))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    app.config["PUBLIC_URL"] = url  # the links the pages show (resume links) lead back to this server
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url, app, logins)
    server.shutdown()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; make test-e2e does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def new_page(browser):
    """A factory of pages in fresh browser contexts (French first): ``new_page(phone=True, javascript=False)``."""
    contexts = []

    def make(*, phone: bool = False, javascript: bool = True, locale: str = "fr-CA"):
        context = browser.new_context(locale=locale, java_script_enabled=javascript, **(PHONE if phone else DESKTOP))
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


_axe = Axe()


def assert_accessible(page) -> None:
    """axe-core on the current page: no violation of WCAG 2.1 A/AA rules."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def screenshot(page, name: str, *, full_page: bool = False) -> None:
    """What the person sees (the viewport), unless ``full_page``: small pictures for the README."""
    folder = DOCS_SCREENSHOTS
    if not os.environ.get("CONCERTO_SCREENSHOTS"):
        folder = Path(tempfile.gettempdir()) / "concerto-shots"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)


def sign_in(page, live_server: LiveServer, who: str) -> None:
    email, password = live_server.logins[who]
    page.goto(f"{live_server.url}/login")
    page.get_by_label("Adresse courriel").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()


def switch_language(page, language: str) -> None:
    page.get_by_role("button", name=language).click()
