"""Backup and restore give back the same data, table by table; a bad document restores nothing."""

import contextvars
import io
import json
import threading
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.compliance.backup import BackupError, iter_backup, restore_backup, write_backup
from app.core.extensions import db
from app.devdata.demo import seed_demo
from app.models import Answer, AuditLog, Question, Response, ResponseStatus, Survey, utcnow
from app.web.i18n import local_today

# These tests build their own databases with real sessions, outside the per-test transaction.
pytestmark = pytest.mark.committed

MIGRATIONS = str(Path(__file__).resolve().parents[2] / "migrations")


@pytest.fixture
def migrated_app(fresh_database):
    """A factory of apps on fresh databases migrated to head; their connection pools are closed afterwards."""
    apps = []

    def make():
        migrated = create_app("testing", {"SQLALCHEMY_DATABASE_URI": fresh_database()})
        with migrated.app_context():
            upgrade(directory=MIGRATIONS)
        apps.append(migrated)
        return migrated

    yield make
    for flask_app in apps:
        with flask_app.app_context():
            db.engine.dispose()


def _snapshot(connection) -> dict[str, list[dict]]:
    snapshot = {}
    for table in db.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        snapshot[table.name] = [dict(row) for row in connection.execute(sa.select(table).order_by(*order)).mappings()]
    return snapshot


def _fill(source_app, create_survey_spec: list) -> None:
    with source_app.app_context():
        seed_demo(local_today())
        db.session.flush()
        process = db.session.execute(sa.text("SELECT id FROM processes")).scalar_one()
        from app.models import Process, Question, QuestionType, SurveyPage

        survey = Survey(process=db.session.get(Process, process), slug="sondage", title_fr="Sondage « été »")
        page = SurveyPage(position=0)
        survey.pages.append(page)
        question = Question(survey=survey, position=0, code="note", type=QuestionType.NUMERIC, label_fr="Note")
        page.questions.append(question)
        response = Response(
            survey=survey, survey_version=1, status=ResponseStatus.COMPLETE, submitted_at=utcnow(), locale="en"
        )
        response.answers.append(Answer(question=question, number_value=Decimal("3.25")))
        response.answers.append(Answer(question=question, text_value="Émoji 🎉, <script>alert(1)</script>, \u200b"))
        db.session.add_all([survey, response, AuditLog(action="x", object_type="y", details={"clé": [1, "é"]})])
        db.session.commit()


def test_backup_then_restore_gives_back_every_table(migrated_app, tmp_path):
    source = migrated_app()
    _fill(source, [])
    with source.app_context(), db.engine.connect() as connection:
        before = _snapshot(connection)
        connection.rollback()  # the backup takes its own snapshot
        path = tmp_path / "backup.json"
        with path.open("w", encoding="utf-8") as out:
            write_backup(connection, out)
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "concerto-backup" and document["schema_revision"]

    target = migrated_app()
    with target.app_context():
        with db.engine.begin() as connection:
            counts = restore_backup(connection, path.read_text(encoding="utf-8"))
        with db.engine.connect() as connection:
            after = _snapshot(connection)
        # New rows still get fresh ids after a restore (sequences moved past the restored ones).
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(AuditLog.__table__).values(action="after", object_type="t", details={}, created_at=utcnow())
            )
    assert after == before
    assert counts["users"] == 4 and counts["answers"] == 2 and counts["territories"] == 9
    assert any(row["number_value"] == Decimal("3.25") for row in after["answers"])


def test_restore_refuses_a_non_empty_database_and_bad_documents(migrated_app):
    source = migrated_app()
    _fill(source, [])
    with source.app_context(), db.engine.connect() as connection:
        buffer = io.StringIO()
        write_backup(connection, buffer)
        with pytest.raises(BackupError, match="not empty"):
            restore_backup(connection, buffer.getvalue())

    target = migrated_app()
    good = json.loads(buffer.getvalue())
    broken_row = json.loads(buffer.getvalue())
    broken_row["tables"]["answers"][0]["response_id"] = 999_999
    bad_date = json.loads(buffer.getvalue())
    bad_date["tables"]["users"][0]["created_at"] = "hier"
    cases = {
        "{not json": "not a JSON document",
        json.dumps({"format": "other"}): "not a Concerto backup",
        json.dumps({**good, "schema_revision": "abc"}): "schema revision",
        json.dumps(broken_row): "answers",
        json.dumps(bad_date): "users', row 1",
    }
    with target.app_context():
        for document, message in cases.items():
            with pytest.raises(BackupError, match=message), db.engine.begin() as connection:
                restore_backup(connection, document)
            with db.engine.connect() as connection:
                assert all(not rows for rows in _snapshot(connection).values()), "a refused restore left rows"


def _invoke(flask_app, args):
    """Run a command against ``flask_app`` itself, not the test app whose context is pushed."""
    return contextvars.Context().run(flask_app.test_cli_runner().invoke, args=args)


def test_backup_and_restore_commands(migrated_app, tmp_path):
    source = migrated_app()
    _fill(source, [])
    out = tmp_path / "b.json"
    result = _invoke(source, ["backup", "--out", str(out)])
    assert result.exit_code == 0, result.output
    target = migrated_app()
    ok = _invoke(target, ["restore", str(out)])
    assert ok.exit_code == 0 and "Restored" in ok.output
    again = _invoke(target, ["restore", str(out)])
    assert again.exit_code == 2 and "not empty" in again.output


def test_a_response_committed_during_the_backup_is_wholly_in_it_or_wholly_out(migrated_app):
    """Another connection commits a response and its answers after the backup has read ``responses`` and before it
    reads ``answers``: the backup is one snapshot, so it holds neither, and restores."""
    source = migrated_app()
    _fill(source, [])
    with source.app_context():
        engine = db.engine
        with engine.connect() as connection:
            survey_id, question_id = connection.execute(
                sa.select(Question.__table__.c.survey_id, Question.__table__.c.id).where(Question.code == "note")
            ).one()

        def respond() -> None:
            with engine.begin() as connection:
                response_id = connection.execute(
                    sa.insert(Response.__table__)
                    .values(
                        survey_id=survey_id,
                        survey_version=1,
                        status="complete",
                        channel="web",
                        locale="fr_CA",
                        started_at=utcnow(),
                        submitted_at=utcnow(),
                        current_page=0,
                        attributes={},
                    )
                    .returning(Response.__table__.c.id)
                ).scalar_one()
                connection.execute(
                    sa.insert(Answer.__table__),
                    [
                        {"response_id": response_id, "question_id": question_id, "number_value": Decimal(n)}
                        for n in (4, 5)
                    ],
                )

        writer = threading.Thread(target=respond)
        chunks = []
        with engine.connect() as connection:
            for chunk in iter_backup(connection):
                chunks.append(chunk)
                if chunk.startswith(',\n"answers"'):  # "responses" is read, "answers" is not yet
                    writer.start()
                    # PostgreSQL: the write commits at once. SQLite: it waits for the backup's transaction to end.
                    writer.join(timeout=2)
        writer.join(timeout=30)
        with engine.connect() as connection:
            assert connection.execute(sa.select(sa.func.count()).select_from(Response.__table__)).scalar_one() == 2
    document = "".join(chunks)
    assert len(json.loads(document)["tables"]["responses"]) == 1

    target = migrated_app()
    with target.app_context(), db.engine.begin() as connection:
        counts = restore_backup(connection, document)
    assert counts["responses"] == 1 and counts["answers"] == 2
