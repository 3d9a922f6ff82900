"""Moderation pages. Facilitators: the queue, item pages (decisions, redaction, tags), themes, suggestions and
orientations. Partners: published orientations with approved, redacted quotes only, comments and contributions.
(The public "Vous avez dit" page is app/followup/views/public.py.) Views are thin; the request boundary commits
(app/web/boundary.py), and the pages that show raw text record that access (``@records_access``).
"""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.auth.access import facilitator_required
from app.compliance.audit import record_access
from app.compliance.retention import purge_date
from app.core.extensions import db
from app.models import (
    ItemState,
    ModerationItem,
    Process,
    Question,
    RejectReason,
    Survey,
    Territory,
    Theme,
)
from app.moderation import bp, decisions, redaction
from app.moderation.forms import (
    DecisionForm,
    RedactSelectionForm,
)
from app.moderation.queue import queue_page, queue_query
from app.orientations import orientations as orient
from app.orientations import themes
from app.web.boundary import records_access
from app.web.fields import EmptyForm
from app.web.forms import attempt
from app.web.params import form_version, positive_int, positive_ints

FILTERS = ("process", "survey", "event", "question", "state", "theme", "territory", "flagged", "language", "q")


DECIDED = {
    "approve": _l("Item approved."),
    "approve_original": _l("Item approved."),
    "reject": _l("Item rejected."),
    "needs_redaction": _l("Item marked as needing redaction."),
    "undo": _l("Decision undone: the item is pending again."),
}


def _segments(text: str, spans: list[dict]) -> list[tuple[str, str | None]]:
    """The text cut into (piece, kind or None) for highlighting detected spans."""
    pieces, position = [], 0
    for span in sorted(spans or [], key=lambda s: s["start"]):
        if span["start"] < position:
            continue
        pieces.append((text[position : span["start"]], None))
        pieces.append((text[span["start"] : span["end"]], span["kind"]))
        position = span["end"]
    pieces.append((text[position:], None))
    return [(piece, kind) for piece, kind in pieces if piece]


def _filters() -> dict[str, str]:
    return {key: request.args.get(key, "").strip() for key in FILTERS if request.args.get(key, "").strip()}


def _load_item(item_id: int) -> ModerationItem:
    return db.get_or_404(ModerationItem, item_id)


@bp.get("/moderation")
@facilitator_required
def overview():
    processes = db.session.scalars(sa.select(Process).order_by(Process.created_at.desc())).all()
    counts = {
        (process_id, state): count
        for process_id, state, count in db.session.execute(
            sa.select(ModerationItem.process_id, ModerationItem.state, sa.func.count()).group_by(
                ModerationItem.process_id, ModerationItem.state
            )
        )
    }
    return render_template("moderation/overview.html", processes=processes, counts=counts, states=list(ItemState))


@bp.get("/moderation/items")
@facilitator_required
@records_access
def queue():
    filters = _filters()
    page = queue_page(
        queue_query(filters),
        positive_int(request.args.get("page")) or 1,
        selectinload(ModerationItem.themes),
        selectinload(ModerationItem.territory),
        selectinload(ModerationItem.question),
    )
    process_id = positive_int(filters.get("process"))
    processes = db.session.scalars(sa.select(Process).order_by(Process.title_fr)).all()
    surveys = db.session.scalars(
        sa.select(Survey).where(Survey.process_id == process_id).order_by(Survey.title_fr)
        if process_id
        else sa.select(Survey).order_by(Survey.title_fr)
    ).all()
    theme_query = sa.select(Theme).where(Theme.merged_into_id.is_(None)).order_by(Theme.name_fr)
    if process_id:
        theme_query = theme_query.where(Theme.process_id == process_id)
    question = (
        db.session.get(Question, positive_int(filters["question"])) if positive_int(filters.get("question")) else None
    )
    html = render_template(
        "moderation/queue.html",
        page=page,
        filters=filters,
        processes=processes,
        surveys=surveys,
        themes=db.session.scalars(theme_query).all(),
        territories=db.session.scalars(sa.select(Territory).order_by(Territory.name)).all(),
        question=question,
        states=list(ItemState),
        reasons=list(RejectReason),
        next_url=request.full_path,
    )
    if page.items:  # excerpts of the original, unredacted texts
        record_access(current_user, "queue", object_type="moderation_item", items=[item.id for item in page.items])
    return html


def _safe_next(default: str) -> str:
    target = request.form.get("next", "")
    return target if target.startswith("/moderation/") and not target.startswith("//") else default


@bp.post("/moderation/items/bulk")
@facilitator_required
def bulk_items():
    back = _safe_next(url_for(".queue"))
    if not EmptyForm().validate_on_submit():
        flash(_("The form expired; please try again."), "error")
        return redirect(back)
    ids = positive_ints(request.form.getlist("item"))
    action = request.form.get("action", "")
    if not ids:
        flash(_("Select at least one item."), "error")
        return redirect(back)
    selected = db.session.scalars(sa.select(ModerationItem).where(ModerationItem.id.in_(ids))).all()
    if action in ("approve", "reject"):
        reason = request.form.get("reason", RejectReason.OFF_TOPIC.value)
        if reason not in {r.value for r in RejectReason} or reason == RejectReason.DUPLICATE.value:
            flash(_("Choose a reason for rejecting (a duplicate is rejected from its own page)."), "error")
            return redirect(back)
        done, skipped = decisions.bulk(selected, current_user, action, reason=RejectReason(reason))
        flash(ngettext("%(num)d item decided.", "%(num)d items decided.", done), "success")
        if skipped:
            flash(
                _(
                    "Left as they were (personal information to redact, or not possible in their state): %(ids)s",
                    ids=", ".join(f"#{i}" for i in skipped),
                ),
                "error",
            )
        return redirect(back)
    if action == "tag":
        theme = db.session.get(Theme, positive_int(request.form.get("theme")) or 0)
        if theme is None:
            flash(_("Choose a theme."), "error")
            return redirect(back)
        count = themes.tag_items(theme, [item.id for item in selected], current_user)
        flash(ngettext("%(num)d item tagged.", "%(num)d items tagged.", count), "success")
        return redirect(back)
    if action == "orientation":
        processes = {item.process_id for item in selected}
        if len(processes) != 1:
            flash(_("Select items of a single process."), "error")
            return redirect(back)
        return redirect(url_for(".new_orientation", process_id=processes.pop(), item=[i.id for i in selected]))
    flash(_("Choose an action."), "error")
    return redirect(back)


