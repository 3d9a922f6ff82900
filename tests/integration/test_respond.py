"""The respondent journey through the test client: what a parent on a phone, or a facilitator, would notice."""

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.core.extensions import db
from app.core.signals import response_completed
from app.models import (
    Anonymity,
    Answer,
    AuditLog,
    Invitation,
    RespondentContact,
    Response,
    ResponseChannel,
    ResponseStatus,
    Role,
    SubmissionKey,
    SurveyStatus,
    utcnow,
)
from app.models.people import hash_token
from app.respond.tokens import digest
from tests.conftest import count_rows, csrf_token_from
from tests.integration.respond_helpers import Respondent, answers_of

PARENT_PAGES = [
    {
        "title_fr": "Votre famille",
        "title_en": "Your family",
        "questions": [
            {
                "code": "enfants",
                "type": "numeric",
                "required": True,
                "label_fr": "Combien d’enfants de 0 à 8 ans avez-vous ?",
                "label_en": "How many children aged 0 to 8 do you have?",
                "settings": {"min": 0, "max": 12},
            },
            {
                "code": "ages",
                "type": "multiple_choice",
                "required": True,
                "label_fr": "Quel âge ont-ils ?",
                "label_en": "How old are they?",
                "relevant": "${enfants} > 0",
                "choices": [
                    ("0-2", "0 à 2 ans", "0 to 2"),
                    ("3-5", "3 à 5 ans", "3 to 5"),
                    ("6-8", "6 à 8 ans", "6 to 8"),
                ],
            },
            {"code": "territoire", "type": "territory", "required": True, "label_fr": "Votre territoire"},
        ],
    },
    {
        "title_fr": "Vos besoins",
        "questions": [
            {
                "code": "besoins",
                "type": "matrix",
                "label_fr": "Ces services vous aideraient-ils ?",
                "choices": [("1", "Peu", "Little"), ("2", "Assez", "Some"), ("3", "Beaucoup", "A lot")],
                "rows": [("info", "Information", "Information"), ("repit", "Répit", "Respite")],
            },
            {
                "code": "garde",
                "type": "yes_no",
                "required": True,
                "label_fr": "Cherchez-vous une place en service de garde ?",
                "relevant": "selected(${ages}, '0-2')",
            },
            {
                "code": "obstacles",
                "type": "single_choice",
                "label_fr": "Principal obstacle",
                "choices": [("horaire", "Horaire", "Schedule"), ("cout", "Coût", "Cost")],
                "settings": {"other": True},
            },
        ],
    },
    {
        "title_fr": "Pour finir",
        "questions": [
            {"code": "priorites", "type": "ranking", "label_fr": "Classez", "choices": ["a", "b", "c"]},
            {"code": "aide", "type": "long_text", "label_fr": "Qu’est-ce qui vous aiderait le plus ?"},
        ],
    },
]


@pytest.fixture
def territories(create_territory):
    return [create_territory("Sherbrooke", "SHE"), create_territory("Coaticook", "COA")]


@pytest.fixture
def parent_survey(create_survey, create_process, territories):
    process = create_process(territories=territories)
    return create_survey(
        PARENT_PAGES,
        process=process,
        slug="besoins-parents",
        title_fr="Besoins des parents",
        title_en="Parents' needs",
        estimated_minutes=10,
        privacy_fr="Les réponses servent à planifier les services.",
        retention_days=365,
        contact_email="confidentialite@example.org",
    )


@pytest.fixture
def parent(client):
    return Respondent(client)


def the_response() -> Response:
    db.session.expire_all()  # the requests ran in their own sessions
    return db.session.execute(sa.select(Response)).scalar_one()


def answer_page_one(parent, **extra):
    data = [("q_enfants", "2"), ("q_ages", "0-2"), ("q_ages", "6-8"), ("q_territoire", "SHE")]
    return parent.send(data + list(extra.items()))


# ------------------------------------------------------------------------------------------------- end to end


def test_landing_page_tells_purpose_duration_and_privacy(client, parent_survey):
    response = client.get("/s/besoins-parents")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Besoins des parents" in page and "Environ 10 minutes" in page and "8 questions" in page
    assert "Les réponses servent à planifier les services." in page
    assert "Vos réponses sont anonymes" in page and "Vos réponses sont gardées 1 an, puis effacées." in page
    assert "Seule l’équipe de la démarche lit vos réponses." in page and "365" not in page
    assert "confidentialite@example.org" in page and ">Commencer</button>" in page
    assert response.headers["Cache-Control"] == "no-store"


