"""Facilitators' views of a process's synthesis: themes, machine suggestions, draft orientations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.compliance.audit import record_access
from app.core.extensions import db
from app.core.revisions import compared
from app.models import (
    Ballot,
    Orientation,
    OrientationState,
    Process,
    Theme,
)
from app.models.moderation import ORIENTATION_TRANSITIONS
from app.moderation import bp
from app.moderation.forms import (
    OrientationForm,
    SplitForm,
    ThemeForm,
)
from app.orientations import ballot_links, suggestions, themes
from app.orientations import orientations as orient
from app.web.boundary import records_access
from app.web.fields import EmptyForm
from app.web.forms import attempt, form_action
from app.web.params import positive_int, positive_ints

DISMISSED_KEY = "moderation_dismissed"


def _theme_texts(form: ThemeForm) -> dict[str, str]:
    return {key: form[key].data or "" for key in themes.THEME_TEXTS}


@bp.route("/moderation/processes/<int:process_id>/themes", methods=["GET", "POST"])
@facilitator_required
def list_themes(process_id: int):
    process = db.get_or_404(Process, process_id)
    form = ThemeForm()
    if form_action(
        form, lambda: themes.create_theme(process, current_user, **_theme_texts(form)), success=_("Theme created.")
    ):
        return redirect(url_for(".list_themes", process_id=process.id))
    return render_template(
        "moderation/themes.html",
        process=process,
        form=form,
        themes=themes.active_themes(process.id),
        counts=themes.theme_counts(process.id),
        by_territory=themes.counts_by_territory(process.id),
        by_group=themes.counts_by_group(process.id),
        empty_form=EmptyForm(),
    ), (400 if form.errors else 200)


@bp.route("/moderation/themes/<int:theme_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_theme(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    form = ThemeForm(obj=theme)
    if form.validate_on_submit():
        with attempt(form, success=_("Theme saved.")) as done:
            themes.update_theme(theme, current_user, **_theme_texts(form))
        if done:
            return redirect(url_for(".list_themes", process_id=theme.process_id))
    others = [t for t in themes.active_themes(theme.process_id) if t.id != theme.id]
    return render_template(
        "moderation/theme_edit.html", theme=theme, form=form, others=others, empty_form=EmptyForm()
    ), (400 if form.errors else 200)


@bp.post("/moderation/themes/<int:theme_id>/merge")
@facilitator_required
def merge_theme(theme_id: int):
    theme = db.get_or_404(Theme, theme_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    target = db.session.get(Theme, positive_int(request.form.get("into")) or 0)
    if target is None:
        flash(_("Choose the theme to merge into."), "error")
        return redirect(url_for(".edit_theme", theme_id=theme.id))
    with attempt(success=_("Themes merged.")) as done:
        themes.merge_themes(theme, target, current_user)
    if not done:
        return redirect(url_for(".edit_theme", theme_id=theme_id))
    return redirect(url_for(".list_themes", process_id=target.process_id))


@bp.get("/moderation/processes/<int:process_id>/suggestions")
@facilitator_required
def show_suggestions(process_id: int):
    process = db.get_or_404(Process, process_id)
    groups = suggestions.suggest(process.id, dismissed=session.get(DISMISSED_KEY, []))
    return render_template("moderation/suggestions.html", process=process, groups=groups, empty_form=EmptyForm())


@bp.post("/moderation/processes/<int:process_id>/suggestions")
@facilitator_required
def apply_suggestion(process_id: int):
    process = db.get_or_404(Process, process_id)
    back = url_for(".show_suggestions", process_id=process.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = suggestions.approved_ids(process.id, positive_ints(request.form.getlist("item")))
    action = request.form.get("action", "")
    name = request.form.get("name", "").strip()
    if not ids:
        flash(_("This group has no approved item any more."), "error")
        return redirect(back)
    if action == "dismiss":
        dismissed = list(session.get(DISMISSED_KEY, []))[-50:]
        dismissed.append(suggestions.signature(ids))
        session[DISMISSED_KEY] = dismissed
        flash(_("Suggestion dismissed."), "success")
        return redirect(back)
    if not name or len(name) > 200:
        flash(_("Give a name (French, at most 200 characters) to the theme or orientation."), "error")
        return redirect(back)
    if action not in ("theme", "orientation"):
        flash(_("Choose an action."), "error")
        return redirect(back)
    with attempt() as done:
        if action == "theme":
            _theme, message = suggestions.group_to_theme(
                process, current_user, ids, name, request.form.get("name_en", "").strip()[:200]
            )
            target = url_for(".list_themes", process_id=process.id)
        else:
            orientation = orient.create_orientation(
                process, current_user, title_fr=name, title_en=request.form.get("name_en", "")[:300], item_ids=ids
            )
            target = url_for(".manage_orientation", orientation_id=orientation.id)
            message = _("Draft orientation created with its evidence.")
    if not done:
        return redirect(back)
    flash(message, "success")
    return redirect(target)


@bp.get("/moderation/processes/<int:process_id>/orientations")
@facilitator_required
def list_orientations(process_id: int):
    process = db.get_or_404(Process, process_id)
    listed = db.session.scalars(
        sa.select(Orientation).where(Orientation.process_id == process.id).order_by(Orientation.id)
    ).all()
    evidence_counts = dict(
        db.session.execute(
            sa.select(orient.OrientationEvidence.orientation_id, sa.func.count())
            .join(Orientation, Orientation.id == orient.OrientationEvidence.orientation_id)
            .where(Orientation.process_id == process.id)
            .group_by(orient.OrientationEvidence.orientation_id)
        ).all()
    )
    return render_template(
        "moderation/orientations.html",
        process=process,
        orientations=listed,
        evidence_counts=evidence_counts,
        themes=themes.active_themes(process.id),
    )


@bp.route("/moderation/processes/<int:process_id>/orientations/new", methods=["GET", "POST"])
@facilitator_required
@records_access
def new_orientation(process_id: int):
    process = db.get_or_404(Process, process_id)
    form = OrientationForm()
    theme = db.session.get(Theme, positive_int(request.values.get("theme")) or 0)
    if theme is not None and theme.process_id != process.id:
        theme = None
    ids = positive_ints(request.values.getlist("item"))
    if theme is not None:
        ids = sorted(set(ids) | set(orient.theme_item_ids(theme)))
        if request.method == "GET" and not form.title_fr.data:
            form.title_fr.data, form.title_en.data = theme.name_fr, theme.name_en
    candidates = orient.evidence_candidates(process.id, ids)
    if request.method == "GET" and not form.title_fr.data:
        form.title_fr.data = candidates.carried_title()
    if form.validate_on_submit():
        with attempt(form, success=_("Draft orientation created.")) as done:
            orientation = orient.create_from_items(
                process,
                current_user,
                ids,
                title_fr=form.title_fr.data,
                title_en=form.title_en.data or "",
                statement_fr=form.statement_fr.data or "",
                statement_en=form.statement_en.data or "",
                rationale_fr=form.rationale_fr.data or "",
                rationale_en=form.rationale_en.data or "",
                note=form.note.data or "",
            )
        if done:
            return redirect(url_for(".manage_orientation", orientation_id=orientation.id))
    html = render_template(
        "moderation/orientation_form.html",
        process=process,
        form=form,
        orientation=None,
        selected=candidates.usable,
        candidates=candidates,
        theme=theme,
    )
    originals = [item.id for item in candidates.to_approve if item.redacted_text is None]
    if originals:  # pending items are listed with their original text
        record_access(current_user, "orientation_evidence", process, items=originals)
    return html, (400 if form.errors else 200)


@bp.get("/moderation/orientations/<int:orientation_id>")
@facilitator_required
def manage_orientation(orientation_id: int):
    orientation = db.get_or_404(Orientation, orientation_id)
    others = db.session.scalars(
        sa.select(Orientation).where(
            Orientation.process_id == orientation.process_id,
            Orientation.id != orientation.id,
            Orientation.state.not_in([OrientationState.SET_ASIDE, OrientationState.ADOPTED]),
        )
    ).all()
    parts = db.session.scalars(sa.select(Orientation).where(Orientation.split_from_id == orientation.id)).all()
    merged = db.session.scalars(sa.select(Orientation).where(Orientation.merged_into_id == orientation.id)).all()
    return render_template(
        "moderation/orientation.html",
        orientation=orientation,
        summary=orient.evidence_summary(orientation.id),
        evidence=orient.evidence(orientation.id),
        targets=[s for s in OrientationState if s in ORIENTATION_TRANSITIONS[orientation.state]],
        others=others,
        parts=parts,
        merged=merged,
        draft_ballots=ballot_links.draft_ballots(orientation.process_id)
        if orientation.state is OrientationState.READY_FOR_VOTE
        else [],
        on_ballots=ballot_links.ballots_of(orientation.id),
        empty_form=EmptyForm(),
    )


@bp.route("/moderation/orientations/<int:orientation_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_orientation(orientation_id: int):
    orientation = db.get_or_404(Orientation, orientation_id)
    form = OrientationForm(obj=orientation)
    if request.method == "GET":
        form.note.data = ""
    if form.validate_on_submit():
        fields = {key: getattr(form, key).data or "" for key in orient.ORIENTATION_TEXT_FIELDS}
        with attempt() as done:
            changed = orient.update_orientation(orientation, current_user, note=form.note.data or "", **fields)
        if done:
            flash(_("Orientation saved (new revision).") if changed else _("Nothing changed."), "success")
            return redirect(url_for(".manage_orientation", orientation_id=orientation.id))
    return render_template(
        "moderation/orientation_form.html",
        process=orientation.process,
        form=form,
        orientation=orientation,
        selected=[],
        theme=None,
    ), (400 if form.errors else 200)


@bp.get("/moderation/orientations/<int:orientation_id>/history")
@facilitator_required
def orientation_history(orientation_id: int):
    orientation = db.get_or_404(Orientation, orientation_id)
    revisions = orientation.revisions
    old, new = compared(revisions, positive_int(request.args.get("from")), positive_int(request.args.get("to")))
    return render_template(
        "moderation/history.html",
        orientation=orientation,
        revisions=revisions,
        numbers=[r.number for r in revisions],
        old=old,
        new=new,
        changes=orient.diff(old, new) if old else None,
    )


def _orientation_for_button(orientation_id: int) -> Orientation:
    """The orientation a button of its page acts on; a POST without the page's token is a 400."""
    orientation = db.get_or_404(Orientation, orientation_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return orientation


def _back_to_orientation(orientation_id: int, refusal: str | None = None):
    if refusal is not None:
        flash(refusal, "error")
    return redirect(url_for(".manage_orientation", orientation_id=orientation_id))


@bp.post("/moderation/orientations/<int:orientation_id>/state")
@facilitator_required
def move_orientation(orientation_id: int):
    orientation = _orientation_for_button(orientation_id)
    target = request.form.get("state", "")
    if target not in {s.value for s in OrientationState}:
        return _back_to_orientation(orientation_id, _("Choose a state."))
    with attempt(success=_("State changed.")):
        orient.move(orientation, current_user, OrientationState(target))
    return _back_to_orientation(orientation_id)


@bp.post("/moderation/orientations/<int:orientation_id>/quote")
@facilitator_required
def set_quote(orientation_id: int):
    orientation = _orientation_for_button(orientation_id)
    item_id = positive_int(request.form.get("item"))
    if item_id is None:
        return _back_to_orientation(orientation_id, _("Choose an item."))
    orient.set_quote(orientation, item_id, request.form.get("chosen") == "1", current_user)
    flash(_("Quotes saved."), "success")
    return _back_to_orientation(orientation_id)


@bp.post("/moderation/orientations/<int:orientation_id>/ballot")
@facilitator_required
def add_orientation_to_ballot(orientation_id: int):
    orientation = _orientation_for_button(orientation_id)
    ballot = db.session.get(Ballot, positive_int(request.form.get("ballot")) or 0)
    if ballot is None:
        return _back_to_orientation(orientation_id, _("Choose a draft ballot of the same process."))
    with attempt(success=_("The orientation is now an option of the ballot.")):
        ballot_links.add_to_ballot(orientation, ballot, current_user)
    return _back_to_orientation(orientation_id)


@bp.post("/moderation/orientations/<int:orientation_id>/merge")
@facilitator_required
def merge_orientation(orientation_id: int):
    orientation = _orientation_for_button(orientation_id)
    other = db.session.get(Orientation, positive_int(request.form.get("other")) or 0)
    if other is None:
        return _back_to_orientation(orientation_id, _("Choose the orientation to merge into this one."))
    with attempt(success=_("Orientations merged; the other one is set aside and points here.")):
        orient.merge(orientation, other, current_user)
    return _back_to_orientation(orientation_id)


@bp.route("/moderation/orientations/<int:orientation_id>/split", methods=["GET", "POST"])
@facilitator_required
@records_access
def split_orientation(orientation_id: int):
    orientation = db.get_or_404(Orientation, orientation_id)
    form = SplitForm()
    error_message = None
    if form.validate_on_submit():
        split = attempt(success=_("Orientation split in two; the original is set aside with its history."), quiet=True)
        with split:
            _rest, part = orient.split(
                orientation,
                current_user,
                positive_ints(request.form.getlist("item")),
                title_fr=form.title_fr.data,
                title_en=form.title_en.data or "",
                statement_fr=form.statement_fr.data or "",
                statement_en=form.statement_en.data or "",
            )
        if split:
            return redirect(url_for(".manage_orientation", orientation_id=part.id))
        error_message = str(split.error.message)
    evidence = orient.evidence(orientation.id)
    html = render_template(
        "moderation/split.html", orientation=orientation, form=form, evidence=evidence, error_message=error_message
    )
    originals = [item.id for item, _quote in evidence if item.public_text is None]
    if originals:  # items not approved yet are listed with their original text
        record_access(current_user, "orientation_evidence", orientation, items=originals)
    return html, (400 if form.errors or error_message else 200)
