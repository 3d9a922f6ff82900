"""The facilitator's preview: the questionnaire as a respondent sees it, drafts included; answers travel in a
signed field and are never stored."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer

from app.auth.access import facilitator_required
from app.models import (
    SurveyPage,
)
from app.respond import bp, engine, flow
from app.respond.views.common import (
    number_of,
    read_posted_page,
    render_page,
    survey_by_slug,
    unavailable,
    visible_target,
)


def _preview_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="respond-preview")


@bp.route("/s/<slug>/preview/<int:number>", methods=["GET", "POST"])
@facilitator_required
def preview_page(slug: str, number: int):
    """The questionnaire as a respondent sees it, drafts included; answers travel in a signed field, never stored."""
    survey = survey_by_slug(slug)
    values: dict[str, Any] = {}
    if request.method == "POST":
        try:
            values = engine.values_from_json(survey, _preview_serializer().loads(request.form.get("state", "")))
        except BadSignature:
            values = {}
    seen = engine.visibility(survey, values)
    page = engine.page_by_number(survey, number) or (survey.pages[0] if survey.pages else None)
    page = visible_target(seen, page) if page is not None else None
    if page is None:
        return unavailable("empty", survey)

    def show(target: SurveyPage, current: dict[str, Any], **kwargs: Any):
        state = _preview_serializer().dumps(engine.values_to_json(current))
        action = url_for(".preview_page", slug=survey.slug, number=number_of(survey, target))
        return render_page(
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
    posted = read_posted_page(survey, page, values)
    if not posted.valid:
        return show(page, values, form=posted.form, status=422)
    step = flow.advance(survey, page, values, posted.form.values, posted.action)
    if step.page is not None:
        return show(step.page, step.values)
    return render_template("respond/thanks.html", survey=survey, preview=True)
