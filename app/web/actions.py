"""The two shapes a view's action takes, written once (built on app/web/forms.py):

- a button (a form with its CSRF token, or a small form such as a choice of role) that runs one action and sends the
  person back to the page: :func:`button_action`;
- a form that, once valid, runs one action whose refusal goes next to its fields: :func:`form_action`.

::

    button_action(lambda: delete_page(survey, page), success=_("Page deleted."))
    return redirect(url_for(".show_survey", survey_id=survey.id))

    if form_action(form, lambda: save_territory(...), success=_("Territory saved.")):
        return redirect(url_for(".list_territories"))
    return render_template(...)  # the form again, the error next to its field
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.web.forms import EXPIRED_FORM_TEXT, attempt, submitted


def button_action(
    action: Callable[[], Any], *, form: Any = None, otherwise: Any = EXPIRED_FORM_TEXT, **options: Any
) -> bool:
    """Run ``action`` in an :class:`~app.web.forms.attempt` (``options``: its ``success``, ``wording``…) when the
    button's ``form`` came valid with this POST (:func:`~app.web.forms.submitted`, which flashes ``otherwise`` when it
    did not); whether the action went through. A refusal is flashed."""
    if not submitted(form, otherwise=otherwise):
        return False
    with attempt(**options) as done:
        action()
    return bool(done)


def form_action(form: Any, action: Callable[[], Any], **options: Any) -> attempt | None:
    """Run ``action`` in an :class:`~app.web.forms.attempt` on ``form`` when the form came valid with this POST:
    the attempt (true when the action went through; a refusal is on the form), or None when the form was not sent
    or not valid (its errors are on its fields)."""
    if not form.validate_on_submit():
        return None
    with attempt(form, **options) as done:
        action()
    return done
