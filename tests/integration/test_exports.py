import csv
import io
import json
import tracemalloc
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.devdata.synthetic import generate_responses
from app.exports.export import (
    ExportOptions,
    Layout,
    csv_cell,
    csv_chunks,
    iter_responses,
    json_chunks,
    load_survey,
    write_xlsx,
)
from app.models import AuditLog, ResponseStatus, Role
from app.questions.fields import other_code
from tests.integration.export_helpers import add_response, make_export_survey

FULL = {
    "territoire": "SHE",
    "garde": "other",
    "garde:other": "=cmd|' /C calc'!A0",
    "aides": ["info", "argent", "other"],
    "aides:other": "Grand-mère à Sherbrooke",
    "satisfaction": {"ecole": "2", "sante": "1"},
    "canaux": ["texto", "courriel"],
    "garderie": "yes",
    "note": 4,
    "enfants": 2,
    "date_entree": datetime(2026, 9, 1).date(),
    "idees": "@SUM(1+1) des places en garderie, s’il vous plaît",
}


@pytest.fixture
def survey(create_survey, create_territory):
    territory = create_territory(name="Sherbrooke", code="SHE")
    survey = make_export_survey(create_survey, slug="besoins-familles")
    add_response(survey, FULL, territories=[territory])
    add_response(survey, {"garde": "cpe", "garderie": "no"}, status=ResponseStatus.IN_PROGRESS, locale="en")
    return survey


def _csv(survey, **options):
    text = "".join(csv_chunks(survey.id, ExportOptions(**options)))
    return text, list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_csv_codes_one_row_per_response_with_columns_per_choice_row_and_rank(survey):
    text, rows = _csv(survey)
    assert text.startswith(
        "\ufeffresponse_id,status,channel,locale,started_at,submitted_at,paper_source,paper_filled_on,paper_territory,"
        "territoire,garde,garde/other,"
    )
    assert len(rows) == 2
    first, second = rows
    assert first["status"] == "complete" and first["locale"] == "fr_CA"
    assert first["started_at"] == "2026-10-01T12:00:00+00:00" and first["submitted_at"] == "2026-10-01T12:10:00+00:00"
    assert first["territoire"] == "SHE"
    assert first["garde"] == "other" and first["garde/other"] == "'=cmd|' /C calc'!A0"
    assert [first[f"aides/{c}"] for c in ("info", "repit", "argent")] == ["1", "0", "1"]
    assert first["aides/other"] == "Grand-mère à Sherbrooke"
    assert first["satisfaction/ecole"] == "2" and first["satisfaction/sante"] == "1"
    assert first["canaux/1"] == "texto" and first["canaux/2"] == "courriel"
    assert (first["garderie"], first["note"], first["enfants"], first["date_entree"]) == ("1", "4", "2", "2026-09-01")
    assert first["idees"] == "'@SUM(1+1) des places en garderie, s’il vous plaît"
    assert "courriel" not in first  # e-mail questions are never exported
    assert second["status"] == "in_progress" and second["submitted_at"] == ""
    assert second["garde"] == "cpe" and second["garderie"] == "0"
    assert second["aides/info"] == "" and second["territoire"] == ""  # not answered: empty, not 0


def test_csv_labels_in_english_and_french(survey):
    _text, rows = _csv(survey, labels=True, language="en")
    first = rows[0]
    assert first["Childcare"] == "Other" and first["Help wanted — Information"] == "Information"
    assert first["Help wanted — Respite"] == "" and first["Satisfaction — School"] == "Satisfied"
    assert first["Channels — 1"] == "Text message" and first["Daycare?"] == "Yes" and first["Territory"] == "Sherbrooke"
    _text, rows = _csv(survey, labels=True, language="fr")
    assert rows[0]["Satisfaction — Santé"] == "Insatisfait" and rows[1]["Garderie ?"] == "Non"


def test_json_one_object_per_response(survey):
    data = json.loads("".join(json_chunks(survey.id, ExportOptions())))
    assert len(data) == 2
    answers = data[0]["answers"]
    assert answers["aides"] == ["info", "argent", "other"] and answers["aides/other"] == "Grand-mère à Sherbrooke"
    assert answers["satisfaction"] == {"ecole": "2", "sante": "1"} and answers["canaux"] == ["texto", "courriel"]
    assert answers["garderie"] == 1 and answers["note"] == 4 and answers["date_entree"] == "2026-09-01"
    assert data[1] == {
        "response_id": data[1]["response_id"],
        "status": "in_progress",
        "channel": "web",
        "locale": "en",
        "started_at": "2026-10-01T12:00:00+00:00",
        "submitted_at": None,
        "paper_source": None,
        "paper_filled_on": None,
        "paper_territory": None,
        "answers": {"garde": "cpe", "garderie": 0},
    }


