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
