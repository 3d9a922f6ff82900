"""No answer lost to time: a respondent page, the Start button and a partner's ballot left open for hours, or sent
after the browser lost its session cookie, are shown again with what was typed and a plain message (never a bare
400), and saved once sent again. Their CSRF token has no time limit but stays bound to the session, so a
cross-site POST is still refused and saves nothing.

The clock is moved past Flask-WTF's 3,600 s by patching the time itsdangerous reads (CSRF tokens and the session
cookie are both timestamped by it).
"""

import re
import time
import types
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.core.extensions import csrf as csrf_protect
from app.core.extensions import db
from app.models import Anonymity, Answer, Cast, Invitation, Response, Role, VoterRecord, VotingMethod
from app.models.people import hash_token
from tests.conftest import count_rows, csrf_token_from
from tests.integration.respond_helpers import Respondent, answers_of
from tests.integration.voting_helpers import create_ballot, option_ids

__all__ = ["create_ballot"]

HOURS = 3600
PAGE_EXPIRED = "Vos réponses de cette page ne sont pas encore enregistrées (la page avait expiré)"
START_EXPIRED = "La page avait expiré : rien n’a encore commencé."
BALLOT_EXPIRED = "La page avait expiré : votre vote n’est pas encore enregistré."
RESUME_COOKIE = "concerto_resume_{}"


@contextmanager
def later(seconds: float):
    """Requests made inside run ``seconds`` in the future for every timestamp itsdangerous signs or checks."""
    import itsdangerous.timed

    real = itsdangerous.timed.time
    itsdangerous.timed.time = types.SimpleNamespace(time=lambda: time.time() + seconds)
    try:
        yield
    finally:
        itsdangerous.timed.time = real


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()


@pytest.fixture
def survey(create_survey, create_territory, create_process):
    process = create_process(territories=[create_territory("Sherbrooke", "SHE")])
    return create_survey(
        [
            {"questions": [{"code": "enfants", "type": "numeric", "required": True, "label_fr": "Enfants"}]},
            {
                "questions": [
                    {"code": "besoin", "type": "single_choice", "label_fr": "Besoin", "choices": ["repit", "info"]},
                    {"code": "idees", "type": "long_text", "label_fr": "Vos idées"},
                ]
            },
            {"questions": [{"code": "fin", "type": "short_text", "label_fr": "Un dernier mot"}]},
        ],
        process=process,
        slug="parents",
    )


PAGE_TWO = {"q_besoin": "repit", "q_idees": "Une halte-garderie le samedi"}


def on_page_two(client) -> Respondent:
    parent = Respondent(client)
    parent.start("/s/parents")
    parent.send({"q_enfants": "2"})
    assert parent.response.request.path == "/s/parents/page/2"
    return parent


def the_response() -> Response:
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalar_one()


def shows_page_two_as_typed(html: str) -> bool:
    return 'value="repit" checked>' in html and ">Une halte-garderie le samedi</textarea>" in html


def assert_expired_page(response, html: str) -> None:
    assert response.status_code == 400
    assert title_of(html).startswith("Erreur : Page 2 de 3")
    summary = html[html.index('class="error-summary"') : html.index('id="page-form"')]
    assert PAGE_EXPIRED in summary
    assert shows_page_two_as_typed(html)


# ------------------------------------------------------------------------------------------- survey pages


@pytest.mark.parametrize("hours", [2, 11])
def test_a_page_sent_hours_later_in_the_same_session_is_saved(client, survey, hours):
    """Past Flask-WTF's 3,600 s: the respondent's token has no time limit while the session lives (12 h)."""
    parent = on_page_two(client)
    with later(hours * HOURS):
        response = parent.send(PAGE_TWO)
    assert response.request.path == "/s/parents/page/3"
    assert [a[:4] for a in answers_of(the_response())] == [
        ("enfants", None, None, None),
        ("besoin", "repit", None, None),
        ("idees", None, None, "Une halte-garderie le samedi"),
    ]


def test_a_page_sent_after_the_session_expired_is_shown_again_as_typed_then_saved(client, survey):
    parent = on_page_two(client)
    with later(13 * HOURS):  # the session cookie (12 h) and the CSRF value it held are gone
        response = parent.send(PAGE_TWO)
        assert_expired_page(response, parent.html)
        assert the_response().current_page == 1 and [a[0] for a in answers_of(the_response())] == ["enfants"]

        # The page shown again carries a fresh token: the same answers, sent again, are saved.
        response = parent.send(PAGE_TWO)
    assert response.request.path == "/s/parents/page/3"
    assert [a[0] for a in answers_of(the_response())] == ["enfants", "besoin", "idees"]


