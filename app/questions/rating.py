"""Rating scale: a point from 1 to ``scale`` (2 to 10, default 5), the ends optionally labelled; ``range`` with
``start=1 step=1 end=N`` in XLSForm. Stored as ``number_value``; results give the distribution, mean and median."""

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, StringField
from wtforms.validators import Length, NumberRange, Optional

from app.models import QuestionType
from app.questions.base import (
    SettingKind,
    XLSFormExportRow,
    XLSFormQuestion,
    json_number,
)
from app.questions.choices import ChoiceQuestionField
from app.questions.fields import DEFAULT_SCALE, MAX_SCALE, positive_int, setting_text
from app.questions.scalar import ScalarType
from app.questions.summaries import Figure, NumberStats, Row, as_float, share

END_LABELS = ("low_label_fr", "low_label_en", "high_label_fr", "high_label_en")


class RatingQuestionField(ChoiceQuestionField):
    """1..N; the value is an int. The end labels describe 1 and N."""

    def __init__(self, *args, **kwargs):
        question = kwargs["question"]
        language = kwargs.get("language", "fr")
        settings = question.settings or {}
        scale = positive_int(settings.get("scale"), DEFAULT_SCALE, MAX_SCALE)
        self.scale = max(scale, 2)
        self.low_label = setting_text(settings, "low_label", language)
        self.high_label = setting_text(settings, "high_label", language)
        options = []
        for n in range(1, self.scale + 1):
            label = str(n)
            if n == 1 and self.low_label:
                label = f"{n} – {self.low_label}"
            elif n == self.scale and self.high_label:
                label = f"{n} – {self.high_label}"
            options.append((str(n), label))
        super().__init__(*args, options=options, **kwargs)

    def parse(self, formdata) -> int | None:
        value = super().parse(formdata)
        return None if value is None else int(value)

    def load(self, value, other_text=None) -> None:
        super().load(None if value is None else str(value))
        self.data = None if self.data is None else int(self.data)


class RatingType(ScalarType):
    key = QuestionType.RATING
    label = _l("Rating scale")
    field_class = RatingQuestionField
    value_column = "number_value"
    settings = {"scale": SettingKind.INT, **dict.fromkeys(END_LABELS, SettingKind.LABEL)}
    settings_fields = {
        "scale": IntegerField(
            _l("Number of points (from 1 to N)"), default=5, validators=[Optional(), NumberRange(min=2, max=MAX_SCALE)]
        ),
        "low_label_fr": StringField(_l("Label of point 1 (French)"), validators=[Optional(), Length(max=200)]),
        "low_label_en": StringField(_l("Label of point 1 (English)"), validators=[Optional(), Length(max=200)]),
        "high_label_fr": StringField(_l("Label of the last point (French)"), validators=[Optional(), Length(max=200)]),
        "high_label_en": StringField(_l("Label of the last point (English)"), validators=[Optional(), Length(max=200)]),
    }
    figures = frozenset({Figure.NUMBER_STATS, Figure.VALUE_COUNTS, Figure.MEDIANS})
    xlsform_types = ("range",)
    xlsform_order = 60

    def check_settings(self, check, settings, choice_count):
        scale = settings.setdefault("scale", DEFAULT_SCALE)
        if not 2 <= scale <= MAX_SCALE:
            check.error(
                "$.settings.scale", _("A rating scale goes from 1 to a number from 2 to %(max)d.", max=MAX_SCALE)
            )

    def from_xlsform(self, row):
        parameters = dict(
            part.split("=", 1) for part in row.cells.get("parameters", "").replace(";", " ").split() if "=" in part
        )
        try:
            start = float(parameters.get("start", "1"))
            end = float(parameters.get("end", "10"))
            step = float(parameters.get("step", "1"))
        except ValueError:
            start, end, step = 0.0, 0.0, 0.0
        if start != 1 or step != 1 or not end.is_integer() or not 2 <= end <= MAX_SCALE:
            row.problem("parameters", _("A range becomes a rating scale: use start=1 step=1 and an end from 2 to 10."))
            return None
        return XLSFormQuestion(self.key, {"scale": int(end)}, settings_column="parameters")

    def to_xlsform(self, question):
        scale = question.setting("scale") or DEFAULT_SCALE
        return XLSFormExportRow("range", {"parameters": f"start=1 end={scale} step=1"})

    def settings_from_form(self, form):
        settings: dict[str, Any] = {"scale": form.scale.data}
        for key in END_LABELS:
            settings[key] = (form[key].data or "").strip()
        return settings

    def value_from_json(self, value):
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    def answer_rows(self, value, other_text, lookup):
        return [{"number_value": Decimal(value)}]

    def read_value(self, question, rows, lookup):
        numbers = [row.number_value for row in rows if row.number_value is not None]
        return {question.code: int(numbers[-1])} if numbers else {}

    def summarize(self, question, result, figures):
        number_count, mean, low, high = figures.stats.get(question.id, (0, None, None, None))
        result.stats = NumberStats(
            number_count, as_float(mean), figures.medians.get(question.id), as_float(low), as_float(high)
        )
        values = figures.counts.get(question.id, {})
        scale = int(question.setting("scale") or DEFAULT_SCALE)
        points = sorted({*range(1, scale + 1), *(int(v) for v in values)})
        count = result.answered
        result.rows = [
            Row(str(point), values.get(Decimal(point), 0), share(values.get(Decimal(point), 0), count))
            for point in points
        ]

    def exported(self, value):
        return json_number(value)

    def synthetic_value(self, question, plan, english, values):
        scale = int(question.setting("scale") or 5)
        return max(1, min(scale, round(plan.rng.triangular(1, scale, scale * 0.75))))
