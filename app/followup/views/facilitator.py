"""Facilitators' follow-up pages: the overview of a process's adopted priorities, actions (create, edit with the
version they opened, history), indicators and measurements, the stale actions and their reminders, the matrix of
commitments and its XLSX export. Thin views; the request boundary commits."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.access import facilitator_required
from app.core.extensions import db
from app.core.revisions import compared
from app.followup import actions as action_service
from app.followup import bp, updates
from app.followup import commitments as commitment_service
from app.followup.errors import StaleEdit
from app.followup.forms import ActionForm, IndicatorForm, MeasurementForm
from app.models import (
    CollectiveAction,
    Indicator,
    Organization,
    Orientation,
    OrientationState,
    Process,
    utcnow,
)
from app.web.fields import EmptyForm
from app.web.forms import attempt, submitted
from app.web.i18n import current_language, local_today

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _organizations() -> list[Organization]:
    return list(db.session.scalars(sa.select(Organization).order_by(Organization.name)))


def _action_fields(form: ActionForm) -> dict:
    return {
        "title_fr": form.title_fr.data or "",
        "title_en": form.title_en.data or "",
        "description_fr": form.description_fr.data or "",
        "description_en": form.description_en.data or "",
        "desired_change_fr": form.desired_change_fr.data or "",
        "desired_change_en": form.desired_change_en.data or "",
        "lead_organization_id": form.lead_organization_id.data,
        "status": form.status.data,
        "abandon_reason": form.abandon_reason.data or "",
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
    }


def reminder_days() -> int:
    return int(current_app.config.get("FOLLOWUP_REMINDER_DAYS", 45))


@bp.get("/followup/processes/<int:process_id>")
@facilitator_required
def overview(process_id: int):
    process = db.get_or_404(Process, process_id)
    days = reminder_days()
    return render_template(
        "followup/overview.html",
        process=process,
        priorities=action_service.adopted_priorities(process.id),
        actions=action_service.actions_of(process.id),
        stale=updates.stale_actions(process.id, days, local_today()),
        days=days,
        pending=updates.pending_updates(process.id),
        grid=commitment_service.matrix(process),
        empty_form=EmptyForm(),
    )


@bp.route("/followup/orientations/<int:orientation_id>/actions/new", methods=["GET", "POST"])
@facilitator_required
def new_action(orientation_id: int):
    orientation = db.get_or_404(Orientation, orientation_id)
    if orientation.state is not OrientationState.ADOPTED:
        abort(404)
    form = ActionForm(organizations=_organizations())
    if form.validate_on_submit():
        with attempt(form, success=_("Action created.")) as done:
            action = action_service.create_action(
                orientation, current_user, note=form.note.data or "", **_action_fields(form)
            )
        if done:
            return redirect(url_for(".show_action", action_id=action.id))
    return render_template("followup/action_form.html", form=form, orientation=orientation, action=None), (
        400 if form.errors or request.method == "POST" else 200
    )


@bp.get("/followup/actions/<int:action_id>")
@facilitator_required
def show_action(action_id: int):
    action = db.get_or_404(CollectiveAction, action_id)
    indicator_form = IndicatorForm(formdata=None, version=action.version)
    return _action_page(action, indicator_form)


def _new_measurement_form(indicator: Indicator) -> MeasurementForm:
    return MeasurementForm(formdata=None, prefix=f"i{indicator.id}", measured_on=local_today())


def _action_page(action: CollectiveAction, indicator_form: IndicatorForm, measurement_form=None, status: int = 200):
    """The action's page; ``measurement_form``: {indicator id: the form that was refused}."""
    return (
        render_template(
            "followup/action.html",
            action=action,
            indicator_form=indicator_form,
            measurement_form=measurement_form or {},
            new_measurement_form=_new_measurement_form,
            updates=updates.updates_of(action.id),
            measurements=action_service.public_measurements([i.id for i in action.indicators]),
            all_measurements={i.id: i.measurements for i in action.indicators},
        ),
        status,
    )


