"""No N+1 queries: the number of SQL statements of a page does not grow with the rows it lists."""

import pytest

from app.models import Role


def _queries(client, count_queries, url: str) -> int:
    with count_queries() as counted:
        assert client.get(url).status_code == 200
    return counted.count


@pytest.mark.parametrize("url", ["/admin/users", "/admin/organizations", "/admin/audit", "/manage/processes", "/"])
def test_admin_lists_run_a_constant_number_of_queries(
    client, auth, count_queries, create_user, create_organization, create_territory, create_process, url
):
    auth.login(Role.ADMIN)

    def add_rows(n: int) -> None:
        for _ in range(n):
            territory = create_territory()
            organization = create_organization(territory=territory)
            create_user(Role.PARTNER, organization=organization)
            create_process(territories=[territory])

    add_rows(2)
    few = _queries(client, count_queries, url)
    add_rows(12)
    many = _queries(client, count_queries, url)
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"


# --- voting: the ballot page (partner view), the list of votes, the results page ---------------------------------


def _cast_many(ballot, voters, rng_seed: int = 7) -> None:
    """Each voter casts a full ballot of ``ballot``'s method (a different order each)."""
    import random

    from app.core.extensions import db
    from app.models import VotingMethod
    from app.voting import ballots as domain

    rng = random.Random(rng_seed)
    ids = [o.id for o in ballot.options]
    for voter in voters:
        order = rng.sample(ids, len(ids))
        if ballot.method is VotingMethod.RANKING:
            choices = {option: rank for rank, option in enumerate(order, start=1)}
        elif ballot.method is VotingMethod.APPROVAL or ballot.method is VotingMethod.POINTS:
            choices = {order[0]: 1}
        else:
            choices = {option: rng.randrange(ballot.grades) for option in ids}
        domain.cast_vote(ballot, voter, choices)
        db.session.commit()


def _voters(create_user, create_organization, create_territory, n: int, offset: int = 0):
    from app.models import Sector

    sectors = list(Sector)
    territories = [create_territory() for _ in range(3)]
    people = []
    for i in range(n):
        organization = create_organization(
            sector=sectors[(i + offset) % len(sectors)], territory=territories[(i + offset) % len(territories)]
        )
        people.append(create_user(Role.PARTNER, organization=organization, password=None))
    return people


@pytest.mark.parametrize(
    ("method", "eligibility"),
    [
        ("ranking", "all_partners"),
        ("approval", "listed"),
        ("points", "all_partners"),
        ("majority-judgment", "one_per_organization"),
    ],
)
def test_ballot_page_for_a_partner_runs_a_constant_number_of_queries(
    client, auth, count_queries, create_process, create_user, create_organization, create_territory, method, eligibility
):
    from app.models import Eligibility, VotingMethod
    from tests.integration.voting_helpers import make_ballot

    territory = create_territory()
    me = create_user(Role.PARTNER, organization=create_organization(territory=territory))
    process = create_process(territories=[territory])

    def ballot_with(options: int, voters: int):
        people = _voters(create_user, create_organization, create_territory, voters, offset=options)
        ballot = make_ballot(
            process,
            method=VotingMethod(method),
            options=[f"Option {options}-{i}" for i in range(options)],
            eligibility=Eligibility(eligibility),
            listed=[me, *people] if eligibility == "listed" else None,
            settings={"budget": 1} if method == "points" else ({"max_choices": 1} if method == "approval" else None),
        )
        _cast_many(ballot, people)
        return ballot

    small = ballot_with(options=3, voters=2)
    large = ballot_with(options=12, voters=15)
    auth.login(me)
    few = _queries(client, count_queries, f"/ballots/{small.id}")
    many = _queries(client, count_queries, f"/ballots/{large.id}")
    assert many == few, f"ballot page: {few} queries with 3 options and 2 casts, {many} with 12 options and 15 casts"
    assert _queries(client, count_queries, "/votes") == _queries(client, count_queries, f"/p/{process.slug}/votes")


def test_list_of_votes_runs_a_constant_number_of_queries(client, auth, count_queries, create_process, create_user):
    from tests.integration.voting_helpers import make_ballot

    me = auth.login(Role.PARTNER)
    process = create_process()

    def add(n: int) -> None:
        for i in range(n):
            make_ballot(process, options=[f"A{i}", f"B{i}", f"C{i}"])

    add(1)
    few = _queries(client, count_queries, "/votes")
    add(8)
    many = _queries(client, count_queries, "/votes")
    assert me is not None and many == few, f"/votes: {few} queries with 1 ballot, {many} with 9"


