"""Numbers typed by people, in an indicator's unit: "1 200,5", "45 %", "120 places". Pure functions."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.followup.errors import FollowupError

_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
MAX_ABS = Decimal("1e14")


def parse_quantity(text: str | None, unit: str = "", *, field: str = "value", required: bool = True) -> Decimal | None:
    """The number in ``text``, which may end with ``unit`` (case ignored); a decimal comma or point, spaces between
    thousands. Anything else (another unit, words, two numbers) is refused, naming ``field``."""
    raw = (text or "").strip()
    if not raw:
        if required:
            raise FollowupError(_l("Enter a number."), field)
        return None
    unit = (unit or "").strip()
    if unit and raw.lower().endswith(unit.lower()):
        raw = raw[: -len(unit)].strip()
    compact = _SPACES.sub("", raw).replace(",", ".")
    if not _NUMBER.match(compact):
        if unit:
            raise FollowupError(_l("Enter a number in %(unit)s, e.g. 12 or 12,5.", unit=unit), field)
        raise FollowupError(_l("Enter a number, e.g. 12 or 12,5."), field)
    try:
        value = Decimal(compact)
    except InvalidOperation as error:  # pragma: no cover - the pattern above only lets numbers through
        raise FollowupError(_l("Enter a number, e.g. 12 or 12,5."), field) from error
    if abs(value) >= MAX_ABS:
        raise FollowupError(_l("This number is too large."), field)
    return value


def format_quantity(value: Decimal | float | int | None, unit: str = "") -> str:
    """A value as people read it: no useless decimals, the unit after a space."""
    if value is None:
        return ""
    from babel.numbers import format_decimal
    from flask_babel import get_locale

    locale = str(get_locale() or "fr_CA")
    text = format_decimal(Decimal(str(value)), format="#,##0.######", locale=locale)
    return f"{text}\u00a0{unit}" if unit else text
