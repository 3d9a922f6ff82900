"""Facilitators' views of whole surveys: the list by process, a new survey (blank or from a template), a survey's
page, its settings, its status (open, close, archive, restore), a copy and its deletion."""

from functools import partial

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.auth.access import facilitator_required
from app.builder import bp, queries
from app.builder.catalog import list_templates
from app.builder.forms import NewSurveyForm, SurveySettingsForm
from app.builder.operations import (
    BuilderError,
    change_status,
    create_blank_survey,
    create_from_template,
    delete_survey,
    describe_path,
    duplicate_survey,
    has_responses,
    opening_problems,
    save_metadata,
    survey_problems,
)
from app.builder.paper_version import condition_in_words, numbering
from app.builder.views.common import process_choices, public_path, public_url, survey_button, survey_or_404
from app.compliance.retention import purge_notice
from app.core.extensions import db
from app.models import Process, ResponseStatus, SurveyStatus, utcnow
from app.web.fields import EmptyForm, choices, utc_to_local
from app.web.forms import action_routes, attempt, button, submitted
from app.web.i18n import current_language, localized
from app.web.urls import int_arg

SETTINGS = (
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
STRIPPED = ("title_fr", "title_en", "intro_fr", "intro_en", "privacy_fr", "privacy_en", "slug")


@bp.get("/surveys")
@facilitator_required
def list_surveys():
    processes = queries.processes()
    chosen = int_arg("process")
    return render_template(
        "builder/list.html",
        processes=[p for p in processes if not chosen or p.id == chosen],
        all_processes=processes,
        chosen=chosen,
        by_process=queries.surveys_by_process(chosen),
        counts=queries.complete_counts(),
    )


@bp.route("/surveys/new", methods=["GET", "POST"])
@facilitator_required
def new_survey():
    templates = list_templates()
    form = NewSurveyForm(process_id=int_arg("process"))
    form.process_id.choices = process_choices()
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


@bp.get("/surveys/<int:survey_id>")
@facilitator_required
def show_survey(survey_id: int):
    survey = survey_or_404(survey_id)
    counts = queries.response_counts(survey)
    blocking = opening_problems(survey, utcnow()) if survey.status in {SurveyStatus.DRAFT, SurveyStatus.CLOSED} else []
    infos = numbering(survey, current_language())
    return render_template(
        "builder/show.html",
        conditions={
            **{f"page-{p.id}": condition_in_words(p.relevant, infos) for p in survey.pages if p.relevant},
            **{f"question-{q.id}": condition_in_words(q.relevant, infos) for q in survey.questions if q.relevant},
        },
        survey=survey,
        answered=has_responses(survey),
        complete=counts.get(ResponseStatus.COMPLETE, 0),
        in_progress=counts.get(ResponseStatus.IN_PROGRESS, 0),
        problems=[f"{describe_path(survey, p.path)} — {p.message}" for p in survey_problems(survey)],
        blocking=blocking,
        public_path=public_path(survey),
        public_url=public_url(survey),
        purge=purge_notice(survey, utcnow()),
        form=EmptyForm(),
    )


@bp.route("/surveys/<int:survey_id>/settings", methods=["GET", "POST"])
@facilitator_required
def edit_survey(survey_id: int):
    survey = survey_or_404(survey_id)
    data = {name: getattr(survey, name) for name in SETTINGS}
    data.update(
        anonymity=survey.anonymity.value,
        opens_at=utc_to_local(survey.opens_at),
        closes_at=utc_to_local(survey.closes_at),
    )
    form = SurveySettingsForm(data=data if request.method == "GET" else None)
    if form.validate_on_submit() and _dates_in_range(form):
        fields = {name: getattr(form, name).data for name in SETTINGS}
        for name in STRIPPED:
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


def _change_status(target: SurveyStatus, success, survey_id: int):
    survey = survey_or_404(survey_id)
    change = partial(change_status, current_user, survey, target, utcnow())
    return survey_button(survey_id, change, success=success, heading=_("The status did not change:"))


action_routes(
    bp,
    "/surveys/<int:survey_id>/{}",
    facilitator_required,
    _change_status,
    {
        "open_survey": ("open", SurveyStatus.OPEN, _l("The survey is open: its links now accept responses.")),
        "close_survey": ("close", SurveyStatus.CLOSED, _l("The survey is closed: it no longer accepts responses.")),
        "archive_survey": ("archive", SurveyStatus.ARCHIVED, _l("The survey is archived.")),
        "restore_survey": ("restore", SurveyStatus.CLOSED, _l("The survey is back among the closed surveys.")),
    },
)


@bp.post("/surveys/<int:survey_id>/duplicate")
@facilitator_required
def copy_survey(survey_id: int):
    survey = survey_or_404(survey_id)
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
    survey = survey_or_404(survey_id)
    deleted = _("The survey “%(title)s” was deleted.", title=localized(survey, "title"))
    if button(partial(delete_survey, current_user, survey), success=deleted):
        return redirect(url_for(".list_surveys"))
    return redirect(url_for(".show_survey", survey_id=survey_id))
