"""Facilitators handing out a survey: its distribution page, invitation links (shown, downloaded or e-mailed, in
invitations.py), its QR codes, a printable flyer and the printed questionnaire (paper_version.py)."""

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import Response as FlaskResponse
from flask import flash, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.access import facilitator_required
from app.builder import bp, queries
from app.builder.forms import InvitationsForm
from app.builder.invitations import (
    InvitationError,
    create_invitations,
    invitations_csv,
    parse_emails,
    send_invitation_mails,
)
from app.builder.paper_version import condition_in_words, numbering
from app.builder.qr import qr_png, qr_svg
from app.builder.reminders import summary as reminder_summary
from app.builder.views.common import public_path, public_url, survey_or_404
from app.events.links import event_choices, event_id_in
from app.models import Survey, SurveyStatus, utcnow
from app.web.fields import choices
from app.web.forms import attempt
from app.web.i18n import current_language, localized
from app.web.urls import int_arg

logger = logging.getLogger(__name__)


def _invitations_form(survey: Survey) -> InvitationsForm:
    form = InvitationsForm()
    form.territory.choices = choices([("", _("— None —")), *((t.code, t.name) for t in queries.territories(survey))])
    form.event_id.choices = event_choices(survey.process_id)
    return form


def _distribution_page(survey: Survey, form: InvitationsForm, status: int = 200):
    return (
        render_template(
            "builder/distribute.html",
            survey=survey,
            form=form,
            stats=queries.invitation_figures(survey),
            reminders=reminder_summary(survey),
            public_url=public_url(survey),
            public_path=public_path(survey),
        ),
        status,
    )


@bp.get("/surveys/<int:survey_id>/distribute")
@facilitator_required
def distribute(survey_id: int):
    survey = survey_or_404(survey_id)
    return _distribution_page(survey, _invitations_form(survey))


@bp.post("/surveys/<int:survey_id>/invitations")
@facilitator_required
def new_invitations(survey_id: int):
    survey = survey_or_404(survey_id)
    form = _invitations_form(survey)
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
    survey = survey_or_404(survey_id)
    return _qr_response(
        qr_svg(public_url(survey), localized(survey, "title")), "image/svg+xml", f"qr-{survey.slug}.svg"
    )


@bp.get("/surveys/<int:survey_id>/qr.png")
@facilitator_required
def qr_code_png(survey_id: int):
    survey = survey_or_404(survey_id)
    scale = int_arg("scale", 10, maximum=40)
    return _qr_response(qr_png(public_url(survey), scale), "image/png", f"qr-{survey.slug}.png")


def _printed(survey_id: int, template: str, values: Callable[[Survey, str], dict]):
    """A page made for printing, in the language asked (``?lang=fr`` or ``en``; the page's own by default), with the
    survey's public link; ``values(survey, language)``: what else its template shows."""
    survey = survey_or_404(survey_id)
    language = request.args.get("lang", current_language())
    language = language if language in {"fr", "en"} else "fr"
    with force_locale("fr_CA" if language == "fr" else "en"):
        return render_template(
            template, survey=survey, language=language, public_url=public_url(survey), **values(survey, language)
        )


@bp.get("/surveys/<int:survey_id>/flyer")
@facilitator_required
def flyer(survey_id: int):
    text = (request.args.get("text") or "").strip()[:600]
    return _printed(
        survey_id,
        "builder/flyer.html",
        lambda survey, language: {"text": text or localized(survey, "intro", language), "custom_text": text},
    )


@bp.get("/surveys/<int:survey_id>/print")
@facilitator_required
def print_survey(survey_id: int):
    return _printed(survey_id, "builder/print.html", _questionnaire)


def _questionnaire(survey: Survey, language: str) -> dict:
    """The printed questionnaire: its numbering, each condition in words and the territories to tick."""
    infos = numbering(survey, language)
    return {
        "infos": infos,
        "conditions": {
            **{f"page-{p.id}": condition_in_words(p.relevant, infos) for p in survey.pages},
            **{f"question-{q.id}": condition_in_words(q.relevant, infos) for q in survey.questions},
        },
        "territories": queries.territories(survey),
    }
