"""The request boundary (app/web/boundary.py): one commit after a successful view, a rollback after an exception or
an error response, views that manage their own transaction left alone, GETs that never write except the records
they are marked for, and e-mail that leaves only after the boundary's commit.

An app of its own carries probe views (a route cannot be added to the suite's app once it has served a request);
it shares the suite's database session, so each test still runs in its own rolled-back transaction. The last
tests go through the real routes that used to write on a GET.
"""

import logging
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask import Blueprint, redirect

from app import create_app
from app.compliance import audit
from app.core.extensions import db
from app.core.mail import send_mail
from app.models import AuditLog, Ballot, BallotStatus, Cast, ModerationItem, Role, Territory, VotingMethod, utcnow
from app.web.boundary import UnsafeWrite, manages_own_transaction, records_access, writes_on_get
from tests.conftest import IsolatedClient, count_rows, database_url, finish_responses
from tests.integration.moderation_helpers import make_item
from tests.integration.voting_helpers import create_ballot, option_ids, post_vote

__all__ = ["create_ballot"]

probe = Blueprint("probe", __name__)


def _add(code: str) -> None:
    db.session.add(Territory(code=code, name=f"Territoire {code}"))


def _codes() -> set[str]:
    db.session.expire_all()
    return set(db.session.scalars(sa.select(Territory.code)))


@probe.post("/probe/ok")
def probe_ok():
    _add("OK")
    return "ok"


@probe.post("/probe/redirect")
def probe_redirect():
    _add("RD")
    return redirect("/")


@probe.post("/probe/crash")
def probe_crash():
    _add("CR")
    db.session.flush()
    raise RuntimeError("the view failed after writing")


@probe.post("/probe/refused/<int:status>")
def probe_refused(status: int):
    _add(f"R{status}")
    db.session.flush()
    return "refused", status


@probe.post("/probe/own")
@manages_own_transaction
def probe_own():
    _add("O1")
    db.session.commit()
    _add("O2")  # left uncommitted by the view: not the boundary's to commit
    return "ok"


@probe.post("/probe/mail/<int:status>")
def probe_mail(status: int):
    _add(f"M{status}")
    send_mail("someone@example.org", "Probe", "A link that must not leave before the commit.")
    return "sent", status


@probe.get("/probe/read")
def probe_read():
    return str(db.session.scalar(sa.select(sa.func.count()).select_from(Territory)))


@probe.get("/probe/write")
def probe_write():
    _add("GW")
    return "ok"


@probe.get("/probe/flushed")
def probe_flushed():
    _add("GF")
    db.session.flush()
    return "ok"


@probe.get("/probe/statement")
def probe_statement():
    db.session.execute(sa.update(Territory).values(name="renamed by a GET"))
    return "ok"


@probe.get("/probe/committed")
@manages_own_transaction
def probe_committed():
    _add("GC")
    db.session.commit()
    return "ok"


@probe.get("/probe/access")
@records_access
def probe_access():
    audit.record_access(None, "probe", object_type="probe", items=[1, 2])
    return "ok"


@probe.get("/probe/access-unmarked")
def probe_access_unmarked():
    audit.record_access(None, "probe", object_type="probe")
    return "ok"


@probe.get("/probe/access-and-write")
@records_access
def probe_access_and_write():
    audit.record_access(None, "probe", object_type="probe")
    _add("AW")
    return "ok"


@probe.post("/probe/access-refused")
@records_access
def probe_access_refused():
    _add("AR")
    audit.record(None, "probe.change", object_type="probe")
    audit.record_access(None, "probe", object_type="probe")
    db.session.flush()
    return "shown again", 400


@probe.get("/probe/target/<code>")
@writes_on_get(Territory, "population_target")
def probe_target(code: str):
    territory = db.session.scalars(sa.select(Territory).filter_by(code=code)).one()
    territory.population_target = 42
    return "ok"


@probe.get("/probe/rename/<code>")
@writes_on_get(Territory, "population_target")
def probe_rename(code: str):
    territory = db.session.scalars(sa.select(Territory).filter_by(code=code)).one()
    territory.name = "renamed by a GET"
    return "ok"


