"""The pure tally: published examples, edge cases, validation helpers and properties (hypothesis)."""

import dataclasses
import json
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.voting.tally import (
    METHODS,
    TallyResult,
    median_removal_order,
    tally,
    to_json,
    validate_approval,
    validate_grades,
    validate_points,
    validate_ranking,
)

PROPERTY = settings(max_examples=100, deadline=None)


def ranked(order: str, *, sep: str = "") -> dict[str, int]:
    """'ACB' -> {'A': 1, 'C': 2, 'B': 3}; with sep=' ', 'Memphis Nashville' -> names."""
    names = order.split(sep) if sep else list(order)
    return {name: rank for rank, name in enumerate(names, start=1)}


def profile(groups: list[tuple[int, dict]]) -> list[dict]:
    return [ballot for count, ballot in groups for _ in range(count)]


# Schulze 2011, section 3.1 / Wikipedia "Schulze method", example 1: 45 voters, 5 candidates.
WIKI_45 = profile(
    [
        (5, ranked("ACBED")),
        (5, ranked("ADECB")),
        (8, ranked("BEDAC")),
        (3, ranked("CABED")),
        (7, ranked("CAEBD")),
        (2, ranked("CBADE")),
        (7, ranked("DCEBA")),
        (8, ranked("EBADC")),
    ]
)
WIKI_45_D = {
    "A": {"B": 20, "C": 26, "D": 30, "E": 22},
    "B": {"A": 25, "C": 16, "D": 33, "E": 18},
    "C": {"A": 19, "B": 29, "D": 17, "E": 24},
    "D": {"A": 15, "B": 12, "C": 28, "E": 14},
    "E": {"A": 23, "B": 27, "C": 21, "D": 31},
}
WIKI_45_P = {
    "A": {"B": 28, "C": 28, "D": 30, "E": 24},
    "B": {"A": 25, "C": 28, "D": 33, "E": 24},
    "C": {"A": 25, "B": 29, "D": 29, "E": 24},
    "D": {"A": 25, "B": 28, "C": 28, "E": 24},
    "E": {"A": 25, "B": 28, "C": 28, "D": 31},
}

# The Tennessee capital example (Wikipedia, "Condorcet method", "Borda count"), in percent of the voters.
CITIES = ["Memphis", "Nashville", "Chattanooga", "Knoxville"]
TENNESSEE = profile(
    [
        (42, ranked("Memphis Nashville Chattanooga Knoxville", sep=" ")),
        (26, ranked("Nashville Chattanooga Knoxville Memphis", sep=" ")),
        (15, ranked("Chattanooga Knoxville Nashville Memphis", sep=" ")),
        (17, ranked("Knoxville Chattanooga Nashville Memphis", sep=" ")),
    ]
)


# --- Schulze ---------------------------------------------------------------------------------------------


def test_schulze_wikipedia_45_voters():
    result = tally("schulze", list("ABCDE"), WIKI_45)
    assert result.method == "schulze"
    assert result.ballots == 45
    assert result.winners == ["E"]
    assert result.ranking == [["E"], ["A"], ["C"], ["B"], ["D"]]
    assert result.details["pairwise"] == WIKI_45_D
    assert result.details["strongest_paths"] == WIKI_45_P
    assert result.scores == {"E": 4, "A": 3, "C": 2, "B": 1, "D": 0}
    assert result.ties == []
    assert result.tie_breaks == []
    assert result.details["incomparable_pairs"] == []


def test_schulze_tennessee_condorcet_winner_is_nashville():
    result = tally("schulze", CITIES, TENNESSEE)
    assert result.winners == ["Nashville"]
    assert result.ranking == [["Nashville"], ["Chattanooga"], ["Knoxville"], ["Memphis"]]
    d = result.details["pairwise"]
    assert (d["Nashville"]["Memphis"], d["Memphis"]["Nashville"]) == (58, 42)
    assert (d["Nashville"]["Chattanooga"], d["Chattanooga"]["Nashville"]) == (68, 32)
    assert (d["Chattanooga"]["Knoxville"], d["Knoxville"]["Chattanooga"]) == (83, 17)
    assert result.scores == {"Memphis": 0, "Nashville": 3, "Chattanooga": 2, "Knoxville": 1}


