"""The consultation report of a process (facilitators): a printable page, "print to PDF" gives the document."""

from __future__ import annotations

from flask import current_app, render_template
from flask_babel import get_timezone

from app.auth.access import facilitator_required
from app.core.extensions import db
from app.followup.report import followup_report
from app.models import Process
from app.participation import figures
from app.reports import bp
from app.reports.report import build_report
from app.results.filters import all_territories
from app.web.i18n import local_today


@bp.get("/processes/<int:process_id>/report")
@facilitator_required
def show_report(process_id: int):
    process = db.get_or_404(Process, process_id)
    min_count = current_app.config["RESULTS_MIN_COUNT"]
    report = build_report(process, all_territories(), min_count=min_count, zone=get_timezone())
    participation = {
        "totals": figures.totals(process.id),
        "territories": figures.territory_participation(process.id),
        "surveys": figures.survey_participation(process.id),
        "sectors": figures.sector_activity(process.id),
    }
    return render_template(
        "reports/report.html",
        report=report,
        process=process,
        participation=participation,
        min_count=min_count,
        today=local_today(),
        followup=followup_report(process),  # actions' status and the matrix of commitments
    )
