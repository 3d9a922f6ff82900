"""What the builder's views (facilitators) share: finding a survey and its pages or questions in the URL, the
buttons of a survey's page, the survey's public link, and the choices of processes.

Links to the respondent side are plain paths: the public link ``/s/<slug>``, the preview ``/s/<slug>?preview=1``
and the paper data entry ``/surveys/<id>/paper``."""

from collections.abc import Callable
from typing import Any

from flask import abort, redirect, url_for
from flask_babel import lazy_gettext as _l

from app.builder import queries
from app.builder.forms import MoveForm
from app.core.extensions import db
from app.models import Question, Survey, SurveyPage
from app.web.fields import choices
from app.web.forms import button
from app.web.i18n import localized
from app.web.urls import external_url

MOVE_TEXT = _l("Choose to move up or down.")


def survey_or_404(survey_id: int) -> Survey:
    return db.get_or_404(Survey, survey_id)


def page_or_404(survey_id: int, page_id: int) -> tuple[Survey, SurveyPage]:
    """The survey and one of its pages (404 when the page belongs to another survey)."""
    return _part_or_404(SurveyPage, survey_id, page_id)


def question_or_404(survey_id: int, question_id: int) -> tuple[Survey, Question]:
    """The survey and one of its questions (404 when the question belongs to another survey)."""
    return _part_or_404(Question, survey_id, question_id)


def _part_or_404(model: type, survey_id: int, part_id: int) -> tuple[Survey, Any]:
    survey = survey_or_404(survey_id)
    part = db.get_or_404(model, part_id)
    if part.survey_id != survey.id:
        abort(404)
    return survey, part


def survey_button(survey_id: int, action: Callable[[], Any], anchor: str | None = None, **options: Any):
    """A button of the survey's page (delete, change the status...): ``action()`` once its form came valid (with
    :func:`~app.web.forms.attempt`'s ``options``), then back to the page, at ``anchor``."""
    button(action, **options)
    return redirect(url_for(".show_survey", survey_id=survey_id, _anchor=anchor))


def move_button(move: Callable[[str], Any], success: Any, anchor: str, endpoint: str = ".show_survey", **values: Any):
    """A move button (up or down): ``move(direction)`` once its form came valid, then back to the page (the
    survey's, or ``endpoint`` with ``values``) at ``anchor``."""
    form = MoveForm()
    button(lambda: move(form.direction.data), form=form, otherwise=MOVE_TEXT, success=success)
    return redirect(url_for(endpoint, _anchor=anchor, **values))


def public_path(survey: Survey) -> str:
    return f"/s/{survey.slug}"


def public_url(survey: Survey) -> str:
    return external_url("respond.show_survey", slug=survey.slug)


def process_choices() -> list:
    return choices((p.id, localized(p, "title")) for p in queries.processes())
