"""Property-based tests (hypothesis): random form data posted to the respondent pages and to the voting booth.

Whatever arrives (fields missing, wrong types, unknown choice codes, huge numbers, tampered page numbers,
submission keys, state and actions, no CSRF token), the answer is a 2xx, 3xx or a 4xx that says why, never a
500, and afterwards the database holds only valid rows: every Answer's choice and row belong to its question,
numbers within the question's limits, one value per single-answer question, no answer to a question its
conditions hide in a complete response, no complete response missing a required answer, at most one counted
ballot per voter and every ballot valid for its method.

Each test sets its data up once, then runs the examples against it (the rows of earlier examples stay: the
invariants hold for all of them together). The hypothesis database is off (nothing is written to the tree) and
the examples are derandomized: the same on every run, so a failure in CI replays on a laptop.
"""

from collections import Counter
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.core.extensions import db
from app.models import (
    Answer,
    BallotOption,
    Cast,
    Choice,
    ChoiceKind,
    QuestionType,
    Response,
    ResponseStatus,
    Role,
    VoterRecord,
    VotingMethod,
)
from app.respond import engine, storage
from app.voting import ballots as voting
from tests.conftest import AuthActions, csrf_token_from
from tests.integration.respond_helpers import KEY, PAGE_ACTION, STATE, Respondent
from tests.integration.voting_helpers import make_ballot
from tests.support.hostile import HOSTILE_STRINGS

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples on every run: CI failures can be replayed
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FUZZ_PAGES = [
    {
        "questions": [
            {"code": "enfants", "type": "numeric", "required": True, "settings": {"min": 0, "max": 12}},
            {
                "code": "obstacle",
                "type": "single_choice",
                "choices": ["horaire", "cout"],
                "settings": {"other": True},
            },
            {"code": "territoire", "type": "territory"},
            {"code": "nom", "type": "short_text", "settings": {"max_length": 40}},
        ]
    },
    {
        "relevant": "${enfants} > 0",
        "questions": [
            {
                "code": "ages",
                "type": "multiple_choice",
                "required": True,
                "choices": ["0-2", "3-5", "6-8"],
                "settings": {"max_selections": 2},
            },
            {"code": "garde", "type": "yes_no", "required": True, "relevant": "selected(${ages}, '0-2')"},
            {"code": "besoins", "type": "matrix", "choices": ["1", "2", "3"], "rows": ["info", "repit"]},
            {"code": "soutien", "type": "rating", "settings": {"scale": 5}},
        ],
    },
    {
        "questions": [
            {"code": "priorites", "type": "ranking", "choices": ["a", "b", "c"]},
            {"code": "quand", "type": "date"},
            {"code": "budget", "type": "numeric", "settings": {"min": -5, "max": 5, "decimal": True}},
            {"code": "aide", "type": "long_text", "relevant": "${enfants} != 7"},
        ]
    },
]

#: A valid answer to each page, which the examples then damage. Some values are drawn (``None`` here): the number
#: of children (0 hides page 2, 7 hides "aide") and the ages (without 0-2, "garde" is hidden, though still sent).
VALID = [
    [("q_enfants", None), ("q_obstacle", "other"), ("q_obstacle:other", "Transport"), ("q_territoire", "SHE")],
    [("q_ages", None), ("q_garde", "yes"), ("q_besoins:info", "3"), ("q_soutien", "4")],
    [("q_priorites:b", "1"), ("q_priorites:a", "2"), ("q_quand", "2026-05-01"), ("q_budget", "-1,5"), ("q_aide", "Ok")],
]
DRAWN = {"q_enfants": ["0", "2", "7"], "q_ages": ["0-2", "3-5"]}
FIELD_NAMES = sorted(
    {name for page in VALID for name, _ in page}
    | {"q_nom", "q_aide", "q_besoins:repit", "q_besoins:autre", "q_priorites:c", "q_priorites:z", "q_inconnu"}
)
CODES = ["0-2", "3-5", "6-8", "9-12", "horaire", "cout", "other", "_other", "yes", "no", "oui", "SHE", "COA", "MTL"]

