"""The moderation queue's SQL: items filtered, one page of them, and a total counted up to a cap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core.extensions import db
from app.models import (
    ItemState,
    ModerationItem,
    item_themes,
)
from app.web.params import positive_int

PER_PAGE = 50


COUNT_CAP = 10_000


MAX_PAGE = 100_000


def queue_query(filters: dict[str, str]) -> sa.Select:
    query = sa.select(ModerationItem)
    if positive_int(filters.get("process")):
        query = query.where(ModerationItem.process_id == positive_int(filters["process"]))
    if positive_int(filters.get("survey")):
        query = query.where(ModerationItem.survey_id == positive_int(filters["survey"]))
    if positive_int(filters.get("event")):
        query = query.where(ModerationItem.event_id == positive_int(filters["event"]))
    if positive_int(filters.get("question")):
        query = query.where(ModerationItem.question_id == positive_int(filters["question"]))
    if filters.get("state") in {s.value for s in ItemState}:
        query = query.where(ModerationItem.state == ItemState(filters["state"]))
    if positive_int(filters.get("theme")):
        query = query.where(
            ModerationItem.id.in_(
                sa.select(item_themes.c.item_id).where(item_themes.c.theme_id == positive_int(filters["theme"]))
            )
        )
    if positive_int(filters.get("territory")):
        query = query.where(ModerationItem.territory_id == positive_int(filters["territory"]))
    if filters.get("flagged") in ("1", "0"):
        query = query.where(ModerationItem.flagged.is_(filters["flagged"] == "1"))
    if filters.get("language") in ("fr", "en"):
        query = query.where(ModerationItem.language == filters["language"])
    if filters.get("q"):
        query = query.where(ModerationItem.text.icontains(filters["q"][:200], autoescape=True))
    return query.order_by(ModerationItem.created_at.desc(), ModerationItem.id.desc())


@dataclass
class QueuePage:
    """One page of the queue. The total is counted up to COUNT_CAP only, so that the page costs the same with
    100 items or 100,000 (an exact count grows with the data)."""

    items: list[ModerationItem]
    page: int
    total: int
    capped: bool
    has_next: bool

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def queue_page(query: sa.Select, page: int, *options: Any) -> QueuePage:
    page = min(page, MAX_PAGE)
    rows = db.session.scalars(query.options(*options).limit(PER_PAGE + 1).offset((page - 1) * PER_PAGE)).all()
    counted = query.with_only_columns(ModerationItem.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    return QueuePage(list(rows[:PER_PAGE]), page, min(total, COUNT_CAP), total > COUNT_CAP, len(rows) > PER_PAGE)
