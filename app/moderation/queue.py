"""The moderation queue's SQL: items filtered, one page of them, and a total counted up to a cap."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from app.core import database
from app.core.extensions import db
from app.models import (
    ItemState,
    ModerationItem,
    item_themes,
)
from app.moderation import search
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
        query = query.where(search.matches(filters["q"])).execution_options(text_search=True)
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
    """The page's items and the total (capped): two statements."""
    page = min(page, MAX_PAGE)
    counted = query.with_only_columns(ModerationItem.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted))
    rows = db.session.scalars(page_statement(query, page, total).options(*options)).all()
    return QueuePage(list(rows[:PER_PAGE]), page, min(total, COUNT_CAP), total > COUNT_CAP, len(rows) > PER_PAGE)


def page_statement(query: sa.Select, page: int, total: int) -> sa.Select:
    """One page of ``query`` (and one more item, to know whether a next page exists), ``total`` items matching.

    A text search on PostgreSQL matching at most COUNT_CAP items reads its matches from the text index first (a
    materialized CTE: the planner cannot fold it into the outer query), then sorts them by date and reads the
    page's items. Left to itself the planner walks the (process_id, created_at) index backwards and computes each
    text's tsvector until the page is full: it takes to_tsvector for cheap, and a word found in 5 % of 100,000
    items cost 139 ms that way under load against a few milliseconds from the index (docs/BENCHMARKS.md, issue
    19). Beyond COUNT_CAP matches the walk finds a page soon enough and sorting every match would cost more."""
    offset = (page - 1) * PER_PAGE
    if total > COUNT_CAP or not query.get_execution_options().get("text_search") or not database.is_postgres():
        return query.limit(PER_PAGE + 1).offset(offset)
    matching = (
        query.with_only_columns(ModerationItem.id, ModerationItem.created_at)
        .order_by(None)
        .cte("matching")
        .prefix_with("MATERIALIZED")
    )
    newest = sa.select(matching.c.id).order_by(matching.c.created_at.desc(), matching.c.id.desc())
    return (
        sa.select(ModerationItem)
        .where(ModerationItem.id.in_(newest.limit(PER_PAGE + 1).offset(offset)))
        .order_by(ModerationItem.created_at.desc(), ModerationItem.id.desc())
    )
