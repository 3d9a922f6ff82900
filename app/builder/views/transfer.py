"""Facilitators moving questionnaires in and out of Concerto: importing a JSON definition or an XLSForm workbook as
a new draft, and downloading a survey's definition (JSON) or its XLSForm (importing.py, definition.py)."""

import json
from pathlib import PurePath

from flask import Response as FlaskResponse
from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.builder import bp
from app.builder.definition import export_definition
from app.builder.forms import ImportForm
from app.builder.importing import EXTENSIONS, import_file
from app.builder.views.common import process_choices, survey_or_404
from app.core.extensions import db
from app.models import Process
from app.web.urls import int_arg

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # default of the SURVEY_IMPORT_MAX_BYTES setting
MAX_SHOWN_PROBLEMS = 50


@bp.route("/surveys/import", methods=["GET", "POST"])
@facilitator_required
def import_survey():
    form = ImportForm(process_id=int_arg("process"))
    form.process_id.choices = process_choices()
    problems: list[str] = []
    if form.validate_on_submit():
        process = db.session.get(Process, form.process_id.data)
        upload = form.file.data
        filename = PurePath(upload.filename or "").name
        limit = current_app.config.get("SURVEY_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)
        data = upload.stream.read(limit + 1)
        upload.close()
        if process is None:
            form.process_id.errors.append(_("Choose one of the listed processes."))
        elif len(data) > limit:
            form.file.errors.append(_("The file is too large: at most %(kb)d KB.", kb=limit // 1024))
        elif PurePath(filename).suffix.lower() not in EXTENSIONS:
            form.file.errors.append(_("Choose a .json definition or an .xlsx (or .xls) XLSForm workbook."))
        else:
            try:
                imported = import_file(current_user, process, data, filename)
            except ValueError as exc:
                form.file.errors.append(str(exc))
            else:
                problems = imported.problems
                if imported.survey is not None:
                    for warning in imported.warnings[:MAX_SHOWN_PROBLEMS]:
                        flash(warning, "warning")
                    flash(
                        _(
                            "Survey imported as a draft, with %(count)d questions.",
                            count=len(imported.survey.questions),
                        ),
                        "success",
                    )
                    return redirect(url_for(".show_survey", survey_id=imported.survey.id))
            db.session.rollback()  # a refused file, shown again with 200: nothing of it is kept
            if problems:
                form.file.errors.append(_("The file was refused: nothing was imported. See the problems below."))
    return render_template(
        "builder/import.html",
        form=form,
        problems=problems[:MAX_SHOWN_PROBLEMS],
        more=max(0, len(problems) - MAX_SHOWN_PROBLEMS),
    )


def _attachment(body, mimetype: str, filename: str) -> FlaskResponse:
    return FlaskResponse(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/surveys/<int:survey_id>/definition.json")
@facilitator_required
def export_survey(survey_id: int):
    survey = survey_or_404(survey_id)
    body = json.dumps(export_definition(survey), ensure_ascii=False, indent=2) + "\n"
    return _attachment(body, "application/json", f"{survey.slug}.json")


@bp.get("/surveys/<int:survey_id>/definition.xlsx")
@facilitator_required
def export_survey_xlsform(survey_id: int):
    from app.builder.xlsform_export import write_xlsform

    survey = survey_or_404(survey_id)
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return _attachment(write_xlsform(survey), xlsx, f"{survey.slug}.xlsx")
