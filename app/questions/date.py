"""Date: a day (``min``, ``max``), typed as YYYY-MM-DD or day/month/year, or picked in the browser's calendar;
``date`` in XLSForm. Stored as ``date_value``; results give the earliest and latest dates and answers per month."""

from datetime import date, timedelta
from typing import Any

from babel.dates import format_date as babel_format_date
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.validators import Optional

from app.models import QuestionType
from app.questions.base import SettingKind
from app.questions.fields import babel_locale, date_setting, parse_date
from app.questions.scalar import BoundedField, ScalarType
from app.questions.summaries import Figure, Row, share


class DateQuestionField(BoundedField):
    max_typed = 40
    out_of_range = (
        _l("Enter a date from %(min)s to %(max)s."),
        _l("Enter a date on or after %(min)s."),
        _l("Enter a date on or before %(max)s."),
    )

    def limit(self, value):
        return date_setting(value)

    def show(self, limit):
        return babel_format_date(limit, "long", locale=babel_locale(self.language))

    def make_rule(self) -> Any:
        return _l("Format: YYYY-MM-DD, for example 2025-03-31.")

    def convert(self, text) -> date:
        value = parse_date(text)
        if value is None:
            raise ValueError(_l("Enter a valid date, for example 2025-03-31."))
        self.raw = value.isoformat()
        return value

    def load(self, value, other_text=None) -> None:
        self.data = value
        self.raw = value.isoformat() if value else ""


def month_label(value: Any) -> str:
    """ "2024-05" as "mai 2024" / "May 2024"."""
    try:
        year, month = (int(part) for part in str(value).split("-")[:2])
        return format_date(date(year, month, 1), "LLLL yyyy")
    except (TypeError, ValueError):
        return str(value)


def as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class DateType(ScalarType):
    key = QuestionType.DATE
    label = _l("Date")
    field_class = DateQuestionField
    value_column = "date_value"
    settings = {"min": SettingKind.DATE, "max": SettingKind.DATE}
    settings_fields = {
        "min_date": DateField(_l("Earliest date"), validators=[Optional()]),
        "max_date": DateField(_l("Latest date"), validators=[Optional()]),
    }
    settings_paths = {"min": "min_date", "max": "max_date"}
    figures = frozenset({Figure.DATES})
    xlsform_types = ("date",)
    xlsform_order = 40

    def check_settings(self, check, settings, choice_count):
        low, high = settings.get("min"), settings.get("max")
        if low and high and low > high:
            check.error("$.settings.min", _("The earliest date comes after the latest date."))

    def settings_from_form(self, form):
        return {
            "min": form.min_date.data.isoformat() if form.min_date.data else None,
            "max": form.max_date.data.isoformat() if form.max_date.data else None,
        }

    def settings_form_data(self, settings):
        return {f"{key}_date": date.fromisoformat(settings[key]) for key in ("min", "max") if settings.get(key)}

    def operand(self, value):
        if value is None:
            return None
        return value.isoformat() if isinstance(value, date) else str(value)

    def value_from_json(self, value):
        return parse_date(value) if isinstance(value, str) else None

    def summarize(self, question, result, figures):
        low, high = figures.date_bounds.get(question.id, (None, None))
        result.earliest, result.latest = as_date(low), as_date(high)
        count = result.answered
        result.rows = [Row(month_label(month), n, share(n, count)) for month, n in figures.months.get(question.id, [])]

    def exported(self, value):
        return value.isoformat() if value else None

    def synthetic_value(self, question, plan, english, values):
        rng = plan.rng
        low, high = question.setting("min"), question.setting("max")
        try:
            first = date.fromisoformat(str(low)) if low else date.today() - timedelta(days=180)
            last = date.fromisoformat(str(high)) if high else first + timedelta(days=540)
        except ValueError:
            first, last = date.today(), date.today() + timedelta(days=365)
        if last < first:
            last = first
        return first + timedelta(days=rng.randint(0, (last - first).days))
