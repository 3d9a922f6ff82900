from datetime import UTC, date, datetime

import pytest

from app.core.extensions import db
from app.models import (
    AuditLog,
    Comment,
    Contribution,
    ParticipationTarget,
    ResponseStatus,
    Role,
    Sector,
    VoterRecord,
)
from app.participation import figures
from tests.conftest import csrf_token_from
from tests.integration.export_helpers import add_response
from tests.integration.moderation_helpers import make_orientation
from tests.integration.voting_helpers import make_ballot


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 10, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def known(create_process, create_survey, create_territory):
    """Six responses with known territories, days and durations."""
    a = create_territory(name="Aaa", code="A")
    b = create_territory(name="Bbb", code="B")
    c = create_territory(name="Ccc", code="C")
    process = create_process(territories=[a, b, c])
    survey = create_survey(
        [{"questions": [{"code": "territoire", "type": "territory"}, {"code": "q", "type": "yes_no"}]}],
        process=process,
    )
    db.session.add_all(
        [
            ParticipationTarget(process_id=process.id, territory_id=a.id, target=2),
            ParticipationTarget(process_id=process.id, territory_id=b.id, target=5),
        ]
    )
    ts = [a, b, c]
    add_response(survey, {"territoire": "A"}, territories=ts, started_at=at(1, 12), submitted_at=at(1, 12, 10))
    add_response(survey, {"territoire": "A"}, territories=ts, started_at=at(1, 14), submitted_at=at(1, 14, 20))
    add_response(survey, {"territoire": "B"}, territories=ts, started_at=at(2, 15), submitted_at=at(2, 15, 30))
    add_response(survey, {"territoire": "B"}, territories=ts, started_at=at(2, 16), status=ResponseStatus.IN_PROGRESS)
    # No territory answer: the invitation attribute says B.
    add_response(survey, {"q": "yes"}, attributes={"territory": "B"}, started_at=at(3, 12), submitted_at=at(3, 12, 40))
    # No territory at all.
    add_response(survey, {"q": "no"}, started_at=at(3, 13), submitted_at=at(3, 13, 5))
    return process, survey, (a, b, c)


def test_daily_and_totals(known):
    process, _survey, _ = known
    assert figures.daily_responses(process.id) == [
        figures.DayFigure(date(2026, 10, 1), 2, 2),
        figures.DayFigure(date(2026, 10, 2), 2, 1),
        figures.DayFigure(date(2026, 10, 3), 2, 2),
    ]
    totals = figures.totals(process.id)
    assert (totals.started, totals.complete) == (6, 5)
    assert totals.completion_rate == pytest.approx(5 / 6)
    assert totals.median_seconds == pytest.approx(1200)  # 300, 600, 1200, 1800, 2400


def test_median_of_an_even_count(known):
    process, survey, _ts = known
    add_response(survey, {"q": "no"}, started_at=at(4, 13), submitted_at=at(4, 14, 0))  # 3600 s
    assert figures.totals(process.id).median_seconds == pytest.approx((1200 + 1800) / 2)


def test_per_survey(known):
    process, survey, _ = known
    (figure,) = figures.survey_participation(process.id)
    assert (figure.survey_id, figure.started, figure.complete, figure.in_progress) == (survey.id, 6, 5, 1)
    assert figure.median_seconds == pytest.approx(1200)


def test_territory_participation_against_targets(known):
    process, _survey, _territories = known
    rows = [
        (f.name, f.responses, f.started, f.target, f.percent, f.under_target)
        for f in figures.territory_participation(process.id)
    ]
    assert rows == [
        ("Aaa", 2, 2, 2, 100.0, False),
        ("Bbb", 2, 3, 5, 40.0, True),
        ("Ccc", 0, 0, None, None, False),
        (None, 1, 1, None, None, False),  # not specified
    ]


