"""A process's public page: its phases and open questionnaires."""

from flask import render_template

from app.auth.access import public
from app.core.extensions import db
from app.models import Survey, SurveyStatus, utcnow
from app.processes import bp
from app.processes.visibility import get_visible_process_or_404
from app.web.i18n import local_today


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
