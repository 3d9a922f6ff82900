"""A partner's contributions and comments in their personal-data download (app/compliance/privacy.py); registered by
:func:`app.moderation.register`."""

from typing import Any

from app.core.extensions import db
from app.models import User
from app.models.moderation import Comment, Contribution


def contributions(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(db.select(Contribution).filter_by(author_id=user.id).order_by(Contribution.id)).scalars()
    return [
        {
            "title": row.title,
            "description": row.description,
            "why_it_matters": row.why_it_matters,
            "created_at": row.created_at.isoformat(),
        }
        for row in rows
    ]


def comments(user: User) -> list[dict[str, Any]]:
    rows = db.session.execute(db.select(Comment).filter_by(author_id=user.id).order_by(Comment.id)).scalars()
    return [
        {"orientation_id": row.orientation_id, "text": row.text, "created_at": row.created_at.isoformat()}
        for row in rows
    ]
