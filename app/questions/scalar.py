"""What the types whose answer is one value share: :class:`ScalarType` keeps it in one column of one Answer row
(``text_value``, ``number_value``, ``date_value``) and exports that column; :class:`BoundedField` reads one typed
value (a number, a date) and checks it against the question's ``min`` and ``max`` settings. A type says which
column, how a value is exported, and how its field reads what was typed; the rest is here, once."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel.speaklater import LazyString
from wtforms.validators import ValidationError

from app.questions.base import BaseQuestionType, Column, first_value, text_of
from app.questions.fields import QuestionField, clean_text


class ScalarType(BaseQuestionType):
    """A type whose answer is one Answer row, its value in ``value_column``."""

    #: The Answer column that holds the value.
    value_column: ClassVar[str] = "text_value"

    def answer_rows(self, value, other_text, lookup):
        return [{self.value_column: value}]

    def read_value(self, question, rows, lookup):
        return {question.code: getattr(rows[-1], self.value_column)}

    def export_columns(self, question, layout):
        qid, column = question.id, self.value_column
        return [Column(question.code, text_of(question, layout.language), lambda a: first_value(a, qid, column))]

    def export_value(self, question, rows, layout):
        return {question.code: self.exported(getattr(rows[0], self.value_column))}

    def exported(self, value: Any) -> Any:
        """The stored value as the JSON export writes it."""
        return value


class BoundedField(QuestionField):
    """One typed value on one line (at most ``max_typed`` characters), read by :meth:`convert`, between the
    question's optional ``min`` and ``max`` settings (read by :meth:`limit`); ``out_of_range`` holds the three
    messages (both limits, only the minimum, only the maximum), with ``%(min)s`` and ``%(max)s`` shown by
    :meth:`show`."""

    max_typed: ClassVar[int] = 100
    out_of_range: ClassVar[tuple[Any, Any, Any]]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self.question.settings or {}
        self.read_settings(settings)
        self.minimum = self.limit(settings.get("min"))
        self.maximum = self.limit(settings.get("max"))
        self.raw = ""

    def read_settings(self, settings: dict[str, Any]) -> None:
        """Read the settings other than the limits (before the limits are read)."""

    def limit(self, value: Any) -> Any:
        """A ``min`` or ``max`` setting as a value :meth:`convert` gives (None when it is not set). Each field
        that derives from this one says how (a number, a date)."""
        raise NotImplementedError

    def convert(self, text: str) -> Any:
        """The value of a cleaned, non-empty text; raise ValueError(message) when it is not one."""
        raise NotImplementedError

    def show(self, limit: Any) -> str:
        """A limit as the messages show it."""
        raise NotImplementedError

    def shown_limits(self) -> dict[str, str]:
        """``min`` and ``max`` as the messages show them (empty when there is none)."""
        low, high = self.minimum, self.maximum
        return {"min": "" if low is None else self.show(low), "max": "" if high is None else self.show(high)}

    def parse(self, formdata) -> Any:
        self.raw = str(formdata.get(self.name, ""))[: self.max_typed]
        self.raw_data = [self.raw]
        text = clean_text(self.raw, multiline=False)
        return self.convert(text) if text else None

    def check(self, form) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and self.data < low) or (high is not None and self.data > high):
            values = self.shown_limits()
            both, at_least, at_most = self.out_of_range
            message = both if low is not None and high is not None else at_least if low is not None else at_most
            raise ValidationError(LazyString(lambda: str(message) % values))
