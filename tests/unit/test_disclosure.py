"""The rule that decides which group figures of a vote may be published (app.voting.disclosure), attacked.

An attacker is given every figure the application publishes about a closed ballot: the totals, the breakdown
tables by sector and by territory with their "rest" line, the list of counted ballots (their contents, and their
source, online or paper, when that column is shown) and the turnout tables. Worst case, the attacker also knows
the sector, territory and source of every ballot, and who voted (so the turnout tables, which only count people,
teach them nothing more). Every published figure is an aggregate over a set of ballots; aggregates of disjoint
sets add up (approvals, points, Borda points, head-to-head counts and grade counts do), so by adding and
subtracting published figures the attacker learns the aggregate of every set in the linear span of the published
sets: totals minus a group, totals minus several groups, a sector minus a territory, and so on. The rule must
leave no set of 1 to k - 1 ballots in that span (except all the ballots, when fewer than k voted at all: the
totals of a vote are always published).
"""

import itertools
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.voting.disclosure import REST, THRESHOLD, generalize, live_update_due, plan_ballots
from app.voting.tally import tally

PROPERTY = settings(max_examples=300, deadline=None)
K = THRESHOLD
SECTORS = ["school", "community", "health", None]
TERRITORIES = [1, 2, 3, None]
OPTIONS = ["A", "B", "C"]


# --- the attacker -------------------------------------------------------------------------------------------------


def reduce(basis: list[tuple[list[Fraction], list[Fraction]]], vector: list[Fraction], combo: list[Fraction]):
    """Reduce (vector, combo) by an echelon basis (pivot rows); the combo records which published sets were used."""
    vector, combo = list(vector), list(combo)
    for row, row_combo in basis:
        pivot = next(i for i, x in enumerate(row) if x)
        if vector[pivot]:
            factor = vector[pivot] / row[pivot]
            vector = [a - factor * b for a, b in zip(vector, row, strict=True)]
            combo = [a - factor * b for a, b in zip(combo, row_combo, strict=True)]
    return vector, combo


class Attacker:
    """Adds and subtracts published figures: finds every set of ballots whose aggregate they determine."""

    def __init__(self, n: int, published: list[set[int]]) -> None:
        self.n, self.published = n, [s for s in published if s]
        # Atoms: ballots that belong to exactly the same published sets are indistinguishable.
        signature = [tuple(i in s for s in self.published) for i in range(n)]
        atoms: dict[tuple, list[int]] = {}
        for i, sig in enumerate(signature):
            atoms.setdefault(sig, []).append(i)
        self.atoms = list(atoms.values())
        self.basis: list[tuple[list[Fraction], list[Fraction]]] = []
        for index, s in enumerate(self.published):
            unit = [Fraction(int(j == index)) for j in range(len(self.published))]
            vector, combo = reduce(self.basis, self.indicator(s), unit)
            if any(vector):
                self.basis.append((vector, combo))

    def indicator(self, members) -> list[Fraction]:
        return [Fraction(int(i in members)) for i in range(self.n)]

    def combination(self, members: set[int]) -> list[Fraction] | None:
        """Coefficients c with sum(c_j * published_j) = members, or None when the set is not derivable."""
        vector, combo = reduce(self.basis, self.indicator(members), [Fraction(0)] * len(self.published))
        if any(vector):
            return None
        return [-c for c in combo]

    def small_derivable_sets(self, k: int, known: set[int] = frozenset()) -> list[set[int]]:
        """Every derivable union of atoms holding 1 to k - 1 ballots that the attacker did not already know."""
        small = [a for a in self.atoms if len(set(a) - known) < k]
        found = []
        for size in range(1, k):
            for chosen in itertools.combinations(small, size):
                members = set().union(*map(set, chosen))
                unknown = members - known
                if not 0 < len(unknown) < k or members == set(range(self.n)):
                    continue
                if self.combination(members) is not None:
                    found.append(members)
        return found


def aggregate(method: str, ballots: list, members) -> list[Fraction]:
    """The additive figures of a set of ballots (what published rates and means give away, times the count)."""
    chosen = [ballots[i] for i in sorted(members)]
    result = tally(method, OPTIONS, chosen, **({"grades": 6} if method == "majority-judgment" else {}))
    if method == "schulze":
        d = result.details["pairwise"]
        return [Fraction(d[a][b]) for a in OPTIONS for b in OPTIONS if a != b]
    if method == "majority-judgment":
        return [Fraction(c) for o in OPTIONS for c in result.details["profiles"][o]]
    return [Fraction(result.scores[o]) for o in OPTIONS]


