"""The results page of a survey, as a facilitator sees it: numbers, filters, small counts, cross-tabulation,
charts with their tables, links, errors, access, and a number of queries that does not grow with the data."""

import re
from html import unescape

import pytest

from app.core.extensions import db
from app.models import Role
from tests.support.hostile import HOSTILE_STRINGS, NUL_STRING
from tests.support.results_data import add_response, build_results_survey


@pytest.fixture
def data(create_survey, create_territory):
    return build_results_survey(create_survey, create_territory)


@pytest.fixture
def facilitator(auth, create_user):
    return auth.login(create_user(Role.FACILITATOR, locale="en"))


def _text(html: str) -> str:
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _get(client, data, query: str = "", status: int = 200) -> str:
    response = client.get(f"/surveys/{data.survey.id}/results{query}")
    assert response.status_code == status, response.status_code
    return response.get_data(as_text=True)


def test_every_question_with_its_numbers_and_charts(client, facilitator, data):
    html = _get(client, data)
    text = _text(html)
    assert "Based on 12 complete responses." in text
    assert "0-2 5 41.7% 3-5 3 25% 6-8 2 16.7% Other 2 16.7%" in text
    assert "garde 7 63.6% lecture 5 45.5% transport 3 27.3%" in text
    assert "Yes 8 66.7% No 4 33.3%" in text
    assert "Mean 2.58 Median 2.5 Lowest 0 Highest 6" in text
    assert "a 1.58 7 58.3% 12" in text  # average rank, first places, share of first places, times ranked
    assert "r1 8 (66.7%) 4 (33.3%) 12" in text
    assert "Territoire A 6 50% Territoire B 6 50% Territoire C 0 0%" in text
    assert "grand-parent" in text and "tante" in text
    assert "2 answered, 10 without an answer Fewer than 5 answers: the figures are hidden" in text
    # One accessible chart per chart-able question (the texts have none; the matrix has one per row).
    charts = re.findall(r"<svg[^>]*>", html)
    assert len(charts) == 10
    assert all('role="img"' in svg and "aria-labelledby=" in svg for svg in charts)
    assert '<title id="results-q' in html


def test_text_question_links_to_its_approved_texts(client, facilitator, data):
    html = _get(client, data)
    question = data.question("comment")
    link = f"/moderation/items?question={question.id}&amp;state=approved"
    assert link in html
    assert "6 text answers. 3 approved in moderation." in _text(html)
    queue = _text(client.get(unescape(link)).get_data(as_text=True))
    assert "Plus de places en garderie." in queue and "Du soutien." in queue and "Des livres." in queue
    assert "Un autobus." not in queue  # pending


def test_filters_from_the_query_string(client, facilitator, data):
    territory = data.territories["A"].id
    text = _text(_get(client, data, f"?territory={territory}&attribute=group%3Dparents"))
    assert "Based on 5 complete responses. Filters are applied." in text
    assert "0-2 2 40% 3-5 2 40% 6-8 1 20% Other 0 0%" in text
    text = _text(_get(client, data, "?status=all"))
    assert "Based on 14 responses (complete or in progress)." in text


def test_small_segment_is_hidden(client, facilitator, data):
    text = _text(_get(client, data, "?language=en"))
    assert "Based on 3 complete responses." in text
    assert "Fewer than 5 responses match: the figures are hidden to protect respondents." in text
    assert "41.7%" not in text and "Question by question" not in text


def test_minimum_count_is_a_setting(app, client, facilitator, data, monkeypatch):
    monkeypatch.setitem(app.config, "RESULTS_MIN_COUNT", 3)
    text = _text(_get(client, data, "?language=en"))
    assert "Based on 3 complete responses." in text
    assert "Fewer than" not in text.split("Question by question")[0]
    assert "0-2 1 33.3%" in text


def test_invalid_filters_get_a_message_not_an_error(client, facilitator, data):
    html = _get(client, data, "?territory=abc&date_from=2024-13-45&segment=999999:1&row=999999", status=400)
    text = _text(html)
    assert "Choose a territory from the list." in text
    assert "Enter the date as YYYY-MM-DD" in text
    assert "Choose an answer from the list." in text
    assert "Choose a question from the list." in text
    assert "Based on" not in text


