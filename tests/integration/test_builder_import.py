"""Definitions in and out: JSON round trip, the import page (JSON and XLSForm), the import-form command."""

import io
import json

import pytest
from openpyxl import Workbook

from app.builder.catalog import TEMPLATE_KEYS, load_template
from app.builder.definition import DefinitionInvalid, export_definition, import_definition
from app.core.extensions import db
from app.models import AuditLog, Choice, Question, Role, Survey, SurveyPage, SurveyStatus
from tests.conftest import count_rows


def _without_slug(data):
    data = json.loads(json.dumps(data))
    data["survey"].pop("slug")
    return data


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_export_import_round_trip_for_each_template(create_process, key):
    process = create_process()
    original = import_definition(load_template(key), process, None)
    db.session.commit()
    exported = export_definition(original)
    copy = import_definition(json.loads(json.dumps(exported)), process, None)
    db.session.commit()
    assert copy.id != original.id and copy.slug != original.slug
    assert _without_slug(export_definition(copy)) == _without_slug(exported)
    # And the template itself survives the trip untouched.
    assert _without_slug(exported) == _without_slug(load_template(key))


def test_round_trip_keeps_dates_settings_and_every_type(create_process, create_survey):
    survey = create_survey(
        [
            {
                "title_fr": "Un",
                "title_en": "One",
                "relevant": "",
                "questions": [
                    {"code": "a", "type": "matrix", "choices": ["1", "2"], "rows": [("r1", "Ligne", "Row")]},
                    {"code": "b", "type": "rating", "settings": {"scale": 4, "low_label_fr": "Bas"}},
                    {"code": "c", "type": "numeric", "settings": {"min": 0, "max": 9.5, "decimal": True}},
                    {"code": "d", "type": "date", "settings": {"min": "2024-01-01"}},
                    {"code": "e", "type": "territory", "settings": {"display": "dropdown"}},
                    {"code": "f", "type": "note"},
                ],
            },
            {"relevant": "${b} >= 3", "questions": [{"code": "g", "type": "short_text", "constraint": ". != 'x'"}]},
        ],
        status=SurveyStatus.OPEN,
    )
    from datetime import UTC, datetime

    survey.opens_at = datetime(2030, 1, 1, 14, tzinfo=UTC)
    survey.closes_at = datetime(2030, 2, 1, 14, tzinfo=UTC)
    db.session.commit()
    exported = export_definition(survey)
    copy = import_definition(exported, survey.process, None)
    db.session.commit()
    assert copy.status is SurveyStatus.DRAFT and copy.opens_at == survey.opens_at
    assert _without_slug(export_definition(copy)) == _without_slug(exported)


def test_a_refused_definition_creates_nothing(create_process):
    data = load_template("parents-0-8")
    data["pages"][2]["questions"][0]["type"] = "hologram"
    before = [count_rows(m) for m in (Survey, SurveyPage, Question, Choice, AuditLog)]
    with pytest.raises(DefinitionInvalid) as caught:
        import_definition(data, create_process(), None)
    assert caught.value.errors[0].path == "$.pages[2].questions[0].type"
    assert [count_rows(m) for m in (Survey, SurveyPage, Question, Choice, AuditLog)] == before


def test_import_keeps_a_free_slug_and_renames_a_taken_one(create_process):
    process = create_process()
    first = import_definition(load_template("professions-en-demande"), process, None)
    second = import_definition(load_template("professions-en-demande"), process, None)
    assert (first.slug, second.slug) == ("professions-en-demande", "professions-en-demande-2")


# ------------------------------------------------------------------------------------------------ web page


def _upload(client, csrf, process, filename, body):
    return client.post(
        "/surveys/import",
        data={"process_id": process.id, "file": (io.BytesIO(body), filename), "csrf_token": csrf("/surveys/import")},
        content_type="multipart/form-data",
    )


def test_import_page_with_a_json_definition(client, auth, csrf, create_process):
    user = auth.login(Role.FACILITATOR)
    process = create_process()
    body = json.dumps(load_template("employeurs-etudes-travail"), ensure_ascii=False).encode()
    response = _upload(client, csrf, process, "employeurs.json", body)
    assert response.status_code == 302
    survey = db.session.execute(db.select(Survey)).scalar_one()
    assert survey.process_id == process.id and survey.status is SurveyStatus.DRAFT and len(survey.questions) == 16
    entry = db.session.execute(db.select(AuditLog).filter_by(action="survey.import")).scalar_one()
    assert entry.actor_id == user.id and entry.object_id == str(survey.id)
    assert "Questionnaire importé comme brouillon, avec 16 questions." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)


