"""Builders for moderation tests: items straight in the database (no survey needed), orientations, themes."""

from app.core.extensions import db
from app.models import ItemSource, ItemState, ModerationItem, Orientation, OrientationEvidence, OrientationState
from app.moderation import items as item_service


def make_item(
    process,
    text="Plus de places en garderie.",
    *,
    state=ItemState.PENDING,
    territory=None,
    group=None,
    language="fr",
    scan=False,
    response=None,
    redacted=None,
    **fields,
):
    item = ModerationItem(
        process_id=process.id,
        source=fields.pop("source", ItemSource.ANSWER),
        text=text,
        state=state,
        territory_id=territory.id if territory is not None else None,
        respondent_group=group,
        language=language,
        response_id=response.id if response is not None else None,
        redacted_text=redacted if redacted is not None else (text if state is ItemState.APPROVED else None),
        **fields,
    )
    if scan:
        item_service._scan([item])
    db.session.add(item)
    db.session.commit()
    return item


def make_orientation(
    process, items=(), *, state=OrientationState.DRAFT, title="Accès aux services de garde", quotes=()
):
    orientation = Orientation(
        process_id=process.id,
        title_fr=title,
        title_en="Access to childcare",
        state=state,
        statement_fr="Augmenter l’accès.",
    )
    db.session.add(orientation)
    db.session.flush()
    for item in items:
        db.session.add(
            OrientationEvidence(orientation_id=orientation.id, item_id=item.id, chosen_as_quote=item in quotes)
        )
    db.session.commit()
    return orientation
