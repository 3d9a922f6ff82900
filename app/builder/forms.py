from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    DecimalField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from app.builder.choice_lines import format_choice_lines, parse_choice_lines
from app.builder.definition import MAX_EXPRESSION, MAX_SCALE
from app.builder.slugs import SLUG_RE
from app.forms import choices
from app.labels import ANONYMITY_LABELS, QUESTION_TYPE_LABELS
from app.models import Question, QuestionType

DISPLAY_LABELS = {"radios": _l("Buttons, all visible"), "dropdown": _l("Drop-down list")}


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
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    intro_fr = TextAreaField(_l("Introduction (French)"), validators=[Optional(), Length(max=20000)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Optional(), Length(max=20000)])
    estimated_minutes = IntegerField(
        _l("Estimated duration (minutes)"), validators=[Optional(), NumberRange(min=1, max=600)]
    )
    privacy_fr = TextAreaField(
        _l("Privacy notice: purpose and who sees the answers (French)"),
        validators=[Optional(), Length(max=20000)],
        description=_l("Why the answers are collected, what they are used for and who can see them (Law 25)."),
    )
    privacy_en = TextAreaField(
        _l("Privacy notice: purpose and who sees the answers (English)"), validators=[Optional(), Length(max=20000)]
    )
    retention_days = IntegerField(
        _l("Retention period (days)"),
        validators=[Optional(), NumberRange(min=1, max=36500)],
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
    opens_at = DateTimeLocalField(_l("Opens on (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes on (optional)"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    slug = StringField(
        _l("Address"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(SLUG_RE, message=_l("Lowercase letters, digits and hyphens only, e.g. besoins-parents.")),
        ],
        description=_l("The public link is /s/ followed by this address."),
    )
    submit = SubmitField(_l("Save"))


class PageForm(FlaskForm):
    title_fr = StringField(_l("Title (French)"), validators=[Optional(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    intro_fr = TextAreaField(_l("Introduction (French)"), validators=[Optional(), Length(max=20000)])
    intro_en = TextAreaField(_l("Introduction (English)"), validators=[Optional(), Length(max=20000)])
    relevant = StringField(
        _l("Display condition"),
        validators=[Optional(), Length(max=MAX_EXPRESSION)],
        description=_l(
            "Leave empty to always show the page. Example: ${enfants} = 'oui' — only earlier questions can be used."
        ),
    )
    submit = SubmitField(_l("Save the page"))


class QuestionTypeForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it only chooses what the next page shows

    type = RadioField(
        _l("Type of question"),
        choices=choices((t.value, text) for t, text in QUESTION_TYPE_LABELS.items()),
        validators=[DataRequired()],
    )
    submit = SubmitField(_l("Continue"))


class QuestionForm(FlaskForm):
    type = SelectField(
        _l("Type of question"), choices=choices((t.value, text) for t, text in QUESTION_TYPE_LABELS.items())
    )
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l(
            "Short name used in conditions (${code}) and exports: a letter, then letters, digits or _, e.g. age_enfant."
        ),
    )
    label_fr = TextAreaField(_l("Question (French)"), validators=[DataRequired(), Length(max=5000)])
    label_en = TextAreaField(_l("Question (English)"), validators=[Optional(), Length(max=5000)])
    help_fr = TextAreaField(_l("Help text (French)"), validators=[Optional(), Length(max=5000)])
    help_en = TextAreaField(_l("Help text (English)"), validators=[Optional(), Length(max=5000)])
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
    # Type-specific settings
    display = RadioField(
        _l("Display"), choices=choices(DISPLAY_LABELS.items()), default="radios", validators=[Optional()]
    )
    other = BooleanField(_l("Add “Other, please specify”"))
    open = BooleanField(
        _l("Open question: the text goes to the moderation queue"),
        description=_l("Free text is read by a facilitator, and personal information removed, before partners see it."),
    )
    min_length = IntegerField(_l("Minimum length (characters)"), validators=[Optional(), NumberRange(min=0, max=5000)])
    max_length = IntegerField(_l("Maximum length (characters)"), validators=[Optional(), NumberRange(min=1, max=5000)])
    min_selections = IntegerField(_l("Minimum number of choices"), validators=[Optional(), NumberRange(min=0, max=300)])
    max_selections = IntegerField(_l("Maximum number of choices"), validators=[Optional(), NumberRange(min=1, max=300)])
    scale = IntegerField(
        _l("Number of points (from 1 to N)"), default=5, validators=[Optional(), NumberRange(min=2, max=MAX_SCALE)]
    )
    low_label_fr = StringField(_l("Label of point 1 (French)"), validators=[Optional(), Length(max=200)])
    low_label_en = StringField(_l("Label of point 1 (English)"), validators=[Optional(), Length(max=200)])
    high_label_fr = StringField(_l("Label of the last point (French)"), validators=[Optional(), Length(max=200)])
    high_label_en = StringField(_l("Label of the last point (English)"), validators=[Optional(), Length(max=200)])
    min_value = DecimalField(
        _l("Minimum"), places=None, validators=[Optional(), NumberRange(min=-(10**11), max=10**11)]
    )
    max_value = DecimalField(
        _l("Maximum"), places=None, validators=[Optional(), NumberRange(min=-(10**11), max=10**11)]
    )
    decimal = BooleanField(_l("Allow decimals"))
    min_date = DateField(_l("Earliest date"), validators=[Optional()])
    max_date = DateField(_l("Latest date"), validators=[Optional()])
    choices = TextAreaField(
        _l("Choices"),
        validators=[Optional(), Length(max=100_000)],
        description=_l(
            "One choice per line: code | libellé français | English label. Example: oui | Oui | Yes. "
            "The order of the lines is the order of the choices."
        ),
    )
    rows = TextAreaField(
        _l("Rows of the matrix"),
        validators=[Optional(), Length(max=100_000)],
        description=_l("One row per line: code | libellé français | English label. The choices above form the scale."),
    )
    submit = SubmitField(_l("Save the question"))


#: The form fields shown for each type (besides code, labels, help, required, relevant and constraint).
TYPE_FIELDS: dict[QuestionType, tuple[str, ...]] = {
    QuestionType.SHORT_TEXT: ("min_length", "max_length", "open"),
    QuestionType.LONG_TEXT: ("min_length", "max_length", "open"),
    QuestionType.SINGLE_CHOICE: ("choices", "display", "other"),
    QuestionType.MULTIPLE_CHOICE: ("choices", "min_selections", "max_selections", "other"),
    QuestionType.YES_NO: (),
    QuestionType.RATING: ("scale", "low_label_fr", "low_label_en", "high_label_fr", "high_label_en"),
    QuestionType.NUMERIC: ("min_value", "max_value", "decimal"),
    QuestionType.DATE: ("min_date", "max_date"),
    QuestionType.RANKING: ("choices",),
    QuestionType.MATRIX: ("choices", "rows"),
    QuestionType.TERRITORY: ("display",),
    QuestionType.EMAIL: (),
    QuestionType.NOTE: (),
}
#: Fields that make no sense for a type without answer.
ANSWER_FIELDS = ("required", "constraint", "constraint_message_fr", "constraint_message_en")


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def question_data(form: QuestionForm) -> tuple[dict, list[tuple[str, str]]]:
    """The question dict (definition format) described by the form, and problems of the choice lines."""
    qtype = QuestionType(form.type.data)
    shown = set(TYPE_FIELDS[qtype])
    settings: dict = {}
    for key in ("min_length", "max_length", "min_selections", "max_selections", "scale", "open", "other", "decimal"):
        if key in shown:
            settings[key] = getattr(form, key).data
    for key in ("low_label_fr", "low_label_en", "high_label_fr", "high_label_en"):
        if key in shown:
            settings[key] = (getattr(form, key).data or "").strip()
    if "display" in shown:
        settings["display"] = form.display.data or "radios"
    if qtype is QuestionType.NUMERIC:
        settings["min"], settings["max"] = _number(form.min_value.data), _number(form.max_value.data)
    if qtype is QuestionType.DATE:
        settings["min"] = form.min_date.data.isoformat() if form.min_date.data else None
        settings["max"] = form.max_date.data.isoformat() if form.max_date.data else None
    problems: list[tuple[str, str]] = []
    data = {
        "code": (form.code.data or "").strip(),
        "type": qtype.value,
        "label": {"fr": form.label_fr.data or "", "en": form.label_en.data or ""},
        "help": {"fr": form.help_fr.data or "", "en": form.help_en.data or ""},
        "required": bool(form.required.data) and qtype.is_answerable,
        "relevant": form.relevant.data or "",
        "constraint": (form.constraint.data or "") if qtype.is_answerable else "",
        "constraint_message": {
            "fr": form.constraint_message_fr.data or "",
            "en": form.constraint_message_en.data or "",
        },
        "settings": settings,
    }
    for key in ("choices", "rows"):
        if key in shown:
            parsed, line_problems = parse_choice_lines(getattr(form, key).data or "")
            data[key] = parsed
            problems.extend((key, message) for message in line_problems)
    return data, problems


def question_form_data(question: Question) -> dict:
    """Initial values of the question form for an existing question."""
    settings = question.settings or {}
    data = {
        "type": question.type.value,
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
    }
    for key in (
        "min_length",
        "max_length",
        "min_selections",
        "max_selections",
        "scale",
        "open",
        "other",
        "decimal",
        "display",
        "low_label_fr",
        "low_label_en",
        "high_label_fr",
        "high_label_en",
    ):
        if key in settings:
            data[key] = settings[key]
    if question.type is QuestionType.NUMERIC:
        for key in ("min", "max"):
            if settings.get(key) is not None:
                data[f"{key}_value"] = Decimal(str(settings[key]))
    if question.type is QuestionType.DATE:
        from datetime import date

        for key in ("min", "max"):
            if settings.get(key):
                data[f"{key}_date"] = date.fromisoformat(settings[key])
    return data


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
    count = IntegerField(
        _l("Number of links"),
        validators=[Optional(), NumberRange(min=1, max=1000)],
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
    expires_in_days = IntegerField(
        _l("Links expire after (days, optional)"), validators=[Optional(), NumberRange(min=1, max=365)]
    )
    send = BooleanField(_l("Send each link by e-mail now"))
    output = RadioField(
        _l("Then"),
        choices=choices(
            [("csv", _l("Download the links as a CSV file")), ("page", _l("Show the links on a page (only once)"))]
        ),
        default="csv",
    )
    submit = SubmitField(_l("Create the links"))
