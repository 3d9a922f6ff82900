"""Forms of process management (facilitators): the process and its phases, a list edited in one form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, FieldList, FormField, SelectField, StringField, SubmitField, TextAreaField
from wtforms import Form as NoCsrfForm
from wtforms.validators import Optional

from app.core.labels import PHASE_LABELS, PROCESS_STATUS_LABELS
from app.web.fields import MultiCheckboxField, choices
from app.web.form_fields import bilingual, slug_field

MAX_PHASES = 20


class PhaseRowForm(NoCsrfForm):
    """One phase of the list; a row left entirely empty is no phase (the last one is offered for a new phase)."""

    name_fr, name_en = bilingual(StringField, _l("Name (French)"), _l("Name (English)"), max_length=120)
    starts_on = DateField(_l("Start date"), validators=[Optional()])
    ends_on = DateField(_l("End date"), validators=[Optional()])
    kind = SelectField(
        _l("What happens in it"),
        choices=choices([("", _l("Something else")), *((k.value, text) for k, text in PHASE_LABELS.items())]),
        default="",
        description=_l("Partners may send contributions during a consultation or synthesis phase."),
    )
    description_fr, description_en = bilingual(
        TextAreaField, _l("Description (French)"), _l("Description (English)"), max_length=2000
    )
    remove = BooleanField(_l("Remove this phase"))


class ProcessForm(FlaskForm):
    slug = slug_field(
        _l("Short name in the address"),
        _l("Lowercase letters, digits and hyphens only, e.g. plan-2024-2028."),
        _l("Used in the public address /p/…"),
    )
    title_fr, title_en = bilingual(
        StringField, _l("Title (French)"), _l("Title (English)"), max_length=200, required=("fr", "en")
    )
    purpose_fr, purpose_en = bilingual(TextAreaField, _l("Purpose (French)"), _l("Purpose (English)"), max_length=5000)
    territory_ids = MultiCheckboxField(_l("Territories"), coerce=int)
    phases = FieldList(FormField(PhaseRowForm), min_entries=1, max_entries=MAX_PHASES + 1)
    submit = SubmitField(_l("Save"))


class ProcessStatusForm(FlaskForm):
    status = SelectField(
        _l("New status"), choices=choices((value.value, text) for value, text in PROCESS_STATUS_LABELS.items())
    )
    submit = SubmitField(_l("Change the status"))
