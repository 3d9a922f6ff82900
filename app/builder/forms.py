from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.builder.choice_lines import format_choice_lines, parse_choice_lines
from app.builder.definition import MAX_EXPRESSION
from app.core.labels import ANONYMITY_LABELS
from app.models import Question
from app.questions import question_type, registered_types
from app.questions.base import BaseQuestionType
from app.web.fields import LocalDateTimeField, choices
from app.web.form_fields import bilingual, optional_number, slug_field


class NewSurveyForm(FlaskForm):
    process_id = SelectField(_l("Process"), coerce=int)
    start = RadioField(_l("Start from"), default="blank")
    title_fr = StringField(
        _l("Title (French)"),
        validators=[Optional(), Length(max=200)],
        description=_l("Required for a blank survey; a template brings its own title unless you give one."),
    )
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    submit = SubmitField(_l("Create the survey"))


class SurveySettingsForm(FlaskForm):
    title_fr, title_en = bilingual(
        StringField, _l("Title (French)"), _l("Title (English)"), max_length=200, required=("fr",)
    )
    intro_fr, intro_en = bilingual(
        TextAreaField, _l("Introduction (French)"), _l("Introduction (English)"), max_length=20000
    )
    estimated_minutes = optional_number(_l("Estimated duration (minutes)"), low=1, high=600)
    privacy_fr = TextAreaField(
        _l("Privacy notice: purpose and who sees the answers (French)"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Why the answers are collected, what they are used for and who can see them (Law 25)."),
    )
    privacy_en = TextAreaField(
        _l("Privacy notice: purpose and who sees the answers (English)"), validators=[Optional(), Length(max=20000)]
    )
    retention_days = optional_number(
        _l("Retention period (days)"),
        low=1,
        high=36500,
        description=_l("How long the answers are kept before they are deleted."),
    )
    contact_email = EmailField(
        _l("Contact for questions about personal information"),
        validators=[Optional(), Email(), Length(max=254)],
    )
    anonymity = RadioField(
        _l("Anonymity"),
        choices=choices((mode.value, text) for mode, text in ANONYMITY_LABELS.items()),
        default="anonymous",
    )
    opens_at = LocalDateTimeField(_l("Opens on (optional)"), validators=[Optional()])
    closes_at = LocalDateTimeField(_l("Closes on (optional)"), validators=[Optional()])
    slug = slug_field(
        _l("Address"),
        _l("Lowercase letters, digits and hyphens only, e.g. besoins-parents."),
        _l("The public link is /s/ followed by this address."),
    )
    submit = SubmitField(_l("Save"))


class PageForm(FlaskForm):
    title_fr, title_en = bilingual(StringField, _l("Title (French)"), _l("Title (English)"), max_length=200)
    intro_fr, intro_en = bilingual(
        TextAreaField, _l("Introduction (French)"), _l("Introduction (English)"), max_length=20000
    )
    relevant = StringField(
        _l("Display condition"),
        validators=[Optional(), Length(max=MAX_EXPRESSION)],
        description=_l(
            "Leave empty to always show the page. Example: ${enfants} = 'oui' — only earlier questions can be used."
        ),
    )
    submit = SubmitField(_l("Save the page"))


def type_choices() -> list:
    """The registered question types, as the builder lists them."""
    return choices((str(t.key), t.label) for t in registered_types())


class QuestionTypeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what the next page shows

    type = RadioField(_l("Type of question"), validators=[DataRequired()])
    submit = SubmitField(_l("Continue"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = type_choices()


class QuestionForm(FlaskForm):
    """The fields of every question. The form used is :func:`question_form`: these, then every registered type's
    settings fields (``settings_fields``), then the choices."""

    type = SelectField(_l("Type of question"))
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l(
            "Short name used in conditions (${code}) and exports: a letter, then letters, digits or _, e.g. age_enfant."
        ),
    )
    label_fr, label_en = bilingual(
        TextAreaField, _l("Question (French)"), _l("Question (English)"), max_length=5000, required=("fr",)
    )
    help_fr, help_en = bilingual(TextAreaField, _l("Help text (French)"), _l("Help text (English)"), max_length=5000)
    required = BooleanField(_l("An answer is required"))
    relevant = StringField(
        _l("Display condition"),
        validators=[Optional(), Length(max=MAX_EXPRESSION)],
        description=_l(
            "Leave empty to always show the question. Example: ${enfants} = 'oui' or selected(${aides}, 'repit')."
        ),
    )
    constraint = StringField(
        _l("Constraint"),
        validators=[Optional(), Length(max=MAX_EXPRESSION)],
        description=_l("A rule the answer must follow, written with “.” for the answer, e.g. . >= 0 and . <= 120."),
    )
    constraint_message_fr = StringField(
        _l("Message when the constraint fails (French)"), validators=[Optional(), Length(max=1000)]
    )
    constraint_message_en = StringField(
        _l("Message when the constraint fails (English)"), validators=[Optional(), Length(max=1000)]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.type.choices = type_choices()


#: After the types' settings: the choices and rows (types with ``has_choices``, ``has_rows``) and the button.
_LAST_FIELDS = {
    "choices": TextAreaField(
        _l("Choices"),
        validators=[Optional(), Length(max=100_000)],
        description=_l(
            "One choice per line: code | libellé français | English label. Example: oui | Oui | Yes. "
            "The order of the lines is the order of the choices."
        ),
    ),
    "rows": TextAreaField(
        _l("Rows of the matrix"),
        validators=[Optional(), Length(max=100_000)],
        description=_l("One row per line: code | libellé français | English label. The choices above form the scale."),
    ),
    "submit": SubmitField(_l("Save the question")),
}
#: Fields that make no sense for a type without answer.
ANSWER_FIELDS = ("required", "constraint", "constraint_message_fr", "constraint_message_en")

_form_classes: dict[tuple[int, ...], type[QuestionForm]] = {}


def _fresh(field: UnboundField) -> UnboundField:
    """The same field, created now: WTForms orders a form's fields by creation."""
    return UnboundField(field.field_class, *field.args, name=field.name, **field.kwargs)


def question_form_class() -> type[QuestionForm]:
    """The question form with the settings fields of every registered type (built once per set of types)."""
    types = registered_types()
    key = tuple(id(t) for t in types)
    form_class = _form_classes.get(key)
    if form_class is None:
        fields: dict[str, UnboundField] = {}
        for qtype in types:
            for name, field in qtype.settings_fields.items():
                if hasattr(QuestionForm, name) or name in _LAST_FIELDS or fields.get(name, field) is not field:
                    raise ValueError(f"the question type {qtype.key!r} redefines the builder field {name!r}")
                fields[name] = field
        attributes = {name: _fresh(field) for name, field in {**fields, **_LAST_FIELDS}.items()}
        form_class = _form_classes[key] = type("QuestionForm", (QuestionForm,), attributes)
    return form_class


def question_form(*args: Any, **kwargs: Any) -> QuestionForm:
    return question_form_class()(*args, **kwargs)


def shown_fields(qtype: BaseQuestionType) -> set[str]:
    """The form fields shown for a type (besides code, type, labels, help and display condition)."""
    shown = set(qtype.settings_fields)
    if qtype.has_choices:
        shown.add("choices")
    if qtype.has_rows:
        shown.add("rows")
    if qtype.answerable:
        shown.update(ANSWER_FIELDS)
    return shown


def question_data(form: QuestionForm) -> tuple[dict, list[tuple[str, str]]]:
    """The question dict (definition format) described by the form, and problems of the choice lines."""
    qtype = question_type(form.type.data)
    shown = shown_fields(qtype)
    problems: list[tuple[str, str]] = []
    data = {
        "code": (form.code.data or "").strip(),
        "type": str(qtype.key),
        "label": {"fr": form.label_fr.data or "", "en": form.label_en.data or ""},
        "help": {"fr": form.help_fr.data or "", "en": form.help_en.data or ""},
        "required": bool(form.required.data) and qtype.answerable,
        "relevant": form.relevant.data or "",
        "constraint": (form.constraint.data or "") if qtype.answerable else "",
        "constraint_message": {
            "fr": form.constraint_message_fr.data or "",
            "en": form.constraint_message_en.data or "",
        },
        "settings": qtype.settings_from_form(form),
    }
    for key in ("choices", "rows"):
        if key in shown:
            parsed, line_problems = parse_choice_lines(getattr(form, key).data or "")
            data[key] = parsed
            problems.extend((key, message) for message in line_problems)
    return data, problems


def question_form_data(question: Question) -> dict:
    """Initial values of the question form for an existing question."""
    return {
        "type": str(question.type),
        "code": question.code,
        "label_fr": question.label_fr,
        "label_en": question.label_en,
        "help_fr": question.help_fr,
        "help_en": question.help_en,
        "required": question.required,
        "relevant": question.relevant,
        "constraint": question.constraint,
        "constraint_message_fr": question.constraint_message_fr,
        "constraint_message_en": question.constraint_message_en,
        "choices": format_choice_lines([_choice_dict(c) for c in question.choices]),
        "rows": format_choice_lines([_choice_dict(c) for c in question.rows]),
        **question_type(question).settings_form_data(question.settings or {}),
    }


def _choice_dict(choice) -> dict:
    return {"code": choice.code, "label": {"fr": choice.label_fr, "en": choice.label_en}}


class MoveForm(FlaskForm):
    direction = SelectField(_l("Direction"), choices=choices([("up", _l("Up")), ("down", _l("Down"))]))


class ImportForm(FlaskForm):
    process_id = SelectField(_l("Process"), coerce=int)
    file = FileField(
        _l("File"),
        validators=[FileRequired(_l("Choose a file."))],
        description=_l("A questionnaire definition (.json) or an XLSForm workbook (.xlsx), at most 2 MB."),
    )
    submit = SubmitField(_l("Import"))


class InvitationsForm(FlaskForm):
    count = optional_number(
        _l("Number of links"),
        low=1,
        high=1000,
        description=_l("Ignored when you list e-mail addresses: one link is then created per address."),
    )
    territory = SelectField(_l("Territory attribute (optional)"), default="")
    group = StringField(
        _l("Group attribute (optional)"),
        validators=[Optional(), Length(max=100)],
        description=_l(
            "For example: atelier-granby or parents-cpe. Kept with the responses unless the survey is anonymous."
        ),
    )
    emails = TextAreaField(
        _l("E-mail addresses (optional)"),
        validators=[Optional(), Length(max=100_000)],
        description=_l("One address per line."),
    )
    expires_in_days = optional_number(_l("Links expire after (days, optional)"), low=1, high=365)
    event_id = SelectField(_l("Event where the links are handed out (optional)"), default="", validate_choice=False)
    send = BooleanField(_l("Send each link by e-mail now"))
    output = RadioField(
        _l("Then"),
        choices=choices(
            [("csv", _l("Download the links as a CSV file")), ("page", _l("Show the links on a page (only once)"))]
        ),
        default="csv",
    )
    submit = SubmitField(_l("Create the links"))
