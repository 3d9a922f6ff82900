"""WTForms fields for the questions a respondent answers, one field class per kind of question.

Each field reads its own inputs from the form data (a compound question such as a matrix or a ranking reads
several: ``q_<code>:<row>``), normalizes them to the question's *value* (see :mod:`app.respond.engine`) and
refuses anything it does not recognize. Nothing here trusts the browser: unknown codes, numbers out of range
or texts over the limit become messages, never exceptions. Fields are rendered by
``templates/respond/_questions.html`` (not by WTForms widgets), which gives each input its label, hint and
error.

Names and ids: the field is ``q_<code>``; a sub-input is ``q_<code>:<sub>`` (``:`` cannot appear in a question
code, so names never collide); ids of options are ``q_<code>:<index>``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cached_property
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext as _ln
from markupsafe import Markup
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation, ValidationError

from app.i18n import localized
from app.models import Question

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

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_GROUPING = re.compile(r"(?<=\d)[ \u00a0\u202f'](?=\d{3}\b)")
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

    def __init__(self, label=None, validators=None, *, question: Question, language: str = "fr", **kwargs):
        super().__init__(label, validators, **kwargs)
        self.question = question
        self.code = question.code
        self.language = language
        self.hint = localized(question, "help", language)
        # Set by the form while it validates: whether an empty answer is refused.
        self.enforce_required = True

    @property
    def required(self) -> bool:
        return bool(self.question.required) and self.has_input

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
        ids = [f"{self.id}:hint"] if self.hint else []
        if self.rule:
            ids.append(f"{self.id}:rule")
        if self.errors:
            ids.append(f"{self.id}:error")
        attributes = f' aria-describedby="{" ".join(ids)}"' if ids else ""
        if self.errors:
            attributes += ' aria-invalid="true"'
        return Markup(attributes)  # noqa: S704 - ids are built from question codes ([A-Za-z0-9_.-])

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
            if self.required and self.enforce_required:
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


# --------------------------------------------------------------------------------------------------------- texts


class TextQuestionField(QuestionField):
    def __init__(self, *args, multiline: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.multiline = multiline
        settings = self.question.settings or {}
        self.max_length = _positive_int(settings.get("max_length"), MAX_TEXT_LENGTH, MAX_TEXT_LENGTH)
        self.min_length = _positive_int(settings.get("min_length"), 0, self.max_length)
        self.raw = ""

    def make_rule(self) -> Any:
        if self.multiline:
            return _l("Up to %(count)s characters.", count=_number(self.max_length, self.language))
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
                    count=_number(length, self.language),
                    max=_number(self.max_length, self.language),
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


class EmailQuestionField(TextQuestionField):
    """Identified surveys only; the address is stored apart from the answers (RespondentContact)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, multiline=False, **kwargs)
        self.max_length = 254

    def make_rule(self) -> Any:
        return _l("Your address is kept apart from your answers.")

    def parse(self, formdata) -> str | None:
        self.raw = str(formdata.get(self.name, ""))
        self.raw_data = [self.raw]
        return clean_text(self.raw, multiline=False).replace(" ", "") or None

    def check(self, form) -> None:
        try:
            if len(self.data) > self.max_length:
                raise EmailNotValidError("too long")
            result = validate_email(self.data, check_deliverability=False)
        except EmailNotValidError:
            raise ValidationError(_l("Enter a valid e-mail address, for example nom@exemple.ca.")) from None
        self.data = result.normalized


# ------------------------------------------------------------------------------------------------------- choices


