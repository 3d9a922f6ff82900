"""Voters and facilitators reading a ballot's outcome: its results (live while the vote is open, once enough people
have voted) and the list of counted ballots, where a voter checks a receipt code."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, render_template
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import partner_required
from app.core.extensions import db
from app.models import Ballot, Role
from app.voting import ballots as domain
from app.voting import bp, overview
from app.voting.forms import ReceiptForm
from app.voting.results import ballot_plan, cast_cells, compute_results, live_results
from app.voting.tally import GRADE_LABELS
from app.voting.views.common import load_ballot, refused
from app.web.boundary import manages_own_transaction, writes_on_get
from app.web.urls import page_arg

RECEIPTS_PER_PAGE = 100


@bp.get("/ballots/<int:ballot_id>/results")
@partner_required
@writes_on_get(Ballot, "live_snapshot")  # what live results showed (see _with_fresh_snapshot)
def show_results(ballot_id: int):
    ballot = load_ballot(ballot_id)
    if ballot.is_draft:
        abort(404)
    if not domain.results_visible_to(ballot, current_user):
        if not domain.is_eligible(ballot, current_user):
            refused(403, _("The results of this ballot are shown to its voters."))
        refused(403, _("The results of this ballot will be shown once the vote is closed and published."))
    results = live_results(_with_fresh_snapshot(ballot)) if ballot.is_open else compute_results(ballot)
    public = not ballot.secret and current_user.has_role(Role.FACILITATOR)
    return render_template(
        "voting/results.html",
        ballot=ballot,
        results=results,
        show_of_hands=overview.show_of_hands(ballot) if public else None,
        grade_labels=[str(label) for label in GRADE_LABELS[: ballot.grades]],
    )


@manages_own_transaction
def _with_fresh_snapshot(ballot: Ballot) -> Ballot:
    """The ballot, its live snapshot updated when enough voters have voted since the last one, and committed at
    once (the ballot row stays locked no longer). A write of a GET, allowed to :func:`show_results` by its
    ``@writes_on_get``: the live figures shown are stored, so that the next ones move only once 5 more people have
    voted (app/voting/disclosure.py). When the database is busy (SQLite: another writer), the last snapshot is
    shown: it is never wrong, only older."""
    try:
        if domain.refresh_live_snapshot(ballot):
            db.session.commit()
    except sa.exc.OperationalError as error:
        db.session.rollback()
        if not domain.is_transient(error):
            raise
    return ballot


def _receipts_ballot(ballot_id: int) -> Ballot:
    """The ballot whose list of counted ballots is asked for; a 403 page for who is neither a facilitator nor one of
    its voters."""
    ballot = load_ballot(ballot_id)
    if ballot.is_draft:
        abort(404)
    if not current_user.has_role(Role.FACILITATOR) and not domain.is_eligible(ballot, current_user):
        refused(403, _("The list of counted ballots is published to the voters of this ballot."))
    return ballot


def _receipts_page(ballot: Ballot, form: ReceiptForm, checked: Any = None, status: int = 200):
    page = None
    if ballot.is_published or (ballot.is_over and current_user.has_role(Role.FACILITATOR)):
        page = db.paginate(
            overview.counted_ballots(ballot), page=page_arg(), per_page=RECEIPTS_PER_PAGE, error_out=False
        )
    return render_template(
        "voting/receipts.html",
        ballot=ballot,
        page=page,
        form=form,
        checked=checked,
        # The source of each ballot only when neither source is a small group (app.voting.disclosure).
        show_source=page is not None and ballot_plan(ballot).show_source,
        cells=lambda cast: cast_cells(ballot, cast.contents),
    ), status


@bp.get("/ballots/<int:ballot_id>/receipts")
@partner_required
def list_receipts(ballot_id: int):
    return _receipts_page(_receipts_ballot(ballot_id), ReceiptForm())


@bp.post("/ballots/<int:ballot_id>/receipts/check")
@partner_required
def check_receipt(ballot_id: int):
    ballot = _receipts_ballot(ballot_id)
    form = ReceiptForm()
    checked, status = _check(ballot, form)
    return _receipts_page(ballot, form, checked=checked, status=status)


def _check(ballot: Ballot, form: ReceiptForm) -> tuple[dict | None, int]:
    """What the receipt check found (None: the code was refused, its reason on the form), and the status."""
    if not form.validate_on_submit():
        return None, 422
    if not ballot.is_published:
        form.receipt.errors.append(_("Receipts can be checked once the results are published."))
        return None, 409
    code = domain.normalize_receipt(form.receipt.data)
    if code is None:
        form.receipt.errors.append(_("A receipt code has 10 letters and digits, e.g. K7QM-3XDA-9P."))
        return None, 422
    cast = domain.find_receipt(ballot, form.receipt.data)
    replaced = cast is None and domain.replaced_by_colleague(ballot, current_user)
    return {"found": cast is not None, "cast": cast, "code": code, "replaced": replaced}, 200