@bp.route("/followup/actions/<int:action_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_action(action_id: int):
    action = db.get_or_404(CollectiveAction, action_id)
    form = ActionForm(obj=action, organizations=_organizations())
    if request.method == "GET":
        form.version.data = action.version
        form.status.data = action.status.value
        form.lead_organization_id.data = action.lead_organization_id
        form.note.data = ""
    stale = False
    if form.validate_on_submit():
        with attempt(form) as edit:
            changed = action_service.update_action(
                action, current_user, form.version.data, note=form.note.data or "", **_action_fields(form)
            )
        if edit:
            flash(_("Action saved (new revision).") if changed else _("Nothing changed."), "success")
            return redirect(url_for(".show_action", action_id=action.id))
        if isinstance(edit.error, StaleEdit):
            # What was typed stays in the form; the current version is shown beside it, and saving again now
            # applies the form over it (the person has seen it).
            stale = True
            form.version.data = action.version
    status = 409 if stale else (400 if form.errors or request.method == "POST" else 200)
    return render_template(
        "followup/action_form.html", form=form, orientation=action.orientation, action=action, stale=stale
    ), status


@bp.get("/followup/actions/<int:action_id>/history")
@facilitator_required
def action_history(action_id: int):
    action = db.get_or_404(CollectiveAction, action_id)
    old, new = compared(action.revisions, None, request.args.get("to", type=int))
    changes = action_service.diff(old, new) if old else None
    return render_template(
        "followup/history.html", action=action, revisions=action.revisions, old=old, new=new, changes=changes
    )


@bp.post("/followup/actions/<int:action_id>/indicators")
@facilitator_required
def add_indicator(action_id: int):
    action = db.get_or_404(CollectiveAction, action_id)
    form = IndicatorForm()
    if form.validate_on_submit():
        with attempt(form, success=_("Indicator added.")) as done:
            action_service.add_indicator(
                action,
                current_user,
                form.version.data,
                name_fr=form.name_fr.data,
                name_en=form.name_en.data or "",
                unit=form.unit.data,
                baseline=form.baseline.data,
                target=form.target.data,
            )
        if done:
            return redirect(url_for(".show_action", action_id=action.id))
    form.version.data = action.version
    return _action_page(action, form, status=400)


@bp.post("/followup/indicators/<int:indicator_id>/measurements")
@facilitator_required
def add_measurement(indicator_id: int):
    indicator = db.get_or_404(Indicator, indicator_id)
    form = MeasurementForm(prefix=f"i{indicator.id}")
    if form.validate_on_submit():
        with attempt(form, success=_("Measurement recorded.")) as done:
            action_service.record_measurement(
                indicator, current_user, measured_on=form.measured_on.data, value=form.value.data
            )
        if done:
            return redirect(url_for(".show_action", action_id=indicator.action_id) + f"#indicator-{indicator.id}")
    action = indicator.action
    return _action_page(action, IndicatorForm(formdata=None, version=action.version), {indicator.id: form}, 400)


@bp.post("/followup/processes/<int:process_id>/reminders")
@facilitator_required
def send_reminders(process_id: int):
    process = db.get_or_404(Process, process_id)
    if submitted():
        wanted = {int(v) for v in request.form.getlist("action") if v.isdigit()}
        stale = [s for s in updates.stale_actions(process.id, reminder_days(), local_today()) if s.action.id in wanted]
        if not stale:
            flash(_("Choose at least one action to remind."), "error")
        else:
            done = updates.remind(stale, current_user, utcnow())
            flash(
                ngettext("%(num)d reminder e-mail queued.", "%(num)d reminder e-mails queued.", done.messages),
                "success",
            )
            if done.skipped_recent:
                flash(
                    ngettext(
                        "%(num)d action was already reminded in the last 24 hours.",
                        "%(num)d actions were already reminded in the last 24 hours.",
                        done.skipped_recent,
                    ),
                    "info",
                )
            if done.without_lead:
                flash(
                    ngettext(
                        "%(num)d action has no lead organization with an account to write to.",
                        "%(num)d actions have no lead organization with an account to write to.",
                        done.without_lead,
                    ),
                    "info",
                )
    return redirect(url_for(".overview", process_id=process.id) + "#stale")


@bp.get("/followup/processes/<int:process_id>/matrix")
@facilitator_required
def show_matrix(process_id: int):
    process = db.get_or_404(Process, process_id)
    return render_template("followup/matrix.html", process=process, grid=commitment_service.matrix(process))


@bp.get("/followup/processes/<int:process_id>/matrix.xlsx")
@facilitator_required
def export_matrix(process_id: int):
    process = db.get_or_404(Process, process_id)
    body = commitment_service.matrix_xlsx(commitment_service.matrix(process), current_language())
    return Response(
        body,
        mimetype=XLSX_MIME,
        headers={
            "Content-Disposition": f'attachment; filename="{process.slug}-engagements.xlsx"',
            "Cache-Control": "no-store",
        },
    )
