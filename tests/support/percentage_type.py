"""A question type that exists only in the tests: a percentage, from 0 to 100 (whole, or with tenths).

It shows what a new type is: this one module (the class and its field) and its template
(tests/support/templates/questions/percentage.html), registered with ``app.questions.register``; nothing else in
the application changes. tests/integration/test_question_type_extension.py registers it and runs it end to end.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from wtforms import BooleanField
from wtforms.validators import ValidationError

from app.questions.base import BaseQuestionType, Column, SettingKind, XLSFormQuestion, first_value, json_number
from app.questions.fields import QuestionField, clean_text, plain_number
from app.questions.summaries import Figure, NumberStats, Row, as_float, share

PERCENT = re.compile(r"^(\d{1,3})(?:[.,](\d))?\s*%?$")
TENTHS_FIELD = BooleanField("Allow tenths (45.5 %)")


class PercentageField(QuestionField):
    """``45``, ``45 %``, ``45,5 %`` (with tenths): a Decimal from 0 to 100."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tenths = bool(self.question.setting("tenths"))
        self.raw = ""

    def make_rule(self) -> Any:
        return "A percentage from 0 to 100."

    def parse(self, formdata) -> Decimal | None:
        self.raw = str(formdata.get(self.name, ""))[:20]
        self.raw_data = [self.raw]
        text = clean_text(self.raw, multiline=False)
        if not text:
            return None
        match = PERCENT.fullmatch(text)
        if match is None or (match.group(2) and not self.tenths):
            raise ValueError("Enter a percentage, for example 45 %.")
        try:
            value = Decimal(f"{match.group(1)}.{match.group(2) or 0}").normalize()
        except InvalidOperation:
            raise ValueError("Enter a percentage, for example 45 %.") from None
        self.raw = plain_number(value)
        return value

    def load(self, value, other_text=None) -> None:
        self.data = None if value is None else Decimal(value)
        self.raw = "" if value is None else plain_number(Decimal(value))

    def check(self, form) -> None:
        if self.data > 100:
            raise ValidationError("A percentage goes up to 100.")


class PercentageType(BaseQuestionType):
    key = "percentage"
    label = "Percentage"
    field_class = PercentageField
    settings = {"tenths": SettingKind.BOOL}
    settings_fields = {"tenths": TENTHS_FIELD}
    figures = frozenset({Figure.NUMBER_STATS, Figure.MEDIANS, Figure.HISTOGRAM})
    xlsform_types = ("percentage",)

    def from_xlsform(self, row):
        return XLSFormQuestion(
            self.key, {"tenths": True} if "tenths" in row.appearance else {}, settings_column="appearance"
        )

    def operand(self, value):
        if value is None:
            return None
        number = Decimal(value)
        return int(number) if number == number.to_integral_value() else float(number)

    def value_from_json(self, value):
        try:
            return Decimal(str(value))
        except InvalidOperation:
            return None

    def answer_rows(self, value, other_text, lookup):
        return [{"number_value": Decimal(value)}]

    def read_value(self, question, rows, lookup):
        return {question.code: Decimal(rows[-1].number_value).normalize()}

    def histogram_edges(self, question, stats):
        return [float(low) for low in range(0, 100, 25)], False  # quarters: 0–25, 25–50, 50–75, 75–100

    def summarize(self, question, result, figures):
        count, mean, low, high = figures.stats.get(question.id, (0, None, None, None))
        result.stats = NumberStats(
            count, as_float(mean), figures.medians.get(question.id), as_float(low), as_float(high)
        )
        lows, _single = figures.bins.get(question.id, ([], False))
        counts = figures.histograms.get(question.id, {})
        for index, low in enumerate(lows):
            label = _("%(low)s to %(high)s", low=f"{low:g} %", high=f"{low + 25:g} %")
            result.rows.append(Row(label, counts.get(index, 0), share(counts.get(index, 0), result.answered)))

    def export_columns(self, question, layout):
        qid = question.id
        return [Column(question.code, question.label_fr, lambda a: first_value(a, qid, "number_value"))]

    def export_value(self, question, rows, layout):
        return {question.code: json_number(rows[0].number_value)}

    def synthetic_value(self, question, plan, english, values):
        return Decimal(plan.rng.randint(0, 100))