def test_a_page_sent_after_the_session_cookie_was_lost_is_shown_again_then_saved(app, client, survey):
    parent = on_page_two(client)
    resume = client.get_cookie(RESUME_COOKIE.format(survey.id)).value
    # The phone kept the 60-day resume cookie but lost the session cookie (browser closed, cookies trimmed).
    phone = app.test_client()
    phone.set_cookie(RESUME_COOKIE.format(survey.id), resume)
    again = Respondent(phone)
    again.html = parent.html  # the page still on screen, with its old token
    response = again.send(PAGE_TWO)
    assert_expired_page(response, again.html)
    assert the_response().current_page == 1

    response = again.send(PAGE_TWO)
    assert response.request.path == "/s/parents/page/3"
    assert [a[0] for a in answers_of(the_response())] == ["enfants", "besoin", "idees"]


def test_every_button_of_an_expired_page_saves_nothing_until_sent_again(client, survey):
    parent = on_page_two(client)
    for action in ("back", "later", "language:en", "next"):
        with later(13 * HOURS):
            response = parent.client.post(parent.action, data=parent.form_data(PAGE_TWO, action=action))
        assert response.status_code == 400, action
        assert shows_page_two_as_typed(response.get_data(as_text=True))
    assert the_response().current_page == 1 and count_rows(Answer) == 1


# ------------------------------------------------------------------------------------- landing and invitation


def test_the_start_button_pressed_hours_later_starts(client, survey):
    parent = Respondent(client)
    parent.get("/s/parents")
    with later(2 * HOURS):
        response = parent.press_start()
    assert response.request.path == "/s/parents/page/1" and count_rows(Response) == 1


def test_the_start_button_pressed_after_the_session_expired_explains_and_starts_when_pressed_again(client, survey):
    parent = Respondent(client)
    parent.get("/s/parents")
    with later(13 * HOURS):
        response = parent.press_start()
        assert response.status_code == 400
        assert title_of(parent.html).startswith("Erreur : ")
        assert START_EXPIRED in parent.html[parent.html.index('class="error-summary"') :]
        assert count_rows(Response) == 0
        response = parent.press_start()
    assert response.request.path == "/s/parents/page/1" and count_rows(Response) == 1


def test_the_start_button_after_the_session_cookie_was_lost(app, client, survey):
    landing = Respondent(client)
    landing.get("/s/parents")
    phone = Respondent(app.test_client())
    phone.html = landing.html
    response = phone.press_start()
    assert response.status_code == 400 and START_EXPIRED in phone.html and count_rows(Response) == 0
    assert phone.press_start().request.path == "/s/parents/page/1" and count_rows(Response) == 1


def test_an_invitation_started_after_the_session_expired_explains_then_starts(client, create_survey):
    survey = create_survey(
        [{"questions": [{"code": "avis", "type": "short_text"}]}], slug="invite", anonymity=Anonymity.CONFIDENTIAL
    )
    invitation = Invitation(survey=survey, token_hash=hash_token("jeton-invitation-01"))
    db.session.add(invitation)
    db.session.commit()
    parent = Respondent(client)
    parent.get("/i/jeton-invitation-01")
    with later(13 * HOURS):
        response = parent.press_start()
        assert response.status_code == 400 and START_EXPIRED in parent.html
        assert title_of(parent.html).startswith("Erreur : ")
        db.session.expire_all()
        assert count_rows(Response) == 0 and db.session.get(Invitation, invitation.id).claim_hash is None
        response = parent.press_start()
    assert response.request.path == "/s/invite/page/1" and the_response().invitation_id == invitation.id


# ---------------------------------------------------------------------------------------------------- ballot


