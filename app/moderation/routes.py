"""Moderation pages. Facilitators: the queue, item pages (decisions, redaction, tags), themes, suggestions and
orientations. Partners: published orientations with approved, redacted quotes only, comments and contributions.
The public "Vous avez dit" page is app/followup/views/public.py. Views are thin; the request boundary commits
(app/web/boundary.py), and the pages that show raw text record that access (``@records_access``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.orm import selectinload

from app.audit import record_access
from app.auth.access import facilitator_required, login_required
from app.extensions import db
from app.forms import EmptyForm
from app.i18n import current_language, local_today
from app.models import (
    Ballot,
    Comment,
    Contribution,
    ItemState,
    ModerationItem,
    Orientation,
    OrientationState,
    PhaseKind,
    Process,
    ProcessStatus,
    Question,
    RejectReason,
    Survey,
    Territory,
    Theme,
    item_themes,
)
from app.models.moderation import ORIENTATION_TRANSITIONS, PUBLISHED_ORIENTATION_STATES
from app.moderation import ballots as ballot_links
from app.moderation import bp, decisions, items, redaction, suggestions, themes
from app.moderation import orientations as orient
from app.moderation.forms import (
    CommentForm,
    ContributionForm,
    DecisionForm,
    OrientationForm,
    RedactSelectionForm,
    SplitForm,
    ThemeForm,
)
from app.processes.routes import get_visible_process_or_404
from app.retention import purge_date
from app.web.boundary import records_access
from app.web.forms import attempt

PER_PAGE = 50
COUNT_CAP = 10_000
MAX_PAGE = 100_000
FILTERS = ("process", "survey", "question", "state", "theme", "territory", "flagged", "language", "q")
DISMISSED_KEY = "moderation_dismissed"
DECIDED = {
    "approve": _l("Item approved."),
    "approve_original": _l("Item approved."),
    "reject": _l("Item rejected."),
    "needs_redaction": _l("Item marked as needing redaction."),
    "undo": _l("Decision undone: the item is pending again."),
}
CONTRIBUTION_PHASES = (PhaseKind.CONSULTATION, PhaseKind.SYNTHESIS)


# --- helpers ----------------------------------------------------------------------------------------------


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**31 else None


def _ints(values: list[str]) -> list[int]:
    return [n for n in (_int(v) for v in values) if n is not None]


def _version() -> int | None:
    return _int(request.form.get("version"))


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


def queue_query(filters: dict[str, str]) -> sa.Select:
    query = sa.select(ModerationItem)
    if _int(filters.get("process")):
        query = query.where(ModerationItem.process_id == _int(filters["process"]))
    if _int(filters.get("survey")):
        query = query.where(ModerationItem.survey_id == _int(filters["survey"]))
    if _int(filters.get("question")):
        query = query.where(ModerationItem.question_id == _int(filters["question"]))
    if filters.get("state") in {s.value for s in ItemState}:
        query = query.where(ModerationItem.state == ItemState(filters["state"]))
    if _int(filters.get("theme")):
        query = query.where(
            ModerationItem.id.in_(
                sa.select(item_themes.c.item_id).where(item_themes.c.theme_id == _int(filters["theme"]))
            )
        )
    if _int(filters.get("territory")):
        query = query.where(ModerationItem.territory_id == _int(filters["territory"]))
    if filters.get("flagged") in ("1", "0"):
        query = query.where(ModerationItem.flagged.is_(filters["flagged"] == "1"))
    if filters.get("language") in ("fr", "en"):
        query = query.where(ModerationItem.language == filters["language"])
    if filters.get("q"):
        query = query.where(ModerationItem.text.icontains(filters["q"][:200], autoescape=True))
    return query.order_by(ModerationItem.created_at.desc(), ModerationItem.id.desc())


@dataclass
class QueuePage:
    """One page of the queue. The total is counted up to COUNT_CAP only, so that the page costs the same with
    100 items or 100,000 (an exact count grows with the data)."""

    items: list[ModerationItem]
    page: int
    total: int
    capped: bool
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def queue_page(query: sa.Select, page: int, *options: Any) -> QueuePage:
    page = min(page, MAX_PAGE)
    rows = db.session.scalars(query.options(*options).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    counted = query.with_only_columns(ModerationItem.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    return QueuePage(list(rows[:PER_PAGE]), page, min(total, COUNT_CAP), total > COUNT_CAP, len(rows) > PER_PAGE)


def _load_item(item_id: int) -> ModerationItem:
    return db.get_or_404(ModerationItem, item_id)


def _load_process(process_id: int) -> Process:
    return db.get_or_404(Process, process_id)


def _published_orientation_or_404(orientation_id: int) -> Orientation:
    orientation = db.get_or_404(Orientation, orientation_id)
    if orientation.state not in PUBLISHED_ORIENTATION_STATES or orientation.process.status is ProcessStatus.DRAFT:
        abort(404)
    return orientation


# --- the queue --------------------------------------------------------------------------------------------


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
        _int(request.args.get("page")) or 1,
        selectinload(ModerationItem.themes),
        selectinload(ModerationItem.territory),
        selectinload(ModerationItem.question),
    )
    process_id = _int(filters.get("process"))
    processes = db.session.scalars(sa.select(Process).order_by(Process.title_fr)).all()
    surveys = db.session.scalars(
        sa.select(Survey).where(Survey.process_id == process_id).order_by(Survey.title_fr)
        if process_id
        else sa.select(Survey).order_by(Survey.title_fr)
    ).all()
    theme_query = sa.select(Theme).where(Theme.merged_into_id.is_(None)).order_by(Theme.name_fr)
    if process_id:
        theme_query = theme_query.where(Theme.process_id == process_id)
    question = db.session.get(Question, _int(filters["question"])) if _int(filters.get("question")) else None
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
    ids = _ints(request.form.getlist("item"))
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
        theme = db.session.get(Theme, _int(request.form.get("theme")) or 0)
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


# --- one item ---------------------------------------------------------------------------------------------


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


@bp.get("/moderation/items/<int:item_id>")
@facilitator_required
@records_access
def show_item(item_id: int):
    return _item_page(_load_item(item_id))


@bp.post("/moderation/items/<int:item_id>/decide")
@facilitator_required
@records_access
def decide_item(item_id: int):
    item = _load_item(item_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        return _item_page(item, decision_form=form, status=400)
    action = request.form.get("action", "")
    if action not in ("approve", "approve_original", "reject", "needs_redaction", "undo"):
        flash(_("Choose a decision."), "error")
        return redirect(url_for(".show_item", item_id=item.id))
    if action == "reject" and not form.reason.data:
        form.reason.errors.append(_("Choose a reason."))
        return _item_page(item, decision_form=form, status=400)
    with attempt(success=DECIDED[action]):
        if action in ("approve", "approve_original"):
            decisions.approve(item, current_user, _version(), keep_original=action == "approve_original")
        elif action == "reject":
            duplicate = db.session.get(ModerationItem, form.duplicate_of.data) if form.duplicate_of.data else None
            decisions.reject(
                item,
                current_user,
                _version(),
                RejectReason(form.reason.data),
                duplicate_of=duplicate,
                note=form.note.data or "",
            )
        elif action == "needs_redaction":
            decisions.needs_redaction(item, current_user, _version())
        else:
            decisions.undo(item, current_user, _version())
    return redirect(url_for(".show_item", item_id=item_id))


@bp.post("/moderation/items/<int:item_id>/redact")
@facilitator_required
def redact_item(item_id: int):
    item = _load_item(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    with attempt(success=_("Redaction saved.")):
        if request.form.get("reset"):
            redaction.reset_redaction(item, current_user, _version())
        else:
            redaction.redact_detected(item, current_user, _version())
    return redirect(url_for(".show_item", item_id=item_id))


@bp.post("/moderation/items/<int:item_id>/redact-selection")
@facilitator_required
@records_access
def redact_item_selection(item_id: int):
    item = _load_item(item_id)
    form = RedactSelectionForm()
    if not form.validate_on_submit():
        return _item_page(item, selection_form=form, status=400)
    with attempt(form, success=_("Redaction saved.")) as done:
        redaction.redact_selection(
            item,
            current_user,
            _version(),
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
    item = _load_item(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    theme = db.session.get(Theme, _int(request.form.get("theme")) or 0)
    if theme is None or theme.process_id != item.process_id:
        flash(_("Choose a theme."), "error")
        return redirect(url_for(".show_item", item_id=item.id))
    if request.form.get("remove"):
        themes.untag_item(theme, item.id, current_user)
    else:
        themes.tag_items(theme, [item.id], current_user)
    flash(_("Themes saved."), "success")
    return redirect(url_for(".show_item", item_id=item.id))


# --- themes -----------------------------------------------------------------------------------------------


@bp.route("/moderation/processes/<int:process_id>/themes", methods=["GET", "POST"])
@facilitator_required
def list_themes(process_id: int):
    process = _load_process(process_id)
    form = ThemeForm()
    if form.validate_on_submit():
        with attempt(success=_("Theme created.")) as done:
            themes.create_theme(
                process,
                current_user,
                form.name_fr.data,
                form.name_en.data or "",
                form.description_fr.data or "",
                form.description_en.data or "",
            )
        if done:
            return redirect(url_for(".list_themes", process_id=process.id))
    active = themes.active_themes(process.id)
    return render_template(
        "moderation/themes.html",
        process=process,
        form=form,
        themes=active,
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
        with attempt(success=_("Theme saved.")) as done:
            themes.update_theme(
                theme,
                current_user,
                name_fr=form.name_fr.data,
                name_en=form.name_en.data or "",
                description_fr=form.description_fr.data or "",
                description_en=form.description_en.data or "",
            )
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
    target = db.session.get(Theme, _int(request.form.get("into")) or 0)
    if target is None:
        flash(_("Choose the theme to merge into."), "error")
        return redirect(url_for(".edit_theme", theme_id=theme.id))
    with attempt(success=_("Themes merged.")) as done:
        themes.merge_themes(theme, target, current_user)
    if not done:
        return redirect(url_for(".edit_theme", theme_id=theme_id))
    return redirect(url_for(".list_themes", process_id=target.process_id))


# --- suggestions ------------------------------------------------------------------------------------------


@bp.get("/moderation/processes/<int:process_id>/suggestions")
@facilitator_required
def show_suggestions(process_id: int):
    process = _load_process(process_id)
    groups = suggestions.suggest(process.id, dismissed=session.get(DISMISSED_KEY, []))
    return render_template("moderation/suggestions.html", process=process, groups=groups, empty_form=EmptyForm())


@bp.post("/moderation/processes/<int:process_id>/suggestions")
@facilitator_required
def apply_suggestion(process_id: int):
    process = _load_process(process_id)
    back = url_for(".show_suggestions", process_id=process.id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    ids = suggestions.approved_ids(process, _ints(request.form.getlist("item")))
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
            theme = suggestions.group_to_theme(process, current_user, ids, name)
            target = url_for(".list_themes", process_id=process.id)
            message = ngettext(
                "Theme “%(name)s” created with %(num)d item.",
                "Theme “%(name)s” created with %(num)d items.",
                len(ids),
                name=theme.name_fr,
            )
        else:
            orientation = orient.create_orientation(process, current_user, title_fr=name, item_ids=ids)
            target = url_for(".manage_orientation", orientation_id=orientation.id)
            message = _("Draft orientation created with its evidence.")
    if not done:
        return redirect(back)
    flash(message, "success")
    return redirect(target)


# --- orientations (facilitators) --------------------------------------------------------------------------


@bp.get("/moderation/processes/<int:process_id>/orientations")
@facilitator_required
def list_orientations(process_id: int):
    process = _load_process(process_id)
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
def new_orientation(process_id: int):
    process = _load_process(process_id)
    form = OrientationForm()
    theme = db.session.get(Theme, _int(request.values.get("theme")) or 0)
    if theme is not None and theme.process_id != process.id:
        theme = None
    ids = _ints(request.values.getlist("item"))
    if theme is not None:
        ids = sorted(set(ids) | set(orient.theme_item_ids(theme)))
        if request.method == "GET" and not form.title_fr.data:
            form.title_fr.data, form.title_en.data = theme.name_fr, theme.name_en
    ids = suggestions.approved_ids(process, ids)
    if form.validate_on_submit():
        with attempt(success=_("Draft orientation created.")) as done:
            orientation = orient.create_orientation(
                process,
                current_user,
                title_fr=form.title_fr.data,
                title_en=form.title_en.data or "",
                statement_fr=form.statement_fr.data or "",
                statement_en=form.statement_en.data or "",
                rationale_fr=form.rationale_fr.data or "",
                rationale_en=form.rationale_en.data or "",
                item_ids=ids,
                note=form.note.data or "",
            )
        if done:
            return redirect(url_for(".manage_orientation", orientation_id=orientation.id))
    selected = db.session.scalars(sa.select(ModerationItem).where(ModerationItem.id.in_(ids))).all() if ids else []
    return render_template(
        "moderation/orientation_form.html",
        process=process,
        form=form,
        orientation=None,
        selected=selected,
        theme=theme,
    ), (400 if form.errors else 200)


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
    numbers = [r.number for r in revisions]
    old_n = _int(request.args.get("from"))
    new_n = _int(request.args.get("to"))
    changes = None
    old = new = None
    if len(revisions) >= 2:
        new = next((r for r in revisions if r.number == new_n), revisions[-1])
        old = next((r for r in revisions if r.number == old_n), None) or next(
            (r for r in reversed(revisions) if r.number < new.number), revisions[0]
        )
        changes = orient.diff(old, new)
    return render_template(
        "moderation/history.html",
        orientation=orientation,
        revisions=revisions,
        numbers=numbers,
        old=old,
        new=new,
        changes=changes,
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
    item_id = _int(request.form.get("item"))
    if item_id is None:
        return _back_to_orientation(orientation_id, _("Choose an item."))
    orient.set_quote(orientation, item_id, request.form.get("chosen") == "1", current_user)
    flash(_("Quotes saved."), "success")
    return _back_to_orientation(orientation_id)


@bp.post("/moderation/orientations/<int:orientation_id>/ballot")
@facilitator_required
def add_orientation_to_ballot(orientation_id: int):
    orientation = _orientation_for_button(orientation_id)
    ballot = db.session.get(Ballot, _int(request.form.get("ballot")) or 0)
    if ballot is None:
        return _back_to_orientation(orientation_id, _("Choose a draft ballot of the same process."))
    with attempt(success=_("The orientation is now an option of the ballot.")):
        ballot_links.add_to_ballot(orientation, ballot, current_user)
    return _back_to_orientation(orientation_id)


@bp.post("/moderation/orientations/<int:orientation_id>/merge")
@facilitator_required
def merge_orientation(orientation_id: int):
    orientation = _orientation_for_button(orientation_id)
    other = db.session.get(Orientation, _int(request.form.get("other")) or 0)
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
                _ints(request.form.getlist("item")),
                title_fr=form.title_fr.data,
                title_en=form.title_en.data or "",
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


# --- partners ---------------------------------------------------------------------------------------------


@bp.get("/p/<slug>/orientations")
@login_required
def partner_orientations(slug: str):
    process = get_visible_process_or_404(slug)
    published = db.session.scalars(
        sa.select(Orientation)
        .where(Orientation.process_id == process.id, Orientation.state.in_(PUBLISHED_ORIENTATION_STATES))
        .order_by(Orientation.id)
    ).all()
    return render_template(
        "moderation/partner_orientations.html",
        process=process,
        orientations=published,
        can_contribute=_contributions_open(process),
    )


@bp.get("/orientations/<int:orientation_id>")
@login_required
def partner_orientation(orientation_id: int):
    orientation = _published_orientation_or_404(orientation_id)
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
@login_required
def comment_orientation(orientation_id: int):
    orientation = _published_orientation_or_404(orientation_id)
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
@login_required
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
