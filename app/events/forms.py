"""Forms of the event pages (facilitators)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import IntegerField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.events.audiences import AUDIENCES, audience_label
from app.models import MAX_ATTENDANCE, EventScope
from app.web.fields import LocalDateTimeField, MultiCheckboxField, choices

COUNT_MESSAGE = _l("Enter a whole number from 0 to %(max)s.", max=f"{MAX_ATTENDANCE:,}".replace(",", " "))
SCOPE_LABELS = {
    EventScope.TERRITORY: _l("In a territory"),
    EventScope.REGIONAL: _l("Regional"),
    EventScope.VIRTUAL: _l("Virtual"),
}


class CountField(IntegerField):
    """A whole number of people; anything else gets the one message below (not two)."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(COUNT_MESSAGE)) from None


def _count_in_range(_form, field) -> None:
    if field.data is not None and not 0 <= field.data <= MAX_ATTENDANCE:
        raise ValidationError(str(COUNT_MESSAGE))


def attendance_field_name(audience: str) -> str:
    return f"count_{audience}"


class _EventFormBase(FlaskForm):
    kind = SelectField(_l("Kind of event"), validators=[InputRequired()])
    title_fr = StringField(_l("Title (French)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    starts_at = LocalDateTimeField(_l("Date and time"), validators=[InputRequired()])
    scope = RadioField(
        _l("Where"),
        choices=choices((scope.value, text) for scope, text in SCOPE_LABELS.items()),
        default=EventScope.TERRITORY.value,
    )
    territory_id = SelectField(_l("Territory"), coerce=int, validators=[Optional()])
    phase_id = SelectField(_l("Phase"), coerce=int, validators=[Optional()])
    host_ids = MultiCheckboxField(_l("Host organizations"), coerce=int)
    summary_fr = TextAreaField(_l("Public summary (French)"), validators=[Optional(), Length(max=5000)])
    summary_en = TextAreaField(_l("Public summary (English)"), validators=[Optional(), Length(max=5000)])
    submit = SubmitField(_l("Save the event"))


def event_form_class():
    """The event form with one count field per audience group (``count_<audience>``)."""

    class EventForm(_EventFormBase):
        pass

    for audience in AUDIENCES:
        setattr(
            EventForm,
            attendance_field_name(audience),
            CountField(audience_label(audience), validators=[Optional(), _count_in_range]),
        )
    return EventForm


class KindForm(FlaskForm):
    label_fr = StringField(_l("New kind (French)"), validators=[DataRequired(), Length(max=120)])
    label_en = StringField(_l("New kind (English)"), validators=[Optional(), Length(max=120)])
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
