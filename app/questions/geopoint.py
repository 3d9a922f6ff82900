"""Geographic point: XLSForm's ``geopoint`` (and ``gps``), typed as latitude and longitude in decimal degrees (no
map: nothing is loaded from elsewhere). Kept as ``"<latitude> <longitude>"``, the first two numbers of an ODK
geopoint, so exports read like ODK's."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from app.questions.formatted import FormattedType

_NUMBER = r"[-+]?\d{1,3}(?:[.,]\d+)?"
_POINT_RE = re.compile(rf"({_NUMBER})\s*[;,\s]\s*({_NUMBER})(?:\s+[-+]?\d+(?:\.\d+)?){{0,2}}")


def normalize_point(text: str) -> str | None:
    match = _POINT_RE.fullmatch(text.strip())
    if not match:
        return None
    try:
        latitude, longitude = (Decimal(part.replace(",", ".")) for part in match.groups())
    except InvalidOperation:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return f"{latitude.normalize():f} {longitude.normalize():f}"


class GeopointType(FormattedType):
    key = "geopoint"
    label = _l("Geographic point (latitude, longitude)")
    rule = _l("Latitude and longitude in decimal degrees, e.g. 46.8139 -71.2080.")
    invalid = _l("Enter a latitude (-90 to 90) and a longitude (-180 to 180), e.g. 46.8139 -71.2080.")
    inputmode = "decimal"
    xlsform_types = ("geopoint",)
    xlsform_order = 80

    def normalize(self, text):
        return normalize_point(text)

    def synthetic_value(self, question, plan, english, values):
        return f"{45 + plan.rng.random() * 3:.4f} {-74 + plan.rng.random() * 3:.4f}"