numbers = st.one_of(
    st.integers(-(10**30), 10**30).map(str),
    st.integers(-3, 14).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["1e400", "-0", "0x10", "1 000", "3,5", "٣", "NaN", "Infinity", "12.0000001", "99999999999999"]),
)
values = st.one_of(
    st.sampled_from(CODES),
    numbers,
    st.just(""),
    st.text(max_size=30),
    st.sampled_from(HOSTILE_STRINGS),
)
extra_pairs = st.lists(st.tuples(st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12)), values), max_size=4)


@pytest.fixture
def fuzz_survey(create_survey, create_process, create_territory):
    process = create_process(territories=[create_territory("Sherbrooke", "SHE"), create_territory("Coaticook", "COA")])
    return create_survey(FUZZ_PAGES, process=process, slug="fuzz")


#: What a refused request shows: the error summary of a form, the notice of an expired page, or an error page.
EXPLANATIONS = ('class="error-summary"', 'class="notice" role=', "Code d’erreur : ")


def assert_explained(response) -> None:
    """Never a 500; a refusal (4xx) says why, on the page."""
    assert response.status_code < 500
    if response.status_code >= 400:
        html = response.get_data(as_text=True)
        assert any(marker in html for marker in EXPLANATIONS), (response.status_code, html[:3000])


def _damaged(data, page_index: int) -> list[tuple[str, str]]:
    """The valid answers of the page, often intact, else with some fields dropped or replaced and a few added."""
    valid = [
        (name, data.draw(st.sampled_from(DRAWN[name])) if value is None else value) for name, value in VALID[page_index]
    ]
    if data.draw(st.integers(0, 9), label="intact") < 5:
        return valid
    pairs = []
    for name, value in valid:
        fate = data.draw(st.sampled_from(["keep", "keep", "drop", "replace"]), label=f"fate {name}")
        if fate == "keep":
            pairs.append((name, value))
        elif fate == "replace":
            pairs.append((name, data.draw(values, label=name)))
    return pairs + data.draw(extra_pairs, label="extra fields")


def _post_page(client, respondent: Respondent, data) -> int:
    """One tampered POST of the current page; returns the status code."""
    html = respondent.html
    action = PAGE_ACTION.search(html)
    url = action.group(1).replace("&amp;", "&") if action else "/s/fuzz/page/1"
    page_index = int(url.rsplit("/", 1)[1]) - 1 if action else 0
    if data.draw(st.integers(0, 9), label="tamper page number") == 0:
        url = f"/s/fuzz/page/{data.draw(st.integers(0, 10**15), label='page')}"
    form = []
    if data.draw(st.integers(0, 9), label="csrf") > 0:  # one time in ten: no CSRF token
        form.append(("csrf_token", csrf_token_from(html) if "csrf_token" in html else "x"))
    key = KEY.search(html)
    tamper = data.draw(st.integers(0, 9), label="tamper hidden fields") == 0
    form.append(("submission_key", data.draw(values, label="key") if tamper else (key.group(1) if key else "")))
    form.append(("action", data.draw(st.sampled_from(["next"] * 6 + ["back", "later", "language:en", "x"]))))
    state = STATE.search(html)
    if state:
        form.append(("state", data.draw(values, label="state") if tamper else state.group(1)))
    form += _damaged(data, min(max(page_index, 0), len(VALID) - 1))
    response = client.post(url, data=MultiDict(form), follow_redirects=True)
    assert_explained(response)
    if response.status_code < 400:
        respondent.response, respondent.html = response, response.get_data(as_text=True)
    return response.status_code


