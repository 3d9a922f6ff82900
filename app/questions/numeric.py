"""Number: a whole number, or a decimal one with ``decimal`` (``min``, ``max``); ``integer`` and ``decimal`` in
XLSForm. Stored as ``number_value``; results give the mean, median, extremes and a histogram."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField
from wtforms.validators import NumberRange, Optional

from app.models import QuestionType
from app.questions.base import (
    SettingKind,
    XLSFormExportRow,
    XLSFormQuestion,
    json_number,
)
from app.questions.fields import (
    MAX_NUMBER,
    NUMBER_PLACES,
    decimal_setting,
    format_number,
    plain_number,
)
from app.questions.scalar import BoundedField, ScalarType
from app.questions.summaries import Figure, NumberStats, Row, as_float, share

NUMERIC_BINS = 10
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
GROUPING = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}\b)")
LIMIT = 10**11  # the builder's bound on a question's minimum and maximum


class NumericQuestionField(BoundedField):
    out_of_range = (
        _l("Enter a number from %(min)s to %(max)s."),
        _l("Enter a number of at least %(min)s."),
        _l("Enter a number of at most %(max)s."),
    )

    def read_settings(self, settings):
        self.decimal = bool(settings.get("decimal"))

    def limit(self, value):
        return decimal_setting(value)

    def show(self, limit):
        return format_number(limit, self.language)

    def convert(self, text) -> Decimal:
        text = GROUPING.sub("", text).replace(" ", "")
        if not NUMBER_RE.fullmatch(text):
            raise ValueError(self._format_message())
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(self._format_message()) from None
        if abs(value) > MAX_NUMBER:
            raise ValueError(_l("This number is too large."))
        if not self.decimal and value != value.to_integral_value():
            raise ValueError(self._format_message())
        value = value.quantize(NUMBER_PLACES).normalize() if self.decimal else value.to_integral_value()
        self.raw = plain_number(value)  # shown again in a form every browser and conditions.js read the same way
        return value

    def make_rule(self) -> Any:
        low, high, values = self.minimum, self.maximum, self.shown_limits()
        if low is not None and high is not None:
            return _l("A number from %(min)s to %(max)s.", **values)
        if low is not None:
            return _l("A number of at least %(min)s.", **values)
        if high is not None:
            return _l("A number of at most %(max)s.", **values)
        return None

    def _format_message(self):
        if self.decimal:
            return _l("Enter a number, for example 12 or 2,5.")
        return _l("Enter a whole number, for example 12.")

    def load(self, value, other_text=None) -> None:
        self.data = None if value is None else Decimal(value)
        self.raw = "" if value is None else plain_number(Decimal(value))


def bins(minimum: float, maximum: float, integers: bool) -> list[float]:
    """Lower edges of the bins of a histogram from ``minimum`` to ``maximum``."""
    if integers and maximum - minimum < NUMERIC_BINS:
        return [minimum + i for i in range(int(maximum - minimum) + 1)]
    if maximum == minimum:
        return [minimum]
    width = (maximum - minimum) / NUMERIC_BINS
    return [minimum + i * width for i in range(NUMERIC_BINS)]


def _limit(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


class NumericType(ScalarType):
    key = QuestionType.NUMERIC
    label = _l("Number")
    field_class = NumericQuestionField
    value_column = "number_value"
    settings = {"min": SettingKind.NUMBER, "max": SettingKind.NUMBER, "decimal": SettingKind.BOOL}
    settings_fields = {
        "min_value": DecimalField(
            _l("Minimum"), places=None, validators=[Optional(), NumberRange(min=-LIMIT, max=LIMIT)]
        ),
        "max_value": DecimalField(
            _l("Maximum"), places=None, validators=[Optional(), NumberRange(min=-LIMIT, max=LIMIT)]
        ),
        "decimal": BooleanField(_l("Allow decimals")),
    }
    settings_paths = {"min": "min_value", "max": "max_value"}
    figures = frozenset({Figure.NUMBER_STATS, Figure.MEDIANS, Figure.HISTOGRAM})
    xlsform_types = ("integer", "decimal")
    xlsform_order = 20

    def check_settings(self, check, settings, choice_count):
        low, high = settings.get("min"), settings.get("max")
        if not settings.get("decimal"):
            for key in ("min", "max"):
                if isinstance(settings.get(key), float):
                    check.error(
                        f"$.settings.{key}", _("Whole numbers are expected: allow decimals or round this limit.")
                    )
        if low is not None and high is not None and low > high:
            check.error("$.settings.min", _("The minimum is larger than the maximum."))

    def from_xlsform(self, row):
        return XLSFormQuestion(self.key, {"decimal": True} if row.word == "decimal" else {})

    def to_xlsform(self, question):
        return XLSFormExportRow("decimal" if question.setting("decimal") else "integer")

    def settings_from_form(self, form):
        return {
            "decimal": form.decimal.data,
            "min": _limit(form.min_value.data),
            "max": _limit(form.max_value.data),
        }

    def settings_form_data(self, settings):
        data: dict[str, Any] = {"decimal": settings["decimal"]} if "decimal" in settings else {}
        for key in ("min", "max"):
            if settings.get(key) is not None:
                data[f"{key}_value"] = Decimal(str(settings[key]))
        return data

    def operand(self, value):
        if value is None:
            return None
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)

    def value_from_json(self, value):
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            return None
        return number if number.is_finite() else None

    def answer_rows(self, value, other_text, lookup):
        return [{"number_value": Decimal(value)}]

    def read_value(self, question, rows, lookup):
        numbers = [row.number_value for row in rows if row.number_value is not None]
        return {question.code: Decimal(numbers[-1]).normalize()} if numbers else {}

    def histogram_edges(self, question, stats: tuple) -> tuple[list[float], bool]:
        """The lower edges of its histogram's bins, and whether each bin is one whole number."""
        low, high = as_float(stats[2]), as_float(stats[3])
        integers = not question.setting("decimal") and float(low).is_integer() and float(high).is_integer()
        return bins(low, high, integers), integers and high - low < NUMERIC_BINS

    def summarize(self, question, result, figures):
        number_count, mean, low, high = figures.stats.get(question.id, (0, None, None, None))
        result.stats = NumberStats(
            number_count, as_float(mean), figures.medians.get(question.id), as_float(low), as_float(high)
        )
        if question.id not in figures.bins:
            return
        lows, single = figures.bins[question.id]
        counts = figures.histograms.get(question.id, {})
        count = result.answered
        for index, edge in enumerate(lows):
            if single or len(lows) == 1:
                text = figures.format_number(edge)
            else:
                upper = lows[index + 1] if index + 1 < len(lows) else as_float(high)
                text = _("%(low)s to %(high)s", low=figures.format_number(edge), high=figures.format_number(upper))
            result.rows.append(Row(text, counts.get(index, 0), share(counts.get(index, 0), count)))

    def exported(self, value):
        return json_number(value)

    def synthetic_value(self, question, plan, english, values):
        rng = plan.rng
        low = _float_or(question.setting("min"), 0)
        high = _float_or(question.setting("max"), max(low, 0) + 100)
        if high <= low:
            return Decimal(low)
        # Small values are common, large ones rare: a log-like spread over the range.
        span = high - low
        value = low + span * (rng.random() ** 3 if span > 20 else rng.random())
        if question.setting("decimal"):
            return Decimal(str(round(value, 1)))
        return Decimal(min(int(high), max(int(low), round(value))))


def _float_or(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