def test_crosstab_on_the_page(client, facilitator, data):
    age, where = data.question("age"), data.question("where")
    text = _text(_get(client, data, f"?row={age.id}&column={where.id}"))
    assert "Based on 12 respondents who answered both questions." in text
    assert "0-2 2 3 0 5" in text  # counts: A, B, C, total
    assert "0-2 40% 60% 0% 100%" in text  # row percentages
    assert "0-2 33.3% 50% —" in text  # column percentages (no one in C)
    # 3 respondents: shown to facilitators with a warning (issue 15), never masked on their page.
    assert "3-5 ⚠ (fewer than 5 respondents: read with care) 2 1 0 3" in text
    same = _get(client, data, f"?row={age.id}&column={age.id}", status=400)
    assert "Choose two different questions to cross." in _text(same)


def test_links_from_the_builder_and_the_survey_list(client, facilitator, data):
    url = f"/surveys/{data.survey.id}/results"
    assert url in client.get(f"/surveys/{data.survey.id}").get_data(as_text=True)
    listing = client.get(f"/surveys?process={data.survey.process_id}").get_data(as_text=True)
    assert url in listing
    assert f"/processes/{data.survey.process_id}/report" in listing


def test_partners_cannot_see_results(client, auth, data):
    auth.login("partner")
    assert client.get(f"/surveys/{data.survey.id}/results").status_code == 403


def test_unknown_survey_is_404(client, facilitator):
    assert client.get("/surveys/999999/results").status_code == 404


def test_french_page(client, auth, create_user, data):
    auth.login(create_user(Role.FACILITATOR, locale="fr_CA"))
    text = _text(_get(client, data))
    assert "Selon 12 réponses complètes." in text
    assert "Oui 8 66,7" in text
    assert "Moins de 5 réponses : les chiffres sont masqués pour protéger les répondants." in text


def test_queries_do_not_grow_with_responses(client, facilitator, create_survey, create_territory, count_queries):
    """10 then 200 more responses: the page runs the same number of queries (no N+1)."""
    small = build_results_survey(create_survey, create_territory, extra_complete=0)
    age, where = small.question("age"), small.question("where")
    url = f"/surveys/{small.survey.id}/results?row={age.id}&column={where.id}&status=all"
    client.get(url)  # warm up (session, caches)
    with count_queries() as few:
        assert client.get(url).status_code == 200
    answers = [
        {"question_id": age.id, "choice_id": age.choices[0].id},
        {"question_id": where.id, "territory_id": small.territories["A"].id},
    ]
    for _ in range(200):
        add_response(small.survey, answers, submitted=small.responses[0].submitted_at)
    db.session.commit()
    with count_queries() as many:
        response = client.get(url)
        assert response.status_code == 200
    assert "Based on 214 responses" in _text(response.get_data(as_text=True))
    assert many.count == few.count, (few.count, many.count)
    assert few.count <= 30


@pytest.mark.parametrize("value", [*HOSTILE_STRINGS, NUL_STRING, "9999-12-31", "0001-01-01", "2024-02-30", "-1", "1:"])
def test_hostile_filter_values_never_cause_an_error(client, facilitator, data, value):
    question = data.question("age")
    for name in ("territory", "segment", "attribute", "date_field", "date_from", "date_to", "language", "status"):
        response = client.get(f"/surveys/{data.survey.id}/results", query_string={name: value})
        assert response.status_code in (200, 400), (name, response.status_code)
        assert "<script>alert" not in response.get_data(as_text=True)
    response = client.get(
        f"/surveys/{data.survey.id}/results",
        query_string={"attribute": f"group={value}", "row": value, "column": str(question.id)},
    )
    assert response.status_code in (200, 400)


def test_links_to_the_exports_and_says_when_responses_are_purged(client, facilitator, data):
    data.survey.retention_days = 365
    db.session.flush()
    text = _text(_get(client, data))
    assert "Export every response (CSV, Excel, JSON)" in text
    assert "each export is written to the audit log" in text
    assert "Responses will be deleted on" in text and "365 days after" in text
    html = _get(client, data)
    assert f"/surveys/{data.survey.id}/exports" in html and f"/surveys/{data.survey.id}/codebook.csv" in html
