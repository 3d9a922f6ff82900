"""What the free-text types share (short text, long text): the text field, the length settings, storage in
``text_value``, the "open" setting that sends the answers to the moderation queue."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from wtforms import BooleanField, IntegerField
from wtforms.validators import NumberRange, Optional, ValidationError

from app.questions.base import BaseQuestionType, Column, SettingKind, first_value, text_of
from app.questions.fields import MAX_TEXT_LENGTH, QuestionField, clean_text, format_number, positive_int
from app.questions.summaries import Figure


class TextQuestionField(QuestionField):
    def __init__(self, *args, multiline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline
        settings = self.question.settings or {}
        self.max_length = positive_int(settings.get("max_length"), MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)
        self.min_length = positive_int(settings.get("min_length"), 0, self.max_length)
        self.raw = ""

    def make_rule(self) -> Any:
        if self.multiline:
            return _l("Up to %(count)s characters.", count=format_number(self.max_length, self.language))
        return None

    def parse(self, formdata) -> str | None:
        self.raw = str(formdata.get(self.name, ""))
        self.raw_data = [self.raw]
        return clean_text(self.raw, multiline=self.multiline) or None

    def load(self, value, other_text=None) -> None:
        self.data = value or None
        self.raw = value or ""

    def check(self, form) -> None:
        length = len(self.data)
        if length > self.max_length:
            raise ValidationError(
                _l(
                    "Your answer is too long: %(count)s characters; the maximum is %(max)s.",
                    count=format_number(length, self.language),
                    max=format_number(self.max_length, self.language),
                )
            )
        if length < self.min_length:
            raise ValidationError(
                _ln(
                    "Your answer is too short: write at least %(num)d character.",
                    "Your answer is too short: write at least %(num)d characters.",
                    self.min_length,
                )
            )


#: The builder's fields for the settings of text questions (one set, shared by both types).
TEXT_SETTINGS_FIELDS = {
    "open": BooleanField(
        _l("Open question: the text goes to the moderation queue"),
        description=_l("Free text is read by a facilitator, and personal information removed, before partners see it."),
    ),
    "min_length": IntegerField(
        _l("Minimum length (characters)"), validators=[Optional(), NumberRange(min=0, max=MAX_TEXT_LENGTH)]
    ),
    "max_length": IntegerField(
        _l("Maximum length (characters)"), validators=[Optional(), NumberRange(min=1, max=MAX_TEXT_LENGTH)]
    ),
}


class TextType(BaseQuestionType):
    """A free text, at most 5,000 characters (``min_length``, ``max_length``), moderated when ``open``."""

    field_class = TextQuestionField
    multiline: ClassVar[bool] = False
    settings = {"min_length": SettingKind.INT, "max_length": SettingKind.INT, "open": SettingKind.BOOL}
    settings_fields = TEXT_SETTINGS_FIELDS
    figures = frozenset({Figure.APPROVED_TEXTS})
    closed = False
    skip_share = 0.35

    def check_settings(self, check, settings, choice_count):
        low, high = settings.get("min_length"), settings.get("max_length")
        if high is not None and high < 1:
            check.error("$.settings.max_length", _("The maximum length must be at least 1."))
        if low is not None and high is not None and low > high:
            check.error("$.settings.min_length", _("The minimum length is larger than the maximum length."))

    def field_options(self, question, language, territories):
        return {"multiline": self.multiline}

    def answer_rows(self, value, other_text, lookup):
        return [{"text_value": value}]

    def read_value(self, question, rows, lookup):
        return {question.code: rows[-1].text_value}

    def summarize(self, question, result, figures):
        result.approved_texts = figures.approved.get(question.id, 0)

    def export_columns(self, question, layout):
        qid = question.id
        return [Column(question.code, text_of(question, layout.language), lambda a: first_value(a, qid, "text_value"))]

    def export_value(self, question, rows, layout):
        return {question.code: rows[0].text_value}

    def moderated(self, question):
        return bool(question.setting("open"))

    def synthetic_value(self, question, plan, english, values):
        limit = int(question.setting("max_length") or 2000)
        return self.synthetic_text(plan.rng, english)[:limit]

    def synthetic_text(self, rng, english: bool) -> str:
        raise NotImplementedError(self.key)
