"""What the types answered in several parts share (a ranking's options, a matrix's rows): one Answer row per part,
results by category; a field with one input per part, named ``q_<code>:<part code>``, and a required question
wants every part answered."""

from __future__ import annotations

from wtforms.validators import ValidationError

from app.questions.choices import ChoiceType
from app.questions.fields import SUB, Option, QuestionField
from app.questions.summaries import Figure


class PartsField(QuestionField):
    """A field whose value has one entry per part; ``parts`` lists them (set by the subclass)."""

    parts: list[Option]

    def input_name(self, part: Option) -> str:
        return f"{self.name}{SUB}{part.value}"

    def check(self, form) -> None:
        if self.answer_required and self.enforce_required and len(self.data) < len(self.parts):
            raise ValidationError(self.required_message)


class PartsType(ChoiceType):
    """A choice type answered part by part (with a :class:`PartsField`)."""

    several_rows = True
    figures = frozenset({Figure.CATEGORIES})
