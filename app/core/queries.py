"""The one query shape most domain modules repeat: the rows of a model that meet some criteria, in an order."""

from __future__ import annotations

from typing import Any, TypeVar

import sqlalchemy as sa

from app.core.extensions import db

T = TypeVar("T")


def rows_where(model: type[T], *criteria: Any, order_by: Any = ()) -> list[T]:
    """The rows of ``model`` that meet every one of ``criteria``, in the order of ``order_by`` (a column, or a tuple
    of columns)."""
    order = order_by if isinstance(order_by, tuple) else (order_by,)
    return list(db.session.scalars(sa.select(model).where(*criteria).order_by(*order)))


def by_first_column(statement: Any) -> dict[Any, tuple]:
    """{first column: (the other columns)} over the rows of ``statement`` (a count per key, say)."""
    return {key: tuple(rest) for key, *rest in db.session.execute(statement)}
