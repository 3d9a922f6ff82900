"""What the one-line answers of a fixed format share (a time, a date and time, a geographic point): a text input
whose value is checked against its format and kept as normalized text (``text_value``), compared as text by
conditions (ISO texts order correctly), never moderated. Each type says how it reads what was typed."""

from __future__ import annotations

from typing import Any, ClassVar

from wtforms.validators import ValidationError

from app.questions.fields import QuestionField, clean_text
from app.questions.scalar import ScalarType


class FormattedField(QuestionField):
    """A one-line text in a format: ``normalize`` (of the type) reads it, or the field shows ``invalid``."""

    input_type = "text"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.raw = ""

    def make_rule(self) -> Any:
        return self.qtype.rule if self.qtype is not None else None

    def parse(self, formdata) -> str | None:
        self.raw = clean_text(formdata.get(self.name, ""), multiline=False)[:200]
        self.raw_data = [self.raw]
        return self.raw or None

    def load(self, value, other_text=None) -> None:
        self.data = value or None
        self.raw = value or ""

    def check(self, form) -> None:
        normalized = self.qtype.normalize(self.data)
        if normalized is None:
            raise ValidationError(self.qtype.invalid)
        self.data = normalized


class FormattedType(ScalarType):
    field_class: ClassVar[type[QuestionField]] = FormattedField
    closed = False
    skip_share = 0.2
    #: The hint under the question, and the message for what does not fit.
    rule: ClassVar[Any] = None
    invalid: ClassVar[Any] = None
    #: The HTML input type (``time``, ``datetime-local``, ``text``) and, for a text input, its inputmode.
    input_type: ClassVar[str] = "text"
    inputmode: ClassVar[str] = ""
    #: One template for every formatted type: the class gives its input's type and inputmode.
    template = "questions/formatted.html"

    def normalize(self, text: str) -> str | None:
        """The stored form of what was typed, or None when it does not fit."""
        raise NotImplementedError(self.key)

    def value_from_json(self, value):
        return self.normalize(value) if isinstance(value, str) else None

    def summarize(self, question, result, figures):
        """Counted as answered; the values are in the exports."""