def test_survey_answered_end_to_end_with_a_condition_and_a_required_error(app, parent, parent_survey):
    completed = []
    with response_completed.connected_to(lambda _sender, response: completed.append(response.id)):
        parent.start("/s/besoins-parents")
        assert parent.response.request.path == "/s/besoins-parents/page/1"
        assert "Page 1 de 3" in parent.html and "Votre famille" in parent.html
        assert (
            '<legend class="question-label">Votre territoire <span class="required">(obligatoire)</span>' in parent.html
        )

        # Nothing typed: the required errors, in French, summary first, answers kept.
        response = parent.send({"q_enfants": "", "q_territoire": "SHE"})
        assert response.status_code == 422
        page = parent.html
        assert page.index('class="error-summary"') < page.index('id="page-form"')
        assert 'role="alert"' in page and "Veuillez corriger" in page
        assert '<a href="#q_enfants">Combien d’enfants de 0 à 8 ans avez-vous ? — Entrez votre réponse.</a>' in page
        assert 'id="q_enfants:error"' in page and 'aria-describedby="q_enfants:rule q_enfants:error"' in page
        assert 'value="SHE" checked>' in page
        assert "<title>Erreur : " in page
        assert count_rows(Answer) == 0

        # Two children, one aged 0-2: the childcare question is shown on page 2.
        answer_page_one(parent)
        assert "Page 2 de 3" in parent.html and "Cherchez-vous une place" in parent.html
        response = parent.send({"q_besoins:info": "3", "q_obstacles": "other", "q_obstacles:other": "Transport"})
        assert response.status_code == 422 and "Choisissez une réponse." in parent.html
        parent.send({"q_besoins:info": "3", "q_garde": "yes", "q_obstacles": "other", "q_obstacles:other": "Transport"})
        assert "Page 3 de 3" in parent.html and "Envoyer mes réponses" in parent.html
        response = parent.send({"q_priorites:b": "1", "q_priorites:a": "2", "q_aide": "Des haltes-garderies."})

    assert response.request.path == "/s/besoins-parents/thanks" and "Merci" in parent.html
    stored = the_response()
    assert stored.status is ResponseStatus.COMPLETE and stored.submitted_at is not None
    assert stored.resume_token_hash is None and stored.channel is ResponseChannel.WEB
    assert completed == [stored.id]
    assert answers_of(stored) == [
        ("enfants", None, None, None, Decimal(2), None, False, None),
        ("ages", "0-2", None, None, None, None, False, None),
        ("ages", "6-8", None, None, None, None, False, None),
        ("territoire", None, None, None, None, None, False, "SHE"),
        ("besoins", "3", "info", None, None, None, False, None),
        ("garde", None, None, None, Decimal(1), None, False, None),
        ("obstacles", None, None, "Transport", None, None, True, None),
        ("priorites", "b", None, None, None, 1, False, None),
        ("priorites", "a", None, None, None, 2, False, None),
        ("aide", None, None, "Des haltes-garderies.", None, None, False, None),
    ]


def test_a_condition_that_hides_a_question_skips_it_and_discards_its_answer(parent, parent_survey):
    parent.start("/s/besoins-parents")
    # No children: "ages" is hidden although a tampered form sends it, so "garde" (0-2) is hidden too.
    parent.send([("q_enfants", "0"), ("q_ages", "0-2"), ("q_territoire", "COA")])
    assert "Page 2 de 3" in parent.html and "Cherchez-vous une place" not in parent.html
    parent.send({"q_garde": "yes"})  # the hidden required question: not asked, not stored
    parent.send({})
    assert parent.response.request.path == "/s/besoins-parents/thanks"
    codes = [row[0] for row in answers_of(the_response())]
    assert codes == ["enfants", "territoire"]


def test_same_page_condition_is_handed_to_conditions_js(parent, parent_survey):
    parent.start("/s/besoins-parents")
    page = parent.html
    assert (
        '<div class="question" data-question="ages" data-relevant=\'["\\u003e", ["ref", "enfants"], ["num", 0]]\'>'
        in page
    )
    assert 'name="q_enfants"' in page and '<script type="application/json" id="prior-answers">{}</script>' in page
    assert re.search(r'<script src="/static/js/conditions.js\?v=[0-9a-f]{12}" defer></script>', page)
    assert re.search(r'<script src="/static/js/respond.js\?v=[0-9a-f]{12}" defer></script>', page)
    assert "<script>" not in page and "style=" not in page and "onclick" not in page
    answer_page_one(parent)
    assert '"ages": ["0-2", "6-8"]' in parent.html and '"enfants": 2' in parent.html
    assert 'data-question="garde"' in parent.html and "data-relevant" not in parent.html.split('id="page-form"')[1]


