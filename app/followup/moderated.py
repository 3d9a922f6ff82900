"""Partner texts of the follow-up (commitments, progress updates) in app/moderation's pipeline: each text becomes a
moderation item, scanned for personal information on arrival; the public reads only the approved item's
redacted text. A text edited before any decision replaces its pending item; after a decision, a new item waits and
the decided one is kept as history."""

from __future__ import annotations

from app.core.extensions import db
from app.models import ItemSource, ItemState, ModerationItem, Organization, User
from app.moderation import items as moderation_items


def submit_text(
    *,
    process_id: int,
    source: ItemSource,
    author: User | None,
    organization: Organization | None,
    language: str,
    text: str,
    previous: ModerationItem | None = None,
) -> ModerationItem:
    """The moderation item holding ``text``; ``previous`` (the item of the text it replaces) is deleted when no
    facilitator has decided on it yet."""
    if previous is not None and previous.state is ItemState.PENDING and previous.decided_at is None:
        db.session.delete(previous)
        db.session.flush()
    item = ModerationItem(
        process_id=process_id,
        source=source,
        author_id=author.id if author is not None else None,
        territory_id=organization.territory_id if organization is not None else None,
        language=language,
        text=text,
    )
    db.session.add(item)
    moderation_items.rescan([item])  # personal information detected (spans stored, item flagged), then flushed
    return item
