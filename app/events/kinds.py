"""Kinds of events: the built-in ones, and those a process's facilitators add (:class:`~app.models.EventKind`)."""

import re
import unicodedata

import sqlalchemy as sa
from flask import g, has_app_context
from flask_babel import lazy_gettext as _l

from app.core.errors import DomainError
from app.core.extensions import db
from app.models import EventKind, Process
from app.web.i18n import current_language

BUILTIN_KINDS = {
    "workshop": _l("Workshop"),
    "interview": _l("Interview"),
    "focus_group": _l("Focus group"),
    "assembly": _l("Assembly"),
    "public_meeting": _l("Public meeting"),
    "virtual_meeting": _l("Virtual meeting"),
}


def kinds_of(process: Process) -> list[tuple[str, str]]:
    """(key, label) of every kind an event of ``process`` may have: the built-in ones, then the process's own."""
    own = db.session.scalars(sa.select(EventKind).filter_by(process_id=process.id).order_by(EventKind.id)).all()
    english = current_language() == "en"
    return [(key, str(text)) for key, text in BUILTIN_KINDS.items()] + [
        (kind.key, (kind.label_en if english and kind.label_en else kind.label_fr)) for kind in own
    ]


def kind_label(process: Process, key: str) -> str:
    """The label of ``key`` (the process's kinds are read once per request: a timeline asks for each event)."""
    cache = g.setdefault("event_kind_labels", {}) if has_app_context() else {}
    cache_key = (process.id, current_language())
    if cache_key not in cache:
        cache[cache_key] = dict(kinds_of(process))
    return cache[cache_key].get(key, key)


def _key_of(label: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")[:40]


def add_kind(process: Process, label_fr: str, label_en: str = "") -> EventKind:
    """A new kind for the events of ``process``; refused when its name is empty or already a kind."""
    label_fr, label_en = label_fr.strip(), label_en.strip()
    key = _key_of(label_fr)
    if not key:
        raise DomainError(_l("Give the new kind a name."), "label_fr")
    known = {k: str(text).casefold() for k, text in kinds_of(process)}
    if key in known or label_fr.casefold() in known.values():
        raise DomainError(_l("This kind of event already exists."), "label_fr")
    kind = EventKind(process_id=process.id, key=key, label_fr=label_fr[:120], label_en=label_en[:120])
    db.session.add(kind)
    g.pop("event_kind_labels", None)
    db.session.flush()
    return kind
