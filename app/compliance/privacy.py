"""Personal data of an account, gathered for its owner (Quebec's Law 25: right of access).

Features add their own section in their ``register(app)`` with ``data_section("name")(function)``; each takes the
user and returns JSON-serializable data. Secret-ballot contents never belong here: only that the person voted.
"""

from collections.abc import Callable
from typing import Any

from app.core.extensions import db
from app.models import AuditLog, User

DataSection = Callable[[User], Any]
_SECTIONS: dict[str, DataSection] = {}


def data_section(name: str) -> Callable[[DataSection], DataSection]:
    def register(function: DataSection) -> DataSection:
        _SECTIONS[name] = function
        return function

    return register


def _account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role.value,
        "organization": user.organization.name if user.organization else None,
        "language": user.locale,
        "active": user.active,
        "created_at": user.created_at.isoformat(),
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
    }


def _activity(user: User) -> list[dict[str, Any]]:
    """What the audit trail records about the account and what it did."""
    rows = db.session.execute(
        db.select(AuditLog)
        .where(
            db.or_(
                AuditLog.actor_id == user.id,
                db.and_(AuditLog.object_type == "users", AuditLog.object_id == str(user.id)),
            )
        )
        .order_by(AuditLog.id)
    ).scalars()
    return [
        {"at": row.created_at.isoformat(), "action": row.action, "object": f"{row.object_type}:{row.object_id}"}
        for row in rows
    ]


_SECTIONS.update(account=_account, activity=_activity)  # the account's own sections, always there


def export_user_data(user: User) -> dict[str, Any]:
    return {"format": "concerto-personal-data", "version": 1, **{name: f(user) for name, f in _SECTIONS.items()}}