def test_matrix_is_one_fieldset_per_row_and_ranking_a_select_per_option(parent, parent_survey):
    parent.start("/s/besoins-parents")
    answer_page_one(parent)
    page = parent.html
    assert page.count('<fieldset class="matrix-row cols-3">') == 2
    assert "<legend>Information</legend>" in page and "<table" not in page
    assert '<input type="radio" id="q_besoins:r0:2" name="q_besoins:info" value="3"' in page
    assert '<label for="q_besoins:r0:2"><span class="matrix-label">Beaucoup</span></label>' in page
    parent.send({"q_garde": "no"})
    assert page.count("<select") == 0 and parent.html.count('<select id="q_priorites:') == 3
    assert '<label for="q_priorites:0">a</label>' in parent.html


def test_back_and_next_keep_answers(parent, parent_survey):
    parent.start("/s/besoins-parents")
    answer_page_one(parent)
    parent.send({"q_besoins:repit": "2", "q_obstacles": "cout"}, action="back")  # saved without "required"
    assert "Page 1 de 3" in parent.html
    assert 'name="q_enfants" value="2"' in parent.html
    assert re.search(r'id="q_ages:0" name="q_ages"\s+value="0-2" checked', parent.html)
    parent.send([("q_enfants", "2"), ("q_ages", "0-2"), ("q_territoire", "SHE")])
    assert "Page 2 de 3" in parent.html
    assert re.search(r'name="q_besoins:repit" value="2"\s+checked', parent.html)
    assert re.search(r'value="cout" checked', parent.html)
    assert the_response().current_page == 1


def test_resume_link_and_cookie_bring_the_person_back(app, parent, parent_survey):
    parent.start("/s/besoins-parents")
    answer_page_one(parent)
    link = re.search(r'<a href="(http://localhost/r/[^"]+)">', parent.html).group(1)
    token = link.rsplit("/", 1)[1]
    assert len(token) >= 22 and the_response().resume_token_hash == hash_token(token)

    # Same browser: the cookie. The landing page offers to continue.
    landing = parent.get("/s/besoins-parents").get_data(as_text=True)
    assert "Continuer là où je me suis arrêté" in landing and "/s/besoins-parents/page/2" in landing

    # Another phone: the link.
    other = Respondent(app.test_client())
    response = other.get(link)
    assert response.request.path == "/s/besoins-parents/page/2" and "Page 2 de 3" in other.html
    other.send({"q_garde": "no"}, action="back")
    assert 'name="q_enfants" value="2"' in other.html

    # A made-up link.
    response = app.test_client().get("/r/AAAAAAAAAAAAAAAAAAAAAA")
    assert response.status_code == 404 and "Lien de reprise non valide" in response.get_data(as_text=True)


def test_save_and_continue_later_shows_the_link(parent, parent_survey):
    parent.start("/s/besoins-parents")
    response = parent.send({"q_enfants": "1"}, action="later")
    assert response.request.path == "/s/besoins-parents/saved"
    assert "Vos réponses sont enregistrées" in parent.html and "http://localhost/r/" in parent.html
    assert answers_of(the_response())[0][:5] == ("enfants", None, None, None, Decimal(1))


def test_language_switch_keeps_answers(parent, parent_survey):
    parent.start("/s/besoins-parents")
    assert 'value="language:en"' in parent.html and 'class="language-switch"' not in parent.html
    parent.send({"q_enfants": "3"}, action="language:en")
    assert "Page 1 of 3" in parent.html and "How many children aged 0 to 8" in parent.html
    assert 'name="q_enfants" value="3"' in parent.html
    # An invalid answer is not saved, but kept on the page, with its message in the new language.
    parent.send({"q_enfants": "trois"}, action="language:fr_CA")
    assert parent.response.status_code == 422
    assert "Entrez un nombre entier, par exemple 12." in parent.html and 'value="trois"' in parent.html
    assert the_response().locale == "en"


def test_page_numbers_out_of_range_or_ahead_are_ignored(parent, parent_survey, client):
    parent.start("/s/besoins-parents")
    for url in ("/s/besoins-parents/page/3", "/s/besoins-parents/page/99", "/s/besoins-parents/page/0"):
        response = client.get(url)
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response.headers["Location"] == "/s/besoins-parents/page/1"
    # Sending page 3 while on page 1: nothing stored.
    response = client.post(
        "/s/besoins-parents/page/3",
        data={"csrf_token": csrf_token_from(parent.html), "submission_key": parent.key, "q_aide": "x"},
    )
    assert response.status_code == 302 and count_rows(Answer) == 0
    assert client.get("/s/besoins-parents/page/-1").status_code == 404
    assert client.get("/s/besoins-parents/page/abc").status_code == 404


