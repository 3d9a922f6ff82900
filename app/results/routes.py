"""The results page of a survey (facilitators): filters, every question's figures and charts, cross-tabulation."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort, current_app, render_template, request
from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from app.auth.access import facilitator_required
from app.compliance.retention import purge_notice
from app.core.extensions import db
from app.models import Question, Survey, utcnow
from app.models.surveys import SURVEY_PAGES_LOADED
from app.respond.paper_source import paper_sources
from app.results import aggregate, bp, display
from app.results.filters import FILTER_ARGS, FilterError, all_territories, as_args, parse_filters, segment_questions
from app.results.formatting import fmt_number, fmt_percent


@bp.app_template_filter("pct")
def _pct(value: float | None) -> str:
    return fmt_percent(value)


@bp.app_template_filter("num")
def _num(value: float | None, digits: int = 1) -> str:
    return fmt_number(value, digits)


@bp.app_context_processor
def _helpers() -> dict[str, Any]:
    return {"question_chart": display.question_chart, "matrix_row_chart": display.matrix_row_chart}


def load_survey(survey_id: int) -> Survey:
    """The survey with its pages, questions and choices loaded in a fixed number of queries."""
    survey = db.session.execute(
        sa.select(Survey)
        .where(Survey.id == survey_id)
        .options(
            SURVEY_PAGES_LOADED,
            selectinload(Survey.questions),
            selectinload(Survey.process),
        )
    ).scalar_one_or_none()
    if survey is None:
        abort(404)
    return survey


def _question_arg(name: str, choices: list[Question], errors: list[FilterError]) -> Question | None:
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    question = next((q for q in choices if str(q.id) == raw), None)
    if question is None:
        errors.append(FilterError(name, _("Choose a question from the list.")))
    return question


@bp.get("/surveys/<int:survey_id>/results")
@facilitator_required
def survey(survey_id: int):
    survey = load_survey(survey_id)
    territories = all_territories()
    filters, errors = parse_filters(request.args, survey, territories)
    crossable = aggregate.crosstab_questions(survey)
    row_question = _question_arg("row", crossable, errors)
    column_question = _question_arg("column", crossable, errors)
    if row_question is not None and column_question is not None and row_question.id == column_question.id:
        errors.append(FilterError("column", _("Choose two different questions to cross.")))
    min_count = current_app.config["RESULTS_MIN_COUNT"]
    zone = get_timezone()
    results = table = None
    if not errors:
        results = aggregate.survey_results(survey, filters, territories, min_count=min_count, zone=zone)
        if row_question is not None and column_question is not None:
            table = aggregate.crosstab(  # a facilitators' page: small cells shown, with a warning
                survey,
                filters,
                row_question,
                column_question,
                territories,
                min_count=min_count,
                zone=zone,
                mask_small=False,
            )
    return (
        render_template(
            "results/survey.html",
            survey=survey,
            results=results,
            crosstab=table,
            filters=filters,
            errors=errors,
            args={k: v for k, v in request.args.items() if k in FILTER_ARGS},
            filter_args=as_args(filters),
            territories=list(territories.values()),
            segment_questions=segment_questions(survey),
            paper_sources=paper_sources(survey.id),
            crossable=crossable,
            row_question=row_question,
            column_question=column_question,
            min_count=min_count,
            purge=purge_notice(survey, utcnow()),
        ),
        400 if errors else 200,
    )
