"""What the respondent, preview and paper-entry views share: finding the survey, whether it takes answers, the
resume cookie, and rendering one page of questions."""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import abort, current_app, render_template, request, session, url_for
from flask_babel import format_datetime, get_locale, refresh
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from app.core.extensions import db
from app.models import (
    Invitation,
    Response,
    ResponseStatus,
    Role,
    Survey,
    SurveyPage,
    SurveyStatus,
    Territory,
    utcnow,
)
from app.respond import engine, storage, structure
from app.respond.tokens import digest, is_key, new_key
from app.web.i18n import current_language
from app.web.urls import MAX_ID, external_url

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


# The respondent's forms check their own CSRF token, which does not expire (app.web.fields.SessionBoundCSRF): a page
# sent hours later, or after the browser lost its session, is shown again as typed with these messages.
PAGE_EXPIRED_TEXT = _l(
    "Your answers on this page are not saved yet (the page had expired). They are shown below: check them and "
    "send the page again."
)


START_EXPIRED_TEXT = _l("The page had expired: nothing has started yet. Press the button again.")


def survey_by_slug(slug: str) -> Survey:
    survey = structure.survey_where(Survey.slug == slug[:80])
    if survey is None:
        abort(404)
    return survey


def shown_survey(slug: str) -> Survey:
    """The survey of ``slug`` unless it is a draft (404)."""
    survey = survey_by_slug(slug)
    if survey.status is SurveyStatus.DRAFT:
        abort(404)
    return survey


def survey_by_id(survey_id: int) -> Survey:
    survey = structure.survey_where(Survey.id == survey_id) if survey_id <= MAX_ID else None
    if survey is None:
        abort(404)
    return survey


def is_facilitator() -> bool:
    return current_user.is_authenticated and current_user.has_role(Role.FACILITATOR)


def survey_state(survey: Survey) -> str:
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


def unavailable(kind: str, survey: Survey | None = None, **details: Any) -> tuple[str, int]:
    status, title, message = UNAVAILABLE["closed" if kind == "archived" else kind]
    if kind == "not_open" and survey is not None and survey.opens_at is not None:
        message = _("It opens on %(date)s. Come back then!", date=format_datetime(survey.opens_at, "long"))
    return render_template("respond/unavailable.html", title=title, message=message, survey=survey, **details), status


def check_open(survey: Survey, *, on_save: bool = False) -> tuple[str, int] | None:
    """The page to show instead when the survey does not take answers (a draft is a 404)."""
    state = survey_state(survey)
    if state == "open":
        return None
    if state == "draft":
        abort(404)
    if on_save and state in {"closed", "archived"}:
        return unavailable("closed_on_save", survey)
    return unavailable(state, survey)


def survey_territories(survey: Survey) -> list[Territory]:
    territories = list(survey.process.territories)
    if not territories:  # a process without territories: every territory of the region
        territories = list(db.session.execute(sa.select(Territory).order_by(Territory.name)).scalars())
    return territories


def current_locale() -> str:
    return str(get_locale())


def language_of(locale: str) -> str:
    return "en" if locale.startswith("en") else "fr"


def no_store(response: HttpResponse) -> HttpResponse:
    """Respondent pages hold answers: never cached (shared phones), and never sent to another site."""
    response.headers["Cache-Control"] = "no-store"
    return response


def page_at(survey: Survey, position: int) -> SurveyPage | None:
    return next((p for p in survey.pages if p.position >= position), survey.pages[-1] if survey.pages else None)


def number_of(survey: Survey, page: SurveyPage) -> int:
    return next(i for i, p in enumerate(survey.pages, start=1) if p is page)


def visible_target(seen: engine.Visibility, page: SurveyPage) -> SurveyPage | None:
    """``page`` if it is shown, else the next shown page, else the previous one."""
    if seen.shows(page):
        return page
    return engine.next_page(seen, page) or engine.previous_page(seen, page)


def cookie_args() -> dict[str, Any]:
    return {"httponly": True, "samesite": "Lax", "secure": current_app.config["SESSION_COOKIE_SECURE"], "path": "/"}


def set_resume_cookie(response: HttpResponse, survey: Survey, token: str) -> HttpResponse:
    response.set_cookie(RESUME_COOKIE.format(survey.id), token, max_age=RESUME_MAX_AGE, **cookie_args())
    return response


def browser_resume_token(survey: Survey) -> str | None:
    token = request.cookies.get(RESUME_COOKIE.format(survey.id))
    return token if is_key(token) else None


