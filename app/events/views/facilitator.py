"""Facilitators record the events of a process, their attendance and the ideas heard there."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.compliance import audit
from app.core.extensions import db
from app.core.queries import rows_where
from app.events import bp, ideas
from app.events.audiences import AUDIENCES, audience_choices
from app.events.forms import IdeasForm, ImportIdeasForm, KindForm, attendance_field_name, event_form_class
from app.events.kinds import add_kind, kind_label, kinds_of
from app.events.operations import EventData, delete_event, idea_count, save_event
from app.events.phases import outside_phases, phases_of
from app.events.timeline import events_of
from app.events.views import live as live_views
from app.models import Event, EventScope, LiveRoom, Organization, Process, Territory, utcnow
from app.web.fields import EmptyForm, choices, utc_to_local
from app.web.forms import attempt, button, form_action


def _event_or_404(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _event_form(process: Process, event: Event | None = None, formdata=None):
    form_class = event_form_class()
    if event is None or formdata is not None:
        form = form_class(formdata=formdata)
    else:
        data = {
            "kind": event.kind,
            "title_fr": event.title_fr,
            "title_en": event.title_en,
            "starts_at": utc_to_local(event.starts_at),
            "scope": event.scope.value,
            "territory_id": event.territory_id or 0,
            "phase_id": event.phase_id or 0,
            "host_ids": [org.id for org in event.hosts],
            "summary_fr": event.summary_fr,
            "summary_en": event.summary_en,
            **{attendance_field_name(row.audience): row.count for row in event.attendance},
        }
        form = form_class(formdata=formdata, data=data)
    form.kind.choices = choices(kinds_of(process))
    territories = db.session.scalars(sa.select(Territory).order_by(Territory.name)).all()
    form.territory_id.choices = choices([(0, "—")] + [(t.id, t.name) for t in territories])
    form.phase_id.choices = choices([(0, "—")] + [(p.id, p.name) for p in phases_of(process)])
    organizations = db.session.scalars(sa.select(Organization).order_by(Organization.name)).all()
    form.host_ids.choices = choices((org.id, org.name) for org in organizations)
    return form


def _data_of(form) -> EventData:
    return EventData(
        kind=form.kind.data,
        title_fr=form.title_fr.data or "",
        title_en=form.title_en.data or "",
        starts_at=form.starts_at.utc,
        scope=EventScope(form.scope.data),
        territory_id=form.territory_id.data or None,
        phase_id=form.phase_id.data or None,
        host_ids=form.host_ids.data or [],
        attendance={audience: form[attendance_field_name(audience)].data for audience in AUDIENCES},
        summary_fr=form.summary_fr.data or "",
        summary_en=form.summary_en.data or "",
    )


def _warn_outside_phases(process: Process, event: Event) -> None:
    if outside_phases(process, utc_to_local(event.starts_at).date()):
        flash(_("Note: this date is outside the phases of the process. The event is saved all the same."), "warning")


def _render_form(process: Process, form, event: Event | None, status: int = 200):
    return render_template(
        "events/form.html",
        process=process,
        form=form,
        event=event,
        count_fields=[form[attendance_field_name(a)] for a in AUDIENCES],
    ), status


@bp.get("/processes/<int:process_id>/events")
@facilitator_required
def list_events(process_id: int):
    process = db.get_or_404(Process, process_id)
    return render_template(
        "events/list.html",
        process=process,
        events=events_of(process),
        kind_label=lambda key: kind_label(process, key),
        kind_form=KindForm(),
        kinds=kinds_of(process),
    )


@bp.route("/processes/<int:process_id>/events/new", methods=["GET", "POST"])
@facilitator_required
def new_event(process_id: int):
    process = db.get_or_404(Process, process_id)
    form = _event_form(process, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_form(process, form, None, 400)
        with attempt(form, success=_("Event saved.")) as done:
            event = save_event(process, _data_of(form), current_user)
            audit.record(current_user, "create_event", event)
        if done:
            _warn_outside_phases(process, event)
            return redirect(url_for(".show_event", event_id=event.id))
    return _render_form(process, form, None)


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_event(event_id: int):
    event = _event_or_404(event_id)
    process = event.process
    form = _event_form(process, event, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _render_form(process, form, event, 400)
        with attempt(form, success=_("Event saved.")) as done:
            save_event(process, _data_of(form), current_user, event)
            audit.record(current_user, "edit_event", event)
        if done:
            _warn_outside_phases(process, event)
            return redirect(url_for(".show_event", event_id=event.id))
    return _render_form(process, form, event)


@bp.get("/events/<int:event_id>")
@facilitator_required
def show_event(event_id: int):
    event = _event_or_404(event_id)
    return _render_event(event, IdeasForm(), ImportIdeasForm())


def _render_event(event: Event, ideas_form, import_form, status: int = 200, problems=()):
    ideas_form.audience.choices = choices([("", "—"), *audience_choices()])
    return render_template(
        "events/show.html",
        event=event,
        process=event.process,
        kind_label=kind_label(event.process, event.kind),
        ideas_form=ideas_form,
        import_form=import_form,
        idea_count=idea_count(event),
        outside_phases=outside_phases(event.process, utc_to_local(event.starts_at).date()),
        problems=problems,
        delete_form=EmptyForm(),
        live_ballots=live_views.open_ballots(event.process_id),
        rooms=rows_where(LiveRoom, LiveRoom.event_id == event.id, order_by=LiveRoom.opened_at.desc()),
        now=utcnow(),
    ), status


@bp.post("/events/<int:event_id>/delete")
@facilitator_required
def delete_event_view(event_id: int):
    event = _event_or_404(event_id)
    process_id = event.process_id

    def delete() -> None:
        audit.record(current_user, "delete_event", event)
        delete_event(event)

    if button(delete, success=_("Event deleted.")):
        return redirect(url_for(".list_events", process_id=process_id))
    return redirect(url_for(".show_event", event_id=event_id))


@bp.post("/processes/<int:process_id>/event-kinds")
@facilitator_required
def add_event_kind(process_id: int):
    process = db.get_or_404(Process, process_id)
    form = KindForm()
    form_action(
        form, lambda: add_kind(process, form.label_fr.data, form.label_en.data or ""), success=_("Kind of event added.")
    )
    for field in (form.label_fr, form.label_en):
        for error in field.errors:
            flash(f"{field.label.text} — {error}", "error")
    return redirect(url_for(".list_events", process_id=process.id))


@bp.post("/events/<int:event_id>/ideas")
@facilitator_required
def add_ideas(event_id: int):
    event = _event_or_404(event_id)
    form = IdeasForm()
    form.audience.choices = choices([("", "—"), *audience_choices()])
    if not form.validate_on_submit():
        return _render_event(event, form, ImportIdeasForm(), 400)
    texts = ideas.split_lines(form.ideas.data)
    with attempt(form) as done:
        created = ideas.add_ideas(
            event,
            [ideas.Idea(text, group=form.group.data or None, audience=form.audience.data or None) for text in texts],
        )
        audit.record(current_user, "add_event_ideas", event, count=len(created))
    if not done:
        return _render_event(event, form, ImportIdeasForm(), 400)
    flash(_("%(count)d ideas added to the moderation queue.", count=len(created)), "success")
    return redirect(url_for(".show_event", event_id=event.id) + "#ideas-title")


@bp.post("/events/<int:event_id>/ideas/import")
@facilitator_required
def import_ideas(event_id: int):
    event = _event_or_404(event_id)
    form = ImportIdeasForm()
    if not form.validate_on_submit():
        return _render_event(event, IdeasForm(), form, 400)
    upload = form.file.data
    with attempt(form, quiet=True) as done:
        rows = ideas.read_ideas(upload.filename or "", upload.read())
        created = ideas.add_ideas(event, rows)
        audit.record(current_user, "import_event_ideas", event, count=len(created))
    if not done:
        return _render_event(event, IdeasForm(), form, 400, problems=done.error.reasons())
    flash(_("%(count)d ideas imported into the moderation queue.", count=len(created)), "success")
    return redirect(url_for(".show_event", event_id=event.id) + "#ideas-title")
