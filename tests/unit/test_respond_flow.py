"""The page-navigation step shared by respondents, the preview and paper entry (app/respond/flow.py)."""

import pytest

from app.respond import flow
from tests.unit.test_respond_engine import build


@pytest.fixture
def survey():
    return build(
        [
            {"questions": [{"code": "kids", "type": "numeric"}]},
            {"relevant": "${kids} > 0", "questions": [{"code": "ages", "type": "short_text"}]},
            {"questions": [{"code": "comment", "type": "long_text"}]},
        ]
    )


def test_next_goes_to_the_next_shown_page(survey):
    first, second, third = survey.pages
    assert flow.advance(survey, first, {}, {"kids": 2}, "next").page is second
    step = flow.advance(survey, first, {}, {"kids": 0}, "next")
    assert (step.to, step.page) == ("next", third)  # the second page is hidden by the answer just sent


def test_next_on_the_last_page_ends(survey):
    step = flow.advance(survey, survey.pages[2], {"kids": 0}, {"comment": "Merci"}, "next")
    assert (step.to, step.page) == ("end", None)
    assert step.values == {"kids": 0, "comment": "Merci"}


def test_back_goes_to_the_previous_shown_page_or_stays_on_the_first(survey):
    first, _second, third = survey.pages
    assert flow.advance(survey, third, {"kids": 0}, {}, "back").page is first
    step = flow.advance(survey, first, {}, {"kids": 1}, "back")
    assert (step.to, step.page) == ("previous", first)


@pytest.mark.parametrize("action", ["later", "language"])
def test_later_and_language_stay_on_the_page(survey, action):
    step = flow.advance(survey, survey.pages[0], {}, {"kids": 3}, action)
    assert (step.to, step.page) == ("same", survey.pages[0])


def test_the_page_answers_replace_the_stored_ones_of_its_questions_only():
    survey = build(
        [
            {"questions": [{"code": "grid", "type": "matrix", "choices": ["a", "b"], "rows": ["r1", "r2"]}]},
            {"questions": [{"code": "other", "type": "short_text"}]},
        ]
    )
    stored = {"grid:r1": "a", "grid:r2": "b", "other": "gardé"}
    step = flow.advance(survey, survey.pages[0], stored, {"grid:r1": "b"}, "next")
    assert step.values == {"grid:r1": "b", "other": "gardé"}
    assert step.page is survey.pages[1]
