"""Route-level access declarations. Every view says who may use it; tests walk the URL map to check."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort
from flask_login import current_user

from app.core.extensions import login_manager
from app.models import Role

PUBLIC = "public"


def public(view: Callable) -> Callable:
    """Anyone, signed in or not."""
    view.access = PUBLIC
    return view


def role_required(role: Role) -> Callable[[Callable], Callable]:
    """Signed-in users whose role includes ``role`` (admin ⊃ facilitator ⊃ partner)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(role):
                abort(403)
            return view(*args, **kwargs)

        wrapped.access = role.value
        return wrapped

    return decorator


partner_required = role_required(Role.PARTNER)
facilitator_required = role_required(Role.FACILITATOR)
admin_required = role_required(Role.ADMIN)
