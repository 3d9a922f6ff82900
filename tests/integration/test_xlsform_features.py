"""What the XLSForm features do for a respondent (issue 14), on the forms of tests/data/xlsform_fixtures: computed
values stored with the response, group conditions, cascading selects, the new types' answers."""

import io
import re
from pathlib import Path

import sqlalchemy as sa

from app.builder.operations import change_status
from app.core.extensions import db
from app.models import Answer, Choice, Question, Response, ResponseStatus, Role, Survey, SurveyStatus
from app.models.base import utcnow
from tests.integration.respond_helpers import Respondent

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "data" / "xlsform_fixtures"


def _open_fixture(client, auth, csrf, create_process, name: str) -> Survey:
    auth.login(Role.FACILITATOR)
    process = create_process()
    response = client.post(
        "/surveys/import",
        data={
            "process_id": process.id,
            "file": (io.BytesIO((FIXTURES / name).read_bytes()), name),
            "csrf_token": csrf("/surveys/import"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    survey = db.session.scalars(sa.select(Survey).order_by(Survey.id.desc())).first()
    change_status(None, survey, SurveyStatus.OPEN, utcnow())
    db.session.commit()
    return survey


def _stored(survey: Survey) -> dict[str, str | None]:
    rows = db.session.execute(
        sa.select(Question.code, Answer.text_value, Answer.number_value)
        .join(Answer, Answer.question_id == Question.id)
        .where(Question.survey_id == survey.id)
    ).all()
    return {code: text if text is not None else number for code, text, number in rows}


def test_computed_values_group_conditions_and_new_types(app, client, auth, csrf, create_process):
    survey = _open_fixture(client, auth, csrf, create_process, "menage_calculs.xlsx")
    flash = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "This repeat is asked once" in flash or "Cette répétition" in flash  # the import's warnings
    person = Respondent(app.test_client())
    person.start(f"/s/{survey.slug}")
    assert "Votre prénom" in person.html and "data-calculate=" in person.html
    person.send({"q_adultes": "2", "q_enfants": "1"})
    assert person.response.status_code == 422 and "Écrivez votre prénom, svp." in person.html  # required_message
    person.send({"q_prenom": "Ana", "q_adultes": "2", "q_enfants": "1"})
    assert _stored(survey)["taille"] == "3" and _stored(survey)["part_enfants"] == "33.3"
    # The "details" group (field-list, shown when there are children) is one page with its nested group.
    assert "Service de garde?" in person.html and "Heure d’arrivée" in person.html
    person.send({"q_garde": "oui", "q_arrivee": "8h15"})
    person.send({"q_position": "91 10", "q_rendezvous": "2025-03-14 10:00"})
    assert person.response.status_code == 422 and "latitude" in person.html
    person.send({"q_position": "46,81 -71.21", "q_rendezvous": "2025-03-14 10:00"})
    person.send({})  # the repeat, asked once
    # ${code} in a label shows the earlier answer (and the computed size), Markdown is rendered, text escaped.
    assert '<span data-pipe="prenom">Ana</span>' in person.html
    assert '<strong><span data-pipe="taille">3</span></strong> personnes' in person.html
    person.send({"q_confirme": "OK"})
    response = db.session.scalars(sa.select(Response).where(Response.survey_id == survey.id)).one()
    assert response.status is ResponseStatus.COMPLETE
    stored = _stored(survey)
    assert stored["arrivee"] == "08:15" and stored["position"] == "46.81 -71.21"
    assert stored["rendezvous"] == "2025-03-14T10:00" and stored["confirme"] == "OK"
    assert stored["resume"] == "Ana : 3 personnes ()"


def test_a_group_condition_skips_its_page(app, client, auth, csrf, create_process):
    survey = _open_fixture(client, auth, csrf, create_process, "menage_calculs.xlsx")
    person = Respondent(app.test_client())
    person.start(f"/s/{survey.slug}")
    person.send({"q_prenom": "Léo", "q_adultes": "1", "q_enfants": "0"})
    assert "Service de garde?" not in person.html and "Position (latitude longitude)" in person.html
    assert "Rendez-vous" not in person.html  # its condition uses the computed size (1) of the earlier page
    person.send({"q_position": "46.8 -71.2", "q_rendezvous": "2025-03-14 10:00"})
    assert _stored(survey)["taille"] == "1" and "rendezvous" not in _stored(survey)  # sent anyway: not kept


def test_cascading_selects_show_the_choices_of_the_earlier_answer(app, client, auth, csrf, create_process):
    survey = _open_fixture(client, auth, csrf, create_process, "cascade_territoires.xlsx")
    person = Respondent(app.test_client())
    person.start(f"/s/{survey.slug}")
    person.send({"q_territoire": "estrie"})
    assert "Magog" in person.html and "Sherbrooke" in person.html and "Shawinigan" not in person.html
    person.send({"q_municipalite": "shawinigan"})
    assert person.response.status_code == 422
    person.send({"q_municipalite": "magog"})
    assert "Autobus" in person.html and "Métro" not in person.html  # the filter reads name and the answer
    person.send([("q_services", "bus"), ("q_services", "velo"), ("q_autre", "Covoiturage")])
    assert _stored(survey)["autre"] == "Covoiturage"
    response = db.session.scalars(sa.select(Response).where(Response.survey_id == survey.id)).one()
    assert response.status is ResponseStatus.COMPLETE


def test_a_legacy_xls_form_with_a_cascade_is_imported_and_completed(app, client, auth, csrf, create_process):
    # Written for Concerto's tests in the Excel 97-2003 format (make_legacy_xls.py): read by xlrd on every CI run.
    assert (FIXTURES / "territoires_ancien_format.xls").read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    survey = _open_fixture(client, auth, csrf, create_process, "territoires_ancien_format.xls")
    assert survey.title_en == "Territories (old Excel format)"
    person = Respondent(app.test_client())
    person.start(f"/s/{survey.slug}")
    assert "Votre région" in person.html and "Estrie" in person.html
    person.send({"q_region": "estrie"})
    assert "Magog" in person.html and "Sherbrooke" in person.html and "Québec" not in person.html
    person.send({"q_municipalite": "quebec"})
    assert person.response.status_code == 422  # not a municipality of Estrie
    person.send({"q_municipalite": "magog"})
    person.send([("q_enfants", "21")])
    assert person.response.status_code == 422
    person.send([("q_enfants", "2"), ("q_services", "garde"), ("q_services", "sante")])
    response = db.session.scalars(sa.select(Response).where(Response.survey_id == survey.id)).one()
    assert response.status is ResponseStatus.COMPLETE
    chosen = db.session.scalars(
        sa.select(Choice.code).join(Answer, Answer.choice_id == Choice.id).where(Answer.response_id == response.id)
    ).all()
    assert sorted(chosen) == ["estrie", "garde", "magog", "sante"] and _stored(survey)["enfants"] == 2


def test_defaults_read_only_values_and_a_repeat_written_out_as_copies(app, client, auth, csrf, create_process):
    survey = _open_fixture(client, auth, csrf, create_process, "defauts_langues_repetitions.xlsx")
    flash = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "es" in flash and ("kept with the questionnaire" in flash or "gardés avec le questionnaire" in flash)
    person = Respondent(app.test_client())
    person.start(f"/s/{survey.slug}")
    html = person.html
    assert 'name="q_ville"' in html and 'value="Québec"' in html  # pre-filled, may be changed
    assert "js/choice-filter.js" not in html  # loaded by the pages holding a cascade only
    assert re.search(r'value="garde"[^>]*checked', html) and re.search(r'value="loisirs"[^>]*checked', html)
    assert not re.search(r'value="sante"[^>]*checked', html)
    # Read-only: the value is shown, with no input; what a browser sends for it is ignored.
    assert 'name="q_annee"' not in html and 'name="q_region"' not in html
    assert '<p class="read-only-value">2025</p>' in html and '<p class="read-only-value">Capitale-Nationale</p>' in html
    person.send([("q_ville", "Lévis"), ("q_aides", "sante"), ("q_annee", "1999"), ("q_enfants", "1")])
    stored = _stored(survey)
    assert stored["ville"] == "Lévis" and stored["annee"] == 2025
    # The repeat with repeat_count 2: two numbered pages; the one counted by an answer: asked once.
    assert "Enfant (1)" in person.html and "Prénom (1)" in person.html
    person.send({"q_prenom_1": "Ana", "q_age_1": "4"})
    assert "Enfant (2)" in person.html
    person.send({"q_prenom_2": "Léo", "q_age_2": "2"})
    assert "Date de la visite" in person.html
    person.send({"q_quand": "2025-03-14"})
    # A field-list page asks the region and a municipality filtered by it: every option is on the page, each with
    # its columns, and the filter for conditions.js; without JavaScript the server refuses one that does not fit.
    assert "Région" in person.html and "Magog" in person.html and "Québec" in person.html
    assert "data-choice-filter='" in person.html and """data-choice='{"region": "estrie"}'""" in person.html
    assert "js/choice-filter.js" in person.html
    person.send({"q_region_adresse": "capitale", "q_municipalite": "magog"})
    assert person.response.status_code == 422
    person.send({"q_region_adresse": "capitale", "q_municipalite": "quebec"})
    response = db.session.scalars(sa.select(Response).where(Response.survey_id == survey.id)).one()
    assert response.status is ResponseStatus.COMPLETE
    stored = _stored(survey)
    assert (stored["prenom_1"], stored["age_1"], stored["rang_1"]) == ("Ana", 4, "1")
    assert (stored["prenom_2"], stored["rang_2"]) == ("Léo", "2")
    chosen = db.session.scalars(
        sa.select(Choice.code).join(Answer, Answer.choice_id == Choice.id).where(Answer.response_id == response.id)
    ).all()
    assert sorted(chosen) == ["capitale", "capitale", "quebec", "sante"]


def test_a_required_read_only_question_without_a_value_does_not_block_the_end(app, create_process):
    from app.builder.definition import FORMAT, FORMAT_VERSION, import_definition

    question = {"type": "short_text", "label": {"fr": "Code du site"}, "required": True}
    definition = {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "survey": {"title": {"fr": "Lecture seule"}},
        "pages": [
            {
                "title": {"fr": "Page"},
                "questions": [
                    {**question, "code": "site", "settings": {"read_only": True}},
                    {**question, "code": "nom", "label": {"fr": "Votre nom"}},
                ],
            }
        ],
    }
    survey = import_definition(definition, create_process(), None)
    change_status(None, survey, SurveyStatus.OPEN, utcnow())
    db.session.commit()
    person = Respondent(app.test_client())
    person.start(f"/s/{survey.slug}")
    assert 'name="q_site"' not in person.html and 'name="q_nom"' in person.html
    person.send({"q_nom": "Ana", "q_site": "ignoré"})
    response = db.session.scalars(sa.select(Response).where(Response.survey_id == survey.id)).one()
    assert response.status is ResponseStatus.COMPLETE and _stored(survey) == {"nom": "Ana"}
