"""Adding a question type is one module and its template: a percentage type defined in the tests only
(tests/support/percentage_type.py and tests/support/templates/questions/percentage.html) is registered, then used
end to end: imported from a JSON definition in the builder, answered on /s/<slug>, stored in an Answer row,
summarized on the results page, exported to CSV with its codebook row, printed, edited in the builder and read from
an XLSForm. No other module of the application knows about it."""

import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from jinja2 import ChoiceLoader, FileSystemLoader
from openpyxl import Workbook

from app import create_app
from app.builder.definition import FORMAT, DefinitionInvalid, import_definition
from app.builder.xlsform import XLSFormInvalid, read_xlsform
from app.core.extensions import db
from app.devdata.synthetic import generate_responses
from app.models import Answer, Question, Response, ResponseStatus, Role, Survey, SurveyStatus
from app.questions import find_type, register, registered_types, unregister
from tests.integration.respond_helpers import Respondent
from tests.support.percentage_type import PercentageType
from tests.support.question_contract import CHECKS, Sample

TEMPLATES = Path(__file__).resolve().parents[1] / "support" / "templates"
MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


@pytest.fixture
def percentage_type(app):
    """The test-only type, registered with its template for the duration of one test."""
    register(PercentageType)
    loader = app.jinja_loader
    app.jinja_loader = ChoiceLoader([loader, FileSystemLoader(TEMPLATES)])
    try:
        yield find_type("percentage")
    finally:
        app.jinja_loader = loader
        unregister("percentage")


def definition() -> dict:
    return {
        "format": FORMAT,
        "version": 1,
        "survey": {"slug": "parts-du-budget", "title": {"fr": "Budget familial", "en": "Family budget"}},
        "pages": [
            {
                "questions": [
                    {
                        "code": "part",
                        "type": "percentage",
                        "label": {"fr": "Part du budget pour la garde", "en": "Share of the budget for childcare"},
                        "required": True,
                        "settings": {"tenths": True},
                        "constraint": ". <= 80",
                        "constraint_message": {"fr": "Au plus 80 %."},
                    },
                    {
                        "code": "commentaire",
                        "type": "short_text",
                        "label": {"fr": "Pourquoi?"},
                        "relevant": "${part} > 50",
                    },
                ]
            }
        ],
    }


def test_the_percentage_type_keeps_the_contract_of_every_type(percentage_type):
    sample = Sample(
        question={"code": "part", "type": "percentage", "label": {"fr": "Part"}, "settings": {"tenths": True}},
        valid={"q_part": "45,5 %"},
        value=Decimal("45.5"),
        invalid={"q_part": "120 %"},
        error="A percentage goes up to 100.",
        rows=[{"number_value": Decimal("45.5")}],
        cells={"part": Decimal("45.5")},
        json={"part": 45.5},
        codebook=[],
        operand=45.5,
        condition="${part} > 45",
    )
    for check in CHECKS:
        check(sample)


