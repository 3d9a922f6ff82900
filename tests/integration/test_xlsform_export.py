"""XLSForm export (issue 14): /surveys/<id>/definition.xlsx and flask export-form write a workbook that pyxform
converts without error and that imports back into the same questionnaire: the three templates, the forms of
tests/data/xlsform_fixtures and a questionnaire holding every type."""

import io
import json
import warnings
from pathlib import Path

import pytest

from app.builder.catalog import TEMPLATE_KEYS, load_template
from app.builder.definition import export_definition, import_definition
from app.builder.xlsform import read_xlsform
from app.builder.xlsform_export import write_xlsform
from app.core.extensions import db
from app.models import Anonymity, Role

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "data" / "xlsform_fixtures"


def _without_slug(data):
    data = json.loads(json.dumps(data))
    data["survey"].pop("slug")
    return data


def _pyxform_accepts(workbook: bytes, tmp_path) -> None:
    from pyxform.xls2xform import convert

    path = tmp_path / "form.xlsx"
    path.write_bytes(workbook)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = convert(xlsform=str(path), validate=False)
    assert "<h:html" in result.xform


def _round_trip(survey, process, tmp_path):
    workbook = write_xlsform(survey)
    _pyxform_accepts(workbook, tmp_path)
    copy = import_definition(read_xlsform(workbook), process, None)
    db.session.flush()
    assert _without_slug(export_definition(copy)) == _without_slug(export_definition(survey))
    return copy


@pytest.mark.parametrize("key", TEMPLATE_KEYS)
def test_templates_round_trip_through_an_xlsform(create_process, tmp_path, key):
    process = create_process()
    _round_trip(import_definition(load_template(key), process, None), process, tmp_path)


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.xls*")))
def test_imported_xlsforms_round_trip(create_process, tmp_path, name):
    process = create_process()
    original = import_definition(read_xlsform((FIXTURES / name).read_bytes()), process, None)
    _round_trip(original, process, tmp_path)


def test_every_type_round_trips(create_process, tmp_path):
    process = create_process()
    document = {
        "format": "concerto-questionnaire",
        "version": 1,
        "survey": {
            "title": {"fr": "Tous les types", "en": "Every type"},
            "intro": {"fr": "Bonjour", "en": "Hello"},
            "anonymity": Anonymity.IDENTIFIED.value,
            "estimated_minutes": 5,
        },
        "pages": [
            {
                "title": {"fr": "Un", "en": "One"},
                "intro": {"fr": "Intro", "en": ""},
                "relevant": "",
                "questions": [
                    {"code": "oui", "type": "yes_no", "label": {"fr": "Oui?"}, "required": True},
                    {"code": "note", "type": "rating", "label": {"fr": "Note"}, "settings": {"scale": 7}},
                    {
                        "code": "grille",
                        "type": "matrix",
                        "label": {"fr": "Grille"},
                        "choices": [{"code": "1", "label": {"fr": "Un"}}, {"code": "2", "label": {"fr": "Deux"}}],
                        "rows": [{"code": "r1", "label": {"fr": "Ligne", "en": "Row"}}],
                    },
                    {
                        "code": "ordre",
                        "type": "ranking",
                        "label": {"fr": "Ordre"},
                        "choices": [{"code": "a", "label": {"fr": "A"}}, {"code": "b", "label": {"fr": "B"}}],
                    },
                    {"code": "terr", "type": "territory", "label": {"fr": "Territoire"}},
                    {"code": "courriel", "type": "email", "label": {"fr": "Courriel"}},
                ],
            },
            {
                "title": {"fr": "Deux", "en": "Two"},
                "relevant": "${oui} = 'yes'",
                "questions": [
                    {"code": "age", "type": "numeric", "label": {"fr": "Âge"}, "settings": {"min": 0, "max": 120}},
                    {"code": "avis", "type": "long_text", "label": {"fr": "Avis"}, "settings": {"open": True}},
                    {"code": "quand", "type": "date_time", "label": {"fr": "Quand"}},
                    {"code": "heure", "type": "time", "label": {"fr": "Heure"}},
                    {"code": "ou", "type": "geopoint", "label": {"fr": "Où"}},
                    {"code": "lu", "type": "acknowledge", "label": {"fr": "Lu"}, "required": True},
                    {
                        "code": "double",
                        "type": "calculate",
                        "label": {"fr": "Double"},
                        "settings": {"calculation": "${age} * 2"},
                    },
                    {"code": "fin", "type": "note", "label": {"fr": "Merci", "en": "Thanks"}},
                ],
            },
        ],
    }
    _round_trip(import_definition(document, process, None), process, tmp_path)


def test_definition_xlsx_download(client, auth, create_process, tmp_path):
    auth.login(Role.FACILITATOR)
    process = create_process()
    survey = import_definition(load_template(TEMPLATE_KEYS[0]), process, None)
    db.session.commit()
    assert f'href="/surveys/{survey.id}/definition.xlsx"' in client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    response = client.get(f"/surveys/{survey.id}/definition.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert f'filename="{survey.slug}.xlsx"' in response.headers["Content-Disposition"]
    _pyxform_accepts(response.data, tmp_path)
    assert _without_slug(read_xlsform(response.data)) == _without_slug(export_definition(survey))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["survey", "choices", "settings"]
    assert book["settings"]["A2"].value == survey.title_fr


def test_definition_xlsx_is_for_facilitators(client, auth, create_process):
    survey = import_definition(load_template(TEMPLATE_KEYS[0]), create_process(), None)
    db.session.commit()
    assert client.get(f"/surveys/{survey.id}/definition.xlsx").status_code in {302, 401, 404}
    auth.login(Role.PARTNER)
    assert client.get(f"/surveys/{survey.id}/definition.xlsx").status_code in {403, 404}


def test_defaults_read_only_and_third_languages_are_written_back(create_process, tmp_path):
    from openpyxl import load_workbook

    data = (FIXTURES / "defauts_langues_repetitions.xlsx").read_bytes()
    survey = import_definition(read_xlsform(data), create_process(), None)
    db.session.flush()
    book = load_workbook(io.BytesIO(write_xlsform(survey)), read_only=True)
    sheets = {name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in ("survey", "choices")}
    header, *rows = sheets["survey"]
    by_name = {r[header.index("name")]: dict(zip(header, r, strict=True)) for r in rows}
    assert by_name["ville"]["default"] == "Québec" and by_name["ville"]["label::es"] == "Su ciudad"
    assert by_name["ville"]["hint::es"] == "Escriba"
    assert by_name["annee"]["read_only"] == "yes" and by_name["annee"]["default"] == "2025"
    choice_header, *choice_rows = sheets["choices"]
    garde = next(r for r in choice_rows if r[choice_header.index("name")] == "garde")
    assert garde[choice_header.index("label::es")] == "Guardería"
