"""Each of the three catalog templates answered end to end through its public link, as a parent or an employer
would on a phone: a required error shown then corrected, a question hidden by its display condition (not asked,
nothing stored), the thank-you page, and the exact Answer rows in the database."""

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.builder.catalog import TEMPLATE_KEYS
from app.builder.operations import change_status, create_from_template
from app.core.extensions import db
from app.models import Answer, RespondentContact, Response, ResponseStatus, SurveyStatus, utcnow
from tests.conftest import count_rows
from tests.integration.respond_helpers import Respondent, answers_of


@pytest.fixture
def template_survey(create_process, create_territory):
    """``template_survey(key)``: the catalog template opened in a process of two territories, as seed-demo does."""
    process = create_process(territories=[create_territory("Sherbrooke", "SHE"), create_territory("Coaticook", "COA")])

    def make(key: str):
        assert key in TEMPLATE_KEYS
        survey = create_from_template(None, process, key)
        change_status(None, survey, SurveyStatus.OPEN, utcnow())
        db.session.commit()
        return survey

    return make


def stored_answers() -> list[tuple]:
    """The answers of the one response, which must be complete, with their dates."""
    db.session.expire_all()
    response = db.session.execute(sa.select(Response)).scalar_one()
    assert response.status is ResponseStatus.COMPLETE and response.submitted_at is not None
    return answers_of(response, dates=True)


def assert_error_summary(html: str, *lines: str) -> None:
    assert 'class="error-summary"' in html and "Veuillez corriger" in html
    for line in lines:
        assert line in html, line


def finish(respondent: Respondent, slug: str) -> None:
    assert respondent.response.request.path == f"/s/{slug}/thanks", respondent.html[:2000]
    assert "Merci" in respondent.html


def test_parents_template_answered_end_to_end(client, template_survey):
    survey = template_survey("parents-0-8")
    parent = Respondent(client)
    parent.start(f"/s/{survey.slug}")
    assert "Page 1 de 4" in parent.html and "Votre famille" in parent.html

    # The number of children forgotten, and zero children is out of range: the summary names both.
    response = parent.send([("q_territoire", "COA"), ("q_ages", "6-8")])
    assert response.status_code == 422
    assert_error_summary(
        parent.html,
        "Combien d’enfants de 0 à 8 ans vivent avec vous? — Entrez votre réponse.</a>",
    )
    assert 'value="COA" selected' in parent.html  # answers kept
    assert count_rows(Answer) == 0

    # Corrected. Only a 6-8 year old: "garde" (preschool childcare) is hidden by its condition. A browser without
    # JavaScript still sends the radio it shows; the server discards it.
    parent.send(
        [
            ("q_territoire", "COA"),
            ("q_nb_enfants", "1"),
            ("q_ages", "6-8"),
            ("q_garde", "cpe"),
            ("q_langue", "other"),
            ("q_langue:other", "Innu-aimun"),
        ]
    )
    assert "Page 2 de 4" in parent.html
    parent.send(
        [
            ("q_aides", "activites"),
            ("q_aides", "repit"),
            ("q_satisfaction:garde", "nsp"),
            ("q_satisfaction:bibliotheque", "4"),
            ("q_soutien", "4"),
        ]
    )
    assert "Page 3 de 4" in parent.html
    # No transport obstacle: its explanation is hidden, even if sent.
    parent.send([("q_obstacles", "horaire"), ("q_transport_details", "Pas d’autobus"), ("q_renoncement", "yes")])
    assert "Page 4 de 4" in parent.html and "Envoyer mes réponses" in parent.html
    parent.send([("q_canaux:texto", "1"), ("q_canaux:ecole", "2"), ("q_plus_utile", "Des activités le samedi matin.")])
    finish(parent, survey.slug)

    assert stored_answers() == [
        ("territoire", None, None, None, None, None, None, False, "COA"),
        ("nb_enfants", None, None, None, Decimal(1), None, None, False, None),
        ("ages", "6-8", None, None, None, None, None, False, None),
        ("langue", None, None, "Innu-aimun", None, None, None, True, None),
        ("aides", "activites", None, None, None, None, None, False, None),
        ("aides", "repit", None, None, None, None, None, False, None),
        ("satisfaction", "nsp", "garde", None, None, None, None, False, None),
        ("satisfaction", "4", "bibliotheque", None, None, None, None, False, None),
        ("soutien", None, None, None, Decimal(4), None, None, False, None),
        ("obstacles", "horaire", None, None, None, None, None, False, None),
        ("renoncement", None, None, None, Decimal(1), None, None, False, None),
        ("canaux", "texto", None, None, None, None, 1, False, None),
        ("canaux", "ecole", None, None, None, None, 2, False, None),
        ("plus_utile", None, None, "Des activités le samedi matin.", None, None, None, False, None),
    ]


