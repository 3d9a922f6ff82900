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
from flask_babel import format_datetime, get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response as HttpResponse

from app.audit import record, record_access
from app.auth.access import facilitator_required, public
from app.extensions import csrf, db, limiter
from app.forms import EmptyForm
from app.i18n import current_language
from app.models import (
    Anonymity,
    Invitation,
    Response,
    ResponseChannel,
    ResponseStatus,
    Role,
    Survey,
    SurveyPage,
    SurveyStatus,
    Territory,
    utcnow,
)
from app.respond import bp, engine, storage, structure
from app.respond.forms import PageTokenForm, PaperStartForm, StartForm
from app.respond.tokens import digest, is_key, new_key, resume_token_for
from app.retention import purge_notice
from app.urls import MAX_ID, external_url
from app.web.boundary import manages_own_transaction, records_access
from app.web.forms import attempt

logger = logging.getLogger(__name__)

RESUME_COOKIE = "concerto_resume_{}"
ANSWERED_COOKIE = "concerto_answered_{}"
RESUME_MAX_AGE = 60 * 60 * 24 * 60  # 60 days
ANSWERED_MAX_AGE = 60 * 60 * 24 * 365
MAX_TOKEN_LENGTH = 200

UNAVAILABLE = {
    "closed": (
        410,
        _l("This questionnaire is closed"),
        _l("It no longer accepts answers. Thank you for your interest."),
    ),
    "closed_on_save": (
        410,
        _l("This questionnaire is closed"),
        _l("It closed before this page was sent: these answers could not be saved. Thank you for your interest."),
    ),
    "not_open": (403, _l("This questionnaire is not open yet"), None),
    "invalid_invitation": (
        404,
        _l("Invitation link not valid"),
        _l("This link is not valid. Check that you copied it entirely, or ask the person who sent it for a new one."),
    ),
    "used": (
        410,
        _l("You have already answered"),
        _l("This invitation link has already been used to answer the questionnaire. Thank you for taking part!"),
    ),
    "expired": (
        410,
        _l("Invitation link expired"),
        _l("This invitation link has expired. Ask the person who sent it for a new one."),
    ),
    "started": (
        409,
        _l("Invitation link already used"),
        _l(
            "This invitation link was already used to answer. If you started and have not finished, continue in "
            "the browser where you started, or with the resume link shown at the bottom of the questionnaire's "
            "pages."
        ),
    ),
    "invalid_resume": (
        404,
        _l("Resume link not valid"),
        _l("This resume link does not work: it may be incomplete, or these answers were already sent."),
    ),
    "empty": (409, _l("Nothing to answer"), _l("This questionnaire has no question to answer at the moment.")),
}
PAPER_STATUSES = {SurveyStatus.OPEN, SurveyStatus.CLOSED}
# The respondent's forms check their own CSRF token, which does not expire (app.forms.SessionBoundCSRF): a page
# sent hours later, or after the browser lost its session, is shown again as typed with these messages.
PAGE_EXPIRED_TEXT = _l(
    "Your answers on this page are not saved yet (the page had expired). They are shown below: check them and "
    "send the page again."
)
START_EXPIRED_TEXT = _l("The page had expired: nothing has started yet. Press the button again.")


# ------------------------------------------------------------------------------------------------------ helpers


def _survey_by_slug(slug: str) -> Survey:
    survey = structure.survey_where(Survey.slug == slug[:80])
    if survey is None:
        abort(404)
    return survey


def _survey_by_id(survey_id: int) -> Survey:
    survey = structure.survey_where(Survey.id == survey_id) if survey_id <= MAX_ID else None
    if survey is None:
        abort(404)
    return survey


def _is_facilitator() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.FACILITATOR)


def _state(survey: Survey) -> str:
    """'open', 'draft', 'archived', 'closed' or 'not_open'."""
    now = utcnow()
    if survey.is_accepting(now):
        return "open"
    if survey.status is SurveyStatus.DRAFT:
        return "draft"
    if survey.status is SurveyStatus.ARCHIVED:
        return "archived"
    if survey.status is SurveyStatus.OPEN and survey.opens_at is not None and now < survey.opens_at:
        return "not_open"
    return "closed"


