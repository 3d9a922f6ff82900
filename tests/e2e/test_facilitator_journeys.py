"""Issue 8 journeys 4 and 5, through the real pages only (labels and roles, no database writes):

4. a facilitator builds a small survey with a display condition, opens it, answers it once, moderates its free
   text (redacts a phone number), groups the item under a theme and drafts an orientation with that evidence;
5. two partners comment on the orientation; the facilitator puts it to the vote in a new ballot and opens it;
   the partners vote (one changes their vote), the facilitator closes the ballot and publishes the results,
   and a partner checks their receipt on the published list.

Comments are only taken while an orientation is in review, and only an orientation ready for the vote can
become an option of a ballot: so the ballot is opened after the partners have commented, at the start of
journey 5. Journey 5 continues from what journey 4 built (same live server, same module).

axe-core checks every page the journeys visit in French as they go, then again in English at the end of each
journey (the same addresses, revisited after switching the language).
"""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.extensions import db
from app.models import ModerationItem
from tests.e2e.conftest import assert_accessible, screenshot, sign_in, switch_language

pytestmark = pytest.mark.e2e

SURVEY_TITLE = "Transport et activités familiales"
PHONE = "819-555-0199"
FREE_TEXT = f"Oui, un minibus le samedi matin vers la bibliothèque. Appelez-moi au {PHONE}."
ORIENTATION = "Offrir du transport vers les activités familiales"
THEME = "Transport vers les activités"

#: What journey 4 built, for journey 5 (the module's tests run in order, on the same live server).
built: dict = {}


class Visits:
    """Pages visited in French (checked by axe at once), to check again in English at the end."""

    def __init__(self, page, live_server, *, active: bool = True) -> None:
        self.page, self.base_url, self.app, self.urls = page, live_server.url, live_server.app, []
        self.active = active  # off while a page already checked is visited again in the same state

    def check(self) -> None:
        if not self.active:
            return
        assert_accessible(self.page)
        if self.page.url not in self.urls:
            self.urls.append(self.page.url)

    def check_in_english(self) -> None:
        switch_language(self.page, "English")
        expect(self.page.locator("html")).to_have_attribute("lang", "en")
        for url in self.urls:
            self.page.goto(url)
            assert_accessible(self.page)
        switch_language(self.page, "Français")


def menu(page, name: str) -> None:
    page.get_by_role("navigation", name="Menu principal").get_by_role("link", name=name, exact=True).click()


def _build_survey(page, visits: Visits) -> str:
    menu(page, "Questionnaires")
    visits.check()
    page.get_by_role("link", name="Créer un questionnaire").click()
    visits.check()
    page.get_by_label("Démarche").select_option(label="Planification stratégique concertée 2024-2028")
    page.get_by_label("Un questionnaire vide").check()
    page.get_by_label("Titre (français)").fill(SURVEY_TITLE)
    page.get_by_label("Titre (anglais)").fill("Transport and family activities")
    page.get_by_role("button", name="Créer le questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SURVEY_TITLE)
    visits.check()

    # A yes/no question, then a free text shown only when the answer is yes (a display condition).
    page.get_by_role("link", name="Ajouter une question à cette page").click()
    visits.check()
    page.get_by_label("Oui / non").check()
    page.get_by_role("button", name="Continuer").click()
    visits.check()
    page.get_by_label("Code", exact=True).fill("transport")
    page.get_by_label("Question (français)").fill("Le transport vous empêche-t-il d’aller aux activités?")
    page.get_by_label("Question (anglais)").fill("Does transport keep you from going to activities?")
    page.get_by_label("Une réponse est obligatoire").check()
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("transport")

    page.get_by_role("link", name="Ajouter une question à cette page").click()
    page.get_by_label("Texte long").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Code", exact=True).fill("idee")
    page.get_by_label("Question (français)").fill("Qu’est-ce qui vous aiderait?")
    page.get_by_label("Question (anglais)").fill("What would help you?")
    page.get_by_label("Condition d’affichage").fill("${transport} = 'yes'")
    page.get_by_label("Question ouverte : le texte passe par la file de modération").check()
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.get_by_text("${transport} = 'yes'")).to_be_visible()
    visits.check()

    page.get_by_role("button", name="Ouvrir le questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ouvert")
    visits.check()
    return page.locator(".survey-summary a").get_attribute("href")