@pytest.mark.parametrize(
    ("method", "secret", "role"),
    [
        ("ranking", True, Role.PARTNER),
        ("approval", True, Role.PARTNER),
        ("majority-judgment", True, Role.FACILITATOR),
        ("points", False, Role.FACILITATOR),
    ],
)
def test_results_page_runs_a_constant_number_of_queries(
    client,
    auth,
    count_queries,
    create_process,
    create_user,
    create_organization,
    create_territory,
    method,
    secret,
    role,
):
    from app.models import BallotStatus, VotingMethod
    from tests.integration.voting_helpers import make_ballot

    process = create_process()

    def published(options: int, voters: int):
        people = _voters(create_user, create_organization, create_territory, voters, offset=options)
        ballot = make_ballot(
            process,
            method=VotingMethod(method),
            options=[f"Option {options}-{i}" for i in range(options)],
            secret=secret,
            settings={"budget": 1} if method == "points" else ({"max_choices": 1} if method == "approval" else None),
        )
        _cast_many(ballot, people)
        ballot.close()
        ballot.publish()
        from app.core.extensions import db

        db.session.commit()
        assert ballot.status is BallotStatus.PUBLISHED
        return ballot

    small = published(options=3, voters=5)
    large = published(options=12, voters=30)
    auth.login(role)
    few = _queries(client, count_queries, f"/ballots/{small.id}/results")
    many = _queries(client, count_queries, f"/ballots/{large.id}/results")
    assert many == few, f"results: {few} queries with 3 options and 5 casts, {many} with 12 options and 30 casts"


# --- a respondent's page, and the results page ---------------------------------------------------------------------

RESPONDENT_PAGES = [
    {
        "title_fr": "Votre famille",
        "questions": [
            {"code": "territoire", "type": "territory", "label_fr": "Votre territoire"},
            {"code": "garde", "type": "multiple_choice", "label_fr": "Mode de garde", "choices": ["cpe", "familial"]},
        ],
    },
    {"title_fr": "Vos besoins", "questions": [{"code": "besoins", "type": "long_text", "label_fr": "Vos besoins"}]},
]


def test_a_page_sent_by_a_respondent_runs_four_statements_on_postgresql(
    client, count_queries, create_survey, create_process, create_territory
):
    """Issue 19: the survey's key, the response (locked), its answers, then the submission key, the page's answers
    (replaced) and the response's furthest page in one statement on PostgreSQL (four on SQLite, where a statement is
    a function call, not a round trip)."""
    from app.core.database import is_postgres
    from app.models import Answer, SubmissionKey
    from tests.conftest import count_rows
    from tests.integration.respond_helpers import Respondent

    process = create_process(territories=[create_territory("Sherbrooke", "SHE"), create_territory("Magog", "MAG")])
    survey = create_survey(RESPONDENT_PAGES, process=process)
    person = Respondent(client)
    person.start(f"/s/{survey.slug}")
    with count_queries() as counted:
        sent = person.send([("q_territoire", "SHE"), ("q_garde", "cpe"), ("q_garde", "familial")], follow=False)
    assert sent.status_code == 302, person.html[person.html.find("error") :][:800]
    assert sent.headers["Location"].endswith("/page/2")
    assert counted.count == (4 if is_postgres() else 7), counted.statements
    assert count_rows(Answer) == 3 and count_rows(SubmissionKey) == 2  # the start's key and the page's


# --- issue 19: the survey's results page and the moderation queue's search ---------------------------------------


def test_the_results_page_statements_stay_within_the_counts_of_issue_19(
    client, auth, create_user, create_survey, create_territory, count_queries
):
    """The survey's results page was 19 statements, one pass over the answers per kind of figure; issue 19 made it
    one pass (13-15). Counted with the sign-in session's statements: the first view (no summary yet: the answers
    are read), the next one (the summary built after the first), and a page filtered on a territory with a
    cross-tabulation. PostgreSQL adds one (the results transaction's settings: no JIT, work_mem)."""
    from app.core.database import is_postgres
    from tests.support.clients import finish_responses
    from tests.support.results_data import build_results_survey

    data = build_results_survey(create_survey, create_territory)
    auth.login(create_user(Role.FACILITATOR, locale="en"))
    age, where = data.question("age"), data.question("where")
    url = f"/surveys/{data.survey.id}/results"
    filtered = f"{url}?territory={data.territories['A'].id}&row={age.id}&column={where.id}"
    counts = {}
    for name, page in (("first view", url), ("summary", url), ("territory and cross-tab", filtered)):
        with count_queries() as counted:
            assert client.get(page).status_code == 200
        finish_responses()  # the summary is built after the first view's response
        counts[name] = counted.count
    extra = 1 if is_postgres() else 0
    budget = {"first view": 15 + extra, "summary": 13 + extra, "territory and cross-tab": 15}
    assert all(counts[name] <= budget[name] for name in budget), (counts, budget)
    assert counts["summary"] < counts["first view"]


def test_a_searched_moderation_queue_sends_two_search_statements(client, auth, create_process, count_queries):
    """The queue searched for words: its total (capped at 10,000) and its page are the only statements that
    search the texts, with the page's items, themes, territories and questions loaded in a constant number of
    statements whatever the number of items listed."""
    from tests.integration.moderation_helpers import make_item

    auth.login(Role.FACILITATOR)
    process = create_process()
    url = f"/moderation/items?process={process.id}&q=garderie"

    def counted_page() -> tuple[int, int]:
        with count_queries() as counted:
            page = client.get(url)
        assert page.status_code == 200
        searching = [s for s in counted.statements if "moderation_items" in s and ("tsvector" in s or "LIKE" in s)]
        return counted.count, len(searching)

    make_item(process, "Plus de places en garderie")
    few = counted_page()
    for n in range(12):
        make_item(process, f"Les garderies ferment trop tôt ({n})")
    many = counted_page()
    assert few[1] == many[1] == 2
    assert many[0] == few[0], (few, many)
