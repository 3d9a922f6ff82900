"""E-mail leaves only after the transaction of the action that wrote it commits: a failed commit sends nothing (the
link in it would not exist), a rollback drops what was queued, and a normal action sends exactly one message."""

from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.core.extensions import db
from app.core.mail import send_mail
from app.models import Invitation, Role, User
from tests.conftest import count_rows


@contextmanager
def commits_fail():
    """Every commit from here on fails, as when the database goes away between the writes and the COMMIT."""

    def refuse(_session):
        raise sa.exc.OperationalError("COMMIT", {}, Exception("the database went away"))

    sa.event.listen(Session, "before_commit", refuse)
    try:
        yield
    finally:
        sa.event.remove(Session, "before_commit", refuse)


@contextmanager
def commits_recorded(outbox):
    def record(_session):
        outbox.events.append("commit")

    sa.event.listen(Session, "after_commit", record, insert=True)  # before the listener that sends
    try:
        yield
    finally:
        sa.event.remove(Session, "after_commit", record)


@pytest.fixture
def server_errors(app, monkeypatch):
    """A failure answers the 500 page, as in production, instead of reaching the test."""
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)


@pytest.fixture
def survey(create_survey):
    return create_survey([{"questions": [{"code": "q", "type": "short_text"}]}], slug="mail-survey")


def _invite_user(client, csrf):
    return client.post(
        "/admin/users/invite",
        data={
            "email": "nouvelle@example.org",
            "name": "Nouvelle",
            "role": "partner",
            "organization_id": "0",
            "locale": "fr_CA",
            "csrf_token": csrf("/admin/users/invite"),
        },
    )


def _invite_respondents(client, csrf, survey):
    return client.post(
        f"/surveys/{survey.id}/invitations",
        data={
            "emails": "parent@example.org",
            "send": "y",
            "output": "page",
            "csrf_token": csrf(f"/surveys/{survey.id}/distribute"),
        },
    )


def test_a_failed_commit_sends_no_account_invitation(client, auth, csrf, mail_outbox, server_errors):
    auth.login(Role.ADMIN)
    token = csrf("/admin/users/invite")
    with commits_fail():
        response = client.post(
            "/admin/users/invite",
            data={
                "email": "nouvelle@example.org",
                "name": "Nouvelle",
                "role": "partner",
                "organization_id": "0",
                "locale": "fr_CA",
                "csrf_token": token,
            },
        )
        assert response.status_code == 500
        assert mail_outbox.messages == []
    assert db.session.execute(db.select(User).filter_by(email="nouvelle@example.org")).first() is None


def test_a_failed_commit_sends_no_survey_invitation(client, auth, csrf, survey, mail_outbox, server_errors):
    auth.login(Role.FACILITATOR)
    token = csrf(f"/surveys/{survey.id}/distribute")
    with commits_fail():
        response = client.post(
            f"/surveys/{survey.id}/invitations",
            data={"emails": "parent@example.org", "send": "y", "output": "page", "csrf_token": token},
        )
        assert response.status_code == 500
        assert mail_outbox.messages == []
    assert count_rows(Invitation) == 0


def test_a_failed_commit_sends_no_password_reset_link(client, csrf, create_user, mail_outbox, server_errors):
    user = create_user()
    token = csrf("/password/forgot")
    with commits_fail():
        response = client.post("/password/forgot", data={"email": user.email, "csrf_token": token})
        assert response.status_code == 302
        assert mail_outbox.messages == []


def test_a_failed_commit_sends_no_renewed_invitation(client, auth, csrf, create_user, mail_outbox, server_errors):
    auth.login(Role.ADMIN)
    invited = create_user(password=None)
    token = csrf(f"/admin/users/{invited.id}")
    with commits_fail():
        response = client.post(f"/admin/users/{invited.id}/invitation", data={"csrf_token": token})
        assert response.status_code == 500
        assert mail_outbox.messages == []


def test_inviting_a_partner_sends_exactly_one_message_after_the_commit(client, auth, csrf, mail_outbox):
    auth.login(Role.ADMIN)
    with commits_recorded(mail_outbox):
        assert _invite_user(client, csrf).status_code == 302
        messages = mail_outbox.messages
    assert [m["To"] for m in messages] == ["nouvelle@example.org"]
    assert mail_outbox.events[-2:] == ["commit", "sent"]


def test_inviting_respondents_sends_one_message_each_after_the_commit(client, auth, csrf, survey, mail_outbox):
    auth.login(Role.FACILITATOR)
    with commits_recorded(mail_outbox):
        assert _invite_respondents(client, csrf, survey).status_code == 200
        messages = mail_outbox.messages
    assert [m["To"] for m in messages] == ["parent@example.org"]
    assert mail_outbox.events[-2:] == ["commit", "sent"]


def test_a_password_reset_request_sends_one_message_after_the_commit(client, csrf, create_user, mail_outbox):
    user = create_user()
    with commits_recorded(mail_outbox):
        client.post("/password/forgot", data={"email": user.email, "csrf_token": csrf("/password/forgot")})
        messages = mail_outbox.messages
    assert [m["To"] for m in messages] == [user.email]
    assert mail_outbox.events[-2:] == ["commit", "sent"]


# Outside a request (commands, the work done after a response): the same queue, sent at the commit.


def test_a_message_waits_for_the_commit_outside_a_request(mail_outbox):
    send_mail("a@example.org", "Sujet", "Corps")
    assert mail_outbox.messages == []
    db.session.commit()
    assert [m["To"] for m in mail_outbox.messages] == ["a@example.org"]
    db.session.commit()
    assert len(mail_outbox.messages) == 1  # sent once, not at every later commit


def test_a_rollback_drops_the_queued_messages(mail_outbox):
    send_mail("a@example.org", "Sujet", "Corps")
    db.session.rollback()
    db.session.commit()
    assert mail_outbox.messages == []


def test_a_rolled_back_savepoint_drops_only_its_own_messages(mail_outbox):
    db.session.execute(sa.text("SELECT 1"))
    send_mail("kept@example.org", "Gardé", "Corps")
    savepoint = db.session.begin_nested()
    send_mail("dropped@example.org", "Abandonné", "Corps")
    savepoint.rollback()
    with db.session.begin_nested():
        send_mail("released@example.org", "Gardé aussi", "Corps")
    db.session.commit()
    assert sorted(m["To"] for m in mail_outbox.messages) == ["kept@example.org", "released@example.org"]


def test_a_failed_commit_outside_a_request_sends_nothing(mail_outbox):
    send_mail("a@example.org", "Sujet", "Corps")
    with commits_fail(), pytest.raises(sa.exc.OperationalError):
        db.session.commit()
    db.session.rollback()
    db.session.commit()
    assert mail_outbox.messages == []
