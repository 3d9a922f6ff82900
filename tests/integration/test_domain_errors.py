"""A refused action is a DomainError (app/core/errors.py): the person reads it next to the form field it names, or
at the top of the page when it names none (app/web/forms.py, after FlaskBB's ``populate_errors``), and nothing of
the refused action is kept."""

import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from flask_wtf import FlaskForm
from wtforms import StringField

from app.admin.operations import AdminError
from app.auth.accounts import EmailTaken, TokenError, TokenProblem
from app.builder.definition import DefinitionInvalid
from app.builder.invitations import InvitationError
from app.builder.operations import BuilderError
from app.builder.xlsform import XLSFormInvalid
from app.compliance.backup import BackupError
from app.core.errors import DomainError
from app.core.extensions import db
from app.models import IllegalTransition, Role, SurveyStatus, Territory
from app.moderation.decisions import DecisionError, RedactionRequired, StaleDecision
from app.participation.figures import TargetError
from app.respond.storage import RespondError, ResponseAlreadyComplete, ResponseIncomplete
from app.voting.ballots import InvalidBallot, NotAcceptingCasts, NotEligible, VotingError
from app.voting.paper_ballots import PaperImportRejected
from app.web.forms import MAX_FLASHED, attempt, populate_errors
from tests.conftest import count_rows


class NameForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField()
    code = StringField()


@pytest.fixture
def request_context(app):
    with app.test_request_context("/", method="POST"):
        yield


def _flashed() -> list[tuple[str, str]]:
    return get_flashed_messages(with_categories=True)


def test_the_errors_of_every_feature_are_domain_errors():
    errors = [
        AdminError("a", "name"),
        TokenError(TokenProblem.USED),
        EmailTaken("x@example.org"),
        DecisionError("a"),
        StaleDecision(),
        RedactionRequired(),
        BackupError("a"),
        IllegalTransition(SurveyStatus.DRAFT, SurveyStatus.ARCHIVED),
        DefinitionInvalid([]),
        XLSFormInvalid([]),
        InvitationError("a", "emails"),
        BuilderError("a", "code"),
        RespondError(),
        ResponseAlreadyComplete(),
        ResponseIncomplete([]),
        VotingError("a", "options"),
        NotEligible("a"),
        NotAcceptingCasts("a"),
        InvalidBallot([]),
        PaperImportRejected([]),
        TargetError(7),
    ]
    assert all(isinstance(error, DomainError) for error in errors)
    # Their attributes are kept: callers and tests use them.
    email, target = errors[2], errors[-1]
    assert (email.email, email.field, str(email.message)) == (
        "x@example.org",
        "email",
        "Un compte utilise déjà cette adresse courriel.",
    )
    assert (target.territory_id, target.field) == (7, "target_7")
    assert errors[7].current is SurveyStatus.DRAFT and str(errors[7]) == "cannot move from draft to archived"
    assert (errors[15].field, errors[15].code, errors[1].problem) == ("options", "refused", TokenProblem.USED)


def test_an_error_naming_a_field_of_the_form_goes_next_to_it(request_context):
    form = NameForm()
    populate_errors(form, AdminError("Ce code est déjà utilisé.", "code"))
    assert (list(form.code.errors), list(form.name.errors), _flashed()) == (["Ce code est déjà utilisé."], [], [])


def test_an_error_naming_no_field_or_one_the_form_lacks_is_flashed(request_context):
    form = NameForm()
    populate_errors(form, AdminError("Action impossible."))
    populate_errors(form, InvitationError("Adresses invalides.", "emails"))
    assert _flashed() == [("error", "Action impossible."), ("error", "Adresses invalides.")]
    assert not form.code.errors and not form.name.errors


def test_each_problem_of_a_builder_error_goes_to_its_own_field(request_context):
    form = NameForm()
    error = BuilderError.from_problems([("code", "Code déjà pris."), ("name", "Nom requis."), (None, "Page vide.")])
    populate_errors(form, error)
    assert (form.code.errors, form.name.errors, _flashed()) == (
        ["Code déjà pris."],
        ["Nom requis."],
        [("error", "Page vide.")],
    )


def test_without_a_form_the_first_ten_problems_are_flashed(request_context):
    populate_errors(None, BuilderError.from_problems([(f"f{n}", f"Problème {n}") for n in range(15)]))
    assert [message for _category, message in _flashed()] == [f"Problème {n}" for n in range(MAX_FLASHED)]


def test_a_refused_attempt_keeps_nothing_and_shows_why(request_context):
    form = NameForm()
    with attempt(form, success="Enregistré.") as done:
        db.session.add(Territory(code="T9", name="Territoire 9"))
        db.session.flush()
        raise AdminError("Ce code est déjà utilisé.", "code")
    assert not done and isinstance(done.error, AdminError)
    assert count_rows(Territory) == 0  # rolled back at once, before the page is drawn again
    assert form.code.errors == ["Ce code est déjà utilisé."] and _flashed() == []


def test_an_attempt_that_goes_through_is_flushed_and_says_so(request_context):
    with attempt(success="Territoire enregistré.") as done:
        db.session.add(Territory(code="T9", name="Territoire 9"))
    assert done and db.session.scalars(sa.select(Territory.id)).one() is not None
    assert _flashed() == [("success", "Territoire enregistré.")]


def test_a_database_conflict_becomes_the_error_given_for_it(request_context):
    db.session.add(Territory(code="T9", name="Territoire 9"))
    db.session.commit()
    form = NameForm()
    with attempt(form, success="Enregistré.", conflict=AdminError("Ce code est déjà utilisé.", "code")) as done:
        db.session.add(Territory(code="T9", name="Un autre territoire"))  # refused at the flush on leaving
    assert not done and form.code.errors == ["Ce code est déjà utilisé."] and _flashed() == []
    assert count_rows(Territory) == 1


def test_a_database_conflict_without_its_error_is_a_server_error(request_context):
    db.session.add(Territory(code="T9", name="Territoire 9"))
    db.session.commit()
    with pytest.raises(sa.exc.IntegrityError), attempt():
        db.session.add(Territory(code="T9", name="Un autre territoire"))
    db.session.rollback()


def test_an_error_that_is_not_a_refusal_goes_on(request_context):
    with pytest.raises(RuntimeError), attempt(success="Enregistré."):
        raise RuntimeError("a bug")
    assert _flashed() == []


def test_words_can_replace_the_message_of_an_error_type(request_context):
    with attempt(heading="Le statut n’a pas changé :", wording={IllegalTransition: "Pas depuis cet état."}):
        raise IllegalTransition(SurveyStatus.DRAFT, SurveyStatus.ARCHIVED)
    assert _flashed() == [("error", "Le statut n’a pas changé :"), ("error", "Pas depuis cet état.")]


def test_a_refusal_through_a_page_shows_next_to_its_field_and_saves_nothing(client, auth, create_territory):
    create_territory(code="COA", name="Coaticook")
    auth.login(Role.ADMIN)
    page = client.get("/admin/territories/new").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/admin/territories/new", data={"csrf_token": token, "code": "COA", "name": "Autre"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<p class="field-error" id="code-error">\n      <span>Un territoire porte déjà ce code.</span>' in html
    assert count_rows(Territory) == 1
