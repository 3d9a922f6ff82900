"""Redaction of an item's personal information: one click for every detected span, or a facilitator's selection
(by character offsets in the current working text, or a piece of text that must occur in it). The original
``text`` is never altered; the result goes to ``redacted_text``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.compliance import audit
from app.core.extensions import db
from app.models import ItemState, ModerationItem, User
from app.moderation import pii
from app.moderation.decisions import DecisionError, _flush, check_version
from app.moderation.items import spans_of


def working_text(item: ModerationItem) -> str:
    """The text being redacted: the redacted text once started, the original before."""
    return item.redacted_text if item.redacted_text is not None else item.text


def redact_detected(item: ModerationItem, actor: User, seen_version: int | None) -> None:
    """Replace every detected span of the original with its placeholder (starts again from the original)."""
    check_version(item, seen_version)
    spans = spans_of(item)
    if not spans:
        raise DecisionError(_l("No personal information was detected in this item."))
    item.redacted_text = pii.redact(item.text, spans, language=item.language)
    audit.record(actor, "moderation.redact", item, spans=len(spans), version=seen_version)
    _flush()


def redact_selection(
    item: ModerationItem,
    actor: User,
    seen_version: int | None,
    *,
    start: int | None = None,
    end: int | None = None,
    text_to_redact: str | None = None,
    kind: str = "other",
) -> None:
    """Redact ``working_text[start:end]``, or every occurrence of ``text_to_redact`` in it."""
    check_version(item, seen_version)
    current = working_text(item)
    if kind not in pii.REDACTION_KINDS:
        raise DecisionError(_l("Choose a kind of information."))
    if text_to_redact:
        if text_to_redact not in current:
            raise DecisionError(_l("This text does not occur in the item (check spaces and capitals)."))
        if not text_to_redact.strip():
            raise DecisionError(_l("Select some text, not only spaces."))
        result = current.replace(text_to_redact, pii.placeholder(kind, item.language))
    elif start is not None and end is not None:
        try:
            result = pii.redact_range(current, start, end, kind=kind, language=item.language)
        except ValueError as error:
            raise DecisionError(_l("The selection must be within the text and not only spaces.")) from error
    else:
        raise DecisionError(_l("Give the text to redact, or its start and end positions."))
    item.redacted_text = result
    audit.record(actor, "moderation.redact_selection", item, kind=kind, version=seen_version)
    _flush()


def reset_redaction(item: ModerationItem, actor: User, seen_version: int | None) -> None:
    check_version(item, seen_version)
    if item.state is ItemState.APPROVED:
        raise DecisionError(_l("Undo the approval before starting the redaction again."))
    item.redacted_text = None
    audit.record(actor, "moderation.reset_redaction", item, version=seen_version)
    db.session.flush()
