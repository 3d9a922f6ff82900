"""Results of a ballot: the tally of its casts, turnout, quorum, agreement across groups, and explanations.

No request object here (the explanations are translated into the current locale, so call it within a
request or ``force_locale``). Counts of people run in SQL (GROUP BY); the casts are read once, streamed, and
handed to :func:`app.voting.tally.tally`, which needs every ballot anyway (Schulze's pairwise matrix).

What may be shown about groups is decided by :mod:`app.voting.disclosure`: no group table, nor any sum or
difference of published figures (totals minus groups, one table minus another, the rest lines), singles out
fewer than :data:`MIN_GROUP_SIZE` (5) people or ballots, in turnout as in the breakdown of the results. While a
ballot is open, people see :func:`live_results` (the figures of the last live snapshot, without groups);
:func:`compute_results` counts the stored casts (closed and published ballots).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from babel.lists import format_list
from flask_babel import format_decimal as babel_format_decimal
from flask_babel import format_percent, get_locale, ngettext
from flask_babel import gettext as _

from app.core.extensions import db
from app.core.labels import SECTOR_LABELS
from app.models import (
    Ballot,
    BallotEligibility,
    BallotOption,
    Cast,
    CastSource,
    Eligibility,
    Organization,
    Role,
    Sector,
    Territory,
    User,
    VoterRecord,
    VotingMethod,
)
from app.voting.disclosure import THRESHOLD, BallotPlan, generalize, plan_ballots
from app.voting.tally import COUNTING_RULES, GRADE_LABELS, TallyResult, tally
from app.web.i18n import localized

MIN_GROUP_SIZE = THRESHOLD
# Spread between the most and the least favourable group, on a 0–1 scale (see Agreement).
AGREE_BELOW = 0.15
DIVERGE_FROM = 0.30


class _Rate:
    """The share of the ``eligible`` people who voted (``voters``); None when nobody is eligible."""

    eligible: int
    voters: int

    @property
    def rate(self) -> float | None:
        return self.voters / self.eligible if self.eligible else None


@dataclass
class TurnoutRow(_Rate):
    label: str
    eligible: int
    voters: int
    rest: bool = False  # the people of the groups not shown on their own, together


@dataclass
class Turnout(_Rate):
    eligible: int
    voters: int  # people (or organizations, one ballot per organization) who voted online
    online: int  # online casts counted
    paper: int  # paper ballots imported
    per_organization: bool
    by_sector: list[TurnoutRow] = field(default_factory=list)
    by_territory: list[TurnoutRow] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return self.online + self.paper


@dataclass
class Quorum:
    percent: int
    required: int
    counted: int

    @property
    def reached(self) -> bool:
        return self.counted >= self.required


@dataclass
class AgreementGroup:
    key: str
    label: str
    ballots: int


@dataclass
class AgreementRow:
    key: str  # option key
    label: str
    values: list[Any]  # one per visible group, raw (float or int)
    shown: list[str]  # the same, formatted
    spread: float | None  # normalized to 0..1
    spread_shown: str
    level: str | None  # "agree", "moderate", "diverge"


@dataclass
class Agreement:
    dimension: str  # "sector" or "territory"
    metric: str  # translated name of what the values mean
    groups: list[AgreementGroup]
    rows: list[AgreementRow]
    rest: int  # ballots counted only in the totals (0, or at least MIN_GROUP_SIZE)


@dataclass
class BallotResults:
    ballot: Ballot
    options: list[BallotOption]
    labels: dict[str, str]  # option key -> label in the current language
    result: TallyResult
    borda: TallyResult | None
    places: dict[str, int]
    turnout: Turnout
    quorum: Quorum | None
    agreements: list[Agreement]
    explanations: list[str]
    live: bool = False  # figures of the last live snapshot (the vote is open)
    live_updated_at: datetime | None = None

    @property
    def counted(self) -> int:
        return self.result.ballots

    @property
    def winners(self) -> list[str]:
        return [self.labels[k] for k in self.result.winners]

    def option(self, key: str) -> BallotOption:
        return next(o for o in self.options if o.key == key)

    @property
    def counting_rules(self) -> list[str]:
        """How the method counts, in words (ranking: Schulze's link strength and the Borda convention)."""
        methods = ("schulze", "borda") if self.borda is not None else (self.result.method,)
        return [str(rule) for method in methods for rule in COUNTING_RULES.get(method, ())]

    def tie_text(self, keys: list[str]) -> str:
        return " = ".join(self.labels[k] for k in keys)

    def score_text(self, key: str, result: TallyResult | None = None) -> str:
        return format_score(self.ballot, result or self.result, key)

    @property
    def ranking_rows(self) -> list[tuple[int, bool, BallotOption]]:
        """(place, tied, option) in ranking order."""
        rows = []
        for group in self.result.ranking:
            for key in group:
                rows.append((self.places[key], len(group) > 1, self.option(key)))
        return rows


# --- loading ----------------------------------------------------------------------------------------------


def iter_casts(ballot: Ballot) -> Iterator[tuple[dict[str, int], Sector | None, int | None, CastSource]]:
    """(contents, sector, territory id, source) of every counted cast, streamed. Once the ballot is over, the
    groups of the online casts are those sealing leaves (:func:`sealed_groups`), also when its close is not stored
    yet (:func:`app.voting.ballots.as_seen`)."""
    sealed = {} if ballot.is_open else sealed_groups(ballot)
    query = (
        sa.select(Cast.contents, Cast.sector, Cast.territory_id, Cast.source)
        .where(Cast.ballot_id == ballot.id)
        .order_by(Cast.receipt)
        .execution_options(yield_per=2000)
    )
    for row in db.session.execute(query):
        group = (row.sector, row.territory_id)
        if row.source is CastSource.ONLINE:
            group = sealed.get(group, group)
        yield row.contents, *group, row.source


def sealed_groups(ballot: Ballot) -> dict[tuple[Sector | None, int | None], tuple[Sector | None, int | None]]:
    """(sector, territory) of online casts -> the group sealing stores for them (:func:`app.voting.ballots.seal_casts`:
    :func:`app.voting.disclosure.generalize` of their counts). On casts already sealed it changes nothing: their
    groups hold MIN_GROUP_SIZE casts or more, or are the rest."""
    counts = db.session.execute(
        sa.select(Cast.sector, Cast.territory_id, sa.func.count())
        .where(Cast.ballot_id == ballot.id, Cast.source == CastSource.ONLINE)
        .group_by(Cast.sector, Cast.territory_id)
    ).all()
    return generalize({(sector, territory): n for sector, territory, n in counts}, MIN_GROUP_SIZE)


def to_tally_ballot(method: VotingMethod, contents: Mapping[str, int], keys: set[str]) -> Any:
    known = {k: int(v) for k, v in (contents or {}).items() if k in keys}
    if method is VotingMethod.APPROVAL:
        return frozenset(k for k, v in known.items() if v)
    return known


def compute_results(ballot: Ballot) -> BallotResults:
    """The results counted from the stored casts, with the breakdown by group that
    :mod:`app.voting.disclosure` allows (none while the ballot is open: see :func:`live_results`)."""
    return _results(ballot, iter_casts(ballot), breakdown=not ballot.is_open)


def live_results(ballot: Ballot) -> BallotResults:
    """What people see while the ballot is open: the figures of its last live snapshot (see
    :func:`app.voting.ballots.refresh_live_snapshot`), without any breakdown by group."""
    snapshot = ballot.live_snapshot or {}
    rows = [(contents, None, None, None) for contents in snapshot.get("contents", [])]
    updated = snapshot.get("updated_at")
    results = _results(
        ballot,
        rows,
        breakdown=False,
        sources={CastSource.ONLINE: int(snapshot.get("online", 0)), CastSource.PAPER: int(snapshot.get("paper", 0))},
    )
    results.live = True
    results.live_updated_at = datetime.fromisoformat(updated) if updated else None
    return results


def cast_plan(casts: Iterable[tuple[Sector | None, int | None, CastSource]]) -> BallotPlan:
    """What may be published about the groups of these casts ((sector, territory id, source) of each)."""
    return plan_ballots(Counter(casts), MIN_GROUP_SIZE)


def ballot_plan(ballot: Ballot) -> BallotPlan:
    """:func:`cast_plan` of a ballot's stored casts, counted in SQL (online groups as sealed, see
    :func:`iter_casts`)."""
    rows = db.session.execute(
        sa.select(Cast.sector, Cast.territory_id, Cast.source, sa.func.count())
        .where(Cast.ballot_id == ballot.id)
        .group_by(Cast.sector, Cast.territory_id, Cast.source)
    ).all()
    online = {(sector, territory): n for sector, territory, source, n in rows if source is CastSource.ONLINE}
    sealed = {} if ballot.is_open else generalize(online, MIN_GROUP_SIZE)
    counts: Counter = Counter()
    for sector, territory, source, n in rows:
        group = (sector, territory)
        if source is CastSource.ONLINE:
            group = sealed.get(group, group)
        counts[(*group, source)] += n
    return plan_ballots(counts, MIN_GROUP_SIZE)


def _results(
    ballot: Ballot,
    casts: Iterable[tuple[Mapping[str, int], Sector | None, int | None, CastSource | None]],
    *,
    breakdown: bool,
    sources: Mapping[CastSource, int] | None = None,
) -> BallotResults:
    options = list(ballot.options)
    keys = [o.key for o in options]
    key_set = set(keys)
    labels = {o.key: localized(o, "label") for o in options}
    ballots: list[Any] = []
    groups: list[tuple[Sector | None, int | None, CastSource | None]] = []
    counted: dict[CastSource, int] = defaultdict(int)
    for contents, sector, territory_id, source in casts:
        ballots.append(to_tally_ballot(ballot.method, contents, key_set))
        groups.append((sector, territory_id, source))
        counted[source] += 1
    if sources is not None:
        counted = defaultdict(int, sources)
    settings = ballot.tally_settings()
    result = tally(ballot.tally_method, keys, ballots, **settings)
    borda = tally("borda", keys, ballots) if ballot.method is VotingMethod.RANKING else None
    places = {}
    place = 1
    for group in result.ranking:
        for key in group:
            places[key] = place
        place += len(group)
    turnout = compute_turnout(ballot, online=counted[CastSource.ONLINE], paper=counted[CastSource.PAPER])
    quorum = None
    if ballot.quorum_percent:
        required = max(1, math.ceil(ballot.quorum_percent * turnout.eligible / 100))
        quorum = Quorum(ballot.quorum_percent, required, turnout.counted)
    agreements = []
    if breakdown:
        plan = cast_plan(groups)
        published = [plan.published(*cell) for cell in groups]
        territory_names = dict(db.session.execute(sa.select(Territory.id, Territory.name)).all())
        agreements = [
            agreement(
                ballot,
                keys,
                labels,
                ballots,
                [s.value if isinstance(s, Sector) else s for s, _t in published],
                "sector",
                _sector_label,
            ),
            agreement(
                ballot,
                keys,
                labels,
                ballots,
                [str(t) if t is not None else None for _s, t in published],
                "territory",
                lambda key: territory_names.get(int(key), "?"),
            ),
        ]
    return BallotResults(
        ballot=ballot,
        options=options,
        labels=labels,
        result=result,
        borda=borda,
        places=places,
        turnout=turnout,
        quorum=quorum,
        agreements=agreements,
        explanations=explain(ballot, result, borda, labels),
    )


def _sector_label(key: str) -> str:
    return str(SECTOR_LABELS.get(Sector(key), key))


# --- turnout ----------------------------------------------------------------------------------------------


def eligible_population(ballot: Ballot) -> sa.Subquery:
    """One row per eligible voter (person, or organization for one ballot per organization): id, sector,
    territory_id."""
    if ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION:
        has_partner = (
            sa.select(User.id)
            .where(User.organization_id == Organization.id, User.role == Role.PARTNER, User.active.is_(True))
            .exists()
        )
        query = sa.select(
            Organization.id.label("id"), Organization.sector.label("sector"), Organization.territory_id
        ).where(has_partner)
    else:
        query = sa.select(
            User.id.label("id"), Organization.sector.label("sector"), Organization.territory_id
        ).outerjoin(Organization, User.organization_id == Organization.id)
        query = query.where(User.active.is_(True))
        if ballot.eligibility is Eligibility.LISTED:
            query = query.join(BallotEligibility, BallotEligibility.user_id == User.id).where(
                BallotEligibility.ballot_id == ballot.id
            )
        else:
            query = query.where(User.role == Role.PARTNER)
    return query.subquery()


def voter_population(ballot: Ballot) -> sa.Subquery:
    """One row per person (or organization) who voted online: id, sector, territory_id."""
    if ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION:
        query = sa.select(
            Organization.id.label("id"), Organization.sector.label("sector"), Organization.territory_id
        ).where(
            sa.select(VoterRecord.id)
            .where(VoterRecord.ballot_id == ballot.id, VoterRecord.organization_id == Organization.id)
            .exists()
        )
    else:
        query = (
            sa.select(VoterRecord.user_id.label("id"), Organization.sector.label("sector"), Organization.territory_id)
            .outerjoin(Organization, VoterRecord.organization_id == Organization.id)
            .where(VoterRecord.ballot_id == ballot.id)
        )
    return query.subquery()


def _cell_counts(population: sa.Subquery) -> dict[tuple[Any, Any], int]:
    """(sector, territory id) -> number of rows of ``population``."""
    cells = (population.c.sector, population.c.territory_id)
    rows = db.session.execute(sa.select(*cells, sa.func.count()).group_by(*cells)).all()
    return {(row[0], row[1]): row[2] for row in rows}


def compute_turnout(ballot: Ballot, *, online: int, paper: int) -> Turnout:
    eligible = eligible_population(ballot)
    voters = voter_population(ballot)
    total_eligible = db.session.scalar(sa.select(sa.func.count()).select_from(eligible)) or 0
    total_voters = db.session.scalar(sa.select(sa.func.count()).select_from(voters)) or 0
    territory_names = dict(db.session.execute(sa.select(Territory.id, Territory.name)).all())
    eligible_cells = _cell_counts(eligible)
    voter_cells = _cell_counts(voters)
    # The groups of people shown: the same rule as for ballots, on the people eligible to vote.
    mapping = generalize({cell: eligible_cells.get(cell, 0) for cell in {*eligible_cells, *voter_cells}})

    def rows(dimension: int, label) -> list[TurnoutRow]:
        eligible_by: Counter = Counter()
        voters_by: Counter = Counter()
        for cell, n in eligible_cells.items():
            eligible_by[mapping[cell][dimension]] += n
        for cell, n in voter_cells.items():
            voters_by[mapping[cell][dimension]] += n
        shown = sorted((g for g in {*eligible_by, *voters_by} if g is not None), key=label)
        if not shown:  # only the rest: the totals again
            return []
        result = [TurnoutRow(label(g), eligible_by[g], voters_by[g]) for g in shown]
        if eligible_by[None] or voters_by[None]:
            result.append(TurnoutRow(rest_label, eligible_by[None], voters_by[None], rest=True))
        return result

    def sector_label(key: Any) -> str:
        return str(SECTOR_LABELS.get(Sector(key), key))

    def territory_label(key: Any) -> str:
        return territory_names.get(key, "?")

    rest_label = _("Other groups and people without an organization, together")
    return Turnout(
        eligible=total_eligible,
        voters=total_voters,
        online=online,
        paper=paper,
        per_organization=ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION,
        by_sector=rows(0, sector_label),
        by_territory=rows(1, territory_label),
    )


# --- agreement across groups ------------------------------------------------------------------------------


def group_values(ballot: Ballot, keys: list[str], ballots: list[Any]) -> tuple[dict[str, float], dict[str, float]]:
    """Per option: the group's value (approval rate 0–1, mean points, median grade, mean Borda points) and
    the same normalized to 0–1 so that spreads compare across methods."""
    n = len(ballots)
    method = ballot.method
    if method is VotingMethod.APPROVAL:
        result = tally("approval", keys, ballots)
        values = {k: result.scores[k] / n for k in keys}
        return values, values
    if method is VotingMethod.POINTS:
        result = tally("points", keys, ballots)
        values = {k: result.scores[k] / n for k in keys}
        scale = ballot.max_per_option or ballot.budget or 1
        return values, {k: min(1.0, v / scale) for k, v in values.items()}
    if method is VotingMethod.MAJORITY_JUDGMENT:
        result = tally("majority-judgment", keys, ballots, grades=ballot.grades)
        values = {k: result.scores[k] for k in keys}
        return values, {k: v / (ballot.grades - 1) for k, v in values.items()}
    result = tally("borda", keys, ballots)
    values = {k: result.scores[k] / n for k in keys}
    top = max(1, len(keys) - 1)
    return values, {k: v / top for k, v in values.items()}


def agreement(
    ballot: Ballot,
    keys: list[str],
    labels: Mapping[str, str],
    ballots: list[Any],
    group_keys: list[str | None],
    dimension: str,
    group_label,
) -> Agreement:
    """Per-group figures of ``group_keys`` (one per ballot, None: counted only in the totals). The groups are
    those :mod:`app.voting.disclosure` allows: every one is shown, the rest is counted."""
    members: dict[str, list[Any]] = defaultdict(list)
    rest = 0
    for tally_ballot, group in zip(ballots, group_keys, strict=True):
        if group is None:
            rest += 1
        else:
            members[group].append(tally_ballot)
    visible = sorted(members, key=group_label)
    groups = [AgreementGroup(g, group_label(g), len(members[g])) for g in visible]
    per_group = [group_values(ballot, keys, members[g]) for g in visible]
    rows = []
    for key in keys:
        values = [values[key] for values, _normalized in per_group]
        normalized = [normalized[key] for _values, normalized in per_group]
        spread = max(normalized) - min(normalized) if len(normalized) >= 2 else None
        rows.append(
            AgreementRow(
                key=key,
                label=labels[key],
                values=values,
                shown=[format_group_value(ballot, v) for v in values],
                spread=spread,
                spread_shown=format_spread(ballot, values) if spread is not None else "—",
                level=agreement_level(spread),
            )
        )
    return Agreement(dimension=dimension, metric=metric_name(ballot), groups=groups, rows=rows, rest=rest)


def agreement_level(spread: float | None) -> str | None:
    if spread is None:
        return None
    if spread < AGREE_BELOW:
        return "agree"
    if spread < DIVERGE_FROM:
        return "moderate"
    return "diverge"


def metric_name(ballot: Ballot) -> str:
    return {
        VotingMethod.APPROVAL: _("approval rate"),
        VotingMethod.POINTS: _("mean points per ballot"),
        VotingMethod.RANKING: _("mean Borda points per ballot"),
        VotingMethod.MAJORITY_JUDGMENT: _("median grade"),
    }[ballot.method]


def format_group_value(ballot: Ballot, value: Any) -> str:
    if ballot.method is VotingMethod.APPROVAL:
        return format_percent(value)
    if ballot.method is VotingMethod.MAJORITY_JUDGMENT:
        return grade_label(ballot, value)
    return format_decimal(value)


def format_spread(ballot: Ballot, values: list[Any]) -> str:
    spread = max(values) - min(values)
    if ballot.method is VotingMethod.APPROVAL:
        return _("%(points)d percentage points", points=round(spread * 100))
    if ballot.method is VotingMethod.MAJORITY_JUDGMENT:
        return ngettext("%(num)d grade", "%(num)d grades", spread)
    return format_decimal(spread)


def format_decimal(value: float) -> str:
    return babel_format_decimal(round(value, 1), format="#,##0.#")


def grade_label(ballot: Ballot, grade: int | None) -> str:
    if grade is None:
        return "—"
    if ballot.grades == len(GRADE_LABELS):
        return str(GRADE_LABELS[grade])
    return str(grade)


def format_score(ballot: Ballot, result: TallyResult, key: str) -> str:
    score = result.scores.get(key)
    if score is None:
        return "—"
    if result.method == "majority-judgment":
        return grade_label(ballot, score)
    if result.method == "borda":
        return format_decimal(score)
    return str(score)


# --- explanations -----------------------------------------------------------------------------------------


def names(labels: Mapping[str, str], keys: list[str]) -> str:
    return format_list([labels[k] for k in keys], locale=str(get_locale()))


def explain(ballot: Ballot, result: TallyResult, borda: TallyResult | None, labels: Mapping[str, str]) -> list[str]:
    """Plain-language sentences: how the method counts, who comes first, every tie and how it was (or was
    not) broken."""
    lines = [method_rule(ballot)]
    if result.ballots == 0:
        lines.append(_("No ballot has been counted yet."))
        return lines
    winners = result.winners
    if len(winners) == 1:
        lines.append(_("%(option)s comes first.", option=labels[winners[0]]))
    else:
        lines.append(_("%(options)s are tied for first place.", options=names(labels, winners)))
    if ballot.method is VotingMethod.RANKING:
        lines.extend(_explain_schulze(result, borda, labels))
    elif ballot.method is VotingMethod.MAJORITY_JUDGMENT:
        lines.extend(_explain_majority_judgment(ballot, result, labels))
    else:
        for group in result.ties:
            lines.append(
                _(
                    "%(options)s are tied with %(score)s each.",
                    options=names(labels, group),
                    score=format_score(ballot, result, group[0]),
                )
            )
    if len(winners) > 1:
        lines.append(
            _(
                "Ties are never broken by chance or by the order of the options: the facilitators decide openly "
                "what to do (for example, a second round between the tied options)."
            )
        )
    return lines


def method_rule(ballot: Ballot) -> str:
    if ballot.method is VotingMethod.APPROVAL:
        return _(
            "Approval vote: each option gets one vote from every ballot that chose it; the option chosen by the "
            "most ballots comes first."
        )
    if ballot.method is VotingMethod.POINTS:
        return _(
            "Points vote: each option gets the points given to it on every ballot; the option with the most "
            "points comes first."
        )
    if ballot.method is VotingMethod.RANKING:
        return _(
            "Ranking counted with the Schulze method: every pair of options is compared by counting the ballots "
            "that rank one above the other (a ranked option is above an unranked one). One option beats another "
            "through a chain of such head-to-head wins; a chain is as strong as its weakest link, and the "
            "strongest chain decides. The Borda count is shown beside it: with n options, a ballot gives n − 1 "
            "points to its first choice, n − 2 to the second, and so on."
        )
    return _(
        "Majority judgment: each option gets its median grade, the grade that half of the ballots give or "
        "exceed (a missing grade counts as “Reject”). Options with the same median grade are separated by "
        "removing one median grade at a time from each until their medians differ."
    )


def _explain_schulze(result: TallyResult, borda: TallyResult | None, labels: Mapping[str, str]) -> list[str]:
    lines = []
    d = result.details["pairwise"]
    p = result.details["strongest_paths"]
    if len(result.winners) == 1:
        winner = result.winners[0]
        others = [k for k in labels if k != winner]
        if all(d[winner][o] > d[o][winner] for o in others):
            lines.append(
                _(
                    "%(option)s is preferred to every other option head-to-head: it beats each of them by a "
                    "majority of the ballots that compare them.",
                    option=labels[winner],
                )
            )
        else:
            lines.append(
                _(
                    "No option beats every other one head-to-head; %(option)s comes first through the strongest "
                    "chains of head-to-head wins.",
                    option=labels[winner],
                )
            )
    for group in result.ties:
        if len(group) == 2:
            a, b = group
            lines.append(
                _(
                    "%(first)s and %(second)s are tied: the strongest chain from %(first)s to %(second)s "
                    "(%(forward)d ballots) is exactly as strong as the one from %(second)s to %(first)s "
                    "(%(backward)d ballots).",
                    first=labels[a],
                    second=labels[b],
                    forward=p[a][b],
                    backward=p[b][a],
                )
            )
        else:
            lines.append(
                _(
                    "%(options)s are tied: none of them is ahead of another through the strongest chains.",
                    options=names(labels, group),
                )
            )
    for above, below in result.details.get("incomparable_pairs", []):
        lines.append(
            _(
                "%(above)s is listed above %(below)s, but neither beats the other through the strongest chains: "
                "%(above)s is listed first because the options that beat it were placed before.",
                above=labels[above],
                below=labels[below],
            )
        )
    if borda is not None and borda.ballots and borda.winners != result.winners:
        lines.append(
            _(
                "The Borda count would put %(options)s first. The two methods can disagree; the result of this "
                "ballot is the Schulze ranking.",
                options=names(labels, borda.winners),
            )
        )
    return lines


def _explain_majority_judgment(ballot: Ballot, result: TallyResult, labels: Mapping[str, str]) -> list[str]:
    lines = []
    for tie_break in result.tie_breaks:
        grade = grade_label(ballot, tie_break["median"])
        for step in tie_break["steps"]:
            removed = step["removed"]
            lines.append(
                ngettext(
                    "%(above)s and %(below)s share the median grade “%(grade)s”. After removing %(num)d median "
                    "grade from each, %(above)s has “%(above_grade)s” and %(below)s has “%(below_grade)s”, so "
                    "%(above)s is ranked higher.",
                    "%(above)s and %(below)s share the median grade “%(grade)s”. After removing %(num)d median "
                    "grades from each, %(above)s has “%(above_grade)s” and %(below)s has “%(below_grade)s”, so "
                    "%(above)s is ranked higher.",
                    removed,
                    above=names(labels, step["above"]),
                    below=names(labels, step["below"]),
                    grade=grade,
                    above_grade=grade_label(ballot, step["above_grade"]),
                    below_grade=grade_label(ballot, step["below_grade"]),
                )
            )
    for group in result.ties:
        lines.append(
            _(
                "%(options)s received exactly the same grades: they stay tied.",
                options=names(labels, group),
            )
        )
    return lines


# --- published receipts -----------------------------------------------------------------------------------


def cast_cells(ballot: Ballot, contents: Mapping[str, int]) -> list[str]:
    """One display cell per option (in option order) for a cast: ✓ / points / rank / grade label."""
    cells = []
    for option in ballot.options:
        value = (contents or {}).get(option.key)
        if ballot.method is VotingMethod.APPROVAL:
            cells.append(_("Yes") if value else _("No"))
        elif ballot.method is VotingMethod.POINTS:
            cells.append(str(value or 0))
        elif ballot.method is VotingMethod.RANKING:
            cells.append(str(value) if value else _("not ranked"))
        else:
            cells.append(grade_label(ballot, value) if value is not None else _("no grade"))
    return cells
