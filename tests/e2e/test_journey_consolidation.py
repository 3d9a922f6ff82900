"""Issue 15, the facilitator's whole consolidation journey, through the real pages in Chromium (axe on every new
page): a new process (created at /manage/processes/new, a second phase added to its list, then made active so that
respondents and partners reach it) → a questionnaire whose display condition is written with the condition editor
→ four responses → moderation (a redaction by hand kept by "redact all detected") → a theme (its name cannot be
taken twice) → an orientation drafted from pending items (approved on save) → split (the new one gets its own
texts) and merge → a ballot built from the orientations ready for a vote → two partners vote, seeing what each
option rests on → results → the consultation report.

Everything after the process happens in that process; only the accounts (the facilitator, two partners of demo
organizations) come from the demo data of the shared live server.
"""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.core.extensions import db
from app.models import ModerationItem, Orientation, OrientationState
from app.web.i18n import local_today
from tests.e2e.conftest import screenshot, sign_in
from tests.e2e.test_facilitator_journeys import Visits, menu

pytestmark = pytest.mark.e2e

SURVEY = "Services aux familles de la MRC"
PROCESS, PROCESS_SLUG = "Concertation petite enfance du Granit 2027", "petite-enfance-granit-2027"
PHONE = "819-555-0142"
TEXTS = [
    f"Le trajet d’autobus scolaire de Rosalie dure une heure. Appelez au {PHONE}.",
    "Il faut plus d’autobus scolaires le matin.",
    "Il manque de places en garderie au village.",
    "La garderie subventionnée a une longue liste d’attente.",
]
FAMILIES, CHILDCARE, BUSES = "Services de proximité aux familles", "Places en garderie", "Autobus plus fréquents"
BALLOT = "Quelles orientations retenir pour les familles?"
CHLOE, SAMUEL = "partenaire1@demo.concerto.quebec", "partenaire2@demo.concerto.quebec"


def _db(live_server, query):
    with live_server.app.app_context():
        return db.session.execute(query).all()


def _orientation_id(live_server, title: str) -> int:
    rows = _db(
        live_server,
        sa.select(Orientation.id).where(Orientation.title_fr == title, Orientation.state != OrientationState.SET_ASIDE),
    )
    assert len(rows) == 1, rows
    return rows[0][0]


def _phase(page, index: int, names: tuple[str, str], days: tuple[int, int], kind: str, today: date) -> None:
    row = page.locator(f"fieldset#phases-{index}")
    row.get_by_label("Nom (français)").fill(names[0])
    row.get_by_label("Nom (anglais)").fill(names[1])
    row.get_by_label("Date de début").fill((today + timedelta(days=days[0])).isoformat())
    row.get_by_label("Date de fin").fill((today + timedelta(days=days[1])).isoformat())
    row.get_by_label("Ce qui s’y passe").select_option(label=kind)


def _create_process(page, visits: Visits, today: date) -> int:
    """The facilitator creates the process with its first phase, adds a second one in the empty row of the list,
    then makes the process active: until then only facilitators see it (app/processes/visibility.py)."""
    menu(page, "Démarches")
    visits.check()
    page.get_by_role("link", name="Créer une démarche").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle démarche")
    visits.check()
    page.get_by_label("Nom court dans l’adresse").fill(PROCESS_SLUG)
    page.get_by_label("Titre (français)").fill(PROCESS)
    page.get_by_label("Titre (anglais)").fill("Granit early childhood consultation 2027")
    page.get_by_label("Objectif (français)").fill("Entendre les familles du Granit et choisir ensemble quoi faire.")
    page.get_by_label("Objectif (anglais)").fill("Hear the families of Le Granit and choose together what to do.")
    page.get_by_label("Le Granit", exact=True).check()
    expect(page.locator("fieldset.phase-fields")).to_have_count(1)
    _phase(page, 0, ("Consultation des familles", "Families' consultation"), (-7, 30), "Consultation", today)
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Démarche enregistrée.").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(PROCESS)
    process_id = int(re.search(r"/manage/processes/(\d+)$", page.url).group(1))

    page.get_by_role("link", name="Modifier la démarche et ses phases").click()
    expect(page.locator("fieldset.phase-fields")).to_have_count(2)  # the phase, and an empty row for one more
    expect(page.locator("fieldset#phases-0").get_by_label("Nom (français)")).to_have_value("Consultation des familles")
    _phase(page, 1, ("Vote des partenaires", "Partners' vote"), (31, 45), "Validation (vote)", today)
    visits.check()
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Démarche enregistrée.").first).to_be_visible()
    phases = page.get_by_role("region", name="Phases").locator("li")
    expect(phases).to_have_count(2)
    expect(phases.nth(0)).to_contain_text("Consultation des familles")
    expect(phases.nth(1)).to_contain_text("Vote des partenaires")

    page.get_by_label("Nouveau statut").select_option(label="Actif")
    page.get_by_role("button", name="Changer le statut").click()
    expect(page.get_by_text("Statut modifié.").first).to_be_visible()
    expect(page.locator("main")).to_contain_text("Actif")
    visits.check()
    page.get_by_role("link", name="Page publique").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PROCESS)
    expect(page.locator("main")).to_contain_text("Vote des partenaires")
    visits.check()
    return process_id


