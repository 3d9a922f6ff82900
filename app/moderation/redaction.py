"""Redaction of an item's personal information: one click for every detected span, or a facilitator's selection
(by character offsets in the current working text, or a piece of text that must occur in it). The original
``text`` is never altered; the result goes to ``redacted_text``.

Redactions compose in any order: each one only replaces pieces of the working text, never goes back to the
original, so what partners will see never regains a redacted span. The detected spans (offsets in the original)
are found in the working text by aligning the two texts (difflib): a span whose words are partly redacted
already is replaced whole, together with the placeholders inside it."""

from __future__ import annotations

import difflib
import re

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


_PLACEHOLDER_RE = re.compile(
    "|".join(re.escape(p) for p in sorted({p for by_kind in pii.PLACEHOLDERS.values() for p in by_kind.values()}))
)


def _widen(text: str, start: int, end: int) -> tuple[int, int]:
    """The range widened so that it does not cut a placeholder in two."""
    for match in _PLACEHOLDER_RE.finditer(text):
        if match.start() < start < match.end():
            start = match.start()
        if match.start() < end < match.end():
            end = match.end()
    return start, end


def redact_spans_in(original: str, working: str, spans: list[pii.Span], language: str) -> str:
    """``working`` (the original with some pieces already replaced) with each span of ``original`` replaced by its
    placeholder. Parts already redacted stay redacted; a span already wholly a placeholder is left as it is."""
    blocks = difflib.SequenceMatcher(None, original, working, autojunk=False).get_opcodes()

    def to_working(position: int, *, is_end: bool) -> int:
        for tag, i1, i2, j1, j2 in blocks:
            inside = i1 < position <= i2 if is_end else i1 <= position < i2
            if inside:
                if tag == "equal":
                    return j1 + position - i1
                return j2 if is_end else j1
        return len(working) if is_end else 0

    ranges = []
    for span in sorted(spans, key=lambda s: s.start):
        start, end = _widen(working, to_working(span.start, is_end=False), to_working(span.end, is_end=True))
        if start < end:
            ranges.append([start, end, span.kind])
    merged: list[list] = []
    for start, end, kind in ranges:
        if merged and start < merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, kind])
    result = working
    for start, end, kind in reversed(merged):
        label = pii.placeholder(kind, language)
        if _PLACEHOLDER_RE.fullmatch(result[start:end]):
            continue  # redacted already (by hand or by an earlier click)
        result = result[:start] + label + result[end:]
    return result


def redact_detected(item: ModerationItem, actor: User, seen_version: int | None) -> None:
    """Replace every detected span with its placeholder, keeping the redactions already made."""
    check_version(item, seen_version)
    spans = spans_of(item)
    if not spans:
        raise DecisionError(_l("No personal information was detected in this item."))
    item.redacted_text = redact_spans_in(item.text, working_text(item), spans, item.language)
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
