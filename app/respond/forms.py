"""Fixed forms of the respondent pages (the questions' forms are built by app/respond/engine.py)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from app.core.labels import LOCALE_LABELS
from app.respond.tokens import is_key, new_key
from app.web.fields import AnsweringForm, choices


class StartForm(AnsweringForm):
    """The Start button; its key makes a double click or a replay find the response it created. Its CSRF token
    does not expire: a landing page left open for hours still starts (see app.web.fields.SessionBoundCSRF)."""

    start_key = HiddenField()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_submitted() or not is_key(self.start_key.data):
            self.start_key.data = new_key()

    @property
    def valid_key(self) -> str | None:
        value = self.start_key.raw_data[0] if self.start_key.raw_data else None
        return value if is_key(value) else None


class PaperStartForm(StartForm):
    locale = SelectField(
        _l("Language of the paper questionnaire"),
        choices=choices(LOCALE_LABELS.items()),
        default="fr_CA",
    )
    event_id = SelectField(_l("Event where it was filled in (optional)"), default="", validate_choice=False)
    paper_source = StringField(
        _l("Workshop or event"),
        validators=[Optional(), Length(max=200, message=_l("At most %(max)d characters."))],
        description=_l("Where the questionnaire was filled in, e.g. “Atelier parents, Granby”. Optional."),
        filters=[lambda value: " ".join(value.split()) if value else value],
    )
    paper_filled_on = DateField(
        _l("Date it was filled in"),
        validators=[Optional()],
        description=_l("Optional."),
    )
    paper_territory = SelectField(_l("Territory where it was filled in"), choices=[], validate_choice=False)


class PageTokenForm(AnsweringForm):
    """The CSRF token of a respondent page (its questions are a plain WTForms form built by app/respond/engine.py).

    It does not expire; when it is refused (another site, or a session lost), the page is shown again as typed."""


class ResumeMailForm(FlaskForm):
    """ "Send me the link by e-mail": the address is used for this one message, never stored."""

    email = EmailField(
        _l("Your e-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter a valid e-mail address.")),
            Length(max=254),
        ],
        description=_l("Used once to send you the link, then forgotten: it is not kept with your answers."),
        render_kw={"autocomplete": "email", "spellcheck": "false"},
    )
