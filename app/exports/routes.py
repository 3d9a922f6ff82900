"""Export views: thin; the work is in export.py. Every download of raw responses is written to the audit log."""

import logging
import os
import tempfile

from flask import Response as FlaskResponse
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.compliance import audit
from app.core.extensions import db
from app.exports import bp
from app.exports.export import (
    FORMATS,
    LANGUAGES,
    MIME_TYPES,
    ExportOptions,
    codebook_csv,
    export_chunks,
    export_filename,
    write_xlsx,
)
from app.exports.forms import ExportForm
from app.models import Response, Survey
from app.respond.paper_source import paper_sources
from app.web.boundary import records_access
from app.web.fields import choices
from app.web.streaming import in_app_context

logger = logging.getLogger(__name__)


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"}


@bp.get("/surveys/<int:survey_id>/exports")
@facilitator_required
def index(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    form = ExportForm(request.args, meta={"csrf": False})
    sources = paper_sources(survey.id)
    if "fmt" in request.args:
        if form.validate():
            return redirect(
                url_for(
                    ".responses",
                    survey_id=survey.id,
                    fmt=form.fmt.data,
                    labels=form.labels.data,
                    lang=form.lang.data,
                    **({"paper_source": form.paper_source.data} if form.paper_source.data in sources else {}),
                )
            )
        status = 400
    else:
        form = ExportForm(meta={"csrf": False}, formdata=None)
        status = 200
    form.paper_source.choices = choices([("", _("Every response")), *((label, label) for label in sources)])
    count = db.session.scalar(db.select(db.func.count(Response.id)).filter_by(survey_id=survey.id))
    return render_template("exports/index.html", survey=survey, form=form, count=count, sources=sources), status


@bp.get("/surveys/<int:survey_id>/export.<fmt>")
@facilitator_required
@records_access  # the audit entry of the download, committed by the request boundary
def responses(survey_id: int, fmt: str):
    survey = db.get_or_404(Survey, survey_id)
    if fmt not in FORMATS:
        abort(404)
    labels = request.args.get("labels", "0")
    lang = request.args.get("lang", "fr")
    if labels not in {"0", "1"} or lang not in LANGUAGES:
        abort(400)
    paper_source = " ".join(request.args.get("paper_source", "").split())[:200] or None
    options = ExportOptions(labels=labels == "1", language=lang, paper_source=paper_source)
    audit.record(
        current_user,
        "export_responses",
        survey,
        format=fmt,
        labels=options.labels,
        language=lang,
        paper_source=paper_source,
    )
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
    # The body is read after this view has returned: in its own app context and database session.
    chunks = in_app_context(export_chunks, survey.id, fmt, options)
    return FlaskResponse(chunks, mimetype=MIME_TYPES[fmt], headers=headers)


@bp.get("/surveys/<int:survey_id>/codebook.csv")
@facilitator_required
def codebook(survey_id: int):
    survey = db.get_or_404(Survey, survey_id)
    return FlaskResponse(
        codebook_csv(survey), mimetype=MIME_TYPES["csv"], headers=_attachment(f"{survey.slug}-codebook.csv")
    )
