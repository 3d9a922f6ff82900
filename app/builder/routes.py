"""Builder views: thin; the work is done in operations.py, definition.py, xlsform.py, invitations.py and paper.py.

Links to the respondent side are plain paths: the public link ``/s/<slug>``, the preview ``/s/<slug>?preview=1``
and the paper data entry ``/surveys/<id>/paper``.
"""

import json
import logging
from datetime import timedelta
from pathlib import PurePath

from flask import Response as FlaskResponse
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import facilitator_required
from app.builder import bp, condition_editor
from app.builder.catalog import list_templates
from app.builder.definition import MAX_ANSWER_LENGTH, DefinitionInvalid, export_definition, import_definition
from app.builder.forms import (
    ImportForm,
    InvitationsForm,
    MoveForm,
    NewSurveyForm,
    PageForm,
    QuestionForm,
    QuestionTypeForm,
    SurveySettingsForm,
    question_data,
    question_form,
    question_form_data,
    shown_fields,
)
from app.builder.invitations import (
    InvitationError,
    create_invitations,
    invitations_csv,
    parse_emails,
    send_invitation_mails,
)
from app.builder.operations import (
    BuilderError,
    add_page,
    change_status,
    create_blank_survey,
    create_from_template,
    delete_page,
    delete_question,
    delete_survey,
    describe_path,
    duplicate_survey,
    has_responses,
    move_choice,
    move_page,
    move_question,
    move_question_to_new_page,
    opening_problems,
    question_has_answers,
    same_page_references,
    save_metadata,
    save_page,
    save_question,
    survey_problems,
)
from app.builder.paper_version import condition_in_words, numbering
from app.builder.qr import qr_png, qr_svg
from app.builder.reminders import summary as reminder_summary
from app.builder.xlsform import XLSFormInvalid, read_xlsform
from app.compliance.retention import purge_notice
from app.core.extensions import db
from app.events.links import event_choices, event_id_in
from app.models import (
    Choice,
    Invitation,
    Process,
    Question,
    Response,
    ResponseStatus,
    Survey,
    SurveyPage,
    SurveyStatus,
    Territory,
    utcnow,
)
from app.questions import find_type, question_type
from app.web.fields import EmptyForm, choices, utc_to_local
from app.web.forms import attempt, populate_errors, submitted
from app.web.i18n import current_language, localized
from app.web.urls import external_url, int_arg

logger = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024  # default of the SURVEY_IMPORT_MAX_BYTES setting
MAX_SHOWN_PROBLEMS = 50
MOVE_TEXT = _l("Choose to move up or down.")


# ---------------------------------------------------------------------------------------------------- helpers


def _survey(survey_id: int) -> Survey:
    return db.get_or_404(Survey, survey_id)


def _page(survey: Survey, page_id: int) -> SurveyPage:
    page = db.get_or_404(SurveyPage, page_id)
    if page.survey_id != survey.id:
        abort(404)
    return page


def _question(survey: Survey, question_id: int) -> Question:
    question = db.get_or_404(Question, question_id)
    if question.survey_id != survey.id:
        abort(404)
    return question


def public_path(survey: Survey) -> str:
    return f"/s/{survey.slug}"


def public_url(survey: Survey) -> str:
    return external_url("respond.show_survey", slug=survey.slug)


def _process_choices() -> list:
    processes = db.session.execute(db.select(Process).order_by(Process.created_at.desc())).scalars()
    return choices((p.id, localized(p, "title")) for p in processes)


# ---------------------------------------------------------------------------------------------------- surveys


