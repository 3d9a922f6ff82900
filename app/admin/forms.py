from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length

from app.core.labels import LOCALE_LABELS, ROLE_LABELS, SECTOR_LABELS
from app.web.fields import choices
from app.web.form_fields import optional_number, pattern_field


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
    code = pattern_field(
        _l("Code"), r"^[A-Za-z0-9_-]+$", _l("Letters, digits, hyphens and underscores only."), max_length=32
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    population_target = optional_number(
        _l("Participation target"),
        low=0,
        high=10_000_000,
        description=_l("How many responses the team aims for in this territory (optional)."),
    )
    submit = SubmitField(_l("Save"))


class RespondentSearchForm(FlaskForm):
    """Sent by POST: the address stays out of URLs, and so out of access logs and browser history."""

    email = EmailField(_l("E-mail address of the respondent"), validators=[DataRequired(), Email(), Length(max=254)])
    submit = SubmitField(_l("Search"))


class EraseRespondentForm(FlaskForm):
    email = HiddenField(validators=[DataRequired(), Email(), Length(max=254)])
    request_id = HiddenField()
    submit = SubmitField(_l("Erase all of this"))