def _item_page(item: ModerationItem, decision_form=None, selection_form=None, status: int = 200):
    siblings = []
    if item.response_id is not None:
        siblings = db.session.scalars(
            sa.select(ModerationItem)
            .where(ModerationItem.response_id == item.response_id, ModerationItem.id != item.id)
            .order_by(ModerationItem.id)
        ).all()
    html = render_template(
        "moderation/item.html",
        item=item,
        segments=_segments(item.text, item.pii_spans),
        deleted_on=purge_date(item.response.survey, item.response) if item.response is not None else None,
        working_text=redaction.working_text(item),
        decision_form=decision_form or DecisionForm(formdata=None),
        selection_form=selection_form or RedactSelectionForm(formdata=None),
        empty_form=EmptyForm(),
        themes=themes.active_themes(item.process_id),
        used_by=orient.orientations_using(item.id),
        siblings=siblings,
    )
    # Every render shows the original text and excerpts of the other items of the response: audited, also when the
    # page is a form shown again with 400 (the views are marked @records_access).
    record_access(current_user, "moderation_item", item, siblings=[sibling.id for sibling in siblings])
    return html, status


def _item_for_button(item_id: int) -> ModerationItem:
    """The item a button of its page acts on; a POST without the page's token is a 400."""
    item = _load_item(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    return item


def _item_and_form(item_id: int, form_class: type, name: str):
    """The item and the form posted for it; when the form is not valid, the item's page again (400) with the form
    (the argument ``name`` of _item_page) and its errors answers the request."""
    item = _load_item(item_id)
    form = form_class()
    if not form.validate_on_submit():
        abort(make_response(_item_page(item, status=400, **{name: form})))
    return item, form


@bp.get("/moderation/items/<int:item_id>")
@facilitator_required
@records_access
def show_item(item_id: int):
    return _item_page(_load_item(item_id))


@bp.post("/moderation/items/<int:item_id>/decide")
@facilitator_required
@records_access
def decide_item(item_id: int):
    item, form = _item_and_form(item_id, DecisionForm, "decision_form")
    action = request.form.get("action", "")
    if action not in ("approve", "approve_original", "reject", "needs_redaction", "undo"):
        flash(_("Choose a decision."), "error")
        return redirect(url_for(".show_item", item_id=item.id))
    if action == "reject" and not form.reason.data:
        form.reason.errors.append(_("Choose a reason."))
        return _item_page(item, decision_form=form, status=400)
    with attempt(success=DECIDED[action]):
        if action in ("approve", "approve_original"):
            decisions.approve(item, current_user, form_version(), keep_original=action == "approve_original")
        elif action == "reject":
            duplicate = db.session.get(ModerationItem, form.duplicate_of.data) if form.duplicate_of.data else None
            decisions.reject(
                item,
                current_user,
                form_version(),
                RejectReason(form.reason.data),
                duplicate_of=duplicate,
                note=form.note.data or "",
            )
        elif action == "needs_redaction":
            decisions.needs_redaction(item, current_user, form_version())
        else:
            decisions.undo(item, current_user, form_version())
    return redirect(url_for(".show_item", item_id=item_id))


@bp.post("/moderation/items/<int:item_id>/redact")
@facilitator_required
def redact_item(item_id: int):
    item = _item_for_button(item_id)
    redact = redaction.reset_redaction if request.form.get("reset") else redaction.redact_detected
    with attempt(success=_("Redaction saved.")):
        redact(item, current_user, form_version())
    return redirect(url_for(".show_item", item_id=item_id))


@bp.post("/moderation/items/<int:item_id>/redact-selection")
@facilitator_required
@records_access
def redact_item_selection(item_id: int):
    item, form = _item_and_form(item_id, RedactSelectionForm, "selection_form")
    with attempt(form, success=_("Redaction saved.")) as done:
        redaction.redact_selection(
            item,
            current_user,
            form_version(),
            start=form.start.data,
            end=form.end.data,
            text_to_redact=form.text_to_redact.data or None,
            kind=form.kind.data,
        )
    if not done:
        return _item_page(_load_item(item_id), selection_form=form, status=400)
    return redirect(url_for(".show_item", item_id=item.id))


@bp.post("/moderation/items/<int:item_id>/tag")
@facilitator_required
def tag_item(item_id: int):
    item = _item_for_button(item_id)
    theme = db.session.get(Theme, positive_int(request.form.get("theme")) or 0)
    if theme is None or theme.process_id != item.process_id:
        flash(_("Choose a theme."), "error")
        return redirect(url_for(".show_item", item_id=item.id))
    if request.form.get("remove"):
        themes.untag_item(theme, item.id, current_user)
    else:
        themes.tag_items(theme, [item.id], current_user)
    flash(_("Themes saved."), "success")
    return redirect(url_for(".show_item", item_id=item.id))
