"""Voting pages: partners vote and check their receipts; facilitators prepare, open, close and count ballots.

Views are thin: they read the request, call :mod:`app.voting.ballots`, :mod:`app.voting.results`,
:mod:`app.voting.paper_ballots` and :mod:`app.voting.export`; the request boundary commits once per action
(app/web/boundary.py), except for a vote, which manages its own transactions (:func:`cast_vote`). A ballot past
its closing time is closed for every page: a GET sees it so without writing (``domain.as_seen``), and the next
action on it (a POST) stores the close and seals its casts (``domain.close_if_due``), as does
``flask close-due-ballots``. Nothing here logs who voted what; the receipt code shown after a vote is derived from
a token that travels in the voter's own session cookie only (the cookie is signed, not encrypted: it must not hold
the code itself).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_decimal, format_percent, get_timezone, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import facilitator_required, partner_required
from app.core.extensions import csrf, db
from app.models import (
    Ballot,
    BallotStatus,
    Cast,
    Eligibility,
    IllegalTransition,
    Organization,
    PaperImport,
    Process,
    ProcessStatus,
    ResultsVisibility,
    Role,
    User,
    VoterRecord,
    VotingMethod,
    utcnow,
)
from app.voting import ballots as domain
from app.voting import bp
from app.voting.casting import commit_cast
from app.voting.export import ballots_csv, results_csv, tally_method_name
from app.voting.forms import (
    EXTRA_OPTION_ROWS,
    MORE_OPTION_ROWS,
    AdoptForm,
    PaperImportForm,
    ReceiptForm,
    ballot_form_class,
    field_name,
    read_choices,
)
from app.voting.paper_ballots import PaperImportRejected, import_paper_ballots
from app.voting.results import ballot_plan, cast_cells, compute_results, live_results
from app.voting.tally import GRADE_LABELS
from app.web.boundary import SAFE_METHODS, manages_own_transaction, writes_on_get
from app.web.error_pages import ERROR_TEXTS
from app.web.fields import AnsweringForm, EmptyForm, choices, utc_to_local
from app.web.forms import attempt, populate_errors, submitted
from app.web.i18n import current_language, localized
from app.web.streaming import in_app_context
from app.web.urls import page_arg

PAPER_MAX_BYTES = 2 * 1024 * 1024
RECEIPTS_PER_PAGE = 100
RECEIPT_SESSION_KEY = "voting_receipt"
NOT_NOW_TITLE = _l("Not possible now")
# The ballot form checks its own CSRF token, which does not expire (app.web.fields.SessionBoundCSRF): a ballot sent
# hours later, or after the session was lost, is shown again as filled in, with this message.
BALLOT_EXPIRED_TEXT = _l("The page had expired: your vote is not recorded yet.")


# --- helpers ----------------------------------------------------------------------------------------------


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    return {"percent": _percent, "now_utc": utcnow, "timezone_name": str(get_timezone())}


def _megabytes(size: int) -> str:
    return format_decimal(size / (1024 * 1024), "#,##0.#")


def _percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


def _refuse(status: int, message: Any):
    """An error page with a specific message (and the status code)."""
    title = ERROR_TEXTS[status][0] if status in ERROR_TEXTS else NOT_NOW_TITLE
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _load_ballot(ballot_id: int) -> Ballot:
    """The ballot, if the current user may see it (404 otherwise). When its time is up it is closed: as seen by a
    GET (nothing written), or stored and sealed by a POST, in the action's transaction."""
    ballot = db.get_or_404(Ballot, ballot_id)
    if not domain.is_visible_to(ballot, current_user):
        abort(404)
    if request.method in SAFE_METHODS:
        return domain.as_seen(ballot)
    domain.close_if_due(ballot)
    return ballot


def _visible_processes_query():
    query = sa.select(Process).order_by(Process.created_at.desc())
    if not current_user.has_role(Role.FACILITATOR):
        query = query.where(Process.status != ProcessStatus.DRAFT)
    return query


def _partner_ballots(processes: list[Process]) -> list[tuple[Process, list[Ballot]]]:
    ids = [p.id for p in processes]
    if not ids:
        return []
    found = (
        db.session.execute(
            sa.select(Ballot)
            .where(Ballot.process_id.in_(ids), Ballot.status != BallotStatus.DRAFT)
            .order_by(Ballot.created_at.desc())
        )
        .scalars()
        .all()
    )
    now = utcnow()
    for ballot in found:
        domain.as_seen(ballot, now)
    grouped = []
    for process in processes:
        mine = [b for b in found if b.process_id == process.id and domain.is_eligible(b, current_user)]
        if mine:
            grouped.append((process, mine))
    return grouped


# --- partners -------------------------------------------------------------------------------------------