def test_schulze_result_does_not_depend_on_option_order():
    result = tally("schulze", list("EDCBA"), WIKI_45)
    assert result.ranking == [["E"], ["A"], ["C"], ["B"], ["D"]]


def test_schulze_ties_are_shown_as_ties():
    result = tally("schulze", ["A", "B", "C"], [ranked("ABC"), ranked("BAC")])
    assert result.ranking == [["A", "B"], ["C"]]
    assert result.winners == ["A", "B"]
    assert result.ties == [["A", "B"]]
    assert result.tie_breaks == []


def test_schulze_condorcet_cycle_with_equal_strengths_is_a_three_way_tie():
    ballots = [ranked("ABC"), ranked("BCA"), ranked("CAB")]
    result = tally("schulze", ["A", "B", "C"], ballots)
    assert result.ranking == [["A", "B", "C"]]
    assert result.winners == ["A", "B", "C"]


def test_schulze_partial_rankings_rank_unranked_options_last():
    ballots = profile([(3, {"A": 1}), (2, {"B": 1, "C": 2})])
    result = tally("schulze", ["A", "B", "C"], ballots)
    d = result.details["pairwise"]
    assert d == {"A": {"B": 3, "C": 3}, "B": {"A": 2, "C": 2}, "C": {"A": 2, "B": 0}}
    assert result.ranking == [["A"], ["B"], ["C"]]


def test_schulze_incomparable_options_in_different_layers_are_reported():
    # d: A>C 2-0, A~B 1-1, B~C 1-1: only A beats C, B is incomparable to both.
    result = tally("schulze", ["A", "B", "C"], [ranked("ACB"), ranked("BAC")])
    assert result.ranking == [["A", "B"], ["C"]]
    assert result.details["incomparable_pairs"] == [["B", "C"]]


def test_schulze_fails_mono_add_top_with_truncated_ballots():
    """Woodall's mono-add-top is NOT a Schulze property: a ballot ranking the winner first can make it lose.

    A beats B 24-14 and C by the path A->B->C (min(24, 14) = 14 > 13). The new ballot A > C > B also makes
    B and C tie 14-14, which cuts that path: C now beats A (13 > 0). The property test below checks the
    version Schulze does satisfy (the added ballot leaves every other option unranked).
    """
    ballots = profile([(11, {"A": 1}), (14, {"B": 1}), (13, ranked("CA"))])
    before = tally("schulze", ["A", "B", "C"], ballots)
    assert before.winners == ["A"]
    after = tally("schulze", ["A", "B", "C"], [*ballots, ranked("ACB")])
    assert after.winners == ["C"]
    assert after.details["strongest_paths"]["A"]["C"] == 0
    assert after.details["strongest_paths"]["C"]["A"] == 13
    bullet = tally("schulze", ["A", "B", "C"], [*ballots, {"A": 1}])
    assert bullet.winners == ["A"]


# --- Borda -----------------------------------------------------------------------------------------------


def test_borda_tennessee():
    result = tally("borda", CITIES, TENNESSEE)
    assert result.scores == {"Memphis": 126, "Nashville": 194, "Chattanooga": 173, "Knoxville": 107}
    assert result.ranking == [["Nashville"], ["Chattanooga"], ["Memphis"], ["Knoxville"]]
    assert result.winners == ["Nashville"]


def test_borda_wikipedia_45_voters():
    result = tally("borda", list("ABCDE"), WIKI_45)
    assert result.scores == {"A": 98, "B": 92, "C": 89, "D": 69, "E": 102}
    assert sum(result.scores.values()) == 45 * 10