def test_tampered_input_gets_messages_never_a_500(parent, parent_survey):
    parent.start("/s/besoins-parents")
    bad = [
        ("q_enfants", "9" * 200),
        ("q_ages", "9-12"),
        ("q_territoire", "MTL"),
        ("q_inconnue", "x"),
        ("q_enfants:autre", "y"),
    ]
    response = parent.send(bad)
    assert response.status_code == 422
    assert "Ce nombre est trop grand." in parent.html
    assert parent.html.count("Choisissez une des options proposées.") >= 2
    answer_page_one(parent)
    long_text = "é" * 5001
    parent.send({"q_garde": "peut-être", "q_besoins:info": "7", "q_obstacles": "cout"})
    assert parent.response.status_code == 422
    parent.send({"q_garde": "no"})
    response = parent.send({"q_aide": long_text, "q_priorites:a": "1", "q_priorites:b": "1"})
    assert response.status_code == 422
    assert "Votre réponse est trop longue : 5\u00a0001 caractères; le maximum est de 5\u00a0000." in parent.html
    assert "Donnez un rang différent à chaque option." in parent.html
    assert long_text in parent.html  # kept, for the person to shorten
    assert [row[0] for row in answers_of(the_response())] == ["enfants", "ages", "ages", "territoire", "garde"]


def test_a_replayed_page_post_stores_nothing_new(parent, parent_survey, client):
    parent.start("/s/besoins-parents")
    key = parent.key
    data = parent.form_data([("q_enfants", "1"), ("q_ages", "3-5"), ("q_territoire", "SHE")])
    first = client.post("/s/besoins-parents/page/1", data=data)
    assert first.status_code == 302 and first.headers["Location"] == "/s/besoins-parents/page/2"
    before = (count_rows(Answer), count_rows(SubmissionKey))
    # The same POST again (double click, or the browser resending it), even with other answers.
    changed = [(k, "2" if k == "q_enfants" else v) for k, v in data.items(multi=True)]
    again = client.post("/s/besoins-parents/page/1", data=MultiDict(changed))
    assert again.status_code == 302 and again.headers["Location"] == "/s/besoins-parents/page/2"
    assert (count_rows(Answer), count_rows(SubmissionKey)) == before
    assert answers_of(the_response())[0][4] == Decimal(1)
    assert digest(key) in {k.key for k in db.session.execute(sa.select(SubmissionKey)).scalars()}


def test_a_replayed_start_creates_no_second_response(parent, parent_survey, client):
    parent.get("/s/besoins-parents")
    html = parent.html
    data = {
        "csrf_token": csrf_token_from(html),
        "start_key": re.search(r'name="start_key" type="hidden" value="([^"]+)"', html).group(1),
    }
    first = client.post("/s/besoins-parents", data=data)
    second = client.post("/s/besoins-parents", data=data)
    assert first.headers["Location"] == second.headers["Location"] == "/s/besoins-parents/page/1"
    assert count_rows(Response) == 1
    # Even from a browser that lost the first answer's cookie.
    client.delete_cookie(f"concerto_resume_{parent_survey.id}")
    third = client.post("/s/besoins-parents", data=data)
    assert third.status_code == 302 and count_rows(Response) == 1
    assert "concerto_resume_" in third.headers["Set-Cookie"]


def test_a_replayed_final_post_after_completion_goes_to_thanks(parent, parent_survey, client):
    parent.start("/s/besoins-parents")
    answer_page_one(parent)
    parent.send({"q_garde": "no"})
    data = parent.form_data({"q_aide": "Merci"})
    assert client.post("/s/besoins-parents/page/3", data=data).headers["Location"] == "/s/besoins-parents/thanks"
    again = client.post("/s/besoins-parents/page/3", data=data)
    assert again.headers["Location"] == "/s/besoins-parents/thanks"
    assert count_rows(Response) == 1 and [r[0] for r in answers_of(the_response())].count("aide") == 1


def test_public_link_opened_again_from_the_same_browser_asks_first(parent, parent_survey):
    parent.start("/s/besoins-parents")
    answer_page_one(parent)
    parent.send({"q_garde": "no"})
    parent.send({})
    page = parent.get("/s/besoins-parents").get_data(as_text=True)
    assert "Vous avez déjà répondu à partir de ce navigateur" in page and "Commencer une deuxième réponse" in page
    parent.press_start()
    assert "Page 1 de 3" in parent.html and count_rows(Response) == 2


def test_required_answers_missing_at_the_end_send_the_person_back(parent, parent_survey, client):
    parent.start("/s/besoins-parents")
    answer_page_one(parent)
    parent.send({"q_garde": "no"})
    # Page 1's answers disappear behind the person's back (another tab): the end asks for them again.
    db.session.execute(sa.delete(Answer).where(Answer.question_id == parent_survey.question("enfants").id))
    db.session.commit()
    response = parent.send({"q_aide": "x"})
    assert response.request.path == "/s/besoins-parents/page/1"
    assert "Certaines questions obligatoires" in parent.html and "Entrez votre réponse." in parent.html
    assert the_response().status is ResponseStatus.IN_PROGRESS


