"""Moderation decisions: approve, reject (with a reason), needs redaction, undo. Each checks the version the
facilitator saw (optimistic locking), records who and when on the item and writes an audit row."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.exc import StaleDataError

from app.compliance import audit
from app.core.errors import DomainError
from app.core.extensions import db
from app.models import IllegalTransition, ItemState, ModerationItem, RejectReason, User, utcnow


class DecisionError(DomainError):
    """A decision that cannot be taken; ``message`` is shown to the facilitator."""


class StaleDecision(DecisionError):
    def __init__(self) -> None:
        super().__init__(
            _l("Someone else decided on this item while you were reading it. Here is its current state; decide again.")
        )


class RedactionRequired(DecisionError):
    def __init__(self) -> None:
        super().__init__(
            _l("Personal information was detected: redact it first, or approve the original if the detection is wrong.")
        )


def check_version(item: ModerationItem, seen_version: int | None) -> None:
    if seen_version is None or int(seen_version) != item.version:
        raise StaleDecision()


def _flush() -> None:
    try:
        db.session.flush()
    except StaleDataError as error:  # another transaction changed the row between our read and our write
        raise StaleDecision() from error


def _move(item: ModerationItem, target: ItemState) -> None:
    try:
        item.move_to(target)
    except IllegalTransition as error:
        raise DecisionError(_l("This decision is not possible in the item's current state.")) from error


def _decided(item: ModerationItem, actor: User) -> None:
    item.decided_by = actor
    item.decided_at = utcnow()


def approve(item: ModerationItem, actor: User, seen_version: int | None, *, keep_original: bool = False) -> None:
    """Approve. Partners then see ``redacted_text``: the redacted text, or the original when no personal
    information was detected (or the facilitator confirms the detection was wrong, ``keep_original``)."""
    check_version(item, seen_version)
    if item.redacted_text is None:
        if item.pii_spans and not keep_original:
            raise RedactionRequired()
        item.redacted_text = item.text
    _move(item, ItemState.APPROVED)
    _decided(item, actor)
    audit.record(actor, "moderation.approve", item, keep_original=keep_original, version=seen_version)
    _flush()


def reject(
    item: ModerationItem,
    actor: User,
    seen_version: int | None,
    reason: RejectReason,
    *,
    duplicate_of: ModerationItem | None = None,
    note: str = "",
) -> None:
    check_version(item, seen_version)
    reason = RejectReason(reason)
    if reason is RejectReason.DUPLICATE:
        if duplicate_of is None or duplicate_of.id == item.id or duplicate_of.process_id != item.process_id:
            raise DecisionError(_l("Give the number of the item this one duplicates (same process)."))
        item.duplicate_of = duplicate_of
    _move(item, ItemState.REJECTED)
    item.reject_reason = reason
    _decided(item, actor)
    audit.record(
        actor,
        "moderation.reject",
        item,
        reason=reason.value,
        duplicate_of=duplicate_of.id if duplicate_of is not None and reason is RejectReason.DUPLICATE else None,
        note=note,
        version=seen_version,
    )
    _flush()


def needs_redaction(item: ModerationItem, actor: User, seen_version: int | None) -> None:
    check_version(item, seen_version)
    _move(item, ItemState.NEEDS_REDACTION)
    _decided(item, actor)
    audit.record(actor, "moderation.needs_redaction", item, version=seen_version)
    _flush()


def undo(item: ModerationItem, actor: User, seen_version: int | None) -> None:
    """Back to pending; the redaction work is kept."""
    check_version(item, seen_version)
    previous = item.state
    _move(item, ItemState.PENDING)
    item.reject_reason = None
    item.duplicate_of = None
    _decided(item, actor)
    audit.record(actor, "moderation.undo", item, previous=previous.value, version=seen_version)
    _flush()


def bulk(
    items: Iterable[ModerationItem], actor: User, action: str, *, reason: RejectReason | None = None
) -> tuple[int, list[int]]:
    """Approve or reject many items on their current version; returns (done, ids skipped with a reason)."""
    done, skipped = 0, []
    for item in items:
        try:
            if action == "approve":
                approve(item, actor, item.version)
            elif action == "reject":
                reject(item, actor, item.version, reason or RejectReason.OFF_TOPIC)
            else:
                raise ValueError(action)
            done += 1
        except DecisionError:
            skipped.append(item.id)
    return done, skipped
