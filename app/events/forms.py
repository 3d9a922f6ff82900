"""Forms of the event pages (facilitators)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.events.audiences import AUDIENCES, audience_label
from app.models import MAX_ATTENDANCE, EventScope
from app.web.fields import LocalDateTimeField, MultiCheckboxField, choices
from app.web.form_fields import BoundedIntegerField, bilingual

COUNT_MESSAGE = _l("Enter a whole number from 0 to %(max)s.", max=f"{MAX_ATTENDANCE:,}".replace(",", " "))
SCOPE_LABELS = {
    EventScope.TERRITORY: _l("In a territory"),
    EventScope.REGIONAL: _l("Regional"),
    EventScope.VIRTUAL: _l("Virtual"),
}


def attendance_field_name(audience: str) -> str:
    return f"count_{audience}"


class _EventFormBase(FlaskForm):
    kind = SelectField(_l("Kind of event"), validators=[InputRequired()])
    title_fr, title_en = bilingual(
        StringField, _l("Title (French)"), _l("Title (English)"), max_length=200, required=("fr",)
    )
    starts_at = LocalDateTimeField(_l("Date and time"), validators=[InputRequired()])
    scope = RadioField(
        _l("Where"),
        choices=choices((scope.value, text) for scope, text in SCOPE_LABELS.items()),
        default=EventScope.TERRITORY.value,
    )
    territory_id = SelectField(_l("Territory"), coerce=int, validators=[Optional()])
    phase_id = SelectField(_l("Phase"), coerce=int, validators=[Optional()])
    host_ids = MultiCheckboxField(_l("Host organizations"), coerce=int)
    summary_fr, summary_en = bilingual(
        TextAreaField, _l("Public summary (French)"), _l("Public summary (English)"), max_length=5000
    )
    submit = SubmitField(_l("Save the event"))


def event_form_class():
    """The event form with one count field per audience group (``count_<audience>``)."""

    class EventForm(_EventFormBase):
        pass

    for audience in AUDIENCES:
        setattr(
            EventForm,
            attendance_field_name(audience),
            BoundedIntegerField(audience_label(audience), maximum=MAX_ATTENDANCE, message=COUNT_MESSAGE),
        )
    return EventForm


class KindForm(FlaskForm):
    label_fr, label_en = bilingual(
        StringField, _l("New kind (French)"), _l("New kind (English)"), max_length=120, required=("fr",)
    )
    submit = SubmitField(_l("Add this kind"))


class IdeasForm(FlaskForm):
    """Ideas typed one per line (the page's script gives each its own box: Enter adds the next)."""

    ideas = TextAreaField(
        _l("Ideas heard"),
        validators=[DataRequired(message=_l("Type at least one idea."))],
        description=_l("One idea per line."),
        render_kw={
            "data-line-label": _l("Idea"),
            "data-keys-hint": _l("Enter adds the next idea; Backspace on an empty line removes it; Ctrl+Enter sends."),
        },
    )
    audience = SelectField(_l("Audience group (optional)"), validators=[Optional()])
    group = StringField(_l("Table or group (optional)"), validators=[Optional(), Length(max=80)])
    submit = SubmitField(_l("Add these ideas to the moderation queue"))


class ImportIdeasForm(FlaskForm):
    file = FileField(_l("CSV or Excel file"), validators=[FileRequired(message=_l("Choose a file."))])
    submit = SubmitField(_l("Import the ideas"))


def scope_label(scope: EventScope | str) -> str:
    return str(SCOPE_LABELS.get(EventScope(scope), scope))