def test_journey_4_a_facilitator_builds_a_survey_moderates_and_drafts_an_orientation(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "facilitator")
    visits = Visits(page, live_server)
    survey_path = _build_survey(page, visits)

    # A respondent, in a browser of their own, sees the free text only after answering yes.
    respondent = new_page(phone=True)
    respondent.goto(live_server.url + survey_path)
    assert_accessible(respondent)
    switch_language(respondent, "English")
    assert_accessible(respondent)
    switch_language(respondent, "Français")
    respondent.get_by_role("button", name="Commencer").click()
    idea = respondent.get_by_label("Qu’est-ce qui vous aiderait?")
    expect(idea).to_be_hidden()
    respondent.get_by_label("Oui", exact=True).check()
    expect(idea).to_be_visible()
    idea.fill(FREE_TEXT)
    assert_accessible(respondent)
    switch_language(respondent, "English")  # the answers so far are kept
    expect(respondent.get_by_label("What would help you?")).to_have_value(FREE_TEXT)
    assert_accessible(respondent)
    switch_language(respondent, "Français")
    respondent.get_by_role("button", name="Envoyer mes réponses").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Merci!")
    assert_accessible(respondent)
    switch_language(respondent, "English")
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Thank you!")
    assert_accessible(respondent)

    item_id = _moderate(page, visits)
    orientation_id = _draft_orientation(page, visits, item_id)
    visits.check_in_english()
    built.update(survey_path=survey_path, item_id=item_id, orientation_id=orientation_id)


