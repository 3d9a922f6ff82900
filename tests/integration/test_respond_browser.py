"""A real browser (Debian's chromium through Playwright) on a phone-sized screen: layout, live conditions, focus."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from tests.integration.test_respond import PARENT_PAGES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
    sync_playwright = None

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.committed,
    pytest.mark.skipif(
        sync_playwright is None or not shutil.which(CHROMIUM), reason="needs playwright and Debian's chromium"
    ),
]


@pytest.fixture
def live_url(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def browser_page():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser.new_page(viewport={"width": 320, "height": 640})
        finally:
            browser.close()


def test_a_parent_on_a_320_pixel_phone(live_url, browser_page, create_survey, create_process, create_territory):
    process = create_process(territories=[create_territory("Sherbrooke", "SHE")])
    create_survey(PARENT_PAGES, process=process, slug="telephone")
    page = browser_page
    page.goto(f"{live_url}/s/telephone")
    page.click("text=Commencer")
    page.wait_for_url("**/s/telephone/page/1")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    # The display condition runs live: "ages" appears once there are children.
    ages = "document.querySelector('[data-question=ages]').hidden"
    assert page.evaluate(ages) is True
    page.fill("#q_enfants", "2")
    assert page.evaluate(ages) is False

    # Enter in a text field sends the page ("next", not the language button); the error summary gets the focus.
    with page.expect_navigation():
        page.press("#q_enfants", "Enter")
    assert page.title().startswith("Erreur : Page 1 de 3")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320

    page.check("#q_ages\\:0")
    page.check("#q_territoire\\:0")
    with page.expect_navigation():
        page.click("button.button.primary")
    assert "Page 2 de 3" in page.content()
    # The matrix: one group per row, stacked on a phone, a grid with a header row on a wide screen.
    assert page.evaluate("getComputedStyle(document.querySelector('.matrix-head')).display") == "none"
    page.set_viewport_size({"width": 1024, "height": 800})
    assert page.evaluate("getComputedStyle(document.querySelector('.matrix-head')).display") == "grid"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
