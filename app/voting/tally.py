"""Pure vote tallying: approval, points, Schulze, Borda and majority judgment.

No Flask application, request or database is needed here: every function takes the options (unique name
strings, in display order) and the ballots, and returns a :class:`TallyResult`. The voting pages, the CSV
importer (:mod:`app.voting.ballot_csv`) and the ``flask tally`` command all go through :func:`tally`.

Ballots
-------
- ``approval``: a set (or frozenset) of approved option names. A mapping ``option -> 0/1`` is accepted too
  (truthy = approved). Choosing more than ``max_choices`` options is an *invalid* ballot, but that is checked
  by :func:`validate_approval`, not by the tally.
- ``points``: a mapping ``option -> non-negative int``; a missing option has 0 points. The budget and the
  maximum per option are checked by :func:`validate_points`.
- ``schulze`` and ``borda`` (rankings): a mapping ``option -> rank``, 1 = first. Only the order of the ranks
  matters to the tally (ranks 1, 3 mean the same as 1, 2); equal ranks are a tie in that ballot. An option
  missing from the mapping is *unranked*: below every ranked option and tied with the other unranked ones.
  Online ballots must use the ranks 1..m without repetition (:func:`validate_ranking`).
- ``majority-judgment``: a mapping ``option -> grade``, an int in ``0 .. grades - 1`` (default 6 grades),
  higher is better, 0 = "À rejeter" (reject). **A missing grade counts as the lowest grade, 0** — a voter
  who does not grade an option rejects it. Online ballots must grade every option (:func:`validate_grades`).

The tally itself raises :class:`ValueError` on malformed input (an unknown option, a negative number, a
rank that is not a positive int, a grade out of range): invalid ballots are the caller's business and must
be filtered before tallying.

Results
-------
Every method ranks the options into groups of tied options, best first (``TallyResult.ranking``). Ties are
shown as ties: they are never broken by option order or chance. Inside a group the options keep the order
they were given in. ``winners`` is the first group, or ``[]`` when no ballot was cast.

- approval: ``scores[o]`` = number of ballots approving ``o``.
- points: ``scores[o]`` = total points.
- Schulze (Markus Schulze, "A new monotonic, clone-independent, reversal symmetric, and
  Condorcet-consistent single-winner election method", Social Choice and Welfare 36, 2011; revised 2018):
  ``d[a][b]`` is the number of ballots preferring ``a`` to ``b`` (a ranked option is preferred to an
  unranked one). The strength of the link ``a -> b`` is measured by *winning votes*: ``d[a][b]`` when
  ``d[a][b] > d[b][a]``, otherwise there is no link (the paper's optional refinement, comparing the losing
  votes of two links with equal winning votes, is not applied). ``p[a][b]`` is the strength of the strongest path
  (widest path, Floyd–Warshall). ``a`` is ranked above ``b`` iff ``p[a][b] > p[b][a]``; this relation is
  transitive, and the ranking lists, layer after layer, the options that no remaining option beats. Options
  of one layer are tied. Caveat: the Schulze relation is a partial order, so two options can end up in
  different layers while neither beats the other (``details["incomparable_pairs"]`` lists those pairs).
  ``scores[o]`` = number of options ``o`` beats; ``details`` holds ``pairwise`` (``d``) and
  ``strongest_paths`` (``p``) as ``{a: {b: int}}``.
- Borda: with ``n`` options, a ballot gives ``n - 1`` points to its first option, ``n - 2`` to the second,
  …, 0 to the last (position ``r`` counted from 1 gets ``n - r``). Options tied in a ballot share the
  *average* of the points of the positions they span; unranked options share the average of the remaining
  (lowest) positions, so every ballot hands out exactly ``n (n - 1) / 2`` points. Such averages are always
  whole or half points, so the totals are computed exactly in half points and reported as ``int`` when whole,
  else as a ``float`` ending in ``.5`` (exact in binary). Equivalently, ``score(a) = (n - 1) N / 2 +
  Σ_b (d[a][b] - d[b][a]) / 2`` over ``N`` ballots, which is how it is computed.
- majority judgment (Balinski & Laraki, *Majority Judgment*, MIT Press 2010): ``scores[o]`` = the median
  grade, the *lower* median for an even number of ballots (``None`` without ballots). Options with the same
  median are separated by the Balinski–Laraki rule: remove one median grade from each tied option and
  compare the new medians, repeatedly (i.e. compare the sequences of successive medians
  lexicographically). Options with identical grade profiles stay tied. ``details`` holds ``profiles``
  (``{option: [count of grade 0, count of grade 1, …]}``), ``median`` and ``grades``; every tie broken this
  way is explained in ``tie_breaks``.

``tie_breaks`` is a list of structured records (``{"rule": "mj_median_removal", "options": [...],
"order": [[...], ...], ...}``), ``ties`` the groups of more than one option left tied in the ranking.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln

if TYPE_CHECKING:
    # numpy (about 0.1 s to import) is imported by the functions that count rankings and grades, so that the
    # modules importing this one for its constants (every web page of the voting blueprint) do not load it.
    import numpy as np

METHODS = ("approval", "points", "schulze", "borda", "majority-judgment")
RANKED_METHODS = ("schulze", "borda")

DEFAULT_GRADES = 6
# Translated in the French catalogue as: À rejeter, Insuffisant, Passable, Assez bien, Bien, Excellent.
GRADE_LABELS = (_l("Reject"), _l("Poor"), _l("Fair"), _l("Fairly good"), _l("Good"), _l("Excellent"))

Ballot: TypeAlias = AbstractSet[str] | Mapping[str, int]

# The counting rules in words, shown by ``flask tally --details`` and on the results page (one wording).
SCHULZE_LINK_RULE = _l(
    "Strength of a link (Schulze): winning votes, the number of ballots preferring A to B when more ballots "
    "prefer A to B than B to A; no link otherwise. Ties between paths are not broken further."
)
UNRANKED_RULE = _l("An option not ranked on a ballot comes after every option ranked on it.")
BORDA_CONVENTION = _l(
    "Borda: with n options, the first gets n − 1 points, the second n − 2, and so on; the options a ballot leaves "
    "unranked (or ties) share equally the points of the places they take, so each ballot gives out the same total."
)
MISSING_GRADE_RULE = _l("A missing grade counts as the lowest grade, “Reject”.")
COUNTING_RULES = {
    "schulze": (SCHULZE_LINK_RULE, UNRANKED_RULE),
    "borda": (BORDA_CONVENTION,),
    "majority-judgment": (MISSING_GRADE_RULE,),
}

# Settings understood by tally(); the ones not used by a method (e.g. ``budget`` for Schulze) are ignored so
# that callers can pass a question's whole settings.
KNOWN_SETTINGS = frozenset({"grades", "max_choices", "budget", "max_per_option"})

_UNRANKED = 2**63 - 1  # np.iinfo(np.int64).max
_CHUNK_CELLS = 1 << 22  # booleans per block when building the pairwise matrix (about 4 MB)


@dataclass(frozen=True)
class TallyResult:
    """The outcome of one tally; every field is JSON-serializable."""

    method: str
    ballots: int
    winners: list[str]
    ranking: list[list[str]]
    scores: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    tie_breaks: list[dict[str, Any]] = field(default_factory=list)
    ties: list[list[str]] = field(default_factory=list)


def to_json(result: TallyResult, *, details: bool = False) -> dict[str, Any]:
    """``{"method", "ballots", "winners", "ranking", "scores"}``; with ``details=True`` also
    ``"details"`` (the method's details plus ``tie_breaks`` and ``ties``)."""
    data: dict[str, Any] = {
        "method": result.method,
        "ballots": result.ballots,
        "winners": list(result.winners),
        "ranking": [list(group) for group in result.ranking],
        "scores": dict(result.scores),
    }
    if details:
        data["details"] = {**result.details, "tie_breaks": result.tie_breaks, "ties": result.ties}
    return data


def tally(method: str, options: Sequence[str], ballots: Sequence[Ballot], **settings: Any) -> TallyResult:
    """Tally ``ballots`` over ``options`` with ``method`` (one of :data:`METHODS`).

    ``settings`` may hold ``grades`` (majority judgment: number of grades, default 6); ``max_choices``,
    ``budget`` and ``max_per_option`` are accepted and ignored (they matter to validation, not to the count).
    """
    unknown = set(settings) - KNOWN_SETTINGS
    if unknown:
        raise TypeError(f"unknown tally settings: {', '.join(sorted(unknown))}")
    if method == "approval":
        return tally_approval(options, ballots)
    if method == "points":
        return tally_points(options, ballots)
    if method == "schulze":
        return tally_schulze(options, ballots)
    if method == "borda":
        return tally_borda(options, ballots)
    if method == "majority-judgment":
        return tally_majority_judgment(options, ballots, grades=settings.get("grades", DEFAULT_GRADES))
    raise ValueError(f"unknown voting method {method!r}; expected one of {', '.join(METHODS)}")


# --- approval and points --------------------------------------------------------------------------------


def tally_approval(options: Sequence[str], ballots: Sequence[AbstractSet[str] | Mapping[str, Any]]) -> TallyResult:
    options = _check_options(options)
    index = _index(options)
    counts = dict.fromkeys(options, 0)
    for ballot in ballots:
        approved = [o for o, v in ballot.items() if v] if isinstance(ballot, Mapping) else ballot
        for option in approved:
            _require_known(index, option)
            counts[option] += 1
    return _scored_result("approval", options, len(ballots), counts)


def tally_points(options: Sequence[str], ballots: Sequence[Mapping[str, int]]) -> TallyResult:
    options = _check_options(options)
    index = _index(options)
    totals = dict.fromkeys(options, 0)
    for ballot in ballots:
        for option, points in ballot.items():
            _require_known(index, option)
            if not _is_int(points) or points < 0:
                raise ValueError(f"points for {option!r} must be a non-negative int, not {points!r}")
            totals[option] += int(points)
    return _scored_result("points", options, len(ballots), totals)


def _scored_result(method: str, options: tuple[str, ...], n_ballots: int, scores: dict[str, Any]) -> TallyResult:
    ranking = _group_by(options, scores.__getitem__)
    return _result(method, n_ballots, ranking, scores)


# --- rankings: pairwise matrix, Schulze, Borda ------------------------------------------------------------


def rank_matrix(options: Sequence[str], ballots: Sequence[Mapping[str, int]]) -> np.ndarray:
    """A ``(len(ballots), len(options))`` int64 array of ranks; unranked options hold a sentinel larger
    than any rank."""
    import numpy as np

    options = _check_options(options)
    index = _index(options)
    rows: list[int] = []
    cols: list[int] = []
    ranks: list[int] = []
    for row, ballot in enumerate(ballots):
        for option, rank in ballot.items():
            col = index.get(option)
            if col is None:
                _require_known(index, option)
            rows.append(row)
            cols.append(col)
            ranks.append(rank)
    for kind in set(map(type, ranks)):
        if kind is bool or not issubclass(kind, numbers.Integral):
            raise ValueError(f"ranks must be ints, not {kind.__name__}")
    matrix = np.full((len(ballots), len(options)), _UNRANKED, dtype=np.int64)
    if ranks:
        values = np.asarray(ranks, dtype=np.int64)
        if values.min() < 1 or values.max() >= _UNRANKED:
            raise ValueError("ranks must be positive (1 = first) and below 2**63 - 1")
        matrix[rows, cols] = values
    return matrix


def pairwise_matrix(ranks: np.ndarray) -> np.ndarray:
    """``d[a, b]`` = number of ballots (rows of ``ranks``) ranking ``a`` strictly above ``b``."""
    import numpy as np

    n_ballots, n = ranks.shape
    d = np.zeros((n, n), dtype=np.int64)
    chunk = max(1, _CHUNK_CELLS // max(1, n * n))
    for start in range(0, n_ballots, chunk):
        block = ranks[start : start + chunk]
        d += (block[:, :, None] < block[:, None, :]).sum(axis=0, dtype=np.int64)
    return d


def strongest_paths(d: np.ndarray) -> np.ndarray:
    """Schulze's ``p[a, b]``: the strength of the strongest path from ``a`` to ``b``, winning votes."""
    import numpy as np

    p = np.where(d > d.T, d, 0)
    for k in range(p.shape[0]):
        # A path through k: as strong as its weaker half. Updating the diagonal too is harmless (a
        # diagonal value never exceeds the entries it is combined with) and it is reset below.
        p = np.maximum(p, np.minimum(p[:, k : k + 1], p[k : k + 1, :]))
    np.fill_diagonal(p, 0)
    return p


def tally_schulze(options: Sequence[str], ballots: Sequence[Mapping[str, int]]) -> TallyResult:
    options = _check_options(options)
    d = pairwise_matrix(rank_matrix(options, ballots))
    p = strongest_paths(d)
    beats = p > p.T
    ranking_idx = _layers(beats)
    ranking = [[options[i] for i in layer] for layer in ranking_idx]
    position = {i: pos for pos, layer in enumerate(ranking_idx) for i in layer}
    incomparable = [
        [options[a], options[b]]
        for a in range(len(options))
        for b in range(len(options))
        if position[a] < position[b] and not beats[a, b]
    ]
    scores = {o: int(beats[i].sum()) for i, o in enumerate(options)}
    details = {
        "link_strength": "winning_votes",  # d[a][b] when d[a][b] > d[b][a], else no link; no further tie-break
        "pairwise": _matrix_dict(options, d),
        "strongest_paths": _matrix_dict(options, p),
        "incomparable_pairs": incomparable,
    }
    return _result("schulze", len(ballots), ranking, scores, details)


def tally_borda(options: Sequence[str], ballots: Sequence[Mapping[str, int]]) -> TallyResult:
    options = _check_options(options)
    n = len(options)
    d = pairwise_matrix(rank_matrix(options, ballots))
    half_points = (n - 1) * len(ballots) + (d - d.T).sum(axis=1)  # exact, in half points
    scores = {o: _from_halves(int(half_points[i])) for i, o in enumerate(options)}
    by_option = dict(zip(options, half_points.tolist(), strict=True))
    ranking = _group_by(options, by_option.__getitem__)
    return _result("borda", len(ballots), ranking, scores)


def _layers(beats: np.ndarray) -> list[list[int]]:
    """Split a transitive strict relation into layers: each layer holds the remaining options beaten by no
    remaining option."""
    import numpy as np

    remaining = np.arange(beats.shape[0])
    layers = []
    while remaining.size:
        sub = beats[np.ix_(remaining, remaining)]
        top = ~sub.any(axis=0)
        if not top.any():  # impossible for Schulze's (transitive) relation; never loop forever
            top[:] = True
        layers.append([int(i) for i in remaining[top]])
        remaining = remaining[~top]
    return layers


# --- majority judgment ----------------------------------------------------------------------------------


def tally_majority_judgment(
    options: Sequence[str], ballots: Sequence[Mapping[str, int]], *, grades: int = DEFAULT_GRADES
) -> TallyResult:
    import numpy as np

    options = _check_options(options)
    if not _is_int(grades) or grades < 2:
        raise ValueError(f"grades must be an int >= 2, not {grades!r}")
    index = _index(options)
    n_ballots = len(ballots)
    cols: list[int] = []
    values: list[int] = []
    for ballot in ballots:
        for option, grade in ballot.items():
            col = index.get(option)
            if col is None:
                _require_known(index, option)
            if not _is_int(grade) or not 0 <= grade < grades:
                raise ValueError(f"grade for {option!r} must be an int in 0..{grades - 1}, not {grade!r}")
            cols.append(col)
            values.append(int(grade))
    profiles = np.zeros((len(options), grades), dtype=np.int64)
    np.add.at(profiles, (np.asarray(cols, dtype=np.intp), np.asarray(values, dtype=np.intp)), 1)
    profiles[:, 0] += n_ballots - profiles.sum(axis=1)  # a missing grade is the lowest grade

    if n_ballots == 0:
        medians: dict[str, int | None] = dict.fromkeys(options)
        ranking = [list(options)] if options else []
        details = {"profiles": _profiles_dict(options, profiles), "median": medians, "grades": grades}
        return _result("majority-judgment", 0, ranking, medians, details)

    order = _median_removal_order(n_ballots)
    sequences = {o: tuple(np.repeat(np.arange(grades), profiles[i])[order].tolist()) for i, o in enumerate(options)}
    medians = {o: sequences[o][0] for o in options}
    ranking = _group_by(options, sequences.__getitem__)

    tie_breaks = []
    for median in sorted(set(medians.values()), reverse=True):
        groups = [group for group in ranking if medians[group[0]] == median]
        if len(groups) < 2:
            continue
        steps = []
        for above, below in itertools.pairwise(groups):
            seq_above, seq_below = sequences[above[0]], sequences[below[0]]
            removed = next(k for k, (a, b) in enumerate(zip(seq_above, seq_below, strict=True)) if a != b)
            steps.append(
                {
                    "above": list(above),
                    "below": list(below),
                    "removed": removed,
                    "above_grade": seq_above[removed],
                    "below_grade": seq_below[removed],
                }
            )
        tie_breaks.append(
            {
                "rule": "mj_median_removal",
                "options": [o for group in groups for o in group],
                "median": median,
                "order": [list(group) for group in groups],
                "steps": steps,
            }
        )
    details = {"profiles": _profiles_dict(options, profiles), "median": medians, "grades": grades}
    return _result("majority-judgment", n_ballots, ranking, dict(medians), details, tie_breaks)


def median_removal_order(n: int) -> list[int]:
    """Indices, into ``n`` sorted grades, of the successive lower medians when the median is removed again
    and again (Balinski–Laraki's majority value). ``n = 4`` gives ``[1, 2, 0, 3]``, ``n = 5`` gives
    ``[2, 1, 3, 0, 4]``."""
    return list(_median_removal_order(n))


def _median_removal_order(n: int) -> np.ndarray:
    import numpy as np

    if n == 0:
        return np.zeros(0, dtype=np.intp)
    order = [(n - 1) // 2]
    low = high = order[0]  # the removed indices are always the contiguous block low..high
    while len(order) < n:
        remaining = n - len(order)
        position = (remaining - 1) // 2  # the lower median of what is left
        if position < low:
            low = position
            order.append(low)
        else:
            high += 1
            order.append(high)
    return np.asarray(order, dtype=np.intp)


# --- validation of single ballots (voting page, CSV import) -----------------------------------------------


@dataclass(frozen=True)
class BallotError:
    """One problem with one ballot: a machine ``code``, a translatable ``message`` (a lazy string, English
    source) and the ``option`` at fault when there is one."""

    code: str
    message: Any
    option: str | None = None

    def __str__(self) -> str:
        return str(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": str(self.message), "option": self.option}


def validate_approval(
    options: Sequence[str], ballot: Iterable[str] | Mapping[str, Any], max_choices: int | None = None
) -> list[BallotError]:
    """Approved options must be known and distinct, and at most ``max_choices`` (None = no limit)."""
    known = set(options)
    approved = [o for o, v in ballot.items() if v] if isinstance(ballot, Mapping) else list(ballot)
    errors = _unknown_options(known, approved)
    seen: set[str] = set()
    for option in approved:
        if option in seen:
            errors.append(
                BallotError("duplicate_choice", _l("%(option)s is chosen more than once.", option=option), option)
            )
        seen.add(option)
    if _over(len(seen), max_choices):
        message = _ln(
            "At most %(num)d option can be chosen; %(count)d are.",
            "At most %(num)d options can be chosen; %(count)d are.",
            max_choices,
            count=len(seen),
        )
        errors.append(BallotError("too_many_choices", message))
    return errors


def validate_points(
    options: Sequence[str],
    ballot: Mapping[str, Any],
    budget: int | None = None,
    max_per_option: int | None = None,
) -> list[BallotError]:
    """Points must be non-negative ints, at most ``max_per_option`` each, at most ``budget`` in all."""
    errors = _unknown_options(set(options), ballot)
    total = 0
    for option, points in _whole_values(options, ballot, errors):
        if points < 0:
            message = _l("The points for %(option)s cannot be negative (%(points)d).", option=option, points=points)
            errors.append(BallotError("negative_points", message, option))
        else:
            total += points
            if _over(points, max_per_option):
                message = _ln(
                    "%(option)s gets %(points)d points; at most %(num)d point per option is allowed.",
                    "%(option)s gets %(points)d points; at most %(num)d points per option are allowed.",
                    max_per_option,
                    option=option,
                    points=points,
                )
                errors.append(BallotError("over_max_per_option", message, option))
    if _over(total, budget):
        message = _ln(
            "%(total)d points are given out of a budget of %(num)d point.",
            "%(total)d points are given out of a budget of %(num)d points.",
            budget,
            total=total,
        )
        errors.append(BallotError("over_budget", message))
    return errors


def validate_ranking(options: Sequence[str], ballot: Mapping[str, Any]) -> list[BallotError]:
    """Ranks must be positive ints, each used once, and the ranked options must use exactly the ranks
    1..m (m = number of ranked options). Leaving options unranked, even all of them, is allowed."""
    errors = _unknown_options(set(options), ballot)
    holders: dict[int, str] = {}
    for option, rank in _whole_values(options, ballot, errors):
        if rank < 1:
            message = _l("The rank of %(option)s must be 1 or more, not %(rank)d.", option=option, rank=rank)
            errors.append(BallotError("rank_not_positive", message, option))
        elif rank in holders:
            first = holders[rank]
            message = _l(
                "Rank %(rank)d is given to both %(first)s and %(option)s.", rank=rank, first=first, option=option
            )
            errors.append(BallotError("duplicate_rank", message, option))
        else:
            holders[rank] = option
    if not errors:  # gaps only matter once every rank is sound
        for expected, rank in enumerate(sorted(holders), start=1):
            if rank != expected:
                option = holders[rank]
                message = _l(
                    "Ranks must follow each other from 1: %(option)s is ranked %(rank)d but rank %(missing)d is "
                    "not used.",
                    option=option,
                    rank=rank,
                    missing=expected,
                )
                errors.append(BallotError("rank_gap", message, option))
                break
    return errors


def validate_grades(
    options: Sequence[str],
    ballot: Mapping[str, Any],
    grades: int | Sequence[Any] = DEFAULT_GRADES,
    *,
    require_all: bool = True,
) -> list[BallotError]:
    """Grades must be ints in ``0 .. grades - 1`` (``grades``: how many grades, or their labels); with
    ``require_all`` (online ballots) every option must be graded."""
    n_grades = grades if isinstance(grades, int) else len(grades)
    errors = _unknown_options(set(options), ballot)
    for option, grade in _whole_values(options, ballot, errors, require_all=require_all):
        if grade is None:
            errors.append(BallotError("missing_grade", _l("%(option)s has no grade.", option=option), option))
        elif not 0 <= grade < n_grades:
            message = _l(
                "The grade of %(option)s must be between 0 and %(top)d, not %(grade)d.",
                option=option,
                top=n_grades - 1,
                grade=grade,
            )
            errors.append(BallotError("grade_out_of_range", message, option))
    return errors


def _unknown_options(known: set[str], chosen: Iterable[str]) -> list[BallotError]:
    return [
        BallotError("unknown_option", _l("Unknown option: %(option)s.", option=option), option)
        for option in chosen
        if option not in known
    ]


def _whole_values(
    options: Sequence[str], ballot: Mapping[str, Any], errors: list[BallotError], *, require_all: bool = False
) -> Iterator[tuple[str, Any]]:
    """The (option, value) pairs of ``ballot`` in the order of ``options``, for the values that are whole numbers;
    the others are reported in ``errors`` as the loop reaches them. An option without a value is left out, unless
    ``require_all``: then it comes with the value None."""
    for option in options:
        if option not in ballot:
            if require_all:
                yield option, None
            continue
        value = ballot[option]
        if _is_int(value):
            yield option, value
        else:
            message = _l("The value for %(option)s must be a whole number, not %(value)r.", option=option, value=value)
            errors.append(BallotError("not_integer", message, option))


def _over(value: int, limit: int | None) -> bool:
    """Whether ``value`` goes beyond ``limit`` (None: no limit)."""
    return limit is not None and value > limit


# --- helpers -------------------------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_options(options: Sequence[str]) -> tuple[str, ...]:
    options = tuple(options)
    for option in options:
        if not isinstance(option, str):
            raise ValueError(f"option names must be str, not {type(option).__name__}")
    if len(set(options)) != len(options):
        raise ValueError("option names must be unique")
    return options


def _index(options: tuple[str, ...]) -> dict[str, int]:
    return {option: i for i, option in enumerate(options)}


def _require_known(index: Mapping[str, int], option: Any) -> None:
    if option not in index:
        raise ValueError(f"unknown option {option!r} in a ballot")


def _group_by(options: tuple[str, ...], key: Callable[[str], Any]) -> list[list[str]]:
    """Groups of options with equal keys, highest key first; options keep their given order in a group."""
    groups: dict[Any, list[str]] = {}
    for option in options:
        groups.setdefault(key(option), []).append(option)
    return [groups[k] for k in sorted(groups, reverse=True)]


def _result(
    method: str,
    n_ballots: int,
    ranking: list[list[str]],
    scores: dict[str, Any],
    details: dict[str, Any] | None = None,
    tie_breaks: list[dict[str, Any]] | None = None,
) -> TallyResult:
    return TallyResult(
        method=method,
        ballots=n_ballots,
        winners=list(ranking[0]) if ranking and n_ballots else [],
        ranking=ranking,
        scores=scores,
        details=details or {},
        tie_breaks=tie_breaks or [],
        ties=[list(group) for group in ranking if len(group) > 1],
    )


def _from_halves(half_points: int) -> int | float:
    return half_points // 2 if half_points % 2 == 0 else half_points / 2


def _matrix_dict(options: tuple[str, ...], matrix: np.ndarray) -> dict[str, dict[str, int]]:
    return {a: {b: int(matrix[i, j]) for j, b in enumerate(options) if j != i} for i, a in enumerate(options)}


def _profiles_dict(options: tuple[str, ...], profiles: np.ndarray) -> dict[str, list[int]]:
    return {o: [int(c) for c in profiles[i]] for i, o in enumerate(options)}
