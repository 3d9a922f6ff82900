"""The questionnaire builder through the browser's eyes: surveys, pages, questions, reorder, protection."""

import re

import pytest

from app.core.extensions import db
from app.models import (
    Answer,
    AuditLog,
    Choice,
    Question,
    QuestionType,
    Response,
    Role,
    Survey,
    SurveyPage,
    SurveyStatus,
)
from tests.conftest import count_rows


@pytest.fixture
def facilitator(auth):
    return auth.login(Role.FACILITATOR)


@pytest.fixture
def survey(create_survey):
    return create_survey(
        [
            {
                "title_fr": "Votre famille",
                "questions": [
                    {"code": "enfants", "type": "yes_no", "label_fr": "Avez-vous des enfants?", "required": True},
                    {
                        "code": "ages",
                        "type": "multiple_choice",
                        "label_fr": "Âges",
                        "choices": [("0-2", "0 à 2 ans", "0 to 2"), ("3-5", "3 à 5 ans", "3 to 5")],
                        "relevant": "${enfants} = 'yes'",
                    },
                ],
            },
            {
                "title_fr": "Suite",
                "questions": [{"code": "commentaire", "type": "long_text", "label_fr": "Commentaire"}],
            },
        ],
        status=SurveyStatus.DRAFT,
        slug="famille",
    )


def _question_form(code, qtype, **extra):
    data = {"type": qtype, "code": code, "label_fr": f"Libellé {code}", "label_en": f"Label {code}"}
    data.update(extra)
    return data


def _answer(survey, question, **values):
    response = Response(survey=survey, survey_version=survey.version)
    response.answers.append(Answer(question=question, **values))
    db.session.add(response)
    db.session.commit()
    return response


# --------------------------------------------------------------------------------------------------- surveys


def test_list_shows_surveys_per_process(client, facilitator, survey):
    page = client.get("/surveys").get_data(as_text=True)
    assert survey.process.title_fr in page and "Questionnaire" in page and "/s/famille" in page
    assert "Brouillon" in page


def test_create_a_blank_survey(client, facilitator, create_process, csrf):
    process = create_process()
    response = client.post(
        "/surveys/new",
        data={
            "process_id": process.id,
            "start": "blank",
            "title_fr": "Sondage des élèves",
            "title_en": "Student survey",
            "csrf_token": csrf("/surveys/new"),
        },
    )
    assert response.status_code == 302
    survey = db.session.execute(db.select(Survey).filter_by(title_fr="Sondage des élèves")).scalar_one()
    assert survey.slug == "sondage-des-eleves" and survey.status is SurveyStatus.DRAFT and len(survey.pages) == 1
    assert response.headers["Location"].endswith(f"/surveys/{survey.id}")
    entry = db.session.execute(db.select(AuditLog).filter_by(action="survey.create")).scalar_one()
    assert entry.object_id == str(survey.id) and entry.actor_id == facilitator.id


def test_a_blank_survey_needs_a_french_title(client, facilitator, create_process, csrf):
    process = create_process()
    response = client.post(
        "/surveys/new", data={"process_id": process.id, "start": "blank", "csrf_token": csrf("/surveys/new")}
    )
    assert response.status_code == 200
    assert "Indiquez le titre français du questionnaire." in response.get_data(as_text=True)
    assert count_rows(Survey) == 0


def test_create_from_a_template(client, facilitator, create_process, csrf):
    process = create_process()
    response = client.post(
        "/surveys/new",
        data={"process_id": process.id, "start": "professions-en-demande", "csrf_token": csrf("/surveys/new")},
    )
    assert response.status_code == 302
    survey = db.session.execute(db.select(Survey)).scalar_one()
    assert survey.title_fr == "Professions en demande" and survey.template_key == "professions-en-demande"
    assert len(survey.questions) == 13
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Quel type d’organisation représentez-vous?" in page