def published_sets(electorate: list[tuple], plan) -> list[set[int]]:
    """The sets of ballots whose aggregate the results page, the ballot list and the exports publish."""
    keys = [plan.published(*ballot) for ballot in electorate]
    n = len(electorate)
    sets = [set(range(n))]  # the totals
    for dimension in (0, 1):  # the breakdown by sector, by territory, and each one's "rest" line
        groups = {key[dimension] for key in keys}
        for group in groups:
            sets.append({i for i in range(n) if keys[i][dimension] == group})
    if plan.show_source:  # the list of counted ballots, with its "source" column
        for source in {b[2] for b in electorate}:
            sets.append({i for i in range(n) if electorate[i][2] == source})
    return sets


# --- the rule, on the examples of the issue ---------------------------------------------------------------------


def test_five_school_partners_and_one_community_partner_get_no_breakdown():
    """The 5 + 1 attack: totals minus "School (5 ballots)" was the lone community partner's ballot."""
    plan = plan_ballots({("school", 1, "online"): 5, ("community", 2, "online"): 1})
    assert plan.published("school", 1, "online") == REST
    assert plan.published("community", 2, "online") == REST


def test_a_lone_ballot_without_group_is_not_left_alone_in_the_rest():
    """Generalization used to leave a (NULL, NULL) group holding one cast."""
    mapping = generalize({("school", 1): 5, ("community", 2): 6, (None, None): 1})
    assert Counter(mapping[key] for key in mapping) == Counter({REST: 2, ("community", 2): 1})
    assert mapping[("school", 1)] == REST  # the smallest group joins the rest: 6 ballots there now


def test_small_cells_lose_their_territory_then_their_sector():
    mapping = generalize({("school", 1): 5, ("school", 2): 2, ("school", 3): 3, ("health", 1): 1, ("community", 3): 3})
    assert mapping[("school", 1)] == ("school", 1)
    # health/1 (1) and community/3 (3) lose both: a rest of 4, which would be told by subtraction, so the
    # smallest published cell joins it: "schools of the other territories" (2 + 3 = 5 ballots; between two
    # cells of 5, the one without territory goes first). The rest holds 9.
    assert mapping[("health", 1)] == mapping[("community", 3)] == REST
    assert mapping[("school", 2)] == mapping[("school", 3)] == REST
    published = Counter()
    counts = {("school", 1): 5, ("school", 2): 2, ("school", 3): 3, ("health", 1): 1, ("community", 3): 3}
    for key, n in counts.items():
        published[mapping[key]] += n
    assert published == Counter({REST: 9, ("school", 1): 5})


def test_cells_of_five_or_more_are_all_published():
    counts = {("school", 1): 5, ("school", 2): 7, ("community", 1): 9, ("health", None): 5}
    assert generalize(counts) == {key: key for key in counts}


def test_fewer_ballots_than_the_threshold_in_all_gives_no_group():
    assert set(generalize({("school", 1): 2, ("community", 1): 2}).values()) == {REST}
    assert generalize({}) == {}


def test_the_source_column_is_shown_only_when_both_sources_hold_five_ballots_or_none():
    assert plan_ballots({("school", 1, "online"): 6, (None, None, "paper"): 2}).show_source is False
    assert plan_ballots({("school", 1, "online"): 6, (None, None, "paper"): 5}).show_source is True
    assert plan_ballots({("school", 1, "online"): 3}).show_source is True  # one source: the column says nothing


def test_paper_ballots_hidden_among_the_online_ones_are_not_isolated_by_the_rest_line():
    """5 school ballots online, 1 online without organization, 5 on paper: the list shows the source of each
    ballot, so the rest of the online ballots must not be a group of one."""
    plan = plan_ballots({("school", 1, "online"): 5, (None, None, "online"): 1, (None, None, "paper"): 5})
    electorate = [("school", 1, "online")] * 5 + [(None, None, "online")] + [(None, None, "paper")] * 5
    attacker = Attacker(len(electorate), published_sets(electorate, plan))
    assert attacker.small_derivable_sets(K) == []


def test_live_figures_move_only_after_five_new_voters():
    assert not live_update_due(0) and not live_update_due(4)
    assert live_update_due(5) and live_update_due(12)


def test_the_attacker_breaks_primary_suppression_alone():
    """The attacker is not toothless: hiding only the groups under 5 (the old rule) lets it find the lone
    community partner's ballot, exactly."""
    electorate = [("school", 1, "online")] * 5 + [("community", 2, "online")]
    votes = [frozenset("AB"), frozenset("A"), frozenset("AB"), frozenset("A"), frozenset("A"), frozenset("C")]

    class PrimaryOnly:
        show_source = True

        def published(self, sector, territory, source):
            return (sector, territory) if sector == "school" else REST

    attacker = Attacker(len(electorate), published_sets(electorate, PrimaryOnly()))
    found = attacker.small_derivable_sets(K)
    assert found == [{5}]
    combination = attacker.combination({5})
    figures = [aggregate("approval", votes, s) for s in attacker.published]
    derived = [sum(c * f[j] for c, f in zip(combination, figures, strict=True)) for j in range(len(OPTIONS))]
    assert derived == [0, 0, 1]  # "C only"


