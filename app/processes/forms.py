"""Forms of process management (facilitators): the process and its phases, a list edited in one form."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms import Form as NoCsrfForm
from wtforms.validators import DataRequired, Length, Optional, Regexp

from app.core.labels import PHASE_LABELS, PROCESS_STATUS_LABELS
from app.web.fields import MultiCheckboxField, choices

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_PHASES = 20


class PhaseRowForm(NoCsrfForm):
    """One phase of the list; a row left entirely empty is no phase (the last one is offered for a new phase)."""

    name_fr = StringField(_l("Name (French)"), validators=[Optional(), Length(max=120)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=120)])
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("End date"), validators=[Optional()])
    kind = SelectField(
        _l("What happens in it"),
        choices=choices([("", _l("Something else")), *((k.value, text) for k, text in PHASE_LABELS.items())]),
        default="",
        description=_l("Partners may send contributions during a consultation or synthesis phase."),
    )
    description_fr = TextAreaField(_l("Description (French)"), validators=[Optional(), Length(max=2000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Optional(), Length(max=2000)])
    remove = BooleanField(_l("Remove this phase"))


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
    phases = FieldList(FormField(PhaseRowForm), min_entries=1, max_entries=MAX_PHASES + 1)
    submit = SubmitField(_l("Save"))


class ProcessStatusForm(FlaskForm):
    status = SelectField(
        _l("New status"), choices=choices((value.value, text) for value, text in PROCESS_STATUS_LABELS.items())
    )
    submit = SubmitField(_l("Change the status"))
