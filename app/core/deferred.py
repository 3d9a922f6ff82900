"""Work done once the response has been sent: e-mail delivery, and work whose duration must not show in the
response time (a password-reset request for an address that has an account must take as long as for one that has
none).

During a request, :func:`after_response` hands the work to the response's ``close()``, which the server (gunicorn,
werkzeug's development server) calls once the last byte has gone; each task then runs in a fresh application
context (its own database session) as a unit of work of its own: what it writes is committed when it ends, rolled
back if it fails, and a failure is logged, never raised into the server. Outside a request (commands), the work
runs at once, in the command's transaction.
"""

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, g, has_request_context

from app.core.extensions import db

logger = logging.getLogger(__name__)

_G_KEY = "_after_response"
_RUNNING = "_running_after_response"

Task = tuple[Callable[..., Any], tuple, dict]


def after_response(func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    if not has_request_context() or g.get(_RUNNING):
        func(*args, **kwargs)
        return
    tasks = g.get(_G_KEY)
    if tasks is None:
        tasks = []
        setattr(g, _G_KEY, tasks)
    tasks.append((func, args, kwargs))


class _Tasks:
    """Runs its tasks once, each in its own application context."""

    def __init__(self, app: Flask, tasks: list[Task]) -> None:
        self.app = app
        self.tasks = tasks

    def __call__(self) -> None:
        tasks, self.tasks = self.tasks, []
        for func, args, kwargs in tasks:
            with self.app.app_context():
                setattr(g, _RUNNING, True)
                try:
                    func(*args, **kwargs)
                    if db.session().in_transaction():
                        db.session.commit()
                except Exception:
                    db.session.rollback()
                    logger.exception("Work after the response failed: %s", func.__qualname__)


def register(app: Flask) -> None:
    @app.after_request
    def hand_over_to_the_response(response: Response) -> Response:
        tasks = g.pop(_G_KEY, None)
        if tasks:
            response.call_on_close(_Tasks(current_app._get_current_object(), tasks))
        return response

    @app.teardown_request
    def run_what_no_response_took(_error: BaseException | None) -> None:
        # Work registered after the response was made (or when none was): run it now rather than lose it.
        tasks = g.pop(_G_KEY, None)
        if tasks:
            _Tasks(current_app._get_current_object(), tasks)()
