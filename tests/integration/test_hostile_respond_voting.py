"""The hostile corpus posted into every text field a respondent, a voter or a partner fills in: never a 500, stored
exactly (after the documented clean-up of app.questions.fields.clean_text: Unix line breaks, control characters
dropped, trimmed, one-line answers on one line), refused with a clear French message for NUL and over-long input,
and displayed escaped wherever it is shown back."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.core.extensions import db
from app.models import (
    Answer,
    Cast,
    Comment,
    Contribution,
    ModerationItem,
    OrientationState,
    PhaseKind,
    Response,
    ResponseStatus,
    Role,
    VoterRecord,
    VotingMethod,
)
from app.questions.fields import clean_text
from app.web.i18n import local_today
from tests.conftest import AuthActions, count_rows, csrf_token_from
from tests.integration.moderation_helpers import make_orientation
from tests.integration.respond_helpers import Respondent
from tests.integration.voting_helpers import create_ballot, post_vote
from tests.support.hostile import HOSTILE_STRINGS, NUL_STRING

__all__ = ["create_ballot"]

IDS = [f"s{n}" for n in range(len(HOSTILE_STRINGS))]


def assert_escaped(html: str, value: str) -> None:
    """The page shows ``value`` as text: no tag of it survives, and the escaped text is there."""
    assert "<script>alert" not in html and "<img src=x" not in html
    if "<" in value or '"' in value:
        assert str(escape(value.strip())).split("\n")[0][:60] in html


@pytest.fixture
def text_survey(create_survey):
    return create_survey(
        [
            {
                "questions": [
                    {"code": "nom", "type": "short_text", "label_fr": "Votre organisme"},
                    {"code": "idee", "type": "long_text", "label_fr": "Votre idée", "settings": {"open": True}},
                    {
                        "code": "obstacle",
                        "type": "single_choice",
                        "label_fr": "Obstacle",
                        "choices": ["horaire", "cout"],
                        "settings": {"other": True},
                    },
                    {"code": "enfants", "type": "numeric", "label_fr": "Enfants", "settings": {"min": 0, "max": 12}},
                    {"code": "quand", "type": "date", "label_fr": "Quand"},
                ]
            },
            {"questions": [{"code": "fin", "type": "yes_no", "label_fr": "Fini?"}]},
        ],
        slug="hostile",
    )


def _answers() -> dict[str, list]:
    db.session.expire_all()
    rows = db.session.execute(sa.select(Answer).order_by(Answer.id)).scalars()
    found: dict[str, list] = {}
    for answer in rows:
        found.setdefault(answer.question.code, []).append(answer)
    return found


# ------------------------------------------------------------------------------------------------ respondents


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=IDS)
def test_hostile_text_answers_are_stored_exactly_and_shown_back_escaped(app, client, auth, text_survey, value):
    parent = Respondent(client)
    parent.start("/s/hostile")
    response = parent.send([("q_nom", value), ("q_idee", value), ("q_obstacle", "other"), ("q_obstacle:other", value)])
    assert response.status_code == 200 and "Page 2 de 2" in parent.html, parent.html[:1500]
    answers = _answers()
    one_line, multiline = clean_text(value, multiline=False), clean_text(value, multiline=True)
    if one_line:
        assert [a.text_value for a in answers["nom"]] == [one_line]
        assert [(a.text_value, a.is_other) for a in answers["obstacle"]] == [(one_line, True)]
    assert [a.text_value for a in answers["idee"]] == [multiline]
    # Shown back (the Back button): as text, escaped, in the inputs.
    parent.send({"q_fin": "yes"}, action="back")
    assert "Page 1 de 2" in parent.html
    assert_escaped(parent.html, value)
    parent.send([("q_nom", value), ("q_idee", value), ("q_obstacle", "other"), ("q_obstacle:other", value)])
    parent.send({"q_fin": "yes"})
    assert parent.response.request.path == "/s/hostile/thanks"
    db.session.expire_all()
    assert db.session.execute(sa.select(Response.status)).scalar_one() is ResponseStatus.COMPLETE
    # The open answer and the "other" text wait in the moderation queue, verbatim; the facilitator's pages escape them.
    items = db.session.execute(sa.select(ModerationItem).order_by(ModerationItem.id)).scalars().all()
    assert sorted(i.text for i in items) == sorted(t for t in (multiline, one_line) if t)
    item = items[0]
    facilitator = app.test_client()
    AuthActions(facilitator, auth.create_user).login(Role.FACILITATOR)
    for url in (f"/moderation/items/{item.id}", "/moderation/items"):
        page = facilitator.get(url)
        assert page.status_code == 200
        assert_escaped(page.get_data(as_text=True), value)


@pytest.mark.parametrize("value", HOSTILE_STRINGS, ids=IDS)
def test_hostile_strings_in_number_and_date_fields_get_a_message(client, text_survey, value):
    parent = Respondent(client)
    parent.start("/s/hostile")
    response = parent.send([("q_enfants", value), ("q_quand", value)])
    assert response.status_code == 422
    assert "Entrez un nombre" in parent.html and "Entrez une date valide" in parent.html
    assert_escaped(parent.html, value[:100])
    assert count_rows(Answer) == 0


def test_over_long_text_answers_are_refused_with_a_message(client, text_survey):
    parent = Respondent(client)
    parent.start("/s/hostile")
    response = parent.send([("q_idee", "é" * 5001), ("q_obstacle", "other"), ("q_obstacle:other", "x" * 5001)])
    assert response.status_code == 422
    assert (
        parent.html.count("Votre réponse est trop longue : 5\u00a0001 caractères; le maximum est de 5\u00a0000.") == 4
    )  # summary + field
    assert count_rows(Answer) == 0


def test_nul_in_any_respondent_field_is_refused_with_a_message(client, text_survey):
    parent = Respondent(client)
    parent.start("/s/hostile")
    for field in ("q_nom", "q_idee", "q_obstacle:other", "q_enfants", "submission_key", "action"):
        response = parent.client.post(parent.action, data=parent.form_data({field: NUL_STRING}))
        assert response.status_code == 400, field
        assert "caractère NUL invisible" in response.get_data(as_text=True)
    # In a field's name, too, and in a value that repeats a field (only the first one was checked before).
    response = parent.client.post(parent.action, data=parent.form_data({"q_nom\x00": "x"}))
    assert response.status_code == 400
    assert count_rows(Answer) == 0


# ------------------------------------------------------------------------------------------------------ voters


@pytest.mark.parametrize(
    "method", [VotingMethod.RANKING, VotingMethod.POINTS, VotingMethod.MAJORITY_JUDGMENT, VotingMethod.APPROVAL]
)
def test_hostile_ballot_fields_get_a_message_and_nothing_is_counted(client, auth, create_ballot, method):
    ballot = create_ballot(method=method)
    first = ballot.options[0].id
    auth.login(Role.PARTNER)
    for value in [*HOSTILE_STRINGS, "9" * 40, "-1", "1e9", "0x10", "١"]:
        if method is VotingMethod.APPROVAL:
            data = [("choice", value[:200])]
        else:
            prefix = {VotingMethod.RANKING: "rank-", VotingMethod.POINTS: "points-"}.get(method, "grade-")
            data = [(f"{prefix}{first}", value[:200]), (f"{prefix}{value[:50]}", "1")]
        response = post_vote(client, ballot, data)
        assert response.status_code == 422, (value[:40], response.status_code)
        html = response.get_data(as_text=True)
        assert 'class="error-summary"' in html and "Veuillez corriger" in html
        assert "<script>alert" not in html and "<img src=x" not in html
    assert count_rows(Cast) == 0 and count_rows(VoterRecord) == 0
    response = post_vote(client, ballot, [("choice" if method is VotingMethod.APPROVAL else "x", NUL_STRING)])
    assert response.status_code == 400 and "caractère NUL invisible" in response.get_data(as_text=True)


def test_hostile_receipt_checks_are_answered_without_error(client, auth, create_ballot):
    ballot = create_ballot()
    auth.login(Role.PARTNER)
    url = f"/ballots/{ballot.id}/receipts/check"
    for value in HOSTILE_STRINGS:
        token = csrf_token_from(client.get(f"/ballots/{ballot.id}").get_data(as_text=True))
        response = client.post(url, data={"csrf_token": token, "receipt": value})
        assert response.status_code < 500
        assert "<script>alert" not in response.get_data(as_text=True)


# ---------------------------------------------------------------------------------------- partners' own words


@pytest.fixture
def review(create_process):
    today = local_today()
    process = create_process(phases={PhaseKind.CONSULTATION: (today - timedelta(days=1), today + timedelta(days=9))})
    return process, make_orientation(process, state=OrientationState.IN_REVIEW)


def test_nul_and_over_long_comments_and_contributions_are_refused_with_a_message(client, auth, review):
    process, orientation = review
    auth.login(Role.PARTNER)
    token = csrf_token_from(client.get(f"/orientations/{orientation.id}").get_data(as_text=True))
    comment_url, contribute_url = f"/orientations/{orientation.id}/comments", f"/p/{process.slug}/contribute"
    for data in ({"text": NUL_STRING}, {"text": "x" * 20_001}):
        response = client.post(comment_url, data={"csrf_token": token, **data})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "caractère NUL invisible" in html or "comprise entre 1 et 20000 caractères" in html
    contribution = {"title": "Titre", "description": "Description", "why_it_matters": ""}
    for field, value in (("title", NUL_STRING), ("description", NUL_STRING), ("title", "t" * 301)):
        response = client.post(contribute_url, data={"csrf_token": token, **contribution, field: value})
        assert response.status_code == 400
        html = response.get_data(as_text=True)
        assert "caractère NUL invisible" in html or "300 caractères" in html
    assert count_rows(Comment) == 0 and count_rows(Contribution) == 0 and count_rows(ModerationItem) == 0


def test_a_hostile_comment_is_stored_exactly_and_the_orientation_page_stays_escaped(
    app, client, auth, review, create_user
):
    """The whole corpus is stored exactly in test_moderation_partners.py; here the page the partner is sent back to."""
    _process, orientation = review
    auth.login(Role.PARTNER)
    token = csrf_token_from(client.get(f"/orientations/{orientation.id}").get_data(as_text=True))
    value = HOSTILE_STRINGS[1]
    client.post(f"/orientations/{orientation.id}/comments", data={"csrf_token": token, "text": value})
    assert db.session.execute(sa.select(Comment.text)).scalar_one() == value
    page = client.get(f"/orientations/{orientation.id}").get_data(as_text=True)
    assert "<img src=x" not in page
