"""What the orientation views share."""

from __future__ import annotations

from typing import Any

from flask import abort

from app.core.extensions import db
from app.core.queries import rows_where
from app.models import Orientation, Process, ProcessStatus
from app.models.moderation import PUBLISHED_ORIENTATION_STATES


def published_orientation_or_404(orientation_id: int) -> Orientation:
    orientation = db.get_or_404(Orientation, orientation_id)
    if orientation.state not in PUBLISHED_ORIENTATION_STATES or orientation.process.status is ProcessStatus.DRAFT:
        abort(404)
    return orientation


def published_orientations(process: Process, *order_by: Any) -> list[Orientation]:
    """The published orientations of ``process``, in the order given."""
    return rows_where(
        Orientation,
        Orientation.process_id == process.id,
        Orientation.state.in_(PUBLISHED_ORIENTATION_STATES),
        order_by=order_by,
    )
