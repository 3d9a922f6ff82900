"""Partners' views: published orientations, their evidence and comments, and contributions."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import partner_required
from app.core.extensions import db
from app.models import (
    Comment,
    Contribution,
    Orientation,
    OrientationState,
    PhaseKind,
    Process,
    ProcessStatus,
)
from app.moderation import bp, items
from app.moderation.forms import (
    CommentForm,
    ContributionForm,
)
from app.orientations import orientations as orient
from app.orientations.views.common import published_orientation_or_404, published_orientations
from app.processes.visibility import get_visible_process_or_404
from app.web.i18n import current_language, local_today

CONTRIBUTION_PHASES = (PhaseKind.CONSULTATION, PhaseKind.SYNTHESIS)


@bp.get("/p/<slug>/orientations")
@partner_required
def partner_orientations(slug: str):
    process = get_visible_process_or_404(slug)
    published = published_orientations(process, Orientation.id)
    return render_template(
        "moderation/partner_orientations.html",
        process=process,
        orientations=published,
        can_contribute=_contributions_open(process),
    )


@bp.get("/orientations/<int:orientation_id>")
@partner_required
def partner_orientation(orientation_id: int):
    orientation = published_orientation_or_404(orientation_id)
    return _partner_orientation_page(orientation, CommentForm(formdata=None))


def _partner_orientation_page(orientation: Orientation, form: CommentForm, status: int = 200):
    return (
        render_template(
            "moderation/partner_orientation.html",
            orientation=orientation,
            summary=orient.evidence_summary(orientation.id, public=True),
            evidence=orient.evidence(orientation.id, public=True),
            form=form,
        ),
        status,
    )


@bp.post("/orientations/<int:orientation_id>/comments")
@partner_required
def comment_orientation(orientation_id: int):
    orientation = published_orientation_or_404(orientation_id)
    form = CommentForm()
    if orientation.state is not OrientationState.IN_REVIEW:
        flash(_("Comments are closed: the orientation is no longer in review."), "error")
        return redirect(url_for(".partner_orientation", orientation_id=orientation.id))
    if not form.validate_on_submit() or not form.text.data.strip():
        if not form.text.errors:
            form.text.errors = [_("Write a comment.")]
        return _partner_orientation_page(orientation, form, 400)
    comment = Comment(orientation=orientation, author=current_user, text=form.text.data, language=current_language())
    db.session.add(comment)
    db.session.flush()
    items.item_from_comment(comment)
    flash(_("Thank you. Your comment will be read by a facilitator before it is shared."), "success")
    return redirect(url_for(".partner_orientation", orientation_id=orientation.id))


def _contributions_open(process: Process) -> bool:
    phase = process.current_phase(local_today())
    return process.status is ProcessStatus.ACTIVE and phase is not None and phase.kind in CONTRIBUTION_PHASES


@bp.route("/p/<slug>/contribute", methods=["GET", "POST"])
@partner_required
def contribute(slug: str):
    process = get_visible_process_or_404(slug)
    form = ContributionForm()
    is_open = _contributions_open(process)
    if is_open and form.validate_on_submit():
        contribution = Contribution(
            process=process,
            author=current_user,
            organization=current_user.organization,
            title=form.title.data,
            description=form.description.data,
            why_it_matters=form.why_it_matters.data or "",
            language=current_language(),
        )
        db.session.add(contribution)
        db.session.flush()
        items.item_from_contribution(contribution)
        flash(_("Thank you. Your contribution will be read by a facilitator."), "success")
        return redirect(url_for(".partner_orientations", slug=process.slug))
    status = 200
    if request.method == "POST":
        status = 409 if not is_open else 400
    return render_template("moderation/contribute.html", process=process, form=form, is_open=is_open), status
