"""Facilitators preparing a ballot: the form of a new ballot or of a draft (question, method and its limits,
options, dates, who may vote, quorum, results), with more rows of options on demand (ballots.save_draft)."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.core.extensions import db
from app.models import Ballot, Eligibility, Process, ResultsVisibility, VotingMethod
from app.voting import ballots as domain
from app.voting import bp, overview
from app.voting.forms import EXTRA_OPTION_ROWS, MORE_OPTION_ROWS, ballot_form_class
from app.web.fields import choices, utc_to_local
from app.web.forms import attempt, populate_errors

OPTION_TEXTS = ("label_fr", "label_en", "description_fr", "description_en")


@bp.route("/manage/processes/<int:process_id>/ballots/new", methods=["GET", "POST"])
@facilitator_required
def create_ballot(process_id: int):
    process = db.get_or_404(Process, process_id)
    return _ballot_form_page(process, None)


@bp.route("/manage/ballots/<int:ballot_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_ballot(ballot_id: int):
    ballot = db.get_or_404(Ballot, ballot_id)
    if not ballot.is_draft:
        flash(_("Only a draft ballot can be changed."), "error")
        return redirect(url_for(".manage_ballot", ballot_id=ballot.id))
    return _ballot_form_page(ballot.process, ballot)


def _ballot_form_page(process: Process, ballot: Ballot | None):
    if request.method == "POST":
        rows = _posted_rows()
        if "more_rows" in request.form:
            rows += MORE_OPTION_ROWS
        form = ballot_form_class(rows)()
    else:
        existing = len(ballot.options) if ballot else 0
        form = ballot_form_class(existing + EXTRA_OPTION_ROWS)(data=_form_data(ballot) if ballot else None)
    form.listed_user_ids.choices = choices(overview.active_accounts())
    form.orientation_ids.choices = choices((o.id, o.title_fr) for o in domain.ready_orientations(process, ballot))
    option_errors: list[str] = []
    if request.method == "POST" and "more_rows" not in request.form and form.validate_on_submit():
        with attempt(form, success=_("Ballot saved."), quiet=True) as done:
            saved = domain.save_draft(current_user, process, ballot, _draft(form))
        if done:
            return redirect(url_for(".manage_ballot", ballot_id=saved.id))
        if done.error.field == "options":  # shown above the rows of options
            option_errors.append(str(done.error.message))
        else:
            populate_errors(form, done.error)
    status = 422 if request.method == "POST" and "more_rows" not in request.form else 200
    return render_template(
        "voting/ballot_form.html", form=form, process=process, ballot=ballot, option_errors=option_errors
    ), status


def _draft(form) -> domain.BallotDraft:
    """What the valid form says, for ballots.save_draft."""
    return domain.BallotDraft(
        question_fr=form.question_fr.data or "",
        question_en=form.question_en.data or "",
        description_fr=form.description_fr.data or "",
        description_en=form.description_en.data or "",
        method=VotingMethod(form.method.data),
        options=[
            domain.OptionInput(
                **{name: getattr(entry, name).data or "" for name in OPTION_TEXTS},
                option_id=_option_id(entry.option_id.data),
            )
            for entry in form.options
        ],
        max_choices=form.max_choices.data,
        budget=form.budget.data,
        max_per_option=form.max_per_option.data,
        opens_at=form.opens_at.utc,
        closes_at=form.closes_at.utc,
        eligibility=Eligibility(form.eligibility.data),
        listed_user_ids=list(form.listed_user_ids.data or []),
        quorum_percent=form.quorum_percent.data,
        results_visibility=ResultsVisibility(form.results_visibility.data),
        secret=bool(form.secret.data),
        orientation_ids=list(form.orientation_ids.data or []),
    )


def _form_data(ballot: Ballot) -> dict:
    return {
        "question_fr": ballot.question_fr,
        "question_en": ballot.question_en,
        "description_fr": ballot.description_fr,
        "description_en": ballot.description_en,
        "method": ballot.method.value,
        "max_choices": ballot.max_choices,
        "budget": ballot.budget,
        "max_per_option": ballot.max_per_option,
        "opens_at": utc_to_local(ballot.opens_at),
        "closes_at": utc_to_local(ballot.closes_at),
        "eligibility": ballot.eligibility.value,
        "listed_user_ids": [u.id for u in ballot.listed_voters],
        "quorum_percent": ballot.quorum_percent,
        "results_visibility": ballot.results_visibility.value,
        "secret": ballot.secret,
        "options": [
            {"option_id": str(o.id), **{name: getattr(o, name) for name in OPTION_TEXTS}} for o in ballot.options
        ],
    }


def _posted_rows() -> int:
    indices = set()
    for key in request.form:
        if key.startswith("options-"):
            index = key.split("-", 2)[1]
            if index.isascii() and index.isdigit():
                indices.add(int(index))
    return len(indices)


def _option_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None  # not "١" (Arabic one)