def assert_answers_are_valid(survey) -> None:
    db.session.expire_all()
    questions = {q.id: q for q in survey.questions}
    choices = {c.id: c for c in db.session.scalars(sa.select(Choice))}
    answers = db.session.scalars(sa.select(Answer).order_by(Answer.response_id, Answer.id)).all()
    per_question = Counter((a.response_id, a.question_id, a.row_id) for a in answers)
    territory_ids = {t.id for t in survey.process.territories}
    for answer in answers:
        question = questions[answer.question_id]
        kind = question.type
        settings_ = question.settings or {}
        if answer.choice_id is not None:
            choice = choices[answer.choice_id]
            assert choice.question_id == question.id and choice.kind is ChoiceKind.OPTION, answer
        if answer.row_id is not None:
            row = choices[answer.row_id]
            assert row.question_id == question.id and row.kind is ChoiceKind.ROW, answer
        if answer.text_value is not None:
            assert "\x00" not in answer.text_value and len(answer.text_value) <= settings_.get("max_length", 5000)
        if kind is QuestionType.NUMERIC:
            assert Decimal(settings_["min"]) <= answer.number_value <= Decimal(settings_["max"])
            assert settings_.get("decimal") or answer.number_value == answer.number_value.to_integral_value()
        elif kind is QuestionType.RATING:
            assert 1 <= answer.number_value <= settings_["scale"]
        elif kind is QuestionType.YES_NO:
            assert answer.number_value in (0, 1)
        elif kind is QuestionType.TERRITORY:
            assert answer.territory_id in territory_ids
        elif kind is QuestionType.MATRIX:
            assert answer.row_id is not None and answer.choice_id is not None
        elif kind is QuestionType.RANKING:
            assert answer.choice_id is not None and answer.rank >= 1
        elif kind in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE):
            assert (answer.choice_id is None) == answer.is_other
        if kind not in (QuestionType.MULTIPLE_CHOICE, QuestionType.RANKING):
            assert per_question[(answer.response_id, answer.question_id, answer.row_id)] == 1, answer
    for question in survey.questions:
        if question.type is QuestionType.RANKING:
            for response_id in {a.response_id for a in answers if a.question_id == question.id}:
                ranks = [a.rank for a in answers if a.question_id == question.id and a.response_id == response_id]
                assert sorted(ranks) == list(range(1, len(ranks) + 1))
        if question.type is QuestionType.MULTIPLE_CHOICE and (question.settings or {}).get("max_selections"):
            selections = Counter(a.response_id for a in answers if a.question_id == question.id)
            assert max(selections.values(), default=0) <= question.settings["max_selections"]
    for response in db.session.scalars(sa.select(Response).where(Response.status == ResponseStatus.COMPLETE)):
        stored = storage.load_values(response, survey)
        seen = engine.visibility(survey, stored)
        answered = {questions[a.question_id].code for a in answers if a.response_id == response.id}
        assert answered <= seen.questions, (answered - seen.questions, stored)
        assert engine.missing_required(survey, stored, seen) == []