def _moderate(page, visits: Visits) -> int:
    menu(page, "Modération")
    visits.check()
    page.get_by_role("link", name="Éléments en attente d’une décision").click()
    row = page.locator("tr.queue-row", has_text="minibus")
    expect(row).to_contain_text(PHONE)  # facilitators read the original text
    expect(row.locator(".badge.flag")).to_have_text("Renseignements personnels détectés")
    visits.check()
    screenshot(page, "moderation-queue-desktop-fr")
    row.locator("a.queue-link").click()
    item_id = int(re.search(r"/moderation/items/(\d+)$", page.url).group(1))
    expect(page.locator(".item-text.original mark")).to_contain_text(PHONE)
    visits.check()

    page.get_by_role("button", name="Caviarder tous les renseignements détectés").click()
    shown = page.locator(".item-text.redacted")
    expect(shown).to_contain_text("un minibus le samedi matin")
    expect(shown).not_to_contain_text(PHONE)
    expect(shown).not_to_contain_text("0199")
    page.get_by_role("button", name="Approuver", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Approuvé")
    visits.check()
    with visits.app.app_context():
        text = db.session.execute(sa.select(ModerationItem.redacted_text).filter_by(id=item_id)).scalar_one()
    assert PHONE not in text and "minibus" in text

    # Group: a new theme, then the item tagged with it.
    menu(page, "Modération")
    page.get_by_role("link", name="Thèmes").first.click()
    visits.check()
    page.get_by_label("Nom (français)").fill(THEME)
    page.get_by_label("Nom (anglais)").fill("Transport to activities")
    page.get_by_role("button", name="Enregistrer le thème").click()
    expect(page.get_by_role("row", name=re.compile(THEME))).to_be_visible()
    page.goto(f"{visits.base_url}/moderation/items/{item_id}")
    page.get_by_label("Ajouter le thème").select_option(label=THEME)
    page.get_by_role("button", name="Étiqueter").click()
    expect(page.locator("#themes-title + ul")).to_contain_text(THEME)
    return item_id


def _draft_orientation(page, visits: Visits, item_id: int) -> int:
    menu(page, "Modération")
    page.get_by_role("link", name="Thèmes").first.click()
    theme_row = page.get_by_role("row", name=re.compile(THEME))
    expect(theme_row.locator("td.num")).to_have_text("1")
    theme_row.get_by_role("link", name="Rédiger une orientation").click()
    visits.check()
    page.get_by_label("Titre (français)").fill(ORIENTATION)
    page.get_by_label("Titre (anglais)").fill("Offer transport to family activities")
    page.get_by_label("Énoncé (français)").fill("Un minibus relie les villages aux activités du samedi.")
    page.get_by_role("button", name="Enregistrer l’orientation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(ORIENTATION)
    evidence = page.get_by_role("table", name="Éléments de preuve")
    expect(evidence.locator("tbody tr")).to_have_count(1)
    expect(evidence).to_contain_text("un minibus le samedi matin")
    expect(evidence).not_to_contain_text(PHONE)
    page.get_by_label("Passer à").select_option(label="En révision")
    page.get_by_role("button", name="Changer l’état").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("En révision")
    visits.check()
    return int(re.search(r"/moderation/orientations/(\d+)$", page.url).group(1))


BALLOT = "Priorité pour le transport des familles"
STATUS_QUO = "Garder l’offre actuelle"
CARPOOL = "Covoiturage organisé par les écoles"
PROCESS_PATH = "/p/planification-2024-2028"
CHLOE, SAMUEL = "partenaire1@demo.concerto.quebec", "partenaire2@demo.concerto.quebec"


def _comment(page, visits: Visits, text: str) -> None:
    page.goto(visits.base_url + PROCESS_PATH)
    visits.check()
    page.get_by_role("link", name="Projets d’orientations stratégiques").click()
    visits.check()
    page.get_by_role("link", name=ORIENTATION).click()
    quotes = page.locator("ul.quotes")
    expect(quotes).to_contain_text("un minibus le samedi matin")
    expect(quotes).not_to_contain_text(PHONE)  # partners only ever see the redacted text
    page.get_by_label("Votre commentaire").fill(text)
    page.get_by_role("button", name="Envoyer le commentaire").click()
    expect(page.get_by_text("Merci. Votre commentaire sera lu par une personne animatrice")).to_be_visible()
    visits.check()


def _vote(page, visits: Visits, *approved: str) -> str:
    menu(page, "Votes")
    page.get_by_role("link", name=BALLOT).click()
    for label in (ORIENTATION, STATUS_QUO, CARPOOL):
        box = page.get_by_role("checkbox", name=label)
        box.set_checked(label in approved)
    visits.check()
    page.get_by_role("button", name="Voter", exact=True).click()
    receipt = page.locator(".receipt")
    expect(receipt).to_contain_text("Votre vote est enregistré.")
    visits.check()
    return receipt.locator(".receipt-code").inner_text()


def _put_to_the_vote(page, visits: Visits, orientation_id: int) -> None:
    page.goto(f"{visits.base_url}/moderation/orientations/{orientation_id}")
    page.get_by_label("Passer à").select_option(label="Prête pour le vote")
    page.get_by_role("button", name="Changer l’état").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Prête pour le vote")

    menu(page, "Gestion des votes")
    visits.check()
    page.get_by_role("link", name="Planification stratégique concertée 2024-2028").click()
    visits.check()
    page.get_by_role("link", name="Nouveau scrutin").click()
    visits.check()
    page.get_by_label("Question (français)").fill(BALLOT)
    page.get_by_label("Question (anglais)").fill("Priority for family transport")
    page.get_by_label("Libellé (français)").nth(0).fill(STATUS_QUO)
    page.get_by_label("Libellé (anglais)").nth(0).fill("Keep the current offer")
    page.get_by_label("Libellé (français)").nth(1).fill(CARPOOL)
    page.get_by_label("Libellé (anglais)").nth(1).fill("Carpooling organized by the schools")
    page.get_by_label("Approbation (approuver les options que vous appuyez)").check()
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Scrutin enregistré.")).to_be_visible()
    visits.check()

    page.goto(f"{visits.base_url}/moderation/orientations/{orientation_id}")
    page.get_by_label("Mettre au vote dans le scrutin en préparation").select_option(label=BALLOT)
    page.get_by_role("button", name="Ajouter comme option").click()
    expect(page.get_by_text("L’orientation est maintenant une option du scrutin.")).to_be_visible()
    visits.check()
    page.get_by_role("link", name=BALLOT).click()
    expect(page.locator(".details ol li")).to_have_text([STATUS_QUO, CARPOOL, ORIENTATION])
    page.get_by_role("button", name="Ouvrir le vote").click()
    expect(page.get_by_text("Ouvert", exact=True).first).to_be_visible()
    visits.check()


def percent(value: int) -> re.Pattern:
    return re.compile(rf"^{value}\s?%$")  # French puts a (narrow) no-break space before %


def answer(option: str, value: str) -> re.Pattern:
    return re.compile(rf"^{re.escape(option)}\s?:\s{value}$")


def _stat(page, name: str):
    return page.locator(".stats div", has=page.locator("dt", has_text=name)).locator("dd")


def test_journey_5_partners_comment_and_vote_and_check_their_receipt(new_page, live_server):
    assert built, "journey 4 drafts the orientation this journey puts to the vote: run the whole module"
    facilitator, chloe, samuel = new_page(), new_page(), new_page(phone=True)
    sign_in(facilitator, live_server, "facilitator")
    sign_in(chloe, live_server, CHLOE)
    sign_in(samuel, live_server, SAMUEL)
    staff, partner, phone = Visits(facilitator, live_server), Visits(chloe, live_server), Visits(samuel, live_server)

    _comment(chloe, partner, "Pensez aussi aux familles de Compton et de Waterville.")
    menu(chloe, "Votes")
    partner.check()
    phone.active = False  # the same pages as Chloé's: checked once is enough
    _comment(samuel, phone, "La Ville pourrait prêter un autobus le samedi.")

    # The two comments wait for the facilitator in the moderation queue.
    menu(facilitator, "Modération")
    facilitator.get_by_role("link", name="Éléments en attente d’une décision").click()
    comments = facilitator.locator("tr.queue-row", has_text="Commentaire sur une orientation")
    expect(comments).to_have_count(2)
    _put_to_the_vote(facilitator, staff, built["orientation_id"])

    # Chloé approves two options, then changes her mind: only her last vote counts.
    first = _vote(chloe, partner, ORIENTATION, CARPOOL)
    expect(chloe.locator(".notice")).to_have_count(0)
    chloe.reload()
    expect(chloe.get_by_text("Vous avez déjà voté")).to_be_visible()
    partner.active = False
    second = _vote(chloe, partner, ORIENTATION)
    partner.active = True
    assert second != first
    phone.active = True  # the ballot on a phone
    third = _vote(samuel, phone, ORIENTATION, STATUS_QUO)
    screenshot(samuel, "vote-receipt-phone-fr")

    menu(facilitator, "Gestion des votes")
    facilitator.get_by_role("link", name="Planification stratégique concertée 2024-2028").click()
    facilitator.get_by_role("link", name=BALLOT).click()
    expect(_stat(facilitator, "Bulletins comptés")).to_have_text("2")
    expect(_stat(facilitator, "Personnes ayant voté en ligne")).to_have_text("2")
    facilitator.get_by_role("button", name="Fermer le vote maintenant").click()
    facilitator.get_by_role("button", name="Publier les résultats").click()
    expect(facilitator.get_by_text("Résultats publiés").first).to_be_visible()
    staff.check()
    facilitator.get_by_role("link", name="Résultats", exact=True).click()
    rows = facilitator.locator("table.results-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text(ORIENTATION)
    expect(rows.nth(0).locator("td.num")).to_have_text(["2", percent(100)])
    expect(rows.nth(1)).to_contain_text(STATUS_QUO)
    expect(rows.nth(1).locator("td.num")).to_have_text(["1", percent(50)])
    expect(rows.nth(2)).to_contain_text(CARPOOL)  # Chloé's first vote approved it: her second replaced it
    expect(rows.nth(2).locator("td.num")).to_have_text(["0", percent(0)])
    expect(_stat(facilitator, "Bulletins comptés")).to_have_text("2")
    expect(_stat(facilitator, "Personnes ayant voté en ligne")).to_have_text("2 sur 2")
    staff.check()
    screenshot(facilitator, "vote-results-desktop-fr")

    # Chloé checks her receipt on the published list: her last code is there as cast, her first one is gone.
    menu(chloe, "Votes")
    chloe.get_by_role("link", name=BALLOT).click()
    chloe.get_by_role("link", name="Résultats", exact=True).click()
    expect(chloe.locator("table.results-table tbody tr").nth(0).locator("td.num")).to_have_text(["2", percent(100)])
    partner.check()
    chloe.go_back()
    chloe.get_by_role("link", name="Bulletins comptés et vérification du reçu").click()
    expect(chloe.locator("table.receipts tbody tr")).to_have_count(2)
    expect(chloe.locator("table.receipts tbody th")).to_have_text(sorted([second, third]))
    partner.check()
    chloe.get_by_label("Code de reçu").fill(second)
    chloe.get_by_role("button", name="Vérifier mon bulletin").click()
    verdict = chloe.locator(".receipt[role=status]")
    expect(verdict).to_contain_text(f"Votre bulletin {second} a été compté tel que vous l’avez rempli")
    expect(verdict.locator("li")).to_have_text(
        [answer(STATUS_QUO, "Non"), answer(CARPOOL, "Non"), answer(ORIENTATION, "Oui")]
    )
    partner.check()
    chloe.get_by_label("Code de reçu").fill(first)
    chloe.get_by_role("button", name="Vérifier mon bulletin").click()
    expect(chloe.get_by_text(f"Aucun bulletin compté ne porte le code {first}.")).to_be_visible()

    menu(samuel, "Votes")
    samuel.get_by_role("link", name=BALLOT).click()
    samuel.get_by_role("link", name="Résultats", exact=True).click()
    # On a phone the results table scrolls sideways: its box takes the keyboard focus, named by the caption.
    scroller = samuel.locator(".table-scroll", has=samuel.locator("table.results-table"))
    expect(scroller).to_have_attribute("tabindex", "0")
    expect(scroller).to_have_attribute("aria-label", "Classement des options. « = » signale une égalité.")
    phone.check()
    screenshot(samuel, "vote-results-phone-fr")

    staff.check_in_english()
    partner.check_in_english()
    phone.check_in_english()