class ChoiceQuestionField(QuestionField):
    """One answer among options (radios or a drop-down list), optionally "other, please specify"."""

    required_message = _l("Choose an answer.")
    multiple = False

    def __init__(self, *args, options: Sequence[tuple[str, str]] = (), dropdown: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropdown = dropdown
        self.allows_other = bool((self.question.settings or {}).get("other")) and self.question.type.has_choices
        pairs = list(options)
        self.other_value = other_code(self.question) if self.allows_other else None
        if self.other_value is not None:
            pairs.append((self.other_value, str(_l("Other"))))
        self.options = [
            Option(value, label, f"{self.id}{SUB}{index}", is_other=value == self.other_value)
            for index, (value, label) in enumerate(pairs)
        ]
        self.valid_values = {option.value for option in self.options}
        self.other_name = f"{self.name}{SUB}other"
        self.other_id = f"{self.id}{SUB}other"
        self.other_text = ""
        self.selected: list[str] = []

    @property
    def error_anchor(self) -> str:
        return self.id if self.dropdown or not self.options else self.options[0].id

    def parse(self, formdata) -> Any:
        raw = [str(value) for value in formdata.getlist(self.name)]
        self.raw_data = raw
        self.other_text = clean_text(formdata.get(self.other_name, ""), multiline=False) if self.allows_other else ""
        chosen = list(dict.fromkeys(value for value in raw if value != ""))
        self.selected = [value for value in chosen if value in self.valid_values]
        # An unknown code, or several values for a single answer: not something this page could send.
        if len(chosen) != len(self.selected) or (not self.multiple and len(chosen) > 1):
            self.selected = []
            raise ValueError(_l("Choose one of the options shown."))
        if not self.selected:
            return None
        if self.multiple:
            order = {option.value: index for index, option in enumerate(self.options)}
            return sorted(self.selected, key=order.__getitem__)
        return self.selected[0]

    def load(self, value, other_text=None) -> None:
        if isinstance(value, list):
            self.selected = [v for v in value if v in self.valid_values]
        else:
            self.selected = [value] if value in self.valid_values else []
        self.data = (self.selected or None) if self.multiple else (self.selected[0] if self.selected else None)
        self.other_text = other_text or ""

    def is_selected(self, option: Option) -> bool:
        return option.value in self.selected

    @property
    def other_chosen(self) -> bool:
        return self.other_value is not None and self.other_value in self.selected

    def check(self, form) -> None:
        if self.other_chosen:
            if not self.other_text:
                raise ValidationError(_l("Please specify your “other” answer."))
            if len(self.other_text) > MAX_TEXT_LENGTH:
                raise ValidationError(
                    _l(
                        "Your answer is too long: %(count)s characters; the maximum is %(max)s.",
                        count=_number(len(self.other_text), self.language),
                        max=_number(MAX_TEXT_LENGTH, self.language),
                    )
                )


class MultipleChoiceQuestionField(ChoiceQuestionField):
    required_message = _l("Choose at least one answer.")
    multiple = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self.question.settings or {}
        count = len(self.options)
        self.min_selections = _positive_int(settings.get("min_selections"), 0, count)
        self.max_selections = _positive_int(settings.get("max_selections"), count, count) or count

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


class YesNoQuestionField(ChoiceQuestionField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, options=[("yes", str(_l("Yes"))), ("no", str(_l("No")))], **kwargs)


class RatingQuestionField(ChoiceQuestionField):
    """1..N; the value is an int. The end labels describe 1 and N."""

    def __init__(self, *args, **kwargs):
        question = kwargs["question"]
        language = kwargs.get("language", "fr")
        settings = question.settings or {}
        scale = _positive_int(settings.get("scale"), DEFAULT_SCALE, MAX_SCALE)
        self.scale = max(scale, 2)
        self.low_label = _setting_text(settings, "low_label", language)
        self.high_label = _setting_text(settings, "high_label", language)
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


# ------------------------------------------------------------------------------------------- numbers and dates


class NumericQuestionField(QuestionField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self.question.settings or {}
        self.decimal = bool(settings.get("decimal"))
        self.minimum = _decimal_setting(settings.get("min"))
        self.maximum = _decimal_setting(settings.get("max"))
        self.raw = ""

    def parse(self, formdata) -> Decimal | None:
        self.raw = str(formdata.get(self.name, ""))[:100]
        self.raw_data = [self.raw]
        text = clean_text(self.raw, multiline=False)
        if not text:
            return None
        text = _GROUPING.sub("", text).replace(" ", "")
        if not _NUMBER_RE.fullmatch(text):
            raise ValueError(self._format_message())
        try:
            value = Decimal(text.replace(",", "."))
        except InvalidOperation:
            raise ValueError(self._format_message()) from None
        if abs(value) > MAX_NUMBER:
            raise ValueError(_l("This number is too large."))
        if not self.decimal and value != value.to_integral_value():
            raise ValueError(self._format_message())
        value = value.quantize(NUMBER_PLACES).normalize() if self.decimal else value.to_integral_value()
        self.raw = _plain(value)  # shown again in a form every browser and conditions.js read the same way
        return value

    def make_rule(self) -> Any:
        low, high = self.minimum, self.maximum
        values = {
            "min": _number(low, self.language) if low is not None else "",
            "max": _number(high, self.language) if high is not None else "",
        }
        if low is not None and high is not None:
            return _l("A number from %(min)s to %(max)s.", **values)
        if low is not None:
            return _l("A number of at least %(min)s.", **values)
        if high is not None:
            return _l("A number of at most %(max)s.", **values)
        return None

    def _format_message(self):
        if self.decimal:
            return _l("Enter a number, for example 12 or 2,5.")
        return _l("Enter a whole number, for example 12.")

    def load(self, value, other_text=None) -> None:
        self.data = None if value is None else Decimal(value)
        self.raw = "" if value is None else _plain(Decimal(value))

    def check(self, form) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and self.data < low) or (high is not None and self.data > high):
            values = {
                "min": _number(low, self.language) if low is not None else "",
                "max": _number(high, self.language) if high is not None else "",
            }
            if low is not None and high is not None:
                raise ValidationError(_l("Enter a number from %(min)s to %(max)s.", **values))
            if low is not None:
                raise ValidationError(_l("Enter a number of at least %(min)s.", **values))
            raise ValidationError(_l("Enter a number of at most %(max)s.", **values))


class DateQuestionField(QuestionField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        settings = self.question.settings or {}
        self.minimum = _date_setting(settings.get("min"))
        self.maximum = _date_setting(settings.get("max"))
        self.raw = ""

    def make_rule(self) -> Any:
        return _l("Format: YYYY-MM-DD, for example 2025-03-31.")

    def parse(self, formdata) -> date | None:
        self.raw = str(formdata.get(self.name, ""))[:40]
        self.raw_data = [self.raw]
        text = clean_text(self.raw, multiline=False)
        if not text:
            return None
        value = parse_date(text)
        if value is None:
            raise ValueError(_l("Enter a valid date, for example 2025-03-31."))
        self.raw = value.isoformat()
        return value

    def load(self, value, other_text=None) -> None:
        self.data = value
        self.raw = value.isoformat() if value else ""

    def check(self, form) -> None:
        low, high = self.minimum, self.maximum
        if (low and self.data < low) or (high and self.data > high):
            locale = babel_locale(self.language)
            values = {
                "min": format_date(low, "long", locale=locale) if low else "",
                "max": format_date(high, "long", locale=locale) if high else "",
            }
            if low and high:
                raise ValidationError(_l("Enter a date from %(min)s to %(max)s.", **values))
            if low:
                raise ValidationError(_l("Enter a date on or after %(min)s.", **values))
            raise ValidationError(_l("Enter a date on or before %(max)s.", **values))


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


# --------------------------------------------------------------------------------------------- compound answers


class RankingQuestionField(QuestionField):
    """A rank (1..N) chosen for each option: ``q_<code>:<option>``. The value lists the codes, first ranked first."""

    required_message = _l("Rank every option.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = [
            Option(choice.code, localized(choice, "label", self.language), f"{self.id}{SUB}{index}")
            for index, choice in enumerate(self.question.choices)
        ]
        self.ranks: dict[str, int] = {}
        self.raw_ranks: dict[str, str] = {}

    @property
    def error_anchor(self) -> str:
        return self.items[0].id if self.items else self.id

    def make_rule(self) -> Any:
        return _l("Give each option a different rank: 1 for the first, %(count)d for the last.", count=len(self.items))

    def input_name(self, item: Option) -> str:
        return f"{self.name}{SUB}{item.value}"

    def parse(self, formdata) -> list[str] | None:
        size = len(self.items)
        self.raw_ranks = {item.value: str(formdata.get(self.input_name(item), ""))[:10] for item in self.items}
        self.ranks = {}
        for code, raw in self.raw_ranks.items():
            if raw.strip() == "":
                continue
            if not raw.strip().isdigit() or not 1 <= int(raw) <= size:
                raise ValueError(_l("Choose a rank from the list."))
            self.ranks[code] = int(raw)
        if len(set(self.ranks.values())) != len(self.ranks):
            raise ValueError(_l("Give each option a different rank."))
        if not self.ranks:
            return None
        return sorted(self.ranks, key=self.ranks.__getitem__)

    def load(self, value, other_text=None) -> None:
        known = {item.value for item in self.items}
        codes = [code for code in (value or []) if code in known]
        self.ranks = {code: rank for rank, code in enumerate(codes, start=1)}
        self.raw_ranks = {code: str(rank) for code, rank in self.ranks.items()}
        self.data = codes or None

    def rank_of(self, item: Option) -> str:
        return self.raw_ranks.get(item.value, "")

    def check(self, form) -> None:
        if self.required and self.enforce_required and len(self.data) < len(self.items):
            raise ValidationError(self.required_message)


class MatrixQuestionField(QuestionField):
    """One radio group per row over the shared scale: ``q_<code>:<row>``. The value maps row codes to scale codes."""

    required_message = _l("Answer every row.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scale = [
            Option(choice.code, localized(choice, "label", self.language), "") for choice in self.question.choices
        ]
        self.matrix_rows = [
            Option(row.code, localized(row, "label", self.language), f"{self.id}{SUB}r{index}")
            for index, row in enumerate(self.question.rows)
        ]
        self.valid_values = {option.value for option in self.scale}
        self.chosen: dict[str, str] = {}

    @property
    def error_anchor(self) -> str:
        return f"{self.matrix_rows[0].id}{SUB}0" if self.matrix_rows and self.scale else self.id

    def input_name(self, row: Option) -> str:
        return f"{self.name}{SUB}{row.value}"

    def parse(self, formdata) -> dict[str, str] | None:
        self.chosen = {}
        problem = False
        for row in self.matrix_rows:
            values = [str(v) for v in formdata.getlist(self.input_name(row)) if v != ""]
            if not values:
                continue
            if len(values) > 1 or values[0] not in self.valid_values:
                problem = True
                continue
            self.chosen[row.value] = values[0]
        if problem:
            raise ValueError(_l("Choose one of the options shown."))
        return dict(self.chosen) or None

    def load(self, value, other_text=None) -> None:
        rows = {row.value for row in self.matrix_rows}
        self.chosen = {r: c for r, c in (value or {}).items() if r in rows and c in self.valid_values}
        self.data = dict(self.chosen) or None

    def is_chosen(self, row: Option, option: Option) -> bool:
        return self.chosen.get(row.value) == option.value

    def check(self, form) -> None:
        if self.required and self.enforce_required and len(self.data) < len(self.matrix_rows):
            raise ValidationError(self.required_message)


class NoteField(QuestionField):
    """A text block: nothing to answer."""

    has_input = False

    def parse(self, formdata) -> None:
        return None


# -------------------------------------------------------------------------------------------------------- helpers


def _positive_int(value: Any, default: int, ceiling: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return default
    try:
        number = int(value)
    except ValueError:
        return default
    return max(0, min(number, ceiling))


def _decimal_setting(value: Any) -> Decimal | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _date_setting(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return parse_date(value.strip()[:10])
    return None


def _setting_text(settings: dict, key: str, language: str) -> str:
    for lang in (language, "fr", "en"):
        value = settings.get(f"{key}_{lang}")
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _plain(value: Decimal) -> str:
    """A Decimal without exponent or trailing zeros: 12, 2.5, -0.25."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def _number(value: Any, language: str) -> str:
    return format_decimal(value, locale=babel_locale(language))
