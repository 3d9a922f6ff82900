"""Computed value: XLSForm's ``calculate`` (and ``hidden``). Nothing is asked: the value of its ``calculation``
(an expression, app/builder/expressions.py) is computed from the answers before it, stored with the response as
a text, exported, and usable in later conditions, constraints, calculations and ``${code}`` in labels.

The server computes it when the page holding it is sent (without JavaScript too); in the browser conditions.js
evaluates the same tree (``data-calculate``) as the person answers, so conditions on the same page follow it.
"""

from __future__ import annotations

import math
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import Length, Optional

from app.questions.base import SettingKind, XLSFormExportRow, XLSFormQuestion
from app.questions.fields import QuestionField
from app.questions.text import TextType

MAX_CALCULATION = 2000


def calculated_text(value: Any) -> str | None:
    """A computed value as stored: numbers as JavaScript writes them, true/false; ``None`` for nothing (an empty
    text, NaN)."""
    from app.builder.expressions import _string

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = _string(value)
    return text[:5000] or None


class CalculateField(QuestionField):
    """No input: its value is computed while the page is validated, from the answers before it."""

    has_input = False

    def __init__(self, *args, **kwargs):
        from app.builder.expressions import ExpressionError, parse, to_json

        super().__init__(*args, **kwargs)
        source = (self.question.settings or {}).get("calculation") or ""
        try:
            self.expression = parse(source) if source.strip() else None
        except ExpressionError:  # refused on import and in the builder: only a damaged database has one
            self.expression = None
        self.tree = to_json(self.expression) if self.expression is not None else None

    def parse(self, formdata) -> None:
        return None  # what the browser sends is ignored: the server computes

    def validate(self, form, extra_validators=()) -> bool:
        from app.builder.expressions import evaluate

        self.errors = []
        if self.expression is None:
            self.data = None
        else:
            self.data = calculated_text(evaluate(self.expression, getattr(form, "running_answers", {}) or {}))
        return True


class CalculateType(TextType):
    key = "calculate"
    label = _l("Computed value (not asked)")
    field_class = CalculateField
    computed = True
    settings = {"calculation": SettingKind.EXPRESSION}
    settings_fields = {
        "calculation": StringField(
            _l("Calculation"),
            description=_l("An expression over earlier answers, e.g. ${adults} + ${children}."),
            validators=[Optional(), Length(max=MAX_CALCULATION)],
        )
    }
    figures = frozenset()
    xlsform_types = ("calculate",)
    xlsform_aliases = ("hidden",)
    xlsform_order = 70
    skip_share = 0.0

    def check_settings(self, check, settings, choice_count):
        """A calculation's references are checked with the questionnaire (check_question)."""

    def check_question(self, check, question, context):
        if question["required"]:
            check.error("$.required", _("A computed value is not asked: it cannot be required."))
        if question["constraint"]:
            check.error("$.constraint", _("A computed value is not asked: it cannot have a constraint."))
        source = question["settings"].get("calculation", "")
        if source:
            # Any question of the form (a later one counts as unanswered when this value is computed, as the page
            # holding it is sent); "." is the value itself, empty until computed.
            check.expression(
                source,
                "$.settings.calculation",
                known=context.known,
                allowed=[name for name in context.known if name != question["code"]],
                current=question["code"] or None,
                allow_self=True,
                notes=context.notes,
                choice_codes=context.choice_codes,
            )

    def from_xlsform(self, row):
        calculation = row.cells.get("calculation", "").strip()
        default = row.cells.get("default", "").strip()
        if not calculation and default:  # a hidden field holding a fixed value
            quote = "'" if "'" not in default else '"'
            calculation = f"{quote}{default}{quote}"
        settings = {"calculation": calculation} if calculation else {}
        return XLSFormQuestion(self.key, settings=settings, settings_column="calculation")

    def field_options(self, question, language, territories):
        return {}

    def to_xlsform(self, question):
        return XLSFormExportRow("calculate", {"calculation": question.setting("calculation") or "''"})

    def moderated(self, question):
        return False

    def summarize(self, question, result, figures):
        """Counted as answered; the values are in the exports."""

    def synthetic_value(self, question, plan, english, values):
        return None