def _build_survey(page, visits: Visits) -> str:
    menu(page, "Questionnaires")
    page.get_by_role("link", name="Créer un questionnaire").click()
    page.get_by_label("Démarche").select_option(label=PROCESS)
    page.get_by_label("Un questionnaire vide").check()
    page.get_by_label("Titre (français)").fill(SURVEY)
    page.get_by_label("Titre (anglais)").fill("Services for families of the county")
    page.get_by_role("button", name="Créer le questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(SURVEY)

    page.get_by_role("link", name="Ajouter une question à cette page").click()
    page.get_by_label("Oui / non").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Code", exact=True).fill("enfants")
    page.get_by_label("Question (français)").fill("Avez-vous des enfants de moins de 12 ans?")
    page.get_by_label("Question (anglais)").fill("Do you have children under 12?")
    page.get_by_role("button", name="Enregistrer la question").click()

    # The free text is shown only to parents: the condition is written by pointing and clicking.
    page.get_by_role("link", name="Ajouter une question à cette page").click()
    page.get_by_label("Texte long").check()
    page.get_by_role("button", name="Continuer").click()
    page.get_by_label("Code", exact=True).fill("besoin")
    page.get_by_label("Question (français)").fill("Qu’est-ce qui manque à votre famille?")
    page.get_by_label("Question (anglais)").fill("What does your family lack?")
    page.get_by_label("Question ouverte : le texte passe par la file de modération").check()
    page.locator("#condition-question").select_option("enfants")
    page.locator("#condition-operator").select_option("=")
    page.locator("#condition-value").fill("Oui")
    page.get_by_role("button", name="Ajouter à la condition").click()
    expect(page.get_by_label("Condition d’affichage")).to_have_value("${enfants} = 'yes'")
    expect(page.locator("#relevant-words")).to_have_text("En mots : Si vous avez répondu « Oui » à la question 1")
    expect(page.get_by_label("Question ouverte : le texte passe par la file de modération")).to_be_checked()
    visits.check()
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("p.condition")).to_contain_text("Si vous avez répondu « Oui » à la question 1")
    visits.check()
    page.get_by_role("button", name="Ouvrir le questionnaire").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ouvert")
    return page.locator(".survey-summary a").get_attribute("href")


def _answer(new_page, live_server, survey_path: str, text: str) -> None:
    respondent = new_page(phone=True)
    respondent.goto(live_server.url + survey_path)
    respondent.get_by_role("button", name="Commencer").click()
    respondent.get_by_label("Oui", exact=True).check()
    respondent.get_by_label("Qu’est-ce qui manque à votre famille?").fill(text)
    respondent.get_by_role("button", name="Envoyer mes réponses").click()
    expect(respondent.get_by_role("heading", level=1)).to_have_text("Merci!")
    respondent.context.close()


def _queue(page, visits: Visits, process_id: int, rows: int) -> None:
    """The pending items of the process: in a new process, only those of the journey."""
    page.goto(f"{visits.base_url}/moderation/items?process={process_id}&state=pending&q=")
    expect(page.locator("tr.queue-row")).to_have_count(rows)


def _select(page, item_ids) -> None:
    for item_id in item_ids:
        page.get_by_label(f"Sélectionner l’élément {item_id}", exact=True).check()