# --- the rule, against random electorates ------------------------------------------------------------------------

ballot_groups = st.one_of(
    st.tuples(st.sampled_from(SECTORS), st.sampled_from(TERRITORIES), st.just("online")),
    st.just((None, None, "paper")),
)


@st.composite
def electorates(draw):
    """A few groups of various sizes (some of them small), then the votes and the method."""
    kinds = draw(st.lists(ballot_groups, min_size=1, max_size=6))
    electorate = []
    for kind in kinds:
        electorate += [kind] * draw(st.integers(min_value=1, max_value=8))
    method = draw(st.sampled_from(["approval", "points", "schulze", "majority-judgment"]))
    if method == "approval":
        vote = st.frozensets(st.sampled_from(OPTIONS))
    elif method == "points":
        vote = st.fixed_dictionaries({o: st.integers(0, 5) for o in OPTIONS})
    elif method == "schulze":
        vote = st.permutations(OPTIONS).map(lambda order: {o: r for r, o in enumerate(order, start=1)})
    else:
        vote = st.fixed_dictionaries({o: st.integers(0, 5) for o in OPTIONS})
    votes = draw(st.lists(vote, min_size=len(electorate), max_size=len(electorate)))
    return electorate, method, votes


@PROPERTY
@given(electorates())
def test_no_difference_of_published_figures_isolates_fewer_than_five_ballots(case):
    electorate, method, votes = case
    plan = plan_ballots(Counter(electorate))
    sets = published_sets(electorate, plan)
    attacker = Attacker(len(electorate), sets)

    # The obvious attacks first: totals minus every published group, minus every union of groups of one table.
    everyone = set(range(len(electorate)))
    for r in range(1, len(sets)):
        for chosen in itertools.combinations(sets[1:], r):
            union = set().union(*chosen)
            if sum(map(len, chosen)) == len(union):  # disjoint groups: their figures add up
                left = everyone - union
                assert len(left) == 0 or len(left) >= K or left == everyone, (electorate, left)

    # Then every other combination: sums and differences of any published figures, across tables.
    assert attacker.small_derivable_sets(K) == [], electorate

    # Stronger: ballots the figures cannot tell apart come in classes of at least 5, so no reasoning on bounds
    # (a unanimous group, a 0 % line) can single out fewer than 5 of them either, only whole classes.
    if len(electorate) >= K:
        assert min(len(atom) for atom in attacker.atoms) >= K, (electorate, attacker.atoms)

    # And the figures the attacker does get are right: a derived set's figures are its true figures.
    figures = [aggregate(method, votes, s) for s in attacker.published]
    for atom in attacker.atoms:
        combination = attacker.combination(set(atom))
        if combination is not None:
            width = len(figures[0])
            derived = [sum(c * f[j] for c, f in zip(combination, figures, strict=True)) for j in range(width)]
            assert derived == aggregate(method, votes, set(atom))


@PROPERTY
@given(electorates())
def test_a_voter_who_subtracts_their_own_ballot_still_faces_four_others(case):
    """An insider knows their own ballot: what is left of any derivable set is never 1 to k - 2 others."""
    electorate, _method, _votes = case
    plan = plan_ballots(Counter(electorate))
    sets = published_sets(electorate, plan)
    for me in range(len(electorate)):
        attacker = Attacker(len(electorate), [*sets, {me}])
        for members in attacker.small_derivable_sets(K - 1, known={me}):
            assert members - {me} == set(range(len(electorate))) - {me}, (electorate, me, members)


@PROPERTY
@given(
    st.lists(st.tuples(st.sampled_from(SECTORS), st.sampled_from(TERRITORIES), st.booleans()), min_size=1, max_size=40)
)
def test_turnout_tables_never_tell_whether_fewer_than_five_people_voted(people):
    """Turnout by sector and by territory (eligible, voted) with the totals: the same rule on the people
    eligible to vote; no combination tells whether a set of 1 to 4 of them voted."""
    mapping = generalize(Counter((s, t) for s, t, _voted in people))
    keys = [mapping[(s, t)] for s, t, _voted in people]
    n = len(people)
    sets = [set(range(n))]
    for dimension in (0, 1):
        for group in {key[dimension] for key in keys}:
            sets.append({i for i in range(n) if keys[i][dimension] == group})
    attacker = Attacker(n, sets)
    assert attacker.small_derivable_sets(K) == [], people
    if n >= K:
        assert min(len(atom) for atom in attacker.atoms) >= K


@pytest.mark.parametrize("k", [2, 3, 5, 10])
def test_the_threshold_is_a_parameter(k):
    counts = {("school", 1): k, ("community", 1): k - 1, (None, None): 1}
    mapping = generalize(counts, k)
    assert mapping[("community", 1)] == REST and mapping[(None, None)] == REST
    published = Counter()
    for key, n in counts.items():
        published[mapping[key]] += n
    assert all(n >= k for n in published.values())
