"""Multiple choice: any number of the question's choices (checkboxes, ``min_selections``/``max_selections``),
optionally "other, please specify"; ``select_multiple list_name [or_other]`` in XLSForm."""

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from wtforms import IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from app.models import QuestionType
from app.questions.base import Column, SettingKind, text_of
from app.questions.choices import FILTER_SETTINGS, OTHER_FIELD, ChoiceQuestionField, OtherChoiceType
from app.questions.fields import positive_int

MAX_CHOICES = 300


class MultipleChoiceQuestionField(ChoiceQuestionField):
    required_message = _l("Choose at least one answer.")
    multiple = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self.question.settings or {}
        count = len(self.options)
        self.min_selections = positive_int(settings.get("min_selections"), 0, count)
        self.max_selections = positive_int(settings.get("max_selections"), count, count) or count

    def make_rule(self) -> Any:
        low, high, count = self.min_selections, self.max_selections, len(self.options)
        if high < count and low > 1:
            return _l("Choose from %(min)d to %(max)d answers.", min=low, max=high)
        if high < count:
            return _ln("Choose at most %(num)d answer.", "Choose at most %(num)d answers.", high)
        if low > 1:
            return _ln("Choose at least %(num)d answer.", "Choose at least %(num)d answers.", low)
        return _l("Choose all that apply.")

    def check(self, form) -> None:
        count = len(self.data)
        if count < self.min_selections:
            raise ValidationError(
                _ln("Choose at least %(num)d answer.", "Choose at least %(num)d answers.", self.min_selections)
            )
        if count > self.max_selections:
            raise ValidationError(
                _ln("Choose at most %(num)d answer.", "Choose at most %(num)d answers.", self.max_selections)
            )
        super().check(form)


class MultipleChoiceType(OtherChoiceType):
    key = QuestionType.MULTIPLE_CHOICE
    min_choices = 1  # one box to tick is a question too
    label = _l("Multiple choice")
    field_class = MultipleChoiceQuestionField
    several_rows = True
    settings = {
        "min_selections": SettingKind.INT,
        "max_selections": SettingKind.INT,
        "other": SettingKind.BOOL,
        **FILTER_SETTINGS,
    }
    settings_fields = {
        "other": OTHER_FIELD,
        "min_selections": IntegerField(
            _l("Minimum number of choices"), validators=[Optional(), NumberRange(min=0, max=MAX_CHOICES)]
        ),
        "max_selections": IntegerField(
            _l("Maximum number of choices"), validators=[Optional(), NumberRange(min=1, max=MAX_CHOICES)]
        ),
    }
    xlsform_types = ("select_multiple",)
    xlsform_order = 11
    other_share = 0.06

    def check_settings(self, check, settings, choice_count):
        low, high = settings.get("min_selections"), settings.get("max_selections")
        available = choice_count + (1 if settings.get("other") else 0)
        if high is not None and (high < 1 or (choice_count and high > available)):
            check.error(
                "$.settings.max_selections",
                _("The maximum number of choices must be from 1 to %(max)d.", max=max(available, 1)),
            )
        if low is not None and choice_count and low > available:
            check.error("$.settings.min_selections", _("More choices are required than there are options."))
        if low is not None and high is not None and low > high:
            check.error("$.settings.min_selections", _("The minimum number of choices is larger than the maximum."))

    def value_from_json(self, value):
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None

    def read_value(self, question, rows, lookup):
        values: dict[str, Any] = {}
        chosen = self.chosen_codes(question, rows, lookup, values)
        if chosen:
            order = {c.code: c.position for c in question.choices}  # the options' order, "other" last
            values[question.code] = sorted(chosen, key=lambda c: order.get(c, len(order)))
        return values

    def export_columns(self, question, layout):
        label = text_of(question, layout.language)
        columns = [
            Column(
                f"{question.code}/{choice.code}",
                f"{label} — {text_of(choice, layout.language)}",
                self._chosen(question, choice, layout),
            )
            for choice in question.choices
        ]
        return [*columns, *self.other_column(question, layout)]

    @staticmethod
    def _chosen(question, choice, layout):
        cid, qid, labels, text = choice.id, question.id, layout.labels, text_of(choice, layout.language)

        def chosen(a):
            rows = a.get(qid)
            if not rows:
                return None
            hit = any(r.choice_id == cid for r in rows)
            if labels:
                return text if hit else None
            return int(hit)

        return chosen

    def synthetic_value(self, question, plan, english, values):
        rng, options = plan.rng, plan.options[question.id]
        low = max(1, int(question.setting("min_selections") or 1))
        high = int(question.setting("max_selections") or len(options) or 1)
        chosen = [
            code for (code, _id), w in zip(options, plan.weights[question.id], strict=True) if rng.random() < w * 0.7
        ]
        if len(chosen) < low and options:
            chosen = [c for c, _id in rng.sample(options, min(low, len(options)))]
        if self.synthetic_other(question, plan, english, values):
            chosen.append(plan.others[question.id])
        return chosen[:high] or None