def test_borda_unranked_options_share_the_remaining_positions():
    result = tally("borda", ["A", "B", "C"], [{"A": 1}])
    assert result.scores == {"A": 2, "B": 0.5, "C": 0.5}
    assert type(result.scores["A"]) is int
    assert result.ranking == [["A"], ["B", "C"]]


def test_borda_tied_ranks_share_the_average_of_their_positions():
    result = tally("borda", ["A", "B", "C", "D"], [{"A": 1, "B": 1, "C": 2}, {"D": 1, "A": 2, "B": 2, "C": 2}])
    # Ballot 1: A, B share 3 and 2 -> 2.5 each; C 1; D 0. Ballot 2: D 3; A, B, C share 2, 1, 0 -> 1 each.
    assert result.scores == {"A": 3.5, "B": 3.5, "C": 2, "D": 3}
    assert result.ranking == [["A", "B"], ["D"], ["C"]]
    assert result.ties == [["A", "B"]]


def test_borda_only_the_order_of_ranks_matters():
    gaps = tally("borda", ["A", "B", "C"], [{"A": 1, "C": 7}])
    plain = tally("borda", ["A", "B", "C"], [{"A": 1, "C": 2}])
    assert gaps.scores == plain.scores == {"A": 2, "B": 0, "C": 1}


# --- majority judgment -----------------------------------------------------------------------------------


def test_majority_judgment_wikipedia_tie_break_example():
    # Wikipedia, "Majority judgment": X (Good, Good, Fair, Poor) and Y (Excellent, Fair, Fair, Fair) both have
    # the median Fair; removing one Fair each gives X Good and Y Fair, so X wins.
    poor, fair, good, excellent = 1, 2, 3, 5
    ballots = [{"X": good, "Y": excellent}, {"X": good, "Y": fair}, {"X": fair, "Y": fair}, {"X": poor, "Y": fair}]
    result = tally("majority-judgment", ["X", "Y"], ballots)
    assert result.scores == {"X": fair, "Y": fair}
    assert result.winners == ["X"]
    assert result.ranking == [["X"], ["Y"]]
    assert result.tie_breaks == [
        {
            "rule": "mj_median_removal",
            "options": ["X", "Y"],
            "median": fair,
            "order": [["X"], ["Y"]],
            "steps": [{"above": ["X"], "below": ["Y"], "removed": 1, "above_grade": good, "below_grade": fair}],
        }
    ]
    assert result.ties == []
    assert result.details["profiles"] == {"X": [0, 1, 1, 2, 0, 0], "Y": [0, 0, 3, 0, 0, 1]}


def test_majority_judgment_condorcet_example():
    # Wikipedia, "Condorcet criterion" / MJ: 35 voters A Excellent, B Fair, C Poor; 34 voters C Excellent, B Fair,
    # A Poor; 31 voters B Excellent, C Good, A Fair. MJ elects C (median Good) though B is the Condorcet winner.
    # A and B share the median Fair; A has 35 % above it, B 31 % (Balinski-Laraki gauge), so A > B.
    poor, fair, good, excellent = 0, 1, 2, 3
    ballots = profile(
        [
            (35, {"A": excellent, "B": fair, "C": poor}),
            (34, {"A": poor, "B": fair, "C": excellent}),
            (31, {"A": fair, "B": excellent, "C": good}),
        ]
    )
    result = tally("majority-judgment", ["A", "B", "C"], ballots, grades=4)
    assert result.scores == {"A": fair, "B": fair, "C": good}
    assert result.ranking == [["C"], ["A"], ["B"]]
    assert result.details["median"] == {"A": fair, "B": fair, "C": good}
    assert [t["order"] for t in result.tie_breaks] == [[["A"], ["B"]]]
    assert tally("schulze", ["A", "B", "C"], _grades_to_ranks(ballots)).winners == ["B"]


def _grades_to_ranks(ballots):
    """Grades -> ranks (a higher grade is a better rank; equal grades tie)."""
    ranks = []
    for ballot in ballots:
        distinct = sorted(set(ballot.values()), reverse=True)
        ranks.append({o: distinct.index(g) + 1 for o, g in ballot.items()})
    return ranks


