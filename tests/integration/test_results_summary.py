"""The per-survey summary of the unfiltered results (app/results/summary.py): the same figures as the answers give,
kept up to date by completions, never used when it does not count the complete responses, dropped with them; and
the results page's statements (the unfiltered page reads the summary, not the answers)."""

import re
from datetime import UTC, datetime
from html import unescape

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from app.compliance.retention import purge_expired
from app.core.extensions import db
from app.models import Response, ResponseStatus, ResultCount, ResultSummary, Role
from app.respond import storage
from app.results import summary
from app.results.aggregate import survey_results
from app.results.filters import ResultFilters
from tests.support.clients import finish_responses
from tests.support.results_data import add_response, build_results_survey


@pytest.fixture(autouse=True)
def _english():
    with force_locale("en"):
        yield


@pytest.fixture
def data(create_survey, create_territory):
    return build_results_survey(create_survey, create_territory)


def _figures(data, count_queries=None):
    territories = {t.id: t for t in data.territories.values()}
    results = survey_results(data.survey, ResultFilters(), territories, min_count=5)
    return results.total, [
        (
            r.question.code,
            r.answered,
            r.skipped,
            r.hidden,
            r.rows,
            r.stats,
            r.ranking,
            r.matrix,
            r.other_count,
            r.other_texts,
            r.approved_texts,
            r.earliest,
            r.latest,
        )
        for r in results.questions
    ]


def _reads_the_answers(statements: list[str]) -> bool:
    return any("GROUP BY answers.question_id, answers.row_id" in s for s in statements)


def test_the_summary_gives_the_figures_the_answers_give(data, count_queries):
    with count_queries() as live:
        from_answers = _figures(data)
    assert _reads_the_answers(live.statements)
    summary.rebuild(data.survey.id)
    db.session.flush()
    assert db.session.get(ResultSummary, data.survey.id).responses == 12
    with count_queries() as cached:
        from_summary = _figures(data)
    assert not _reads_the_answers(cached.statements)
    assert any("FROM result_summaries" in s for s in cached.statements)
    assert from_summary == from_answers
    assert from_summary[0] == 12


def test_a_completion_adds_to_the_summary(data, count_queries):
    summary.rebuild(data.survey.id)
    db.session.flush()
    waiting = db.session.scalars(sa.select(Response).filter_by(survey_id=data.survey.id, status="in_progress")).all()
    for response in waiting:
        storage.complete_response(response, data.survey, {}, now=datetime.now(UTC), require_answers=False)
    db.session.flush()
    with count_queries() as cached:
        from_summary = _figures(data)
    assert not _reads_the_answers(cached.statements)
    assert from_summary[0] == 14
    summary.forget([data.survey.id])
    with count_queries() as live:
        from_answers = _figures(data)
    assert _reads_the_answers(live.statements)
    assert from_summary == from_answers


def test_a_summary_that_does_not_count_the_responses_is_not_used(data, count_queries):
    summary.rebuild(data.survey.id)
    db.session.flush()
    other = {"question_id": data.question("age").id, "is_other": True, "text_value": "x"}
    response = add_response(data.survey, [other])
    db.session.flush()
    with count_queries() as counted:
        total, figures = _figures(data)
    assert _reads_the_answers(counted.statements)
    assert total == 13
    assert {f[0]: f[1] for f in figures}["age"] == 13
    db.session.delete(response)
    db.session.flush()
    with count_queries() as counted:
        assert _figures(data)[0] == 12
    assert not _reads_the_answers(counted.statements)


def test_purging_the_responses_drops_the_summary(data):
    summary.rebuild(data.survey.id)
    data.survey.retention_days = 30
    db.session.flush()
    assert purge_expired(datetime.now(UTC)) == 14
    assert db.session.get(ResultSummary, data.survey.id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ResultCount)) == 0


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_unfiltered_page_reads_the_summary_once_built(client, auth, create_user, data, count_queries):
    auth.login(create_user(Role.FACILITATOR, locale="en"))
    url = f"/surveys/{data.survey.id}/results"
    with count_queries() as first:
        page = client.get(url)
    assert page.status_code == 200
    assert _reads_the_answers(first.statements)
    finish_responses()  # the summary is built after the response
    assert db.session.get(ResultSummary, data.survey.id).responses == 12
    with count_queries() as second:
        again = client.get(url)
    assert not _reads_the_answers(second.statements)
    assert _text(again.get_data(as_text=True)) == _text(page.get_data(as_text=True))
    assert "Based on 12 complete responses." in _text(again.get_data(as_text=True))
    assert "Mean 2.58 Median 2.5 Lowest 0 Highest 6" in _text(again.get_data(as_text=True))
    # Statements of the page: the sign-in session, the survey (pages, questions, choices, process), the
    # territories, the analytic settings (PostgreSQL), the fingerprint, the summary, the "other" texts, the
    # approved texts (tests/integration/test_results_page.py guards the filtered page).
    assert second.count <= 14, second.statements
    assert second.count < first.count


def test_a_response_completed_in_progress_is_counted_on_the_next_page(client, auth, create_user, data):
    auth.login(create_user(Role.FACILITATOR, locale="en"))
    url = f"/surveys/{data.survey.id}/results"
    client.get(url)
    finish_responses()
    response = db.session.scalars(sa.select(Response).filter_by(survey_id=data.survey.id, status="in_progress")).first()
    storage.complete_response(response, data.survey, {}, now=datetime.now(UTC), require_answers=False)
    db.session.flush()
    assert response.status is ResponseStatus.COMPLETE
    text = _text(client.get(url).get_data(as_text=True))
    assert "Based on 13 complete responses." in text
    assert "0-2 6 46.2%" in text