@pytest.fixture(scope="module")
def probe_app():
    app = create_app(
        "testing",
        {"SQLALCHEMY_DATABASE_URI": database_url(), "WTF_CSRF_ENABLED": False, "MAIL_SERVER": "smtp.example.test"},
    )
    app.register_blueprint(probe)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def probe_client(probe_app):
    return probe_app.test_client()


@pytest.fixture
def production(probe_app, monkeypatch):
    """As in production: not testing, not debugging; an exception answers the 500 page."""
    monkeypatch.setattr(probe_app, "testing", False)
    monkeypatch.setitem(probe_app.config, "PROPAGATE_EXCEPTIONS", False)


# --- commit or rollback ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "code"), [("/probe/ok", "OK"), ("/probe/redirect", "RD")])
def test_a_successful_post_is_committed(probe_client, url, code):
    assert probe_client.post(url).status_code in (200, 302)
    assert _codes() == {code}


def test_an_exception_rolls_back_what_was_flushed(probe_client):
    with pytest.raises(RuntimeError, match="after writing"):
        probe_client.post("/probe/crash")
    assert _codes() == set()


def test_an_exception_in_production_is_a_500_and_rolls_back(probe_client, production):
    assert probe_client.post("/probe/crash").status_code == 500
    assert _codes() == set()


@pytest.mark.parametrize("status", [400, 409, 422, 500, 503])
def test_an_error_response_rolls_back(probe_client, status):
    assert probe_client.post(f"/probe/refused/{status}").status_code == status
    assert _codes() == set()


def test_a_view_that_manages_its_own_transaction_keeps_only_what_it_committed(probe_client):
    assert probe_client.post("/probe/own").status_code == 200
    assert _codes() == {"O1"}


# --- e-mail after the commit ----------------------------------------------------------------------------------


def test_mail_leaves_after_the_boundary_commit_once_the_response_is_sent(probe_client, mail_outbox):
    response = probe_client.post("/probe/mail/200")
    assert response.status_code == 200 and _codes() == {"M200"}
    assert mail_outbox._sent == []  # not before the response has been sent (closed)
    finish_responses()
    assert [m["Subject"] for m in mail_outbox.messages] == ["Probe"]


def test_mail_of_an_error_response_is_dropped(probe_client, mail_outbox):
    assert probe_client.post("/probe/mail/422").status_code == 422
    assert mail_outbox.messages == [] and _codes() == set()


# --- GET never writes -----------------------------------------------------------------------------------------


def test_a_get_that_only_reads_is_fine(probe_client):
    assert probe_client.get("/probe/read").get_data(as_text=True) == "0"


@pytest.mark.parametrize(
    ("url", "written"),
    [
        ("/probe/write", "INSERT Territory"),
        ("/probe/flushed", "INSERT Territory"),
        ("/probe/statement", "UPDATE territories"),
        ("/probe/committed", "INSERT Territory"),
        ("/probe/rename/T1", "UPDATE Territory (name)"),
    ],
)
def test_a_get_that_writes_raises_in_testing(probe_client, url, written):
    db.session.add(Territory(code="T1", name="Territoire 1"))
    db.session.commit()
    with pytest.raises(UnsafeWrite, match=rf"GET probe\.\w+ wrote: {re.escape(written)}"):
        probe_client.get(url)
    db.session.expire_all()
    rows = {(t.code, t.name) for t in db.session.scalars(sa.select(Territory))}
    # A view that commits itself has written before the boundary could see it: reported all the same.
    committed = {("GC", "Territoire GC")} if url == "/probe/committed" else set()
    assert rows == {("T1", "Territoire 1"), *committed}


def test_a_get_that_writes_in_production_is_answered_rolled_back_and_logged(probe_client, production, caplog):
    with caplog.at_level(logging.ERROR, logger="app.web.boundary"):
        response = probe_client.get("/probe/flushed")
    assert response.status_code == 200
    assert _codes() == set()
    assert "GET probe.probe_flushed wrote: INSERT Territory" in caplog.text


def test_a_get_may_write_the_columns_it_is_marked_for(probe_client):
    db.session.add(Territory(code="T1", name="Territoire 1"))
    db.session.commit()
    assert probe_client.get("/probe/target/T1").status_code == 200
    db.session.expire_all()
    territory = db.session.scalars(sa.select(Territory)).one()
    assert (territory.population_target, territory.name) == (42, "Territoire 1")


# --- access records -------------------------------------------------------------------------------------------


