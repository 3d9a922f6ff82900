"""Process management for facilitators (``/manage/processes``): list, create, edit (with the list of phases),
change the status. The work is in app/processes/operations.py. Administrators keep users, organizations and
territories (app/admin/)."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.core.extensions import db
from app.models import IllegalTransition, Process, ProcessStatus, Territory
from app.processes import bp
from app.processes.forms import ProcessForm, ProcessStatusForm
from app.processes.operations import TEXT_FIELDS, PhaseInput, change_process_status, save_process
from app.web.fields import choices
from app.web.forms import attempt, submitted
from app.web.i18n import local_today


@bp.get("/manage/processes")
@facilitator_required
def list_processes():
    processes = db.session.execute(
        db.select(Process).options(db.selectinload(Process.phases)).order_by(Process.created_at.desc())
    ).scalars()
    return render_template("processes/manage_list.html", processes=processes, today=local_today())


def _form_data(process: Process) -> dict:
    data = {name: getattr(process, name) for name in TEXT_FIELDS}
    data["territory_ids"] = [t.id for t in process.territories]
    data["phases"] = [
        {
            "name_fr": p.name_fr,
            "name_en": p.name_en,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
            "kind": p.kind.value if p.kind else "",
            "description_fr": p.description_fr,
            "description_en": p.description_en,
        }
        for p in process.phases
    ]
    data["phases"].append({})  # one empty row: a new phase
    return data


def _rows(form: ProcessForm) -> list[PhaseInput]:
    return [
        PhaseInput(
            index=index,
            name_fr=(entry.form.name_fr.data or "").strip(),
            name_en=(entry.form.name_en.data or "").strip(),
            starts_on=entry.form.starts_on.data,
            ends_on=entry.form.ends_on.data,
            kind=entry.form.kind.data or "",
            description_fr=entry.form.description_fr.data or "",
            description_en=entry.form.description_en.data or "",
            remove=bool(entry.form.remove.data),
        )
        for index, entry in enumerate(form.phases.entries)
    ]


def _place_errors(form: ProcessForm, reasons) -> list[tuple[str, str]]:
    """Put each reason next to its field (a phase's fields too) and list them for the summary, in words."""
    items = []
    for name, message in reasons:
        field = None
        if name and name.startswith("phases-"):
            _prefix, index, sub = name.split("-", 2)
            if int(index) < len(form.phases.entries):
                field = form.phases.entries[int(index)].form[sub]
            text = str(message)
        else:
            field = getattr(form, name, None) if name else None
            text = f"{field.label.text} — {message}" if field is not None else str(message)
        if field is not None:
            field.errors = [*field.errors, message]
        items.append((field.id if field is not None else None, text))
    return items


def _summary(form: ProcessForm) -> list[tuple[str, str]]:
    """The form's own validation errors, each named in words (a phase's with its number and the field's label)."""
    items = []
    for name in ("slug", "title_fr", "title_en", "purpose_fr", "purpose_en", "territory_ids"):
        for error in form[name].errors:
            items.append((form[name].id, f"{form[name].label.text} — {error}"))
    for index, entry in enumerate(form.phases.entries):
        for field in entry.form:
            for error in field.errors:
                text = _(
                    "Phase %(number)d, %(field)s: %(message)s", number=index + 1, field=field.label.text, message=error
                )
                items.append((field.id, text))
    return items


@bp.route("/manage/processes/new", methods=["GET", "POST"], defaults={"process_id": None})
@bp.route("/manage/processes/<int:process_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_process(process_id: int | None):
    process = db.get_or_404(Process, process_id) if process_id else Process(status=ProcessStatus.DRAFT)
    form = ProcessForm(data=_form_data(process) if request.method == "GET" else None)
    territories = db.session.execute(db.select(Territory).order_by(Territory.name)).scalars().all()
    form.territory_ids.choices = choices((t.id, t.name) for t in territories)
    status = 200
    errors: list[tuple[str, str]] = []
    if request.method == "POST":
        if form.validate_on_submit():
            chosen = [t for t in territories if t.id in set(form.territory_ids.data or [])]
            fields = {name: form[name].data or "" for name in TEXT_FIELDS}  # stored as typed
            with attempt(quiet=True, success=_("Process saved.")) as done:
                save_process(current_user, process, fields=fields, territories=chosen, phases=_rows(form))
            if done:
                return redirect(url_for(".manage_process", process_id=process.id))
            errors = _place_errors(form, done.error.reasons())
        else:
            errors = _summary(form)
        status = 400
        if not any(not (e.form.name_fr.data or e.form.starts_on.data) for e in form.phases.entries):
            form.phases.append_entry()  # keep an empty row for one more phase
    return render_template("processes/manage_form.html", form=form, process=process, errors=errors), status


@bp.get("/manage/processes/<int:process_id>")
@facilitator_required
def manage_process(process_id: int):
    process = db.get_or_404(Process, process_id)
    status_form = ProcessStatusForm(status=process.status.value)
    return render_template("processes/manage_show.html", process=process, status_form=status_form, today=local_today())


@bp.post("/manage/processes/<int:process_id>/status")
@facilitator_required
def change_status(process_id: int):
    process = db.get_or_404(Process, process_id)
    form = ProcessStatusForm()
    if submitted(form, otherwise=_("Choose one of the listed statuses.")):
        refused = _("This change of status is not allowed from the current status.")
        with attempt(success=_("Status changed."), wording={IllegalTransition: refused}):
            change_process_status(current_user, process, ProcessStatus(form.status.data))
    return redirect(url_for(".manage_process", process_id=process.id))