def _change_state(page, *labels: str) -> None:
    for label in labels:
        page.get_by_label("Passer à").select_option(label=label)
        page.get_by_role("button", name="Changer l’état").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(label)


def _vote(page, visits: Visits, *approved: str) -> None:
    menu(page, "Votes")
    page.get_by_role("link", name=BALLOT).click()
    for title in (FAMILIES, CHILDCARE):
        option = page.locator(".ballot-option", has=page.get_by_role("checkbox", name=title))
        expect(option.get_by_role("link")).to_contain_text("L’orientation et ce sur quoi elle repose (2 éléments")
        option.get_by_role("checkbox", name=title).set_checked(title in approved)
    visits.check()
    page.get_by_role("button", name="Voter", exact=True).click()
    expect(page.locator(".receipt")).to_contain_text("Votre vote est enregistré.")


def test_journey_6_a_facilitator_consolidates_and_puts_orientations_to_the_vote(new_page, live_server):
    page = new_page()
    sign_in(page, live_server, "facilitator")
    visits = Visits(page, live_server)
    with live_server.app.app_context():
        today = local_today()
    process_id = _create_process(page, visits, today)

    survey_path = _build_survey(page, visits)
    for text in TEXTS:
        _answer(new_page, live_server, survey_path, text)
    ids = {
        text: item_id
        for item_id, text in _db(
            live_server, sa.select(ModerationItem.id, ModerationItem.text).where(ModerationItem.text.in_(TEXTS))
        )
    }
    t1, t2, t3, t4 = (ids[text] for text in TEXTS)

    # A name redacted by hand, then every detected piece: the name stays redacted.
    page.goto(f"{live_server.url}/moderation/items/{t1}")
    page.get_by_label("Texte à caviarder").fill("Rosalie")
    page.get_by_label("Type de renseignement").select_option("name")
    page.get_by_role("button", name="Caviarder la sélection").click()
    page.get_by_role("button", name="Caviarder tous les renseignements détectés").click()
    shown = page.locator(".item-text.redacted")
    expect(shown).to_contain_text("Le trajet d’autobus scolaire de [nom] dure une heure")
    expect(shown).not_to_contain_text("Rosalie")
    expect(shown).not_to_contain_text(PHONE)
    visits.check()

    # A theme, and the same name again is refused in words.
    page.goto(f"{live_server.url}/moderation/processes/{process_id}/themes")
    for name in ("Transport scolaire", "TRANSPORT scolaire"):
        page.get_by_label("Nom (français)").fill(name)
        page.get_by_label("Nom (anglais)").fill("School transport")
        page.get_by_role("button", name="Enregistrer le thème").click()
    expect(
        page.get_by_text("Un thème de cette démarche porte déjà ce nom : « Transport scolaire ».").first
    ).to_be_visible()
    expect(page.get_by_label("Nom (français)")).to_have_value("TRANSPORT scolaire")
    visits.check()

    # "En faire une orientation" on the four pending items: the form says they will be approved on save.
    _queue(page, visits, process_id, 4)
    _select(page, [t1, t2, t3, t4])
    page.get_by_label("Action").select_option("orientation")
    page.get_by_role("button", name="Appliquer").click()
    expect(page.get_by_role("heading", name="4 éléments de preuve")).to_be_visible()
    expect(page.get_by_text("Cet élément est en attente : il sera approuvé")).to_have_count(4)
    expect(page.locator("main")).not_to_contain_text(PHONE)
    visits.check()
    page.get_by_label("Titre (français)").fill(FAMILIES)
    page.get_by_label("Titre (anglais)").fill("Local services for families")
    page.get_by_label("Énoncé (français)").fill("Rapprocher des familles le transport et la garde.")
    page.get_by_role("button", name="Enregistrer l’orientation").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(FAMILIES)
    expect(page.get_by_role("table", name="Éléments de preuve").locator("tbody tr")).to_have_count(4)

    # Split: the childcare items go to a new orientation with its own title and statement.
    page.get_by_role("link", name="Scinder").click()
    page.get_by_label(re.compile(rf"^#{t3} ")).check()
    page.get_by_label(re.compile(rf"^#{t4} ")).check()
    page.get_by_label("Titre de la nouvelle orientation (français)").fill(CHILDCARE)
    page.get_by_label("Énoncé de la nouvelle orientation (en français)").fill("Ouvrir des places près des villages.")
    visits.check()
    screenshot(page, "orientation-split-desktop-fr")
    page.get_by_role("button", name="Scinder").click()
    expect(page.get_by_text("Orientation scindée en deux").first).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text(CHILDCARE)
    expect(page.locator(".item-text").first).to_have_text("Ouvrir des places près des villages.")

    # Merge: a second draft about buses joins the families orientation.
    _queue(page, visits, process_id, 0)  # the four were approved when the orientation was saved
    page.goto(f"{live_server.url}/moderation/processes/{process_id}/orientations/new?item={t2}")
    page.get_by_label("Titre (français)").fill(BUSES)
    page.get_by_role("button", name="Enregistrer l’orientation").click()
    page.goto(f"{live_server.url}/moderation/orientations/{_orientation_id(live_server, FAMILIES)}")
    page.get_by_label("Fusionner dans celle-ci").select_option(label=BUSES)
    page.get_by_role("button", name="Fusionner", exact=True).click()
    expect(page.get_by_text("Orientations fusionnées").first).to_be_visible()
    visits.check()
    _change_state(page, "En révision", "Prête pour le vote")
    page.goto(f"{live_server.url}/moderation/orientations/{_orientation_id(live_server, CHILDCARE)}")
    _change_state(page, "En révision", "Prête pour le vote")

    # A ballot whose options are the two orientations ready for the vote, nothing typed.
    menu(page, "Gestion des votes")
    page.get_by_role("link", name=PROCESS).click()
    page.get_by_role("link", name="Nouveau scrutin").click()
    page.get_by_label("Question (français)").fill(BALLOT)
    page.get_by_label(FAMILIES, exact=True).check()
    page.get_by_label(CHILDCARE, exact=True).check()
    page.get_by_label("Approbation (approuver les options que vous appuyez)").check()
    visits.check()
    page.get_by_role("group", name="Orientations prêtes pour le vote").evaluate("e => e.scrollIntoView()")
    screenshot(page, "ballot-from-orientations-desktop-fr")
    page.get_by_role("button", name="Enregistrer le brouillon").click()
    expect(page.get_by_text("Scrutin enregistré.")).to_be_visible()
    expect(page.locator(".details ol li")).to_have_text([FAMILIES, CHILDCARE])
    page.get_by_role("button", name="Ouvrir le vote").click()
    visits.check()

    chloe, samuel = new_page(), new_page(phone=True)
    sign_in(chloe, live_server, CHLOE)
    sign_in(samuel, live_server, SAMUEL)
    partner = Visits(chloe, live_server)
    _vote(chloe, partner, FAMILIES, CHILDCARE)
    _vote(samuel, Visits(samuel, live_server, active=False), CHILDCARE)
    menu(samuel, "Votes")
    samuel.get_by_role("link", name=BALLOT).click()
    samuel.get_by_role("link", name=re.compile("L’orientation et ce sur quoi elle repose")).first.click()
    expect(samuel.get_by_role("heading", level=1)).to_contain_text(FAMILIES)
    expect(samuel.locator("main")).not_to_contain_text("Rosalie")
    expect(samuel.locator("main")).not_to_contain_text(PHONE)

    page.get_by_role("button", name="Fermer le vote maintenant").click()
    page.get_by_role("button", name="Publier les résultats").click()
    page.get_by_role("link", name="Résultats", exact=True).click()
    rows = page.locator("table.results-table tbody tr")
    expect(rows.nth(0)).to_contain_text(CHILDCARE)
    expect(rows.nth(1)).to_contain_text(FAMILIES)
    visits.check()

    # The consultation report: the orientations with their evidence, and the vote.
    page.goto(f"{live_server.url}/processes/{process_id}/report")
    expect(page).to_have_title(re.compile("Rapport de consultation"))
    expect(page.locator("main")).to_contain_text(CHILDCARE)
    expect(page.locator("main")).to_contain_text(BALLOT)
    expect(page.locator("main")).not_to_contain_text("Rosalie")
    visits.check()
    screenshot(page, "report-desktop-fr")
    visits.check_in_english()
    partner.check_in_english()
