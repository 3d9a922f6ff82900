"""Writing the audit trail. Callers flush within their own transaction; nothing here commits."""

from typing import Any

from app.core.extensions import db
from app.models import AuditLog, User


def record(
    actor: User | None, action: str, obj: Any = None, *, object_type: str | None = None, **details: Any
) -> AuditLog:
    """One audit entry about ``obj`` (a model instance), or about ``object_type`` when there is no row to name."""
    entry = AuditLog(
        actor=actor,
        action=action,
        object_type=object_type or getattr(type(obj), "__tablename__", type(obj).__name__),
        object_id=str(obj.id) if getattr(obj, "id", None) is not None else None,
        details=details,
    )
    db.session.add(entry)
    return entry


def record_access(actor: User | None, what: str, obj: Any = None, *, object_type: str | None = None, **details: Any):
    """Staff were shown raw responses or unredacted text (Quebec's Law 25): one entry per page view, ``access.<what>``.

    ``details`` name what was shown (ids), never the text itself. Exports have their own entries. The caller
    commits: for a GET view, right after calling this.
    """
    return record(actor, f"access.{what}", obj, object_type=object_type, **details)