def test_xlsx_has_typed_cells_no_formula_and_a_codebook(survey, tmp_path):
    path = tmp_path / "export.xlsx"
    assert write_xlsx(survey.id, ExportOptions(), str(path)) == 2
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["réponses", "codebook"]
    sheet = workbook["réponses"]
    header = [c.value for c in sheet[1]]
    first = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert first["garde/other"] == "=cmd|' /C calc'!A0"
    assert sheet.cell(2, header.index("garde/other") + 1).data_type == "s"  # a string, never a formula
    assert first["aides/info"] == 1 and first["aides/repit"] == 0 and first["note"] == 4
    assert first["aides/other"] == "Grand-mère à Sherbrooke"
    assert first["date_entree"].date().isoformat() == "2026-09-01"
    codebook = [[c.value for c in row] for row in workbook["codebook"].iter_rows()]
    assert codebook[0][:4] == ["question_code", "question_type", "question_label_fr", "question_label_en"]
    assert ["aides", "multiple_choice", None, None, "option", "repit", "Répit", "Respite"] in codebook
    assert ["satisfaction", "matrix", None, None, "row", "ecole", "École", "School"] in codebook


def test_cli_exports_each_format_and_refuses_unknown_slug_and_format(app, survey, tmp_path):
    runner = app.test_cli_runner()
    for fmt in ("csv", "json", "xlsx"):
        out = tmp_path / f"out.{fmt}"
        result = runner.invoke(args=["export-responses", survey.slug, "--format", fmt, "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "Exported 2 responses" in result.output and out.stat().st_size > 0
    assert out.read_bytes().startswith(b"PK")
    assert (tmp_path / "out.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    unknown = runner.invoke(args=["export-responses", "nope", "--format", "csv", "--out", str(tmp_path / "x.csv")])
    assert unknown.exit_code != 0 and "no survey with the slug 'nope'" in unknown.output
    bad = runner.invoke(args=["export-responses", survey.slug, "--format", "pdf", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 2 and "pdf" in bad.output


def test_routes_stream_with_filenames_and_audit(client, auth, survey):
    user = auth.login(Role.FACILITATOR)
    response = client.get(f"/surveys/{survey.id}/export.csv?labels=1&lang=en")
    assert response.status_code == 200 and "Content-Length" not in response.headers  # streamed (chunked)
    assert response.headers["Content-Disposition"] == 'attachment; filename="besoins-familles-responses.csv"'
    assert response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf") and "Grand-mère à Sherbrooke".encode() in body
    xlsx = client.get(f"/surveys/{survey.id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.get_data().startswith(b"PK")
    assert xlsx.headers["Content-Disposition"].endswith("filename=besoins-familles-responses.xlsx")
    xlsx.close()  # closes the temporary file
    assert client.get(f"/surveys/{survey.id}/export.json").status_code == 200
    entries = db.session.scalars(db.select(AuditLog).filter_by(action="export_responses").order_by(AuditLog.id)).all()
    assert [(e.actor_id, e.object_id, e.details["format"]) for e in entries] == [
        (user.id, str(survey.id), "csv"),
        (user.id, str(survey.id), "xlsx"),
        (user.id, str(survey.id), "json"),
    ]
    assert entries[0].details["labels"] is True and entries[0].details["language"] == "en"
    codebook = client.get(f"/surveys/{survey.id}/codebook.csv")
    assert codebook.status_code == 200 and "Respite" in codebook.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).filter_by(action="export_responses")) == 3


def test_bad_export_requests(client, auth, survey):
    auth.login(Role.FACILITATOR)
    assert client.get(f"/surveys/{survey.id}/export.pdf").status_code == 404
    assert client.get(f"/surveys/{survey.id}/export.csv?lang=de").status_code == 400
    assert client.get("/surveys/999999/export.csv").status_code == 404
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).filter_by(action="export_responses")) == 0


def test_export_page_form(client, auth, survey):
    auth.login(Role.FACILITATOR)
    page = client.get(f"/surveys/{survey.id}/exports")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "2 réponses" in html and f"/surveys/{survey.id}/codebook.csv" in html
    chosen = client.get(f"/surveys/{survey.id}/exports?fmt=xlsx&labels=1&lang=en")
    assert chosen.status_code == 302
    assert chosen.headers["Location"].endswith(f"/surveys/{survey.id}/export.xlsx?labels=1&lang=en")
    wrong = client.get(f"/surveys/{survey.id}/exports?fmt=pdf&labels=1&lang=en")
    assert wrong.status_code == 400 and "error-summary" in wrong.get_data(as_text=True)
    builder = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert f'href="/surveys/{survey.id}/exports"' in builder


def _peak_bytes(survey, batch_size: int) -> int:
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    for _chunk in csv_chunks(survey.id, ExportOptions(), batch_size=batch_size):
        pass
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    return peak


def test_export_memory_does_not_grow_with_the_number_of_responses(create_survey, create_territory):
    create_territory(code="COA")
    small = make_export_survey(create_survey)
    large = make_export_survey(create_survey)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    generate_responses(small, 300, start=start, end=start + timedelta(days=20), moderation_items=False)
    generate_responses(large, 3_000, start=start, end=start + timedelta(days=20), moderation_items=False)
    db.session.commit()
    assert sum(1 for _ in iter_responses(large.id, batch_size=100)) == 3_000
    _peak_bytes(small, 100)  # warm-up: imports, compiled statements
    small_peak, large_peak = _peak_bytes(small, 100), _peak_bytes(large, 100)
    assert large_peak < 2 * small_peak, (small_peak, large_peak)


def _reference_csv(survey_id, options):
    """The CSV as the question types define it, a response and a column at a time (Layout.cells)."""
    layout = Layout(load_survey(survey_id), options)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow([csv_cell(v) for v in layout.headers()])
    for meta, answers in iter_responses(survey_id, batch_size=7):
        writer.writerow([csv_cell(v) for v in layout.cells(meta, answers)])
    return buffer.getvalue()


def _reference_json(survey_id, options):
    layout = Layout(load_survey(survey_id), options)
    objects = [json.dumps(layout.json_object(m, a), ensure_ascii=False) for m, a in iter_responses(survey_id)]
    return "[\n" + ",\n".join(objects) + "\n]\n" if objects else "[\n\n]\n"


@pytest.mark.parametrize(
    ("options", "clash"),
    [({}, False), ({"labels": True}, False), ({"labels": True, "language": "en"}, False), ({}, True)],
)
def test_streamed_exports_equal_the_per_response_definition_byte_for_byte(
    create_survey, create_territory, options, clash
):
    """The streamed CSV and JSON compute each question's cells once per distinct answer: the files must be the same,
    byte for byte, as building every cell of every response through its question type, whatever the order of the
    questions (the last question moved first: its answers come last from the database), and when a question's
    code is another's "other" key (``clash``: two JSON keys alike, the later value kept at the first place)."""
    create_territory(code="COA", name="Coaticook")
    survey = make_export_survey(create_survey)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    generate_responses(survey, 250, seed=3, start=start, end=start + timedelta(days=20), moderation_items=False)
    add_response(survey, FULL)  # formulas to neutralize, "other" texts
    add_response(survey, {}, status=ResponseStatus.IN_PROGRESS)  # nothing answered
    add_response(survey, {"idees": "une ligne\ndeux\r\n=trois"})  # line breaks alone: a quoted cell
    page = survey.pages[0]
    moved = page.questions[-2]  # "idees", a long text
    for question in page.questions:
        question.position += 1
    moved.position = 0
    if clash:
        garde = next(q for q in page.questions if q.code == "garde")
        next(q for q in page.questions if q.code == "note").code = f"garde/{other_code(garde)}"
    db.session.commit()
    db.session.expire_all()
    assert load_survey(survey.id).ordered_questions()[0].code == "idees"
    export = ExportOptions(**options)
    streamed = "".join(csv_chunks(survey.id, export, batch_size=40))
    assert streamed.count("\n") == 256
    assert streamed == _reference_csv(survey.id, export)
    assert "".join(json_chunks(survey.id, export, batch_size=40)) == _reference_json(survey.id, export)


def test_a_download_cut_short_leaves_no_reader_behind(create_survey, create_territory):
    """A client that goes away after the first rows closes the export's generator: its reading thread
    (PostgreSQL) has ended and the session still answers, and the next export is whole."""
    import threading

    create_territory(code="COA")
    survey = make_export_survey(create_survey)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    generate_responses(survey, 300, seed=5, start=start, end=start + timedelta(days=20), moderation_items=False)
    db.session.commit()
    chunks = csv_chunks(survey.id, ExportOptions(), batch_size=20)
    assert next(chunks).startswith("\ufeffresponse_id,")
    assert next(chunks).count("\n") == 20
    chunks.close()
    assert [t for t in threading.enumerate() if t.name == "export-prefetch"] == []
    assert db.session.execute(sa.text("SELECT 1")).scalar() == 1
    assert "".join(csv_chunks(survey.id, ExportOptions(), batch_size=20)).count("\n") == 301
