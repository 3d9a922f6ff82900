"""Field declarations shared by the feature forms: one text in French and English, an optional whole number in a
range, a short name checked against a pattern (the short name in an address among them), and a number of people or
things that has one message for whatever is wrong with it.

The factories return ordinary unbound WTForms fields, declared in a form class as usual
(``title_fr, title_en = bilingual(StringField, _l("Title (French)"), _l("Title (English)"), max_length=200)``); the
labels and messages stay literal ``_l()`` strings at the call site, where Babel finds them.
"""

import re
from collections.abc import Collection
from re import Pattern
from typing import Any

from wtforms import IntegerField, StringField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

#: The short name in an address (``/s/<slug>``, ``/p/<slug>``): lowercase ASCII letters and digits, single hyphens.
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG_LENGTH = 80


def bilingual(
    field_class: type,
    label_fr: Any,
    label_en: Any,
    *,
    max_length: int,
    required: Collection[str] = (),
) -> tuple[UnboundField, UnboundField]:
    """The French and the English version of one text (``x_fr``, ``x_en``), at most ``max_length`` characters each;
    ``required`` names the languages that must be filled in (``("fr",)``: French only), the others are optional."""

    def one(label: Any, language: str) -> UnboundField:
        presence = DataRequired() if language in required else Optional()
        return field_class(label, validators=[presence, Length(max=max_length)])

    return one(label_fr, "fr"), one(label_en, "en")


def optional_number(label: Any, *, low: int, high: int, description: Any = None) -> UnboundField:
    """A whole number from ``low`` to ``high``, or nothing."""
    return IntegerField(label, validators=[Optional(), NumberRange(min=low, max=high)], description=description)


def pattern_field(
    label: Any, pattern: str | Pattern[str], message: Any, *, max_length: int, description: Any = None
) -> UnboundField:
    """A required short name (a code, the last part of an address) that must match ``pattern`` (else ``message``)."""
    validators = [DataRequired(), Length(max=max_length), Regexp(pattern, message=message)]
    return StringField(label, validators=validators, description=description)


def slug_field(label: Any, message: Any, description: Any) -> UnboundField:
    """The short name in an address, ``message`` when it is not one (it gives an example)."""
    return pattern_field(label, SLUG_PATTERN, message, max_length=MAX_SLUG_LENGTH, description=description)


class BoundedIntegerField(IntegerField):
    """A whole number from 0 to ``maximum``, or nothing: anything else, a word or a number out of range, gets the one
    ``message`` (not WTForms' two)."""

    def __init__(self, label: Any = None, validators: Any = None, *, maximum: int, message: Any, **kwargs: Any):
        super().__init__(label, [Optional(), *(validators or ()), self._in_range], **kwargs)
        self.maximum = maximum
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.message)) from None

    def _in_range(self, _form: Any, field: IntegerField) -> None:
        if field.data is not None and not 0 <= field.data <= self.maximum:
            raise ValidationError(str(self.message))
