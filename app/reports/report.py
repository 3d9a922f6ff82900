"""What the consultation report of a process contains: every survey's closed-question results (app.results), the
themes of the free text with their counts, the published orientations with their evidence, and the votes with
the priorities adopted (app.voting.results, the same tally as the results page of a ballot)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, tzinfo

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.core.queries import by_first_column
from app.models import (
    Ballot,
    BallotOption,
    BallotStatus,
    ItemState,
    ModerationItem,
    Orientation,
    OrientationEvidence,
    Process,
    Survey,
    SurveyStatus,
    Territory,
    Theme,
    item_themes,
)
from app.models.moderation import PUBLISHED_ORIENTATION_STATES
from app.models.surveys import SURVEY_PAGES_LOADED
from app.results.aggregate import SurveyResults, survey_results
from app.results.filters import ResultFilters
from app.voting.ballots import as_seen
from app.voting.results import BallotResults, compute_results


@dataclass
class ThemeEntry:
    theme: Theme
    items: int  # approved items tagged with the theme


@dataclass
class OrientationEntry:
    orientation: Orientation
    items: int  # approved evidence items
    territories: int  # distinct territories among them


@dataclass
class BallotEntry:
    ballot: Ballot
    results: BallotResults | None  # only once the results are published


@dataclass
class Report:
    process: Process
    surveys: list[SurveyResults] = field(default_factory=list)
    themes: list[ThemeEntry] = field(default_factory=list)
    orientations: list[OrientationEntry] = field(default_factory=list)
    ballots: list[BallotEntry] = field(default_factory=list)
    adopted: list[BallotOption] = field(default_factory=list)


def report_surveys(process: Process) -> list[Survey]:
    """The surveys of the process that have been opened (drafts are left out), with their questions loaded."""
    return list(
        db.session.scalars(
            sa.select(Survey)
            .where(Survey.process_id == process.id, Survey.status != SurveyStatus.DRAFT)
            .order_by(Survey.id)
            .options(
                SURVEY_PAGES_LOADED,
                selectinload(Survey.questions),
            )
        )
    )


def theme_entries(process_id: int) -> list[ThemeEntry]:
    """Active themes with the number of approved items tagged with each, most frequent first."""
    counts = dict(
        db.session.execute(
            sa.select(item_themes.c.theme_id, sa.func.count())
            .join(ModerationItem, ModerationItem.id == item_themes.c.item_id)
            .where(ModerationItem.process_id == process_id, ModerationItem.state == ItemState.APPROVED)
            .group_by(item_themes.c.theme_id)
        ).all()
    )
    themes = db.session.scalars(
        sa.select(Theme).where(Theme.process_id == process_id, Theme.merged_into_id.is_(None))
    ).all()
    entries = [ThemeEntry(theme, counts.get(theme.id, 0)) for theme in themes]
    return sorted(entries, key=lambda e: (-e.items, e.theme.name_fr))


def orientation_entries(process_id: int) -> list[OrientationEntry]:
    orientations = db.session.scalars(
        sa.select(Orientation)
        .where(Orientation.process_id == process_id, Orientation.state.in_(PUBLISHED_ORIENTATION_STATES))
        .order_by(Orientation.id)
    ).all()
    evidence = by_first_column(
        sa.select(
            OrientationEvidence.orientation_id,
            sa.func.count(ModerationItem.id),
            sa.func.count(sa.distinct(ModerationItem.territory_id)),
        )
        .join(ModerationItem, ModerationItem.id == OrientationEvidence.item_id)
        .where(
            OrientationEvidence.orientation_id.in_([o.id for o in orientations]),
            ModerationItem.state == ItemState.APPROVED,
        )
        .group_by(OrientationEvidence.orientation_id)
    )
    # Adopted first, then ready for a vote, then in review.
    order = {state: index for index, state in enumerate(reversed(PUBLISHED_ORIENTATION_STATES))}
    entries = [OrientationEntry(o, *evidence.get(o.id, (0, 0))) for o in orientations]
    return sorted(entries, key=lambda e: (order[e.orientation.state], e.orientation.id))


def ballot_entries(process_id: int) -> list[BallotEntry]:
    ballots = db.session.scalars(
        sa.select(Ballot)
        .where(Ballot.process_id == process_id, Ballot.status != BallotStatus.DRAFT)
        .order_by(Ballot.id)
        .options(selectinload(Ballot.options))
    ).all()
    return [BallotEntry(as_seen(b), compute_results(b) if b.is_published else None) for b in ballots]


def adopted_options(process_id: int) -> list[BallotOption]:
    return list(
        db.session.scalars(
            sa.select(BallotOption)
            .join(Ballot, Ballot.id == BallotOption.ballot_id)
            .where(Ballot.process_id == process_id, BallotOption.adopted.is_(True))
            .order_by(Ballot.id, BallotOption.position, BallotOption.id)
        )
    )


def build_report(
    process: Process, territories: Mapping[int, Territory], *, min_count: int, zone: tzinfo = UTC
) -> Report:
    """The whole report. Survey results count complete responses, unfiltered, with the small-count guard."""
    report = Report(process)
    for survey in report_surveys(process):
        report.surveys.append(survey_results(survey, ResultFilters(), territories, min_count=min_count, zone=zone))
    report.themes = theme_entries(process.id)
    report.orientations = orientation_entries(process.id)
    report.ballots = ballot_entries(process.id)
    report.adopted = adopted_options(process.id)
    return report
