"""Secrecy of published figures, attacked through the pages as a partner would: subtracting a group's figures
from the totals, the rest line, the source column of the list of ballots, the turnout tables, and live results
watched while people vote."""

import re
from collections import Counter

import pytest
import sqlalchemy as sa

from app.core.extensions import db, limiter
from app.models import Cast, CastSource, ResultsVisibility, Role, Sector, VotingMethod
from app.voting.paper_ballots import import_paper_ballots
from tests.conftest import csrf_token_from
from tests.integration.voting_helpers import create_ballot, option_ids, post_vote

__all__ = ["create_ballot"]

ABC = ["Alpha", "Bravo", "Charlie"]
K = 5
NUMBER = re.compile(r"(\d+(?:[,.]\d+)?)")


def numbers(text: str) -> list[float]:
    return [float(n.replace(",", ".")) for n in NUMBER.findall(re.sub(r"<[^>]+>", " ", text))]


def close_and_publish(client, auth, ballot) -> None:
    limiter.reset()
    auth.login(Role.FACILITATOR)
    for action in ("close", "publish"):
        token = csrf_token_from(client.get(f"/manage/ballots/{ballot.id}").get_data(as_text=True))
        assert client.post(f"/manage/ballots/{ballot.id}/{action}", data={"csrf_token": token}).status_code == 302
    auth.logout()


def vote_as(client, auth, user, ballot, approved: str) -> None:
    ids = dict(zip("ABC", option_ids(ballot), strict=True))
    limiter.reset()  # many sign-ins from one address in a few seconds: this is set-up, not what is tested
    auth.login(user)
    response = post_vote(client, ballot, [("choice", str(ids[letter])) for letter in approved])
    assert response.status_code == 303
    auth.logout()


def totals(page: str) -> dict[str, int]:
    """Approvals per option, read from the ranking table."""
    table = re.search(r'<table class="results-table">(.*?)</table>', page, re.S).group(1)
    found = {}
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody>")[1], re.S):
        label = re.search(r'<th scope="row">\s*([^<]+?)\s*<', row).group(1)
        found[label] = int(re.findall(r'<td class="num">(\d+)</td>', row)[0])
    return found


def counted(page: str) -> int:
    return int(re.search(r"<dt>Bulletins comptés</dt><dd>(\d+)</dd>", page).group(1))


def breakdowns(page: str) -> list[dict]:
    """Every "agreement across groups" table: its groups (ballots, {option: approval rate})."""
    tables = []
    for table in re.findall(r'<table class="agreement">(.*?)</table>', page, re.S):
        head, body = table.split("<tbody>")
        groups = [int(n) for n in re.findall(r"\((\d+) bulletins?\)", head)]
        rates: list[dict[str, float]] = [{} for _ in groups]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
            label = re.search(r'<th scope="row">([^<]+)</th>', row).group(1).strip()
            cells = re.findall(r'<td class="num">([^<]*)</td>', row)
            for index, cell in enumerate(cells[: len(groups)]):
                rates[index][label] = numbers(cell)[0] / 100
        tables.append({"ballots": groups, "rates": rates})
    return tables


def subtraction_attack(page: str) -> list[tuple[int, dict[str, int]]]:
    """Totals minus every group shown: the ballots left over and their approvals, when fewer than 5."""
    found = []
    total, ballots = totals(page), counted(page)
    for table in breakdowns(page):
        left = ballots - sum(table["ballots"])
        if 0 < left < K:
            approvals = {
                option: total[option]
                - round(sum(n * rates[option] for n, rates in zip(table["ballots"], table["rates"], strict=True)))
                for option in total
            }
            found.append((left, approvals))
    for line in re.findall(r"(\d+) bulletins? (?:n’a|n’ont|ne sont|n’est)[^<]*", page):
        if 0 < int(line) < K:
            found.append((int(line), {}))
    return found


@pytest.fixture
def school_and_community(create_user, create_organization, create_territory):
    """Five school partners of Coaticook, one community partner of Sherbrooke."""
    t1, t2 = create_territory(name="Coaticook"), create_territory(name="Sherbrooke")
    school = create_organization(name="École des Monts", sector=Sector.SCHOOL, territory=t1)
    community = create_organization(name="Maison de la famille", sector=Sector.COMMUNITY, territory=t2)
    schools = [create_user(organization=school) for _ in range(5)]
    return schools, create_user(name="Camille Seule", organization=community)


def test_the_five_plus_one_subtraction_attack_finds_nothing(client, auth, create_ballot, school_and_community):
    """The attack of the issue: totals A 5, B 2, C 1 beside "School (5 ballots): A 100 %, B 40 %, C 0 %" told
    that the lone community partner voted "C only"."""
    schools, lone = school_and_community
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    for user, approved in zip(schools, ["AB", "AB", "A", "A", "A"], strict=True):
        vote_as(client, auth, user, ballot, approved)
    vote_as(client, auth, lone, ballot, "C")
    close_and_publish(client, auth, ballot)

    auth.login(schools[0])
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert totals(page) == {"Alpha": 5, "Bravo": 2, "Charlie": 1} and counted(page) == 6
    assert subtraction_attack(page) == []
    # No group is named at all: neither the schools nor, in the turnout tables, the community partner.
    assert "Scolaire" not in page and "Communautaire" not in page


