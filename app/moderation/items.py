"""Creating moderation items: from a completed response (open text answers and "other" texts), from a partner
contribution, from a comment and from the ideas noted at an event. Each text is scanned for personal information
on arrival (spans stored, item flagged). Services flush, never commit."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    Answer,
    Comment,
    Contribution,
    Event,
    ItemSource,
    ModerationItem,
    Question,
    Response,
    Territory,
    User,
)
from app.moderation import pii
from app.questions import question_type


def language_of(locale: str | None) -> str:
    return "en" if (locale or "").lower().startswith("en") else "fr"


def spans_as_json(spans: Sequence[pii.Span]) -> list[dict[str, Any]]:
    return [{"start": s.start, "end": s.end, "kind": s.kind} for s in spans]


def spans_of(item: ModerationItem) -> list[pii.Span]:
    """The detected spans of an item, as :class:`pii.Span` on its original text."""
    return [pii.Span(s["start"], s["end"], s["kind"], item.text[s["start"] : s["end"]]) for s in (item.pii_spans or [])]


def rescan(items: Sequence[ModerationItem]) -> None:
    """Detect personal information again in items whose text changed (an erasure replaced an address)."""
    _scan(items)
    db.session.flush()


def _scan(items: Sequence[ModerationItem]) -> None:
    by_language: dict[str, list[ModerationItem]] = {}
    for item in items:
        by_language.setdefault(item.language, []).append(item)
    for language, group in by_language.items():
        found = pii.detect_many([item.text for item in group], language)
        for item, spans in zip(group, found, strict=True):
            item.pii_spans = spans_as_json(spans)
            item.flagged = bool(spans)


def is_open_question(question: Question) -> bool:
    return question_type(question).moderated(question)


def items_from_response(response: Response) -> list[ModerationItem]:
    """One item per non-empty open text answer and per "other, please specify" text of a completed response."""
    existing = set(
        db.session.scalars(sa.select(ModerationItem.answer_id).where(ModerationItem.response_id == response.id))
    )
    rows = db.session.execute(
        sa.select(Answer, Question)
        .join(Question, Question.id == Answer.question_id)
        .where(Answer.response_id == response.id)
        .order_by(Answer.id)
    ).all()
    territory_id = next((answer.territory_id for answer, _ in rows if answer.territory_id is not None), None)
    attributes = response.attributes or {}
    if territory_id is None and attributes.get("territory"):
        territory_id = db.session.scalar(sa.select(Territory.id).where(Territory.code == str(attributes["territory"])))
    group = attributes.get("group")
    survey = response.survey
    items = []
    for answer, question in rows:
        if answer.id in existing or not (answer.text_value or "").strip():
            continue
        if answer.is_other:
            source = ItemSource.OTHER_ANSWER
        elif is_open_question(question):
            source = ItemSource.ANSWER
        else:
            continue
        items.append(
            ModerationItem(
                process_id=survey.process_id,
                source=source,
                survey_id=survey.id,
                question_id=question.id,
                response_id=response.id,
                answer_id=answer.id,
                territory_id=territory_id,
                respondent_group=str(group)[:80] if group else None,
                language=language_of(response.locale),
                text=answer.text_value,
            )
        )
    _scan(items)
    db.session.add_all(items)
    db.session.flush()
    return items


def item_from_contribution(contribution: Contribution) -> ModerationItem:
    parts = [contribution.title, contribution.description, contribution.why_it_matters]
    organization = contribution.organization
    item = ModerationItem(
        process_id=contribution.process_id,
        source=ItemSource.CONTRIBUTION,
        contribution=contribution,
        author_id=contribution.author_id,
        territory_id=organization.territory_id if organization is not None else None,
        language=contribution.language,
        text="\n\n".join(part for part in parts if part),
    )
    _scan([item])
    db.session.add(item)
    db.session.flush()
    return item


def item_from_comment(comment: Comment) -> ModerationItem:
    author: User | None = comment.author
    organization = author.organization if author is not None else None
    item = ModerationItem(
        process_id=comment.orientation.process_id,
        source=ItemSource.COMMENT,
        comment=comment,
        author_id=comment.author_id,
        territory_id=organization.territory_id if organization is not None else None,
        language=comment.language,
        text=comment.text,
    )
    _scan([item])
    db.session.add(item)
    db.session.flush()
    return item


def items_from_event(event: Event, ideas: Sequence[Any]) -> list[ModerationItem]:
    """One item per idea noted at ``event`` (source ``event``). Each idea has ``text``, ``group`` (table or group),
    ``audience`` (kept as the item's respondent group), ``territory_id`` (the event's when None) and ``language``."""
    items = [
        ModerationItem(
            process_id=event.process_id,
            source=ItemSource.EVENT,
            event_id=event.id,
            event_group=(idea.group or "")[:80] or None,
            territory_id=idea.territory_id if idea.territory_id is not None else event.territory_id,
            respondent_group=(idea.audience or "")[:80] or None,
            language=idea.language,
            text=idea.text,
        )
        for idea in ideas
    ]
    _scan(items)
    db.session.add_all(items)
    db.session.flush()
    return items


def on_response_completed(_sender: Any = None, *, response: Response, **_extra: Any) -> None:
    """Receiver of :data:`app.core.signals.response_completed` (runs inside the respondent's transaction)."""
    items_from_response(response)
