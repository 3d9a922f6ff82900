"""The respondent pages' cache of a survey (app/respond/structure.py): used, exact after every kind of change,
read-only, bounded."""

import pytest
import sqlalchemy as sa

from app.core.extensions import db
from app.models import Choice, ChoiceKind, Question, QuestionType, Response, Survey, SurveyStatus, Territory
from app.respond import structure
from tests.integration.respond_helpers import Respondent

PAGES = [
    {
        "title_fr": "Votre famille",
        "questions": [
            {"code": "territoire", "type": "territory", "label_fr": "Votre territoire"},
            {"code": "garde", "type": "single_choice", "label_fr": "Mode de garde", "choices": ["cpe", "familial"]},
        ],
    },
    {"title_fr": "Vos besoins", "questions": [{"code": "besoins", "type": "long_text", "label_fr": "Vos besoins"}]},
]


@pytest.fixture
def survey(create_survey, create_process, create_territory):
    process = create_process(territories=[create_territory("Sherbrooke", "SHE"), create_territory("Magog", "MAG")])
    return create_survey(PAGES, process=process)


@pytest.fixture
def respondent(client, survey):
    person = Respondent(client)
    person.start(f"/s/{survey.slug}")
    assert "Mode de garde" in person.html
    return person


def structure_key(survey_id: int) -> str:
    return db.session.execute(sa.select(Survey.structure_key).filter_by(id=survey_id)).scalar_one()


def test_the_next_request_reads_the_survey_from_the_cache(respondent, count_queries):
    with count_queries() as counted:
        respondent.get(respondent.response.request.path)
    assert respondent.response.status_code == 200
    assert "Mode de garde" in respondent.html
    loads = [s for s in counted.statements if "FROM survey_pages" in s or "FROM choices" in s]
    assert loads == []


def _rename_question(survey):
    db.session.get(Question, survey.questions[1].id).label_fr = "Mode de garde souhaité"
    return "Mode de garde souhaité"


def _add_choice(survey):
    question = db.session.get(Question, survey.questions[1].id)
    question.all_choices.append(Choice(kind=ChoiceKind.OPTION, position=9, code="ecole", label_fr="Garde scolaire"))
    return "Garde scolaire"


def _rename_choice(survey):
    choice = db.session.execute(sa.select(Choice).filter_by(code="familial")).scalar_one()
    choice.label_fr = "Milieu familial subventionné"
    return "Milieu familial subventionné"


def _add_question(survey):
    page = db.session.get(Survey, survey.id).pages[0]
    page.questions.append(
        Question(survey_id=survey.id, position=5, code="nouveau", type=QuestionType.SHORT_TEXT, label_fr="Votre âge")
    )
    return "Votre âge"


def _retitle_page(survey):
    db.session.get(Survey, survey.id).pages[0].title_fr = "Votre maisonnée"
    return "Votre maisonnée"


def _add_territory_to_process(survey):
    territory = Territory(code="COA", name="Coaticook")
    db.session.get(Survey, survey.id).process.territories.append(territory)
    return "Coaticook"


def _rename_territory(survey):
    db.session.execute(sa.select(Territory).filter_by(code="MAG")).scalar_one().name = "Memphrémagog"
    return "Memphrémagog"


@pytest.mark.parametrize(
    "change",
    [
        _rename_question,
        _add_choice,
        _rename_choice,
        _add_question,
        _retitle_page,
        _add_territory_to_process,
        _rename_territory,
    ],
)
def test_a_change_shows_on_the_next_request(respondent, survey, change):
    before = structure_key(survey.id)
    expected = change(survey)
    db.session.commit()
    assert structure_key(survey.id) != before
    respondent.get(respondent.response.request.path)
    assert respondent.response.status_code == 200
    assert expected in respondent.html


def test_a_deleted_question_and_a_closed_survey_show_on_the_next_request(respondent, survey):
    db.session.delete(db.session.get(Question, survey.questions[1].id))
    db.session.commit()
    page = respondent.response.request.path
    respondent.get(page)
    assert "Votre territoire" in respondent.html
    assert "Mode de garde" not in respondent.html

    db.session.get(Survey, survey.id).status = SurveyStatus.CLOSED
    db.session.commit()
    assert respondent.get(page).status_code == 410


def test_answers_keep_the_survey_key(respondent, survey):
    """Respondents' writes are not structure: the cache is not renewed by them."""
    before = structure_key(survey.id)
    respondent.client.post(respondent.action, data=respondent.form_data({"garde": "cpe"}))
    assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar() == 1
    assert structure_key(survey.id) == before


def test_cached_objects_refuse_to_join_a_session(app, survey):
    with app.test_request_context():
        cached = structure.survey_where(Survey.id == survey.id)
        assert sa.inspect(cached).detached
        assert cached.pages[0].questions[1].choices[0].code == "cpe"
        for instance in (cached, cached.pages[0].questions[1], cached.process.territories[0]):
            with pytest.raises(structure.FrozenStructureError):
                db.session.add(instance)
        assert structure.survey_where(Survey.id == survey.id) is cached


def test_the_cache_keeps_the_most_recently_used_surveys(app, create_survey):
    surveys = [create_survey(PAGES) for _ in range(3)]
    cache = structure.StructureCache(size=2)
    with app.test_request_context():
        first = cache.get(surveys[0].id, surveys[0].structure_key)
        cache.get(surveys[1].id, surveys[1].structure_key)
        assert cache.get(surveys[0].id, surveys[0].structure_key) is first  # now the most recent
        cache.get(surveys[2].id, surveys[2].structure_key)
        assert len(cache) == 2
        assert cache.get(surveys[0].id, surveys[0].structure_key) is first
        assert cache.get(surveys[1].id, "another key") is not None
        assert len(cache) == 2
