"""A partner's commitments and progress updates in their personal-data download (app/privacy.py); registered by
:func:`app.followup.register`."""

from typing import Any

from app.core.extensions import db
from app.models import Commitment, ProgressUpdate, User


def commitments(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(db.select(Commitment).filter_by(author_id=user.id).order_by(Commitment.id)).scalars()
    return [
        {
            "organization": row.organization.name,
            "priority_id": row.orientation_id,
            "action_id": row.action_id,
            "kind": row.kind.value,
            "text": row.text,
            "amount": str(row.amount) if row.amount is not None else None,
            "hours": row.hours,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def progress_updates(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(
        db.select(ProgressUpdate).filter_by(author_id=user.id).order_by(ProgressUpdate.id)
    ).scalars()
    return [
        {
            "action_id": row.action_id,
            "date": row.posted_on.isoformat(),
            "text": row.text,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]
