"""Each lifecycle allows exactly the moves of its diagram (the tables the models held before the states carried
their moves), and an illegal move is refused with IllegalTransition."""

import pytest

from app.models import (
    ActionStatus,
    BallotStatus,
    IllegalTransition,
    ItemState,
    OrientationState,
    ProcessStatus,
    SurveyStatus,
)
from app.models.moderation import ORIENTATION_TRANSITIONS

EXPECTED = {
    ProcessStatus: {"draft": {"active"}, "active": {"completed", "draft"}, "completed": {"archived", "active"},
                    "archived": {"completed"}},
    SurveyStatus: {"draft": {"open"}, "open": {"closed"}, "closed": {"open", "archived"}, "archived": {"closed"}},
    ItemState: {"pending": {"approved", "rejected", "needs_redaction"}, "approved": {"pending"},
                "rejected": {"pending"}, "needs_redaction": {"approved", "rejected", "pending"}},
    OrientationState: {"draft": {"in_review", "set_aside"}, "in_review": {"draft", "ready_for_vote", "set_aside"},
                       "ready_for_vote": {"in_review", "adopted", "set_aside"}, "adopted": {"ready_for_vote"},
                       "set_aside": {"draft"}},
    BallotStatus: {"draft": {"open"}, "open": {"closed"}, "closed": {"published"}, "published": set()},
    ActionStatus: {"planned": {"in_progress", "abandoned"}, "in_progress": {"done", "abandoned", "planned"},
                   "done": {"in_progress"}, "abandoned": {"planned", "in_progress"}},
}  # fmt: skip


@pytest.mark.parametrize("lifecycle", list(EXPECTED), ids=lambda cls: cls.__name__)
def test_each_state_allows_exactly_its_moves(lifecycle):
    moves = {state.value: {target.value for target in targets} for state, targets in lifecycle.transitions().items()}
    assert moves == EXPECTED[lifecycle]
    assert [state.value for state in lifecycle] == list(EXPECTED[lifecycle])  # stored values, in their order


def test_an_illegal_move_is_refused_with_both_states():
    with pytest.raises(IllegalTransition) as refused:
        BallotStatus.CLOSED.check_move(BallotStatus.OPEN)
    assert (refused.value.current, refused.value.target) == (BallotStatus.CLOSED, BallotStatus.OPEN)
    assert str(refused.value) == "cannot move from closed to open"
    BallotStatus.OPEN.check_move(BallotStatus.CLOSED)  # a legal move passes


def test_the_orientation_table_the_facilitators_page_reads_is_the_states_own():
    assert OrientationState.transitions() == ORIENTATION_TRANSITIONS
    assert OrientationState.ADOPTED in ORIENTATION_TRANSITIONS[OrientationState.READY_FOR_VOTE]