def test_without_a_cookie_the_pages_send_back_to_the_landing(client, parent_survey):
    response = client.get("/s/besoins-parents/page/1")
    assert response.status_code == 302 and response.headers["Location"] == "/s/besoins-parents"
    response = client.post(
        "/s/besoins-parents/page/1", data={"csrf_token": csrf_token_from(client.get("/").get_data(as_text=True))}
    )
    assert response.status_code == 302 and count_rows(Answer) == 0


# ------------------------------------------------------------------------------------------------ availability


@pytest.mark.parametrize(
    ("fields", "status", "text"),
    [
        ({"status": SurveyStatus.CLOSED}, 410, "Ce questionnaire est fermé"),
        ({"status": SurveyStatus.ARCHIVED}, 410, "Ce questionnaire est fermé"),
        ({"closes_at": utcnow() - timedelta(days=1), "opens_at": utcnow() - timedelta(days=9)}, 410, "fermé"),
        ({"opens_at": utcnow() + timedelta(days=3)}, 403, "pas encore ouvert"),
        ({"status": SurveyStatus.DRAFT}, 404, "Page introuvable"),
    ],
)
def test_closed_not_open_archived_and_draft_surveys(client, create_survey, fields, status, text):
    create_survey(slug="ferme", **fields)
    response = client.get("/s/ferme")
    assert response.status_code == status and text in response.get_data(as_text=True)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/s/ferme", data={"csrf_token": token}).status_code == status
    assert count_rows(Response) == 0


def test_a_survey_closing_mid_way_refuses_the_page_and_stores_nothing(parent, parent_survey):
    parent.start("/s/besoins-parents")
    parent_survey.status = SurveyStatus.CLOSED
    db.session.commit()
    response = parent.send([("q_enfants", "1"), ("q_ages", "3-5"), ("q_territoire", "SHE")])
    assert response.status_code == 410 and "ces réponses n’ont pas pu être enregistrées" in parent.html
    assert count_rows(Answer) == 0


# ------------------------------------------------------------------------------------------------- invitations


def invite(survey, token: str, **fields) -> Invitation:
    invitation = Invitation(survey=survey, token_hash=hash_token(token), **fields)
    db.session.add(invitation)
    db.session.commit()
    return invitation


def short_survey(create_survey, anonymity, **fields):
    return create_survey(
        [
            {
                "questions": [
                    {"code": "courriel", "type": "email", "required": True},
                    {"code": "avis", "type": "short_text", "required": True, "label_fr": "Votre avis"},
                ]
            }
        ],
        slug="court",
        anonymity=anonymity,
        **fields,
    )


def test_invitation_is_single_use_and_anonymous_mode_keeps_no_link(app, create_survey):
    survey = short_survey(create_survey, Anonymity.ANONYMOUS)
    invitation = invite(survey, "jeton-parent-0001", attributes={"territory": "SHE"})
    parent = Respondent(app.test_client())
    parent.start("/i/jeton-parent-0001")
    assert "Votre avis" in parent.html and 'name="q_courriel"' not in parent.html  # no e-mail when anonymous
    response = the_response()
    assert response.invitation_id is None and response.attributes == {}
    # Used up from the start, keeping only the day: no time to match with the response's.
    assert invitation.claim_hash is not None
    assert invitation.used_at == response.started_at.replace(hour=0, minute=0, second=0, microsecond=0)

    # The link opened again in another browser, before the end: no second response.
    intruder = app.test_client().get("/i/jeton-parent-0001")
    assert intruder.status_code == 409 and "déjà servi à répondre" in intruder.get_data(as_text=True)
    # In the same browser: back to the answers.
    assert parent.get("/i/jeton-parent-0001").request.path == "/s/court/page/1"

    parent.send({"q_avis": "Très bien", "q_courriel": "ignored@example.org"})
    db.session.expire_all()
    assert count_rows(RespondentContact) == 0
    response = the_response()
    assert response.status is ResponseStatus.COMPLETE and response.invitation_id is None and response.attributes == {}
    # The browser that answered is thanked; another one cannot tell whether the response was completed.
    used = parent.get("/i/jeton-parent-0001")
    assert used.status_code == 410 and "Vous avez déjà répondu" in parent.html
    other = app.test_client().get("/i/jeton-parent-0001")
    assert other.status_code == 409 and "déjà servi à répondre" in other.get_data(as_text=True)
    assert count_rows(Response) == 1


def test_a_double_click_on_the_invitation_start_creates_one_response(app, create_survey):
    survey = short_survey(create_survey, Anonymity.ANONYMOUS)
    invite(survey, "jeton-double-0001")
    parent = Respondent(app.test_client())
    parent.get("/i/jeton-double-0001")
    landing = parent.html
    first = parent.press_start(follow=False)
    parent.html = landing  # the second click sends the same form again, with the same start key
    second = parent.press_start(follow=False)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] == "/s/court/page/1"
    assert count_rows(Response) == 1 and count_rows(SubmissionKey) == 0  # no start key stored for an invitation


