"""Export views: thin; the work is in export.py. Every download of raw responses is written to the audit log."""

import logging
import os
import tempfile
from collections.abc import Iterator

from flask import Response as FlaskResponse
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app import audit
from app.auth.access import facilitator_required
from app.exports import bp
from app.exports.export import (
    FORMATS,
    LANGUAGES,
    MIME_TYPES,
    ExportOptions,
    Layout,
    codebook_csv,
    csv_body,
    export_filename,
    json_body,
    load_survey,
    write_xlsx,
)
from app.exports.forms import ExportForm
from app.extensions import db
from app.models import Response, Survey

logger = logging.getLogger(__name__)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@bp.get("/surveys/<int:survey_id>/exports")
@facilitator_required
def index(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = ExportForm(request.args, meta={"csrf": False})
    if "fmt" in request.args:
        if form.validate():
            return redirect(
                url_for(
                    ".responses",
                    survey_id=survey.id,
                    fmt=form.fmt.data,
                    labels=form.labels.data,
                    lang=form.lang.data,
                )
            )
        status = 400
    else:
        form = ExportForm(meta={"csrf": False}, formdata=None)
        status = 200
    count = db.session.scalar(db.select(db.func.count(Response.id)).filter_by(survey_id=survey.id))
    return render_template("exports/index.html", survey=survey, form=form, count=count), status


@bp.get("/surveys/<int:survey_id>/export.<fmt>")
@facilitator_required
def responses(survey_id: int, fmt: str):
    survey = db.get_or_404(Survey, survey_id)
    if fmt not in FORMATS:
        abort(404)
    labels = request.args.get("labels", "0")
    lang = request.args.get("lang", "fr")
    if labels not in {"0", "1"} or lang not in LANGUAGES:
        abort(400)
    options = ExportOptions(labels=labels == "1", language=lang)
    audit.record(current_user, "export_responses", survey, format=fmt, labels=options.labels, language=lang)
    db.session.commit()
    logger.info("Responses of survey %s exported as %s by user %s", survey.id, fmt, current_user.id)
    headers = _attachment(export_filename(survey, fmt))
    if fmt == "xlsx":
        # A zip needs a file: XlsxWriter writes it in constant memory, then the file is streamed and removed.
        handle = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
        write_xlsx(survey.id, options, handle)
        handle.seek(0)
        size = os.fstat(handle.fileno()).st_size
        sent = send_file(
            handle, mimetype=MIME_TYPES["xlsx"], as_attachment=True, download_name=export_filename(survey, fmt)
        )
        sent.headers["Cache-Control"] = "no-store"
        sent.headers["Content-Length"] = str(size)
        return sent
    return FlaskResponse(_stream(survey.id, fmt, options), mimetype=MIME_TYPES[fmt], headers=headers)


def _stream(survey_id: int, fmt: str, options: ExportOptions) -> Iterator[str]:
    """The body is produced after the view has returned and the request's context (and session) has ended: the
    layout is prepared here, and the generator keeps the request's Session object, which opens a new connection
    for the rows (from the second chunk on) and is closed at the end."""
    session = db.session()
    layout = Layout(load_survey(survey_id, session), options, session)
    chunks = csv_body(layout, session=session) if fmt == "csv" else json_body(layout, session=session)

    def body() -> Iterator[str]:
        try:
            yield from chunks
        finally:
            session.close()

    return body()


@bp.get("/surveys/<int:survey_id>/codebook.csv")
@facilitator_required
def codebook(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    return FlaskResponse(
        codebook_csv(survey), mimetype=MIME_TYPES["csv"], headers=_attachment(f"{survey.slug}-codebook.csv")
    )