def test_majority_judgment_identical_profiles_stay_tied():
    ballots = [{"A": 5, "B": 1, "C": 2}, {"A": 1, "B": 5, "C": 2}, {"A": 3, "B": 3, "C": 2}]
    result = tally("majority-judgment", ["A", "B", "C"], ballots)
    assert result.ranking == [["A", "B"], ["C"]]
    assert result.winners == ["A", "B"]
    assert result.ties == [["A", "B"]]
    assert result.tie_breaks == []


def test_majority_judgment_partly_broken_tie():
    ballots = [{"A": 4, "B": 4, "C": 3}, {"A": 2, "B": 2, "C": 2}, {"A": 3, "B": 3, "C": 3}]
    result = tally("majority-judgment", ["A", "B", "C"], ballots)
    assert result.scores == {"A": 3, "B": 3, "C": 3}
    assert result.ranking == [["A", "B"], ["C"]]
    assert result.tie_breaks[0]["order"] == [["A", "B"], ["C"]]
    assert result.tie_breaks[0]["steps"] == [
        {"above": ["A", "B"], "below": ["C"], "removed": 2, "above_grade": 4, "below_grade": 3}
    ]
    assert result.ties == [["A", "B"]]


def test_majority_judgment_lower_median_and_missing_grade_is_reject():
    # Even number of ballots: A has (0, 5) -> lower median 0. B is missing from two ballots: (0, 0, 4, 4).
    ballots = [{"A": 5, "B": 4}, {"B": 4}, {"A": 5}, {}]
    result = tally("majority-judgment", ["A", "B"], ballots)
    assert result.details["profiles"] == {"A": [2, 0, 0, 0, 0, 2], "B": [2, 0, 0, 0, 2, 0]}
    assert result.scores == {"A": 0, "B": 0}
    assert result.ranking == [["A"], ["B"]]  # after removing one 0 each: A (0, 5, 5) -> 5 beats B -> 4


