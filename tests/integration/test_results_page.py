"""The results page of a survey: exact counts and percentages, filters, small counts, cross-tabulation."""

from pathlib import Path

import pytest

from tests.support.results_data import build_results_survey


@pytest.fixture
def data(create_survey, create_territory):
    return build_results_survey(create_survey, create_territory)


def test_smoke(client, auth, data):
    auth.login("facilitator")
    response = client.get(f"/surveys/{data.survey.id}/results")
    Path("/tmp/rs/page.html").write_text(response.get_data(as_text=True))
    assert response.status_code == 200
