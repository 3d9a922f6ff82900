"""A refused action, as the person reads it: next to the form field it concerns, or at the top of the page.

Views run one action in an :func:`attempt` block (FlaskBB's ``populate_errors`` pattern, with the request
boundary's transaction, app/web/boundary.py)::

    with attempt(form, success=_("Organization saved.")) as done:
        save_organization(current_user, organization, ...)
    if done:
        return redirect(url_for(".list_organizations"))
    return render_template(...)  # the form again, the error next to its field

and a button (a form with its CSRF token only) the same way, after :func:`submitted`, or in one call with
:func:`button`::

    if submitted():
        with attempt(success=_("Page deleted.")):
            delete_page(survey, page)
    return redirect(url_for(".show_survey", survey_id=survey.id))

    button(lambda: delete_page(survey, page), success=_("Page deleted."))
    return redirect(url_for(".show_survey", survey_id=survey.id))

and a form whose one action, once the form is valid, either goes through or puts its refusal on the form, with
:func:`form_action`::

    if form_action(form, lambda: save_territory(...), success=_("Territory saved.")):
        return redirect(url_for(".list_territories"))
    return render_template(...)

:func:`action_routes` registers the buttons that each move one object to another status, one route per status.

A :class:`~app.core.errors.DomainError` raised in the block rolls the transaction back at once (nothing of the
refused action is kept, and the page shown again reads what is stored), goes onto the form (or is flashed) and
ends the block; ``done`` is then false. Otherwise the block's writes are flushed, so that a database constraint
refuses them here rather than at the commit, and ``success`` is flashed; the request boundary commits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, flash
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.extensions import db
from app.web.fields import EmptyForm

MAX_FLASHED = 10  # a refusal with many reasons and no form to hold them: the first ten
EXPIRED_FORM_TEXT = _l("Your form expired. Please try again.")


def submitted(form: Any = None, *, otherwise: Any = EXPIRED_FORM_TEXT) -> bool:
    """Whether ``form`` (a button's :class:`~app.web.fields.EmptyForm` by default) came valid with this POST; if not,
    ``otherwise`` is flashed as an error, and the view sends the person back to the page."""
    if (form if form is not None else EmptyForm()).validate_on_submit():
        return True
    flash(str(otherwise), "error")
    return False


def button(action: Callable[[], Any], *, form: Any = None, otherwise: Any = EXPIRED_FORM_TEXT, **options: Any) -> bool:
    """A button's POST: once ``form`` came valid (:func:`submitted`), ``action()`` run in an :class:`attempt` (given
    ``options``: ``success``, ``heading``, ``wording``...); whether it went through."""
    if not submitted(form, otherwise=otherwise):
        return False
    with attempt(**options) as done:
        action()
    return bool(done)


def form_action(form: Any, action: Callable[[], Any], **options: Any) -> attempt | None:
    """A form's POST: once ``form`` came valid with it, ``action()`` run in an :class:`attempt` on the form (given
    ``options``: ``success``...); the attempt (true when the action went through, its refusal on the form), or None
    when the form was not sent or not valid (its errors on its fields)."""
    if not form.validate_on_submit():
        return None
    with attempt(form, **options) as done:
        action()
    return done


def action_routes(
    bp: Blueprint, rule: str, access: Callable, run: Callable, actions: Mapping[str, tuple[str, Any, Any]]
) -> None:
    """The buttons that each move one object to another status: one POST route on ``bp`` per entry
    ``endpoint: (path, operation, success)`` of ``actions``, at ``rule.format(path)``, behind the ``access``
    decorator, served by ``run(operation, success, **url_arguments)``."""
    for endpoint, (path, operation, success) in actions.items():
        view = access(_action_view(endpoint, run, operation, success))
        bp.add_url_rule(rule.format(path), endpoint, view, methods=["POST"])


def _action_view(endpoint: str, run: Callable, operation: Any, success: Any) -> Callable:
    def view(**arguments: Any) -> Any:
        return run(operation, success, **arguments)

    view.__name__ = view.__qualname__ = endpoint
    return view


def populate_errors(form: Any, error: DomainError) -> None:
    """Each reason of ``error`` next to the field of ``form`` it names, or flashed as an error when the form has no
    such field (or there is no form: then at most MAX_FLASHED of them)."""
    reasons = error.reasons()
    if form is None:
        reasons = reasons[:MAX_FLASHED]
    for name, message in reasons:
        field = getattr(form, name, None) if form is not None and name else None
        if field is not None:
            field.errors = [*field.errors, message]
        else:
            flash(str(message), "error")


class attempt:
    """Run one action of a view; see the module docstring.

    ``success``: flashed when the action went through. ``heading``: flashed before the reasons of a refusal.
    ``wording``: words to show instead of the message of some error types (``{IllegalTransition: _("...")}``).
    ``conflict``: the error to show when the database refuses the writes with a unique or foreign key constraint
    (two people saving the same thing at the same moment); without it, that is a 500. ``quiet``: the view shows
    the error itself (``.error``), where its page has room for it.
    """

    def __init__(
        self,
        form: Any = None,
        *,
        success: Any = None,
        heading: Any = None,
        wording: Mapping[type[DomainError], Any] | None = None,
        conflict: DomainError | None = None,
        quiet: bool = False,
    ) -> None:
        self.form = form
        self.success = success
        self.heading = heading
        self.wording = wording or {}
        self.conflict = conflict
        self.quiet = quiet
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        """Whether the action went through."""
        return self.error is None

    def __enter__(self) -> attempt:
        return self

    def __exit__(self, _type: type[BaseException] | None, error: BaseException | None, _tb: TracebackType | None):
        if error is None:
            try:
                db.session.flush()
            except sa.exc.IntegrityError as refused:
                if self.conflict is None:
                    raise
                error = refused
        if isinstance(error, sa.exc.IntegrityError) and self.conflict is not None:
            error = self.conflict
        if not isinstance(error, DomainError):
            if error is None and self.success is not None:
                flash(str(self.success), "success")
            return False  # nothing to do, or not a refusal: the exception goes on (a 500)
        db.session.rollback()
        self.error = error
        if self.heading is not None:
            flash(str(self.heading), "error")
        shown = next((DomainError(words) for cls, words in self.wording.items() if isinstance(error, cls)), error)
        if not self.quiet:
            populate_errors(self.form, shown)
        return True
