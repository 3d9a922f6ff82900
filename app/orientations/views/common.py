"""What the orientation views share."""

from __future__ import annotations

from flask import abort

from app.core.extensions import db
from app.models import (
    Orientation,
    ProcessStatus,
)
from app.models.moderation import PUBLISHED_ORIENTATION_STATES


def published_orientation_or_404(orientation_id: int) -> Orientation:
    orientation = db.get_or_404(Orientation, orientation_id)
    if orientation.state not in PUBLISHED_ORIENTATION_STATES or orientation.process.status is ProcessStatus.DRAFT:
        abort(404)
    return orientation