@bp.get("/surveys")
@facilitator_required
def list_surveys():
    processes = db.session.execute(db.select(Process).order_by(Process.created_at.desc())).scalars().all()
    chosen = int_arg("process")
    query = db.select(Survey).order_by(Survey.created_at.desc(), Survey.id.desc())
    if chosen:
        query = query.where(Survey.process_id == chosen)
    surveys = db.session.execute(query).scalars().all()
    counts = dict(
        db.session.execute(
            db.select(Response.survey_id, db.func.count(Response.id))
            .where(Response.status == ResponseStatus.COMPLETE)
            .group_by(Response.survey_id)
        ).all()
    )
    by_process: dict[int, list[Survey]] = {}
    for survey in surveys:
        by_process.setdefault(survey.process_id, []).append(survey)
    return render_template(
        "builder/list.html",
        processes=[p for p in processes if not chosen or p.id == chosen],
        all_processes=processes,
        chosen=chosen,
        by_process=by_process,
        counts=counts,
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
@facilitator_required
def new_survey():
    templates = list_templates()
    form = NewSurveyForm(process_id=int_arg("process"))
    form.process_id.choices = _process_choices()
    language = current_language()
    form.start.choices = choices(
        [
            ("blank", _("A blank survey")),
            *(
                (
                    t.key,
                    _(
                        "Template: %(title)s (%(count)d questions)",
                        title=t.title_en if language == "en" else t.title_fr,
                        count=t.question_count,
                    ),
                )
                for t in templates
            ),
        ]
    )
    if not form.process_id.choices:
        flash(_("Create a process first: every survey belongs to a process."), "error")
    if form.validate_on_submit():
        process = db.session.get(Process, form.process_id.data)
        title_fr, title_en = (form.title_fr.data or "").strip(), (form.title_en.data or "").strip()
        if process is None:
            form.process_id.errors.append(_("Choose one of the listed processes."))
        elif form.start.data == "blank" and not title_fr:
            form.title_fr.errors.append(_("Give the French title of the survey."))
        else:
            if form.start.data == "blank":
                survey = create_blank_survey(current_user, process, title_fr, title_en)
            else:
                survey = create_from_template(current_user, process, form.start.data, title_fr, title_en)
            flash(_("Survey created. It is a draft until you open it."), "success")
            return redirect(url_for(".show_survey", survey_id=survey.id))
    return render_template("builder/new.html", form=form, templates=templates)


@bp.route("/surveys/import", methods=["GET", "POST"])
@facilitator_required
def import_survey():
    form = ImportForm(process_id=int_arg("process"))
    form.process_id.choices = _process_choices()
    problems: list[str] = []
    if form.validate_on_submit():
        process = db.session.get(Process, form.process_id.data)
        upload = form.file.data
        filename = PurePath(upload.filename or "").name
        extension = PurePath(filename).suffix.lower()
        limit = current_app.config.get("SURVEY_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES)
        data = upload.stream.read(limit + 1)
        upload.close()
        if process is None:
            form.process_id.errors.append(_("Choose one of the listed processes."))
        elif len(data) > limit:
            form.file.errors.append(_("The file is too large: at most %(kb)d KB.", kb=limit // 1024))
        elif extension not in {".json", ".xlsx"}:
            form.file.errors.append(_("Choose a .json definition or an .xlsx XLSForm workbook."))
        else:
            try:
                survey, problems = _import_file(data, extension, filename, process)
            except ValueError as exc:
                form.file.errors.append(str(exc))
                survey = None
            if survey is not None:
                flash(
                    _("Survey imported as a draft, with %(count)d questions.", count=len(survey.questions)),
                    "success",
                )
                return redirect(url_for(".show_survey", survey_id=survey.id))
            db.session.rollback()  # a refused file, shown again with 200: nothing of it is kept
            if problems:
                form.file.errors.append(_("The file was refused: nothing was imported. See the problems below."))
    return render_template(
        "builder/import.html", form=form, problems=problems[:MAX_SHOWN_PROBLEMS], more=max(0, len(problems) - 50)
    )


def _import_file(data: bytes, extension: str, filename: str, process: Process) -> tuple[Survey | None, list[str]]:
    """Import a JSON definition or an XLSForm; (survey, []) or (None, problems). ValueError: unreadable file."""
    if extension == ".json":
        try:
            document = json.loads(data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValueError(_("The file is not UTF-8 text.")) from None
        except json.JSONDecodeError as exc:
            raise ValueError(
                _("This is not valid JSON (line %(line)d, column %(column)d).", line=exc.lineno, column=exc.colno)
            ) from None
        except RecursionError:
            raise ValueError(_("This JSON is nested too deeply.")) from None
    else:
        try:
            document = read_xlsform(data, fallback_title=PurePath(filename).stem)
        except XLSFormInvalid as exc:
            return None, [str(p) for p in exc.problems]
    try:
        survey = import_definition(document, process, current_user)
    except DefinitionInvalid as exc:
        return None, [str(e) for e in exc.errors]
    return survey, []


@bp.get("/surveys/<int:survey_id>")
@facilitator_required
def show_survey(survey_id: int):
    survey = _survey(survey_id)
    answered = has_responses(survey)
    counts = dict(
        db.session.execute(
            db.select(Response.status, db.func.count(Response.id))
            .where(Response.survey_id == survey.id)
            .group_by(Response.status)
        ).all()
    )
    problems = [f"{describe_path(survey, p.path)} — {p.message}" for p in survey_problems(survey)]
    blocking = opening_problems(survey, utcnow()) if survey.status in {SurveyStatus.DRAFT, SurveyStatus.CLOSED} else []
    infos = numbering(survey, current_language())
    return render_template(
        "builder/show.html",
        conditions={
            **{f"page-{p.id}": condition_in_words(p.relevant, infos) for p in survey.pages if p.relevant},
            **{f"question-{q.id}": condition_in_words(q.relevant, infos) for q in survey.questions if q.relevant},
        },
        survey=survey,
        answered=answered,
        complete=counts.get(ResponseStatus.COMPLETE, 0),
        in_progress=counts.get(ResponseStatus.IN_PROGRESS, 0),
        problems=problems,
        blocking=blocking,
        public_path=public_path(survey),
        public_url=public_url(survey),
        purge=purge_notice(survey, utcnow()),
        form=EmptyForm(),
    )


@bp.route("/surveys/<int:survey_id>/settings", methods=["GET", "POST"])
@facilitator_required
def edit_survey(survey_id: int):
    survey = _survey(survey_id)
    names = (
        "title_fr",
        "title_en",
        "intro_fr",
        "intro_en",
        "estimated_minutes",
        "privacy_fr",
        "privacy_en",
        "retention_days",
        "contact_email",
        "slug",
    )
    data = {name: getattr(survey, name) for name in names}
    data.update(
        anonymity=survey.anonymity.value,
        opens_at=utc_to_local(survey.opens_at),
        closes_at=utc_to_local(survey.closes_at),
    )
    form = SurveySettingsForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit() and _dates_in_range(form):
        fields = {name: getattr(form, name).data for name in names}
        for name in ("title_fr", "title_en", "intro_fr", "intro_en", "privacy_fr", "privacy_en", "slug"):
            fields[name] = (fields[name] or "").strip()
        fields["contact_email"] = (fields["contact_email"] or "").strip().lower() or None
        fields["anonymity"] = form.anonymity.data
        fields["opens_at"] = form.opens_at.utc
        fields["closes_at"] = form.closes_at.utc
        # The address may have been taken by another facilitator a moment ago: the unique constraint says so.
        taken = BuilderError(_("Another survey already uses this address."), "slug")
        with attempt(form, success=_("Survey settings saved."), conflict=taken) as done:
            save_metadata(current_user, survey, fields)
        if done:
            return redirect(url_for(".show_survey", survey_id=survey.id))
    return render_template("builder/settings.html", survey=survey, form=form)


def _dates_in_range(form: SurveySettingsForm) -> bool:
    valid = True
    for field in (form.opens_at, form.closes_at):
        if field.data is not None and not 2000 <= field.data.year <= 2100:
            field.errors.append(_("Choose a date between the years 2000 and 2100."))
            valid = False
    return valid


def _status_action(survey_id: int, target: SurveyStatus, success: str):
    survey = _survey(survey_id)
    if submitted():
        with attempt(success=success, heading=_("The status did not change:")):
            change_status(current_user, survey, target, utcnow())
    return redirect(url_for(".show_survey", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/open")
@facilitator_required
def open_survey(survey_id: int):
    return _status_action(survey_id, SurveyStatus.OPEN, _("The survey is open: its links now accept responses."))


@bp.post("/surveys/<int:survey_id>/close")
@facilitator_required
def close_survey(survey_id: int):
    return _status_action(survey_id, SurveyStatus.CLOSED, _("The survey is closed: it no longer accepts responses."))


@bp.post("/surveys/<int:survey_id>/archive")
@facilitator_required
def archive_survey(survey_id: int):
    return _status_action(survey_id, SurveyStatus.ARCHIVED, _("The survey is archived."))


@bp.post("/surveys/<int:survey_id>/restore")
@facilitator_required
def restore_survey(survey_id: int):
    return _status_action(survey_id, SurveyStatus.CLOSED, _("The survey is back among the closed surveys."))


@bp.post("/surveys/<int:survey_id>/duplicate")
@facilitator_required
def copy_survey(survey_id: int):
    survey = _survey(survey_id)
    copy = None
    if submitted():
        with attempt():
            copy = duplicate_survey(current_user, survey)
    if copy is None:
        return redirect(url_for(".show_survey", survey_id=survey.id))
    flash(_("Copy created as a draft, at the address /s/%(slug)s.", slug=copy.slug), "success")
    return redirect(url_for(".show_survey", survey_id=copy.id))


@bp.post("/surveys/<int:survey_id>/delete")
@facilitator_required
def remove_survey(survey_id: int):
    survey = _survey(survey_id)
    if submitted():
        with attempt(success=_("The survey “%(title)s” was deleted.", title=localized(survey, "title"))) as done:
            delete_survey(current_user, survey)
        if done:
            return redirect(url_for(".list_surveys"))
    return redirect(url_for(".show_survey", survey_id=survey_id))


@bp.get("/surveys/<int:survey_id>/definition.json")
@facilitator_required
def export_survey(survey_id: int):
    survey = _survey(survey_id)
    body = json.dumps(export_definition(survey), ensure_ascii=False, indent=2) + "\n"
    return FlaskResponse(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{survey.slug}.json"'},
    )


# ------------------------------------------------------------------------------------------------------ pages


@bp.post("/surveys/<int:survey_id>/pages")
@facilitator_required
def new_page(survey_id: int):
    survey = _survey(survey_id)
    if not submitted():
        return redirect(url_for(".show_survey", survey_id=survey.id))
    page = add_page(survey)
    flash(_("Page %(number)d added.", number=page.position + 1), "success")
    return redirect(url_for(".edit_page", survey_id=survey.id, page_id=page.id))


@bp.route("/surveys/<int:survey_id>/pages/<int:page_id>", methods=["GET", "POST"])
@facilitator_required
def edit_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    form = PageForm(obj=page if request.method == "GET" else None)
    if form.validate_on_submit():
        fields = {
            name: getattr(form, name).data or ""
            for name in ("title_fr", "title_en", "intro_fr", "intro_en", "relevant")
        }
        with attempt(form, success=_("Page saved.")) as done:
            save_page(survey, page, fields)
        if done:
            return redirect(url_for(".show_survey", survey_id=survey.id, _anchor=f"page-{page.id}"))
    return render_template("builder/page_form.html", survey=survey, page=page, form=form)


@bp.post("/surveys/<int:survey_id>/pages/<int:page_id>/delete")
@facilitator_required
def remove_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    if submitted():
        with attempt(success=_("Page deleted, with its questions.")):
            delete_page(survey, page)
    return redirect(url_for(".show_survey", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/pages/<int:page_id>/move")
@facilitator_required
def reorder_page(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    form = MoveForm()
    if submitted(form, otherwise=MOVE_TEXT):
        with attempt(success=_("Page moved.")):
            move_page(survey, page, form.direction.data)
    return redirect(url_for(".show_survey", survey_id=survey_id, _anchor=f"page-{page_id}"))


# -------------------------------------------------------------------------------------------------- questions


def _next_code(survey: Survey) -> str:
    codes = {q.code for q in survey.questions}
    n = len(codes) + 1
    while f"q{n}" in codes:
        n += 1
    return f"q{n}"


@bp.route("/surveys/<int:survey_id>/pages/<int:page_id>/questions/new", methods=["GET", "POST"])
@facilitator_required
def new_question(survey_id: int, page_id: int):
    survey = _survey(survey_id)
    page = _page(survey, page_id)
    chosen = request.values.get("type", "")
    qtype = find_type(chosen)
    if qtype is None:
        type_form = QuestionTypeForm(request.args)
        if chosen:
            type_form.type.errors = [_("Choose one of the listed types.")]
        return render_template("builder/question_type.html", survey=survey, page=page, form=type_form)
    form = question_form(data={"type": chosen, "code": _next_code(survey)} if request.method == "GET" else None)
    if condition_editor.requested(request.form):
        return _condition_step(form, survey, page, None, find_type(form.type.data) or qtype)
    if form.validate_on_submit():
        question = _save_question_form(form, survey, page, None)
        if question is not None:
            flash(_("Question “%(code)s” added.", code=question.code), "success")
            return redirect(url_for(".show_survey", survey_id=survey.id, _anchor=f"question-{question.id}"))
    return _question_page(form, survey, page, None, find_type(form.type.data) or qtype)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@facilitator_required
def edit_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    form = question_form(data=question_form_data(question) if request.method == "GET" else None)
    if condition_editor.requested(request.form):
        return _condition_step(
            form, survey, question.page, question, find_type(form.type.data) or question_type(question)
        )
    if form.validate_on_submit():
        saved = _save_question_form(form, survey, question.page, question)
        if saved is not None:
            flash(_("Question “%(code)s” saved.", code=saved.code), "success")
            return redirect(url_for(".show_survey", survey_id=survey.id, _anchor=f"question-{saved.id}"))
        question = _question(survey, question_id)
    return _question_page(form, survey, question.page, question, find_type(form.type.data) or question_type(question))


def _save_question_form(form: QuestionForm, survey: Survey, page: SurveyPage, question: Question | None):
    data, line_problems = question_data(form)
    if line_problems:
        populate_errors(form, BuilderError.from_problems(line_problems))
        return None
    # The same code saved at the same moment by someone else: the unique constraint says so.
    message = _("Another question of this survey already uses the code “%(code)s”.", code=data["code"])
    with attempt(form, conflict=BuilderError(message, "code")) as done:
        saved = save_question(survey, page, question, data)
    return saved if done else None


def _condition_step(form: QuestionForm, survey: Survey, page: SurveyPage, question: Question | None, qtype):
    """The condition editor's button: the same page, its condition text completed (nothing saved), or the reason."""
    editor = condition_editor.Editor(
        condition_editor.earlier_questions(survey, page, question),
        chosen={name: request.form.get(name, "") for name in condition_editor.FIELDS},
    )
    with attempt(quiet=True) as done:
        form.relevant.data = condition_editor.add_clause(
            editor.questions, form.relevant.data or "", request.form, current_language()
        )
    if not done:
        editor.error, editor.error_field = done.error.message, done.error.field
    return _question_page(form, survey, page, question, qtype, editor), (200 if done else 400)


def _question_page(
    form: QuestionForm,
    survey: Survey,
    page: SurveyPage,
    question: Question | None,
    qtype,
    editor: condition_editor.Editor | None = None,
):
    shown = shown_fields(qtype)
    editor = editor or condition_editor.Editor(condition_editor.earlier_questions(survey, page, question))
    editor.words = condition_in_words(form.relevant.data or "", numbering(survey, current_language()))
    return render_template(
        "builder/question_form.html",
        survey=survey,
        page=page,
        question=question,
        form=form,
        qtype=qtype,
        shown=shown,
        answered=has_responses(survey),
        question_answered=question is not None and question_has_answers(question),
        move_form=MoveForm(),
        max_answer_length=MAX_ANSWER_LENGTH,
        condition_editor=editor,
    )


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/delete")
@facilitator_required
def remove_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    code = question.code
    if submitted():
        with attempt(success=_("Question “%(code)s” deleted.", code=code)):
            delete_question(survey, question)
    return redirect(url_for(".show_survey", survey_id=survey_id))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/move")
@facilitator_required
def reorder_question(survey_id: int, question_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    form = MoveForm()
    if submitted(form, otherwise=MOVE_TEXT):
        with attempt(success=_("Question moved.")):
            move_question(survey, question, form.direction.data)
    return redirect(url_for(".show_survey", survey_id=survey_id, _anchor=f"question-{question_id}"))


bp.add_app_template_global(same_page_references)  # templates/builder/_same_page_condition.html


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/new-page")
@facilitator_required
def move_question_to_page(survey_id: int, question_id: int):
    """A question whose condition reads its own page goes onto a new page after it (issue 16)."""
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    if submitted():
        with attempt(success=_("Question moved to a new page.")):
            move_question_to_new_page(survey, question)
    return redirect(url_for(".show_survey", survey_id=survey_id, _anchor=f"question-{question_id}"))


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/choices/<int:choice_id>/move")
@facilitator_required
def reorder_choice(survey_id: int, question_id: int, choice_id: int):
    survey = _survey(survey_id)
    question = _question(survey, question_id)
    choice = db.get_or_404(Choice, choice_id)
    if choice.question_id != question.id:
        abort(404)
    form = MoveForm()
    if submitted(form, otherwise=MOVE_TEXT):
        with attempt(success=_("Choice moved.")):
            move_choice(question, choice, form.direction.data)
    return redirect(
        url_for(".edit_question", survey_id=survey.id, question_id=question.id, _anchor=f"choice-{choice_id}")
    )


# ------------------------------------------------------------------------------------------------ distribution


def _territory_choices(survey: Survey) -> list:
    territories = (
        survey.process.territories or db.session.execute(db.select(Territory).order_by(Territory.name)).scalars().all()
    )
    return choices([("", _("— None —")), *((t.code, t.name) for t in territories)])


def _distribution_page(survey: Survey, form: InvitationsForm, status: int = 200):
    stats = db.session.execute(
        db.select(
            db.func.count(Invitation.id),
            db.func.count(Invitation.used_at),
            db.func.count(Invitation.sent_at),
        ).where(Invitation.survey_id == survey.id)
    ).one()
    form.event_id.choices = event_choices(survey.process_id)
    return (
        render_template(
            "builder/distribute.html",
            survey=survey,
            form=form,
            stats=stats,
            reminders=reminder_summary(survey),
            public_url=public_url(survey),
            public_path=public_path(survey),
        ),
        status,
    )


@bp.get("/surveys/<int:survey_id>/distribute")
@facilitator_required
def distribute(survey_id: int):
    survey = _survey(survey_id)
    form = InvitationsForm()
    form.territory.choices = _territory_choices(survey)
    return _distribution_page(survey, form)


@bp.post("/surveys/<int:survey_id>/invitations")
@facilitator_required
def new_invitations(survey_id: int):
    survey = _survey(survey_id)
    form = InvitationsForm()
    form.territory.choices = _territory_choices(survey)
    if not form.validate_on_submit():
        return _distribution_page(survey, form, 400)
    if survey.status is SurveyStatus.ARCHIVED:
        flash(_("This survey is archived: restore it before creating links."), "error")
        return _distribution_page(survey, form, 400)
    with attempt(form) as done:
        emails = parse_emails(form.emails.data or "")
        if form.send.data and not emails:
            raise InvitationError(_("List the e-mail addresses the links should be sent to."), "emails")
        expires_at = utcnow() + timedelta(days=form.expires_in_days.data) if form.expires_in_days.data else None
        created = create_invitations(
            current_user,
            survey,
            count=form.count.data,
            emails=emails,
            attributes={"territory": form.territory.data or "", "group": (form.group.data or "").strip()},
            expires_at=expires_at,
            event_id=event_id_in(survey.process_id, form.event_id.data),
        )
        sent = send_invitation_mails(survey, created) if form.send.data else 0
    if not done:
        return _distribution_page(survey, form, 400)
    logger.info("%d invitation links created for survey %s (%d e-mailed)", len(created), survey.slug, sent)
    if form.output.data == "page":
        return render_template(
            "builder/invitation_links.html",
            survey=survey,
            links=[(item.link(), item) for item in created],
            sent=sent,
        )
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    return FlaskResponse(
        invitations_csv(created),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="invitations-{survey.slug}-{stamp}.csv"',
            "Cache-Control": "no-store",
        },
    )


def _qr_response(body: bytes, mimetype: str, filename: str) -> FlaskResponse:
    headers = {"Cache-Control": "private, max-age=300"}
    if request.args.get("download"):
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return FlaskResponse(body, mimetype=mimetype, headers=headers)


@bp.get("/surveys/<int:survey_id>/qr.svg")
@facilitator_required
def qr_code_svg(survey_id: int):
    survey = _survey(survey_id)
    return _qr_response(
        qr_svg(public_url(survey), localized(survey, "title")), "image/svg+xml", f"qr-{survey.slug}.svg"
    )


@bp.get("/surveys/<int:survey_id>/qr.png")
@facilitator_required
def qr_code_png(survey_id: int):
    survey = _survey(survey_id)
    scale = int_arg("scale", 10, maximum=40)
    return _qr_response(qr_png(public_url(survey), scale), "image/png", f"qr-{survey.slug}.png")


def _print_language() -> tuple[str, str]:
    language = request.args.get("lang", current_language())
    language = language if language in {"fr", "en"} else "fr"
    return language, ("fr_CA" if language == "fr" else "en")


@bp.get("/surveys/<int:survey_id>/flyer")
@facilitator_required
def flyer(survey_id: int):
    survey = _survey(survey_id)
    language, locale = _print_language()
    text = (request.args.get("text") or "").strip()[:600]
    with force_locale(locale):
        return render_template(
            "builder/flyer.html",
            survey=survey,
            language=language,
            text=text or localized(survey, "intro", language),
            custom_text=text,
            public_url=public_url(survey),
        )


@bp.get("/surveys/<int:survey_id>/print")
@facilitator_required
def print_survey(survey_id: int):
    survey = _survey(survey_id)
    language, locale = _print_language()
    territories = (
        survey.process.territories or db.session.execute(db.select(Territory).order_by(Territory.name)).scalars().all()
    )
    with force_locale(locale):
        infos = numbering(survey, language)
        conditions = {
            **{f"page-{p.id}": condition_in_words(p.relevant, infos) for p in survey.pages},
            **{f"question-{q.id}": condition_in_words(q.relevant, infos) for q in survey.questions},
        }
        return render_template(
            "builder/print.html",
            survey=survey,
            language=language,
            infos=infos,
            conditions=conditions,
            territories=territories,
            public_url=public_url(survey),
        )
