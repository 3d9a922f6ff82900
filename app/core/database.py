"""Engine-level settings that keep SQLite honest (foreign keys, real transactions and savepoints), and the few
queries that differ by database."""

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.core.extensions import db


def listen_once(target: Any, event: str, listener: Callable[..., Any]) -> None:
    """``sa.event.listen`` unless ``listener`` already listens there: ``register(app)`` functions call this, so that
    a second app (tests, commands) wires nothing twice on process-wide targets such as ``Session``."""
    if not sa.event.contains(target, event, listener):
        sa.event.listen(target, event, listener)


def register(app: Flask) -> None:
    """Wire the SQLite settings into the app's engine, once (``create_app`` calls this; nothing is wired by
    importing)."""
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    listen_once(engine, "connect", _on_connect)
    listen_once(engine, "begin", _on_begin)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not pysqlite, decide when transactions begin (needed for SAVEPOINT).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not left in free space (sealed ballots, erased responses), whatever the
    # SQLite build's default.
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _on_begin(connection: sa.Connection) -> None:
    connection.exec_driver_sql("BEGIN")


def is_postgres() -> bool:
    return db.session.get_bind().dialect.name == "postgresql"


def medians(value: sa.ColumnElement, rows: sa.Select, group: sa.ColumnElement | None = None) -> dict[Any, float]:
    """The median of ``value`` over the rows that ``rows`` (a SELECT: its FROM and WHERE) yields, per ``group``
    (or once, under the key None), in one query: percentile_cont on PostgreSQL; on SQLite the values are numbered
    in order and the middle one is taken (or the mean of the two middle ones). Groups without a value are absent."""
    keys = [] if group is None else [group]
    if is_postgres():
        median = sa.func.percentile_cont(0.5).within_group(sa.cast(value, sa.Float))
        query = rows.with_only_columns(*keys, median).group_by(*keys)
    else:
        partition = {"partition_by": group} if group is not None else {}
        ordered = rows.with_only_columns(
            *(key.label("key") for key in keys),
            value.label("value"),
            sa.func.row_number().over(order_by=value, **partition).label("position"),
            sa.func.count().over(**partition).label("total"),
        ).subquery()
        middle = ordered.c.position.in_([(ordered.c.total + 1) // 2, (ordered.c.total + 2) // 2])
        grouped = [ordered.c.key] if group is not None else []
        query = sa.select(*grouped, sa.func.avg(ordered.c.value)).where(middle).group_by(*grouped)
    return {(row[0] if keys else None): float(row[-1]) for row in db.session.execute(query) if row[-1] is not None}
