"""Date and time: XLSForm's ``dateTime``, kept as ``YYYY-MM-DDTHH:MM`` (what a datetime-local input sends; also
read as ``YYYY-MM-DD HH:MM`` or day/month/year and a time)."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from app.questions.fields import parse_date
from app.questions.formatted import FormattedType
from app.questions.time import normalize_time

_SPLIT_RE = re.compile(r"\s*(?:[T ]|,\s*|\s+[àa@]\s+)\s*")


class DateTimeType(FormattedType):
    key = "date_time"
    label = _l("Date and time")
    rule = _l("A date and a time, e.g. 2025-03-14 14:30.")
    invalid = _l("Enter a date and a time such as 2025-03-14 14:30.")
    input_type = "datetime-local"
    xlsform_types = ("datetime",)
    xlsform_aliases = ("datetime", "date_time")
    xlsform_order = 42

    def normalize(self, text):
        parts = _SPLIT_RE.split(text.strip(), maxsplit=1)
        if len(parts) != 2:
            return None
        day, time = parse_date(parts[0]), normalize_time(parts[1])
        if day is None or time is None:
            return None
        return f"{day.isoformat()}T{time}"

    def synthetic_value(self, question, plan, english, values):
        return f"2025-{plan.rng.randint(1, 12):02d}-{plan.rng.randint(1, 28):02d}T{plan.rng.randint(7, 20):02d}:00"
