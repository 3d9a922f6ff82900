"""Issue 8 journeys 1–3: a parent answers the parent-needs questionnaire on a phone, without JavaScript, and with
the keyboard only. axe-core checks every page they visit, in French and in English."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, screenshot

pytestmark = pytest.mark.e2e

SURVEY = "/s/besoins-parents-0-8"


def _next(page) -> None:
    page.locator("button.button.primary").click()


def test_a_parent_on_a_phone_answers_stops_resumes_in_english_and_submits(new_page, live_server):
    page = new_page(phone=True)
    page.goto(live_server.url + SURVEY)
    expect(page.locator("html")).to_have_attribute("lang", "fr-CA")
    assert_accessible(page)
    page.get_by_role("button", name="Commencer").click()
    expect(page).to_have_url(re.compile(r"/page/1$"))
    assert_accessible(page)

    # A required-field mistake: the error summary takes the focus and links to the field.
    _next(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert_accessible(page)
    summary.get_by_role("link").first.click()
    expect(page.locator('[name="q_territoire"]')).to_be_focused()

    page.locator('[name="q_territoire"]').select_option(label="Sherbrooke")
    page.locator('[name="q_nb_enfants"]').fill("2")
    garde = page.locator('[data-question="garde"]')
    expect(garde).to_be_hidden()
    page.locator('input[name="q_ages"][value="2-3"]').check()  # the display condition shows "garde" at once
    expect(garde).to_be_visible()
    page.locator('input[name="q_garde"][value="cpe"]').check()
    _next(page)
    expect(page).to_have_url(re.compile(r"/page/2$"))
    assert_accessible(page)

    page.locator('input[name="q_aides"][value="information"]').check()
    page.locator('input[name="q_soutien"]').first.check()
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "survey-phone-fr")
    page.get_by_role("button", name="Enregistrer et continuer plus tard").click()
    resume_link = page.locator(".resume-link a").get_attribute("href")
    expect(page.locator(".resume-link a")).to_have_text("Mon lien pour continuer")  # not a string of characters
    assert re.search(r"/r/[\w-]{20,}$", resume_link)
    assert_accessible(page)

    # Later, in another browser: the resume link brings the parent back where they stopped, answers kept.
    later = new_page(phone=True)
    later.goto(resume_link)
    expect(later).to_have_url(re.compile(r"/page/\d$"))
    later.get_by_role("button", name="English").click()
    expect(later.locator("html")).to_have_attribute("lang", "en")
    assert_accessible(later)
    if later.url.endswith("/page/1"):
        _next(later)
    expect(later.locator('input[name="q_aides"][value="information"]')).to_be_checked()
    _next(later)
    expect(later).to_have_url(re.compile(r"/page/3$"))
    later.locator('input[name="q_obstacles"][value="transport"]').check()
    expect(later.locator('[data-question="transport_details"]')).to_be_visible()
    later.locator('[name="q_transport_details"]').fill("Pas d’autobus le samedi.")
    assert_accessible(later)
    _next(later)
    expect(later).to_have_url(re.compile(r"/page/4$"))
    assert_accessible(later)
    _next(later)
    expect(later).to_have_url(re.compile(r"/thanks$"))
    expect(later.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(later)


def _answer_required_questions(page) -> None:
    page.locator('[name="q_territoire"]').select_option(label="Coaticook")
    page.locator('[name="q_nb_enfants"]').fill("1")
    page.locator('input[name="q_ages"][value="6-8"]').check()
    _next(page)
    page.locator('input[name="q_aides"][value="activites"]').check()
    page.locator('input[name="q_soutien"]').last.check()
    _next(page)
    _next(page)
    _next(page)


def test_the_survey_can_be_completed_without_javascript(new_page, live_server):
    page = new_page(phone=True, javascript=False)
    page.goto(live_server.url + SURVEY)
    page.get_by_role("button", name="Commencer").click()
    # axe needs JavaScript: these pages are checked by the journey above, with scripts on.
    _answer_required_questions(page)
    expect(page).to_have_url(re.compile(r"/thanks$"))


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has the focus; the focus must always be visible."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"focus not visible on {selector}"
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_survey_can_be_completed_with_the_keyboard_only(new_page, live_server):
    page = new_page()
    page.goto(live_server.url + SURVEY)
    _tab_to(page, "button")
    while page.evaluate("document.activeElement.textContent.trim()") != "Commencer":
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/page/1$"))

    _tab_to(page, '[name="q_territoire"]')
    page.keyboard.press("ArrowDown")
    _tab_to(page, '[name="q_nb_enfants"]')
    page.keyboard.type("3")
    _tab_to(page, 'input[name="q_ages"]')
    page.keyboard.press("Space")
    page.keyboard.press("Enter")  # Enter in the form sends the page
    expect(page).to_have_url(re.compile(r"/page/2$"))

    _tab_to(page, 'input[name="q_aides"]')
    page.keyboard.press("Space")
    _tab_to(page, 'input[name="q_soutien"]')
    page.keyboard.press("ArrowRight")  # arrows move within a radio group and select
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    _tab_to(page, "button.button.primary")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/page/3$"))
    _tab_to(page, "button.button.primary")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/page/4$"))
    _tab_to(page, "button.button.primary")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/thanks$"))