def test_sector_activity_counts_voters_not_votes(known, create_organization, create_user):
    process, _survey, _ = known
    school = create_organization(sector=Sector.SCHOOL)
    partner = create_user(Role.PARTNER, organization=school)
    orientation = make_orientation(process)
    ballot = make_ballot(process)
    db.session.add_all(
        [
            Contribution(
                process_id=process.id, author_id=partner.id, organization_id=school.id, title="T", description="D"
            ),
            Comment(orientation_id=orientation.id, author_id=partner.id, text="Bien"),
            Comment(orientation_id=orientation.id, author_id=partner.id, text="Oui"),
            VoterRecord(ballot_id=ballot.id, user_id=partner.id, organization_id=school.id),
        ]
    )
    db.session.commit()
    by_sector = {f.sector: f for f in figures.sector_activity(process.id)}
    school_figure = by_sector[Sector.SCHOOL]
    assert (school_figure.contributions, school_figure.comments, school_figure.voters) == (1, 2, 1)
    assert by_sector[Sector.HEALTH].voters == 0


def test_dashboard_page(client, auth, known):
    process, _survey, _ = known
    auth.login(Role.FACILITATOR)
    response = client.get(f"/processes/{process.id}/participation")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<caption>" in html and 'scope="row"' in html
    assert "<meter" in html
    assert html.count('class="under-target"') == 1
    # The process page links to the dashboard for facilitators.
    assert f"/processes/{process.id}/participation" in client.get(f"/p/{process.slug}").get_data(as_text=True)


def test_target_form_saves_and_rejects_bad_values(client, auth, known):
    process, _survey, (a, b, c) = known
    auth.login(Role.FACILITATOR)
    url = f"/processes/{process.id}/participation"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    bad = client.post(
        f"{url}/targets",
        data={"csrf_token": token, f"target_{a.id}": "-3", f"target_{b.id}": "douze", f"target_{c.id}": "7"},
    )
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "error-summary" in html and 'value="douze"' in html and 'value="-3"' in html
    assert html.count("Entrez un nombre entier de 0 à 1 000 000.") == 4  # summary and field, two fields
    assert (
        db.session.scalar(db.select(ParticipationTarget.target).filter_by(process_id=process.id, territory_id=a.id))
        == 2
    )
    good = client.post(
        f"{url}/targets",
        data={"csrf_token": token, f"target_{a.id}": "10", f"target_{b.id}": "", f"target_{c.id}": "7"},
    )
    assert good.status_code == 302
    targets = dict(
        db.session.execute(
            db.select(ParticipationTarget.territory_id, ParticipationTarget.target).filter_by(process_id=process.id)
        ).all()
    )
    assert targets == {a.id: 10, c.id: 7}
    assert db.session.scalar(db.select(db.func.count(AuditLog.id)).filter_by(action="set_participation_targets")) == 1


def test_report_shows_the_same_participation_figures(client, auth, known):
    process, _survey, _territories = known
    auth.login(Role.FACILITATOR)
    response = client.get(f"/processes/{process.id}/report")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    section = html[html.index('id="participation"') : html.index('id="survey-results"')]
    assert "<dd>6</dd>" in section and "<dd>5</dd>" in section  # started, complete
    # Aaa: 2 complete against 2 (reached); Bbb: 2 complete against 5 (under target, the only one marked).
    assert section.count('class="under-target"') == 1
    assert "Cible atteinte" in section and "Sous la cible" in section
    assert "Non précisé" in section  # the response with no territory


def test_a_paper_questionnaire_counts_in_the_territory_where_it_was_filled_in(client, auth, known):
    process, survey, (_a, _b, c) = known
    response = add_response(survey, {"q": "yes"}, started_at=at(4, 9), submitted_at=at(4, 9, 30))
    response.paper_territory_id = c.id
    db.session.commit()
    rows = {f.name: f.responses for f in figures.territory_participation(process.id)}
    assert rows["Ccc"] == 1 and rows[None] == 1
