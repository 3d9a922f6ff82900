"""The follow-up in a real browser (issue 18): the public "Vous avez dit… nous avons fait" page of the demo and its
English twin, on a desktop and at 320 px wide, and the facilitators' matrix of commitments with its XLSX download;
axe-core on each page. A partner declares a commitment on "Ma contribution"."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from app.devdata.demo import PROCESS_SLUG
from tests.e2e.conftest import assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e
NARROW = {"width": 320, "height": 800}


def _fits(page) -> None:
    """Nothing wider than the screen: only the tables scroll, inside their own box."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{page.url} is {overflow} px wider than the screen"


def test_the_public_follow_up_page_at_320_px_and_in_english(new_page, live_server):
    page = new_page()
    page.goto(f"{live_server.url}/p/{PROCESS_SLUG}/vous-avez-dit")
    expect(page.get_by_role("heading", level=1)).to_have_text("Vous avez dit… nous en avons fait")
    priority = page.get_by_role(
        "region", name="Soutenir l’éveil à la lecture et la littératie familiale dès la petite enfance"
    )
    expect(priority.get_by_role("heading", name="Trousses de lecture à la naissance")).to_be_visible()
    expect(priority.get_by_role("img", name="Trousses remises, en trousses")).to_be_visible()
    expect(priority.get_by_role("table", name="Valeurs de l’indicateur « Trousses remises »")).to_be_attached()
    expect(priority.get_by_text("Fondation pour la persévérance scolaire")).to_be_visible()
    expect(page.get_by_text("Deux conseillers d’orientation")).to_have_count(0)  # still in the moderation queue
    assert_accessible(page)
    screenshot(page, "follow-up-desktop-fr")

    page.set_viewport_size(NARROW)
    page.reload()
    _fits(page)
    assert_accessible(page)
    screenshot(page, "follow-up-320-fr")

    page.get_by_role("link", name="English version").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("You said… we did")
    expect(page.get_by_role("heading", name="Reading kits at birth")).to_be_visible()
    _fits(page)
    assert_accessible(page)


def test_the_matrix_of_commitments_and_its_download(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "facilitator")
    # The facilitators reach the matrix from the follow-up of the process (linked from its orientations).
    with live_server.app.app_context():
        from app.core.extensions import db
        from app.models import Process

        process_id = db.session.execute(db.select(Process.id).filter_by(slug=PROCESS_SLUG)).scalar_one()
    page.goto(f"{live_server.url}/moderation/processes/{process_id}/orientations")
    page.get_by_role("link", name="Suivi des priorités adoptées").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivi des priorités adoptées")
    assert_accessible(page)
    page.get_by_role("link", name="Matrice des engagements").first.click()
    table = page.get_by_role("table", name="Engagements par organisme et par priorité")
    expect(table).to_be_visible()
    row = table.get_by_role("row", name="Fondation pour la persévérance scolaire")
    expect(row).to_contain_text("Financement")
    expect(table.get_by_role("row", name="Cégep de Granby")).to_contain_text("en attente de modération")
    assert_accessible(page)
    screenshot(page, "commitments-matrix-desktop-fr")
    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger la matrice (XLSX)").click()
    # A download is saved without its extension, which openpyxl wants: read it through a buffer.
    sheet = openpyxl.load_workbook(io.BytesIO(info.value.path().read_bytes())).active
    names = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "Fondation pour la persévérance scolaire" in names

    page.set_viewport_size(NARROW)
    page.reload()
    _fits(page)
    assert_accessible(page)


def test_a_partner_declares_a_commitment(new_page, live_server):
    page = new_page(phone=True)
    sign_in(page, live_server, "partenaire2@demo.concerto.quebec")
    page.goto(f"{live_server.url}/p/{PROCESS_SLUG}")
    page.get_by_role("link", name="Ma contribution").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ma contribution")
    assert_accessible(page)
    page.get_by_label("Priorité").select_option(label="Favoriser la conciliation études-travail chez les jeunes")
    page.get_by_label("Type de contribution").select_option(label="Communication")
    page.get_by_label("Ce que votre organisme fera").fill("Une campagne d’affichage dans les autobus de la Ville.")
    page.get_by_label("Du", exact=True).fill("2026-09-01")
    page.get_by_label("Jusqu’au", exact=True).fill("2026-06-01")
    page.get_by_role("button", name="Enregistrer l’engagement").click()
    # The period ends before it starts: refused on its field, what was typed is still there.
    expect(page.get_by_role("alert")).to_contain_text("La date de fin ne peut pas précéder la date de début.")
    expect(page.get_by_label("Ce que votre organisme fera")).to_have_value(
        "Une campagne d’affichage dans les autobus de la Ville."
    )
    assert_accessible(page)
    page.get_by_label("Jusqu’au", exact=True).fill("2026-12-01")
    page.get_by_role("button", name="Enregistrer l’engagement").click()
    table = page.get_by_role("table", name="Engagements de Ville de Sherbrooke")
    expect(table.get_by_role("row", name="Favoriser la conciliation études-travail chez les jeunes")).to_contain_text(
        "En attente de modération"
    )
    assert_accessible(page)
