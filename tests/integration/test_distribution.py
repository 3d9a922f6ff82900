"""Distribution: single-use invitation links, their CSV, e-mails, QR codes, flyer; the paper version."""

import csv
import io
import re
import xml.etree.ElementTree as ET

import pytest

from app.core.extensions import db
from app.models import Anonymity, AuditLog, Invitation, Role, SurveyStatus
from app.models.people import hash_token
from tests.conftest import count_rows


@pytest.fixture
def survey(create_survey, create_territory, create_process):
    territories = [create_territory(name="Coaticook", code="COA"), create_territory(name="Sherbrooke", code="SHE")]
    process = create_process(territories=territories)
    return create_survey(
        [
            {
                "title_fr": "Votre famille",
                "questions": [
                    {"code": "enfants", "type": "yes_no", "label_fr": "Avez-vous des enfants?", "required": True},
                    {
                        "code": "aides",
                        "type": "multiple_choice",
                        "label_fr": "Ce qui aiderait",
                        "choices": [("repit", "Du répit", "Respite"), ("info", "De l’information", "Information")],
                        "relevant": "${enfants} = 'yes'",
                        "settings": {"other": True, "max_selections": 2},
                    },
                    {"code": "territoire", "type": "territory", "label_fr": "Votre territoire"},
                ],
            },
            {
                "title_fr": "Répit",
                "relevant": "selected(${aides}, 'repit')",
                "questions": [
                    {
                        "code": "note",
                        "type": "rating",
                        "label_fr": "Satisfaction",
                        "settings": {"scale": 4, "low_label_fr": "Faible"},
                    },
                    {
                        "code": "grille",
                        "type": "matrix",
                        "label_fr": "Services",
                        "choices": [("1", "Bien", "Good"), ("2", "Mal", "Bad")],
                        "rows": [("garde", "Garde", "Childcare")],
                    },
                    {"code": "ordre", "type": "ranking", "label_fr": "Classez", "choices": ["a", "b"]},
                    {
                        "code": "nombre",
                        "type": "numeric",
                        "label_fr": "Combien?",
                        "settings": {"min": 0, "max": 10},
                        "relevant": "${note} >= 3",
                    },
                    {"code": "quand", "type": "date", "label_fr": "Quand?"},
                    {
                        "code": "idee",
                        "type": "long_text",
                        "label_fr": "Une idée?",
                        "relevant": "not(selected(${aides}, 'info'))",
                    },
                ],
            },
        ],
        process=process,
        slug="famille",
        title_en="Family",
        estimated_minutes=5,
    )


@pytest.fixture
def facilitator(auth):
    return auth.login(Role.FACILITATOR)


def _links(text):
    return re.findall(r"http://localhost/i/[A-Za-z0-9_-]+", text)


def test_distribution_page(client, facilitator, survey):
    page = client.get(f"/surveys/{survey.id}/distribute").get_data(as_text=True)
    assert "http://localhost/s/famille" in page and f"/surveys/{survey.id}/qr.svg" in page
    assert "Liens d’invitation à usage unique" in page and "Coaticook" in page