def current_response(survey: Survey, *, for_update: bool = False) -> tuple[Response | None, str | None]:
    """The in-progress response of this browser (through its resume cookie), and its token."""
    token = browser_resume_token(survey)
    if token is None:
        return None, None
    query = sa.select(Response).filter_by(resume_token_hash=digest(token), survey_id=survey.id)
    if for_update:
        query = query.with_for_update()
    response = db.session.execute(query).scalar_one_or_none()
    if response is None or response.status is not ResponseStatus.IN_PROGRESS:
        return None, None
    return response, token


def answered_here(survey: Survey) -> bool:
    return request.cookies.get(ANSWERED_COOKIE.format(survey.id)) == "1"


def resume_url(token: str) -> str:
    return external_url("respond.resume", token=token)


def page_url(survey: Survey, page: SurveyPage | None, **params: Any) -> str:
    number = number_of(survey, page) if page is not None else 1
    return url_for(".show_page", slug=survey.slug, number=number, **params)


def first_page_url(survey: Survey) -> str:
    seen = engine.visibility(survey, {})
    return page_url(survey, seen.pages[0] if seen.pages else None)


def stored_values(response: Response, survey: Survey) -> dict[str, Any]:
    values = storage.load_values(response, survey)
    email = storage.email_question(survey)
    if email is not None and email.code not in values and response.invitation_id is not None:
        invitation = db.session.get(Invitation, response.invitation_id)
        if invitation is not None and invitation.email:
            values[email.code] = invitation.email  # suggested; stored only once the page is sent
    return values


def posted_page_form(
    survey: Survey, page: SurveyPage, values: dict[str, Any], language: str
) -> tuple[engine.PageForm, dict[str, Any]]:
    """The page's form filled with what was posted, and the answers of the pages before it (to validate against)."""
    prior = engine.visibility(survey, values, until=page).answers
    form_class = engine.make_page_form(survey, [page], language=language, territories=survey_territories(survey))
    return form_class(formdata=request.form), prior


def render_page(
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
        form = engine.make_page_form(survey, [page], language=language, territories=survey_territories(survey))()
        form.load(values)
        if check:
            form.validate(prior=prior)
    page_html = render_template(
        "respond/page.html",
        survey=survey,
        page=page,
        form=form,
        plan=engine.plan(form, prior),
        prior=engine.prior_answers(prior),
        mode=mode,
        progress=engine.progress(survey, seen, page),
        first=engine.previous_page(seen, page) is None,
        last=engine.next_page(seen, page) is None,
        key=key or new_key(),
        state=state,
        action=action or request.path,
        resume_url=resume_url(token) if token else None,
        content_language=language,
        notice=notice,
    )
    return no_store(current_app.make_response((page_html, status)))


def pressed() -> tuple[str, str | None]:
    """The button pressed: ('next'|'back'|'later'|'language', locale)."""
    raw = request.form.get("action", "next")
    if raw.startswith("language:"):
        locale = raw.removeprefix("language:")
        return ("language", locale) if locale in current_app.config["LANGUAGES"] else ("next", None)
    return (raw, None) if raw in {"next", "back", "later"} else ("next", None)


def switch_language(locale: str) -> None:
    session["locale"] = locale
    refresh()


class PostedPage(NamedTuple):
    """A page of questions as it was sent: the button pressed, the page's form filled with what was typed, and
    whether that is valid."""

    action: str
    form: engine.PageForm
    valid: bool


def read_posted_page(
    survey: Survey,
    page: SurveyPage,
    values: dict[str, Any],
    *,
    language: str | None = None,
    enforce_required: bool | None = None,
) -> PostedPage:
    """The page sent, once the interface's language is switched if a language button was pressed. ``language``: the
    questionnaire's (by default the interface's, switched or not); ``enforce_required``: whether a required question
    left empty is an error (by default only when going on to the next page)."""
    action, locale = pressed()
    if action == "language":
        switch_language(locale)
    form, prior = posted_page_form(survey, page, values, language or current_language())
    required = action == "next" if enforce_required is None else enforce_required
    return PostedPage(action, form, form.validate(prior=prior, enforce_required=required))


def refused_page(
    survey: Survey,
    page: SurveyPage,
    values: dict[str, Any],
    seen: engine.Visibility,
    posted: PostedPage,
    key: str,
    **render: Any,
) -> HttpResponse:
    """The page sent, shown again as it was typed: with its errors (422) or, when it came without its submission
    key, with the notice that it had expired (400). ``render``: the other arguments of :func:`render_page`."""
    notice = None if is_key(key) else _("This page had expired: check your answers and send it again.")
    status = 422 if not posted.valid else 400
    return render_page(survey, page, values, seen, form=posted.form, notice=notice, status=status, **render)
