"""Crash safety: a multi-row write interrupted half-way leaves nothing half-saved.

The fault is injected where a real crash would hit (a lost connection, a full disk, a bug in a signal receiver):
on the Nth Answer of a page being inserted (an ORM ``before_insert`` event), or on one SQL statement of the action
(an engine ``before_cursor_execute`` event) once the first rows are already written. Each time: the person sees the
error page, every count is what it was before, and the next attempt (the same form sent again) succeeds.

Runs on SQLite and PostgreSQL with the per-test savepoint of tests/conftest.py: each request has its own session,
so its rollback returns exactly to where the request started, as a real transaction would.
"""

import contextlib
import io

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    Answer,
    AuditLog,
    BallotStatus,
    Cast,
    ModerationItem,
    PaperImport,
    Response,
    ResponseStatus,
    Role,
    SubmissionKey,
    VoterRecord,
    VotingMethod,
)
from tests.conftest import count_rows
from tests.integration.respond_helpers import Respondent
from tests.integration.voting_helpers import create_ballot, option_ids, post_vote

__all__ = ["create_ballot"]

ERROR_PAGE = "Une erreur inattendue s’est produite. L’équipe en a été informée; veuillez réessayer."
ROWS = [f"r{n}" for n in range(8)]


class Interrupted(RuntimeError):
    """The injected crash."""


