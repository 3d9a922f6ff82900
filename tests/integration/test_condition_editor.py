"""Issue 15: a facilitator writes a display condition by pointing and clicking (question, operator, value, and/or),
without JavaScript; the editor writes the same expression text, still editable by hand, and the condition is said
in words next to the question."""

import re
from html import unescape

import pytest

from app.core.extensions import db
from app.models import Role
from tests.conftest import csrf_token_from


@pytest.fixture
def survey(create_survey):
    return create_survey(
        [
            {
                "questions": [
                    {"code": "enfants", "type": "yes_no", "label_fr": "Avez-vous des enfants?"},
                    {
                        "code": "aides",
                        "type": "multiple_choice",
                        "label_fr": "Aides reçues",
                        "choices": [("repit", "Répit", "Respite"), ("garde", "Garde", "Childcare")],
                    },
                    {"code": "age", "type": "numeric", "label_fr": "Votre âge"},
                ]
            },
            {"questions": [{"code": "pourquoi", "type": "long_text", "label_fr": "Pourquoi?"}]},
        ]
    )


def _text(html):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def _field_value(html, name):
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    return unescape(match.group(1)) if match else None


def _form(question):
    return {
        "type": "long_text",
        "code": question.code,
        "label_fr": question.label_fr,
        "label_en": "",
        "relevant": question.relevant or "",
    }


def _add(client, url, html, **fields):
    data = {"csrf_token": csrf_token_from(html), **fields, "add_condition": "1"}
    return client.post(url, data=data)


def test_point_and_click_writes_the_expression_and_says_it_in_words(client, auth, survey):
    auth.login(Role.FACILITATOR)
    question = survey.pages[1].questions[0]
    url = f"/surveys/{survey.id}/questions/{question.id}"
    html = client.get(url).get_data(as_text=True)
    assert 'name="condition_question"' in html and 'name="condition_operator"' in html
    # The three earlier questions can be chosen; the question itself cannot.
    options = re.findall(r'<option value="(\w+)"', html.split('name="condition_question"')[1].split("</select>")[0])
    assert options == ["enfants", "aides", "age"]
    response = _add(
        client,
        url,
        html,
        **_form(question),
        condition_question="enfants",
        condition_operator="=",
        condition_value="oui",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _field_value(html, "relevant") == "${enfants} = 'yes'"
    assert "Si vous avez répondu « Oui » à la question 1" in _text(html)
    db.session.refresh(question)
    assert question.relevant in ("", None)  # nothing saved until "Save"
    # A second clause joined with "or", then one with "and": the first two are kept together.
    html = _add(
        client,
        url,
        html,
        **{**_form(question), "relevant": "${enfants} = 'yes'"},
        condition_join="or",
        condition_question="aides",
        condition_operator="selected",
        condition_value="Garde",
    ).get_data(as_text=True)
    assert _field_value(html, "relevant") == "${enfants} = 'yes' or selected(${aides}, 'garde')"
    relevant = "${enfants} = 'yes' or selected(${aides}, 'garde')"
    html = _add(
        client,
        url,
        html,
        **{**_form(question), "relevant": relevant},
        condition_join="and",
        condition_question="age",
        condition_operator=">=",
        condition_value="18",
    ).get_data(as_text=True)
    expected = "(${enfants} = 'yes' or selected(${aides}, 'garde')) and ${age} >= 18"
    assert _field_value(html, "relevant") == expected
    # Saving stores exactly that text; the survey page says it in words next to the question.
    page = client.post(
        url, data={"csrf_token": csrf_token_from(html), **_form(question), "relevant": expected}, follow_redirects=True
    ).get_data(as_text=True)
    db.session.refresh(question)
    assert question.relevant == expected
    assert "vous avez coché « Garde » à la question 2" in _text(page)


def test_the_editor_explains_what_it_cannot_write(client, auth, survey):
    auth.login(Role.FACILITATOR)
    question = survey.pages[1].questions[0]
    url = f"/surveys/{survey.id}/questions/{question.id}"
    html = client.get(url).get_data(as_text=True)
    cases = [
        ({"condition_question": "", "condition_operator": "="}, "Choisissez la question dont dépend l’affichage."),
        (
            {"condition_question": "enfants", "condition_operator": "=", "condition_value": "peut-être"},
            "« peut-être » n’est pas une réponse de la question « enfants » : Oui, Non.",
        ),
        (
            {"condition_question": "age", "condition_operator": ">", "condition_value": "dix"},
            "Pour comparer, donnez un nombre (par exemple 18).",
        ),
    ]
    for fields, message in cases:
        response = _add(client, url, html, **{**_form(question), "relevant": "${age} != ''"}, **fields)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert message in _text(page)
        assert _field_value(page, "relevant") == "${age} != ''"  # what was typed is kept


def test_answered_and_not_answered_need_no_value(client, auth, survey):
    auth.login(Role.FACILITATOR)
    question = survey.pages[1].questions[0]
    url = f"/surveys/{survey.id}/questions/{question.id}"
    html = client.get(url).get_data(as_text=True)
    html = _add(client, url, html, **_form(question), condition_question="age", condition_operator="answered").get_data(
        as_text=True
    )
    assert _field_value(html, "relevant") == "${age} != ''"
    assert "Si vous avez répondu à la question 3" in _text(html)
