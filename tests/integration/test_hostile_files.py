"""Hostile files: a NUL character inside an imported questionnaire definition, an .xlsx zip bomb (and its cousins:
too many cells, a cell far to the right, a lying sheet dimension), and CSV cells that become formulas once a
French-Canadian Excel splits them on ";". Each is refused with a clear message (nothing created) or written inert."""

import csv
import io
import json

import pytest

from app.builder.catalog import load_template
from app.core.extensions import db
from app.exports.export import FORMULA_STARTS
from app.models import BallotStatus, Role, Survey, VotingMethod
from app.respond.engine import OTHER_SUFFIX
from tests.conftest import count_rows
from tests.integration.export_helpers import add_response, make_export_survey
from tests.integration.voting_helpers import create_ballot
from tests.support.workbooks import far_right, lying_dimension, many_cells, zip_bomb

__all__ = ["create_ballot"]

NUL_MESSAGE = "caractère NUL invisible"


def _upload(client, csrf, process, filename: str, body: bytes):
    return client.post(
        "/surveys/import",
        data={"process_id": process.id, "file": (io.BytesIO(body), filename), "csrf_token": csrf("/surveys/import")},
        content_type="multipart/form-data",
    )


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ------------------------------------------------------------------------------------ NUL in a JSON definition


def _with_nul(place: str) -> tuple[dict, str]:
    """The parents template with a NUL at ``place``, and the path the refusal must name."""
    data = load_template("parents-0-8")
    question = data["pages"][0]["questions"][0]
    if place == "title":
        data["survey"]["title"]["fr"] = "Besoins\x00 des parents"
        return data, "$.survey.title.fr"
    if place == "slug":
        data["survey"]["slug"] = "parents\x00"
        return data, "$.survey.slug"
    if place == "label":
        question["label"]["en"] = "How\x00 many?"
        return data, "$.pages[0].questions[0].label.en"
    if place == "choice":
        question = next(q for q in data["pages"][0]["questions"] if q.get("choices"))
        index = data["pages"][0]["questions"].index(question)
        question["choices"][0]["code"] = "a\x00"
        return data, f"$.pages[0].questions[{index}].choices[0].code"
    if place == "key":
        question["\x00"] = "x"
        return data, "$.pages[0].questions[0]"
    raise AssertionError(place)


PLACES = ["title", "slug", "label", "choice", "key"]


@pytest.mark.parametrize("place", PLACES)
def test_nul_inside_an_imported_definition_is_refused_by_the_import_page(client, auth, csrf, create_process, place):
    auth.login(Role.FACILITATOR)
    process = create_process()
    data, path = _with_nul(place)
    response = _upload(client, csrf, process, "parents.json", json.dumps(data).encode())
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert path in page and NUL_MESSAGE in page
    assert "Le fichier a été refusé : rien n’a été importé." in page
    assert count_rows(Survey) == 0


@pytest.mark.parametrize("place", PLACES)
def test_nul_inside_a_definition_is_refused_by_import_form(runner, create_process, tmp_path, place):
    create_process()
    data, path = _with_nul(place)
    file = tmp_path / "parents.json"
    file.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import-form", str(file)])
    assert result.exit_code == 2
    assert path in result.stderr and NUL_MESSAGE in result.stderr
    assert count_rows(Survey) == 0


# --------------------------------------------------------------------------------------------------- .xlsx


