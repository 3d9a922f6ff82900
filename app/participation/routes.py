"""The participation dashboard: thin views over figures.py."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.compliance import audit
from app.core.extensions import db
from app.models import ParticipationTarget, Process, Territory
from app.participation import bp, figures
from app.participation.forms import targets_form_class


def _territories(process: Process) -> list[Territory]:
    """The process's territories, plus any territory that already has a target in it."""
    targeted = db.session.scalars(
        db.select(Territory)
        .join(ParticipationTarget, ParticipationTarget.territory_id == Territory.id)
        .where(ParticipationTarget.process_id == process.id)
    ).all()
    found = {t.id: t for t in [*process.territories, *targeted]}
    return sorted(found.values(), key=lambda t: t.name)


def _dashboard(process: Process, form, status: int = 200):
    tz = current_app.config.get("BABEL_DEFAULT_TIMEZONE", figures.DEFAULT_TIMEZONE)
    return render_template(
        "participation/dashboard.html",
        process=process,
        form=form,
        territory_fields=[form[f"target_{t.id}"] for t in _territories(process)],
        days=figures.daily_responses(process.id, tz),
        surveys=figures.survey_participation(process.id),
        territories=figures.territory_participation(process.id),
        totals=figures.totals(process.id),
        sectors=figures.sector_activity(process.id),
    ), status


@bp.get("/processes/<int:process_id>/participation")
@facilitator_required
def dashboard(process_id: int):
    process = db.get_or_404(Process, process_id)
    territories = _territories(process)
    current = dict(
        db.session.execute(
            db.select(ParticipationTarget.territory_id, ParticipationTarget.target).filter_by(process_id=process.id)
        ).all()
    )
    form = targets_form_class(territories)(data={f"target_{t.id}": current.get(t.id) for t in territories})
    return _dashboard(process, form)


@bp.post("/processes/<int:process_id>/participation/targets")
@facilitator_required
def save_targets(process_id: int):
    process = db.get_or_404(Process, process_id)
    territories = _territories(process)
    form = targets_form_class(territories)()
    if not form.validate_on_submit():
        return _dashboard(process, form, 400)
    values = {t.id: form[f"target_{t.id}"].data for t in territories}
    changed = figures.save_targets(process.id, values)
    audit.record(current_user, "set_participation_targets", process, changed=changed)
    flash(_("Participation targets saved."), "success")
    return redirect(url_for(".dashboard", process_id=process.id))