def test_a_ballot_sent_hours_later_is_counted(client, auth, create_ballot):
    ballot = create_ballot(method=VotingMethod.RANKING)
    a, b, _c = option_ids(ballot)
    auth.login(Role.PARTNER)
    token = csrf_token_from(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    with later(2 * HOURS):
        response = client.post(
            f"/ballots/{ballot.id}/vote", data={f"rank-{a}": "2", f"rank-{b}": "1", "csrf_token": token}
        )
    assert response.status_code == 303
    [cast] = db.session.execute(sa.select(Cast)).scalars().all()
    assert cast.contents == {str(a): 2, str(b): 1}


def test_a_ballot_sent_after_the_session_cookie_was_lost_keeps_the_choices(app, client, create_ballot, create_user):
    """Signed in with "keep me signed in": the remember cookie brings the person back, the CSRF session does not."""
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    a, _b, c = option_ids(ballot)
    user = create_user(Role.PARTNER)
    login = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post(
        "/login",
        data={"email": user.email, "password": "correct horse battery staple", "remember": "y", "csrf_token": login},
    )
    token = csrf_token_from(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
    laptop = app.test_client()
    laptop.set_cookie("remember_token", client.get_cookie("remember_token").value)

    response = laptop.post(
        f"/ballots/{ballot.id}/vote", data=MultiDict([("choice", str(a)), ("choice", str(c)), ("csrf_token", token)])
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and title_of(html).startswith("Erreur : ")
    assert BALLOT_EXPIRED in html[html.index('class="error-summary"') : html.index('id="ballot-form"')]
    assert f'value="{a}" id="choice-{a}" checked' in html and f'value="{c}" id="choice-{c}" checked' in html
    assert count_rows(Cast) == 0
    response = laptop.post(
        f"/ballots/{ballot.id}/vote",
        data=MultiDict([("choice", str(a)), ("choice", str(c)), ("csrf_token", csrf_token_from(html))]),
    )
    assert response.status_code == 303 and count_rows(Cast) == 1


# ---------------------------------------------------------------------------------------------------- attacks


def test_only_the_answering_forms_check_their_own_token(app):
    """The global CSRFProtect skips exactly these views; each validates its token itself (tested below)."""
    assert csrf_protect._exempt_views == {
        "app.respond.views.public.start_response",
        "app.respond.views.public.start_invitation_response",
        "app.respond.views.public.save_page",
        "app.voting.views.partner.cast_vote",
    }
    assert not csrf_protect._exempt_blueprints


def _forged(client, app, mode: str) -> dict:
    """No token at all, or the attacker's own valid token (from the attacker's own session)."""
    if mode == "missing":
        return {}
    attacker = app.test_client()
    return {"csrf_token": csrf_token_from(attacker.get("/login").get_data(as_text=True))}


@pytest.mark.parametrize("mode", ["missing", "attackers-own"])
def test_a_cross_site_post_to_a_page_saves_nothing(app, client, survey, mode):
    parent = on_page_two(client)
    # The attacker's page posts to the victim's survey page; the browser adds the victim's cookies.
    data = {**PAGE_TWO, "submission_key": parent.key, "action": "later", **_forged(client, app, mode)}
    response = client.post("/s/parents/page/2", data=data)
    assert response.status_code == 400 and PAGE_EXPIRED in response.get_data(as_text=True)
    assert the_response().current_page == 1 and count_rows(Answer) == 1


@pytest.mark.parametrize("mode", ["missing", "attackers-own"])
def test_a_cross_site_post_starts_nothing_and_claims_no_invitation(app, client, survey, mode, create_survey):
    parent = Respondent(client)
    parent.get("/s/parents")
    start_key = re.search(r'name="start_key" type="hidden" value="([^"]+)"', parent.html).group(1)
    assert client.post("/s/parents", data={"start_key": start_key, **_forged(client, app, mode)}).status_code == 400
    invited = create_survey(slug="invite-attaque", anonymity=Anonymity.CONFIDENTIAL)
    invitation = Invitation(survey=invited, token_hash=hash_token("jeton-attaque-0001"))
    db.session.add(invitation)
    db.session.commit()
    response = client.post("/i/jeton-attaque-0001", data={"start_key": start_key, **_forged(client, app, mode)})
    assert response.status_code == 400
    db.session.expire_all()
    assert count_rows(Response) == 0 and db.session.get(Invitation, invitation.id).claim_hash is None


@pytest.mark.parametrize("mode", ["missing", "attackers-own"])
def test_a_cross_site_vote_is_not_cast(app, client, auth, create_ballot, mode):
    ballot = create_ballot(method=VotingMethod.APPROVAL)
    auth.login(Role.PARTNER)
    data = {"choice": str(option_ids(ballot)[0]), **_forged(client, app, mode)}
    response = client.post(f"/ballots/{ballot.id}/vote", data=data)
    assert response.status_code == 400 and BALLOT_EXPIRED in response.get_data(as_text=True)
    assert count_rows(Cast) == 0 and count_rows(VoterRecord) == 0


def test_over_https_a_post_from_another_site_is_refused_even_with_a_valid_token(app, survey):
    """Flask-WTF's strict referrer check (HTTPS) still applies to the views that check their own token."""
    browser = app.test_client()
    parent = Respondent(browser)
    parent.get("https://localhost/s/parents")
    data = {
        "csrf_token": csrf_token_from(parent.html),
        "start_key": re.search(r'name="start_key" type="hidden" value="([^"]+)"', parent.html).group(1),
    }
    response = browser.post("https://localhost/s/parents", data=data, headers={"Referer": "https://evil.example/"})
    assert response.status_code == 400 and count_rows(Response) == 0
    response = browser.post(
        "https://localhost/s/parents", data=data, headers={"Referer": "https://localhost/s/parents"}
    )
    assert response.status_code == 302 and count_rows(Response) == 1
