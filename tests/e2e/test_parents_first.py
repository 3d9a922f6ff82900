"""Issue 16, "parents first": a plain start on a small phone, honest conditions without JavaScript, and pages that
announce what happened (voting errors and receipts) to screen readers."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.e2e

SURVEY = "/s/besoins-parents-0-8"
SMALL_PHONE = {"viewport": {"width": 320, "height": 640}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def small_phone(browser):
    contexts = []

    def make(*, javascript: bool = True, locale: str = "fr-CA"):
        context = browser.new_context(locale=locale, java_script_enabled=javascript, **SMALL_PHONE)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def test_the_start_button_is_on_the_first_screen_and_privacy_is_said_in_three_sentences(small_phone, live_server):
    page = small_phone()
    for language in ("fr", "en"):
        page.goto(live_server.url + SURVEY)
        if language == "en":
            page.get_by_role("button", name="English").click()
        start = page.locator("#start-button button, button#start-button").first
        expect(start).to_have_text("Commencer" if language == "fr" else "Start answering")
        box = start.bounding_box()
        assert box["y"] + box["height"] <= 640, box
        essentials = page.locator(".privacy-essentials")
        text = " ".join(essentials.inner_text().split())
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text) if s]
        assert len(sentences) == 3, sentences
        assert ("2 ans" if language == "fr" else "2 years") in text
        assert "730" not in page.content()
        notice = page.get_by_text("Pourquoi ces questions" if language == "fr" else "Why we ask")
        expect(notice).to_be_hidden()
        page.get_by_text("Lire l’avis complet" if language == "fr" else "Read the full notice").click()
        expect(notice).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        assert_accessible(page)


def test_without_javascript_a_same_page_condition_says_when_to_answer(small_phone, live_server):
    page = small_phone(javascript=False)
    page.goto(live_server.url + SURVEY)
    page.get_by_role("button", name="Commencer").click()
    expect(page).to_have_title(re.compile(r"^Page 1 de 4 · "))
    garde = page.locator('[data-question="garde"]')
    expect(garde).to_be_visible()  # no script hides it: it says when it applies
    expect(garde.locator(".condition-hint")).to_have_text(
        "Répondez seulement si vous avez choisi « Moins de 2 ans », « 2 ou 3 ans » ou « 4 ou 5 ans » "
        "à la question précédente."
    )
    expect(page.get_by_role("group", name=re.compile("service de garde"))).to_have_accessible_description(
        re.compile("^Répondez seulement si")
    )
    page.locator('[name="q_territoire"]').select_option(label="Coaticook")
    page.locator('[name="q_nb_enfants"]').fill("1")
    page.locator('input[name="q_ages"][value="6-8"]').check()
    page.locator('input[name="q_garde"][value="cpe"]').check()  # answered although it does not apply: dropped
    page.get_by_role("button", name="Suivant").click()
    expect(page).to_have_title(re.compile(r"^Page 2 de 4 · "))
    page.locator('input[name="q_aides"][value="activites"]').check()
    page.locator('input[name="q_soutien"]').last.check()
    page.get_by_role("button", name="Suivant").click()
    expect(page).to_have_title(re.compile(r"^Page 3 de 4 · "))
    transport = page.locator('[data-question="transport_details"] .condition-hint')
    expect(transport).to_have_text("Répondez seulement si vous avez choisi « Le transport » à la question précédente.")
    page.locator('input[name="q_obstacles"][value="aucun"]').check()
    page.get_by_role("button", name="Suivant").click()
    expect(page).to_have_title(re.compile(r"^Page 4 de 4 · "))
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page).to_have_url(re.compile(r"/thanks$"))


def test_a_vote_announces_a_refused_ballot_and_then_its_receipt(new_page, live_server):
    facilitator, partner = new_page(), new_page(phone=True)
    sign_in(facilitator, live_server, "facilitator")
    facilitator.goto(live_server.url + "/manage/ballots")
    facilitator.get_by_role("link", name="Planification stratégique concertée 2024-2028").click()
    facilitator.get_by_role("link", name="Priorités régionales 2024-2028").first.click()
    facilitator.get_by_role("button", name="Ouvrir le vote").click()
    expect(facilitator.get_by_role("heading", level=1)).to_contain_text("Priorités régionales 2024-2028")

    sign_in(partner, live_server, "partner")
    partner.goto(live_server.url + "/votes")
    partner.get_by_role("link", name="Priorités régionales 2024-2028").first.click()
    ranks = partner.locator("select[name^='rank-']")
    count = ranks.count()
    for index in range(count):
        ranks.nth(index).select_option("1")  # the same rank everywhere: refused
    partner.get_by_role("button", name="Voter", exact=True).click()
    expect(partner).to_have_title(re.compile(r"^Erreur : Priorités régionales 2024-2028"))
    expect(partner.locator(".error-summary")).to_be_focused()
    assert_accessible(partner)
    for index in range(count):
        ranks.nth(index).select_option(str(index + 1))
    partner.get_by_role("button", name="Voter", exact=True).click()
    expect(partner).to_have_title(re.compile(r"^Vote enregistré : Priorités régionales 2024-2028"))
    expect(partner.locator(".receipt")).to_be_focused()
    expect(partner.locator(".receipt")).to_contain_text("Votre vote est enregistré.")
    assert_accessible(partner)


def test_the_resume_link_can_be_copied_and_is_not_spelled_out(small_phone, live_server):
    page = small_phone()
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(live_server.url + SURVEY)
    page.get_by_role("button", name="Commencer").click()
    page.get_by_role("button", name="Enregistrer et continuer plus tard").click()
    expect(page).to_have_title(re.compile("^Vos réponses sont enregistrées"))
    link = page.get_by_role("link", name="Mon lien pour continuer")
    address = link.get_attribute("href")
    assert re.search(r"/r/[\w-]{20,}$", address)
    expect(page.locator(".raw-link")).to_have_text(address)  # there to write down, hidden from screen readers
    expect(page.locator(".raw-link")).to_have_attribute("aria-hidden", "true")
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.get_by_role("status")).to_have_text("Lien copié.")
    assert page.evaluate("navigator.clipboard.readText()") == address
    expect(page.get_by_label("Votre adresse courriel")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
