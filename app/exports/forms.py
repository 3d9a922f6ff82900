from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from app.web.fields import choices


class ExportForm(FlaskForm):
    """Sent by GET (a download changes nothing): no CSRF token."""

    class Meta:
        csrf = False

    fmt = RadioField(
        _l("Format"),
        choices=choices(
            [("csv", _l("CSV (Excel, LibreOffice)")), ("xlsx", _l("Excel workbook (XLSX)")), ("json", "JSON")]
        ),
        validators=[InputRequired(_l("Choose a format."))],
        default="csv",
    )
    labels = RadioField(
        _l("Answers as"),
        choices=choices([("0", _l("Codes")), ("1", _l("Labels"))]),
        validators=[InputRequired(_l("Choose codes or labels."))],
        default="0",
    )
    lang = RadioField(
        _l("Language of the labels"),
        choices=choices([("fr", _l("French")), ("en", _l("English"))]),
        validators=[InputRequired(_l("Choose a language."))],
        default="fr",
    )
    paper_source = SelectField(
        _l("Responses"),
        choices=[],
        validate_choice=False,
        description=_l("Every response, or only the paper questionnaires filled in at one workshop or event."),
    )
    submit = SubmitField(_l("Download"))
