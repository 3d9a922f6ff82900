"""Partners' follow-up pages: "Ma contribution" (their organization's commitments to the adopted priorities of a
process: declare, change, withdraw) and the progress updates of the actions their organization leads. A partner
reaches only their own organization's commitments and actions: anything else is a 404."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import partner_required
from app.core.extensions import db
from app.followup import actions as action_service
from app.followup import bp, updates
from app.followup import commitments as commitment_service
from app.followup.commitments import CommitmentFields
from app.followup.forms import CommitmentForm, UpdateForm
from app.models import CollectiveAction, Process
from app.processes.visibility import get_visible_process_or_404
from app.web.fields import EmptyForm
from app.web.forms import attempt, submitted
from app.web.i18n import current_language, local_today, localized


def _commitment_form(process: Process, **kwargs) -> CommitmentForm:
    priorities = action_service.adopted_priorities(process.id)
    adopted = {p.id for p in priorities}
    listed = [a for a in action_service.actions_of(process.id) if a.orientation_id in adopted]
    return CommitmentForm(priorities=priorities, actions=listed, localized=localized, **kwargs)


def _fields(form: CommitmentForm) -> CommitmentFields:
    return CommitmentFields(
        orientation_id=form.orientation_id.data,
        action_id=form.action_id.data,
        kind=form.kind.data,
        text=form.text.data or "",
        amount=form.amount.data,
        hours=form.hours.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
    )


@bp.route("/p/<slug>/ma-contribution", methods=["GET", "POST"])
@partner_required
def my_contribution(slug: str):
    process = get_visible_process_or_404(slug)
    organization = current_user.organization
    form = _commitment_form(process)
    if organization is not None and form.validate_on_submit():
        with attempt(
            form, success=_("Thank you. Your commitment will be read by a facilitator before it is public.")
        ) as done:
            commitment_service.declare(process, current_user, _fields(form), current_language())
        if done:
            return redirect(url_for(".my_contribution", slug=process.slug))
    listed = commitment_service.organization_commitments(process.id, organization.id) if organization else []
    status = 400 if request.method == "POST" else 200
    return render_template(
        "followup/my_contribution.html",
        process=process,
        organization=organization,
        commitments=listed,
        form=form,
        led=[
            a
            for a in action_service.actions_of(process.id)
            if organization and a.lead_organization_id == organization.id
        ],
        empty_form=EmptyForm(),
    ), status


@bp.route("/commitments/<int:commitment_id>/edit", methods=["GET", "POST"])
@partner_required
def edit_commitment(commitment_id: int):
    commitment = commitment_service.own_commitment_or_404(commitment_id, current_user)
    process = commitment.process
    form = _commitment_form(process, obj=commitment)
    if request.method == "GET":
        form.kind.data = commitment.kind.value
        form.amount.data = "" if commitment.amount is None else str(commitment.amount).replace(".", ",")
        form.hours.data = "" if commitment.hours is None else str(commitment.hours)
    if form.validate_on_submit():
        with attempt(form) as done:
            changed = commitment_service.update(commitment, current_user, _fields(form), current_language())
        if done:
            flash(_("Commitment saved.") if changed else _("Nothing changed."), "success")
            return redirect(url_for(".my_contribution", slug=process.slug))
    return render_template("followup/commitment_form.html", process=process, commitment=commitment, form=form), (
        400 if request.method == "POST" else 200
    )


@bp.post("/commitments/<int:commitment_id>/withdraw")
@partner_required
def withdraw_commitment(commitment_id: int):
    commitment = commitment_service.own_commitment_or_404(commitment_id, current_user)
    slug = commitment.process.slug
    if submitted():
        commitment_service.withdraw(commitment, current_user)
        flash(_("Commitment withdrawn."), "success")
    return redirect(url_for(".my_contribution", slug=slug))


def _led_action_or_404(action_id: int) -> CollectiveAction:
    action = db.get_or_404(CollectiveAction, action_id)
    if not updates.is_lead(current_user, action):
        abort(404)
    get_visible_process_or_404(action.process.slug)
    return action


@bp.route("/actions/<int:action_id>/updates/new", methods=["GET", "POST"])
@partner_required
def new_update(action_id: int):
    action = _led_action_or_404(action_id)
    form = UpdateForm(indicators=action.indicators, localized=localized)
    if request.method == "GET":
        form.posted_on.data = local_today()
    if form.validate_on_submit():
        with attempt(
            form, success=_("Thank you. Your update will be published once a facilitator approves it.")
        ) as done:
            updates.post_update(
                action,
                current_user,
                text=form.text.data,
                posted_on=form.posted_on.data,
                today=local_today(),
                language=current_language(),
                indicator_id=form.indicator_id.data,
                value=form.value.data,
            )
        if done:
            return redirect(url_for(".new_update", action_id=action.id))
    return render_template(
        "followup/update_form.html",
        action=action,
        form=form,
        updates=[u for u in updates.updates_of(action.id) if u.is_published or u.author_id == current_user.id],
    ), (400 if request.method == "POST" else 200)