def test_a_lone_ballot_without_organization_is_not_shown_as_a_rest_of_one(
    client, auth, create_ballot, create_user, create_organization, create_territory
):
    """5 school and 5 community partners, and one partner without organization: "1 ballot has no known group"
    used to be printed beside the two groups."""
    territory = create_territory()
    school = create_organization(sector=Sector.SCHOOL, territory=territory)
    community = create_organization(sector=Sector.COMMUNITY, territory=territory)
    voters = [create_user(organization=school) for _ in range(5)] + [
        create_user(organization=community) for _ in range(5)
    ]
    loner = create_user(name="Sans Organisme")
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    for n, user in enumerate(voters):
        vote_as(client, auth, user, ballot, "AB" if n < 5 else "B")
    vote_as(client, auth, loner, ballot, "C")
    close_and_publish(client, auth, ballot)

    auth.login(voters[0])
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert subtraction_attack(page) == []
    tables = breakdowns(page)
    # One sector is still shown (5 ballots); the other joined the lone ballot in the rest (6 ballots).
    assert [t["ballots"] for t in tables] == [[5], [5]]  # by sector, by territory
    assert "6 bulletins ne sont comptés que dans les totaux" in page

    stored = Counter(
        (c.sector, c.territory_id) for c in db.session.execute(sa.select(Cast).filter_by(ballot_id=ballot.id)).scalars()
    )
    assert all(n >= K for n in stored.values()), stored  # no (NULL, NULL) group of one in the database either


def test_the_source_column_does_not_isolate_a_few_paper_ballots(
    client, auth, create_ballot, create_user, create_organization, create_territory
):
    school = create_organization(sector=Sector.SCHOOL, territory=create_territory())
    voters = [create_user(organization=school) for _ in range(5)]
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    for user in voters:
        vote_as(client, auth, user, ballot, "A")
    import_paper_ballots(create_user(Role.FACILITATOR), ballot, b"Alpha,Bravo,Charlie\n0,0,1\n", "urne.csv")
    db.session.commit()
    close_and_publish(client, auth, ballot)

    auth.login(voters[0])
    receipts = client.get(f"/ballots/{ballot.id}/receipts").get_data(as_text=True)
    assert "Papier" not in receipts and '<th scope="col">Source</th>' not in receipts
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    assert subtraction_attack(page) == []
    paper = sa.select(sa.func.count()).select_from(Cast).where(Cast.source == CastSource.PAPER)
    assert db.session.scalar(paper) == 1


def test_turnout_tables_leave_no_small_group_by_subtraction(client, auth, create_ballot, school_and_community):
    schools, lone = school_and_community
    ballot = create_ballot(method=VotingMethod.APPROVAL, options=ABC, settings={})
    for user in [*schools, lone]:
        vote_as(client, auth, user, ballot, "A")
    close_and_publish(client, auth, ballot)
    auth.login(schools[0])
    page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
    eligible = int(re.search(r"(\d+) sur (\d+)", page).group(2))
    for caption in ("Participation par secteur", "Participation par territoire"):
        table = re.search(rf"<caption>{caption}</caption>(.*?)</table>", page, re.S)
        if table is None:
            continue
        rows = re.findall(r"<tr>(.*?)</tr>", table.group(1).split("<tbody>")[1], re.S)
        shown = [numbers(row) for row in rows if "Masqué" not in row]
        shown_eligible = sum(row[0] for row in shown if row)
        assert all(row[0] >= K for row in shown if row), (caption, shown)
        assert eligible - shown_eligible == 0 or eligible - shown_eligible >= K, (caption, shown)


def test_live_results_move_only_when_five_more_people_have_voted(
    client, auth, create_ballot, create_user, create_organization, create_territory
):
    """A partner watching live results while colleagues vote one by one: each change of the figures must
    come from at least 5 people, or the watcher learns what the last few voted."""
    school = create_organization(sector=Sector.SCHOOL, territory=create_territory())
    voters = [create_user(organization=school) for _ in range(11)]
    watcher = create_user(organization=school)
    ballot = create_ballot(
        method=VotingMethod.APPROVAL, options=ABC, settings={}, results_visibility=ResultsVisibility.LIVE
    )
    seen = []

    def watch() -> tuple[int, dict[str, int]]:
        auth.login(watcher)
        page = client.get(f"/ballots/{ballot.id}/results").get_data(as_text=True)
        auth.logout()
        assert 'class="agreement"' not in page  # no breakdown by group while the vote is open
        return counted(page), totals(page)

    sequence = [(voters[i], "A" if i % 3 else "BC") for i in range(11)]
    sequence.insert(6, (voters[0], "C"))  # someone changes their vote
    contributors = 0
    last = watch()
    changes = []
    for user, approved in sequence:
        vote_as(client, auth, user, ballot, approved)
        contributors += 1
        now = watch()
        seen.append(now)
        if now != last:
            changes.append(contributors)
            contributors = 0
            last = now
    assert changes, seen  # the figures did move...
    assert all(n >= K for n in changes), (changes, seen)  # ...only in steps of 5 voters or more
    assert seen[-1][0] == 9  # 11 voters: the last two are not shown yet