def test_create_n_tokens_and_download_the_csv(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/distribute"
    response = client.post(
        f"/surveys/{survey.id}/invitations",
        data={"count": "5", "territory": "COA", "group": "atelier-granby", "output": "csv", "csrf_token": csrf(url)},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="invitations-famille-')
    text = response.get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["link", "email", "territory", "group", "expires_at"]
    assert len(rows) == 6 and all(r[2:4] == ["COA", "atelier-granby"] for r in rows[1:])
    tokens = [row[0].rsplit("/", 1)[1] for row in rows[1:]]
    assert len(set(tokens)) == 5
    invitations = db.session.execute(db.select(Invitation)).scalars().all()
    assert sorted(i.token_hash for i in invitations) == sorted(hash_token(t) for t in tokens)
    assert all(t not in i.token_hash for t in tokens for i in invitations)  # the clear tokens are nowhere stored
    assert invitations[0].attributes == {"territory": "COA", "group": "atelier-granby"}
    entry = db.session.execute(db.select(AuditLog).filter_by(action="survey.invitations")).scalar_one()
    assert entry.details["count"] == 5


def test_one_link_per_email_sent_by_mail(client, facilitator, survey, csrf, mail_outbox):
    url = f"/surveys/{survey.id}/distribute"
    response = client.post(
        f"/surveys/{survey.id}/invitations",
        data={
            "count": "50",
            "emails": "Parent.Un@example.org\nparent2@example.org; parent.un@example.org\n\n",
            "send": "y",
            "expires_in_days": "30",
            "output": "page",
            "csrf_token": csrf(url),
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Copiez ces liens maintenant" in page
    assert "2 liens ont été envoyés par courriel." in page
    links = _links(page)
    assert len(links) == 2
    assert "parent.un@example.org" in page and "parent2@example.org" in page  # listed once, on this page
    invitations = db.session.execute(db.select(Invitation).order_by(Invitation.id)).scalars().all()
    assert [i.email for i in invitations] == [None, None]  # an anonymous survey keeps no address
    assert all(i.sent_at is not None and i.expires_at is not None for i in invitations)
    mails = mail_outbox.messages
    assert [m["To"] for m in mails] == ["parent.un@example.org", "parent2@example.org"]
    body = mails[0].get_content()
    assert links[0] in body
    assert "Vous êtes invité à répondre au questionnaire « Questionnaire" in body
    assert "You are invited to answer the survey “Family”." in body


def test_invitation_errors(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/distribute"
    token = csrf(url)
    cases = [
        ({"emails": "pas-une-adresse\nok@example.org"}, "Ces lignes ne contiennent pas d’adresse courriel valide : 1."),
        ({"count": "5", "send": "y"}, "Indiquez les adresses courriel auxquelles envoyer les liens."),
        ({}, "Créez de 1 à 1000 invitations à la fois."),
        ({"count": "100000"}, "Le nombre doit être compris entre 1 et 1000."),
        ({"count": "2", "territory": "MARS"}, "est pas un choix valide"),
    ]
    for data, message in cases:
        response = client.post(f"/surveys/{survey.id}/invitations", data={"output": "csv", **data, "csrf_token": token})
        assert response.status_code == 400
        assert message in response.get_data(as_text=True), data
    assert count_rows(Invitation) == 0


def test_archived_survey_gets_no_new_links(client, facilitator, survey, csrf):
    survey.status = SurveyStatus.ARCHIVED
    db.session.commit()
    response = client.post(
        f"/surveys/{survey.id}/invitations",
        data={"count": "2", "output": "csv", "csrf_token": csrf(f"/surveys/{survey.id}/distribute")},
    )
    assert response.status_code == 400 and count_rows(Invitation) == 0


def test_qr_codes(client, facilitator, survey):
    svg = client.get(f"/surveys/{survey.id}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and svg.data
    root = ET.fromstring(svg.data)  # noqa: S314 - our own output
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "Content-Disposition" not in svg.headers
    png = client.get(f"/surveys/{survey.id}/qr.png?download=1&scale=5")
    assert png.status_code == 200 and png.mimetype == "image/png" and png.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert png.headers["Content-Disposition"] == 'attachment; filename="qr-famille.png"'
    assert client.get(f"/surveys/{survey.id}/qr.png?scale=100000").status_code == 200
    assert client.get("/surveys/999999/qr.svg").status_code == 404


def test_flyer(client, facilitator, survey):
    page = client.get(f"/surveys/{survey.id}/flyer?lang=en&text=Come+and+tell+us").get_data(as_text=True)
    assert 'lang="en"' in page and "Come and tell us" in page and "http://localhost/s/famille" in page
    assert "Family" in page and "About 5 minutes." in page
    page = client.get(f"/surveys/{survey.id}/flyer?lang=xx").get_data(as_text=True)
    assert "Balayez le code" in page


def test_paper_version_in_french(client, facilitator, survey):
    page = client.get(f"/surveys/{survey.id}/print?lang=fr").get_data(as_text=True)
    assert "<strong>1.</strong> Avez-vous des enfants? *" in page
    assert "Si vous avez répondu « Oui » à la question 1 :" in page
    assert "Si vous avez coché « Du répit » à la question 2 : répondez aux questions de cette section." in page
    assert "Si votre réponse à la question 4 vaut au moins 3 :" in page
    assert "Si vous n’avez pas coché « De l’information » à la question 2 :" in page
    assert "Autre, précisez :" in page and "Cochez jusqu’à 2 réponses." in page
    assert "Coaticook" in page and "Sherbrooke" in page
    assert "1 = Faible" in page and "(AAAA-MM-JJ)" in page and "Numérotez les choix de 1 (le premier) à 2." in page
    assert '<th scope="row">Garde</th>' in page


def test_paper_version_in_english(client, facilitator, survey):
    page = client.get(f"/surveys/{survey.id}/print?lang=en").get_data(as_text=True)
    assert "If you answered “Yes” to question 1:" in page
    assert "If you ticked “Respite” at question 2: answer the questions of this section." in page
    assert "(YYYY-MM-DD)" in page


def test_csv_cells_cannot_become_formulas(client, facilitator, survey, csrf):
    response = client.post(
        f"/surveys/{survey.id}/invitations",
        data={
            "count": "1",
            "group": '=HYPERLINK("x")',
            "output": "csv",
            "csrf_token": csrf(f"/surveys/{survey.id}/distribute"),
        },
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[1][3] == '\'=HYPERLINK("x")'


# --- reminders (issue 15) ------------------------------------------------------------------------------------


def _invite(client, survey, csrf, emails):
    url = f"/surveys/{survey.id}/distribute"
    response = client.post(
        f"/surveys/{survey.id}/invitations",
        data={"count": "1", "emails": "\n".join(emails), "send": "y", "output": "page", "csrf_token": csrf(url)},
    )
    assert response.status_code == 200
    return _links(response.get_data(as_text=True))


def test_reminder_to_invitees_who_have_not_answered_once_each_after_a_confirmation(
    client, facilitator, survey, csrf, mail_outbox
):
    survey.anonymity = Anonymity.IDENTIFIED
    db.session.commit()
    emails = ["a@example.org", "b@example.org", "c@example.org"]
    links = _invite(client, survey, csrf, emails)
    # a@ started answering with the link (the start itself is tested in test_respond*): it is used up.
    first = db.session.execute(db.select(Invitation).filter_by(email="a@example.org")).scalar_one()
    first.used_at = first.created_at
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Invitation.id)).where(Invitation.used_at.is_not(None))) == 1
    mail_outbox.messages and mail_outbox._sent.clear()

    page = client.get(f"/surveys/{survey.id}/distribute").get_data(as_text=True)
    assert "2 personnes invitées n’ont pas encore répondu et n’ont reçu aucun rappel." in page
    confirm_url = f"/surveys/{survey.id}/reminders"
    page = client.get(confirm_url).get_data(as_text=True)
    assert "Envoyer un rappel à 2 personnes invitées qui n’ont pas répondu?" in page
    assert mail_outbox.messages == []  # the confirmation page sends nothing

    response = client.post(confirm_url, data={"expected": "2", "csrf_token": csrf(confirm_url)})
    assert response.status_code == 302
    assert "2 rappels envoyés." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert sorted(m["To"] for m in mail_outbox.messages) == ["b@example.org", "c@example.org"]
    body = mail_outbox.messages[0].get_content()
    assert "Rappel" in body
    [reminder_link] = set(_links(body))  # the same link in the French and the English text
    assert reminder_link not in links  # a new link, and the first one still works
    assert client.get(reminder_link.removeprefix("http://localhost")).status_code in (200, 302)  # not 404
    assert client.get(reminder_link.removeprefix("http://localhost") + "x").status_code == 404  # a wrong one is
    reminded = db.session.execute(db.select(Invitation).where(Invitation.reminded_at.is_not(None))).scalars().all()
    assert sorted(i.email for i in reminded) == ["b@example.org", "c@example.org"]

    page = client.get(confirm_url).get_data(as_text=True)
    assert "b@example.org" in page and "c@example.org" in page  # who was reminded, and when
    assert "Personne à relancer" in page
    mail_outbox.messages and mail_outbox._sent.clear()
    response = client.post(confirm_url, data={"expected": "2", "csrf_token": csrf(confirm_url)})
    assert response.status_code == 409
    assert mail_outbox.messages == []  # once each
    entry = db.session.execute(db.select(AuditLog).filter_by(action="survey.reminders")).scalar_one()
    assert entry.details == {"count": 2}


def test_reminder_count_changed_since_the_confirmation_sends_nothing(client, facilitator, survey, csrf, mail_outbox):
    survey.anonymity = Anonymity.IDENTIFIED
    db.session.commit()
    _invite(client, survey, csrf, ["a@example.org", "b@example.org"])
    mail_outbox.messages and mail_outbox._sent.clear()
    confirm_url = f"/surveys/{survey.id}/reminders"
    response = client.post(confirm_url, data={"expected": "1", "csrf_token": csrf(confirm_url)})
    assert response.status_code == 409
    assert "Le nombre de personnes à relancer a changé : 2 maintenant." in response.get_data(as_text=True)
    assert mail_outbox.messages == []


def test_no_reminder_where_no_address_is_kept(client, facilitator, survey, csrf, mail_outbox):
    _invite(client, survey, csrf, ["a@example.org"])  # an anonymous survey forgets the address
    mail_outbox.messages and mail_outbox._sent.clear()
    page = client.get(f"/surveys/{survey.id}/distribute").get_data(as_text=True)
    assert "Pas de rappel possible : ce questionnaire n’est pas nominatif" in page
    confirm_url = f"/surveys/{survey.id}/reminders"
    response = client.post(confirm_url, data={"expected": "1", "csrf_token": csrf(f"/surveys/{survey.id}/distribute")})
    assert response.status_code == 409
    assert mail_outbox.messages == []