def _unavailable(kind: str, survey: Survey | None = None, **details: Any) -> tuple[str, int]:
    status, title, message = UNAVAILABLE["closed" if kind == "archived" else kind]
    if kind == "not_open" and survey is not None and survey.opens_at is not None:
        message = _("It opens on %(date)s. Come back then!", date=format_datetime(survey.opens_at, "long"))
    return render_template("respond/unavailable.html", title=title, message=message, survey=survey, **details), status


def _check_open(survey: Survey, *, on_save: bool = False) -> tuple[str, int] | None:
    """The page to show instead when the survey does not take answers (a draft is a 404)."""
    state = _state(survey)
    if state == "open":
        return None
    if state == "draft":
        abort(404)
    if on_save and state in {"closed", "archived"}:
        return _unavailable("closed_on_save", survey)
    return _unavailable(state, survey)


def _territories(survey: Survey) -> list[Territory]:
    territories = list(survey.process.territories)
    if not territories:  # a process without territories: every territory of the region
        territories = list(db.session.execute(sa.select(Territory).order_by(Territory.name)).scalars())
    return territories


def _locale() -> str:
    return str(get_locale())


def _language_of(locale: str) -> str:
    return "en" if locale.startswith("en") else "fr"


def _no_store(response: HttpResponse) -> HttpResponse:
    """Respondent pages hold answers: never cached (shared phones), and never sent to another site."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _page_at(survey: Survey, position: int) -> SurveyPage | None:
    return next((p for p in survey.pages if p.position >= position), survey.pages[-1] if survey.pages else None)


def _number(survey: Survey, page: SurveyPage) -> int:
    return next(i for i, p in enumerate(survey.pages, start=1) if p is page)


def _visible_target(seen: engine.Visibility, page: SurveyPage) -> SurveyPage | None:
    """``page`` if it is shown, else the next shown page, else the previous one."""
    if seen.shows(page):
        return page
    return engine.next_page(seen, page) or engine.previous_page(seen, page)


# ------------------------------------------------------------------------------------------------------ cookies


def _cookie_args() -> dict[str, Any]:
    return {"httponly": True, "samesite": "Lax", "secure": current_app.config["SESSION_COOKIE_SECURE"], "path": "/"}


def _set_resume_cookie(response: HttpResponse, survey: Survey, token: str) -> HttpResponse:
    response.set_cookie(RESUME_COOKIE.format(survey.id), token, max_age=RESUME_MAX_AGE, **_cookie_args())
    return response


def _resume_token(survey: Survey) -> str | None:
    token = request.cookies.get(RESUME_COOKIE.format(survey.id))
    return token if is_key(token) else None


def _current_response(survey: Survey, *, for_update: bool = False) -> tuple[Response | None, str | None]:
    """The in-progress response of this browser (through its resume cookie), and its token."""
    token = _resume_token(survey)
    if token is None:
        return None, None
    query = sa.select(Response).filter_by(resume_token_hash=digest(token), survey_id=survey.id)
    if for_update:
        query = query.with_for_update()
    response = db.session.execute(query).scalar_one_or_none()
    if response is None or response.status is not ResponseStatus.IN_PROGRESS:
        return None, None
    return response, token


def _answered_here(survey: Survey) -> bool:
    return request.cookies.get(ANSWERED_COOKIE.format(survey.id)) == "1"


def _resume_url(token: str) -> str:
    return external_url("respond.resume", token=token)


# ------------------------------------------------------------------------------------------------------ landing


@bp.get("/s/<slug>")
@public
def show_survey(slug: str):
    survey = _survey_by_slug(slug)
    preview = bool(request.args.get("preview")) and _is_facilitator()
    if survey.status is SurveyStatus.DRAFT and not preview:
        if _is_facilitator():
            return redirect(url_for(".show_survey", slug=survey.slug, preview=1))
        abort(404)
    if not preview:
        closed = _check_open(survey)
        if closed:
            return closed
    response, _token = (None, None) if preview else _current_response(survey)
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
        continue_url=_page_url(survey, _page_at(survey, in_progress.current_page)) if in_progress else None,
        answered=not preview and invitation_token is None and in_progress is None and _answered_here(survey),
        continuing=continuing,
        error=error,
        questions=engine.question_count(survey),
    )
    return _no_store(current_app.make_response((page, status)))


def _page_url(survey: Survey, page: SurveyPage | None, **params: Any) -> str:
    number = _number(survey, page) if page is not None else 1
    return url_for(".show_page", slug=survey.slug, number=number, **params)


def _first_page_url(survey: Survey) -> str:
    seen = engine.visibility(survey, {})
    return _page_url(survey, seen.pages[0] if seen.pages else None)


@bp.post("/s/<slug>")
@public
@csrf.exempt  # StartForm checks its own token (no time limit)
@limiter.limit(lambda: current_app.config["RESPOND_START_RATE_LIMIT"])
def start_response(slug: str):
    survey = _survey_by_slug(slug)
    closed = _check_open(survey)
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
            survey, start_key=key, secret=current_app.secret_key, locale=_locale()
        )
    except sa.exc.IntegrityError:  # the same Start, twice at once: the first one created the response
        db.session.rollback()
        return _after_replay(survey, key) or redirect(url_for(".show_survey", slug=survey.slug))
    logger.info("Response started on survey %s", survey.id)
    return _set_resume_cookie(redirect(_first_page_url(survey)), survey, token)


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
    token = _resume_token(survey)
    if token is None or digest(token) != response.resume_token_hash:
        candidate = resume_token_for(key, current_app.secret_key)
        if digest(candidate) != response.resume_token_hash:
            return redirect(url_for(".show_survey", slug=survey.slug))
        token = candidate
    target = redirect(_page_url(survey, _page_at(survey, response.current_page)))
    return _set_resume_cookie(target, survey, token)


# --------------------------------------------------------------------------------------------------------- pages


@bp.get("/s/<slug>/page/<int:number>")
@public
def show_page(slug: str, number: int):
    survey = _survey_by_slug(slug)
    closed = _check_open(survey)
    if closed:
        return closed
    response, token = _current_response(survey)
    if response is None:
        flash(_("We could not find your answers in this browser. Use your resume link, or start again."), "info")
        return redirect(url_for(".show_survey", slug=survey.slug))
    values = _values(response, survey)
    seen = engine.visibility(survey, values)
    page = engine.page_by_number(survey, number)
    if page is None or page.position > response.current_page:
        page = _page_at(survey, response.current_page)
    target = _visible_target(seen, page) if page is not None else None
    if target is None:
        return _unavailable("empty", survey)
    if target is not page or _number(survey, target) != number:
        return redirect(_page_url(survey, target))
    return _render_page(survey, page, values, seen, mode="web", token=token, check=request.args.get("check") == "1")


def _values(response: Response, survey: Survey) -> dict[str, Any]:
    values = storage.load_values(response, survey)
    email = storage.email_question(survey)
    if email is not None and email.code not in values and response.invitation_id is not None:
        invitation = db.session.get(Invitation, response.invitation_id)
        if invitation is not None and invitation.email:
            values[email.code] = invitation.email  # suggested; stored only once the page is sent
    return values


def _render_page(
    survey: Survey,
    page: SurveyPage,
    values: dict[str, Any],
    seen: engine.Visibility,
    *,
    mode: str,
    token: str | None = None,
    form: engine.PageForm | None = None,
    key: str | None = None,
    check: bool = False,
    state: str | None = None,
    action: str | None = None,
    language: str | None = None,
    notice: str | None = None,
    status: int = 200,
):
    """One page of questions. ``mode``: 'web', 'preview' or 'paper'."""
    language = language or current_language()
    prior = engine.visibility(survey, values, until=page).answers
    if form is None:
        form = engine.make_page_form(survey, [page], language=language, territories=_territories(survey))()
        form.load(values)
        if check:
            form.validate(prior=prior)
    number = next((i for i, p in enumerate(seen.pages, start=1) if p is page), 1)
    page_html = render_template(
        "respond/page.html",
        survey=survey,
        page=page,
        form=form,
        plan=engine.plan(form, prior),
        prior=engine.prior_answers(prior),
        mode=mode,
        progress=(number, max(len(seen.pages), number)),
        first=engine.previous_page(seen, page) is None,
        last=engine.next_page(seen, page) is None,
        key=key or new_key(),
        state=state,
        action=action or request.path,
        resume_url=_resume_url(token) if token else None,
        content_language=language,
        notice=notice,
    )
    return _no_store(current_app.make_response((page_html, status)))


def _action() -> tuple[str, str | None]:
    """The button pressed: ('next'|'back'|'later'|'language', locale)."""
    raw = request.form.get("action", "next")
    if raw.startswith("language:"):
        locale = raw.removeprefix("language:")
        return ("language", locale) if locale in current_app.config["LANGUAGES"] else ("next", None)
    return (raw, None) if raw in {"next", "back", "later"} else ("next", None)


def _switch_language(locale: str) -> None:
    session["locale"] = locale
    refresh()


@bp.post("/s/<slug>/page/<int:number>")
@public
@csrf.exempt  # PageTokenForm checks the token (no time limit); an expired page is shown again as typed
@manages_own_transaction  # the page and its submission key are committed together, in the try below
def save_page(slug: str, number: int):
    survey = _survey_by_slug(slug)
    closed = _check_open(survey, on_save=True)
    if closed:
        return closed
    key = request.form.get("submission_key", "")
    response, token = _current_response(survey, for_update=True)
    if response is None:
        replayed = _after_replay(survey, key) if is_key(key) else None
        if replayed is not None:
            return replayed
        flash(_("We could not find your answers in this browser. Use your resume link, or start again."), "info")
        return redirect(url_for(".show_survey", slug=survey.slug))
    page = engine.page_by_number(survey, number)
    if page is None or page.position > response.current_page:  # a page not reached yet: ignore what was sent
        return redirect(_page_url(survey, _page_at(survey, response.current_page)))
    # A page sent twice (a double click, a resent form) is recognized by its key when the key is recorded
    # below: the unique key makes the second INSERT fail, and the person is sent where the first one led.
    values = _values(response, survey)
    seen = engine.visibility(survey, values)
    if not seen.shows(page):
        return redirect(_page_url(survey, _visible_target(seen, page)))
    if not PageTokenForm().validate():  # another site's POST, or a session lost: nothing is stored
        return _expired_page(survey, page, values, seen, token)
    action, locale = _action()
    if action == "language":
        _switch_language(locale)
    prior = engine.visibility(survey, values, until=page).answers
    form_class = engine.make_page_form(survey, [page], language=current_language(), territories=_territories(survey))
    form = form_class(formdata=request.form)
    valid = form.validate(prior=prior, enforce_required=action == "next")
    if not valid or not is_key(key):
        notice = None if is_key(key) else _("This page had expired: check your answers and send it again.")
        return _render_page(
            survey,
            page,
            values,
            seen,
            mode="web",
            token=token,
            form=form,
            notice=notice,
            status=422 if not valid else 400,
        )
    try:
        outcome = _store_page(survey, response, page, values, form, action=action, token=token, key=key)
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
    form_class = engine.make_page_form(survey, [page], language=current_language(), territories=_territories(survey))
    form = form_class(formdata=request.form)
    form.form_errors.append(PAGE_EXPIRED_TEXT)
    return _render_page(survey, page, values, seen, mode="web", token=token, form=form, status=400)


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
    page_codes = {q.code for q in page.questions}
    values = {k: v for k, v in stored.items() if k.split(":", 1)[0] not in page_codes} | form.values
    seen = engine.visibility(survey, values)
    following = engine.next_page(seen, page) if action == "next" else None
    current_page = max(response.current_page, following.position) if following is not None else response.current_page
    storage.save_page(
        response,
        survey,
        page.questions,
        form.values,
        key=key,
        territories=_territories(survey),
        locale=_locale(),
        current_page=current_page,
    )
    if action == "back":
        return redirect(_page_url(survey, engine.previous_page(seen, page) or page))
    if action == "later":
        return redirect(url_for(".saved", slug=survey.slug))
    if action == "language":
        return redirect(_page_url(survey, page))
    if following is not None:
        return redirect(_page_url(survey, following))
    try:
        storage.complete_response(response, survey, values, now=utcnow())
    except storage.ResponseIncomplete as incomplete:
        missing_page = incomplete.questions[0].page
        flash(_("Some required questions are not answered yet."), "error")
        return redirect(_page_url(survey, missing_page, check=1))
    logger.info("Response completed on survey %s", survey.id)
    done = redirect(url_for(".thanks", slug=survey.slug))
    done.delete_cookie(RESUME_COOKIE.format(survey.id), path="/")
    done.set_cookie(ANSWERED_COOKIE.format(survey.id), "1", max_age=ANSWERED_MAX_AGE, **_cookie_args())
    return done


@bp.get("/s/<slug>/saved")
@public
def saved(slug: str):
    survey = _survey_by_slug(slug)
    if survey.status is SurveyStatus.DRAFT:
        abort(404)
    response, token = _current_response(survey)
    if response is None:
        return redirect(url_for(".show_survey", slug=survey.slug))
    continue_url = _page_url(survey, _page_at(survey, response.current_page))
    page = render_template(
        "respond/saved.html", survey=survey, resume_url=_resume_url(token), continue_url=continue_url
    )
    return _no_store(current_app.make_response(page))


@bp.get("/s/<slug>/thanks")
@public
def thanks(slug: str):
    survey = _survey_by_slug(slug)
    if survey.status is SurveyStatus.DRAFT:
        abort(404)
    return render_template("respond/thanks.html", survey=survey)


@bp.get("/r/<token>")
@public
def resume(token: str):
    response = storage.find_response_by_token(token) if is_key(token) else None
    if response is None or response.status is not ResponseStatus.IN_PROGRESS:
        return _unavailable("invalid_resume")
    survey = _survey_by_id(response.survey_id)
    closed = _check_open(survey)
    if closed:
        return closed
    target = redirect(_page_url(survey, _page_at(survey, response.current_page)))
    return _set_resume_cookie(target, survey, token)


# --------------------------------------------------------------------------------------------------- invitations


def _invitation_or_page(token: str) -> tuple[Invitation | None, Survey | None, Any]:
    """The invitation and its survey, or the page explaining why the link cannot be used."""
    invitation = None
    if 0 < len(token) <= MAX_TOKEN_LENGTH:
        invitation = db.session.execute(sa.select(Invitation).filter_by(token_hash=digest(token))).scalar_one_or_none()
    if invitation is None:
        return None, None, _unavailable("invalid_invitation")
    survey = _survey_by_id(invitation.survey_id)
    closed = _check_open(survey)
    if closed:
        return None, None, closed
    if invitation.expires_at is not None and utcnow() >= invitation.expires_at:
        return None, None, _unavailable("expired", survey)
    return invitation, survey, None


def _linked(survey: Survey) -> bool:
    """Whether responses keep their invitation: identified surveys, and confidential ones until complete."""
    return survey.anonymity is not Anonymity.ANONYMOUS


def _used(survey: Survey):
    """An invitation used up by someone else, or by this browser for a response it completed.

    Anonymous and confidential surveys keep nothing that tells whether the response of a used link was completed:
    the browser that completed it knows (its "answered" cookie), another one gets the wording for both cases.
    """
    return _unavailable("used" if _answered_here(survey) else "started", survey)


@bp.get("/i/<token>")
@public
def show_invitation(token: str):
    invitation, survey, problem = _invitation_or_page(token)
    if problem is not None:
        return problem
    if invitation.claim_hash is None and invitation.used_at is None:
        return _landing(survey, StartForm(), invitation_token=token)
    response, mine = _current_response(survey)
    if response is not None and storage.claimed_by(invitation, mine):
        return redirect(_page_url(survey, _page_at(survey, response.current_page)))
    linked = storage.response_of_invitation(invitation) if _linked(survey) else None
    if linked is not None and linked.status is ResponseStatus.IN_PROGRESS:
        return _landing(survey, StartForm(), invitation_token=token, continuing=True)
    if linked is not None:
        return _unavailable("used", survey)
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
                survey, start_key=key, secret=current_app.secret_key, locale=_locale(), invitation=invitation
            )
            target = _first_page_url(survey)
        else:
            outcome = _invitation_already_claimed(survey, invitation, key)
            if not isinstance(outcome, _Started):
                return outcome  # a page saying why (4xx), or this browser's own response: nothing written
            resume_token, target = outcome
    except sa.exc.IntegrityError:
        db.session.rollback()
        return _after_replay(survey, key) or redirect(url_for(".show_invitation", token=token))
    return _set_resume_cookie(redirect(target), survey, resume_token)


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
        return _Started(own, _page_url(survey, _page_at(survey, response.current_page)))
    current, mine = _current_response(survey)
    if current is not None and storage.claimed_by(invitation, mine):
        return redirect(_page_url(survey, _page_at(survey, current.current_page)))
    response = storage.response_of_invitation(invitation) if _linked(survey) else None
    if response is None:
        return _used(survey)
    if response.status is ResponseStatus.COMPLETE:
        return _unavailable("used", survey)
    resume_token = storage.reissue_resume_token(response, key, current_app.secret_key)
    storage.record_submission(response, key)
    return _Started(resume_token, _page_url(survey, _page_at(survey, response.current_page)))


# ------------------------------------------------------------------------------------------------------ preview


def _preview_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="respond-preview")


@bp.route("/s/<slug>/preview/<int:number>", methods=["GET", "POST"])
@facilitator_required
def preview_page(slug: str, number: int):
    """The questionnaire as a respondent sees it, drafts included; answers travel in a signed field, never stored."""
    survey = _survey_by_slug(slug)
    values: dict[str, Any] = {}
    if request.method == "POST":
        try:
            values = engine.values_from_json(survey, _preview_serializer().loads(request.form.get("state", "")))
        except BadSignature:
            values = {}
    seen = engine.visibility(survey, values)
    page = engine.page_by_number(survey, number) or (survey.pages[0] if survey.pages else None)
    page = _visible_target(seen, page) if page is not None else None
    if page is None:
        return _unavailable("empty", survey)

    def show(target: SurveyPage, current: dict[str, Any], **kwargs: Any):
        state = _preview_serializer().dumps(engine.values_to_json(current))
        action = url_for(".preview_page", slug=survey.slug, number=_number(survey, target))
        return _render_page(
            survey,
            target,
            current,
            engine.visibility(survey, current),
            mode="preview",
            state=state,
            action=action,
            **kwargs,
        )

    if request.method == "GET":
        return show(page, values)
    action, locale = _action()
    if action == "language":
        _switch_language(locale)
    prior = engine.visibility(survey, values, until=page).answers
    form_class = engine.make_page_form(survey, [page], language=current_language(), territories=_territories(survey))
    form = form_class(formdata=request.form)
    if not form.validate(prior=prior, enforce_required=action == "next"):
        return show(page, values, form=form, status=422)
    page_codes = {q.code for q in page.questions}
    values = {k: v for k, v in values.items() if k.split(":", 1)[0] not in page_codes} | form.values
    seen = engine.visibility(survey, values)
    if action == "back":
        return show(engine.previous_page(seen, page) or page, values)
    if action in {"language", "later"}:
        return show(page, values)
    following = engine.next_page(seen, page)
    if following is not None:
        return show(following, values)
    return render_template("respond/thanks.html", survey=survey, preview=True)


# ------------------------------------------------------------------------------------------------- paper entry


def _paper_survey(survey_id: int) -> Survey:
    return _survey_by_id(survey_id)


def _paper_response(survey: Survey, response_id: int) -> Response:
    response = db.session.get(Response, response_id) if response_id <= MAX_ID else None
    if response is None or response.survey_id != survey.id or response.channel is not ResponseChannel.PAPER:
        abort(404)
    return response


@bp.get("/surveys/<int:survey_id>/paper")
@facilitator_required
def paper_entry(survey_id: int):
    survey = _paper_survey(survey_id)
    return _paper_home(survey, PaperStartForm(locale=_locale()))


def _paper_home(survey: Survey, form: PaperStartForm, status: int = 200):
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
    page = render_template(
        "respond/paper_home.html",
        survey=survey,
        form=form,
        allowed=survey.status in PAPER_STATUSES,
        complete=counts.get(ResponseStatus.COMPLETE, 0),
        drafts=drafts,
        discard_form=EmptyForm(),
        purge=purge_notice(survey, utcnow()),
        page_number=lambda r: _number(survey, _page_at(survey, r.current_page)) if survey.pages else 1,
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
    key = form.valid_key
    if not form.validate_on_submit() or key is None:
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
            )
        except sa.exc.IntegrityError:  # the same key, twice at once: the first one created the response
            db.session.rollback()
            submission = storage.find_submission(key)
    if submission is not None:
        response = db.session.get(Response, submission.response_id)
    seen = engine.visibility(survey, {})
    first = seen.pages[0] if seen.pages else (survey.pages[0] if survey.pages else None)
    if response is None or first is None:
        return redirect(url_for(".paper_entry", survey_id=survey.id))
    return redirect(url_for(".paper_page", survey_id=survey.id, response_id=response.id, number=_number(survey, first)))


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
    language = _language_of(response.locale)
    values = storage.load_values(response, survey)
    seen = engine.visibility(survey, values)
    page = engine.page_by_number(survey, number) or (survey.pages[0] if survey.pages else None)
    target = _visible_target(seen, page) if page is not None else None
    if target is None:
        return _unavailable("empty", survey)

    def page_url(p: SurveyPage) -> str:
        return url_for(".paper_page", survey_id=survey.id, response_id=response.id, number=_number(survey, p))

    if target is not page:
        return redirect(page_url(target))
    if request.method == "GET":
        shown = _render_page(survey, page, values, seen, mode="paper", action=page_url(page), language=language)
        if response.entered_by_id != current_user.id:  # someone else's entry: its stored answers are shown
            record_access(current_user, "response", response, survey_id=survey.id, page=number)
        return shown
    key = request.form.get("submission_key", "")
    if is_key(key) and storage.find_submission(key) is not None:
        return redirect(page_url(_page_at(survey, response.current_page)))
    action, interface_locale = _action()
    if action == "language":  # the facilitator's language; the questionnaire's stays that of the paper
        _switch_language(interface_locale)
    prior = engine.visibility(survey, values, until=page).answers
    form_class = engine.make_page_form(survey, [page], language=language, territories=_territories(survey))
    form = form_class(formdata=request.form)
    valid = form.validate(prior=prior, enforce_required=False)
    if not valid or not is_key(key):
        notice = None if is_key(key) else _("This page had expired: check your answers and send it again.")
        return _render_page(
            survey,
            page,
            values,
            seen,
            mode="paper",
            form=form,
            action=page_url(page),
            language=language,
            notice=notice,
            status=422 if not valid else 400,
        )
    completed = False
    # A page sent twice (its key is recorded already), or a questionnaire completed meanwhile: back to the list.
    with attempt(conflict=storage.RespondError(), quiet=True) as saved:
        storage.record_submission(response, key)
        storage.save_answers(response, survey, page.questions, form.values, territories=_territories(survey))
        page_codes = {q.code for q in page.questions}
        merged = {k: v for k, v in values.items() if k.split(":", 1)[0] not in page_codes} | form.values
        seen = engine.visibility(survey, merged)
        following = engine.next_page(seen, page)
        if action == "language":
            target = redirect(page_url(page))
        elif action == "back":
            target = redirect(page_url(engine.previous_page(seen, page) or page))
        elif following is not None:
            response.current_page = max(response.current_page, following.position)
            target = redirect(page_url(following))
        else:
            storage.complete_response(response, survey, merged, now=utcnow(), require_answers=False)
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
    locale = request.values.get("locale", _locale())
    if locale not in current_app.config["LANGUAGES"]:
        locale = current_app.config["BABEL_DEFAULT_LOCALE"]
    language = _language_of(locale)
    form_class = engine.make_page_form(survey, survey.pages, language=language, territories=_territories(survey))
    key = request.form.get("submission_key", "") if request.method == "POST" else new_key()
    form = form_class(formdata=request.form) if request.method == "POST" else form_class()
    status = 200
    notice = None
    action, interface_locale = _action() if request.method == "POST" else ("next", None)
    if action == "language":  # nothing saved: the same sheet, in the facilitator's other language
        _switch_language(interface_locale)
    elif request.method == "POST":
        if is_key(key) and storage.find_submission(key) is not None:
            flash(_("This paper questionnaire is already saved."), "info")
            return redirect(url_for(".paper_one_page", survey_id=survey.id, locale=locale))
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
                )
                questions = [q for page in survey.pages for q in page.questions]
                storage.save_answers(response, survey, questions, form.values, territories=_territories(survey))
                storage.complete_response(response, survey, form.values, now=utcnow(), require_answers=False)
                record(current_user, "response.paper_entry", response, survey_id=survey.id)
            if not saved:
                flash(_("This paper questionnaire is already saved."), "info")
                return redirect(url_for(".paper_one_page", survey_id=survey.id, locale=locale))
            flash(_("Paper questionnaire saved. You can enter the next one."), "success")
            return redirect(url_for(".paper_one_page", survey_id=survey.id, locale=locale))
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
        action=url_for(".paper_one_page", survey_id=survey.id, locale=locale),
        resume_url=None,
        content_language=language,
        notice=notice,
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
