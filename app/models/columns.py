"""Column groups and tables several models share, declared once: the many-to-many link tables, and the
snapshot-after-each-change tables (the revisions of orientations and of collective actions).

A mixin's columns come after the model's own ones (SQLAlchemy's order), except ``id``, which is first: a model
that uses a mixin keeps the column order its migration created."""

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.models.base import Base, JSONDocument, UTCDateTime, utcnow
from app.models.people import User


def link_table(name: str, first: tuple[str, str], second: tuple[str, str], *, index_second: bool = False) -> sa.Table:
    """A many-to-many table: its primary key is two ``(column, table)`` references to ``<table>.id``, each deleted
    with the row it points to; ``index_second`` indexes the second one alone (to read the links from that side)."""
    (first_column, first_table), (second_column, second_table) = first, second
    return sa.Table(
        name,
        Base.metadata,
        sa.Column(first_column, sa.ForeignKey(f"{first_table}.id", ondelete="CASCADE"), primary_key=True),
        sa.Column(
            second_column,
            sa.ForeignKey(f"{second_table}.id", ondelete="CASCADE"),
            primary_key=True,
            index=index_second or None,
        ),
    )


class Revision:
    """A snapshot of an object after a change (number 1 is the creation), with who made it and a note. The model
    adds the reference to the object (its second column), the unique (object, number) and the relationship back."""

    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-1)
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship(User)


# Named CHECK constraints of the usual kinds (the naming convention prefixes ``ck_<table>_``). The texts are the
# ones the migrations wrote.


def not_empty(column: str, name: str | None = None) -> sa.CheckConstraint:
    """A text that may not be empty (``<column>_not_empty`` unless named)."""
    return sa.CheckConstraint(f"{column} <> ''", name or f"{column}_not_empty")


def at_least(column: str, minimum: int, name: str | None = None, *, optional: bool = False) -> sa.CheckConstraint:
    """A number of at least ``minimum`` (or NULL, when ``optional``); ``<column>_positive`` unless named."""
    return sa.CheckConstraint(f"{_unless_null(column, optional)}{column} >= {minimum}", name or f"{column}_positive")


def positive(column: str, name: str, *, optional: bool = False) -> sa.CheckConstraint:
    """A number above zero (or NULL, when ``optional``)."""
    return sa.CheckConstraint(f"{_unless_null(column, optional)}{column} > 0", name)


def dates_ordered(start: str, end: str, *, strict: bool = False, optional: bool = True) -> sa.CheckConstraint:
    """``end`` comes after ``start`` (or on the same day, unless ``strict``); with ``optional``, either may be
    NULL."""
    unless = f"{end} IS NULL OR {start} IS NULL OR " if optional else ""
    return sa.CheckConstraint(f"{unless}{end} {'>' if strict else '>='} {start}", "dates_ordered")


def _unless_null(column: str, optional: bool) -> str:
    return f"{column} IS NULL OR " if optional else ""
