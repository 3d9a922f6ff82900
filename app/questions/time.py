"""Time of day: XLSForm's ``time``, kept as ``HH:MM`` (24-hour), typed in a time input (or as 9h30, 9:30)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.questions.formatted import FormattedType

_TIME_RE = re.compile(r"(\d{1,2})\s*[:hH]\s*(\d{2})?(?::\d{2}(?:\.\d+)?)?")


def normalize_time(text: str) -> str | None:
    match = _TIME_RE.fullmatch(text.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return f"{hour:02d}:{minute:02d}"


class TimeType(FormattedType):
    key = "time"
    label = _l("Time of day")
    rule = _l("A time of day, e.g. 14:30.")
    invalid = _l("Enter a time of day such as 14:30.")
    input_type = "time"
    xlsform_types = ("time",)
    xlsform_order = 41

    def normalize(self, text):
        return normalize_time(text)

    def synthetic_value(self, question, plan, english, values):
        return f"{plan.rng.randint(7, 20):02d}:{plan.rng.choice((0, 15, 30, 45)):02d}"