def test_confidential_mode_keeps_invitation_and_attributes_and_resumes_by_the_link(app, create_survey):
    survey = short_survey(create_survey, Anonymity.CONFIDENTIAL)
    invitation = invite(survey, "jeton-conf-000001", attributes={"territory": "SHE", "group": "atelier"})
    first = Respondent(app.test_client())
    first.start("/i/jeton-conf-000001")
    response = the_response()
    assert response.invitation_id == invitation.id and response.attributes == {"territory": "SHE", "group": "atelier"}

    # The e-mail link opened on another device continues the same response.
    second = Respondent(app.test_client())
    second.get("/i/jeton-conf-000001")
    assert "Continuer mes réponses" in second.html
    second.press_start()
    assert second.response.request.path == "/s/court/page/1"
    second.send({"q_avis": "Bien"})
    assert second.response.request.path == "/s/court/thanks"
    assert count_rows(Response) == 1 and the_response().status is ResponseStatus.COMPLETE
    # The first device's cookie no longer opens anything.
    assert first.get("/s/court/page/1").request.path == "/s/court"


def test_identified_mode_stores_the_email_apart(app, create_survey):
    survey = short_survey(create_survey, Anonymity.IDENTIFIED)
    invite(survey, "jeton-ident-00001", email="parent@example.org")
    parent = Respondent(app.test_client())
    parent.start("/i/jeton-ident-00001")
    assert 'value="parent@example.org"' in parent.html  # suggested from the invitation
    parent.send({"q_courriel": "pas-une-adresse", "q_avis": "Oui"})
    assert "Entrez une adresse courriel valide" in parent.html
    parent.send({"q_courriel": "Maman@Example.org", "q_avis": "Oui"})
    response = the_response()
    assert db.session.get(RespondentContact, response.id).email == "Maman@example.org"
    assert [row[0] for row in answers_of(response)] == ["avis"]


def test_expired_invalid_and_closed_invitation_links(client, create_survey):
    survey = short_survey(create_survey, Anonymity.ANONYMOUS)
    invite(survey, "jeton-expire-0001", expires_at=utcnow() - timedelta(minutes=1))
    response = client.get("/i/jeton-expire-0001")
    assert response.status_code == 410 and "Lien d’invitation expiré" in response.get_data(as_text=True)
    response = client.get("/i/" + "x" * 40)
    assert response.status_code == 404 and "Lien d’invitation non valide" in response.get_data(as_text=True)
    invite(survey, "jeton-ferme-00001")
    survey.status = SurveyStatus.CLOSED
    db.session.commit()
    assert client.get("/i/jeton-ferme-00001").status_code == 410
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    assert client.post("/i/jeton-expire-0001", data={"csrf_token": token}).status_code == 410
    assert count_rows(Response) == 0


# ---------------------------------------------------------------------------------------- preview and paper


def test_facilitator_preview_stores_nothing_and_works_for_drafts(client, auth, create_survey):
    create_survey(PARENT_PAGES[:2], slug="brouillon", status=SurveyStatus.DRAFT)
    assert client.get("/s/brouillon?preview=1").status_code == 404
    auth.login(Role.FACILITATOR)
    assert client.get("/s/brouillon").headers["Location"] == "/s/brouillon?preview=1"
    landing = client.get("/s/brouillon?preview=1").get_data(as_text=True)
    assert "Aperçu" in landing and "/s/brouillon/preview/1" in landing
    facilitator = Respondent(client)
    facilitator.get("/s/brouillon/preview/1")
    assert "Aperçu" in facilitator.html and "Page 1 de 2" in facilitator.html
    facilitator.send({"q_enfants": "x"})
    assert facilitator.response.status_code == 422 and "Entrez un nombre entier" in facilitator.html
    facilitator.send([("q_enfants", "1"), ("q_ages", "0-2"), ("q_territoire", "T1")])
    assert "Page 1 de 2" in facilitator.html  # T1 is not a territory of the process: refused
    facilitator.send([("q_enfants", "1"), ("q_ages", "0-2")], action="later")
    assert 'name="q_enfants" value="1"' in facilitator.html
    assert count_rows(Response) == 0 and count_rows(Answer) == 0 and count_rows(SubmissionKey) == 0


def test_preview_is_for_facilitators_only(client, auth, create_survey):
    create_survey(slug="ouvert")
    auth.login(Role.PARTNER)
    assert client.get("/s/ouvert/preview/1").status_code == 403
    assert "Aperçu" not in client.get("/s/ouvert?preview=1").get_data(as_text=True)


