"""A small survey of every exported type, and responses with known answers."""

from datetime import UTC, datetime

from app.core.extensions import db
from app.models import Answer, Response, ResponseStatus, Survey
from app.respond.engine import OTHER_SUFFIX
from app.respond.storage import answer_rows

QUESTIONS = [
    {"code": "territoire", "type": "territory", "label_fr": "Territoire", "label_en": "Territory"},
    {
        "code": "garde",
        "type": "single_choice",
        "label_fr": "Mode de garde",
        "label_en": "Childcare",
        "choices": [("cpe", "CPE", "Daycare centre"), ("maison", "À la maison", "At home")],
        "settings": {"other": True},
    },
    {
        "code": "aides",
        "type": "multiple_choice",
        "label_fr": "Aides souhaitées",
        "label_en": "Help wanted",
        "choices": [
            ("info", "Information", "Information"),
            ("repit", "Répit", "Respite"),
            ("argent", "Argent", "Money"),
        ],
        "settings": {"other": True},
    },
    {
        "code": "satisfaction",
        "type": "matrix",
        "label_fr": "Satisfaction",
        "label_en": "Satisfaction",
        "choices": [("1", "Insatisfait", "Unsatisfied"), ("2", "Satisfait", "Satisfied")],
        "rows": [("ecole", "École", "School"), ("sante", "Santé", "Health")],
    },
    {
        "code": "canaux",
        "type": "ranking",
        "label_fr": "Canaux",
        "label_en": "Channels",
        "choices": [("courriel", "Courriel", "E-mail"), ("texto", "Texto", "Text message")],
    },
    {"code": "garderie", "type": "yes_no", "label_fr": "Garderie ?", "label_en": "Daycare?"},
    {"code": "note", "type": "rating", "label_fr": "Note", "label_en": "Rating", "settings": {"scale": 5}},
    {"code": "enfants", "type": "numeric", "label_fr": "Enfants", "label_en": "Children"},
    {"code": "date_entree", "type": "date", "label_fr": "Date d’entrée", "label_en": "Start date"},
    {
        "code": "idees",
        "type": "long_text",
        "label_fr": "Vos idées",
        "label_en": "Your ideas",
        "settings": {"open": True},
    },
    {"code": "courriel", "type": "email", "label_fr": "Courriel", "label_en": "E-mail"},
]


def make_export_survey(create_survey, **fields) -> Survey:
    return create_survey([{"questions": QUESTIONS}], **fields)


def add_response(
    survey: Survey,
    values: dict,
    *,
    territories=(),
    status: ResponseStatus = ResponseStatus.COMPLETE,
    started_at: datetime | None = None,
    submitted_at: datetime | None = None,
    locale: str = "fr_CA",
    attributes: dict | None = None,
) -> Response:
    started_at = started_at or datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    if status is ResponseStatus.COMPLETE and submitted_at is None:
        submitted_at = started_at.replace(minute=10)
    response = Response(
        survey=survey,
        survey_version=survey.version,
        status=status,
        locale=locale,
        started_at=started_at,
        submitted_at=submitted_at if status is ResponseStatus.COMPLETE else None,
        attributes=attributes or {},
    )
    db.session.add(response)
    db.session.flush()
    codes = {t.code: t.id for t in territories}
    for question in survey.questions:
        value = values.get(question.code)
        if value is None or question.type.value == "email":
            continue
        for fields in answer_rows(question, value, values.get(question.code + OTHER_SUFFIX), codes):
            db.session.add(Answer(response_id=response.id, question_id=question.id, **fields))
    db.session.commit()
    return response
