"""What every respondent form field shares: the base :class:`QuestionField`, the clean-up of submitted text,
dates as people type them, the "other" option's code, and the small readers of question settings.

Each question type (``app/questions/<type>.py``) defines its own field class on top of this one. A field reads its
own inputs from the form data (a compound question such as a matrix or a ranking reads several:
``q_<code>:<row>``), normalizes them to the question's *value* (see :mod:`app.respond.engine`) and refuses anything
it does not recognize. Nothing here trusts the browser: unknown codes, numbers out of range or texts over the limit
become messages, never exceptions. Fields are rendered by their type's template macro
(``templates/questions/<type>.html``, macro ``answer``), not by WTForms widgets, which gives each input its label,
hint and error.

Names and ids: the field is ``q_<code>``; a sub-input is ``q_<code>:<sub>`` (``:`` cannot appear in a question
code, so names never collide); ids of options are ``q_<code>:<index>``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from babel.numbers import format_decimal
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from werkzeug.datastructures import MultiDict
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from app.models import Question
from app.web.i18n import localized

logger = logging.getLogger(__name__)

#: Longest text answer accepted, whatever the question's settings say.
MAX_TEXT_LENGTH = 5000
#: Largest absolute number accepted (answers are stored as NUMERIC(20, 6)).
MAX_NUMBER = Decimal("999999999999")
NUMBER_PLACES = Decimal("0.000001")
DEFAULT_SCALE = 5
MAX_SCALE = 10
#: The code of the "other, please specify" option (XLSForm's ``or_other``), unless a real option already uses it.
OTHER = "other"
SUB = ":"  # separator of a question's sub-inputs; not allowed in question codes
OTHER_SUFFIX = f"{SUB}other"  # the key of an "other, please specify" text in a response's values

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DMY_RE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_ISO_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")


def babel_locale(language: str) -> str:
    return "en" if language == "en" else "fr_CA"


def clean_text(raw: Any, *, multiline: bool) -> str:
    """Form text as stored: Unix line breaks, no control characters (PostgreSQL refuses NUL), trimmed."""
    text = str(raw or "").replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL_CHARS.sub("", text)
    if not multiline:
        text = " ".join(text.split())
    return text.strip()


def other_code(question: Question) -> str:
    """The value of the "other" option: ``other``, unless one of the question's own options is called that."""
    codes = {choice.code for choice in question.choices}
    code = OTHER
    while code in codes:
        code = "_" + code
    return code


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    id: str
    is_other: bool = False


