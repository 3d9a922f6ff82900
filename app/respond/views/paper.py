"""Paper data entry (facilitators): a paper questionnaire typed in page by page or on one long page."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.compliance.audit import record, record_access
from app.compliance.retention import purge_notice
from app.core.extensions import db
from app.events.links import event_choices, event_id_in
from app.models import (
    Response,
    ResponseChannel,
    ResponseStatus,
    Survey,
    SurveyPage,
    utcnow,
)
from app.respond import bp, engine, flow, storage
from app.respond.forms import PaperStartForm
from app.respond.paper_source import check_paper_source, paper_territory_choices, source_from_args
from app.respond.tokens import is_key, new_key
from app.respond.views.common import (
    PAPER_STATUSES,
    current_locale,
    language_of,
    number_of,
    page_at,
    pressed,
    read_posted_page,
    refused_page,
    render_page,
    survey_by_id,
    survey_territories,
    switch_language,
    unavailable,
    visible_target,
)
from app.web.boundary import records_access
from app.web.fields import EmptyForm
from app.web.forms import attempt
from app.web.i18n import local_today
from app.web.urls import MAX_ID


def _paper_survey(survey_id: int) -> Survey:
    return survey_by_id(survey_id)


def _paper_response(survey: Survey, response_id: int) -> Response:
    response = db.session.get(Response, response_id) if response_id <= MAX_ID else None
    if response is None or response.survey_id != survey.id or response.channel is not ResponseChannel.PAPER:
        abort(404)
    return response


@bp.get("/surveys/<int:survey_id>/paper")
@facilitator_required
def paper_entry(survey_id: int):
    survey = _paper_survey(survey_id)
    return _paper_home(survey, PaperStartForm(locale=current_locale()))


def _paper_home(survey: Survey, form: PaperStartForm, status: int = 200):
    form.paper_territory.choices = paper_territory_choices(survey)
    counts = dict(
        db.session.execute(
            sa.select(Response.status, sa.func.count())
            .filter_by(survey_id=survey.id, channel=ResponseChannel.PAPER)
            .group_by(Response.status)
        ).all()
    )
    drafts = (
        db.session.execute(
            sa.select(Response)
            .filter_by(survey_id=survey.id, channel=ResponseChannel.PAPER, status=ResponseStatus.IN_PROGRESS)
            .order_by(Response.started_at)
        )
        .scalars()
        .all()
    )
    form.event_id.choices = event_choices(survey.process_id)
    page = render_template(
        "respond/paper_home.html",
        survey=survey,
        form=form,
        allowed=survey.status in PAPER_STATUSES,
        complete=counts.get(ResponseStatus.COMPLETE, 0),
        drafts=drafts,
        discard_form=EmptyForm(),
        purge=purge_notice(survey, utcnow()),
        page_number=lambda r: number_of(survey, page_at(survey, r.current_page)) if survey.pages else 1,
    )
    return current_app.make_response((page, status))


def _paper_refused(survey: Survey):
    flash(_("Paper questionnaires can be entered only while the questionnaire is open or closed."), "error")
    return redirect(url_for(".paper_entry", survey_id=survey.id))


@bp.post("/surveys/<int:survey_id>/paper")
@facilitator_required
def start_paper_entry(survey_id: int):
    survey = _paper_survey(survey_id)
    if survey.status not in PAPER_STATUSES:
        return _paper_refused(survey)
    form = PaperStartForm()
    form.paper_territory.choices = paper_territory_choices(survey)
    key = form.valid_key
    if not form.validate_on_submit() or key is None:
        return _paper_home(survey, form, status=400)
    with attempt(form) as checked:
        source = check_paper_source(
            survey, form.paper_source.data, form.paper_filled_on.data, form.paper_territory.data, local_today()
        )
    if not checked:
        return _paper_home(survey, form, status=400)
    submission = storage.find_submission(key)
    if submission is None:
        try:
            response, _token = storage.start_response(
                survey,
                start_key=key,
                secret=current_app.secret_key,
                locale=form.locale.data,
                channel=ResponseChannel.PAPER,
                entered_by=current_user,
                paper=source,
            )
            response.event_id = event_id_in(survey.process_id, form.event_id.data)
        except sa.exc.IntegrityError:  # the same key, twice at once: the first one created the response
            db.session.rollback()
            submission = storage.find_submission(key)
    if submission is not None:
        response = db.session.get(Response, submission.response_id)
    seen = engine.visibility(survey, {})
    first = seen.pages[0] if seen.pages else (survey.pages[0] if survey.pages else None)
    if response is None or first is None:
        return redirect(url_for(".paper_entry", survey_id=survey.id))
    return redirect(
        url_for(".paper_page", survey_id=survey.id, response_id=response.id, number=number_of(survey, first))
    )


@bp.route("/surveys/<int:survey_id>/paper/<int:response_id>/page/<int:number>", methods=["GET", "POST"])
@facilitator_required
@records_access  # someone else's entry shows its stored answers
def paper_page(survey_id: int, response_id: int, number: int):
    survey = _paper_survey(survey_id)
    response = _paper_response(survey, response_id)
    home = url_for(".paper_entry", survey_id=survey.id)
    if response.status is ResponseStatus.COMPLETE:
        flash(_("This paper questionnaire is already saved."), "info")
        return redirect(home)
    if survey.status not in PAPER_STATUSES:
        return _paper_refused(survey)
    language = language_of(response.locale)
    values = storage.load_values(response, survey)
    seen = engine.visibility(survey, values)
    page = engine.page_by_number(survey, number) or (survey.pages[0] if survey.pages else None)
    target = visible_target(seen, page) if page is not None else None
    if target is None:
        return unavailable("empty", survey)

    def page_url(p: SurveyPage) -> str:
        return url_for(".paper_page", survey_id=survey.id, response_id=response.id, number=number_of(survey, p))

    if target is not page:
        return redirect(page_url(target))
    if request.method == "GET":
        shown = render_page(survey, page, values, seen, mode="paper", action=page_url(page), language=language)
        if response.entered_by_id != current_user.id:  # someone else's entry: its stored answers are shown
            record_access(current_user, "response", response, survey_id=survey.id, page=number)
        return shown
    key = request.form.get("submission_key", "")
    if is_key(key) and storage.find_submission(key) is not None:
        return redirect(page_url(page_at(survey, response.current_page)))
    # A language button switches the facilitator's language; the questionnaire's stays that of the paper.
    posted = read_posted_page(survey, page, values, language=language, enforce_required=False)
    if not posted.valid or not is_key(key):
        return refused_page(
            survey, page, values, seen, posted, key, mode="paper", action=page_url(page), language=language
        )
    form, action = posted.form, posted.action
    completed = False
    # A page sent twice (its key is recorded already), or a questionnaire completed meanwhile: back to the list.
    with attempt(conflict=storage.RespondError(), quiet=True) as saved:
        storage.record_submission(response, key)
        storage.save_answers(response, survey, page.questions, form.values, territories=survey_territories(survey))
        step = flow.advance(survey, page, values, form.values, action)
        if step.to == "next":
            response.current_page = max(response.current_page, step.page.position)
        if step.page is not None:
            target = redirect(page_url(step.page))
        else:
            storage.complete_response(response, survey, step.values, now=utcnow(), require_answers=False)
            record(current_user, "response.paper_entry", response, survey_id=survey.id)
            completed, target = True, redirect(home)
    if not saved:
        return redirect(home)
    if completed:
        flash(_("Paper questionnaire saved."), "success")
    return target


@bp.route("/surveys/<int:survey_id>/paper/one-page", methods=["GET", "POST"])
@facilitator_required
def paper_one_page(survey_id: int):
    """The whole questionnaire on one long page: one submission creates a complete paper response."""
    survey = _paper_survey(survey_id)
    if survey.status not in PAPER_STATUSES:
        return _paper_refused(survey)
    locale = request.values.get("locale", current_locale())
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    language = language_of(locale)
    with attempt(PaperStartForm(formdata=request.args)) as sourced:
        source, source_args = source_from_args(survey, request.args, local_today())
    if not sourced:  # shown on the paper-entry page, next to the field
        return _paper_home(survey, sourced.form, status=400)
    form_class = engine.make_page_form(survey, survey.pages, language=language, territories=survey_territories(survey))
    key = request.form.get("submission_key", "") if request.method == "POST" else new_key()
    form = form_class(formdata=request.form) if request.method == "POST" else form_class()
    status = 200
    notice = None
    action, interface_locale = pressed() if request.method == "POST" else ("next", None)
    if action == "language":  # nothing saved: the same sheet, in the facilitator's other language
        switch_language(interface_locale)
    elif request.method == "POST":
        if is_key(key) and storage.find_submission(key) is not None:
            flash(_("This paper questionnaire is already saved."), "info")
            return redirect(url_for(".paper_one_page", survey_id=survey.id, locale=locale, **source_args))
        if form.validate(prior={}, enforce_required=False) and is_key(key):
            # The same sheet sent twice: its key is recorded already.
            with attempt(conflict=storage.RespondError(), quiet=True) as saved:
                response, _token = storage.start_response(
                    survey,
                    start_key=key,
                    secret=current_app.secret_key,
                    locale=locale,
                    channel=ResponseChannel.PAPER,
                    entered_by=current_user,
                    paper=source,
                )
                questions = [q for page in survey.pages for q in page.questions]
                storage.save_answers(response, survey, questions, form.values, territories=survey_territories(survey))
                storage.complete_response(response, survey, form.values, now=utcnow(), require_answers=False)
                record(current_user, "response.paper_entry", response, survey_id=survey.id)
            if not saved:
                flash(_("This paper questionnaire is already saved."), "info")
                return redirect(url_for(".paper_one_page", survey_id=survey.id, locale=locale, **source_args))
            flash(_("Paper questionnaire saved. You can enter the next one."), "success")
            return redirect(url_for(".paper_one_page", survey_id=survey.id, locale=locale, **source_args))
        status = 422 if form.failing else 400
        if not is_key(key):
            notice = _("This page had expired: check your answers and send it again.")
            key = new_key()
    page_html = render_template(
        "respond/page.html",
        survey=survey,
        page=None,
        form=form,
        plan=engine.plan(form, {}, single_page=False),
        prior={},
        mode="paper",
        progress=None,
        first=True,
        last=True,
        key=key,
        state=None,
        action=url_for(".paper_one_page", survey_id=survey.id, locale=locale, **source_args),
        resume_url=None,
        content_language=language,
        notice=notice,
        paper_source=source,
    )
    return current_app.make_response((page_html, status))


@bp.post("/surveys/<int:survey_id>/paper/<int:response_id>/discard")
@facilitator_required
def discard_paper_entry(survey_id: int, response_id: int):
    survey = _paper_survey(survey_id)
    response = _paper_response(survey, response_id)
    form = EmptyForm()
    if form.validate_on_submit() and response.status is ResponseStatus.IN_PROGRESS:
        record(current_user, "response.paper_discard", response, survey_id=survey.id)
        db.session.delete(response)
        flash(_("The unfinished paper questionnaire was deleted."), "success")
    return redirect(url_for(".paper_entry", survey_id=survey.id))
