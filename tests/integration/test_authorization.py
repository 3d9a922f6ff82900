"""The authorization matrix: every route of the app against anonymous, partner, facilitator and admin.

A new route fails here until it declares its access (``@public`` or ``@role_required``) and, when it takes URL
arguments, until SAMPLE_ARGUMENTS knows how to fill them.
"""

import pytest

from app.auth.access import PUBLIC
from app.core.extensions import db
from app.models import BallotStatus, Invitation, OrientationState, Response, ResponseChannel, Role, Theme
from app.models.people import hash_token
from tests.conftest import csrf_token_from
from tests.integration.moderation_helpers import make_item, make_orientation
from tests.integration.test_events import make_event
from tests.integration.voting_helpers import make_ballot

ROLES = [None, Role.PARTNER, Role.FACILITATOR, Role.ADMIN]
SKIPPED_ENDPOINTS = {"static"}


def _rules(app):
    return sorted(
        (rule for rule in app.url_map.iter_rules() if rule.endpoint not in SKIPPED_ENDPOINTS),
        key=lambda rule: (rule.rule, rule.endpoint),
    )


def _cases():
    from app import create_app

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for rule in _rules(app):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield pytest.param(rule.rule, rule.endpoint, method, id=f"{method} {rule.rule} ({rule.endpoint})")


CASES = list(_cases())


def test_every_endpoint_declares_its_access(app):
    undeclared = [
        rule.endpoint
        for rule in _rules(app)
        if getattr(app.view_functions[rule.endpoint], "access", None) not in {PUBLIC, *(r.value for r in Role)}
    ]
    assert undeclared == []


# The builder's and voting's routes (method, rule, endpoint, access), pinned when their views were split into
# ``views/`` modules (issue 20): a route lost, renamed or given another access fails here, where the matrix below
# would only test fewer routes.
PINNED_ROUTES = """
POST /surveys/<int:survey_id>/archive builder.archive_survey facilitator
POST /surveys/<int:survey_id>/close builder.close_survey facilitator
GET /surveys/<int:survey_id>/reminders builder.confirm_reminders facilitator
POST /surveys/<int:survey_id>/duplicate builder.copy_survey facilitator
GET /surveys/<int:survey_id>/distribute builder.distribute facilitator
GET /surveys/<int:survey_id>/pages/<int:page_id> builder.edit_page facilitator
POST /surveys/<int:survey_id>/pages/<int:page_id> builder.edit_page facilitator
GET /surveys/<int:survey_id>/questions/<int:question_id> builder.edit_question facilitator
POST /surveys/<int:survey_id>/questions/<int:question_id> builder.edit_question facilitator
GET /surveys/<int:survey_id>/settings builder.edit_survey facilitator
POST /surveys/<int:survey_id>/settings builder.edit_survey facilitator
GET /surveys/<int:survey_id>/definition.json builder.export_survey facilitator
GET /surveys/<int:survey_id>/definition.xlsx builder.export_survey_xlsform facilitator
GET /surveys/<int:survey_id>/flyer builder.flyer facilitator
GET /surveys/import builder.import_survey facilitator
POST /surveys/import builder.import_survey facilitator
GET /surveys builder.list_surveys facilitator
POST /surveys/<int:survey_id>/questions/<int:question_id>/new-page builder.move_question_to_page facilitator
POST /surveys/<int:survey_id>/invitations builder.new_invitations facilitator
POST /surveys/<int:survey_id>/pages builder.new_page facilitator
GET /surveys/<int:survey_id>/pages/<int:page_id>/questions/new builder.new_question facilitator
POST /surveys/<int:survey_id>/pages/<int:page_id>/questions/new builder.new_question facilitator
GET /surveys/new builder.new_survey facilitator
POST /surveys/new builder.new_survey facilitator
POST /surveys/<int:survey_id>/open builder.open_survey facilitator
GET /surveys/<int:survey_id>/print builder.print_survey facilitator
GET /surveys/<int:survey_id>/qr.png builder.qr_code_png facilitator
GET /surveys/<int:survey_id>/qr.svg builder.qr_code_svg facilitator
POST /surveys/<int:survey_id>/pages/<int:page_id>/delete builder.remove_page facilitator
POST /surveys/<int:survey_id>/questions/<int:question_id>/delete builder.remove_question facilitator
POST /surveys/<int:survey_id>/delete builder.remove_survey facilitator
POST /surveys/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/move builder.reorder_choice facilitator
POST /surveys/<int:survey_id>/pages/<int:page_id>/move builder.reorder_page facilitator
POST /surveys/<int:survey_id>/questions/<int:question_id>/move builder.reorder_question facilitator
POST /surveys/<int:survey_id>/restore builder.restore_survey facilitator
POST /surveys/<int:survey_id>/reminders builder.send_survey_reminders facilitator
GET /surveys/<int:survey_id> builder.show_survey facilitator
POST /manage/ballots/<int:ballot_id>/adopt voting.adopt_options facilitator
POST /ballots/<int:ballot_id>/vote voting.cast_vote partner
POST /ballots/<int:ballot_id>/receipts/check voting.check_receipt partner
POST /manage/ballots/<int:ballot_id>/close voting.close_ballot facilitator
GET /manage/processes/<int:process_id>/ballots/new voting.create_ballot facilitator
POST /manage/processes/<int:process_id>/ballots/new voting.create_ballot facilitator
POST /manage/ballots/<int:ballot_id>/delete voting.delete_ballot facilitator
GET /manage/ballots/<int:ballot_id>/edit voting.edit_ballot facilitator
POST /manage/ballots/<int:ballot_id>/edit voting.edit_ballot facilitator
GET /manage/ballots/<int:ballot_id>/export/ballots.csv voting.export_ballots facilitator
GET /manage/ballots/<int:ballot_id>/export/results.csv voting.export_results facilitator
GET /manage/ballots/<int:ballot_id>/paper voting.import_paper facilitator
POST /manage/ballots/<int:ballot_id>/paper voting.import_paper facilitator
GET /ballots/<int:ballot_id>/receipts voting.list_receipts partner
GET /votes voting.list_votes partner
GET /manage/ballots/<int:ballot_id> voting.manage_ballot facilitator
GET /manage/ballots voting.manage_overview facilitator
GET /manage/processes/<int:process_id>/ballots voting.manage_process_ballots facilitator
POST /manage/ballots/<int:ballot_id>/open voting.open_ballot facilitator
GET /p/<slug>/votes voting.process_votes partner
POST /manage/ballots/<int:ballot_id>/publish voting.publish_results facilitator
GET /ballots/<int:ballot_id> voting.show_ballot partner
GET /ballots/<int:ballot_id>/results voting.show_results partner
"""  # noqa: E501 (one route a line)


