"""Respondent pages: landing, one page at a time, resume, invitations, thank-you; facilitator preview and paper entry.

URL contract (see also the module docstring of app/respond/engine.py for the form's names):

- ``GET /s/<slug>`` landing (``?preview=1`` for facilitators, drafts included); ``POST /s/<slug>`` starts a response
- ``GET|POST /s/<slug>/page/<number>`` a page (number = 1-based position in the survey); actions of the POST:
  ``next`` (default), ``back``, ``later`` (save, show the resume link), ``language:<locale>`` (save, switch)
- ``GET /s/<slug>/saved`` "continue later", ``GET /s/<slug>/thanks`` thank-you page
- ``GET /r/<token>`` resume link; ``GET|POST /i/<token>`` single-use invitation
- ``GET|POST /s/<slug>/preview/<number>`` facilitator preview (nothing stored)
- ``/surveys/<survey_id>/paper`` paper data entry (facilitators)

The browser's response is found through the cookie ``concerto_resume_<survey id>`` (the clear resume token;
HttpOnly, SameSite=Lax); ``concerto_answered_<survey id>`` remembers that this browser completed the survey.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as HttpResponse

from app.auth.access import public
from app.core.extensions import csrf, db, limiter
from app.models import (
    Anonymity,
    Invitation,
    Response,
    ResponseStatus,
    Survey,
    SurveyPage,
    SurveyStatus,
    utcnow,
)
from app.respond import bp, engine, flow, storage
from app.respond.forms import PageTokenForm, ResumeMailForm, StartForm
from app.respond.resume_mail import send_resume_link
from app.respond.tokens import digest, is_key, resume_token_for
from app.respond.views.common import (
    ANSWERED_COOKIE,
    ANSWERED_MAX_AGE,
    MAX_TOKEN_LENGTH,
    PAGE_EXPIRED_TEXT,
    RESUME_COOKIE,
    START_EXPIRED_TEXT,
    answered_here,
    browser_resume_token,
    check_open,
    cookie_args,
    current_locale,
    current_response,
    first_page_url,
    is_facilitator,
    no_store,
    number_of,
    page_at,
    page_url,
    read_posted_page,
    refused_page,
    render_page,
    resume_url,
    set_resume_cookie,
    shown_survey,
    stored_values,
    survey_by_id,
    survey_by_slug,
    survey_territories,
    unavailable,
    visible_target,
)
from app.web.boundary import manages_own_transaction
from app.web.i18n import current_language

logger = logging.getLogger(__name__)


@bp.get("/s/<slug>")
@public
def show_survey(slug: str):
    survey = survey_by_slug(slug)
    preview = bool(request.args.get("preview")) and is_facilitator()
    if survey.status is SurveyStatus.DRAFT and not preview:
        if is_facilitator():
            return redirect(url_for(".show_survey", slug=survey.slug, preview=1))
        abort(404)
    if not preview:
        closed = check_open(survey)
        if closed:
            return closed
    response, _token = (None, None) if preview else current_response(survey)
    return _landing(survey, StartForm(), preview=preview, in_progress=response)


def _landing(
    survey: Survey,
    form: StartForm,
    *,
    preview: bool = False,
    in_progress: Response | None = None,
    invitation_token: str | None = None,
    continuing: bool = False,
    error: str | None = None,
    status: int = 200,
):
    if invitation_token is not None:
        action = url_for(".start_invitation_response", token=invitation_token)
    else:
        action = url_for(".start_response", slug=survey.slug)
    page = render_template(
        "respond/landing.html",
        survey=survey,
        form=form,
        action=action,
        preview=preview,
        in_progress=in_progress,
        continue_url=page_url(survey, page_at(survey, in_progress.current_page)) if in_progress else None,
        answered=not preview and invitation_token is None and in_progress is None and answered_here(survey),
        continuing=continuing,
        error=error,
        questions=engine.question_count(survey),
    )
    return no_store(current_app.make_response((page, status)))


@bp.post("/s/<slug>")
@public
@csrf.exempt  # StartForm checks its own token (no time limit)
@limiter.limit(lambda: current_app.config["RESPOND_START_RATE_LIMIT"])
def start_response(slug: str):
    survey = survey_by_slug(slug)
    closed = check_open(survey)
    if closed:
        return closed
    form = StartForm()
    key = form.valid_key
    if not form.validate_on_submit() or key is None:
        return _landing(survey, form, error=_start_problem(form), status=400)
    replayed = _after_replay(survey, key)
    if replayed is not None:
        return replayed
    try:  # start_response flushes: a key recorded before is refused here
        _response, token = storage.start_response(
            survey, start_key=key, secret=current_app.secret_key, locale=current_locale()
        )
    except sa.exc.IntegrityError:  # the same Start, twice at once: the first one created the response
        db.session.rollback()
        return _after_replay(survey, key) or redirect(url_for(".show_survey", slug=survey.slug))
    logger.info("Response started on survey %s", survey.id)
    return set_resume_cookie(redirect(first_page_url(survey)), survey, token)


def _start_problem(form: StartForm) -> str:
    return str(START_EXPIRED_TEXT) if form.expired else _("Please press the button again.")


def _after_replay(survey: Survey, key: str) -> HttpResponse | None:
    """A start or page key seen before: send the person where the first submission led, never store again."""
    submission = storage.find_submission(key)
    if submission is None:
        return None
    response = db.session.get(Response, submission.response_id)
    if response is None or response.survey_id != survey.id:
        return redirect(url_for(".show_survey", slug=survey.slug))
    if response.status is ResponseStatus.COMPLETE:
        return redirect(url_for(".thanks", slug=survey.slug))
    token = browser_resume_token(survey)
    if token is None or digest(token) != response.resume_token_hash:
        candidate = resume_token_for(key, current_app.secret_key)
        if digest(candidate) != response.resume_token_hash:
            return redirect(url_for(".show_survey", slug=survey.slug))
        token = candidate
    if response.locale in current_app.config["LANGUAGES"]:
        session["locale"] = response.locale  # the link keeps the language the person chose
    target = redirect(page_url(survey, page_at(survey, response.current_page)))
    return set_resume_cookie(target, survey, token)


@bp.get("/s/<slug>/page/<int:number>")
@public
def show_page(slug: str, number: int):
    survey = survey_by_slug(slug)
    closed = check_open(survey)
    if closed:
        return closed
    response, token = current_response(survey)
    if response is None:
        flash(_("We could not find your answers in this browser. Use your resume link, or start again."), "info")
        return redirect(url_for(".show_survey", slug=survey.slug))
    values = stored_values(response, survey)
    seen = engine.visibility(survey, values)
    page = engine.page_by_number(survey, number)
    if page is None or page.position > response.current_page:
        page = page_at(survey, response.current_page)
    target = visible_target(seen, page) if page is not None else None
    if target is None:
        return unavailable("empty", survey)
    if target is not page or number_of(survey, target) != number:
        return redirect(page_url(survey, target))
    return render_page(survey, page, values, seen, mode="web", token=token, check=request.args.get("check") == "1")


@bp.post("/s/<slug>/page/<int:number>")
@public
@csrf.exempt  # PageTokenForm checks the token (no time limit); an expired page is shown again as typed
@manages_own_transaction  # the page and its submission key are committed together, in the try below
def save_page(slug: str, number: int):
    survey = survey_by_slug(slug)
    closed = check_open(survey, on_save=True)
    if closed:
        return closed
    key = request.form.get("submission_key", "")
    response, token = current_response(survey, for_update=True)
    if response is None:
        replayed = _after_replay(survey, key) if is_key(key) else None
        if replayed is not None:
            return replayed
        flash(_("We could not find your answers in this browser. Use your resume link, or start again."), "info")
        return redirect(url_for(".show_survey", slug=survey.slug))
    page = engine.page_by_number(survey, number)
    if page is None or page.position > response.current_page:  # a page not reached yet: ignore what was sent
        return redirect(page_url(survey, page_at(survey, response.current_page)))
    # A page sent twice (a double click, a resent form) is recognized by its key when the key is recorded
    # below: the unique key makes the second INSERT fail, and the person is sent where the first one led.
    values = stored_values(response, survey)
    seen = engine.visibility(survey, values)
    if not seen.shows(page):
        return redirect(page_url(survey, visible_target(seen, page)))
    if not PageTokenForm().validate():  # another site's POST, or a session lost: nothing is stored
        return _expired_page(survey, page, values, seen, token)
    posted = read_posted_page(survey, page, values)
    if not posted.valid or not is_key(key):
        return refused_page(survey, page, values, seen, posted, key, mode="web", token=token)
    try:
        outcome = _store_page(survey, response, page, values, posted.form, action=posted.action, token=token, key=key)
        db.session.commit()
    except sa.exc.IntegrityError:  # the same page sent twice at once
        db.session.rollback()
        return _after_replay(survey, key) or redirect(url_for(".show_survey", slug=survey.slug))
    except storage.ResponseAlreadyComplete:
        db.session.rollback()
        return redirect(url_for(".thanks", slug=survey.slug))
    return outcome


def _expired_page(
    survey: Survey, page: SurveyPage, values: dict[str, Any], seen: engine.Visibility, token: str | None
) -> HttpResponse:
    """The page as it was typed, with the message saying it was not saved (its token was refused)."""
    form_class = engine.make_page_form(
        survey, [page], language=current_language(), territories=survey_territories(survey)
    )
    form = form_class(formdata=request.form)
    form.form_errors.append(PAGE_EXPIRED_TEXT)
    return render_page(survey, page, values, seen, mode="web", token=token, form=form, status=400)


def _store_page(
    survey: Survey,
    response: Response,
    page: SurveyPage,
    stored: dict[str, Any],
    form: engine.PageForm,
    *,
    action: str,
    token: str | None,
    key: str,
) -> HttpResponse:
    """Save the page with its submission key (one statement on PostgreSQL) and complete the response after the last
    page; return where to go (the caller commits)."""
    step = flow.advance(survey, page, stored, form.values, action)
    current_page = max(response.current_page, step.page.position) if step.to == "next" else response.current_page
    storage.save_page(
        response,
        survey,
        page.questions,
        form.values,
        key=key,
        territories=survey_territories(survey),
        locale=current_locale(),
        current_page=current_page,
    )
    if action == "later":
        return redirect(url_for(".saved", slug=survey.slug))
    if step.page is not None:
        return redirect(page_url(survey, step.page))
    try:
        storage.complete_response(response, survey, step.values, now=utcnow())
    except storage.ResponseIncomplete as incomplete:
        missing_page = incomplete.questions[0].page
        flash(_("Some required questions are not answered yet."), "error")
        return redirect(page_url(survey, missing_page, check=1))
    logger.info("Response completed on survey %s", survey.id)
    done = redirect(url_for(".thanks", slug=survey.slug))
    done.delete_cookie(RESUME_COOKIE.format(survey.id), path="/")
    done.set_cookie(ANSWERED_COOKIE.format(survey.id), "1", max_age=ANSWERED_MAX_AGE, **cookie_args())
    return done


@bp.get("/s/<slug>/saved")
@public
def saved(slug: str):
    return _saved_page(slug)


@bp.post("/s/<slug>/saved")
@public
@limiter.limit(lambda: current_app.config["RESUME_MAIL_RATE_LIMIT"])
def send_resume_link_by_mail(slug: str):
    """Send the resume link by e-mail (the address used once, never stored): issue 16."""
    return _saved_page(slug)


def _saved_page(slug: str):
    survey = shown_survey(slug)
    response, token = current_response(survey)
    if response is None:
        return redirect(url_for(".show_survey", slug=survey.slug))
    continue_url = page_url(survey, page_at(survey, response.current_page))
    form = ResumeMailForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            send_resume_link(survey, form.email.data, resume_url(token))
            flash(_("We sent the link to this address. We do not keep the address."), "success")
            return redirect(url_for(".saved", slug=survey.slug), 303)
        status = 422
    page = render_template(
        "respond/saved.html", survey=survey, resume_url=resume_url(token), continue_url=continue_url, form=form
    )
    return no_store(current_app.make_response((page, status)))


@bp.get("/s/<slug>/thanks")
@public
def thanks(slug: str):
    survey = shown_survey(slug)
    return render_template("respond/thanks.html", survey=survey)


@bp.get("/r/<token>")
@public
def resume(token: str):
    response = storage.find_response_by_token(token) if is_key(token) else None
    if response is None or response.status is not ResponseStatus.IN_PROGRESS:
        return unavailable("invalid_resume")
    survey = survey_by_id(response.survey_id)
    closed = check_open(survey)
    if closed:
        return closed
    if response.locale in current_app.config["LANGUAGES"]:
        session["locale"] = response.locale  # the link keeps the language the person chose
    target = redirect(page_url(survey, page_at(survey, response.current_page)))
    return set_resume_cookie(target, survey, token)


def _invitation_or_page(token: str) -> tuple[Invitation | None, Survey | None, Any]:
    """The invitation and its survey, or the page explaining why the link cannot be used."""
    invitation = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        invitation = storage.invitation_of_token(digest(token))  # the first link, or the reminder's
    if invitation is None:
        return None, None, unavailable("invalid_invitation")
    survey = survey_by_id(invitation.survey_id)
    closed = check_open(survey)
    if closed:
        return None, None, closed
    if invitation.expires_at is not None and utcnow() >= invitation.expires_at:
        return None, None, unavailable("expired", survey)
    return invitation, survey, None


def _linked(survey: Survey) -> bool:
    """Whether responses keep their invitation: identified surveys, and confidential ones until complete."""
    return survey.anonymity is not Anonymity.ANONYMOUS


def _used(survey: Survey):
    """An invitation used up by someone else, or by this browser for a response it completed.

    Anonymous and confidential surveys keep nothing that tells whether the response of a used link was completed:
    the browser that completed it knows (its "answered" cookie), another one gets the wording for both cases.
    """
    return unavailable("used" if answered_here(survey) else "started", survey)


@bp.get("/i/<token>")
@public
def show_invitation(token: str):
    invitation, survey, problem = _invitation_or_page(token)
    if problem is not None:
        return problem
    if invitation.claim_hash is None and invitation.used_at is None:
        return _landing(survey, StartForm(), invitation_token=token)
    response, mine = current_response(survey)
    if response is not None and storage.claimed_by(invitation, mine):
        return redirect(page_url(survey, page_at(survey, response.current_page)))
    linked = storage.response_of_invitation(invitation) if _linked(survey) else None
    if linked is not None and linked.status is ResponseStatus.IN_PROGRESS:
        return _landing(survey, StartForm(), invitation_token=token, continuing=True)
    if linked is not None:
        return unavailable("used", survey)
    return _used(survey)


@bp.post("/i/<token>")
@public
@csrf.exempt  # StartForm checks its own token (no time limit)
@limiter.limit(lambda: current_app.config["RESPOND_START_RATE_LIMIT"])
def start_invitation_response(token: str):
    invitation, survey, problem = _invitation_or_page(token)
    if problem is not None:
        return problem
    form = StartForm()
    key = form.valid_key
    if not form.validate_on_submit() or key is None:
        return _landing(survey, form, invitation_token=token, error=_start_problem(form), status=400)
    replayed = _after_replay(survey, key)  # a "continue on this device" Start, sent twice
    if replayed is not None:
        return replayed
    resume_token = resume_token_for(key, current_app.secret_key)
    try:
        if storage.claim_invitation(invitation, resume_token, now=utcnow()):
            _response, resume_token = storage.start_response(
                survey, start_key=key, secret=current_app.secret_key, locale=current_locale(), invitation=invitation
            )
            target = first_page_url(survey)
        else:
            outcome = _invitation_already_claimed(survey, invitation, key)
            if not isinstance(outcome, _Started):
                return outcome  # a page saying why (4xx), or this browser's own response: nothing written
            resume_token, target = outcome
    except sa.exc.IntegrityError:
        db.session.rollback()
        return _after_replay(survey, key) or redirect(url_for(".show_invitation", token=token))
    return set_resume_cookie(redirect(target), survey, resume_token)


class _Started(NamedTuple):
    resume_token: str
    target: str


def _invitation_already_claimed(survey: Survey, invitation: Invitation, key: str):
    """The link was used already: by this very Start (a double click), by this browser, or — confidential and
    identified surveys, while in progress — by the same person on another device; otherwise explain."""
    db.session.refresh(invitation)
    own = resume_token_for(key, current_app.secret_key)
    if storage.claimed_by(invitation, own):  # this Start, sent twice: the claim was made with its key
        response = storage.find_response_by_token(own)
        if response is None:
            return _used(survey)
        return _Started(own, page_url(survey, page_at(survey, response.current_page)))
    current, mine = current_response(survey)
    if current is not None and storage.claimed_by(invitation, mine):
        return redirect(page_url(survey, page_at(survey, current.current_page)))
    response = storage.response_of_invitation(invitation) if _linked(survey) else None
    if response is None:
        return _used(survey)
    if response.status is ResponseStatus.COMPLETE:
        return unavailable("used", survey)
    resume_token = storage.reissue_resume_token(response, key, current_app.secret_key)
    storage.record_submission(response, key)
    return _Started(resume_token, page_url(survey, page_at(survey, response.current_page)))
