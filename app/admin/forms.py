import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms import Form as NoCsrfForm
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

from app.core.labels import LOCALE_LABELS, PROCESS_STATUS_LABELS, ROLE_LABELS, SECTOR_LABELS
from app.web.fields import MultiCheckboxField, choices

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def _choices(labels: dict) -> list:
    return choices((value.value, text) for value, text in labels.items())


class InviteUserForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    role = SelectField(_l("Role"), choices=_choices(ROLE_LABELS), default="partner")
    organization_id = SelectField(_l("Organization"), coerce=int, validate_choice=True)
    locale = SelectField(_l("Language of the invitation"), choices=choices(LOCALE_LABELS.items()), default="fr_CA")
    submit = SubmitField(_l("Send the invitation"))


class ChangeRoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=_choices(ROLE_LABELS))
    submit = SubmitField(_l("Change the role"))


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    sector = SelectField(_l("Sector"), choices=_choices(SECTOR_LABELS))
    territory_id = SelectField(_l("Territory"), coerce=int)
    submit = SubmitField(_l("Save"))


class TerritoryForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=32),
            Regexp(r"^[A-Za-z0-9_-]+$", message=_l("Letters, digits, hyphens and underscores only.")),
        ],
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    population_target = IntegerField(
        _l("Participation target"),
        validators=[Optional(), NumberRange(min=0, max=10_000_000)],
        description=_l("How many responses the team aims for in this territory (optional)."),
    )
    submit = SubmitField(_l("Save"))


class PhaseForm(NoCsrfForm):
    starts_on = DateField(_l("Start"), validators=[Optional()])
    ends_on = DateField(_l("End"), validators=[Optional()])
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=2000)])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        start, end = self.starts_on, self.ends_on
        if bool(start.data) != bool(end.data):
            (end if start.data else start).errors.append(_l("Give both dates, or neither to leave this phase out."))
            return False
        if start.data and end.data and end.data < start.data:
            end.errors.append(_l("The end date must not come before the start date."))
            return False
        return valid


class ProcessForm(FlaskForm):
    slug = StringField(
        _l("Short name in the address"),
        validators=[
            DataRequired(),
            Length(max=80),
            Regexp(SLUG_PATTERN, message=_l("Lowercase letters, digits and hyphens only, e.g. plan-2024-2028.")),
        ],
        description=_l("Used in the public address /p/…"),
    )
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    purpose_fr = TextAreaField(_l("Purpose (French)"), validators=[Optional(), Length(max=5000)])
    purpose_en = TextAreaField(_l("Purpose (English)"), validators=[Optional(), Length(max=5000)])
    territory_ids = MultiCheckboxField(_l("Territories"), coerce=int)
    consultation = FormField(PhaseForm, label=_l("Consultation"))
    synthesis = FormField(PhaseForm, label=_l("Synthesis"))
    validation = FormField(PhaseForm, label=_l("Validation (vote)"))
    launch = FormField(PhaseForm, label=_l("Launch"))
    submit = SubmitField(_l("Save"))


class ProcessStatusForm(FlaskForm):
    status = SelectField(_l("New status"), choices=_choices(PROCESS_STATUS_LABELS))
    submit = SubmitField(_l("Change the status"))


class RespondentSearchForm(FlaskForm):
    """Sent by POST: the address stays out of URLs, and so out of access logs and browser history."""

    email = EmailField(_l("E-mail address of the respondent"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Search"))


class EraseRespondentForm(FlaskForm):
    email = HiddenField(validators=[DataRequired(), Email(), Length(max=254)])
    request_id = HiddenField()
    submit = SubmitField(_l("Erase all of this"))