def _access_entries() -> list[tuple[str, dict]]:
    db.session.expire_all()
    return [(e.action, e.details) for e in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))]


def test_a_get_marked_records_access_commits_its_audit_entry(probe_client):
    assert probe_client.get("/probe/access").status_code == 200
    assert _access_entries() == [("access.probe", {"items": [1, 2]})]


def test_an_access_record_needs_the_mark(probe_client):
    with pytest.raises(UnsafeWrite, match="records access without @records_access"):
        probe_client.get("/probe/access-unmarked")
    assert _access_entries() == []


def test_the_mark_allows_audit_entries_only(probe_client):
    with pytest.raises(UnsafeWrite, match="INSERT Territory"):
        probe_client.get("/probe/access-and-write")
    assert _codes() == set()


def test_in_production_a_marked_get_keeps_its_access_record_and_nothing_else(probe_client, production):
    assert probe_client.get("/probe/access-and-write").status_code == 200
    assert _codes() == set()
    assert [action for action, _details in _access_entries()] == ["access.probe"]


def test_an_error_response_keeps_the_access_record_only(probe_client):
    """A form shown again with 400 beside raw text: the action is rolled back, the reading is not."""
    assert probe_client.post("/probe/access-refused").status_code == 400
    assert _codes() == set()
    assert [action for action, _details in _access_entries()] == ["access.probe"]


# --- the real routes that used to write on a GET --------------------------------------------------------------


def test_the_marks_reach_the_registered_views(app):
    """Route and access decorators wrap the views: the marks must survive them, or the boundary would not see them."""
    marked = {
        endpoint: sorted(m for m in ("manages_own_transaction", "records_access", "writes_on_get") if hasattr(view, m))
        for endpoint, view in app.view_functions.items()
    }
    assert {endpoint: marks for endpoint, marks in marked.items() if marks} == {
        "exports.responses": ["records_access"],
        "moderation.decide_item": ["records_access"],
        "moderation.new_orientation": ["records_access"],
        "moderation.queue": ["records_access"],
        "moderation.redact_item_selection": ["records_access"],
        "moderation.show_item": ["records_access"],
        "moderation.split_orientation": ["records_access"],
        "respond.paper_page": ["records_access"],
        "respond.save_page": ["manages_own_transaction"],
        "voting.cast_vote": ["manages_own_transaction"],
        "voting.show_results": ["writes_on_get"],
    }


def test_the_moderation_queue_writes_its_access_record_and_nothing_else(client, auth, create_process):
    item = make_item(create_process(), "Appelez-moi au 819 555-0199.")
    auth.login(Role.FACILITATOR)
    before = count_rows(AuditLog)
    assert client.get("/moderation/items").status_code == 200
    entries = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id).offset(before)).all()
    assert [(e.action, e.details["items"]) for e in entries] == [("access.queue", [item.id])]
    assert db.session.get(ModerationItem, item.id).version == item.version


def test_an_item_page_shown_again_with_400_keeps_its_access_record(client, auth, create_process):
    item = make_item(create_process(), "Un texte à modérer.")
    auth.login(Role.FACILITATOR)
    page = client.get(f"/moderation/items/{item.id}").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    before = count_rows(AuditLog)
    response = client.post(
        f"/moderation/items/{item.id}/decide", data={"csrf_token": token, "action": "reject", "version": item.version}
    )
    assert response.status_code == 400  # a rejection without its reason
    entries = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id).offset(before)).all()
    assert [e.action for e in entries] == ["access.moderation_item"]


def test_pages_of_a_ballot_past_its_closing_time_write_nothing(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    assert post_vote(client, ballot, [("choice", str(option_ids(ballot)[0]))]).status_code == 303
    ballot.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    pseudonyms = [c.pseudonym for c in db.session.scalars(sa.select(Cast))]
    for url in ("/votes", f"/ballots/{ballot.id}", f"/ballots/{ballot.id}/results"):
        assert client.get(url).status_code in (200, 403)
    auth.logout()
    auth.login(Role.FACILITATOR)
    for url in (f"/manage/ballots/{ballot.id}", f"/manage/processes/{ballot.process_id}/ballots"):
        assert "Fermé" in client.get(url).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Ballot, ballot.id).status is BallotStatus.OPEN
    assert [c.pseudonym for c in db.session.scalars(sa.select(Cast))] == pseudonyms
