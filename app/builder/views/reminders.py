"""Facilitators reminding invitees, from the distribution page (the work is in app/builder/reminders.py): a
confirmation page that shows how many invitees will be reminded and who was reminded when, and the POST that sends."""

from flask import flash, redirect, render_template, url_for
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, SubmitField

from app.auth.access import facilitator_required
from app.builder import bp
from app.builder.reminders import reminded_invitations, send_reminders, summary
from app.core.extensions import db
from app.models import Survey
from app.web.forms import attempt


class ReminderForm(FlaskForm):
    expected = HiddenField()
    submit = SubmitField()


def _page(survey: Survey, form: ReminderForm, error=None, status: int = 200):
    state = summary(survey)
    form.expected.data = str(state.pending)
    return render_template(
        "builder/reminders.html",
        survey=survey,
        form=form,
        state=state,
        error=error,
        reminded=reminded_invitations(survey) if state.possible else [],
    ), status


@bp.get("/surveys/<int:survey_id>/reminders")
@facilitator_required
def confirm_reminders(survey_id: int):
    return _page(db.get_or_404(Survey, survey_id), ReminderForm())


@bp.post("/surveys/<int:survey_id>/reminders")
@facilitator_required
def send_survey_reminders(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = ReminderForm()
    if not form.validate_on_submit():
        return _page(survey, form, status=400)
    expected = int(form.expected.data) if (form.expected.data or "").isdigit() else -1
    with attempt(quiet=True) as done:
        sent = send_reminders(current_user, survey, expected)
    if not done:
        return _page(survey, ReminderForm(formdata=None), error=done.error.message, status=409)
    flash(ngettext("%(num)d reminder sent.", "%(num)d reminders sent.", sent), "success")
    return redirect(url_for(".distribute", survey_id=survey.id))
