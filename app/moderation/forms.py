"""Moderation forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.labels import REDACTION_KIND_LABELS, REJECT_REASON_LABELS
from app.web.fields import choices

TEXT_MAX = 20_000


class DecisionForm(FlaskForm):
    version = HiddenField()
    reason = SelectField(_l("Reason for rejecting"), validators=[Optional()])
    duplicate_of = IntegerField(
        _l("Duplicate of item number"),
        validators=[Optional(), NumberRange(min=1)],
        description=_l("Only for the reason “duplicate”."),
    )
    note = StringField(_l("Note (optional, kept in the audit log)"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = choices([(k.value, v) for k, v in REJECT_REASON_LABELS.items()])


class RedactSelectionForm(FlaskForm):
    version = HiddenField()
    text_to_redact = StringField(
        _l("Text to redact"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Copy the words exactly as they appear; every occurrence is replaced."),
    )
    start = IntegerField(_l("Or from character"), validators=[Optional(), NumberRange(min=0)])
    end = IntegerField(_l("to character"), validators=[Optional(), NumberRange(min=1)])
    kind = SelectField(_l("Kind of information"))
    submit = SubmitField(_l("Redact the selection"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = choices([(k, str(v)) for k, v in REDACTION_KIND_LABELS.items()])


class ThemeForm(FlaskForm):
    name_fr = StringField(_l("Name (French)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=200)])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=TEXT_MAX)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=TEXT_MAX)])
    submit = SubmitField(_l("Save the theme"))


class OrientationForm(FlaskForm):
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=300)])
    statement_fr = TextAreaField(_l("Statement (French)"), validators=[Optional(), Length(max=TEXT_MAX)])
    statement_en = TextAreaField(_l("Statement (English)"), validators=[Optional(), Length(max=TEXT_MAX)])
    rationale_fr = TextAreaField(_l("Rationale (French)"), validators=[Optional(), Length(max=TEXT_MAX)])
    rationale_en = TextAreaField(_l("Rationale (English)"), validators=[Optional(), Length(max=TEXT_MAX)])
    note = StringField(_l("What changed (optional)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save the orientation"))


class SplitForm(FlaskForm):
    title_fr = StringField(_l("Title of the new orientation (French)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title of the new orientation (English)"), validators=[Optional(), Length(max=300)])
    statement_fr = TextAreaField(
        _l("Statement of the new orientation (French)"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Leave it empty to start from the words of the items it receives; edit it before publishing."),
    )
    statement_en = TextAreaField(
        _l("Statement of the new orientation (English)"), validators=[Optional(), Length(max=TEXT_MAX)]
    )
    submit = SubmitField(_l("Split"))


class ContributionForm(FlaskForm):
    title = StringField(_l("Proposed priority"), validators=[DataRequired(), Length(max=300)])
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=TEXT_MAX)])
    why_it_matters = TextAreaField(
        _l("Why it matters for your territory or sector"), validators=[Optional(), Length(max=TEXT_MAX)]
    )
    submit = SubmitField(_l("Send the contribution"))


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Your comment"), validators=[InputRequired(), Length(min=1, max=TEXT_MAX)])
    submit = SubmitField(_l("Send the comment"))