def test_the_builder_and_voting_routes_are_all_there(app):
    found = {
        (method, rule.rule, rule.endpoint, app.view_functions[rule.endpoint].access)
        for rule in _rules(app)
        if rule.endpoint.split(".")[0] in {"builder", "voting"}
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert found == {tuple(line.split()) for line in PINNED_ROUTES.strip().splitlines()}


@pytest.fixture
def sample_arguments(create_user, create_organization, create_territory, create_process, create_survey):
    """Existing objects for every URL argument name used by the app."""
    territory = create_territory()
    # An open survey sharing its slug with a process (/p/<slug> and /s/<slug>), with a required choice question
    # (so a bare POST completes nothing), a real invitation for the sample token and an unfinished paper entry.
    shared_slug = create_process().slug
    survey = create_survey(
        [{"questions": [{"code": "q1", "type": "single_choice", "choices": ["a", "b"], "required": True}]}],
        slug=shared_slug,
    )
    question = survey.question("q1")
    db.session.add(Invitation(survey=survey, token_hash=hash_token("not-a-real-token")))
    paper = Response(survey=survey, survey_version=1, channel=ResponseChannel.PAPER)
    db.session.add(paper)
    db.session.commit()
    moderated_process = create_process()
    moderated_item = make_item(moderated_process, "Plus de places en garderie.")
    theme = Theme(process_id=moderated_process.id, name_fr="Petite enfance")
    db.session.add(theme)
    db.session.commit()
    followup = _followup_arguments(moderated_process, moderated_item, create_user, create_organization)
    return {
        **followup,
        "item_id": moderated_item.id,
        "theme_id": theme.id,
        "orientation_id": make_orientation(moderated_process, [moderated_item], state=OrientationState.IN_REVIEW).id,
        "survey_id": survey.id,
        "page_id": survey.pages[0].id,
        "question_id": question.id,
        "choice_id": question.choices[0].id,
        "user_id": create_user(Role.PARTNER).id,
        "organization_id": create_organization(territory=territory).id,
        "territory_id": territory.id,
        "process_id": create_process().id,
        "slug": shared_slug,
        "token": "not-a-real-token",
        # A published ballot: every role that may open a voting route gets an answer other than 401/403/500.
        "ballot_id": make_ballot(create_process(), status=BallotStatus.PUBLISHED).id,
        "response_id": paper.id,
        "number": 1,
        "fmt": "csv",
        "event_id": make_event(create_process()).id,
        "code": "ABCDEF",  # a live room code that does not exist: public pages say so, facilitator pages 404
    }


def _followup_arguments(process, item, create_user, create_organization) -> dict:
    """An adopted priority with an action, an indicator and a commitment (of an organization no test user is in)."""
    from app.followup import actions, commitments
    from app.models import ItemState

    item.state, item.redacted_text = ItemState.APPROVED, item.text
    priority = make_orientation(process, [item], state=OrientationState.ADOPTED)
    facilitator = create_user(Role.FACILITATOR)
    action = actions.create_action(priority, facilitator, title_fr="Chantier")
    indicator = actions.add_indicator(action, facilitator, action.version, name_fr="Places", unit="places")
    partner = create_user(Role.PARTNER, organization=create_organization())
    commitment = commitments.declare(
        process, partner, commitments.CommitmentFields(orientation_id=priority.id, kind="funding", text="Du soutien.")
    )
    db.session.commit()
    return {"action_id": action.id, "indicator_id": indicator.id, "commitment_id": commitment.id}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
@pytest.mark.parametrize(("rule", "endpoint", "method"), CASES)
def test_access_matrix(app, client, auth, sample_arguments, role, rule, endpoint, method):
    url_rule = next(r for r in app.url_map.iter_rules() if r.rule == rule and r.endpoint == endpoint)
    missing = set(url_rule.arguments) - set(sample_arguments)
    assert not missing, f"add sample values for {missing} to sample_arguments"
    with app.test_request_context():
        url = url_rule.build({name: sample_arguments[name] for name in url_rule.arguments})[1]

    if role is not None:
        auth.login(role)
    token = csrf_token_from(client.get("/").get_data(as_text=True))
    response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
    db.session.rollback()

    required = app.view_functions[endpoint].access
    redirected_to_login = response.status_code == 302 and "/login" in response.headers["Location"]
    if required == PUBLIC:
        assert response.status_code not in (401, 403) and not (redirected_to_login and endpoint != "auth.login")
    elif role is None:
        assert redirected_to_login, response.status_code
    elif role.includes(Role(required)):
        assert response.status_code not in (401, 403, 500) and not redirected_to_login, response.status_code
    else:
        assert response.status_code == 403