def _xlsform(bad_relevant=False) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label::French (fr)", "label::English (en)", "relevant", "required"])
    sheet.append(["begin group", "p1", "Première page", "First page"])
    sheet.append(["select_one oui_non", "enfants", "Des enfants?", "Children?", "", "yes"])
    sheet.append(
        [
            "integer",
            "nombre",
            "Combien?",
            "How many?",
            "${enfants} = 'oui'" if not bad_relevant else "${enfants} ==",
            "",
        ]
    )
    sheet.append(["end group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::French (fr)", "label::English (en)"])
    choices.append(["oui_non", "oui", "Oui", "Yes"])
    choices.append(["oui_non", "non", "Non", "No"])
    settings = book.create_sheet("settings")
    settings.append(["form_title::French (fr)", "form_title::English (en)", "form_id"])
    settings.append(["Petit sondage", "Small survey", "petit_sondage"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_page_with_an_xlsform(client, auth, csrf, create_process):
    auth.login(Role.FACILITATOR)
    process = create_process()
    response = _upload(client, csrf, process, "petit.xlsx", _xlsform())
    assert response.status_code == 302
    survey = db.session.execute(db.select(Survey)).scalar_one()
    assert (survey.slug, survey.title_en) == ("petit-sondage", "Small survey")
    assert survey.question("nombre").relevant == "${enfants} = 'oui'"


def test_import_page_refuses_bad_files_with_messages(app, client, auth, csrf, create_process, monkeypatch):
    auth.login(Role.FACILITATOR)
    process = create_process()
    page = _upload(client, csrf, process, "petit.xlsx", _xlsform(bad_relevant=True)).get_data(as_text=True)
    assert "feuille survey, ligne 4, colonne relevant : Utilisez un seul « = » pour comparer (caractère 13)." in page
    assert "Le fichier a été refusé : rien n’a été importé." in page
    page = _upload(client, csrf, process, "x.json", b"{not json").get_data(as_text=True)
    assert "Ce n’est pas du JSON valide (ligne 1, colonne 2)." in page
    page = _upload(client, csrf, process, "x.json", b"[" * 100_000).get_data(as_text=True)
    assert "Ce n’est pas du JSON valide" in page or "Ce JSON est trop profondément imbriqué." in page
    page = _upload(
        client, csrf, process, "x.json", json.dumps({"format": "concerto-questionnaire", "version": 1}).encode()
    ).get_data(as_text=True)
    assert "$.survey.title.fr: Le texte français est obligatoire." in page
    page = _upload(client, csrf, process, "notes.txt", b"hello").get_data(as_text=True)
    assert "Choisissez une définition .json ou un classeur XLSForm .xlsx." in page
    monkeypatch.setitem(app.config, "SURVEY_IMPORT_MAX_BYTES", 4096)
    page = _upload(client, csrf, process, "big.json", b" " * 4097).get_data(as_text=True)
    assert "Le fichier est trop gros : 4 Ko au plus." in page
    page = _upload(client, csrf, process, "fake.xlsx", b"not a zip at all").get_data(as_text=True)
    assert "Ce n’est pas un classeur .xlsx lisible" in page
    assert count_rows(Survey) == 0


# ------------------------------------------------------------------------------------------------------- CLI


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def test_cli_imports_json_into_the_most_recent_process(runner, create_process, tmp_path):
    create_process(slug="ancienne")
    recent = create_process(slug="recente")
    path = tmp_path / "parents.json"
    path.write_text(json.dumps(load_template("parents-0-8"), ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["import-form", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "/s/besoins-parents-0-8"
    survey = db.session.execute(db.select(Survey)).scalar_one()
    assert survey.process_id == recent.id and survey.status is SurveyStatus.DRAFT


def test_cli_imports_xlsx_and_opens_it(runner, create_process, tmp_path):
    process = create_process(slug="ma-demarche")
    create_process(slug="autre")
    path = tmp_path / "petit.xlsx"
    path.write_bytes(_xlsform())
    result = runner.invoke(args=["import-form", str(path), "--process", "ma-demarche", "--open"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "/s/petit-sondage"
    survey = db.session.execute(db.select(Survey)).scalar_one()
    assert survey.process_id == process.id and survey.status is SurveyStatus.OPEN
    assert db.session.execute(db.select(AuditLog.action).order_by(AuditLog.id)).scalars().all() == [
        "survey.import",
        "survey.open",
    ]


def test_cli_errors_go_to_stderr_with_status_2(runner, create_process, tmp_path):
    create_process()
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsform(bad_relevant=True))
    result = runner.invoke(args=["import-form", str(bad)])
    assert result.exit_code == 2
    assert "survey sheet" not in result.stdout
    assert "feuille survey, ligne 4, colonne relevant" in result.stderr
    missing = runner.invoke(args=["import-form", str(tmp_path / "nope.json")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr
    wrong_process = tmp_path / "ok.json"
    wrong_process.write_text(json.dumps(load_template("parents-0-8")), encoding="utf-8")
    result = runner.invoke(args=["import-form", str(wrong_process), "--process", "inconnue"])
    assert result.exit_code == 2 and "no process has the slug" in result.stderr
    invalid = tmp_path / "invalid.json"
    invalid.write_text("{", encoding="utf-8")
    assert runner.invoke(args=["import-form", str(invalid)]).exit_code == 2
    assert count_rows(Survey) == 0


def test_cli_open_failure_creates_nothing(runner, create_process, tmp_path):
    create_process()
    data = load_template("parents-0-8")
    data["pages"].append({"title": {"fr": "Vide"}, "questions": []})
    path = tmp_path / "vide.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import-form", str(path), "--open"])
    assert result.exit_code == 2 and "La page 5 n’a aucune question" in result.stderr
    assert count_rows(Survey) == 0


def test_cli_without_any_process(runner, tmp_path):
    path = tmp_path / "x.json"
    path.write_text(json.dumps(load_template("parents-0-8")), encoding="utf-8")
    result = runner.invoke(args=["import-form", str(path)])
    assert result.exit_code == 2 and "there is no process yet" in result.stderr