def test_unknown_template_or_process_is_refused(client, facilitator, create_process, csrf):
    process = create_process()
    token = csrf("/surveys/new")
    for data in (
        {"process_id": process.id, "start": "nope"},
        {"process_id": 999999, "start": "blank", "title_fr": "X"},
    ):
        response = client.post("/surveys/new", data={**data, "csrf_token": token})
        assert response.status_code == 200
    assert count_rows(Survey) == 0


def test_edit_settings(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/settings"
    page = client.get(url).get_data(as_text=True)
    assert "Avis de confidentialité" in page
    response = client.post(
        url,
        data={
            "title_fr": "Besoins des familles",
            "title_en": "Family needs",
            "intro_fr": "Bonjour",
            "estimated_minutes": "7",
            "privacy_fr": "Les réponses servent à planifier; seule l’équipe les voit.",
            "retention_days": "365",
            "contact_email": "Vie.Privee@example.org",
            "anonymity": "confidential",
            "opens_at": "2030-01-10T09:00",
            "closes_at": "2030-02-10T17:00",
            "slug": "besoins-familles",
            "csrf_token": csrf(url),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.refresh(survey)
    assert (survey.title_fr, survey.slug, survey.estimated_minutes, survey.retention_days) == (
        "Besoins des familles",
        "besoins-familles",
        7,
        365,
    )
    assert survey.contact_email == "vie.privee@example.org" and survey.anonymity.value == "confidential"
    assert survey.opens_at.isoformat() == "2030-01-10T14:00:00+00:00"  # 9:00 in Quebec (EST) is 14:00 UTC


def test_settings_refuse_a_taken_address_and_reversed_dates(client, facilitator, survey, create_survey, csrf):
    create_survey(slug="prise")
    url = f"/surveys/{survey.id}/settings"
    base = {"title_fr": "T", "anonymity": "anonymous", "csrf_token": csrf(url)}
    page = client.post(url, data={**base, "slug": "prise"}).get_data(as_text=True)
    assert "Un autre questionnaire utilise déjà cette adresse." in page
    page = client.post(
        url, data={**base, "slug": "famille", "opens_at": "2030-02-01T09:00", "closes_at": "2030-01-01T09:00"}
    ).get_data(as_text=True)
    assert "La date de fermeture doit suivre la date d’ouverture." in page
    page = client.post(url, data={**base, "slug": "famille", "closes_at": "9999-12-31T23:59"}).get_data(as_text=True)
    assert "Choisissez une date entre les années 2000 et 2100." in page
    page = client.post(url, data={**base, "slug": "Pas Valide!"}).get_data(as_text=True)
    assert "Lettres minuscules, chiffres et traits d’union seulement" in page


def test_email_question_only_in_identified_mode(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    response = client.post(url, data={**_question_form("courriel", "email"), "csrf_token": csrf(url + "?type=email")})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Une question courriel n’est permise que dans un questionnaire identifié" in page
    survey.anonymity = survey.anonymity.IDENTIFIED
    db.session.commit()
    response = client.post(url, data={**_question_form("courriel", "email"), "csrf_token": csrf(url + "?type=email")})
    assert response.status_code == 302
    # The mode cannot leave "identified" while the e-mail question exists.
    settings = f"/surveys/{survey.id}/settings"
    page = client.post(
        settings, data={"title_fr": "T", "slug": "famille", "anonymity": "anonymous", "csrf_token": csrf(settings)}
    ).get_data(as_text=True)
    assert "Le questionnaire a une question courriel" in page


# ---------------------------------------------------------------------------------------------- status


def test_open_close_archive_restore_reopen(client, facilitator, survey, csrf):
    token = csrf(f"/surveys/{survey.id}")
    for action, status in [
        ("open", SurveyStatus.OPEN),
        ("close", SurveyStatus.CLOSED),
        ("archive", SurveyStatus.ARCHIVED),
        ("restore", SurveyStatus.CLOSED),
        ("open", SurveyStatus.OPEN),
    ]:
        response = client.post(f"/surveys/{survey.id}/{action}", data={"csrf_token": token})
        assert response.status_code == 302
        db.session.refresh(survey)
        assert survey.status is status, action
    actions = db.session.execute(db.select(AuditLog.action).order_by(AuditLog.id)).scalars().all()
    assert actions == ["survey.open", "survey.close", "survey.archive", "survey.restore", "survey.open"]


def test_illegal_transition_is_explained(client, facilitator, survey, csrf):
    response = client.post(f"/surveys/{survey.id}/archive", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Un questionnaire « Brouillon » ne peut pas devenir « Archivé »." in page
    db.session.refresh(survey)
    assert survey.status is SurveyStatus.DRAFT


def test_cannot_open_without_questions(client, facilitator, create_survey, csrf):
    empty = create_survey(status=SurveyStatus.DRAFT)
    response = client.post(f"/surveys/{empty.id}/open", data={"csrf_token": csrf(f"/surveys/{empty.id}")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Le questionnaire n’a encore aucune question à répondre" in page
    db.session.refresh(empty)
    assert empty.status is SurveyStatus.DRAFT


def test_cannot_open_with_an_invalid_expression(client, facilitator, survey, csrf):
    question = survey.question("commentaire")
    question.relevant = "${enfants} = "  # slipped in behind the builder's back
    db.session.commit()
    response = client.post(f"/surveys/{survey.id}/open", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Page 2, question « commentaire » — L’expression est incomplète" in page
    db.session.refresh(survey)
    assert survey.status is SurveyStatus.DRAFT


def test_status_post_without_token_changes_nothing(client, facilitator, survey):
    response = client.post(f"/surveys/{survey.id}/open", data={})
    assert response.status_code == 400
    db.session.refresh(survey)
    assert survey.status is SurveyStatus.DRAFT


# ---------------------------------------------------------------------------------------- duplicate, delete


def test_duplicate_is_a_deep_copy_as_a_draft(client, facilitator, survey, csrf):
    survey.status = SurveyStatus.OPEN
    db.session.commit()
    response = client.post(f"/surveys/{survey.id}/duplicate", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    assert response.status_code == 302
    copy = db.session.execute(db.select(Survey).where(Survey.id != survey.id)).scalar_one()
    assert copy.slug == "famille-2" and copy.status is SurveyStatus.DRAFT
    assert copy.title_fr == "Questionnaire 1 (copie)" or copy.title_fr.endswith("(copie)")
    assert [q.code for q in copy.ordered_questions()] == ["enfants", "ages", "commentaire"]
    assert [(c.code, c.label_fr) for c in copy.question("ages").choices] == [("0-2", "0 à 2 ans"), ("3-5", "3 à 5 ans")]
    assert copy.question("ages").relevant == "${enfants} = 'yes'"
    assert copy.question("ages").id != survey.question("ages").id
    assert count_rows(Question) == 6 and count_rows(SurveyPage) == 4


def test_delete_a_draft(client, facilitator, survey, csrf):
    response = client.post(f"/surveys/{survey.id}/delete", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/surveys")
    assert count_rows(Survey) == 0 and count_rows(Question) == 0
    assert db.session.execute(db.select(AuditLog).filter_by(action="survey.delete")).scalar_one().details["slug"] == (
        "famille"
    )


def test_delete_is_refused_for_an_open_survey_or_one_with_responses(client, facilitator, survey, csrf):
    _answer(survey, survey.question("commentaire"), text_value="Bonjour")
    response = client.post(f"/surveys/{survey.id}/delete", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ce questionnaire a des réponses : il ne peut pas être supprimé." in page
    survey.status = SurveyStatus.OPEN
    db.session.commit()
    response = client.post(f"/surveys/{survey.id}/delete", data={"csrf_token": csrf(f"/surveys/{survey.id}")})
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Seul un brouillon peut être supprimé" in page
    assert count_rows(Survey) == 1


# ------------------------------------------------------------------------------------------------- pages


def test_add_edit_and_delete_a_page(client, facilitator, survey, csrf):
    token = csrf(f"/surveys/{survey.id}")
    response = client.post(f"/surveys/{survey.id}/pages", data={"csrf_token": token})
    assert response.status_code == 302
    page = db.session.execute(db.select(SurveyPage).filter_by(survey_id=survey.id, position=2)).scalar_one()
    url = f"/surveys/{survey.id}/pages/{page.id}"
    response = client.post(
        url,
        data={"title_fr": "Pour finir", "title_en": "Finally", "relevant": "${enfants} = 'yes'", "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.refresh(page)
    assert (page.title_fr, page.relevant) == ("Pour finir", "${enfants} = 'yes'")
    response = client.post(f"{url}/delete", data={"csrf_token": token})
    assert response.status_code == 302 and count_rows(SurveyPage) == 2


def test_page_condition_refused_with_its_position(client, facilitator, survey, csrf):
    page = survey.pages[0]
    url = f"/surveys/{survey.id}/pages/{page.id}"
    response = client.post(
        url, data={"title_fr": "Votre famille", "relevant": "${enfants} = 'yes'", "csrf_token": csrf(url)}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "La question « enfants » vient plus loin dans le questionnaire" in text and "(caractère 1)" in text
    assert 'value="${enfants} = &#39;yes&#39;"' in text  # what was typed is kept


def test_reorder_pages(client, facilitator, survey, csrf):
    _first, second = survey.pages
    # Moving page 2 before page 1 would put "commentaire" before... nothing refers to it: allowed.
    response = client.post(
        f"/surveys/{survey.id}/pages/{second.id}/move",
        data={"direction": "up", "csrf_token": csrf(f"/surveys/{survey.id}")},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [p.title_fr for p in db.session.get(Survey, survey.id).pages] == ["Suite", "Votre famille"]
    response = client.post(
        f"/surveys/{survey.id}/pages/{second.id}/move",
        data={"direction": "up", "csrf_token": csrf(f"/surveys/{survey.id}")},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Cette page est déjà la première." in page


def test_reorder_refused_when_a_condition_would_look_ahead(client, facilitator, survey, csrf):
    ages = survey.question("ages")
    response = client.post(
        f"/surveys/{survey.id}/questions/{ages.id}/move",
        data={"direction": "up", "csrf_token": csrf(f"/surveys/{survey.id}")},
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "La question « enfants » vient plus loin dans le questionnaire" in page
    db.session.expire_all()
    assert [q.code for q in db.session.get(Survey, survey.id).ordered_questions()] == ["enfants", "ages", "commentaire"]


def test_move_question_across_pages_and_choices(client, facilitator, survey, csrf):
    token = csrf(f"/surveys/{survey.id}")
    ages = survey.question("ages")
    response = client.post(
        f"/surveys/{survey.id}/questions/{ages.id}/move", data={"direction": "down", "csrf_token": token}
    )
    assert response.status_code == 302
    db.session.expire_all()
    moved = db.session.get(Survey, survey.id)
    assert [[q.code for q in p.questions] for p in moved.pages] == [["enfants"], ["ages", "commentaire"]]
    choice = moved.question("ages").choices[1]
    response = client.post(
        f"/surveys/{survey.id}/questions/{ages.id}/choices/{choice.id}/move",
        data={"direction": "up", "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [c.code for c in db.session.get(Survey, survey.id).question("ages").choices] == ["3-5", "0-2"]


def test_tampered_ids_give_404(client, facilitator, survey, create_survey, csrf):
    other = create_survey([{"questions": [{"code": "x", "type": "short_text"}]}])
    token = csrf(f"/surveys/{survey.id}")
    foreign_question = other.question("x")
    assert client.get(f"/surveys/{survey.id}/questions/{foreign_question.id}").status_code == 404
    assert client.get(f"/surveys/{survey.id}/pages/{other.pages[0].id}").status_code == 404
    assert (
        client.post(
            f"/surveys/{survey.id}/questions/{foreign_question.id}/delete", data={"csrf_token": token}
        ).status_code
        == 404
    )
    assert client.get("/surveys/999999").status_code == 404
    ages = survey.question("ages")
    assert (
        client.post(
            f"/surveys/{survey.id}/questions/{ages.id}/choices/{other.question('x').id}/move",
            data={"direction": "up", "csrf_token": token},
        ).status_code
        == 404
    )
    response = client.post(
        f"/surveys/{survey.id}/questions/{ages.id}/move", data={"direction": "sideways", "csrf_token": token}
    )
    assert response.status_code == 302
    assert count_rows(Question) == 4


# ----------------------------------------------------------------------------------------------- questions


def test_type_chooser_then_question_form(client, facilitator, survey):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    page = client.get(url).get_data(as_text=True)
    assert "Type de question" in page and "Matrice (lignes × une échelle)" in page
    page = client.get(url + "?type=rating").get_data(as_text=True)
    assert "Nombre de points (de 1 à N)" in page and "Choix" not in re.findall(r"<legend>([^<]*)</legend>", page)
    assert client.get(url + "?type=bogus").status_code == 200


@pytest.mark.parametrize(
    ("qtype", "extra", "settings", "choices"),
    [
        ("short_text", {"max_length": "80", "open": "y"}, {"max_length": 80, "open": True}, []),
        ("long_text", {"min_length": "10"}, {"min_length": 10}, []),
        (
            "single_choice",
            {"choices": "a | A | A\nb | B | B", "display": "dropdown", "other": "y"},
            {"display": "dropdown", "other": True},
            ["a", "b"],
        ),
        (
            "multiple_choice",
            {"choices": "a | A\nb | B\nc | C", "min_selections": "1", "max_selections": "2"},
            {"min_selections": 1, "max_selections": 2},
            ["a", "b", "c"],
        ),
        ("yes_no", {}, {}, []),
        (
            "rating",
            {"scale": "7", "low_label_fr": "Pas du tout", "high_label_fr": "Tout à fait"},
            {"scale": 7, "low_label_fr": "Pas du tout", "high_label_fr": "Tout à fait"},
            [],
        ),
        (
            "numeric",
            {"min_value": "0", "max_value": "2.5", "decimal": "y"},
            {"min": 0, "max": 2.5, "decimal": True},
            [],
        ),
        ("date", {"min_date": "2020-01-01"}, {"min": "2020-01-01"}, []),
        ("ranking", {"choices": "x | X\ny | Y"}, {}, ["x", "y"]),
        ("territory", {"display": "dropdown"}, {"display": "dropdown"}, []),
        ("note", {}, {}, []),
    ],
)
def test_add_a_question_of_each_type(client, facilitator, survey, csrf, qtype, extra, settings, choices):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    response = client.post(
        url, data={**_question_form("nouvelle", qtype, **extra), "csrf_token": csrf(f"{url}?type={qtype}")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    question = db.session.execute(db.select(Question).filter_by(code="nouvelle")).scalar_one()
    assert question.type is QuestionType(qtype) and question.settings == settings
    assert [c.code for c in question.choices] == choices
    assert question.page_id == survey.pages[1].id and question.position == 1


def test_matrix_question_rows_and_scale(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    data = _question_form(
        "satisfaction",
        "matrix",
        choices="1 | Insatisfait | Dissatisfied\n2 | Satisfait | Satisfied",
        rows="garde | Services de garde | Childcare\nsante | Santé | Health",
    )
    response = client.post(url, data={**data, "csrf_token": csrf(f"{url}?type=matrix")})
    assert response.status_code == 302
    question = db.session.execute(db.select(Question).filter_by(code="satisfaction")).scalar_one()
    assert [c.code for c in question.choices] == ["1", "2"] and [r.code for r in question.rows] == ["garde", "sante"]
    # The textareas show exactly what was typed.
    page = client.get(f"/surveys/{survey.id}/questions/{question.id}").get_data(as_text=True)
    assert "garde | Services de garde | Childcare\nsante | Santé | Health" in page


def test_question_expressions_refused_with_position_and_input_kept(client, facilitator, survey, csrf):
    question = survey.question("commentaire")
    url = f"/surveys/{survey.id}/questions/{question.id}"
    token = csrf(url)
    cases = [
        ("${enfants} == 'yes'", "Utilisez un seul « = » pour comparer (caractère 13)."),
        ("${enfants} = = 'yes'", "« = » inattendu au caractère 14."),
        ("${inconnue} = 'a'", "Question « inconnue » inconnue (caractère 1)"),
        ("${commentaire} != ''", "Une condition d’affichage ne peut pas utiliser la réponse à sa propre question"),
        ("selected(${ages}, '9-12')", "« 9-12 » n’est pas un choix de la question « ages » (caractère 19)."),
    ]
    for expression, message in cases:
        response = client.post(
            url, data={**_question_form("commentaire", "long_text"), "relevant": expression, "csrf_token": token}
        )
        page = response.get_data(as_text=True)
        assert response.status_code == 200
        assert message in page, expression
        assert "Veuillez corriger ce qui suit" in page
    response = client.post(
        url, data={**_question_form("commentaire", "long_text"), "constraint": ". >= ${plus_tard}", "csrf_token": token}
    )
    assert "Question « plus_tard » inconnue (caractère 6)" in response.get_data(as_text=True)
    db.session.refresh(question)
    assert question.relevant == "" and question.constraint == ""


def test_question_expression_referring_to_a_later_question(client, facilitator, survey, csrf):
    enfants = survey.question("enfants")
    url = f"/surveys/{survey.id}/questions/{enfants.id}"
    response = client.post(
        url, data={**_question_form("enfants", "yes_no"), "relevant": "${commentaire} != ''", "csrf_token": csrf(url)}
    )
    page = response.get_data(as_text=True)
    assert "La question « commentaire » vient plus loin dans le questionnaire" in page and "(caractère 1)" in page


def test_choice_lines_errors_and_duplicates(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    token = csrf(f"{url}?type=single_choice")
    page = client.post(
        url, data={**_question_form("q", "single_choice", choices="a | A\na | Encore A"), "csrf_token": token}
    ).get_data(as_text=True)
    assert "Ligne 2 : Le code « a » apparaît deux fois dans cette liste." in page
    page = client.post(
        url, data={**_question_form("q", "single_choice", choices="seul | Seul"), "csrf_token": token}
    ).get_data(as_text=True)
    assert "Donnez au moins 2 choix." in page
    page = client.post(
        url, data={**_question_form("q", "single_choice", choices="a | b | c | d"), "csrf_token": token}
    ).get_data(as_text=True)
    assert "Ligne 1 : trop de « | »" in page
    assert count_rows(Question) == 3


def test_choice_lines_round_trip_with_pipes_and_generated_codes(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    text = "Oui, souvent\nnon | Non \\| jamais | No \\| never"
    response = client.post(
        url,
        data={**_question_form("q", "single_choice", choices=text), "csrf_token": csrf(f"{url}?type=single_choice")},
    )
    assert response.status_code == 302
    question = db.session.execute(db.select(Question).filter_by(code="q")).scalar_one()
    assert [(c.code, c.label_fr, c.label_en) for c in question.choices] == [
        ("oui_souvent", "Oui, souvent", ""),
        ("non", "Non | jamais", "No | never"),
    ]
    page = client.get(f"/surveys/{survey.id}/questions/{question.id}").get_data(as_text=True)
    assert "oui_souvent | Oui, souvent | \nnon | Non \\| jamais | No \\| never" in page


def test_duplicate_question_code_is_refused(client, facilitator, survey, csrf):
    url = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    page = client.post(
        url, data={**_question_form("enfants", "short_text"), "csrf_token": csrf(f"{url}?type=short_text")}
    ).get_data(as_text=True)
    assert "Une autre question de ce questionnaire utilise déjà le code « enfants »." in page


def test_renaming_a_code_used_elsewhere_is_refused(client, facilitator, survey, csrf):
    enfants = survey.question("enfants")
    url = f"/surveys/{survey.id}/questions/{enfants.id}"
    response = client.post(url, data={**_question_form("a_des_enfants", "yes_no"), "csrf_token": csrf(url)})
    page = response.get_data(as_text=True)
    assert "Page 1, question « ages » — Question « enfants » inconnue (caractère 1)" in page
    db.session.refresh(enfants)
    assert enfants.code == "enfants"


def test_delete_a_question(client, facilitator, survey, csrf):
    commentaire = survey.question("commentaire")
    response = client.post(
        f"/surveys/{survey.id}/questions/{commentaire.id}/delete", data={"csrf_token": csrf(f"/surveys/{survey.id}")}
    )
    assert response.status_code == 302 and count_rows(Question) == 2
    # A question another condition uses cannot go.
    enfants = survey.question("enfants")
    response = client.post(
        f"/surveys/{survey.id}/questions/{enfants.id}/delete", data={"csrf_token": csrf(f"/surveys/{survey.id}")}
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Question « enfants » inconnue" in page and count_rows(Question) == 2


def test_hostile_input_gets_messages_not_errors(client, facilitator, survey, csrf):
    question = survey.question("commentaire")
    url = f"/surveys/{survey.id}/questions/{question.id}"
    token = csrf(url)
    huge = "x" * 200_000
    response = client.post(
        url, data={**_question_form("commentaire", "long_text"), "label_fr": huge, "csrf_token": token}
    )
    assert response.status_code == 200 and "Le champ ne peut pas" in response.get_data(as_text=True)
    response = client.post(url, data={**_question_form("commentaire", "nonsense"), "csrf_token": token})
    assert response.status_code == 200
    response = client.post(
        url, data={**_question_form("commentaire", "long_text"), "relevant": "(" * 3000, "csrf_token": token}
    )
    assert response.status_code == 200
    response = client.post(
        url, data={**_question_form("commentaire", "numeric"), "min_value": "abc", "csrf_token": token}
    )
    assert response.status_code == 200
    response = client.post(url, data={**_question_form("1 mauvais code", "long_text"), "csrf_token": token})
    assert "n’est pas un code valide" in response.get_data(as_text=True)
    db.session.refresh(question)
    assert question.label_fr == "Commentaire" and question.type is QuestionType.LONG_TEXT


# ------------------------------------------------------------------------------------- protection once answered


def test_edits_that_would_corrupt_answers_are_refused(client, facilitator, survey, csrf):
    ages = survey.question("ages")
    _answer(survey, ages, choice=ages.choices[0])
    url = f"/surveys/{survey.id}/questions/{ages.id}"
    token = csrf(url)
    base = _question_form("ages", "multiple_choice", relevant="${enfants} = 'yes'")
    # Removing the answered choice, or changing its code.
    page = client.post(url, data={**base, "choices": "3-5 | 3 à 5 ans\n6-8 | 6 à 8 ans", "csrf_token": token}).get_data(
        as_text=True
    )
    assert "Le choix « 0-2 » a des réponses : il ne peut être ni retiré ni recodé" in page
    page = client.post(
        url, data={**base, "choices": "zero-deux | 0 à 2 ans\n3-5 | 3 à 5 ans", "csrf_token": token}
    ).get_data(as_text=True)
    assert "Le choix « 0-2 » a des réponses" in page
    # Changing the type.
    page = client.post(
        url, data={**base, "type": "ranking", "choices": "0-2 | a\n3-5 | b", "csrf_token": token}
    ).get_data(as_text=True)
    assert "le type d’une question ne peut pas changer" in page
    # Deleting the question.
    response = client.post(f"/surveys/{survey.id}/questions/{ages.id}/delete", data={"csrf_token": token})
    assert "La question « ages » a des réponses : elle ne peut pas être supprimée." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    db.session.expire_all()
    assert [c.code for c in db.session.get(Question, ages.id).choices] == ["0-2", "3-5"]
    assert db.session.get(Survey, survey.id).version == 1


def test_wording_fixes_and_new_optional_questions_are_allowed(client, facilitator, survey, csrf):
    ages = survey.question("ages")
    _answer(survey, ages, choice=ages.choices[0])
    url = f"/surveys/{survey.id}/questions/{ages.id}"
    data = _question_form(
        "ages",
        "multiple_choice",
        label_fr="Quel âge ont vos enfants?",
        relevant="${enfants} = 'yes'",
        choices="0-2 | Moins de 3 ans | Under 3\n3-5 | 3 à 5 ans | 3 to 5\n6-8 | 6 à 8 ans | 6 to 8",
    )
    response = client.post(url, data={**data, "csrf_token": csrf(url)})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    ages = db.session.get(Question, ages.id)
    assert ages.label_fr == "Quel âge ont vos enfants?" and next(c.label_fr for c in ages.choices) == "Moins de 3 ans"
    assert db.session.get(Survey, survey.id).version == 2  # a choice was added
    new = f"/surveys/{survey.id}/pages/{survey.pages[1].id}/questions/new"
    page = client.post(
        new, data={**_question_form("nouvelle", "short_text", required="y"), "csrf_token": csrf(url)}
    ).get_data(as_text=True)
    assert "une nouvelle question doit être facultative" in page
    response = client.post(new, data={**_question_form("nouvelle", "short_text"), "csrf_token": csrf(url)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Survey, survey.id).version == 3
    # An unanswered choice can still be removed.
    response = client.post(
        url, data={**data, "choices": "0-2 | Moins de 3 ans\n3-5 | 3 à 5 ans", "csrf_token": csrf(url)}
    )
    assert response.status_code == 302
    assert count_rows(Choice) == 2


def test_answered_question_code_cannot_change(client, facilitator, survey, csrf):
    commentaire = survey.question("commentaire")
    _answer(survey, commentaire, text_value="Merci")
    url = f"/surveys/{survey.id}/questions/{commentaire.id}"
    page = client.post(url, data={**_question_form("remarque", "long_text"), "csrf_token": csrf(url)}).get_data(
        as_text=True
    )
    assert "le code d’une question ne peut pas changer" in page


def test_editor_page_shows_the_structure(client, facilitator, survey):
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert (
        "Page 1 — Votre famille" in page and "Avez-vous des enfants?" in page and "${enfants} = &#39;yes&#39;" in page
    )
    assert 'href="/s/famille?preview=1"' in page and f'href="/surveys/{survey.id}/paper"' in page
    assert "Ouvrir le questionnaire" in page and "Supprimer ce brouillon" in page


def test_export_json(client, facilitator, survey):
    response = client.get(f"/surveys/{survey.id}/definition.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["format"] == "concerto-questionnaire" and data["version"] == 1
    assert [q["code"] for p in data["pages"] for q in p["questions"]] == ["enfants", "ages", "commentaire"]


HOSTILE = {
    "type": "<script>",
    "code": "x" * 5000,
    "label_fr": "\x00" * 10,
    "choices": "|" * 10_000,
    "rows": "a | b\n" * 400,
    "relevant": "${" * 500,
    "direction": "sideways",
    "process_id": "-1",
    "start": "../../etc/passwd",
    "count": "99999999999999999999",
    "min_value": "1e400",
    "max_value": "NaN",
    "scale": "-1",
    "opens_at": "2030-13-45T99:99",
    "anonymity": "everyone",
    "slug": "x" * 500,
    "emails": "a@b\n" * 2000,
    "territory": "'; DROP TABLE surveys; --",
}


def test_no_builder_route_answers_500_to_hostile_posts(app, client, facilitator, survey, csrf):
    token = csrf(f"/surveys/{survey.id}")
    ages = survey.question("ages")
    values = {
        "survey_id": survey.id,
        "page_id": survey.pages[0].id,
        "question_id": ages.id,
        "choice_id": ages.choices[0].id,
    }
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("builder.") and "POST" in r.methods]
    rules.sort(key=lambda r: r.rule.endswith("/delete"))  # deletions last, so that every route meets real objects
    assert len(rules) >= 15
    for rule in rules:
        with app.test_request_context():
            url = rule.build({name: values[name] for name in rule.arguments})[1]
        for data in ({**HOSTILE, "csrf_token": token}, {"csrf_token": token}):
            response = client.post(url, data=data)
            assert response.status_code < 500, (rule.rule, response.status_code)
            db.session.rollback()