def test_a_type_defined_in_a_test_runs_end_to_end(app, client, auth, csrf, create_process, percentage_type):
    auth.login(Role.FACILITATOR)
    process = create_process()

    # The builder imports a definition that uses it.
    body = json.dumps(definition(), ensure_ascii=False).encode()
    imported = client.post(
        "/surveys/import",
        data={
            "process_id": process.id,
            "file": (io.BytesIO(body), "budget.json"),
            "csrf_token": csrf("/surveys/import"),
        },
        content_type="multipart/form-data",
    )
    assert imported.status_code == 302
    survey = db.session.execute(sa.select(Survey).filter_by(slug="parts-du-budget")).scalar_one()
    question = survey.question("part")
    assert (question.type, question.settings) == ("percentage", {"tenths": True})
    show = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert '<span class="badge">Percentage</span>' in show
    opened = client.post(f"/surveys/{survey.id}/open", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    assert opened.status_code == 302
    db.session.refresh(survey)
    assert survey.status is SurveyStatus.OPEN

    # A respondent answers it on /s/<slug>: its template renders the input, its field refuses and accepts.
    respondent = Respondent(app.test_client())
    respondent.start("/s/parts-du-budget")
    assert 'name="q_part"' in respondent.html and '<span class="unit">%</span>' in respondent.html
    assert "A percentage from 0 to 100." in respondent.html
    refused = respondent.send({"q_part": "120 %"})
    assert refused.status_code == 422 and "A percentage goes up to 100." in respondent.html
    refused = respondent.send({"q_part": "95"})  # the question's own constraint sees the number
    assert refused.status_code == 422 and "Au plus 80 %." in respondent.html
    respondent.send({"q_part": "45,5 %"})
    assert "Merci" in respondent.html

    # Its Answer row: the number, nothing else; the question shown only above 50 % was not asked.
    response = db.session.execute(sa.select(Response).filter_by(survey_id=survey.id)).scalar_one()
    assert response.status is ResponseStatus.COMPLETE
    rows = db.session.execute(
        sa.select(Answer.question_id, Answer.number_value, Answer.text_value, Answer.choice_id).where(
            Answer.response_id == response.id
        )
    ).all()
    assert [tuple(row) for row in rows] == [(question.id, Decimal("45.5"), None, None)]

    # Synthetic respondents (its synthetic_value), then the results page: its figures, from the shared SQL passes.
    generate_responses(survey, 8, seed=5, start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 2, 1, tzinfo=UTC))
    db.session.commit()
    answered = db.session.scalars(
        sa.select(Answer.number_value)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.question_id == question.id, Response.status == ResponseStatus.COMPLETE)
    ).all()
    quarters = [sum(1 for n in answered if low <= n < low + 25 or (low == 75 and n == 100)) for low in (0, 25, 50, 75)]
    results = client.get(f"/surveys/{survey.id}/results")
    html = " ".join(results.get_data(as_text=True).split())
    block = html[html.index(f'id="results-question-{question.id}"') :]
    block = block[: block.index("</section>")]
    assert results.status_code == 200 and f"Répondu : {len(answered)} · sans réponse : 0" in block
    assert "<dt>Moyenne</dt>" in block and "<dt>Médiane</dt>" in block
    assert f'<title id="results-q{question.id}-title">Part du budget pour la garde</title>' in block  # its chart
    for low, count in zip((0, 25, 50, 75), quarters, strict=True):
        assert f'<th scope="row">{low} % à {low + 25} %</th><td class="num">{count}</td>' in block

    # The CSV export has its column, the codebook its row.
    export = client.get(f"/surveys/{survey.id}/export.csv").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.DictReader(io.StringIO(export)))
    assert "part" in table[0] and "commentaire" in table[0]
    assert next(row for row in table if row["response_id"] == str(response.id))["part"] == "45.5"
    codebook = list(csv.reader(io.StringIO(client.get(f"/surveys/{survey.id}/codebook.csv").get_data(as_text=True))))
    assert [
        "part",
        "percentage",
        "Part du budget pour la garde",
        "Share of the budget for childcare",
        "",
        "",
        "",
        "",
    ] in codebook

    # Its definition, its printed form and its settings in the builder.
    exported = client.get(f"/surveys/{survey.id}/definition.json").get_json()
    assert exported["pages"][0]["questions"][0]["type"] == "percentage"
    printed = client.get(f"/surveys/{survey.id}/print").get_data(as_text=True)
    assert '<div class="write-box"></div> <span class="unit">%</span>' in printed
    new = f"/surveys/{survey.id}/pages/{survey.pages[0].id}/questions/new"
    page = client.get(f"{new}?type=percentage").get_data(as_text=True)
    assert "Allow tenths (45.5 %)" in page and "Percentage" in client.get(new).get_data(as_text=True)
    created = client.post(
        f"{new}?type=percentage",
        data={
            "csrf_token": csrf(f"{new}?type=percentage"),
            "type": "percentage",
            "code": "part2",
            "label_fr": "Autre part",
        },
    )
    assert created.status_code == 302
    added = db.session.execute(sa.select(Question).filter_by(survey_id=survey.id, code="part2")).scalar_one()
    assert (added.type, added.settings, added.required) == ("percentage", {}, False)


