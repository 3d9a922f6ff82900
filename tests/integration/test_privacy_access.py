"""Law 25: staff access to raw responses and unredacted text is written to the audit log (one entry per page
view, naming what was shown, never the text), and facilitators see when responses will be deleted."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.compliance.retention import PurgeNotice, purge_notice
from app.core.extensions import db
from app.models import (
    Answer,
    AuditLog,
    ItemState,
    Response,
    ResponseChannel,
    ResponseStatus,
    Role,
    utcnow,
)
from tests.conftest import AuthActions
from tests.integration.moderation_helpers import make_item, make_orientation

SECRET = "Appelez Julie Tremblay au 819-555-0142"


def access_entries() -> list[AuditLog]:
    db.session.expire_all()
    return db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action.startswith("access.")).order_by(AuditLog.id)
    ).all()


def _summary(entries):
    return [(e.action, e.object_type, e.object_id, e.details) for e in entries]


# ---------------------------------------------------------------------------------------- access is audited


def test_each_view_of_an_items_original_text_is_one_audit_entry(client, auth, create_process):
    process = create_process()
    first = make_item(process, SECRET, scan=True)
    facilitator = auth.login(Role.FACILITATOR)
    for _ in range(2):
        page = client.get(f"/moderation/items/{first.id}").get_data(as_text=True)
        assert "Texte original" in page and "Julie Tremblay" in page
    entries = access_entries()
    assert _summary(entries) == [("access.moderation_item", "moderation_items", str(first.id), {"siblings": []})] * 2
    assert all(e.actor_id == facilitator.id for e in entries)
    assert SECRET not in str([e.details for e in entries])


def test_item_page_names_the_other_items_of_the_response_it_shows(client, auth, create_process, create_survey):
    survey = create_survey(process=create_process())
    response = Response(survey=survey, survey_version=1, status=ResponseStatus.COMPLETE, submitted_at=utcnow())
    db.session.add(response)
    db.session.commit()
    one = make_item(survey.process, "Première", response=response)
    two = make_item(survey.process, "Deuxième", response=response)
    auth.login(Role.FACILITATOR)
    assert "Deuxième" in client.get(f"/moderation/items/{one.id}").get_data(as_text=True)
    assert [e.details for e in access_entries()] == [{"siblings": [two.id]}]


def test_the_queue_is_one_entry_per_view_listing_the_items_shown(client, auth, create_process):
    auth.login(Role.FACILITATOR)
    client.get("/moderation/items")
    assert access_entries() == []  # nothing shown, nothing to log
    process = create_process()
    items = [make_item(process, f"{SECRET} {n}") for n in range(3)]
    page = client.get(f"/moderation/items?process={process.id}").get_data(as_text=True)
    assert "Julie Tremblay" in page
    [entry] = access_entries()
    assert (entry.action, entry.object_type, entry.object_id) == ("access.queue", "moderation_item", None)
    assert sorted(entry.details["items"]) == sorted(i.id for i in items)


def test_split_page_is_audited_only_when_it_shows_unapproved_originals(client, auth, create_process):
    process = create_process()
    approved = make_item(process, "Approuvé", state=ItemState.APPROVED)
    orientation = make_orientation(process, [approved])
    auth.login(Role.FACILITATOR)
    url = f"/moderation/orientations/{orientation.id}/split"
    assert client.get(url).status_code == 200
    assert access_entries() == []
    pending = make_item(process, SECRET)
    other = make_orientation(process, [approved, pending], title="Autre")
    page = client.get(f"/moderation/orientations/{other.id}/split").get_data(as_text=True)
    assert "Julie Tremblay" in page
    assert _summary(access_entries()) == [
        ("access.orientation_evidence", "orientations", str(other.id), {"items": [pending.id]})
    ]


def test_opening_someone_elses_paper_entry_is_audited(app, client, auth, create_user, create_survey):
    survey = create_survey([{"questions": [{"code": "avis", "type": "short_text"}]}, {"questions": []}])
    author = create_user(Role.FACILITATOR)
    paper = Response(survey=survey, survey_version=1, channel=ResponseChannel.PAPER, entered_by_id=author.id)
    paper.answers.append(Answer(question=survey.question("avis"), text_value="Écrit sur papier"))
    db.session.add(paper)
    db.session.commit()
    url = f"/surveys/{survey.id}/paper/{paper.id}/page/1"

    own = app.test_client()
    AuthActions(own, create_user).login(author)
    assert "Écrit sur papier" in own.get(url).get_data(as_text=True)
    assert access_entries() == []  # the author reads back what they typed

    colleague = auth.login(Role.FACILITATOR)
    assert "Écrit sur papier" in client.get(url).get_data(as_text=True)
    entries = access_entries()
    assert _summary(entries) == [("access.response", "responses", str(paper.id), {"survey_id": survey.id, "page": 1})]
    assert entries[0].actor_id == colleague.id


def test_audit_log_page_shows_the_access_entries(client, auth, create_process):
    item = make_item(create_process(), SECRET)
    auth.login(Role.ADMIN)
    client.get(f"/moderation/items/{item.id}")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "access.moderation_item" in page and SECRET not in page


# ------------------------------------------------------------------------------------------ purge dates


def _at(day: int) -> datetime:
    return datetime(2026, 3, day, 15, 0, tzinfo=UTC)


def _responses(survey, *days):
    for day in days:
        db.session.add(
            Response(
                survey=survey,
                survey_version=1,
                status=ResponseStatus.COMPLETE,
                started_at=_at(day),
                submitted_at=_at(day),
            )
        )
    db.session.commit()


def test_purge_notice_is_computed_from_the_oldest_and_newest_responses(create_survey):
    kept = create_survey()
    assert purge_notice(kept, _at(1)) == PurgeNotice(None)
    survey = create_survey(retention_days=30)
    assert purge_notice(survey, _at(1)) == PurgeNotice(30)
    _responses(survey, 2, 9, 5)
    _responses(kept, 1)
    notice = purge_notice(survey, _at(20))
    assert (notice.first, notice.last, notice.overdue) == (_at(2) + timedelta(30), _at(9) + timedelta(30), False)
    assert purge_notice(survey, _at(2) + timedelta(days=31)).overdue


@pytest.mark.parametrize(
    ("retention", "days", "text"),
    [
        (None, (), "Aucune durée de conservation : les réponses sont gardées jusqu’à ce que quelqu’un les supprime."),
        (1, (), "Les réponses seront supprimées 1 jour après leur envoi."),
        (90, (), "Les réponses seront supprimées 90 jours après leur envoi."),
        (30, (2,), "Les réponses seront supprimées le 1 avril 2026 (30 jours après leur envoi)."),
        (
            30,
            (2, 9),
            "Les réponses seront supprimées le 1 avril 2026 pour la plus ancienne, et le 8 avril 2026 pour la plus "
            "récente (30 jours après l’envoi de chacune).",
        ),
    ],
)
def test_facilitators_see_when_responses_will_be_deleted(client, auth, create_survey, retention, days, text):
    survey = create_survey(retention_days=retention)
    _responses(survey, *days)
    auth.login(Role.FACILITATOR)
    for url in (f"/surveys/{survey.id}", f"/surveys/{survey.id}/paper"):
        page = client.get(url).get_data(as_text=True)
        assert " ".join(page.split()).count(text) == 1, url
    overdue = "Certaines ont déjà dépassé cette durée : la prochaine purge les supprime."
    assert (overdue in page) == bool(days)  # March 2026 plus 30 days is already past


def test_moderation_item_says_when_its_response_will_be_deleted(client, auth, create_survey):
    survey = create_survey(retention_days=30)
    _responses(survey, 2)
    response = db.session.scalars(sa.select(Response)).one()
    item = make_item(survey.process, "Texte", response=response)
    auth.login(Role.FACILITATOR)
    page = client.get(f"/moderation/items/{item.id}").get_data(as_text=True)
    assert "supprimée avec cet élément le 1 avril 2026 (durée de conservation du questionnaire)" in page