def test_employers_template_answered_end_to_end(client, template_survey):
    survey = template_survey("employeurs-etudes-travail")
    employer = Respondent(client)
    employer.start(f"/s/{survey.slug}")
    # The practices page depends on an answer not given yet: it counts until the answers skip it (the total never
    # grows as the employer goes on; issue 16).
    assert "Page 1 de 3" in employer.html

    page_one = [
        ("q_entreprise", "Fromagerie du Lac"),
        ("q_secteur", "agro"),
        ("q_territoire", "SHE"),
        ("q_employes", "12"),
    ]
    # More student employees than employees: the survey's own constraint message; the sector forgotten.
    response = employer.send([p for p in page_one if p[0] != "q_secteur"] + [("q_employes_etudiants", "20")])
    assert response.status_code == 422
    assert_error_summary(
        employer.html,
        "Dans quel secteur d’activité êtes-vous? — Choisissez une réponse.</a>",
        "Ce nombre ne peut pas dépasser le nombre total d’employés.",
    )
    assert count_rows(Answer) == 0

    # No student employees: the whole "Vos pratiques" page is hidden by its condition and never asked.
    employer.send([*page_one, ("q_employes_etudiants", "0")])
    assert "Page 2 de 2" in employer.html and "Reconnaissance et soutien" in employer.html
    assert "Vos pratiques" not in employer.html and 'name="q_pratiques:' not in employer.html
    pratiques_url = f"/s/{survey.slug}/page/2"  # typed in by hand: sent on to the visible page
    assert client.get(pratiques_url).headers["Location"] == f"/s/{survey.slug}/page/3"
    employer.send(
        [
            ("q_importance", "5"),
            ("q_interet", "oui"),
            ("q_frein", "hidden: interest is yes"),
            ("q_courriel", "rh@fromagerie.example"),
            ("q_soutien", "guide"),
            ("q_soutien", "other"),
            ("q_soutien:other", "Un modèle d’horaire"),
            ("q_embauche", "2027-05-01"),
        ]
    )
    finish(employer, survey.slug)

    assert stored_answers() == [
        ("entreprise", None, None, "Fromagerie du Lac", None, None, None, False, None),
        ("secteur", "agro", None, None, None, None, None, False, None),
        ("territoire", None, None, None, None, None, None, False, "SHE"),
        ("employes", None, None, None, Decimal(12), None, None, False, None),
        ("employes_etudiants", None, None, None, Decimal(0), None, None, False, None),
        ("importance", None, None, None, Decimal(5), None, None, False, None),
        ("interet", "oui", None, None, None, None, None, False, None),
        ("soutien", "guide", None, None, None, None, None, False, None),
        ("soutien", None, None, "Un modèle d’horaire", None, None, None, True, None),
        ("embauche", None, None, None, None, date(2027, 5, 1), None, False, None),
    ]
    # Identified survey: the e-mail is stored apart from the answers.
    assert db.session.execute(sa.select(RespondentContact.email)).scalars().all() == ["rh@fromagerie.example"]


def test_professions_template_answered_end_to_end(client, template_survey):
    survey = template_survey("professions-en-demande")
    partner = Respondent(client)
    partner.start(f"/s/{survey.slug}")
    assert "Page 1 de 3" in partner.html
    partner.send([("q_type_org", "collegial"), ("q_territoire", "SHE"), ("q_fonction", "Conseillère")])
    assert "Page 2 de 3" in partner.html

    # Yes/no forgotten: its message in the summary.
    response = partner.send([("q_horizon", "1_3")])
    assert response.status_code == 422
    assert_error_summary(
        partner.html,
        "Avez-vous de la difficulté à pourvoir certains postes actuellement? — Choisissez une réponse.</a>",
    )
    # No difficulty: the professions, vacancies and causes are hidden by their condition; what is sent is dropped.
    partner.send(
        [
            ("q_difficulte", "no"),
            ("q_professions", "soudage"),
            ("q_postes_vacants", "7"),
            ("q_causes:salaire", "1"),
            ("q_horizon", "1_3"),
        ]
    )
    assert "Page 3 de 3" in partner.html
    # The last page's required open question forgotten, then answered.
    response = partner.send([("q_programmes", "alternance"), ("q_liens_ecoles:stages", "en_place")])
    assert response.status_code == 422
    assert_error_summary(
        partner.html,
        "Quelles actions régionales prépareraient mieux les jeunes aux professions en demande? — "
        "Entrez votre réponse.</a>",
    )
    partner.send(
        [
            ("q_programmes", "alternance"),
            ("q_liens_ecoles:stages", "en_place"),
            ("q_liens_ecoles:comites", "interesse"),
            ("q_importance_ecoles", "3"),
            ("q_prochaine_embauche", "15/08/2027"),
            ("q_actions", "Des stages d’un jour.\nDes visites d’usine."),
        ]
    )
    finish(partner, survey.slug)

    assert stored_answers() == [
        ("type_org", "collegial", None, None, None, None, None, False, None),
        ("territoire", None, None, None, None, None, None, False, "SHE"),
        ("fonction", None, None, "Conseillère", None, None, None, False, None),
        ("difficulte", None, None, None, Decimal(0), None, None, False, None),
        ("horizon", "1_3", None, None, None, None, None, False, None),
        ("programmes", "alternance", None, None, None, None, None, False, None),
        ("liens_ecoles", "en_place", "stages", None, None, None, None, False, None),
        ("liens_ecoles", "interesse", "comites", None, None, None, None, False, None),
        ("importance_ecoles", None, None, None, Decimal(3), None, None, False, None),
        ("prochaine_embauche", None, None, None, None, date(2027, 8, 15), None, False, None),
        ("actions", None, None, "Des stages d’un jour.\nDes visites d’usine.", None, None, None, False, None),
    ]