def test_an_xlsform_reads_the_registered_type(percentage_type):
    book = Workbook()
    sheet = book.active
    sheet.title = "survey"
    sheet.append(["type", "name", "label", "appearance"])
    sheet.append(["percentage", "part", "Part du budget", "tenths"])
    sheet.append(["percentages", "autre", "Autre"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(XLSFormInvalid) as refused:
        read_xlsform(buffer.getvalue(), fallback_title="Budget")
    assert [str(problem) for problem in refused.value.problems] == [
        "feuille survey, ligne 3, colonne type : Le type « percentages » ne peut pas être importé; les types sont "
        "select_one, select_multiple, rank, integer, decimal, text, date, note, range, percentage, begin group et "
        "end group."
    ]
    sheet.delete_rows(3)
    buffer = io.BytesIO()
    book.save(buffer)
    question = read_xlsform(buffer.getvalue(), fallback_title="Budget")["pages"][0]["questions"][0]
    assert (question["type"], question["settings"]) == ("percentage", {"tenths": True})


def test_an_unregistered_type_is_refused_with_the_registered_ones_listed(create_process):
    with pytest.raises(DefinitionInvalid) as refused:
        import_definition(definition(), create_process(), None)
    assert [(e.path, e.message) for e in refused.value.errors] == [
        (
            "$.pages[0].questions[0].type",
            "Type de question « percentage » inconnu; les types sont : short_text, long_text, single_choice, "
            "multiple_choice, yes_no, rating, numeric, date, ranking, matrix, territory, email, note.",
        )
    ]


def test_the_database_takes_any_type_key_after_the_migrations(fresh_database):
    """Types are keyed by the registry, not by a CHECK constraint of questions.type (migration 3efce3d00b9b)."""
    migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
    with migrated.app_context():
        upgrade(directory=MIGRATIONS)
        with db.engine.begin() as connection:
            now = connection.scalar(sa.select(sa.func.current_timestamp()))
            connection.execute(
                sa.text(
                    "INSERT INTO processes (id, slug, title_fr, title_en, purpose_fr, purpose_en, status, created_at) "
                    "VALUES (1, 'p', 'P', 'P', '', '', 'active', :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO surveys (id, process_id, slug, title_fr, title_en, intro_fr, intro_en, privacy_fr,"
                    " privacy_en, anonymity, status, version, structure_key, created_at) VALUES (1, 1, 's', 'S', '',"
                    " '', '', '', '', 'anonymous', 'draft', 1, 'k', :now)"
                ),
                {"now": now},
            )
            connection.execute(
                sa.text(
                    "INSERT INTO survey_pages (id, survey_id, position, title_fr, title_en,"
                    " intro_fr, intro_en, relevant) VALUES (1, 1, 0, '', '', '', '', '')"
                )
            )
            connection.execute(
                sa.text(
                    "INSERT INTO questions (survey_id, page_id, position, code, type, label_fr, label_en, help_fr,"
                    ' help_en, required, relevant, "constraint", constraint_message_fr, constraint_message_en,'
                    " settings) VALUES (1, 1, 0, 'part', 'percentage', 'Part', '', '', '', false, '', '', '', '',"
                    " '{}')"
                )
            )
            stored = connection.scalar(sa.text("SELECT type FROM questions"))
        db.engine.dispose()
    assert stored == "percentage"


def test_every_type_has_its_template_with_the_four_macros(app, percentage_type):
    with app.test_request_context():
        for qtype in registered_types():
            macros = qtype.macros
            assert all(callable(getattr(macros, name, None)) for name in ("answer", "results", "paper", "settings")), (
                qtype.key
            )