def test_median_removal_order():
    assert median_removal_order(0) == []
    assert median_removal_order(1) == [0]
    assert median_removal_order(4) == [1, 2, 0, 3]
    assert median_removal_order(5) == [2, 1, 3, 0, 4]
    for n in range(30):
        remaining, expected = list(range(n)), []
        while remaining:
            expected.append(remaining.pop((len(remaining) - 1) // 2))
        assert median_removal_order(n) == expected


# --- approval and points ---------------------------------------------------------------------------------


def test_approval_totals_and_ties():
    ballots = [frozenset({"A", "B"}), {"B"}, {"A", "C"}, set(), {"A": 1, "B": True, "C": 0}]
    result = tally("approval", ["A", "B", "C"], ballots)
    assert result.scores == {"A": 3, "B": 3, "C": 1}
    assert result.ranking == [["A", "B"], ["C"]]
    assert result.winners == ["A", "B"]
    assert result.ties == [["A", "B"]]


def test_points_totals():
    ballots = [{"A": 5, "B": 3}, {"B": 8}, {"A": 0, "C": 2}]
    result = tally("points", ["A", "B", "C"], ballots)
    assert result.scores == {"A": 5, "B": 11, "C": 2}
    assert result.ranking == [["B"], ["A"], ["C"]]
    assert result.winners == ["B"]


# --- all methods -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", METHODS)
def test_no_ballots_no_winner(method):
    result = tally(method, ["A", "B", "C"], [])
    assert result.ballots == 0
    assert result.winners == []
    assert result.ranking == [["A", "B", "C"]]
    assert result.ties == [["A", "B", "C"]]
    json.dumps(to_json(result, details=True))


@pytest.mark.parametrize("method", METHODS)
def test_no_options(method):
    result = tally(method, [], [{}] if method != "approval" else [set()])
    assert (result.winners, result.ranking, result.scores) == ([], [], {})


@pytest.mark.parametrize("method", METHODS)
def test_results_are_json_serializable(method):
    ballots = [{"A": 1, "B": 2}, {"B": 1}] if method != "approval" else [{"A", "B"}, {"B"}]
    data = json.loads(json.dumps(to_json(tally(method, ["A", "B", "C"], ballots), details=True)))
    assert data["method"] == method
    assert data["ballots"] == 2
    assert {"tie_breaks", "ties"} <= set(data["details"])


def test_to_json_exact():
    result = tally("borda", ["A", "B", "C"], [{"A": 1}])
    assert to_json(result) == {
        "method": "borda",
        "ballots": 1,
        "winners": ["A"],
        "ranking": [["A"], ["B", "C"]],
        "scores": {"A": 2, "B": 0.5, "C": 0.5},
    }


def test_result_is_frozen():
    result = tally("approval", ["A"], [{"A"}])
    assert isinstance(result, TallyResult)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.winners = []  # type: ignore[misc]


@pytest.mark.parametrize(
    ("method", "options", "ballots", "settings"),
    [
        ("approval", ["A"], [{"Z"}], {}),
        ("points", ["A"], [{"A": -1}], {}),
        ("points", ["A"], [{"A": 1.5}], {}),
        ("schulze", ["A"], [{"A": 0}], {}),
        ("borda", ["A"], [{"A": "1"}], {}),
        ("schulze", ["A", "A"], [], {}),
        ("majority-judgment", ["A"], [{"A": 6}], {}),
        ("majority-judgment", ["A"], [{"A": 3}], {"grades": 3}),
        ("majority-judgment", ["A"], [], {"grades": 1}),
        ("condorcet", ["A"], [], {}),
    ],
)
def test_malformed_input_raises_value_error(method, options, ballots, settings):
    with pytest.raises(ValueError):
        tally(method, options, ballots, **settings)


def test_unknown_setting_is_refused_and_question_settings_are_ignored():
    with pytest.raises(TypeError, match="colour"):
        tally("approval", ["A"], [], colour="red")
    assert tally("approval", ["A"], [{"A"}], max_choices=1, budget=None).winners == ["A"]


# --- validation helpers ----------------------------------------------------------------------------------


def codes(errors):
    return [(e.code, e.option) for e in errors]


def test_validate_approval():
    assert validate_approval(["A", "B", "C"], {"A", "B"}, 2) == []
    assert codes(validate_approval(["A", "B", "C"], {"A", "B", "C"}, 2)) == [("too_many_choices", None)]
    assert codes(validate_approval(["A"], ["A", "A", "Z"], None)) == [
        ("unknown_option", "Z"),
        ("duplicate_choice", "A"),
    ]
    assert str(validate_approval(["A", "B"], {"A", "B"}, 1)[0]) == "At most 1 option can be chosen; 2 are."


def test_validate_points():
    assert validate_points(["A", "B"], {"A": 3, "B": 2}, budget=5, max_per_option=3) == []
    assert codes(validate_points(["A", "B"], {"A": 4, "B": 2}, budget=5, max_per_option=3)) == [
        ("over_max_per_option", "A"),
        ("over_budget", None),
    ]
    assert codes(validate_points(["A", "B"], {"A": -1, "B": "x", "C": 1})) == [
        ("unknown_option", "C"),
        ("negative_points", "A"),
        ("not_integer", "B"),
    ]
    assert codes(validate_points(["A"], {"A": True})) == [("not_integer", "A")]
    assert str(validate_points(["A"], {"A": 7}, budget=5)[0]) == "7 points are given out of a budget of 5 points."


def test_validate_ranking():
    assert validate_ranking(["A", "B", "C"], {"C": 1, "A": 2}) == []
    assert validate_ranking(["A", "B", "C"], {}) == []
    assert codes(validate_ranking(["A", "B", "C"], {"A": 1, "B": 1})) == [("duplicate_rank", "B")]
    assert codes(validate_ranking(["A", "B", "C"], {"A": 1, "B": 3})) == [("rank_gap", "B")]
    assert codes(validate_ranking(["A", "B"], {"A": 0, "B": 2.0})) == [("rank_not_positive", "A"), ("not_integer", "B")]
    assert codes(validate_ranking(["A"], {"Z": 1})) == [("unknown_option", "Z")]
    assert str(validate_ranking(["A", "B"], {"A": 2, "B": 2})[0]) == "Rank 2 is given to both A and B."


def test_validate_grades():
    assert validate_grades(["A", "B"], {"A": 0, "B": 5}) == []
    assert codes(validate_grades(["A", "B"], {"A": 6})) == [("grade_out_of_range", "A"), ("missing_grade", "B")]
    assert codes(validate_grades(["A", "B"], {"A": 6}, require_all=False)) == [("grade_out_of_range", "A")]
    assert codes(validate_grades(["A"], {"A": 3}, ["Bad", "Good", "Great"])) == [("grade_out_of_range", "A")]
    assert validate_grades(["A"], {"A": 2}, 3) == []
    error = validate_grades(["A"], {"A": -1})[0]
    assert error.to_dict() == {
        "code": "grade_out_of_range",
        "message": "The grade of A must be between 0 and 5, not -1.",
        "option": "A",
    }


# --- properties ------------------------------------------------------------------------------------------

NAMES = ("Parc", "Piste cyclable", "Bibliothèque", "Marché", "Jardin", "Quai")


@st.composite
def elections(draw, method="schulze", min_options=1, max_options=5, max_ballots=12):
    n = draw(st.integers(min_options, max_options))
    options = list(NAMES[:n])
    option = st.sampled_from(options)
    if method == "approval":
        ballot = st.frozensets(option)
    elif method == "points":
        ballot = st.dictionaries(option, st.integers(0, 10))
    elif method == "majority-judgment":
        ballot = st.dictionaries(option, st.integers(0, 5))
    else:  # partial rankings, with ties and gaps
        ballot = st.dictionaries(option, st.integers(1, n))
    return options, draw(st.lists(ballot, max_size=max_ballots))


def reference_pairwise(options, ballots):
    unranked = float("inf")
    return {
        a: {b: sum(1 for x in ballots if x.get(a, unranked) < x.get(b, unranked)) for b in options if b != a}
        for a in options
    }


def reference_schulze(options, ballots):
    """Schulze's algorithm as published (Wikipedia pseudo-code), in plain Python."""
    d = reference_pairwise(options, ballots)
    p = {a: {b: d[a][b] if d[a][b] > d[b][a] else 0 for b in options if b != a} for a in options}
    for i in options:
        for j in options:
            if j == i:
                continue
            for k in options:
                if k not in (i, j):
                    p[j][k] = max(p[j][k], min(p[j][i], p[i][k]))
    winners = [a for a in options if all(p[a][b] >= p[b][a] for b in options if b != a)]
    return d, p, winners


def reference_borda(options, ballots):
    n = len(options)
    scores = dict.fromkeys(options, Fraction(0))
    for ballot in ballots:
        groups = {}
        for option in options:
            groups.setdefault(ballot.get(option, float("inf")), []).append(option)
        position = 0
        for rank in sorted(groups):
            group = groups[rank]
            points = [n - 1 - p for p in range(position, position + len(group))]
            for option in group:
                scores[option] += Fraction(sum(points), len(group))
            position += len(group)
    return scores


def reference_majority_values(options, ballots):
    values = {}
    for option in options:
        grades = sorted(ballot.get(option, 0) for ballot in ballots)
        sequence = []
        while grades:
            sequence.append(grades.pop((len(grades) - 1) // 2))
        values[option] = sequence
    return values


@PROPERTY
@given(elections("schulze"))
def test_schulze_matches_the_reference_algorithm(election):
    options, ballots = election
    d, p, winners = reference_schulze(options, ballots)
    result = tally("schulze", options, ballots)
    assert result.details["pairwise"] == d
    assert result.details["strongest_paths"] == p
    assert result.winners == (winners if ballots else [])
    assert result.ranking[0] == winners
    for upper, lower in zip(result.ranking, result.ranking[1:], strict=False):  # no lower option beats an upper one
        assert all(p[b][a] <= p[a][b] for a in upper for b in lower)


@PROPERTY
@given(elections("borda"))
def test_borda_matches_the_exact_reference(election):
    options, ballots = election
    expected = reference_borda(options, ballots)
    result = tally("borda", options, ballots)
    assert {o: Fraction(s) for o, s in result.scores.items()} == expected
    assert sum(expected.values()) == Fraction(len(options) * (len(options) - 1), 2) * len(ballots)
    flattened = [expected[o] for group in result.ranking for o in group]
    assert flattened == sorted(flattened, reverse=True)


@PROPERTY
@given(elections("majority-judgment"))
def test_majority_judgment_matches_repeated_median_removal(election):
    options, ballots = election
    values = reference_majority_values(options, ballots)
    result = tally("majority-judgment", options, ballots)
    for upper, lower in zip(result.ranking, result.ranking[1:], strict=False):
        assert values[upper[0]] > values[lower[0]]
    for group in result.ranking:
        assert all(values[o] == values[group[0]] for o in group)
    if ballots:
        assert result.scores == {o: values[o][0] for o in options}


@PROPERTY
@given(elections("schulze", min_options=2, max_options=4, max_ballots=9))
def test_a_condorcet_winner_always_wins_schulze(election):
    options, ballots = election
    d = reference_pairwise(options, ballots)
    condorcet = [a for a in options if all(d[a][b] > d[b][a] for b in options if b != a)]
    assume(condorcet)
    assert tally("schulze", options, ballots).winners == condorcet


@PROPERTY
@given(st.sampled_from(METHODS).flatmap(lambda m: st.tuples(st.just(m), elections(m), st.randoms())))
def test_renaming_and_reordering_options_changes_nothing(case):
    method, (options, ballots), rng = case
    rename = {o: f"«{o.upper()}» {i}" for i, o in enumerate(options)}
    shuffled = list(options)
    rng.shuffle(shuffled)
    if method == "approval":
        renamed_ballots = [frozenset(rename[o] for o in b) for b in ballots]
    else:
        renamed_ballots = [{rename[o]: v for o, v in b.items()} for b in ballots]

    original = tally(method, options, ballots)
    renamed = tally(method, [rename[o] for o in shuffled], renamed_ballots)

    assert set(renamed.winners) == {rename[o] for o in original.winners}
    assert [set(g) for g in renamed.ranking] == [{rename[o] for o in g} for g in original.ranking]
    assert renamed.scores == {rename[o]: s for o, s in original.scores.items()}
    assert renamed.ballots == original.ballots


@PROPERTY
@given(elections("schulze", min_options=2), st.integers(1, 3))
def test_adding_ballots_ranking_only_the_schulze_winner_never_makes_it_lose(election, copies):
    """Mono-add-plump: a ballot ranking the winner first and leaving the others unranked (the general
    mono-add-top fails, see test_schulze_fails_mono_add_top_with_truncated_ballots)."""
    options, ballots = election
    before = tally("schulze", options, ballots)
    assume(before.winners)
    for winner in before.winners:
        after = tally("schulze", options, [*ballots, *[{winner: 1}] * copies])
        assert winner in after.winners


@PROPERTY
@given(elections("borda", min_options=2), st.randoms())
def test_adding_a_ballot_ranking_the_borda_winner_first_never_makes_it_lose(election, rng):
    options, ballots = election
    before = tally("borda", options, ballots)
    assume(before.winners)
    winner = before.winners[0]
    others = [o for o in options if o != winner]
    rng.shuffle(others)
    added = {winner: 1, **{o: rng.randint(2, len(options)) for o in others}}  # winner strictly first
    assert winner in tally("borda", options, [*ballots, added]).winners
