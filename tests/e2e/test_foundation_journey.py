"""An administrator's first visit, in French then English, checked by axe-core on every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, screenshot, sign_in, switch_language

pytestmark = pytest.mark.e2e

ADMIN_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/organizations",
    "/admin/territories",
    "/admin/audit",
]


def test_public_pages_are_french_first_and_accessible(new_page, live_server):
    page = new_page(phone=True)
    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
    assert_accessible(page)
    page.get_by_role("link", name="Planification stratégique concertée 2024-2028").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Planification stratégique concertée 2024-2028")
    expect(page.locator('[aria-current="step"]')).to_contain_text("Consultation")
    assert_accessible(page)
    screenshot(page, "process-phone-fr")
    switch_language(page, "English")
    expect(page.get_by_role("heading", level=1)).to_have_text("Concerted Strategic Planning 2024-2028")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(page)
    page.goto(live_server.url + "/login")
    assert_accessible(page)


def test_admin_pages_in_both_languages(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "admin")
    expect(page.get_by_text(re.compile("Connecté en tant que"))).to_be_visible()
    for language in ("fr", "en"):
        if language == "en":
            switch_language(page, "English")
        for path in ADMIN_PAGES:
            page.goto(live_server.url + path)
            assert_accessible(page)
    page.goto(live_server.url + "/admin/users/invite")
    assert_accessible(page)
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.locator(".error-summary")).to_be_visible()
    assert_accessible(page)


def test_keyboard_user_reaches_the_content_with_the_skip_link(new_page, live_server):
    page = new_page()
    page.goto(live_server.url + "/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu principal")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Adresse courriel")).to_be_focused()


def test_the_accessibility_check_does_catch_violations(new_page):
    page = new_page()
    page.set_content('<html lang="fr"><body><main><img src="x.png"><input type="text"></main></body></html>')
    with pytest.raises(AssertionError, match="image-alt"):
        assert_accessible(page)
