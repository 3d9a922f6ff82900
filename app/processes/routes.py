from flask import abort, render_template
from flask_login import current_user

from app.auth.access import public
from app.core.extensions import db
from app.models import Process, Role, Survey, SurveyStatus, utcnow
from app.processes import bp
from app.web.i18n import local_today


def get_visible_process_or_404(slug: str) -> Process:
    """A draft process exists only for facilitators and admins; others get a 404, not a 403."""
    process = db.one_or_404(db.select(Process).filter_by(slug=slug))
    if not process.is_public and not (current_user.is_authenticated and current_user.has_role(Role.FACILITATOR)):
        abort(404)
    return process


@bp.get("/p/<slug>")
@public
def show_process(slug: str):
    process = get_visible_process_or_404(slug)
    today = local_today()
    now = utcnow()
    candidates = db.session.execute(
        db.select(Survey).where(Survey.process_id == process.id, Survey.status == SurveyStatus.OPEN).order_by(Survey.id)
    ).scalars()
    open_surveys = [survey for survey in candidates if survey.is_accepting(now)]
    return render_template(
        "processes/show.html",
        process=process,
        today=today,
        current_phase=process.current_phase(today),
        open_surveys=open_surveys,
    )