def test_random_form_data_on_respondent_pages(app, fuzz_survey):
    outcomes = Counter()

    @FUZZ
    @given(st.data())
    def run(data):
        client = app.test_client()
        respondent = Respondent(client)
        respondent.start("/s/fuzz")
        for _step in range(data.draw(st.integers(1, 6), label="pages sent")):
            status = _post_page(client, respondent, data)
            assert status < 500
            outcomes[status // 100] += 1
            if "/thanks" in respondent.response.request.path:
                outcomes["complete"] += 1
                break
        assert_answers_are_valid(fuzz_survey)

    run()
    # The examples reached every kind of answer: refused (4xx), saved (2xx after a redirect), and completed.
    assert outcomes[4] and outcomes[2] and outcomes["complete"], outcomes


def test_random_page_numbers_and_start_keys(app, fuzz_survey):
    @FUZZ
    @given(st.one_of(st.integers(-5, 10**20).map(str), st.text(max_size=20)), values, st.booleans())
    def run(page, start_key, with_token):
        client = app.test_client()
        html = client.get("/s/fuzz").get_data(as_text=True)
        token = csrf_token_from(html) if with_token else ""
        assert_explained(client.post("/s/fuzz", data={"csrf_token": token, "start_key": start_key}))
        for method in (client.get, client.post):
            assert_explained(method(f"/s/fuzz/page/{page}", data={"csrf_token": token, "q_enfants": start_key}))
        assert_answers_are_valid(fuzz_survey)

    run()


# ------------------------------------------------------------------------------------------------------ voting

BALLOT_METHODS = [VotingMethod.APPROVAL, VotingMethod.POINTS, VotingMethod.RANKING, VotingMethod.MAJORITY_JUDGMENT]
PREFIX = {VotingMethod.POINTS: "points-", VotingMethod.RANKING: "rank-", VotingMethod.MAJORITY_JUDGMENT: "grade-"}


def assert_ballots_are_valid(ballots) -> None:
    db.session.expire_all()
    for ballot in ballots:
        casts = db.session.scalars(sa.select(Cast).filter_by(ballot_id=ballot.id)).all()
        voters = db.session.scalars(sa.select(VoterRecord).filter_by(ballot_id=ballot.id)).all()
        # One counted ballot per voter: as many casts as voters, one pseudonym each, one record per person.
        assert len(casts) == len(voters) == len({c.pseudonym for c in casts})
        assert len({v.user_id for v in voters}) == len(voters)
        option_ids = {str(o.id) for o in ballot.options}
        for cast in casts:
            assert set(cast.contents) <= option_ids
            assert voting.check_choices(ballot, {int(k): v for k, v in cast.contents.items()}) == []


def valid_form(ballot) -> list[tuple[str, str]]:
    ids = [o.id for o in ballot.options]
    if ballot.method is VotingMethod.APPROVAL:
        return [("choice", str(ids[0]))]
    if ballot.method is VotingMethod.POINTS:
        return [(f"points-{ids[0]}", "3"), (f"points-{ids[1]}", "2")]
    if ballot.method is VotingMethod.RANKING:
        return [(f"rank-{ids[1]}", "1"), (f"rank-{ids[0]}", "2")]
    return [(f"grade-{option_id}", "2") for option_id in ids]


def test_random_ballots_cast(app, create_process, create_user):
    process = create_process()
    ballots = [make_ballot(process, method=method) for method in BALLOT_METHODS]
    voters = []
    for _ in range(3):
        client = app.test_client()
        AuthActions(client, create_user).login(Role.PARTNER)
        voters.append(client)
    tokens = [csrf_token_from(c.get(f"/ballots/{ballots[0].id}").get_data(as_text=True)) for c in voters]
    all_option_ids = db.session.scalars(sa.select(BallotOption.id)).all()
    option_refs = st.one_of(st.sampled_from(all_option_ids).map(str), values)
    small = st.one_of(st.integers(-2, 12).map(str), values)
    outcomes = Counter()

    @FUZZ
    @given(st.data())
    def run(data):
        ballot = data.draw(st.sampled_from(ballots), label="ballot")
        voter = data.draw(st.integers(0, len(voters) - 1), label="voter")
        form = valid_form(ballot) if data.draw(st.booleans(), label="start from a valid ballot") else []
        if ballot.method is VotingMethod.APPROVAL:
            form += [("choice", v) for v in data.draw(st.lists(option_refs, max_size=3), label="choices")]
        else:
            prefix = PREFIX[ballot.method]
            names = st.one_of(option_refs.map(lambda ref: prefix + ref), st.text(max_size=10))
            form += data.draw(st.lists(st.tuples(names, small), max_size=3), label="fields")
        if data.draw(st.integers(0, 9), label="csrf") > 0:
            form.append(("csrf_token", tokens[voter]))
        response = voters[voter].post(f"/ballots/{ballot.id}/vote", data=MultiDict(form))
        assert_explained(response)
        outcomes[response.status_code] += 1
        assert_ballots_are_valid(ballots)

    run()
    assert outcomes[422] and outcomes[400] and outcomes[303], outcomes
