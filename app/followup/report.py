"""What the consultation report shows of the follow-up: each adopted priority's actions with their status, and the
matrix of the commitments (approved ones only: the report is meant to be shared)."""

from __future__ import annotations

from dataclasses import dataclass

from app.followup.actions import actions_of
from app.followup.commitments import Matrix, matrix
from app.models import CollectiveAction, Process


@dataclass
class FollowupReport:
    matrix: Matrix
    actions: list[CollectiveAction]

    def actions_of(self, priority_id: int) -> list[CollectiveAction]:
        return [a for a in self.actions if a.orientation_id == priority_id]


def followup_report(process: Process) -> FollowupReport:
    return FollowupReport(matrix=matrix(process, approved_only=True), actions=actions_of(process.id))