@bp.get("/votes")
@partner_required
def list_votes():
    processes = db.session.execute(_visible_processes_query()).scalars().all()
    return render_template("voting/votes.html", groups=_partner_ballots(processes), process=None)


@bp.get("/p/<slug>/votes")
@partner_required
def process_votes(slug: str):
    process = db.one_or_404(sa.select(Process).filter_by(slug=slug))
    if not process.is_public and not current_user.has_role(Role.FACILITATOR):
        abort(404)
    return render_template("voting/votes.html", groups=_partner_ballots([process]), process=process)


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
    ballot = _load_ballot(ballot_id)
    return _ballot_page(ballot)


@bp.post("/ballots/<int:ballot_id>/vote")
@partner_required
@csrf.exempt  # the token is checked below, without a time limit
@manages_own_transaction  # the close of a ballot past its time, the cast and the live results: one transaction each
def cast_vote(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    now = utcnow()
    if not ballot.accepts_casts(now):
        db.session.commit()  # a ballot past its closing time was closed and sealed by _load_ballot
        return _refuse(409, domain.closed_message(ballot, now))
    problem = domain.eligibility_problem(ballot, current_user)
    if problem is not None:
        return _refuse(403, problem)
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
        return _refuse(409, error.message)
    except domain.NotEligible as error:
        db.session.rollback()
        return _refuse(403, error.message)
    # Shown once, on the next page, to this person only (never stored on the server); the cookie carries the
    # token the code is derived from, not the code.
    session[RECEIPT_SESSION_KEY] = {"ballot": ballot.id, "user": current_user.id, "token": receipt.token}
    return redirect(url_for(".show_ballot", ballot_id=ballot.id), 303)


@bp.get("/ballots/<int:ballot_id>/results")
@partner_required
@writes_on_get(Ballot, "live_snapshot")  # what live results showed (see _with_fresh_snapshot)
def show_results(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    if ballot.is_draft:
        abort(404)
    if not domain.results_visible_to(ballot, current_user):
        if not domain.is_eligible(ballot, current_user):
            return _refuse(403, _("The results of this ballot are shown to its voters."))
        return _refuse(403, _("The results of this ballot will be shown once the vote is closed and published."))
    results = live_results(_with_fresh_snapshot(ballot)) if ballot.is_open else compute_results(ballot)
    show_of_hands = None
    if not ballot.secret and current_user.has_role(Role.FACILITATOR):
        rows = db.session.execute(
            sa.select(Cast.contents, User.name)
            .join(User, Cast.user_id == User.id)
            .where(Cast.ballot_id == ballot.id)
            .order_by(User.name)
        ).all()
        show_of_hands = [(name, cast_cells(ballot, contents)) for contents, name in rows]
    return render_template(
        "voting/results.html",
        ballot=ballot,
        results=results,
        show_of_hands=show_of_hands,
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


def _receipts_allowed(ballot: Ballot):
    """None when the receipts page may be shown, else an error response."""
    if ballot.is_draft:
        abort(404)
    if not current_user.has_role(Role.FACILITATOR) and not domain.is_eligible(ballot, current_user):
        return _refuse(403, _("The list of counted ballots is published to the voters of this ballot."))
    return None


def _receipts_page(ballot: Ballot, form: ReceiptForm, checked: Any = None, status: int = 200):
    page = None
    if ballot.is_published or (ballot.is_over and current_user.has_role(Role.FACILITATOR)):
        page = db.paginate(
            sa.select(Cast).where(Cast.ballot_id == ballot.id).order_by(Cast.receipt),
            page=page_arg(),
            per_page=RECEIPTS_PER_PAGE,
            error_out=False,
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
    ballot = _load_ballot(ballot_id)
    refused = _receipts_allowed(ballot)
    if refused is not None:
        return refused
    return _receipts_page(ballot, ReceiptForm())


@bp.post("/ballots/<int:ballot_id>/receipts/check")
@partner_required
def check_receipt(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    refused = _receipts_allowed(ballot)
    if refused is not None:
        return refused
    form = ReceiptForm()
    if not form.validate_on_submit():
        return _receipts_page(ballot, form, status=422)
    if not ballot.is_published:
        form.receipt.errors.append(_("Receipts can be checked once the results are published."))
        return _receipts_page(ballot, form, status=409)
    if domain.normalize_receipt(form.receipt.data) is None:
        form.receipt.errors.append(_("A receipt code has 10 letters and digits, e.g. K7QM-3XDA-9P."))
        return _receipts_page(ballot, form, status=422)
    cast = domain.find_receipt(ballot, form.receipt.data)
    checked = {"found": cast is not None, "cast": cast, "code": domain.normalize_receipt(form.receipt.data)}
    checked["replaced"] = cast is None and domain.replaced_by_colleague(ballot, current_user)
    return _receipts_page(ballot, form, checked=checked)


# --- facilitators: ballots of a process -------------------------------------------------------------------


@bp.get("/manage/ballots")
@facilitator_required
def manage_overview():
    processes = db.session.execute(sa.select(Process).order_by(Process.created_at.desc())).scalars().all()
    counts = dict(db.session.execute(sa.select(Ballot.process_id, sa.func.count()).group_by(Ballot.process_id)).all())
    return render_template("voting/manage_overview.html", processes=processes, counts=counts)


@bp.get("/manage/processes/<int:process_id>/ballots")
@facilitator_required
def manage_process_ballots(process_id: int):
    process = db.get_or_404(Process, process_id)
    ballots = (
        db.session.execute(sa.select(Ballot).filter_by(process_id=process.id).order_by(Ballot.created_at.desc()))
        .scalars()
        .all()
    )
    now = utcnow()
    for ballot in ballots:
        domain.as_seen(ballot, now)
    casts = dict(
        db.session.execute(
            sa.select(Cast.ballot_id, sa.func.count())
            .where(Cast.ballot_id.in_([b.id for b in ballots]))
            .group_by(Cast.ballot_id)
        ).all()
    )
    return render_template("voting/manage_process.html", process=process, ballots=ballots, casts=casts)


def _listed_choices() -> list:
    rows = db.session.execute(
        sa.select(User, Organization.name)
        .outerjoin(Organization, User.organization_id == Organization.id)
        .where(User.active.is_(True))
        .order_by(User.name)
    ).all()
    return choices((user.id, f"{user.name} — {org_name}" if org_name else user.name) for user, org_name in rows)


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
            {
                "option_id": str(o.id),
                "label_fr": o.label_fr,
                "label_en": o.label_en,
                "description_fr": o.description_fr,
                "description_en": o.description_en,
            }
            for o in ballot.options
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


def _ballot_form_page(process: Process, ballot: Ballot | None):
    if request.method == "POST":
        rows = _posted_rows()
        if "more_rows" in request.form:
            rows += MORE_OPTION_ROWS
        form = ballot_form_class(rows)()
    else:
        existing = len(ballot.options) if ballot else 0
        form = ballot_form_class(existing + EXTRA_OPTION_ROWS)(data=_form_data(ballot) if ballot else None)
    form.listed_user_ids.choices = _listed_choices()
    form.orientation_ids.choices = choices((o.id, o.title_fr) for o in domain.ready_orientations(process, ballot))
    option_errors: list[str] = []
    if request.method == "POST" and "more_rows" not in request.form and form.validate_on_submit():
        draft = domain.BallotDraft(
            question_fr=form.question_fr.data or "",
            question_en=form.question_en.data or "",
            description_fr=form.description_fr.data or "",
            description_en=form.description_en.data or "",
            method=VotingMethod(form.method.data),
            options=[
                domain.OptionInput(
                    label_fr=entry.label_fr.data or "",
                    label_en=entry.label_en.data or "",
                    description_fr=entry.description_fr.data or "",
                    description_en=entry.description_en.data or "",
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
        with attempt(form, success=_("Ballot saved."), quiet=True) as done:
            saved = domain.save_draft(current_user, process, ballot, draft)
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


# --- facilitators: one ballot ---------------------------------------------------------------------------


@bp.get("/manage/ballots/<int:ballot_id>")
@facilitator_required
def manage_ballot(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    casts = db.session.scalar(sa.select(sa.func.count()).select_from(Cast).where(Cast.ballot_id == ballot.id))
    voters = None
    # Names of who has voted: never while a secret vote is open (a name appearing as the live results change
    # would tell what that person voted), never with times.
    if not ballot.secret or ballot.is_over:
        voters = db.session.execute(
            sa.select(User.name, Organization.name)
            .select_from(VoterRecord)
            .join(User, VoterRecord.user_id == User.id)
            .outerjoin(Organization, VoterRecord.organization_id == Organization.id)
            .where(VoterRecord.ballot_id == ballot.id)
            .order_by(User.name)
        ).all()
    voter_count = db.session.scalar(
        sa.select(sa.func.count()).select_from(VoterRecord).where(VoterRecord.ballot_id == ballot.id)
    )
    imports = (
        db.session.execute(sa.select(PaperImport).filter_by(ballot_id=ballot.id).order_by(PaperImport.imported_at))
        .scalars()
        .all()
    )
    adopt_form = AdoptForm(option_ids=[o.id for o in ballot.options if o.adopted])
    adopt_form.option_ids.choices = choices((o.id, localized(o, "label")) for o in ballot.options)
    return render_template(
        "voting/manage_ballot.html",
        ballot=ballot,
        casts=casts,
        voters=voters,
        voter_count=voter_count,
        imports=imports,
        adopt_form=adopt_form,
        form=EmptyForm(),
        tally_method=tally_method_name(ballot),
    )


def _transition(ballot_id: int, action, success: str):
    ballot = _load_ballot(ballot_id)
    if submitted():
        refused = _("This change is not possible from the ballot's current status.")
        with attempt(success=success, wording={IllegalTransition: refused}):
            action(current_user, ballot)
    return redirect(url_for(".manage_ballot", ballot_id=ballot.id))


@bp.post("/manage/ballots/<int:ballot_id>/open")
@facilitator_required
def open_ballot(ballot_id: int):
    return _transition(ballot_id, domain.open_ballot, _("The ballot is open: eligible voters can vote."))


@bp.post("/manage/ballots/<int:ballot_id>/close")
@facilitator_required
def close_ballot(ballot_id: int):
    return _transition(
        ballot_id, domain.close_ballot, _("The vote is closed; the ballots are sealed and can be counted.")
    )


@bp.post("/manage/ballots/<int:ballot_id>/publish")
@facilitator_required
def publish_results(ballot_id: int):
    return _transition(
        ballot_id,
        domain.publish_results,
        _("The results and the list of counted ballots are published to the voters."),
    )


@bp.post("/manage/ballots/<int:ballot_id>/delete")
@facilitator_required
def delete_ballot(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    process_id = ballot.process_id
    if submitted():
        with attempt(success=_("Draft ballot deleted.")) as done:
            domain.delete_draft(current_user, ballot)
        if done:
            return redirect(url_for(".manage_process_ballots", process_id=process_id))
    return redirect(url_for(".manage_ballot", ballot_id=ballot_id))


@bp.post("/manage/ballots/<int:ballot_id>/adopt")
@facilitator_required
def adopt_options(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    form = AdoptForm()
    form.option_ids.choices = choices((o.id, localized(o, "label")) for o in ballot.options)
    if submitted(form, otherwise=_("Choose among the options of this ballot.")):
        with attempt(success=_("Adopted options recorded.")):
            domain.adopt_options(current_user, ballot, form.option_ids.data or [])
    return redirect(url_for(".manage_ballot", ballot_id=ballot.id))


def _csv_response(rows, filename: str) -> Response:
    return Response(
        rows,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


@bp.get("/manage/ballots/<int:ballot_id>/export/ballots.csv")
@facilitator_required
def export_ballots(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    if not ballot.is_over:
        return _refuse(409, _("The ballots can be exported once the vote is closed."))
    # The rows are read after this view has returned: in their own app context and database session.
    rows = in_app_context(ballots_csv, ballot.id, current_language())
    return _csv_response(rows, f"ballot-{ballot.id}-ballots.csv")


@bp.get("/manage/ballots/<int:ballot_id>/export/results.csv")
@facilitator_required
def export_results(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    if not ballot.is_over:
        return _refuse(409, _("The results can be exported once the vote is closed."))
    results = compute_results(ballot)
    return _csv_response(list(results_csv(results)), f"ballot-{ballot.id}-results.csv")


@bp.route("/manage/ballots/<int:ballot_id>/paper", methods=["GET", "POST"])
@facilitator_required
def import_paper(ballot_id: int):
    ballot = _load_ballot(ballot_id)
    form = PaperImportForm()
    file_errors = None
    more = False
    status = 200
    allowed = ballot.status in (BallotStatus.OPEN, BallotStatus.CLOSED)
    if request.method == "POST" and not allowed:
        flash(
            _("Paper ballots can be imported while the vote is open or closed, before the results are published."),
            "error",
        )
        status = 409
    elif form.validate_on_submit():
        upload = form.file.data
        data = upload.read(PAPER_MAX_BYTES + 1)
        if len(data) > PAPER_MAX_BYTES:
            form.file.errors.append(_("The file is larger than %(size)s MB.", size=_megabytes(PAPER_MAX_BYTES)))
            status = 413
        else:
            # The same file imported at the same moment by someone else: the unique constraint says so.
            twice = domain.VotingError(_("This very file was already imported into this ballot."))
            with attempt(conflict=twice, quiet=True) as done:
                result = import_paper_ballots(
                    current_user, ballot, data, upload.filename or "", encoding=form.encoding.data
                )
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
            if isinstance(done.error, PaperImportRejected):
                file_errors, more, status = done.error.errors, done.error.more, 422
            else:
                form.file.errors.append(str(done.error.message))
                status = 409
            domain.as_seen(ballot)  # the close of a ballot past its time was rolled back with the import
    elif request.method == "POST":
        status = 422
    return render_template(
        "voting/paper_import.html",
        ballot=ballot,
        form=form,
        file_errors=file_errors,
        more=more,
        allowed=allowed,
        tally_method=tally_method_name(ballot),
        max_mb=_megabytes(PAPER_MAX_BYTES),
    ), status