class QuestionField(Field):
    """Base class: a question's inputs → its value (``data``; ``None`` when unanswered)."""

    required_message = _l("Enter your answer.")
    has_input = True

    def __init__(
        self, label=None, validators=None, *, question: Question, language: str = "fr", qtype: Any = None, **kwargs
    ):
        super().__init__(label, validators, **kwargs)
        self.question = question
        self.qtype = qtype  # the question's type (app.questions.base.BaseQuestionType): its template renders this
        self.code = question.code
        self.language = language
        self.hint = localized(question, "help", language)
        settings = question.settings or {}
        own = settings.get(f"required_message_{language}") or settings.get("required_message_fr")
        if own:  # the question's own message for a missing answer (XLSForm's required_message)
            self.required_message = own
        # Set by the form while it validates: whether an empty answer is refused.
        self.enforce_required = True
        # Set by the render plan when the question's display condition depends on answers given on the same page:
        # when to answer it, in words (app/respond/condition_words.py), for pages read without JavaScript.
        self.when: str | None = None

    @property
    def answer_required(self) -> bool:
        """Whether an empty answer is refused (when the question is shown)."""
        return bool(self.question.required) and self.has_input

    @property
    def required(self) -> bool:
        """Whether the page marks the question "(required)": not when it may not apply (``when`` says so)."""
        return self.answer_required and not self.when

    @cached_property
    def rule(self) -> str | None:
        """A hint generated from the settings (limits, format), shown under the question's own help."""
        text = self.make_rule()
        return str(text) if text else None

    def make_rule(self) -> Any:
        return None

    @property
    def aria(self) -> Markup:
        """``aria-describedby`` (help, rule, error) and ``aria-invalid`` for the input or the group."""
        ids = [f"{self.id}:when"] if self.when else []
        if self.hint:
            ids.append(f"{self.id}:hint")
        if self.rule:
            ids.append(f"{self.id}:rule")
        if self.errors:
            ids.append(f"{self.id}:error")
        attributes = f' aria-describedby="{" ".join(ids)}"' if ids else ""
        if self.errors:
            attributes += ' aria-invalid="true"'
        return Markup(attributes)  # noqa: S704 - ids are built from question codes ([A-Za-z0-9_.-])

    @property
    def read_only(self) -> bool:
        """XLSForm's read_only: the value (its default) is shown, not asked, and stored."""
        return bool((self.question.settings or {}).get("read_only")) and self.has_input

    def default_value(self) -> Any:
        """The question's ``default`` setting read as if the person had typed (or chosen) it; ``None`` when it has
        none or when it is not a valid answer. Codes are separated by spaces for a multiple choice."""
        text = (self.question.settings or {}).get("default")
        if not text or not self.has_input:
            return None
        values = str(text).split() if getattr(self, "multiple", False) else [str(text)]
        try:
            return self.parse(MultiDict([(self.name, value) for value in values]))
        except ValueError:
            return None

    def read_only_text(self) -> str:
        """The value of a read-only question as shown: the labels of chosen options, else the value."""
        if self.data is None:
            return ""
        labels = {option.value: option.label for option in getattr(self, "options", ())}
        values = self.data if isinstance(self.data, list | tuple) else [self.data]
        return ", ".join(
            str(labels.get(value, plain_number(value) if isinstance(value, Decimal) else value)) for value in values
        )

    # Processing ------------------------------------------------------------------------------------------------
    def process(self, formdata, data=unset_value, extra_filters=None) -> None:
        self.process_errors = []
        self.raw_data = []
        self.data = None
        if formdata is not None:
            try:
                self.data = self.parse(formdata)
            except ValueError as exc:
                self.process_errors.append(exc.args[0])
                self.data = None
        else:
            self.load(None if data is unset_value else data)

    def parse(self, formdata) -> Any:
        """Read the submitted inputs; keep what was typed for re-display; raise ValueError(message) on bad input."""
        raise NotImplementedError

    def load(self, value: Any, other_text: str | None = None) -> None:
        """Show a stored value."""
        self.data = value

    # Validation ------------------------------------------------------------------------------------------------
    def pre_validate(self, form) -> None:
        if self.process_errors:
            raise StopValidation()
        if self.data is None:
            if self.answer_required and self.enforce_required:
                raise StopValidation(self.required_message)
            raise StopValidation()
        try:
            self.check(form)
        except ValidationError as exc:  # no constraint message on top of "not a number"
            raise StopValidation(exc.args[0]) from None

    def check(self, form) -> None:
        """Type-specific rules on a present value; raise ValidationError(message)."""

    @property
    def error_anchor(self) -> str:
        """The id the error summary links to (the first input)."""
        return self.id


class NoteField(QuestionField):
    """A text block: nothing to answer."""

    has_input = False

    def parse(self, formdata) -> None:
        return None


# ------------------------------------------------------------------------------------------------------- dates


def parse_date(text: str) -> date | None:
    """ISO 8601 (what a date input sends), or day/month/year as people type it without a date picker."""
    match = _ISO_RE.fullmatch(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _DMY_RE.fullmatch(text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    if not 1000 <= year <= 9999:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


# -------------------------------------------------------------------------------------------------------- helpers


def positive_int(value: Any, default: int, ceiling: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return max(0, min(number, ceiling))


def decimal_setting(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def date_setting(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value.strip()[:10])
    return None


def setting_text(settings: dict, key: str, language: str) -> str:
    for lang in (language, "fr", "en"):
        value = settings.get(f"{key}_{lang}")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def plain_number(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 12, 2.5, -0.25."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def format_number(value: Any, language: str) -> str:
    return format_decimal(value, locale=babel_locale(language))
