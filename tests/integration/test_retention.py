"""Retention and erasure on request (Law 25)."""

import re
from datetime import timedelta

import pytest

from app.compliance.retention import purge_expired
from app.core.extensions import db
from app.models import Anonymity, Answer, AuditLog, RespondentContact, Response, ResponseStatus, Role, utcnow
from tests.conftest import count_rows, csrf_token_from


@pytest.fixture
def survey(create_survey):
    return create_survey([{"questions": [{"code": "avis", "type": "long_text"}]}], retention_days=30)


def _response(survey, *, days_ago: int, email: str | None = None) -> Response:
    moment = utcnow() - timedelta(days=days_ago)
    response = Response(
        survey=survey,
        survey_version=1,
        status=ResponseStatus.COMPLETE,
        started_at=moment,
        submitted_at=moment,
    )
    response.answers.append(Answer(question=survey.question("avis"), text_value=f"réponse d’il y a {days_ago} jours"))
    db.session.add(response)
    db.session.flush()
    if email:
        db.session.add(RespondentContact(response_id=response.id, email=email))
    db.session.commit()
    return response


def test_purge_deletes_only_responses_past_retention(survey, create_survey):
    keep_forever = create_survey([{"questions": [{"code": "avis", "type": "long_text"}]}])
    _response(survey, days_ago=31)
    _response(survey, days_ago=29)
    _response(keep_forever, days_ago=3000)
    assert purge_expired(utcnow()) == 1
    db.session.commit()
    assert count_rows(Response) == 2 and count_rows(Answer) == 2
    entry = db.session.execute(db.select(AuditLog).filter_by(action="responses.purge_expired")).scalar_one()
    assert entry.details["deleted"] == 1


def test_purge_command_dry_run_and_real(app, survey):
    _response(survey, days_ago=40)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge-expired", "--dry-run"])
    assert dry.exit_code == 0 and "1 responses older than" in dry.output and "nothing deleted" in dry.output
    assert count_rows(Response) == 1
    real = runner.invoke(args=["purge-expired"])
    assert real.exit_code == 0 and "Deleted 1 expired responses." in real.output
    assert count_rows(Response) == 0


def test_admin_finds_and_erases_an_identified_respondent(client, auth, create_survey, caplog):
    survey = create_survey([{"questions": [{"code": "avis", "type": "long_text"}]}], anonymity=Anonymity.IDENTIFIED)
    _response(survey, days_ago=1, email="parent@example.org")
    _response(survey, days_ago=2, email="autre@example.org")
    auth.login(Role.ADMIN)
    token = csrf_token_from(client.get("/admin/privacy").get_data(as_text=True))
    page = client.post("/admin/privacy", data={"email": "PARENT@example.org", "csrf_token": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "1 réponses trouvées" in html
    request_id = re.search(r'name="request_id" type="hidden" value="([0-9a-f]{16})"', html).group(1)
    response = client.post(
        "/admin/privacy/erase",
        data={"email": "parent@example.org", "request_id": request_id, "csrf_token": csrf_token_from(html)},
        follow_redirects=True,
    )
    erased_message = "Effacement : 1 réponse, 0 lien d’invitation, 0 invitation à créer un compte; 0 texte caviardé"
    assert f"{erased_message} (demande {request_id})." in response.get_data(as_text=True)
    assert count_rows(Response) == 1 and count_rows(RespondentContact) == 1
    assert db.session.execute(db.select(RespondentContact.email)).scalar_one() == "autre@example.org"
    actions = db.session.execute(db.select(AuditLog.action, AuditLog.details)).all()
    erased = {"request": request_id, "responses": 1, "invitations": 0, "accounts": 0, "texts": 0}
    assert ("respondent.erase", erased) in [(a, d) for a, d in actions]
    assert "parent@example.org" not in str([d for _, d in actions]) and "parent@example.org" not in caplog.text
