"""Invariants of the questionnaire schema that the database itself enforces."""

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Answer, Choice, IllegalTransition, Response, ResponseStatus, SurveyStatus
from tests.conftest import count_rows


@pytest.fixture
def survey(create_survey):
    return create_survey(
        [
            {"questions": [{"code": "age", "type": "single_choice", "choices": ["0-2", "3-5"]}]},
            {"questions": [{"code": "why", "type": "long_text"}]},
        ]
    )


def test_questions_come_in_respondent_order(survey):
    assert [q.code for q in survey.ordered_questions()] == ["age", "why"]
    assert [c.code for c in survey.question("age").choices] == ["0-2", "3-5"]


def test_a_choice_with_answers_cannot_be_deleted(survey):
    question = survey.question("age")
    response = Response(survey=survey, survey_version=1)
    response.answers.append(Answer(question=question, choice=question.choices[0]))
    db.session.add(response)
    db.session.commit()
    db.session.delete(question.choices[0])
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_deleting_a_survey_removes_its_responses_and_answers(survey):
    question = survey.question("age")
    response = Response(survey=survey, survey_version=1)
    response.answers.append(Answer(question=question, choice=question.choices[1]))
    db.session.add(response)
    db.session.commit()
    db.session.execute(sa.delete(type(survey)).where(type(survey).id == survey.id))
    db.session.commit()
    assert [count_rows(m) for m in (Response, Answer, Choice)] == [0, 0, 0]


def test_an_answer_must_hold_a_value(survey):
    response = Response(survey=survey, survey_version=1)
    response.answers.append(Answer(question=survey.question("why")))
    db.session.add(response)
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_submitted_at_only_on_complete_responses(survey):
    from app.models import utcnow

    db.session.add(Response(survey=survey, survey_version=1, status=ResponseStatus.IN_PROGRESS, submitted_at=utcnow()))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_survey_lifecycle(survey):
    survey.status = SurveyStatus.DRAFT
    with pytest.raises(IllegalTransition):
        survey.move_to(SurveyStatus.CLOSED)
    survey.move_to(SurveyStatus.OPEN)
    survey.move_to(SurveyStatus.CLOSED)
    assert survey.status is SurveyStatus.CLOSED