def test_paper_entry_page_by_page(client, auth, parent_survey):
    facilitator = auth.login(Role.FACILITATOR)
    home = client.get(f"/surveys/{parent_survey.id}/paper").get_data(as_text=True)
    assert "Saisie papier" in home and "0 questionnaire papier saisi" in home
    entry = Respondent(client)
    entry.html = home
    response = client.post(
        f"/surveys/{parent_survey.id}/paper",
        data={
            "csrf_token": csrf_token_from(home),
            "start_key": re.search(r'name="start_key" type="hidden" value="([^"]+)"', home).group(1),
            "locale": "fr_CA",
        },
        follow_redirects=True,
    )
    entry.html = response.get_data(as_text=True)
    assert "Saisie papier" in entry.html and "Page 1 de 3" in entry.html
    entry.send({"q_enfants": "1"})  # required questions may stay empty, as on paper
    entry.send({})
    # The facilitator's language changes, the paper's stays French, and nothing typed is lost.
    entry.send({"q_aide": "Écrit à la main"}, action="language:en")
    assert "Paper entry" in entry.html and "Qu’est-ce qui vous aiderait le plus ?" in entry.html
    assert "Écrit à la main</textarea>" in entry.html
    entry.send({"q_aide": "Écrit à la main"})
    assert "Paper questionnaire saved." in entry.html
    response = the_response()
    assert response.channel is ResponseChannel.PAPER and response.entered_by_id == facilitator.id
    assert response.status is ResponseStatus.COMPLETE
    assert [r[0] for r in answers_of(response)] == ["enfants", "aide"]
    assert db.session.execute(sa.select(AuditLog.action)).scalars().all() == ["response.paper_entry"]
    assert "1 paper questionnaire entered so far." in client.get(f"/surveys/{parent_survey.id}/paper").get_data(
        as_text=True
    )


def test_paper_entry_on_one_long_page(client, auth, parent_survey):
    auth.login(Role.FACILITATOR)
    entry = Respondent(client)
    entry.get(f"/surveys/{parent_survey.id}/paper/one-page?locale=fr_CA")
    assert entry.html.count('<div class="question"') == 8
    # Page conditions travel with the questions to conditions.js.
    assert 'data-question="garde" data-relevant=\'["selected", ["ref", "ages"], ["str", "0-2"]]\'' in entry.html
    entry.send({"q_enfants": "99"})
    assert entry.response.status_code == 422 and "Entrez un nombre de 0 à 12." in entry.html
    entry.send({"q_enfants": "99"}, action="language:en")
    assert 'value="99"' in entry.html and "Paper entry" in entry.html and count_rows(Response) == 0
    entry.send({"q_enfants": "99"}, action="language:fr_CA")
    key = entry.key
    entry.send([("q_enfants", "1"), ("q_ages", "0-2"), ("q_garde", "yes"), ("q_aide", "Papier")])
    assert "Questionnaire papier enregistré" in entry.html
    response = the_response()
    assert response.channel is ResponseChannel.PAPER and response.status is ResponseStatus.COMPLETE
    assert [r[0] for r in answers_of(response)] == ["enfants", "ages", "garde", "aide"]
    # The same sheet sent twice is stored once.
    client.post(
        f"/surveys/{parent_survey.id}/paper/one-page?locale=fr_CA",
        data={"csrf_token": csrf_token_from(entry.html), "submission_key": key, "q_enfants": "1"},
    )
    assert count_rows(Response) == 1


def test_unfinished_paper_entry_can_be_discarded(client, auth, parent_survey):
    auth.login(Role.FACILITATOR)
    paper = Response(survey=parent_survey, survey_version=1, channel=ResponseChannel.PAPER)
    db.session.add(paper)
    db.session.commit()
    home = client.get(f"/surveys/{parent_survey.id}/paper").get_data(as_text=True)
    assert "Saisies non terminées" in home
    client.post(f"/surveys/{parent_survey.id}/paper/{paper.id}/discard", data={"csrf_token": csrf_token_from(home)})
    assert count_rows(Response) == 0


def test_paper_entry_with_out_of_range_ids_is_a_404(client, auth, parent_survey):
    auth.login(Role.FACILITATOR)
    assert client.get(f"/surveys/{2**40}/paper").status_code == 404
    assert client.get(f"/surveys/{parent_survey.id}/paper/{2**40}/page/1").status_code == 404


def test_paper_entry_refused_for_drafts(client, auth, create_survey):
    survey = create_survey(status=SurveyStatus.DRAFT)
    auth.login(Role.FACILITATOR)
    page = client.get(f"/surveys/{survey.id}/paper").get_data(as_text=True)
    assert "seulement pendant que le questionnaire est ouvert ou fermé" in page
    assert client.get(f"/surveys/{survey.id}/paper/one-page").status_code == 302


# --- the source of a paper questionnaire (issue 15) ----------------------------------------------------------


