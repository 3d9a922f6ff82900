"""Audience groups of an event's attendance, and of the ideas noted there: parents, employers, youth, partner
organizations by sector, others. Keys are stored (``EventAttendance.audience``, ``ModerationItem.respondent_group``)."""

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.core.labels import label
from app.models import Sector

PARTNER_PREFIX = "partners_"

AUDIENCES = {
    "parents": _l("Parents"),
    "employers": _l("Employers"),
    "youth": _l("Youth"),
    **{f"{PARTNER_PREFIX}{sector.value}": None for sector in Sector},
    "others": _l("Others"),
}


def audience_label(key: str | None) -> str:
    if key is None:
        return ""
    if key.startswith(PARTNER_PREFIX) and key in AUDIENCES:
        return str(_l("Partner organizations — %(sector)s", sector=label("sector", key.removeprefix(PARTNER_PREFIX))))
    return str(AUDIENCES.get(key) or key)


def audience_choices() -> list[tuple[str, str]]:
    return [(key, audience_label(key)) for key in AUDIENCES]


def audience_from_text(text: str) -> str | None:
    """The audience key a cell of an import names (its key or its label in either language), else None."""
    wanted = text.strip().casefold()
    for language in ("fr_CA", "en"):
        with force_locale(language):
            for key in AUDIENCES:
                if wanted in (key.casefold(), audience_label(key).casefold()):
                    return key
    return None