@contextlib.contextmanager
def interrupt_statement(prefix: str):
    """The first SQL statement starting with ``prefix`` raises, before reaching the database."""
    hits = []

    def before_cursor_execute(_conn, _cursor, statement, *_args):
        if not hits and statement.lstrip().upper().startswith(prefix.upper()):
            hits.append(statement)
            raise Interrupted(f"crash on {prefix}")

    sa.event.listen(db.engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield hits
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", before_cursor_execute)


@pytest.fixture
def crashes_show_the_error_page(app, monkeypatch):
    """As in production: an exception becomes the 500 page (the test config would raise it into the test)."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


def snapshot() -> dict:
    db.session.expire_all()
    answers = db.session.execute(
        sa.select(Answer.question_id, Answer.choice_id, Answer.row_id, Answer.text_value).order_by(Answer.id)
    ).all()
    responses = db.session.execute(
        sa.select(Response.id, Response.status, Response.current_page, Response.submitted_at)
    ).all()
    return {
        "answers": sorted(map(tuple, answers), key=repr),
        "responses": list(map(tuple, responses)),
        "keys": count_rows(SubmissionKey),
        "items": count_rows(ModerationItem),
    }


@pytest.fixture
def long_survey(create_survey):
    """A page of 14 answers (a matrix of 8 rows, a multiple choice, texts), then a last page with an open question."""
    return create_survey(
        [
            {
                "questions": [
                    {"code": "services", "type": "matrix", "choices": ["1", "2", "3"], "rows": ROWS},
                    {"code": "aides", "type": "multiple_choice", "choices": ["a", "b", "c", "d"]},
                    {"code": "nom", "type": "short_text"},
                    {"code": "ville", "type": "short_text"},
                ]
            },
            {"questions": [{"code": "idee", "type": "long_text", "settings": {"open": True}}]},
        ],
        slug="longue",
    )


def page_one(level: str, text: str) -> list[tuple[str, str]]:
    return [
        *[(f"q_services:{row}", level) for row in ROWS],
        *[("q_aides", code) for code in "abcd"],
        ("q_nom", text),
        ("q_ville", text),
    ]


@pytest.mark.usefixtures("crashes_show_the_error_page")
def test_a_page_save_interrupted_while_inserting_its_answers_keeps_the_earlier_answers(client, long_survey):
    parent = Respondent(client)
    parent.start("/s/longue")
    parent.send(page_one("1", "avant"))
    parent.send({}, action="back")  # back to page 1, which now holds 14 answers
    assert "Page 1 de 2" in parent.html
    before = snapshot()
    assert len(before["answers"]) == 14

    # The person changes every answer; the server crashes while inserting the new rows, after the old rows were
    # deleted and the page's submission key recorded, in the same transaction.
    form = parent.form_data(page_one("3", "après"))
    with interrupt_statement("INSERT INTO answers") as hits:
        response = client.post(parent.action, data=form)
    assert len(hits) == 1
    assert response.status_code == 500 and ERROR_PAGE in response.get_data(as_text=True)
    assert snapshot() == before

    # The same form sent again (the browser's Back then Send): saved this time, all of it.
    response = client.post(parent.action, data=form, follow_redirects=True)
    assert response.status_code == 200 and "Page 2 de 2" in response.get_data(as_text=True)
    after = snapshot()
    assert len(after["answers"]) == 14 and after["keys"] == before["keys"] + 1
    assert {text for *_ids, text in after["answers"] if text} == {"après"}


@pytest.mark.usefixtures("crashes_show_the_error_page")
def test_a_completion_interrupted_after_its_rows_are_written_completes_nothing(client, long_survey):
    parent = Respondent(client)
    parent.start("/s/longue")
    parent.send(page_one("2", "texte"))
    before = snapshot()
    form = parent.form_data({"q_idee": "Des haltes-garderies le samedi."})

    # The last page: its answer is inserted, the response marked complete, then the moderation queue's insert
    # (a receiver of response_completed, in the same transaction) fails.
    with interrupt_statement("INSERT INTO moderation_items") as hits:
        response = client.post(parent.action, data=form)
    assert hits and response.status_code == 500 and ERROR_PAGE in response.get_data(as_text=True)
    assert snapshot() == before
    assert db.session.execute(sa.select(Response.status)).scalar_one() is ResponseStatus.IN_PROGRESS

    response = client.post(parent.action, data=form, follow_redirects=True)
    assert response.request.path == "/s/longue/thanks"
    db.session.expire_all()
    assert db.session.execute(sa.select(Response.status)).scalar_one() is ResponseStatus.COMPLETE
    assert len(snapshot()["answers"]) == 15
    assert db.session.execute(sa.select(ModerationItem.text)).scalars().all() == ["Des haltes-garderies le samedi."]


@pytest.mark.usefixtures("crashes_show_the_error_page")
def test_a_ballot_cast_interrupted_between_its_two_rows_counts_nothing(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, _c = option_ids(ballot)
    auth.login(Role.PARTNER)
    # The cast is written, then the "has voted" record fails.
    with interrupt_statement("INSERT INTO ballot_voters") as hits:
        response = post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "2"})
    assert hits and response.status_code == 500 and ERROR_PAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert count_rows(Cast) == 0 and count_rows(VoterRecord) == 0
    assert "Vous avez déjà voté" not in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)

    response = post_vote(client, ballot, {f"rank-{a}": "1", f"rank-{b}": "2"})
    assert response.status_code == 303
    db.session.expire_all()
    assert count_rows(Cast) == 1 and count_rows(VoterRecord) == 1
    assert db.session.execute(sa.select(Cast.contents)).scalar_one() == {str(a): 1, str(b): 2}


@pytest.mark.usefixtures("crashes_show_the_error_page")
def test_a_paper_import_interrupted_after_its_ballots_are_written_imports_nothing(client, auth, csrf, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL, status=BallotStatus.CLOSED)
    auth.login(Role.FACILITATOR)
    labels = [o.label_fr for o in ballot.options]
    content = (";".join(labels) + "\n" + "1;;\n;1;\n1;1;\n" * 10).encode()
    url = f"/manage/ballots/{ballot.id}/paper"

    def upload():
        return client.post(
            url,
            data={"file": (io.BytesIO(content), "assemblee.csv"), "csrf_token": csrf(url)},
            content_type="multipart/form-data",
        )

    # 30 paper ballots are inserted, then the record of the import (which refuses the same file twice) fails.
    with interrupt_statement("INSERT INTO ballot_paper_imports") as hits:
        response = upload()
    assert hits and response.status_code == 500 and ERROR_PAGE in response.get_data(as_text=True)
    db.session.expire_all()
    assert count_rows(Cast) == 0 and count_rows(PaperImport) == 0
    assert db.session.execute(sa.select(AuditLog).filter_by(action="ballot.import_paper")).first() is None

    # The file was not recorded as imported: sent again, it goes in, once.
    response = upload()
    assert response.status_code == 302
    db.session.expire_all()
    assert count_rows(Cast) == 30 and count_rows(PaperImport) == 1
