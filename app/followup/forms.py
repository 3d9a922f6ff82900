"""Follow-up forms. Numbers in a unit are typed as text and read by app/followup/quantities.py (a decimal comma, the
unit after the number), so that what was typed comes back as typed when it is refused."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.followup.labels import ACTION_STATUS_LABELS, COMMITMENT_KIND_LABELS
from app.web.fields import choices

TEXT_MAX = 20_000


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class ActionForm(FlaskForm):
    version = HiddenField()
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=300)])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=TEXT_MAX)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=TEXT_MAX)])
    desired_change_fr = TextAreaField(
        _l("Desired change (French)"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("The outcome the action aims for."),
    )
    desired_change_en = TextAreaField(_l("Desired change (English)"), validators=[Optional(), Length(max=TEXT_MAX)])
    lead_organization_id = SelectField(_l("Lead organization"), coerce=_int_or_none, validators=[Optional()])
    status = SelectField(_l("Status"))
    abandon_reason = TextAreaField(
        _l("Reason for abandoning"),
        validators=[Optional(), Length(max=TEXT_MAX)],
        description=_l("Required when the status is “abandoned”."),
    )
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("End date"), validators=[Optional()])
    note = StringField(_l("What changed (optional)"), validators=[Optional(), Length(max=300)])
    submit = SubmitField(_l("Save the action"))

    def __init__(self, *args, organizations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lead_organization_id.choices = choices(
            [("", _l("— none yet —")), *((o.id, o.name) for o in organizations)]
        )
        self.status.choices = choices([(k.value, v) for k, v in ACTION_STATUS_LABELS.items()])


class IndicatorForm(FlaskForm):
    version = HiddenField()
    name_fr = StringField(_l("Indicator (French)"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Indicator (English)"), validators=[Optional(), Length(max=200)])
    unit = StringField(
        _l("Unit"), validators=[DataRequired(), Length(max=40)], description=_l("For example: %, people, places.")
    )
    baseline = StringField(_l("Baseline (optional)"), validators=[Optional(), Length(max=60)])
    target = StringField(_l("Target (optional)"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Add the indicator"))


class MeasurementForm(FlaskForm):
    measured_on = DateField(_l("Date of the measurement"), validators=[DataRequired()])
    value = StringField(_l("Value"), validators=[DataRequired(), Length(max=60)])
    submit = SubmitField(_l("Record the measurement"))


class CommitmentForm(FlaskForm):
    orientation_id = SelectField(_l("Priority"), coerce=_int_or_none)
    action_id = SelectField(_l("Action (optional)"), coerce=_int_or_none, validators=[Optional()])
    kind = SelectField(_l("Kind of contribution"))
    text = TextAreaField(
        _l("What your organization will do"),
        validators=[DataRequired(), Length(max=1000)],
        description=_l("A few sentences. A facilitator reads it before it is public; do not name people."),
    )
    amount = StringField(_l("Amount in dollars (optional)"), validators=[Optional(), Length(max=30)])
    hours = StringField(_l("Hours (optional)"), validators=[Optional(), Length(max=30)])
    starts_on = DateField(_l("From"), validators=[Optional()])
    ends_on = DateField(_l("To"), validators=[Optional()])
    submit = SubmitField(_l("Save the commitment"))

    def __init__(self, *args, priorities=(), actions=(), localized=None, **kwargs):
        super().__init__(*args, **kwargs)
        name = localized or (lambda obj, field: getattr(obj, f"{field}_fr"))
        self.orientation_id.choices = choices([("", _l("— choose —")), *((p.id, name(p, "title")) for p in priorities)])
        self.action_id.choices = choices(
            [("", _l("— the priority as a whole —")), *((a.id, name(a, "title")) for a in actions)]
        )
        self.kind.choices = choices([(k.value, v) for k, v in COMMITMENT_KIND_LABELS.items()])


class UpdateForm(FlaskForm):
    posted_on = DateField(_l("Date"), validators=[DataRequired()])
    text = TextAreaField(
        _l("What happened"),
        validators=[DataRequired(), Length(max=4000)],
        description=_l("A facilitator approves it before it is public; do not name people."),
    )
    indicator_id = SelectField(_l("Indicator measured (optional)"), coerce=_int_or_none, validators=[Optional()])
    value = StringField(_l("Value (optional)"), validators=[Optional(), Length(max=60)])
    submit = SubmitField(_l("Send the update"))

    def __init__(self, *args, indicators=(), localized=None, **kwargs):
        super().__init__(*args, **kwargs)
        name = localized or (lambda obj, field: getattr(obj, f"{field}_fr"))
        self.indicator_id.choices = choices(
            [("", _l("— none —")), *((i.id, f"{name(i, 'name')} ({i.unit})") for i in indicators)]
        )