@pytest.fixture
def openpyxl_must_not_open(monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("openpyxl was given the bomb")

    monkeypatch.setattr("openpyxl.load_workbook", refuse)


def test_an_xlsx_zip_bomb_is_refused_before_it_is_unpacked(client, auth, csrf, create_process, openpyxl_must_not_open):
    auth.login(Role.FACILITATOR)
    process = create_process()
    bomb = zip_bomb(128)
    assert len(bomb) < 1024 * 1024  # what is uploaded: well under the import page's 2 MB
    page = _upload(client, csrf, process, "bombe.xlsx", bomb).get_data(as_text=True)
    assert "Le classeur est trop volumineux une fois décompressé : 128 Mo" in page
    assert count_rows(Survey) == 0


def test_import_form_refuses_the_zip_bomb_too(runner, create_process, tmp_path, openpyxl_must_not_open):
    create_process()
    path = tmp_path / "bombe.xlsx"
    path.write_bytes(zip_bomb(64))
    result = runner.invoke(args=["import-form", str(path)])
    assert result.exit_code == 2 and "trop volumineux une fois décompressé" in result.stderr
    assert count_rows(Survey) == 0


def test_a_workbook_with_too_many_cells_is_refused_before_it_is_read(
    client, auth, csrf, create_process, openpyxl_must_not_open
):
    """Small once unpacked (a few MB), but 300,001 cells: refused from a count of the sheet's cells."""
    workbook = many_cells()
    assert len(workbook) < 500 * 1024  # the test client leaves a larger body's temporary file open
    auth.login(Role.FACILITATOR)
    page = _upload(client, csrf, create_process(), "cellules.xlsx", workbook)
    assert "Le classeur contient trop de cellules : plus de 300" in page.get_data(as_text=True)
    assert count_rows(Survey) == 0


def test_a_cell_far_to_the_right_is_refused_before_it_is_read(
    client, auth, csrf, create_process, openpyxl_must_not_open
):
    """openpyxl fills every row up to the rightmost cell: 2,000 rows × 16,384 columns from a tiny file."""
    auth.login(Role.FACILITATOR)
    page = _upload(client, csrf, create_process(), "large.xlsx", far_right())
    assert "au-delà de la colonne" in page.get_data(as_text=True)
    assert count_rows(Survey) == 0


def test_a_lying_sheet_dimension_does_not_matter(client, auth, csrf, create_process):
    """Some tools write <dimension ref="A1:XFD1048576"/>: the sheet is read by its real cells, and imported."""
    auth.login(Role.FACILITATOR)
    response = _upload(client, csrf, create_process(), "dimension.xlsx", lying_dimension())
    assert response.status_code == 302
    assert db.session.execute(db.select(Survey)).scalar_one().question("avis") is not None


# ------------------------------------------------------------------------------------------------------ CSV

# Cells that Python's csv module writes unquoted (no comma, no double quote, no line break) or quoted, and that
# a reader splitting on ";" (Excel in fr-CA, fr-FR…) turns into several cells, the second a formula.
SEMICOLON_ATTACKS = [
    'ok;=HYPERLINK("http://evil.example","clic")',
    "ok;+1+1",
    "ok;-1+1",
    "ok;@SUM(1)",
    "ok;\t=1",
    'ok;"=1+1"',
    "ok;;=1",
    "deux lignes\n=1+1",
    "retour\r=1+1",
    "a, b;=1",
    "=1;=2",
]


def _cells_read_with_semicolons(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";") for cell in row]


def _formulas(text: str) -> list[str]:
    return [cell for cell in _cells_read_with_semicolons(text) if cell.startswith(FORMULA_STARTS)]


def test_survey_csv_exports_hold_no_formula_for_a_semicolon_reader(client, auth, create_survey, create_territory):
    survey = make_export_survey(create_survey, slug="point-virgule")
    for text in SEMICOLON_ATTACKS:
        add_response(survey, {"idees": text, "garde": "other", "garde" + OTHER_SUFFIX: text})
    survey.question("aides").label_en = "Aides;=HYPERLINK(1)"
    survey.question("garde").choices[0].label_fr = "CPE;@SOMME(1)"
    db.session.commit()
    auth.login(Role.FACILITATOR)
    for url in (
        f"/surveys/{survey.id}/export.csv",
        f"/surveys/{survey.id}/export.csv?labels=1&lang=en",
        f"/surveys/{survey.id}/export.csv?labels=1&lang=fr",
        f"/surveys/{survey.id}/codebook.csv",
    ):
        text = client.get(url).get_data(as_text=True)
        assert "HYPERLINK" in text or "SOMME" in text or "=1" in text, url
        assert _formulas(text) == [], url
    # Read with commas, as written, every answer is still there.
    rows = list(csv.DictReader(io.StringIO(client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True))))
    assert [r["idees"] for r in rows][:1] == ['ok;\'=HYPERLINK("http://evil.example","clic")']


def test_voting_csv_exports_hold_no_formula_for_a_semicolon_reader(client, auth, create_ballot):
    options = ["Transport;=HYPERLINK(1)", "Budget;+1", "Option\n@SOMME(1)"]
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=options, status=BallotStatus.CLOSED)
    auth.login(Role.FACILITATOR)
    for url in (f"/manage/ballots/{ballot.id}/export/ballots.csv", f"/manage/ballots/{ballot.id}/export/results.csv"):
        text = client.get(url).get_data(as_text=True)
        assert "HYPERLINK" in text, url
        assert _formulas(text) == [], url
