"""Voters (partners): the ballots they may vote in, a ballot's page and casting a vote.

A vote manages its own transactions (:func:`cast_vote`, app/voting/casting.py). The receipt code shown after a vote
is derived from a token that travels in the voter's own session cookie only (the cookie is signed, not encrypted:
it must not hold the code itself); nothing here logs who voted what."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import partner_required
from app.core.extensions import csrf, db
from app.models import Ballot, Eligibility, Process, Role, utcnow
from app.voting import ballots as domain
from app.voting import bp, overview
from app.voting.casting import commit_cast
from app.voting.forms import field_name, read_choices
from app.voting.tally import GRADE_LABELS
from app.voting.views.common import load_ballot, refuse
from app.web.boundary import manages_own_transaction
from app.web.fields import AnsweringForm, EmptyForm

RECEIPT_SESSION_KEY = "voting_receipt"
# The ballot form checks its own CSRF token, which does not expire (app.web.fields.SessionBoundCSRF): a ballot sent
# hours later, or after the session was lost, is shown again as filled in, with this message.
BALLOT_EXPIRED_TEXT = _l("The page had expired: your vote is not recorded yet.")


@bp.get("/votes")
@partner_required
def list_votes():
    groups = overview.ballots_of(overview.visible_processes(current_user), current_user)
    return render_template("voting/votes.html", groups=groups, process=None)


@bp.get("/p/<slug>/votes")
@partner_required
def process_votes(slug: str):
    process = db.one_or_404(sa.select(Process).filter_by(slug=slug))
    if not process.is_public and not current_user.has_role(Role.FACILITATOR):
        abort(404)
    return render_template("voting/votes.html", groups=overview.ballots_of([process], current_user), process=process)


def _ballot_page(ballot: Ballot, *, filled: dict | None = None, errors: list | None = None, status: int = 200):
    now = utcnow()
    problem = domain.eligibility_problem(ballot, current_user)
    record = domain.voter_record(ballot, current_user) if problem is None else None
    organization_voted = (
        ballot.eligibility is Eligibility.ONE_PER_ORGANIZATION
        and problem is None
        and domain.organization_has_voted(ballot, current_user.organization_id)
    )
    receipt = None
    stored = session.get(RECEIPT_SESSION_KEY)
    if (
        isinstance(stored, dict)
        and stored.get("ballot") == ballot.id
        and stored.get("user") == current_user.id
        and status == 200
        and not errors
    ):
        receipt = domain.receipt_for_token(ballot, stored.get("token"))
    if (
        isinstance(stored, dict)
        and status == 200
        and (stored.get("ballot") == ballot.id or stored.get("user") != current_user.id)
    ):
        session.pop(RECEIPT_SESSION_KEY, None)
    errors = errors or []
    by_option: dict[int, list[str]] = {}
    general: list[str] = []
    for error in errors:
        if error.option_id is not None:
            by_option.setdefault(error.option_id, []).append(str(error.message))
        else:
            general.append(str(error.message))
    return render_template(
        "voting/ballot.html",
        ballot=ballot,
        problem=problem,
        record=record,
        organization_voted=organization_voted,
        replaced=record is not None and domain.replaced_by_colleague(ballot, current_user),
        can_vote=problem is None and ballot.accepts_casts(now),
        not_open_message=domain.closed_message(ballot, now),
        receipt=receipt,
        filled=filled or {},
        option_errors=by_option,
        general_errors=general,
        has_errors=bool(errors),
        field_name=field_name,
        grade_labels=list(reversed(list(enumerate(GRADE_LABELS[: ballot.grades])))),
        option_evidence=domain.option_evidence(ballot),
        results_visible=domain.results_visible_to(ballot, current_user),
        form=EmptyForm(),
    ), status


@bp.get("/ballots/<int:ballot_id>")
@partner_required
def show_ballot(ballot_id: int):
    return _ballot_page(load_ballot(ballot_id))


@bp.post("/ballots/<int:ballot_id>/vote")
@partner_required
@csrf.exempt  # the token is checked below, without a time limit
@manages_own_transaction  # the close of a ballot past its time, the cast and the live results: one transaction each
def cast_vote(ballot_id: int):
    ballot = load_ballot(ballot_id)
    now = utcnow()
    if not ballot.accepts_casts(now):
        db.session.commit()  # a ballot past its closing time was closed and sealed by load_ballot
        return refuse(409, domain.closed_message(ballot, now))
    problem = domain.eligibility_problem(ballot, current_user)
    if problem is not None:
        return refuse(403, problem)
    ballot_choices, read_errors, filled = read_choices(ballot, request.form)
    if not AnsweringForm().validate():  # another site's POST, or a session lost: nothing is cast
        return _ballot_page(ballot, filled=filled, errors=[domain.ChoiceError(None, BALLOT_EXPIRED_TEXT)], status=400)
    # Problems found while reading come first; the rules of the method are checked on the rest.
    unreadable = {error.option_id for error in read_errors}
    errors = [
        *read_errors,
        *(
            e
            for e in domain.check_choices(ballot, ballot_choices)
            if e.option_id is None or e.option_id not in unreadable
        ),
    ]
    if errors:
        return _ballot_page(ballot, filled=filled, errors=errors, status=422)
    try:
        receipt = commit_cast(ballot, current_user, ballot_choices, now)
    except domain.InvalidBallot as error:
        db.session.rollback()
        return _ballot_page(ballot, filled=filled, errors=error.errors, status=422)
    except domain.NotAcceptingCasts as error:
        db.session.rollback()
        return refuse(409, error.message)
    except domain.NotEligible as error:
        db.session.rollback()
        return refuse(403, error.message)
    # Shown once, on the next page, to this person only (never stored on the server); the cookie carries the
    # token the code is derived from, not the code.
    session[RECEIPT_SESSION_KEY] = {"ballot": ballot.id, "user": current_user.id, "token": receipt.token}
    return redirect(url_for(".show_ballot", ballot_id=ballot.id), 303)
