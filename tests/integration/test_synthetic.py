from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.core.extensions import db
from app.devdata.demo import PROCESS_SLUG
from app.devdata.synthetic import generate_responses, top_up
from app.models import Answer, Choice, ModerationItem, Process, Question, Response, ResponseStatus, Survey
from tests.integration.export_helpers import make_export_survey

START = datetime(2026, 9, 1, tzinfo=UTC)
END = START + timedelta(days=30)


def _count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_exact_count_valid_codes_and_ranges(create_survey, create_territory):
    territories = [create_territory(code=c) for c in ("A", "B", "C")]
    survey = make_export_survey(create_survey)
    done = generate_responses(survey, 500, seed=3, start=START, end=END)
    db.session.commit()
    assert done.responses == 500 == _count(Response, Response.survey_id == survey.id)
    complete = _count(Response, Response.survey_id == survey.id, Response.status == ResponseStatus.COMPLETE)
    assert complete == done.complete and 350 < complete < 500  # a share is left in progress
    # Every chosen option belongs to its question; matrix rows too; territories are known ones.
    wrong_choice = _count(
        Answer,
        Answer.choice_id.is_not(None),
        ~sa.exists().where(Choice.id == Answer.choice_id, Choice.question_id == Answer.question_id),
    )
    assert wrong_choice == 0
    assert set(db.session.scalars(sa.select(Answer.territory_id).where(Answer.territory_id.is_not(None)))) <= {
        t.id for t in territories
    }
    rating = survey.question("note")
    low, high = db.session.execute(
        sa.select(sa.func.min(Answer.number_value), sa.func.max(Answer.number_value)).where(
            Answer.question_id == rating.id
        )
    ).one()
    assert 1 <= low <= high <= 5
    started = db.session.execute(
        sa.select(sa.func.min(Response.started_at), sa.func.max(Response.started_at)).where(
            Response.survey_id == survey.id
        )
    ).one()
    assert START <= started[0] < started[1] <= END
    assert (
        _count(
            Response,
            Response.survey_id == survey.id,
            Response.status == ResponseStatus.IN_PROGRESS,
            Response.submitted_at.is_not(None),
        )
        == 0
    )
    # Open texts of complete responses are in the moderation queue, "other" texts too.
    items = _count(ModerationItem, ModerationItem.survey_id == survey.id)
    assert items == done.moderation_items > 0
    assert _count(ModerationItem, ModerationItem.survey_id == survey.id, ModerationItem.text.like("%é%")) > 0


def test_deterministic_with_a_seed(create_survey, create_territory):
    create_territory(code="A")
    first, second = make_export_survey(create_survey), make_export_survey(create_survey)
    for survey in (first, second):
        generate_responses(survey, 50, seed=9, start=START, end=END, moderation_items=False)

    def fingerprint(survey: Survey):
        return db.session.execute(
            sa.select(Question.code, Answer.text_value, Answer.number_value, Answer.rank)
            .join(Question, Question.id == Answer.question_id)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey.id)
            .order_by(Answer.id)
        ).all()

    assert len(fingerprint(first)) > 100
    assert fingerprint(first) != fingerprint(second)  # the survey's id is part of the seed
    # The same survey, seed and offset give the same answers: delete and generate again.
    before = fingerprint(first)
    db.session.execute(sa.delete(Response).where(Response.survey_id == first.id))
    generate_responses(first, 50, seed=9, start=START, end=END, moderation_items=False)
    assert fingerprint(first) == before


def test_top_up_is_idempotent(create_survey, create_territory):
    create_territory(code="A")
    survey = make_export_survey(create_survey)
    assert top_up(survey, 120, start=START, end=END).responses == 120
    assert top_up(survey, 120, start=START, end=END).responses == 0
    assert top_up(survey, 150, start=START, end=END).responses == 30
    assert _count(Response, Response.survey_id == survey.id) == 150


def test_seed_demo_with_responses_tops_up(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--responses", "40"])
    assert result.exit_code == 0, result.output
    assert "Synthetic responses: 120 added" in result.output
    again = runner.invoke(args=["seed-demo", "--responses", "40"])
    assert "Synthetic responses: 0 added" in again.output
    process = db.session.execute(sa.select(Process).filter_by(slug=PROCESS_SLUG)).scalar_one()
    counts = db.session.execute(
        sa.select(Response.survey_id, sa.func.count())
        .join(Survey, Survey.id == Response.survey_id)
        .where(Survey.process_id == process.id)
        .group_by(Response.survey_id)
    ).all()
    assert sorted(c for _, c in counts) == [40, 40, 40]
