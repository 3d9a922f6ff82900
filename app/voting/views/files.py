"""Facilitators' files of a ballot: the CSV exports of its ballots and results once the vote is closed, and the
import of paper ballots (a CSV) while it is open or closed (paper_ballots.py, export.py)."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.auth.access import facilitator_required
from app.models import Ballot, BallotStatus
from app.voting import ballots as domain
from app.voting import bp
from app.voting.export import ballots_csv, results_csv, tally_method_name
from app.voting.forms import PaperImportForm
from app.voting.paper_ballots import PaperImportRejected, import_paper_ballots
from app.voting.results import compute_results
from app.voting.views.common import load_ballot, megabytes, refused
from app.web.forms import attempt
from app.web.i18n import current_language
from app.web.streaming import in_app_context

PAPER_MAX_BYTES = 2 * 1024 * 1024
IMPORTABLE = (BallotStatus.OPEN, BallotStatus.CLOSED)  # not a draft, not once the results are published


def _csv_response(rows, filename: str) -> Response:
    return Response(
        rows,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _closed_ballot(ballot_id: int, refusal: str):
    """The ballot of an export, once its vote is closed; ``refusal`` (409) before."""
    ballot = load_ballot(ballot_id)
    if not ballot.is_over:
        refused(409, refusal)
    return ballot


@bp.get("/manage/ballots/<int:ballot_id>/export/ballots.csv")
@facilitator_required
def export_ballots(ballot_id: int):
    ballot = _closed_ballot(ballot_id, _("The ballots can be exported once the vote is closed."))
    # The rows are read after this view has returned: in their own app context and database session.
    rows = in_app_context(ballots_csv, ballot.id, current_language())
    return _csv_response(rows, f"ballot-{ballot.id}-ballots.csv")


@bp.get("/manage/ballots/<int:ballot_id>/export/results.csv")
@facilitator_required
def export_results(ballot_id: int):
    ballot = _closed_ballot(ballot_id, _("The results can be exported once the vote is closed."))
    return _csv_response(list(results_csv(compute_results(ballot))), f"ballot-{ballot.id}-results.csv")


def _paper_page(ballot: Ballot, form: PaperImportForm, status: int = 200, rejected: PaperImportRejected | None = None):
    return render_template(
        "voting/paper_import.html",
        ballot=ballot,
        form=form,
        file_errors=rejected.errors if rejected else None,
        more=rejected.more if rejected else False,
        allowed=ballot.status in IMPORTABLE,
        tally_method=tally_method_name(ballot),
        max_mb=megabytes(PAPER_MAX_BYTES),
    ), status


@bp.route("/manage/ballots/<int:ballot_id>/paper", methods=["GET", "POST"])
@facilitator_required
def import_paper(ballot_id: int):
    ballot = load_ballot(ballot_id)
    form = PaperImportForm()
    if request.method != "POST":
        return _paper_page(ballot, form)
    if ballot.status not in IMPORTABLE:
        flash(
            _("Paper ballots can be imported while the vote is open or closed, before the results are published."),
            "error",
        )
        return _paper_page(ballot, form, 409)
    if not form.validate_on_submit():
        return _paper_page(ballot, form, 422)
    upload = form.file.data
    data = upload.read(PAPER_MAX_BYTES + 1)
    if len(data) > PAPER_MAX_BYTES:
        form.file.errors.append(_("The file is larger than %(size)s MB.", size=megabytes(PAPER_MAX_BYTES)))
        return _paper_page(ballot, form, 413)
    # The same file imported at the same moment by someone else: the unique constraint says so.
    twice = domain.VotingError(_("This very file was already imported into this ballot."))
    with attempt(conflict=twice, quiet=True) as done:
        result = import_paper_ballots(current_user, ballot, data, upload.filename or "", encoding=form.encoding.data)
    if done:
        flash(
            ngettext(
                "%(num)d paper ballot imported; it is counted with the online ones.",
                "%(num)d paper ballots imported; they are counted with the online ones.",
                result.imported,
            ),
            "success",
        )
        return redirect(url_for(".manage_ballot", ballot_id=ballot.id))
    domain.as_seen(ballot)  # the close of a ballot past its time was rolled back with the import
    if isinstance(done.error, PaperImportRejected):
        return _paper_page(ballot, form, 422, done.error)
    form.file.errors.append(str(done.error.message))
    return _paper_page(ballot, form, 409)
