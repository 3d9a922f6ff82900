"""The public chain of each adopted priority, in one place: what people said (themes and evidence counts by source),
the orientation, the vote result, the actions with their status and indicators, the organizations committed.

Only what is public: approved items (counted, never their authors), published ballots, approved progress updates
and commitments (their redacted, approved text), measurements entered by facilitators or approved with an update.
Nothing here reads a person's name, e-mail or an unapproved text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.core.labels import label
from app.followup.actions import adopted_priorities, public_measurements
from app.followup.commitments import public_commitments
from app.followup.quantities import format_quantity
from app.followup.updates import updates_of
from app.models import (
    Ballot,
    BallotOption,
    CollectiveAction,
    Commitment,
    Indicator,
    ItemSource,
    ItemState,
    Measurement,
    ModerationItem,
    Orientation,
    OrientationEvidence,
    Process,
    ProgressUpdate,
    Theme,
    item_themes,
)
from app.results.charts import Bar, bar_chart
from app.web.i18n import localized

SURVEY_SOURCES = {ItemSource.ANSWER, ItemSource.OTHER_ANSWER}
PARTNER_SOURCES = {ItemSource.CONTRIBUTION, ItemSource.COMMENT}


@dataclass
class SourceCount:
    name: str
    count: int


@dataclass
class VoteResult:
    ballot: Ballot
    place: int | None
    counted: int
    options: int


@dataclass
class IndicatorView:
    indicator: Indicator
    measurements: list[Measurement]
    chart: Markup
    rows: list[tuple[str, str]]  # (what, value) for the table beside the chart


@dataclass
class ActionView:
    action: CollectiveAction
    indicators: list[IndicatorView]
    updates: list[ProgressUpdate]


@dataclass
class PriorityChain:
    orientation: Orientation
    evidence_total: int = 0
    sources: list[SourceCount] = field(default_factory=list)
    themes: list[tuple[Theme, int]] = field(default_factory=list)
    vote: VoteResult | None = None
    actions: list[ActionView] = field(default_factory=list)
    commitments: list[Commitment] = field(default_factory=list)

    @property
    def organizations(self) -> list[str]:
        return sorted({c.organization.name for c in self.commitments}, key=str.lower)


def source_counts(orientation_id: int) -> list[SourceCount]:
    """Approved evidence items by where they came from: surveys, partner contributions, then any other source."""
    counts = Counter(
        dict(
            db.session.execute(
                sa.select(ModerationItem.source, sa.func.count())
                .join(OrientationEvidence, OrientationEvidence.item_id == ModerationItem.id)
                .where(OrientationEvidence.orientation_id == orientation_id, ModerationItem.state == ItemState.APPROVED)
                .group_by(ModerationItem.source)
            ).all()
        )
    )
    result = []
    surveys = sum(counts.pop(s, 0) for s in SURVEY_SOURCES)
    partners = sum(counts.pop(s, 0) for s in PARTNER_SOURCES)
    if surveys:
        result.append(SourceCount(_("Surveys"), surveys))
    if partners:
        result.append(SourceCount(_("Partner contributions"), partners))
    for source, count in sorted(counts.items(), key=lambda pair: str(pair[0])):
        if count:
            result.append(SourceCount(label("item_source", source), count))
    return result


def evidence_themes(orientation_id: int) -> list[tuple[Theme, int]]:
    rows = db.session.execute(
        sa.select(Theme, sa.func.count(ModerationItem.id))
        .join(item_themes, item_themes.c.theme_id == Theme.id)
        .join(ModerationItem, ModerationItem.id == item_themes.c.item_id)
        .join(OrientationEvidence, OrientationEvidence.item_id == ModerationItem.id)
        .where(
            OrientationEvidence.orientation_id == orientation_id,
            ModerationItem.state == ItemState.APPROVED,
            Theme.merged_into_id.is_(None),
        )
        .group_by(Theme.id)
        .order_by(sa.func.count(ModerationItem.id).desc(), Theme.name_fr)
    ).all()
    return [(theme, count) for theme, count in rows]


def vote_result(orientation_id: int) -> VoteResult | None:
    """The published vote that adopted the orientation: its place and the ballots counted (the results page's
    tally)."""
    from app.voting.ballots import as_seen
    from app.voting.results import compute_results

    option = db.session.scalar(
        sa.select(BallotOption)
        .join(Ballot, Ballot.id == BallotOption.ballot_id)
        .where(BallotOption.orientation_id == orientation_id, BallotOption.adopted.is_(True))
        .order_by(Ballot.id.desc())
        .limit(1)
    )
    if option is None:
        return None
    ballot = as_seen(option.ballot)
    if not ballot.is_published:
        return None
    results = compute_results(ballot)
    return VoteResult(
        ballot=ballot,
        place=results.places.get(option.key),
        counted=results.counted,
        options=len(results.options),
    )


def indicator_view(indicator: Indicator, measurements: list[Measurement]) -> IndicatorView:
    """The chart of an indicator (baseline, each public measurement, target) and the same values as table rows."""
    rows: list[tuple[str, str, float]] = []
    if indicator.baseline is not None:
        rows.append((_("Baseline"), format_quantity(indicator.baseline, indicator.unit), float(indicator.baseline)))
    for measurement in measurements:
        rows.append(
            (
                measurement.measured_on.isoformat(),
                format_quantity(measurement.value, indicator.unit),
                float(measurement.value),
            )
        )
    if indicator.target is not None:
        rows.append((_("Target"), format_quantity(indicator.target, indicator.unit), float(indicator.target)))
    name = localized(indicator, "name")
    chart = bar_chart(
        f"indicator-{indicator.id}",
        _("%(name)s, in %(unit)s", name=name, unit=indicator.unit),
        [Bar(what, value, text) for what, text, value in rows],
    )
    return IndicatorView(indicator, measurements, chart, [(what, text) for what, text, _value in rows])


def chains(process: Process) -> list[PriorityChain]:
    """One chain per adopted priority of the process."""
    priorities = adopted_priorities(process.id)
    actions = list(
        db.session.scalars(
            sa.select(CollectiveAction)
            .where(CollectiveAction.process_id == process.id)
            .order_by(CollectiveAction.starts_on.is_(None), CollectiveAction.starts_on, CollectiveAction.id)
            .options(selectinload(CollectiveAction.indicators), selectinload(CollectiveAction.lead_organization))
        )
    )
    indicator_ids = [indicator.id for action in actions for indicator in action.indicators]
    measurements = public_measurements(indicator_ids)
    commitments = public_commitments(process.id)
    published: dict[int, list[ProgressUpdate]] = {}
    for update in updates_of([action.id for action in actions], published_only=True):
        published.setdefault(update.action_id, []).append(update)
    result = []
    for orientation in priorities:
        sources = source_counts(orientation.id)
        chain = PriorityChain(
            orientation=orientation,
            sources=sources,
            evidence_total=sum(s.count for s in sources),
            themes=evidence_themes(orientation.id),
            vote=vote_result(orientation.id),
            commitments=[c for c in commitments if c.orientation_id == orientation.id],
        )
        for action in actions:
            if action.orientation_id != orientation.id:
                continue
            chain.actions.append(
                ActionView(
                    action=action,
                    indicators=[indicator_view(i, measurements.get(i.id, [])) for i in action.indicators],
                    updates=published.get(action.id, []),
                )
            )
        result.append(chain)
    return result
