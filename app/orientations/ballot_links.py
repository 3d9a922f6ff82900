"""Orientations put to the vote: a ready-for-vote orientation becomes an option of a draft ballot of its process;
adopting that option (voting's "adopt winners") marks the orientation adopted, and un-adopting moves it back."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from app.compliance import audit
from app.core.extensions import db
from app.core.queries import rows_where
from app.models import (
    Ballot,
    BallotOption,
    BallotStatus,
    OptionSource,
    Orientation,
    OrientationState,
    User,
)
from app.moderation.decisions import DecisionError
from app.voting.ballots import same_label


def draft_ballots(process_id: int) -> list[Ballot]:
    return rows_where(Ballot, Ballot.process_id == process_id, Ballot.status == BallotStatus.DRAFT, order_by=Ballot.id)


def ballots_of(orientation_id: int) -> list[Ballot]:
    return rows_where(Ballot, Ballot.options.any(BallotOption.orientation_id == orientation_id), order_by=Ballot.id)


def add_to_ballot(orientation: Orientation, ballot: Ballot, actor: User) -> BallotOption:
    if orientation.state is not OrientationState.READY_FOR_VOTE:
        raise DecisionError(_l("Only an orientation ready for the vote can become an option of a ballot."))
    if ballot.process_id != orientation.process_id or ballot.status is not BallotStatus.DRAFT:
        raise DecisionError(_l("Choose a draft ballot of the same process."))
    if any(option.orientation_id == orientation.id for option in ballot.options):
        raise DecisionError(_l("This orientation is already an option of that ballot."))
    taken = same_label(ballot.options, orientation.title_fr, orientation.title_en)
    if taken is not None:
        raise DecisionError(
            _l(
                "An option of this ballot already has this label: “%(label)s”. Rename the orientation or the option "
                "first.",
                label=taken,
            )
        )
    option = BallotOption(
        position=max((o.position for o in ballot.options), default=0) + 1,
        label_fr=orientation.title_fr[:300],
        label_en=orientation.title_en[:300],
        description_fr=orientation.statement_fr,
        description_en=orientation.statement_en,
        source=OptionSource.ORIENTATION,
        orientation_id=orientation.id,
    )
    ballot.options.append(option)
    db.session.flush()
    audit.record(actor, "orientation.add_to_ballot", orientation, ballot=ballot.id, option=option.id)
    return option


def follow_adoption(option: BallotOption, value: Any, old: Any, _initiator: Any) -> None:
    """Adopting an orientation's option adopts the orientation (and un-adopting moves it back to the vote).

    Listens to ``BallotOption.adopted`` (wired by :func:`app.orientations.register`)."""
    if option.orientation_id is None or bool(value) == bool(old):
        return
    with db.session.no_autoflush:
        orientation = db.session.get(Orientation, option.orientation_id)
    if orientation is None:
        return
    if value and orientation.state is OrientationState.READY_FOR_VOTE:
        orientation.state = OrientationState.ADOPTED
    elif not value and orientation.state is OrientationState.ADOPTED:
        orientation.state = OrientationState.READY_FOR_VOTE
