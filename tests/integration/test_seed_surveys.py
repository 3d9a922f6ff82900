"""seed-demo leaves the three template surveys open in the demo process; the process page lists them."""

from app.core.extensions import db
from app.devdata.demo import PROCESS_SLUG
from app.models import Process, Survey, SurveyStatus
from tests.conftest import count_rows


def test_seed_demo_opens_three_rich_surveys(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    for path in ("/s/besoins-parents-0-8", "/s/employeurs-etudes-travail", "/s/professions-en-demande"):
        assert path in result.output
    process = db.session.execute(db.select(Process).filter_by(slug=PROCESS_SLUG)).scalar_one()
    surveys = db.session.execute(db.select(Survey).order_by(Survey.id)).scalars().all()
    assert [s.title_fr for s in surveys] == [
        "Besoins des parents (0-8 ans)",
        "Pratiques des employeurs — conciliation études-travail",
        "Professions en demande",
    ]
    for survey in surveys:
        questions = survey.ordered_questions()
        answerable = [q for q in questions if q.type.is_answerable]
        conditions = [x for x in [*survey.pages, *questions] if x.relevant]
        assert survey.process_id == process.id and survey.status is SurveyStatus.OPEN
        assert len(answerable) >= 12 and len({q.type for q in questions}) >= 6 and len(conditions) >= 2
        assert survey.title_en and survey.privacy_fr and survey.privacy_en
        assert any(q.type.value == "territory" for q in questions)
    # Idempotent: nothing new the second time, the same paths printed.
    again = runner.invoke(args=["seed-demo"])
    assert "nothing new" in again.output and "/s/professions-en-demande" in again.output
    assert count_rows(Survey) == 3


def test_process_page_lists_what_is_open_now(app, client, create_survey, create_process):
    process = create_process()
    create_survey(process=process, title_fr="Ouvert à tous", slug="ouvert")
    create_survey(process=process, title_fr="Encore un brouillon", slug="brouillon", status=SurveyStatus.DRAFT)
    create_survey(process=process, title_fr="Déjà fermé", slug="ferme", status=SurveyStatus.CLOSED)
    page = client.get(f"/p/{process.slug}").get_data(as_text=True)
    assert "Ouvert maintenant : donnez votre avis" in page
    assert '<a href="/s/ouvert">Ouvert à tous</a>' in page
    assert "Encore un brouillon" not in page and "Déjà fermé" not in page