def _start_paper(client, survey, **fields):
    home = client.get(f"/surveys/{survey.id}/paper").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(home),
        "start_key": re.search(r'name="start_key" type="hidden" value="([^"]+)"', home).group(1),
        "locale": "fr_CA",
        **fields,
    }
    return client.post(f"/surveys/{survey.id}/paper", data=data)


def test_paper_entry_records_its_workshop_date_and_territory(client, auth, parent_survey, territories):
    auth.login(Role.FACILITATOR)
    home = client.get(f"/surveys/{parent_survey.id}/paper").get_data(as_text=True)
    assert (
        "Atelier ou événement" in home and "Date où il a été rempli" in home and "Territoire où il a été rempli" in home
    )
    sherbrooke = territories[0]
    response = _start_paper(
        client,
        parent_survey,
        paper_source="  Atelier Granby ",
        paper_filled_on="2026-11-20",
        paper_territory=str(sherbrooke.id),
    )
    assert response.status_code == 302
    paper = the_response()
    assert (paper.paper_source, paper.paper_filled_on.isoformat(), paper.paper_territory_id) == (
        "Atelier Granby",
        "2026-11-20",
        sherbrooke.id,
    )


def test_paper_source_refused_with_the_field_named_and_nothing_saved(client, auth, parent_survey):
    auth.login(Role.FACILITATOR)
    response = _start_paper(client, parent_survey, paper_source="Atelier", paper_filled_on="2999-01-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "La date où il a été rempli ne peut pas être dans l’avenir." in page
    assert 'value="Atelier"' in page  # what was typed is shown again
    assert count_rows(Response) == 0


def test_results_and_exports_filter_on_the_paper_source(client, auth, parent_survey, territories):
    auth.login(Role.FACILITATOR)
    now = utcnow()
    for source in ("Atelier Granby", "Atelier Granby", "Forum Magog", None):
        db.session.add(
            Response(
                survey=parent_survey,
                survey_version=1,
                channel=ResponseChannel.PAPER if source else ResponseChannel.WEB,
                status=ResponseStatus.COMPLETE,
                submitted_at=now,
                paper_source=source,
                paper_territory_id=territories[1].id if source == "Forum Magog" else None,
            )
        )
    db.session.commit()
    page = client.get(f"/surveys/{parent_survey.id}/results").get_data(as_text=True)
    assert '<option value="Atelier Granby">Atelier Granby</option>' in page
    page = client.get(f"/surveys/{parent_survey.id}/results", query_string={"paper_source": "Atelier Granby"})
    assert "Selon 2 réponses complètes." in page.get_data(as_text=True)
    page = client.get(f"/surveys/{parent_survey.id}/results", query_string={"territory": territories[1].id})
    assert "Selon 1 réponse complète." in page.get_data(as_text=True)  # the territory where the paper was filled counts

    export = client.get(f"/surveys/{parent_survey.id}/export.csv", query_string={"paper_source": "Atelier Granby"})
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][6:9] == ["paper_source", "paper_filled_on", "paper_territory"]
    assert [row[6] for row in rows[1:]] == ["Atelier Granby", "Atelier Granby"]
    everything = client.get(f"/surveys/{parent_survey.id}/export.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(everything.lstrip("\ufeff"))))
    assert [row[6:9] for row in rows[1:]] == [
        ["Atelier Granby", "", ""],
        ["Atelier Granby", "", ""],
        ["Forum Magog", "", "COA"],
        ["", "", ""],
    ]


def test_one_long_page_entry_keeps_the_source_for_every_sheet_of_the_batch(client, auth, parent_survey, territories):
    auth.login(Role.FACILITATOR)
    home = client.get(f"/surveys/{parent_survey.id}/paper").get_data(as_text=True)
    assert f'action="/surveys/{parent_survey.id}/paper/one-page" method="get"' in home
    args = {"locale": "fr_CA", "paper_source": "Atelier Magog", "paper_filled_on": "2026-11-18"}
    args["paper_territory"] = str(territories[1].id)
    entry = Respondent(client)
    entry.get(f"/surveys/{parent_survey.id}/paper/one-page?{urlencode(args)}")
    assert "Atelier Magog" in entry.html  # the page says which workshop it is entering
    for count in (1, 2):
        entry.send([("q_enfants", str(count))])
        assert "Questionnaire papier enregistré" in entry.html
    db.session.expire_all()
    stored = db.session.execute(sa.select(Response.paper_source, Response.paper_territory_id)).all()
    assert [tuple(row) for row in stored] == [("Atelier Magog", territories[1].id)] * 2

    bad = client.get(
        f"/surveys/{parent_survey.id}/paper/one-page", query_string={**args, "paper_filled_on": "2999-01-01"}
    )
    assert bad.status_code == 400
    assert "La date où il a été rempli ne peut pas être dans l’avenir." in bad.get_data(as_text=True)
